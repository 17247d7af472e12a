"""The call-time cost knob on RouterBench, through the agent's own routing path.

A planner checkpoint's router (written by ``routing_eval --checkpoint``) routes every complete
test row as a one-node plan with :func:`route_plan`, as ``create_orchestai_agent`` does for a
call with ``cost_preference``: the planner's int8 encoder embeds the request, the registry's
prices (mean USD per call on the train rows) price the workers. Accuracy and USD come from the
recorded outcomes; nothing is retrained between the rows of the table.

    python -m orchestai_agents.training.routing_eval --data ../shared/datasets/routing/routerbench_zs \\
        --out runs/routing --checkpoint runs/routed-planner
    python -m benchmarks.routing_knob --planner runs/routed-planner
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
from orchestai_agents.training.routing.outcomes import (
    OutcomeTable,
    load_routerbench,
    model_registry,
    query_text,
)

from orchestai_agents import Plan, SubTask, WorkerRegistry
from orchestai_agents.errors import CheckpointError
from orchestai_agents.planner import Planner, RoutingPreference, route_plan

PREFERENCES = (0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 1.0)


def choices(
    planner: Planner, workers: WorkerRegistry, test: OutcomeTable, pref: float
) -> list[int]:
    """The model index route_plan picks for every test row at ``pref``."""
    picked = []
    for prompt in test.prompts:
        text = query_text(prompt)
        plan = Plan(text, (SubTask("answer", text, "answer_question", test.models[0]),))
        routed = route_plan(plan, workers, RoutingPreference(pref), planner.router)
        picked.append(test.models.index(routed.subtasks[0].worker))
    return picked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--planner", type=Path, default=Path("runs/routed-planner"))
    parser.add_argument(
        "--data", type=Path, default=Path("../shared/datasets/routing/routerbench_zs")
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    planner = Planner.from_pretrained(args.planner)
    if planner.router is None:
        raise CheckpointError(
            f"{args.planner} has no router; write one with "
            "python -m orchestai_agents.training.routing_eval ... --checkpoint DIR"
        )
    train, test = load_routerbench(args.data, "train"), load_routerbench(args.data, "test")
    workers = model_registry(train)  # priced at the train rows' mean USD per call
    rows = np.arange(len(test))
    print(f"RouterBench test rows: {len(test)}; router of {args.planner}, routed per call")
    print(f"{'cost_preference':>15} {'accuracy':>9} {'USD':>7} {'ms/route':>9}")
    for pref in PREFERENCES:
        start = time.perf_counter()
        picked = np.asarray(choices(planner, workers, test, pref))
        ms = (time.perf_counter() - start) * 1000 / len(test)
        accuracy = float(test.score[rows, picked].mean())
        print(
            f"{pref:>15.1f} {100 * accuracy:>8.1f}% {test.cost[rows, picked].sum():>7.2f} {ms:>9.1f}"
        )


if __name__ == "__main__":
    main()
