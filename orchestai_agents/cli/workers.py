"""``orchestai workers``: list the built-in worker registry."""

from __future__ import annotations

import argparse

from orchestai_agents.cli._display import print_json, table


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("workers", help="list the registered workers and what they do")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from orchestai_agents.adapters import default_registry

    workers = [spec.describe() for spec in default_registry().values()]
    if args.json:
        print_json(workers)
        return 0
    rows = [
        (
            w["name"],
            ", ".join(w["task_types"]),
            w["usd_per_input_token"] * 1e6,
            w["usd_per_output_token"] * 1e6,
            w["usd_per_call"],
            w["description"],
        )
        for w in workers
    ]
    table(
        "Workers", ["name", "task types", "USD/M in", "USD/M out", "USD/call", "description"], rows
    )
    return 0
