"""``orchestai run``: plan (or load a plan), run it on the user's files, write outputs and a trace."""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from orchestai_agents._internal._files import new_run_folder
from orchestai_agents._internal._secrets import redact, redact_record
from orchestai_agents.cli._args import (
    add_input_files,
    non_negative_float,
    output_file,
    output_folder,
    unit_interval,
)
from orchestai_agents.cli._display import console, print_json, progress, table
from orchestai_agents.errors import ConfigError, InputFileError, PlanValidationError

if TYPE_CHECKING:
    from orchestai_agents.compiler import ExecutionSettings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run a plan (or plan an instruction) on input files",
        description="Run a workflow offline. Give a plan file, or an instruction for the learned planner.",
    )
    parser.add_argument(
        "instruction", nargs="?", help="what to do, e.g. 'Generate a presentation from this paper'"
    )
    parser.add_argument("--plan", type=Path, help="a plan JSON file to run as it is")
    parser.add_argument(
        "--planner", help="planner checkpoint folder or Hub repo id (default: the shipped one)"
    )
    add_input_files(parser, "input files (repeatable)")
    parser.add_argument(
        "--out", "-o", type=output_folder, required=True, help="folder for outputs and trace.json"
    )
    parser.add_argument(
        "--log", type=output_file, help="execution log (JSON lines); default OUT/executions.jsonl"
    )
    parser.add_argument(
        "--json", action="store_true", help="print the run result as JSON on stdout"
    )
    parser.add_argument(
        "--cost-preference",
        type=unit_interval,
        help="0 routes each sub-task for quality (default), 1 for the lowest price",
    )
    parser.add_argument(
        "--max-usd",
        type=non_negative_float,
        help="USD budget of the run: routing and execution keep to it",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from orchestai_agents.compiler import ExecutionSettings

    inputs = _check_inputs(args.input)
    _refuse_inputs_written_over(inputs, args.out)
    stop = threading.Event()
    agent = _agent(args, inputs, ExecutionSettings(stop=stop))
    args.out.mkdir(parents=True, exist_ok=True)  # once the plan and the inputs are known good
    kept = _keep_earlier_run(args.out, inputs)
    if kept is not None:
        console.print(f"what an earlier run left in {args.out} moved to {kept}")
    request: dict[str, Any] = {
        "inputs": [str(p) for p in inputs],
        "output_dir": str(args.out.resolve()),
    }
    if args.instruction:
        request["instruction"] = args.instruction
    if args.cost_preference is not None:
        request["cost_preference"] = args.cost_preference
    if args.max_usd is not None:
        request["budget"] = {"max_usd": args.max_usd}
    state = _stream(agent, request, stop)
    result = state["result"]
    trace = _write_trace(args.out, state)
    if args.json:
        print_json(redact_record(result))
    else:
        _summary(result, trace)
    if stop.is_set():
        return 130
    return 0 if result["success"] else 1


def _agent(args: argparse.Namespace, inputs: list[Path], settings: ExecutionSettings):
    from orchestai_agents.adapters import default_registry
    from orchestai_agents.agent import create_orchestai_agent
    from orchestai_agents.plan import Plan

    log = args.log or args.out / "executions.jsonl"
    registry = default_registry(allowed_dirs=allowed_paths(inputs, args.out))
    if args.plan is not None:
        if args.planner is not None:
            raise ConfigError(
                "--plan runs a plan as it is and --planner plans an instruction; give one of them"
            )
        return create_orchestai_agent(
            registry, plan=Plan.load(args.plan), execution_log=log, settings=settings
        )
    if not args.instruction:
        raise PlanValidationError(
            "give an instruction to plan, or --plan FILE to run a plan as it is"
        )
    return create_orchestai_agent(
        registry, planner=_planner(args.planner), execution_log=log, settings=settings
    )


def allowed_paths(inputs: list[Path], out: Path) -> list[str]:
    """What the file tools may touch: the input files themselves (not their folders) and the
    output folder, all that the user gave."""
    return sorted({str(p.resolve()) for p in inputs} | {str(out.resolve())})


def _planner(name: str | None):
    from orchestai_agents.planner import Planner, load_default_planner

    return load_default_planner() if name is None else Planner.from_pretrained(name)


def _check_inputs(paths: list[Path]) -> list[Path]:
    for path in paths:
        if not path.exists():
            raise InputFileError(f"input file {path} does not exist; check the path")
        if not path.is_file():
            raise InputFileError(f"input {path} is not a file; pass files, not folders")
        if not os.access(path, os.R_OK):
            raise InputFileError(f"input file {path} is not readable; check its permissions")
    return [p.resolve() for p in paths]


def _stream(agent, request: dict[str, Any], stop: threading.Event) -> dict[str, Any]:
    """Run with live progress lines; return the final state.

    The run goes on a thread. Ctrl-C sets ``stop`` (the agent's ``ExecutionSettings.stop``): no
    new worker call starts, the running ones finish, and the run ends with a result like any
    other, so its outputs, trace and log record are written. A second Ctrl-C quits at once.
    """
    outcome: dict[str, Any] = {}
    done = threading.Event()  # not Thread.join: a join cut short by Ctrl-C can wrongly return

    def consume() -> None:
        try:
            outcome["state"] = _final_state(agent, request)
        except BaseException as exc:  # re-raised on the main thread
            outcome["error"] = exc
        finally:
            done.set()

    threading.Thread(target=consume, name="orchestai-run", daemon=True).start()
    with _ctrl_c_stops(stop):
        while not done.wait(0.1):
            pass
    if "error" in outcome:
        raise outcome["error"]
    return outcome["state"]


@contextmanager
def _ctrl_c_stops(stop: threading.Event) -> Iterator[None]:
    """Within it, the first Ctrl-C sets ``stop`` and a second raises KeyboardInterrupt.

    A SIGINT handler rather than ``except KeyboardInterrupt``: Python raises that exception in
    whatever the main thread is running, and when that is a finalizer (a ``__del__`` that the
    garbage collector called), it prints the exception and drops it, and the Ctrl-C is lost. The
    handler has set ``stop`` before anything can drop it. Only the main thread gets Ctrl-C, and
    only it can set a handler; elsewhere nothing changes.
    """

    def handle(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt  # the second Ctrl-C: quit at once
        stop.set()
        console.print(
            "interrupted: no new worker calls; waiting for the running ones (Ctrl-C again to quit)"
        )

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, handle)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _final_state(agent, request: dict[str, Any]) -> dict[str, Any]:
    """The final state, from ``values`` chunks: ``updates`` chunks are keyed by node name, and
    a sub-task may be called ``plan`` or ``respond`` like the agent's own nodes."""
    state: dict[str, Any] = {}
    for mode, chunk in agent.stream(request, stream_mode=["custom", "values"]):
        if mode == "custom":
            progress(chunk)
            continue
        if chunk.get("plan") and not state.get("plan"):
            console.print(f"planned {len(chunk['plan']['subtasks'])} sub-tasks")
        state = chunk
    return state


# The files every run writes into --out under these names (workers' outputs get new names).
_RUN_FILES = ("trace.json", "answer.md", "plan.png")


def _refuse_inputs_written_over(inputs: list[Path], out: Path) -> None:
    """An input that is one of the files a run writes into ``out`` would be replaced by it."""
    written = {(out / name).resolve() for name in _RUN_FILES}
    clash = [str(p) for p in inputs if p in written]
    if clash:
        raise InputFileError(
            f"input {', '.join(clash)} is where this run writes its own "
            f"{', '.join(_RUN_FILES)}; copy it out of {out} first, or pass another --out"
        )


def _keep_earlier_run(out: Path, inputs: list[Path]) -> Path | None:
    """Move what is already in ``out`` under a run's own names (trace, answer, picture), and the
    outputs its trace lists but not this run's inputs, into ``out/run-<time>/``, the trace's
    paths rewritten to the new places, so this run overwrites none of them. Returns that
    folder, if there was anything to move."""
    from orchestai_agents.accounting import RunResult

    found = [out / name for name in _RUN_FILES if (out / name).is_file()]
    if not found:
        return None
    trace = out / "trace.json"
    text = trace.read_text(encoding="utf-8") if trace.is_file() else ""
    try:
        outputs = [Path(p) for p in RunResult.from_dict(json.loads(text)).artifacts]
    except (ValueError, KeyError, TypeError):
        outputs = []  # no trace, or not one this command wrote: moved as it is
    kept = new_run_folder(out, max(p.stat().st_mtime for p in found))
    root = out.resolve()
    for path in {*found, *outputs}:
        path = path.resolve()
        if path.is_file() and path.is_relative_to(root) and path not in inputs:
            target = kept / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
            text = text.replace(json.dumps(str(path))[1:-1], json.dumps(str(target))[1:-1])
    if text:
        (kept / "trace.json").write_text(text, encoding="utf-8")
    return kept


def _write_trace(out: Path, state: dict[str, Any]) -> Path:
    """Write trace.json, answer.md and plan.png into ``out``."""
    trace = out / "trace.json"
    answer = (
        state["messages"][-1].content if state.get("messages") else state["result"]["final_output"]
    )
    (out / "answer.md").write_text(redact(str(answer)) + "\n", encoding="utf-8", errors="replace")
    trace.write_text(
        json.dumps(redact_record(state["result"]), indent=2, ensure_ascii=True) + "\n",
        encoding="utf-8",
    )
    _draw(out, state["result"])
    return trace


def _draw(out: Path, result: dict[str, Any]) -> None:
    """plan.png beside the trace: the DAG with each node's worker, seconds, USD and status."""
    from orchestai_agents.visualize import draw_plan

    draw_plan(result["plan"], result, path=out / "plan.png")


def _summary(result: dict[str, Any], trace: Path) -> None:
    from orchestai_agents.accounting import RunResult

    rows: list[tuple[str, str, float, float, str]] = RunResult.from_dict(result).table()
    rows.append(
        (
            "total",
            "",
            result["latency_s"],
            result["total_usd"],
            "ok" if result["success"] else "failed",
        )
    )
    cells = [
        (node, worker, f"{s:.2f}", f"{usd:.6f}", status) for node, worker, s, usd, status in rows
    ]
    table("Run", ["node", "worker", "seconds", "USD", "status"], cells)
    for output in result["outputs"].values():
        for path in output.get("artifacts", []):
            console.print(f"wrote {path}")
    console.print(f"trace: {trace}  picture: {trace.parent / 'plan.png'}")
