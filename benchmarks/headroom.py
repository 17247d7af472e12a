"""What the data allows: how consistently a planning data set is annotated, the best routing that
knows each prompt's task and nothing more, and what a router gains by first hearing cheap models'
answers.

Two tables that put the quality goals in context; nothing here trains a network.

- Planning: pairs of training requests that are near-paraphrases (cosine similarity of the
  1-NN baseline's MiniLM embeddings at or above a threshold) and the share of them whose gold
  plans use the same set of tools. Where two near-identical requests are annotated with different
  tools, any planner gets one of them wrong; the most frequent disagreements are printed.
- Routing: one model per task (RouterBench's ``eval_name``) chosen with the *test rows' own
  outcomes*, swept over the cost weight. It is an upper bound for any router that knows a prompt's
  task and nothing else about it, so its accuracy at the cost goal shows how much a router must
  learn from the prompt itself to reach the reference model's accuracy for 20% of its price.
- Routing, agreement cascade: per task, call a few cheaper models first (RouterBench records
  their responses) and escalate to the reference model when their answers disagree in a way that,
  on the *train* rows, the reference model more often gets right; take the majority answer
  otherwise. This is a real router (chosen on the train rows, scored on the test rows) that sees
  what no prompt-only router can: whether cheap models agree on this very prompt, FrugalGPT's
  signal. Only bare multiple-choice answers (``A``, ``B)``) can agree; code never does.

    python -m benchmarks.headroom
"""

from __future__ import annotations

import argparse
import itertools
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
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
CASCADE_SIZE = 3  # cheap models called before deciding whether to escalate
_WRAPPING = "[]'\" "  # RouterBench stores each response as a printed list: "['B\\n']"
_CHOICE = re.compile(r"([A-E])[).:]?")


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


def choice_answers(folder: Path, split: str, table: OutcomeTable) -> np.ndarray:
    """(rows, models) each model's bare multiple-choice letter on ``table``'s rows, ``""`` where
    its response is anything else (an explanation, code)."""
    frame = pd.concat(pd.read_csv(f) for f in sorted(folder.glob(f"*_{split}.csv")))
    complete = frame.dropna(subset=list(table.models)).drop_duplicates("sample_id")
    responses = complete.set_index("sample_id").loc[list(table.ids)]
    answers = np.full((len(table), len(table.models)), "", dtype=object)
    for j, model in enumerate(table.models):
        for i, text in enumerate(responses[f"{model}|model_response"].fillna("")):
            core = re.sub(r"\\[nrt]", "", str(text)).strip(_WRAPPING)
            if match := _CHOICE.fullmatch(core):
                answers[i, j] = match.group(1)
    return answers


def _cascade_outcomes(
    table: OutcomeTable, answers: np.ndarray, rows: np.ndarray, called: Sequence[int]
) -> tuple[list[tuple[str, ...]], np.ndarray, np.ndarray]:
    """Per row: the agreement pattern of the ``called`` models' answers, whether the answer the
    cascade takes without escalating is right, and the USD of the calls.

    The answer taken is the most common one; ties and the model credited with it go to the
    first of ``called`` that gave it (they are ordered strongest first). An empty answer agrees
    with nothing.
    """
    patterns, right = [], np.zeros(len(rows), dtype=bool)
    for n, r in enumerate(rows):
        given = [answers[r, m] or f"#{i}" for i, m in enumerate(called)]  # "" never agrees
        first = {a: i for i, a in reversed(list(enumerate(given)))}
        patterns.append(tuple(first[a] for a in given))
        counts = Counter(given)
        taken = max(given, key=lambda a: (counts[a], -first[a]))
        right[n] = table.success[r, called[first[taken]]]
    return patterns, right, table.cost[np.ix_(rows, list(called))].sum(1)


def agreement_cascade(
    train: OutcomeTable,
    test: OutcomeTable,
    train_answers: np.ndarray,
    test_answers: np.ndarray,
    reference: int,
    weights: np.ndarray,
) -> list[RoutePoint]:
    """Test points of the best cascade per task at each cost weight, chosen on the train rows.

    A cascade calls up to ``CASCADE_SIZE`` models other than ``reference`` and escalates the
    agreement patterns whose train rows gain more accuracy from the reference model than
    ``weight`` times its USD; calling the reference model alone is an option too. Per weight and
    task, the cascade with the best train accuracy minus weight times USD is kept.
    """
    others = [m for m in range(len(train.models)) if m != reference]
    right = np.zeros(len(weights))
    usd = np.zeros(len(weights))
    train_tasks, test_tasks = np.array(train.tasks), np.array(test.tasks)
    for task in sorted(set(test.tasks)):
        tr, te = np.flatnonzero(train_tasks == task), np.flatnonzero(test_tasks == task)
        if not len(tr):  # no train rows to choose on: the reference model alone
            right += test.success[te, reference].sum()
            usd += test.cost[te, reference].sum()
            continue
        strongest = sorted(others, key=lambda m: -train.success[tr, m].mean())
        # (train objective, test right, test USD) per weight, starting from the reference alone
        best = (
            train.success[tr, reference].mean() - weights * train.cost[tr, reference].mean(),
            np.full(len(weights), test.success[te, reference].sum(), dtype=float),
            np.full(len(weights), test.cost[te, reference].sum()),
        )
        for size in range(1, CASCADE_SIZE + 1):
            for called in itertools.combinations(strongest, size):
                objective, test_right, test_usd = _cascade_points(
                    train, test, train_answers, test_answers, tr, te, called, reference, weights
                )
                better = objective > best[0]
                best = tuple(
                    np.where(better, new, old)
                    for new, old in zip((objective, test_right, test_usd), best, strict=True)
                )
        right += best[1]
        usd += best[2]
    return [
        RoutePoint(float(r / len(test)), float(u), float(w))
        for r, u, w in zip(right, usd, weights, strict=True)
    ]


def _cascade_points(
    train: OutcomeTable,
    test: OutcomeTable,
    train_answers: np.ndarray,
    test_answers: np.ndarray,
    tr: np.ndarray,
    te: np.ndarray,
    called: Sequence[int],
    reference: int,
    weights: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One cascade at every weight: (train accuracy - weight * USD per row, test rights, test USD)."""
    train_patterns, train_right, train_usd = _cascade_outcomes(train, train_answers, tr, called)
    test_patterns, test_right, test_usd = _cascade_outcomes(test, test_answers, te, called)
    index = {p: i for i, p in enumerate(dict.fromkeys(train_patterns))}
    seen = np.array([index.get(p, -1) for p in test_patterns])
    of_train = np.array([index[p] for p in train_patterns])
    gain = np.bincount(
        of_train, train.success[tr, reference].astype(float) - train_right, len(index)
    )
    extra = np.bincount(of_train, train.cost[tr, reference], len(index))
    escalate = gain[None, :] - weights[:, None] * extra[None, :] > 0  # (weights, patterns)
    objective = (
        train_right.sum() + escalate @ gain - weights * (train_usd.sum() + escalate @ extra)
    ) / len(tr)
    # A pattern the train rows never showed is not escalated.
    up = np.zeros((len(weights), len(te)), dtype=bool)
    up[:, seen >= 0] = escalate[:, seen[seen >= 0]]
    ref_right, ref_usd = test.success[te, reference], test.cost[te, reference]
    test_rights = np.where(up, ref_right[None, :], test_right[None, :]).sum(1)
    return objective, test_rights.astype(float), test_usd.sum() + up @ ref_usd


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
    print(f"{'router':<44} {'at goal':>8} {'USD to 95%':>11} {'USD to 100%':>12}")
    to_95, to_100 = cost_to_reach(points, 0.95 * accuracy), cost_to_reach(points, accuracy)
    print(
        f"{'best model per task, chosen on the test rows':<44} "
        f"{100 * float(np.interp(goal, costs, accuracies)):>7.1f}% "
        f"{'-' if to_95 is None else f'${to_95:.2f}':>11} "
        f"{'-' if to_100 is None else f'${to_100:.2f}':>12}"
    )
    cascade = agreement_cascade(
        train_rows,
        test,
        choice_answers(args.routing, "train", train_rows),
        choice_answers(args.routing, "test", test),
        reference,
        np.array([0.0, *np.geomspace(1e-2, 1e4, 200)]),
    )
    costs, accuracies = frontier(cascade)
    to_95, to_100 = cost_to_reach(cascade, 0.95 * accuracy), cost_to_reach(cascade, accuracy)
    print(
        f"{'agreement cascade, chosen on the train rows':<44} "
        f"{100 * float(np.interp(goal, costs, accuracies)):>7.1f}% "
        f"{'-' if to_95 is None else f'${to_95:.2f}':>11} "
        f"{'-' if to_100 is None else f'${to_100:.2f}':>12}"
    )
    print(
        "(at goal: the frontier, mixing two settings; USD to 95% / 100% of the reference accuracy)"
    )


if __name__ == "__main__":
    main()
