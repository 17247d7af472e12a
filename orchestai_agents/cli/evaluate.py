"""``orchestai evaluate``: a planner checkpoint on UltraTool, NesTools and ComplexFuncBench."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from orchestai_agents.cli._args import data_sets, output_folder


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="score a planner on the planning benchmarks beside the 1-NN baseline and published anchors",
        description="GNN4TaskPlan protocol (per-request node/link F1, accuracy) and TaskBench micro F1, "
        "by workflow shape (chain vs fan-in/out DAG), on the test split of each data set.",
    )
    parser.add_argument(
        "--planner", default=None, help="checkpoint folder or Hub repo id (default: shipped)"
    )
    parser.add_argument(
        "--data",
        type=data_sets,
        default="ultratool,nestools,complexfuncbench",
        help="comma-separated data sets (ultratool, nestools, complexfuncbench, builtin)",
    )
    parser.add_argument(
        "--tools",
        type=Path,
        default=None,
        help="plan over this TaskBench tool_desc.json instead of each data set's own inventory "
        "(the 1-NN baseline, which copies plans over the data set's own tools, is left out)",
    )
    parser.add_argument(
        "--no-baseline", action="store_true", help="skip the 1-NN retrieval baseline"
    )
    parser.add_argument(
        "--cache-dir",
        type=output_folder,
        default="runs/cache",
        help="embedding cache of the baseline",
    )
    parser.add_argument(
        "--float32",
        action="store_true",
        help="plan in float32 throughout: encode without the int8 copy and decode without "
        "the half precision the planner plans with on CPU (slower; shows what they cost the "
        "checkpoint)",
    )
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from orchestai_agents.planner import (
        DEFAULT_PLANNER_DIR,
        Inventory,
        Planner,
        load_default_planner,
    )
    from orchestai_agents.training.evaluation import format_table, results_to_json
    from orchestai_agents.training.phase1_eval import evaluate_benchmarks, load_benchmarks

    # The user's files are read and checked before the planner loads (seconds), so bad data
    # fails at once.
    inventory = Inventory.from_tool_desc(args.tools) if args.tools else None
    # The 1-NN baseline copies training plans, written over each data set's own tools: beside
    # a planner given other tools it would score a plan no one could make from --tools.
    baseline = not args.no_baseline and inventory is None
    if inventory is not None and not args.no_baseline:
        print(
            "the 1-NN baseline is left out with --tools: it copies training plans written over "
            "each data set's own tools",
            file=sys.stderr,
        )
    benchmarks = load_benchmarks(args.data, baseline=baseline, inventory=inventory)
    if args.float32:  # a planner of its own: the shared default one keeps its int8 encoder
        planner = Planner.from_pretrained(args.planner or DEFAULT_PLANNER_DIR)
        planner.encoder.config = replace(planner.encoder.config, quantize=False)
        planner.config.decomposer.half_precision = False
    else:
        planner = (
            load_default_planner()
            if args.planner is None
            else Planner.from_pretrained(args.planner)
        )
    report = evaluate_benchmarks(
        planner, benchmarks, baseline=baseline, cache_dir=str(args.cache_dir)
    )
    if args.json:
        data = json.loads(results_to_json(report.rows, report.anchors))
        errors = {name: e.to_dict() for name, e in report.errors.items()}
        print(
            json.dumps(
                {**data, "valid_dag_rate": report.valid_dag_rate, "errors": errors}, indent=2
            )
        )
        return 0
    print(format_table(report.rows, report.anchors))
    for name, rate in report.valid_dag_rate.items():
        print(f"valid-DAG rate on {name}: {rate:.1f}%")
    for name, errors in report.errors.items():
        print(f"the planner's plans on {name}, by kind of error: {errors.summary()}")
    return 0
