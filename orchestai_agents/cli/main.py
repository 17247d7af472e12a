"""The ``orchestai`` command: one module per subcommand, each with ``register`` and ``run``."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from orchestai_agents.errors import OrchestAIError

__all__ = ["COMMANDS", "build_parser", "main"]

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


if __name__ == "__main__":
    sys.exit(main())
