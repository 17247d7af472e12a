"""``orchestai plan``: plan one instruction, or a JSON-lines file of requests (GNN4TaskPlan format)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from orchestai_agents.cli._args import output_file, positive_int
from orchestai_agents.errors import InputFileError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "plan",
        help="plan an instruction (or a file of requests) without running it",
        description="Plan with the learned planner. One instruction prints its plan as JSON; "
        "--requests FILE.jsonl (lines with 'id' and 'user_request') writes one plan per line to --out.",
    )
    parser.add_argument("instruction", nargs="?", help="what to do")
    parser.add_argument(
        "--planner", default=None, help="checkpoint folder or Hub repo id (default: shipped)"
    )
    parser.add_argument("--requests", type=Path, help="JSON lines with 'id' and 'user_request'")
    parser.add_argument("--out", type=output_file, help="where batch plans go (JSON lines)")
    parser.add_argument(
        "--tools", type=Path, help="plan over this TaskBench tool_desc.json inventory"
    )
    parser.add_argument("--batch-size", type=positive_int, default=64)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from orchestai_agents.cli._display import console, print_json
    from orchestai_agents.planner import Inventory, Planner, load_default_planner
    from orchestai_agents.planner.plans import to_plan

    if bool(args.instruction) == bool(args.requests):
        raise InputFileError("give either an instruction or --requests FILE.jsonl (with --out)")
    if args.requests and args.out is None:
        raise InputFileError("--requests needs --out PLANS.jsonl")
    records = _read_requests(args.requests) if args.requests else []  # before the planner loads
    planner = (
        load_default_planner() if args.planner is None else Planner.from_pretrained(args.planner)
    )
    inventory = Inventory.from_tool_desc(args.tools) if args.tools else planner.inventory
    if args.instruction:
        print_json(
            to_plan(
                args.instruction, planner.predict([args.instruction], inventory)[0], inventory
            ).to_dict()
        )
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as out:
        for start in range(0, len(records), args.batch_size):
            batch = records[start : start + args.batch_size]
            graphs = planner.predict([r["user_request"] for r in batch], inventory)
            for record, graph in zip(batch, graphs, strict=True):
                plan = to_plan(record["user_request"], graph, inventory)
                out.write(json.dumps(_line(record["id"], plan), ensure_ascii=False) + "\n")
    console.print(f"wrote {len(records)} plans to {args.out}")
    return 0


def _read_requests(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"cannot read {path}: {exc}") from exc
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            records.append({"id": str(record["id"]), "user_request": str(record["user_request"])})
        except (ValueError, KeyError, TypeError) as exc:
            raise InputFileError(
                f"{path} line {number}: expected a JSON object with 'id' and 'user_request' ({exc})"
            ) from exc
    if not records:
        raise InputFileError(
            f"{path} holds no requests; write one JSON object with 'id' and 'user_request' a line"
        )
    return records


def _line(request_id: str, plan: Any) -> dict[str, Any]:
    """A plan in our form plus GNN4TaskPlan's task_nodes / task_links, so their scripts can score it."""
    names = {s.id: s.task_type for s in plan.subtasks}
    return {
        "id": request_id,
        "user_request": plan.instruction,
        "subtasks": [s.to_dict() for s in plan.subtasks],
        "edges": [list(e) for e in plan.edges],
        "task_nodes": [{"task": s.task_type} for s in plan.subtasks],
        "task_links": [{"source": names[a], "target": names[b]} for a, b in plan.edges],
    }
