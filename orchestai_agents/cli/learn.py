"""``orchestai learn``: update the selector from the execution log (phase 3)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from orchestai_agents.cli._args import positive_int


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "learn",
        help="update the selector from the execution log every N executions",
        description="Keeps the previous selector in CHECKPOINT/previous and refuses updates that "
        "validate worse. Exit status 0: updated, refused as no better, or not due yet; 1: due "
        "(or --force) but the log has too little to learn or validate on; 2: a bad log or "
        "checkpoint; 70: an internal error (a bug).",
    )
    parser.add_argument("--log", type=Path, required=True, help="execution log (JSON lines)")
    parser.add_argument(
        "--checkpoint", type=Path, required=True, help="folder with selector.safetensors"
    )
    parser.add_argument(
        "--every", type=positive_int, default=100, help="update after this many new executions"
    )
    parser.add_argument(
        "--force", action="store_true", help="update now, however few new executions"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from orchestai_agents.errors import InputFileError
    from orchestai_agents.execution_log import ExecutionLog
    from orchestai_agents.training.phase3 import Phase3Config, continual_update

    if not args.log.is_file():
        problem = "is not a file" if args.log.exists() else "does not exist"
        raise InputFileError(
            f"execution log {args.log} {problem}; pass the JSON-lines log the agent writes"
        )
    report = continual_update(
        ExecutionLog(args.log), args.checkpoint, Phase3Config(every=args.every), force=args.force
    )
    print(json.dumps(report.__dict__, indent=2))
    if report.due and report.validation_after is None:
        # Due (or forced) but nothing to learn from: a scheduled job must see that it failed.
        print(f"orchestai learn: no update: {report.reason}", file=sys.stderr)
        return 1
    return 0
