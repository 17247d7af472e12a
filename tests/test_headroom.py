"""``benchmarks/headroom.py``: label agreement of near-paraphrase requests, the per-task
routing bound and the agreement cascade, on small inputs whose answers are known."""

from __future__ import annotations

import numpy as np
import pytest
from orchestai_agents.training.routing.outcomes import OutcomeTable

from benchmarks.headroom import agreement_cascade, label_agreement, per_task_oracle


def test_per_task_oracle_picks_the_best_model_per_task_then_the_cheapest() -> None:
    # Task a: m1 is right on both rows, m0 on one; task b: m0 is right on both. m1 costs 10x.
    score = np.array([[1.0, 1.0], [0.0, 1.0], [1.0, 0.0], [1.0, 0.0]])
    cost = np.array([[0.1, 1.0]] * 4)
    ids = ("r0", "r1", "r2", "r3")
    table = OutcomeTable(ids, ids, ("a", "a", "b", "b"), ("m0", "m1"), score, cost, 0 * cost)

    points = per_task_oracle(table, n_weights=50)

    assert (points[0].accuracy, points[0].usd) == (1.0, pytest.approx(2.2))  # m1 on a, m0 on b
    assert (points[-1].accuracy, points[-1].usd) == (0.75, pytest.approx(0.4))  # m0 everywhere


def test_agreement_cascade_escalates_only_when_the_cheap_answers_disagree() -> None:
    # m0 is the reference: right everywhere, 1.0 USD. m1 and m2 cost 0.1 and agree (and are
    # right) on rows 0-1; on row 2 they answer differently, on row 3 with no bare choice at all
    # (which agrees with nothing), and both are wrong there.
    score = np.array([[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    cost = np.array([[1.0, 0.1, 0.1]] * 4)
    ids = ("r0", "r1", "r2", "r3")
    table = OutcomeTable(ids, ids, ("a",) * 4, ("m0", "m1", "m2"), score, cost, 0 * cost)
    answers = np.array([["A", "A", "A"], ["B", "B", "B"], ["C", "A", "B"], ["D", "", ""]])

    cheap, dear = agreement_cascade(table, table, answers, answers, 0, np.array([1e-3, 1e3]))

    # Both cheap models on every row, the reference on the two rows where they disagree.
    assert (cheap.accuracy, cheap.usd) == (1.0, pytest.approx(4 * 0.2 + 2 * 1.0))
    # At a high cost weight: one cheap model, never escalating.
    assert (dear.accuracy, dear.usd) == (0.5, pytest.approx(0.4))


@pytest.mark.slow
def test_label_agreement_counts_paraphrases_annotated_with_other_tools() -> None:
    requests = [
        "Book a train ticket from Beijing to Shanghai for tomorrow morning.",
        "Book a train ticket from Beijing to Shanghai for tomorrow morning, please.",
        "Please book me a train ticket from Beijing to Shanghai for tomorrow morning.",
        "Delete the file report.docx from my desktop.",
    ]
    tools = [
        frozenset({"search_train", "book"}),
        frozenset({"train_ticket_query", "book"}),
        frozenset({"search_train", "book"}),
        frozenset({"file_delete"}),
    ]

    rows, swaps = label_agreement(requests, tools, (0.9,), cache_dir=None)

    assert rows == [(0.9, 3, pytest.approx(1 / 3))]  # the three bookings pair up; one pair agrees
    assert swaps == {("search_train", "train_ticket_query"): 2}
