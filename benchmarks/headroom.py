"""What the data allows: how consistently a planning data set is annotated, and the best routing
that knows each prompt's task and nothing more.

Two tables that put the quality goals in context; nothing here trains.

- Planning: pairs of training requests that are near-paraphrases (cosine similarity of the
  1-NN baseline's MiniLM embeddings at or above a threshold) and the share of them whose gold
  plans use the same set of tools. Where two near-identical requests are annotated with different
  tools, any planner gets one of them wrong; the most frequent disagreements are printed.
- Routing: one model per task (RouterBench's ``eval_name``) chosen with the *test rows' own
  outcomes*, swept over the cost weight. It is an upper bound for any router that knows a prompt's
  task and nothing else about it, so its accuracy at the cost goal shows how much a router must
  learn from the prompt itself to reach the reference model's accuracy for 20% of its price.

    python -m benchmarks.headroom
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from orchestai_agents.training.datasets import load_planning_dataset
from orchestai_agents.training.retrieval import RETRIEVAL_MAX_LENGTH, embed_texts
from orchestai_agents.training.routing.baselines import PerTaskRouter
from orchestai_agents.training.routing.metrics import (
    RoutePoint,
    cost_to_reach,
    frontier,
    score_choices,
)
from orchestai_agents.training.routing.outcomes import OutcomeTable, load_routerbench

from orchestai_agents.encoders import TextEncoder

THRESHOLDS = (0.9, 0.95, 0.97)


def label_agreement(
    requests: Sequence[str],
    tool_sets: Sequence[frozenset[str]],
    thresholds: Sequence[float],
    cache_dir: Path | None,
) -> tuple[list[tuple[float, int, float]], Counter]:
    """(threshold, near-paraphrase pairs, share with the same tool set) per threshold, and the
    tool-set differences of the disagreeing pairs at the highest threshold, counted."""
    encoder = TextEncoder(max_length=RETRIEVAL_MAX_LENGTH)
    emb = embed_texts(encoder, requests, cache_dir=cache_dir).numpy()  # (n, hidden), normalised
    similarity = np.triu(emb @ emb.T, k=1)  # each pair once
    rows = []
    for threshold in thresholds:
        first, second = np.nonzero(similarity >= threshold)
        same = [tool_sets[a] == tool_sets[b] for a, b in zip(first, second, strict=True)]
        rows.append((threshold, len(same), float(np.mean(same)) if same else float("nan")))
    swaps: Counter = Counter()
    for a, b in zip(*np.nonzero(similarity >= max(thresholds)), strict=True):
        if tool_sets[a] != tool_sets[b]:
            one, other = sorted(tool_sets[a] - tool_sets[b]), sorted(tool_sets[b] - tool_sets[a])
            swaps[tuple(sorted([" + ".join(one) or "-", " + ".join(other) or "-"]))] += 1
    return rows, swaps


def per_task_oracle(test: OutcomeTable, n_weights: int = 400) -> list[RoutePoint]:
    """Points of the best model per task at each cost weight, chosen on ``test``'s own outcomes."""
    oracle = PerTaskRouter(test)
    return [
        score_choices(test, oracle.route(test, weight))
        for weight in [0.0, *np.geomspace(1e-4, 1e4, n_weights)]
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--planning", default="ultratool", help="planning data set (name or path)")
    parser.add_argument(
        "--routing", type=Path, default=Path("../shared/datasets/routing/routerbench_zs")
    )
    parser.add_argument("--cache-dir", type=Path, default=Path("runs/cache"))
    args = parser.parse_args()

    train = load_planning_dataset(args.planning, "train")
    rows, swaps = label_agreement(
        [w.request for w in train],
        [frozenset(w.node_names) for w in train],
        THRESHOLDS,
        args.cache_dir,
    )
    print(f"{args.planning}: {len(train)} training requests; near-paraphrase pairs")
    print(f"{'cosine >=':>9} {'pairs':>7} {'same tool set':>14}")
    for threshold, pairs, same in rows:
        print(f"{threshold:>9.2f} {pairs:>7} {100 * same:>13.1f}%")
    print(f"most frequent disagreements at cosine >= {max(THRESHOLDS)} (tools only one side has):")
    for (one, other), count in swaps.most_common(5):
        print(f"  {count:>3} x  {one}  vs  {other}")

    train_rows, test = (
        load_routerbench(args.routing, "train"),
        load_routerbench(args.routing, "test"),
    )
    reference = int(train_rows.success.mean(0).argmax())  # as routing_eval picks it
    always = score_choices(test, np.full(len(test), reference))
    accuracy, usd = always.accuracy, always.usd
    goal = 0.2 * usd
    points = per_task_oracle(test)
    costs, accuracies = frontier(points)
    print(
        f"\nrouting, {len(test)} test rows: {test.models[reference]} {100 * accuracy:.1f}% for "
        f"${usd:.2f}; cost goal ${goal:.2f}"
    )
    print(
        f"{'router (test outcomes known)':<44} {'at goal':>8} {'USD to 95%':>11} {'USD to 100%':>12}"
    )
    to_95, to_100 = cost_to_reach(points, 0.95 * accuracy), cost_to_reach(points, accuracy)
    print(
        f"{'best model per task, chosen on the test rows':<44} "
        f"{100 * float(np.interp(goal, costs, accuracies)):>7.1f}% "
        f"{'-' if to_95 is None else f'${to_95:.2f}':>11} "
        f"{'-' if to_100 is None else f'${to_100:.2f}':>12}"
    )
    print(
        "(at goal: the frontier, mixing two settings; USD to 95% / 100% of the reference accuracy)"
    )


if __name__ == "__main__":
    main()
