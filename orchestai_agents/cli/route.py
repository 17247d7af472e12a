"""``orchestai route``: train a cost-aware selector on recorded outcomes and compare routers."""

from __future__ import annotations

import argparse
from pathlib import Path

from orchestai_agents.cli._args import (
    non_negative_float,
    non_negative_int,
    output_file,
    output_folder,
    positive_int,
)


def register(subparsers: argparse._SubParsersAction) -> None:
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


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The evaluation's options (shared with ``python -m orchestai_agents.training.routing_eval``).

    Defined here, without importing the training stack, so ``orchestai --help`` stays instant.
    """
    parser.add_argument(
        "--data", type=Path, required=True, help="RouterBench-style folder or one outcome table"
    )
    parser.add_argument(
        "--out",
        type=output_folder,
        default=Path("runs/routing"),
        help="folder for plot, metrics, selectors",
    )
    parser.add_argument("--json", action="store_true", help="print the metrics per router as JSON")
    parser.add_argument(
        "--choices-out", type=output_file, help="CSV of router, sample_id, eval_name, chosen model"
    )
    parser.add_argument(
        "--id-column",
        help="column of your table that --choices-out writes as sample_id (default: the row's "
        "1-based number in its file, header not counted)",
    )
    parser.add_argument(
        "--task-column",
        help="column of your table that names each prompt's task (for example eval_name), used "
        "by the per-task routers and written by --choices-out (default: one task)",
    )
    parser.add_argument(
        "--checkpoint",
        type=output_folder,
        help="planner checkpoint folder to write the tuned selector into; a router already "
        "there that routes the same models is kept if it scores a higher AIQ on the test rows",
    )
    parser.add_argument(
        "--replace-router",
        action="store_true",
        help="with --checkpoint: install the new router even if the one there scores higher",
    )
    parser.add_argument("--timesteps", type=positive_int, help="PPO steps (default: PPOConfig's)")
    parser.add_argument(
        "--epochs", type=positive_int, help="phase-1 epochs (default: PretrainConfig's)"
    )
    parser.add_argument(
        "--success-folds",
        type=_folds,
        help="folds of the success estimate phase 1 learns from; 0: the recorded outcomes "
        "(default: PretrainConfig's)",
    )
    parser.add_argument(
        "--target-temperature",
        type=non_negative_float,
        help="softness of phase 1's targets in reward units (default: PretrainConfig's)",
    )
    parser.add_argument(
        "--n-envs", type=positive_int, help="parallel PPO envs (default: PPOConfig's)"
    )
    parser.add_argument("--device", default="auto", help="torch device for PPO: auto, cpu, cuda")
    parser.add_argument("--reference-model", help="model whose accuracy and cost set the goal")
    parser.add_argument(
        "--threads",
        type=positive_int,
        default=1,
        help="torch CPU threads; 1 is fastest for this small network",
    )
    parser.add_argument("--seed", type=non_negative_int, default=0)
    parser.add_argument(
        "--seeds",
        type=positive_int,
        default=1,
        help="repeat for this many seeds from --seed (each under OUT/seed-S) and print the "
        "learned routers' spread; --json then prints the spread, --choices-out and "
        "--checkpoint take the first seed",
    )
    return parser


def _folds(text: str) -> int:
    try:
        folds = int(text)
    except ValueError:
        folds = -1
    if folds < 0 or folds == 1:
        raise argparse.ArgumentTypeError(
            f"{text}: use 0 (learn from the recorded outcomes) or 2 or more folds"
        )
    return folds
