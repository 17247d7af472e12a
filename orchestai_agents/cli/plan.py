"""``orchestai plan``: plan one instruction, or a JSON-lines file of requests (GNN4TaskPlan format)."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestai_agents._internal._files import write_replacing
from orchestai_agents.cli._args import add_input_files, output_file, positive_int
from orchestai_agents.errors import ConfigError, DatasetFormatError, InputFileError

if TYPE_CHECKING:
    import torch

    from orchestai_agents.planner import Inventory, Planner
    from orchestai_agents.registry import WorkerRegistry

_REQUESTS = (
    "write one JSON object with 'id' and 'user_request' (and, if the request has files, "
    "'inputs': a list of their names) a line"
)

LARGE_INVENTORY = 500  # task types: embedding their descriptions takes seconds, so say so


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "plan",
        help="plan an instruction (or a file of requests) without running it",
        description="Plan with the learned planner. One instruction prints its plan as JSON on "
        "stdout; --requests FILE.jsonl (lines with 'id' and 'user_request') writes one plan per "
        "line to --out. Given a request's input files (--input, or a line's 'inputs'), it plans "
        "only what the built-in workers can do with them, as orchestai run does.",
    )
    parser.add_argument("instruction", nargs="?", help="what to do")
    parser.add_argument(
        "--planner", default=None, help="checkpoint folder or Hub repo id (default: shipped)"
    )
    add_input_files(
        parser,
        "the instruction's input files (repeatable); only their suffixes are read "
        "(.pdf, .csv, .wav, ...)",
    )
    parser.add_argument(
        "--requests",
        type=Path,
        help="JSON lines with a unique 'id' (string or integer), a 'user_request' string and, "
        "optionally, 'inputs' (a list of file names)",
    )
    parser.add_argument(
        "--out",
        type=output_file,
        help="where the plans of --requests go (JSON lines); replaced only once all are planned",
    )
    parser.add_argument(
        "--tools", type=Path, help="plan over this TaskBench tool_desc.json inventory"
    )
    parser.add_argument("--batch-size", type=positive_int, default=64)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from orchestai_agents.adapters import default_registry
    from orchestai_agents.cli._display import console, print_json
    from orchestai_agents.planner import Inventory, Planner, load_default_planner

    if args.instruction is not None and not args.instruction.strip():
        raise InputFileError("the instruction is blank; say what the plan should do")
    if bool(args.instruction) == bool(args.requests):
        raise InputFileError("give either an instruction or --requests FILE.jsonl (with --out)")
    if args.instruction and args.out is not None:
        raise ConfigError(
            "--out is for --requests; one instruction's plan is printed on stdout "
            "(redirect it: > plan.json)"
        )
    if args.requests and args.out is None:
        raise InputFileError("--requests needs --out PLANS.jsonl")
    if args.requests and args.input:
        raise ConfigError(
            "--input is for one instruction; with --requests give each line its own 'inputs' list"
        )
    _check_out_is_no_input(args.out, requests=args.requests, tools=args.tools)
    # The user's files are read before the planner loads (seconds, for a large one).
    records = _read_requests(args.requests) if args.requests else []
    given = args.input or any(r["inputs"] is not None for r in records)
    if args.tools and given:
        raise ConfigError(
            "input files tell which built-in workers can run, but --tools names tools by their "
            "descriptions alone, which do not say what files a tool reads; leave out --tools, "
            "or the inputs"
        )
    tools = Inventory.from_tool_desc(args.tools) if args.tools else None
    planner = (
        load_default_planner() if args.planner is None else Planner.from_pretrained(args.planner)
    )
    inventory = tools or planner.inventory
    if len(inventory.task_types) >= LARGE_INVENTORY:
        console.print(
            f"embedding the descriptions of {len(inventory.task_types)} task types "
            f"and {len(inventory.workers)} workers before the first plan"
        )
    registry = default_registry() if given else None
    if args.instruction:
        inputs = [str(p) for p in args.input] or None
        print_json(
            planner.plan(args.instruction, registry, inputs=inputs, inventory=inventory).to_dict()
        )
        return 0
    restrictions = [_restrictions(r, registry, inventory) for r in records]
    _write_plans(args.out, records, restrictions, planner, inventory, args.batch_size)
    console.print(f"wrote {len(records)} plans to {args.out}")
    return 0


def _check_out_is_no_input(out: Path | None, **inputs: Path | None) -> None:
    """Refuse an --out that is one of the input files (the plans would replace it), by name,
    through a symlink or hard link, or not created yet."""
    for flag, path in inputs.items():
        if out is not None and path is not None and _same_file(out, path):
            raise ConfigError(
                f"--out {out} is the --{flag} file; the plans would replace it. "
                "Give --out another file, e.g. plans.jsonl"
            )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return a.resolve() == b.resolve()


def _read_requests(path: Path) -> list[dict[str, Any]]:
    """The requests of a GNN4TaskPlan-style JSON-lines file, each id as a string, each with its
    ``inputs`` (``None`` where the line gives none).

    Only a line feed ends a line: a request may hold U+2028 and the other line breaks that
    ``str.splitlines`` splits on but JSON strings allow.

    Raises:
        DatasetFormatError: naming the line whose JSON, id or request is wrong, or that repeats
            an id (and the line that had it first).
    """
    from orchestai_agents.training.datasets._json_files import check_unique_ids, iter_json_lines

    numbered = [
        (number, _request(record, path, number))
        for number, record in iter_json_lines(path, _REQUESTS)
    ]
    check_unique_ids(
        ((number, request_id) for number, (request_id, *_) in numbered),
        path,
        what="give each request its own id: it is what tells their plans in --out apart",
    )
    if not numbered:
        raise InputFileError(f"{path} holds no requests; {_REQUESTS}")
    return [
        {"id": request_id, "user_request": request, "inputs": inputs}
        for _, (request_id, request, inputs) in numbered
    ]


def _request(record: dict[str, Any], path: Path, line: int) -> tuple[str, str, list[str] | None]:
    """(id, user_request, inputs) of one line: the id a string or an integer (GNN4TaskPlan writes
    strings), the request a non-empty string, the inputs absent or a list of file names."""
    from orchestai_agents.training.datasets._json_files import require

    request_id = require(record, "id", (str, int), path, line)  # refuses a bool too
    request = require(record, "user_request", str, path, line)
    if not request.strip():
        raise DatasetFormatError(
            path, "'user_request' must be a non-empty string; write the request to plan", line=line
        )
    inputs = record.get("inputs")
    if inputs is not None and not (
        isinstance(inputs, list) and all(isinstance(i, str) and i.strip() for i in inputs)
    ):
        raise DatasetFormatError(
            path,
            f"'inputs' must be a list of file names, got {json.dumps(inputs)[:80]}; "
            'write e.g. "inputs": ["paper.pdf"], or leave it out',
            line=line,
        )
    return str(request_id), request, inputs


def _restrictions(
    record: dict[str, Any], registry: WorkerRegistry | None, inventory: Inventory
) -> tuple[torch.Tensor | None, frozenset[str], tuple[tuple[str, ...], ...]]:
    """What ``record``'s inputs let it plan (see ``input_restrictions``); nothing restricted for
    a record without inputs."""
    from orchestai_agents.planner.model import input_restrictions

    if record["inputs"] is None or registry is None:
        return None, frozenset(), ()
    try:
        return input_restrictions(registry, record["inputs"], inventory)
    except ConfigError as exc:
        raise ConfigError(f"request {record['id']}: {exc}") from None


def _write_plans(
    out: Path,
    records: list[dict[str, Any]],
    restrictions: list[tuple[torch.Tensor | None, frozenset[str], tuple[tuple[str, ...], ...]]],
    planner: Planner,
    inventory: Inventory,
    batch: int,
) -> None:
    """Plan the requests ``batch`` at a time and write one line each to ``out``.

    The lines go to a ``.partial`` file beside ``out``, moved onto it once all are written, so a
    run that fails or is interrupted leaves an earlier ``out`` as it was.
    """
    from orchestai_agents.planner.plans import to_plan

    def write(partial: Path) -> None:
        with partial.open("w", encoding="utf-8") as handle:
            for start in range(0, len(records), batch):
                chunk = records[start : start + batch]
                graphs = _predict(planner, chunk, restrictions[start : start + batch], inventory)
                for record, graph in zip(chunk, graphs, strict=True):
                    plan = to_plan(record["user_request"], graph, inventory)
                    handle.write(json.dumps(_line(record, plan), ensure_ascii=False) + "\n")

    out.parent.mkdir(parents=True, exist_ok=True)
    write_replacing(out, write)


def _predict(
    planner: Planner,
    records: list[dict[str, Any]],
    restrictions: list[tuple[torch.Tensor | None, frozenset[str], tuple[tuple[str, ...], ...]]],
    inventory: Inventory,
) -> list[Any]:
    """Each record's graph, planned in one batch per set of ``once`` types and ``first`` groups
    (``predict`` takes one of each for its batch); a record with every type allowed gets an
    all-true row."""
    import torch

    graphs: list[Any] = [None] * len(records)
    groups: dict[tuple[frozenset[str], tuple[tuple[str, ...], ...]], list[int]] = {}
    for i, (_, once, first) in enumerate(restrictions):
        groups.setdefault((once, first), []).append(i)
    everything = torch.ones(1, len(inventory.task_types), dtype=torch.bool)
    for (once, first), members in groups.items():
        rows = [restrictions[i][0] for i in members]
        allowed = (
            None
            if all(r is None for r in rows)
            else torch.cat([everything if r is None else r for r in rows])
        )
        requests = [records[i]["user_request"] for i in members]
        planned = planner.predict(requests, inventory, allowed=allowed, once=once, first=first)
        for i, graph in zip(members, planned, strict=True):
            graphs[i] = graph
    return graphs


def _line(record: dict[str, Any], plan: Any) -> dict[str, Any]:
    """A plan in our form plus GNN4TaskPlan's task_nodes / task_links, so their scripts can score
    it; the request's inputs where it gave them."""
    names = {s.id: s.task_type for s in plan.subtasks}
    return {
        "id": record["id"],
        "user_request": plan.instruction,
        **({"inputs": record["inputs"]} if record["inputs"] is not None else {}),
        "subtasks": [s.to_dict() for s in plan.subtasks],
        "edges": [list(e) for e in plan.edges],
        "task_nodes": [{"task": s.task_type} for s in plan.subtasks],
        "task_links": [{"source": names[a], "target": names[b]} for a, b in plan.edges],
    }
