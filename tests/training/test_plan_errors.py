"""Predictions sorted into kinds of error, on plans small enough to sort by hand."""

from __future__ import annotations

import pytest
from orchestai_agents.training.plan_errors import PlanErrors, plan_errors
from orchestai_agents.training.workflows import AnnotatedWorkflow, WorkflowNode

CHAIN = AnnotatedWorkflow(
    "x", "book and pay", tuple(WorkflowNode(n) for n in ("search", "book", "pay")), ((0, 1), (1, 2))
)


@pytest.mark.parametrize(
    ("prediction", "kind"),
    [
        ((["search", "book", "pay"], [("search", "book"), ("book", "pay")]), "exact"),
        ((["book", "search", "pay"], [("book", "search"), ("search", "pay")]), "links"),
        ((["search", "book"], [("search", "book")]), "missing"),
        (([], []), "missing"),
        (None, "missing"),  # no plan at all left every gold tool out
        ((["search", "book", "pay", "email"], []), "extra"),
        ((["search", "reserve", "pay"], []), "wrong"),
        ((["login", "email"], []), "wrong"),
    ],
)
def test_each_prediction_gets_one_kind(prediction, kind) -> None:
    errors = PlanErrors()

    assert errors.add(prediction, CHAIN) == kind
    assert sum(errors.kinds.values()) == 1


def test_the_tools_behind_the_errors_are_counted() -> None:
    predictions = [
        (["search", "book"], []),  # leaves out pay
        (["search", "reserve", "pay"], []),  # book -> reserve
        (["search", "book", "pay", "email"], []),  # adds email
        (["login", "email"], []),  # leaves out all three, adds two: no single swap
    ]

    errors = plan_errors(predictions, [CHAIN] * 4)

    assert errors.kinds == {"missing": 1, "wrong": 2, "extra": 1}
    assert errors.missing == {"pay": 2, "book": 2, "search": 1}
    assert errors.extra == {"email": 2, "reserve": 1, "login": 1}
    assert errors.swaps == {("book", "reserve"): 1}
    assert errors.summary(top=1) == (
        "4 requests: exact 0.0%, links 0.0%, missing 25.0%, extra 25.0%, wrong 50.0%; "
        "left out: pay 2; added: email 2; swapped: book -> reserve 1"
    )
    assert errors.to_dict()["kinds"] == {
        "exact": 0, "links": 0, "missing": 1, "extra": 1, "wrong": 2
    }  # fmt: skip


def test_tools_tied_on_count_are_listed_in_the_same_order_on_every_run() -> None:
    tools = ("kiwi", "apple", "mango", "fig", "pear", "lime", "plum", "date")
    gold = AnnotatedWorkflow("y", "eight steps", tuple(WorkflowNode(t) for t in tools), ())

    errors = plan_errors([(["kale"], []), ([*tools, "kale", "bean"], [])], [gold, gold])

    assert list(errors.to_dict()["missing"]) == sorted(tools)  # not the set's hash order
    assert list(errors.to_dict()["extra"]) == ["kale", "bean"]  # by count, then first seen
    assert errors.summary(top=2).endswith("left out: apple 1, date 1; added: kale 2, bean 1")


def test_predictions_and_gold_must_pair_up() -> None:
    with pytest.raises(ValueError, match="got 1 predictions for 2 gold workflows"):
        plan_errors([None], [CHAIN, CHAIN])
