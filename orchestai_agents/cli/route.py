"""``orchestai route``: train a cost-aware selector on recorded outcomes and compare routers."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    from orchestai_agents.training.routing_eval import add_arguments

    parser = subparsers.add_parser(
        "route",
        help="train the selector on an outcome table (RouterBench or your own) and print the routing table",
        description="Phase 1 + PPO on the train rows, then accuracy, USD, AIQ and a cost-quality plot on the test rows.",
    )
    add_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from orchestai_agents.training.routing_eval import run_from_args

    return run_from_args(args)
