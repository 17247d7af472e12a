"""The ``orchestai`` command: one module per subcommand, each with ``register`` and ``run``."""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Sequence

from orchestai_agents.errors import OrchestAIError

__all__ = ["COMMANDS", "INTERNAL_ERROR", "build_parser", "main"]

# Subcommand modules under orchestai_agents.cli; each defines register(subparsers).
COMMANDS: tuple[str, ...] = (
    "run",
    "workers",
    "plan",
    "train",
    "evaluate",
    "route",
    "learn",
    "publish",
)


# The exit status of a failure that is a bug rather than bad input (sysexits' EX_SOFTWARE): not
# 1, which `run` and `learn` give a meaning of their own (the workflow failed; nothing to learn).
INTERNAL_ERROR = 70


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="orchestai",
        description="Plan and run multi-model workflows with a learned planner, offline.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"orchestai_agents.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except OrchestAIError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: finished outputs are kept in the output folder", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: the traceback for the report, then one line to read
        traceback.print_exc()
        print(
            f"internal error in orchestai {args.command}: {type(exc).__name__}: {exc} "
            "(a bug, not bad input; please report it with the traceback above)",
            file=sys.stderr,
        )
        return INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
