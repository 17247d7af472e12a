"""orchestai route --checkpoint: a router already there that scores higher stays, none is lost,
and an update of orchestai learn cut short is never finished over a router installed since."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from orchestai_agents.training.phase3 import (
    STAGED_DIR,
    STATE_FILE,
    WorkerCard,
    continual_update,
)
from orchestai_agents.training.routing_eval import install_router

from orchestai_agents.planner.selector import (
    Selector,
    SelectorConfig,
    context_width,
    load_selector,
    save_selector,
)

CARDS = [WorkerCard("small", "a small model", 0.001), WorkerCard("big", "a big model", 0.01)]


def _selector(seed: int) -> Selector:
    torch.manual_seed(seed)
    return Selector(SelectorConfig(384, 384, 385, context_width(5), hidden=8))


def _live(folder: Path) -> torch.Tensor:
    return load_selector(folder).score.weight


def _not_scored(current: Selector) -> float:
    pytest.fail("a router that cannot be compared was scored")


def test_a_router_that_scores_higher_stays_unless_replace_router(tmp_path):
    checkpoint = tmp_path / "planner"
    first, second, third = _selector(0), _selector(1), _selector(2)
    assert install_router(checkpoint, first, CARDS, 0.5, _not_scored)["replaced"]

    record = install_router(checkpoint, second, CARDS, 0.5, lambda current: 0.6)
    assert record == {
        "folder": str(checkpoint),
        "aiq": 0.5,
        "installed_aiq": 0.6,
        "replaced": False,
    }
    assert torch.equal(_live(checkpoint), first.score.weight)
    assert not (checkpoint / "previous").exists()

    scored: list[Selector] = []
    record = install_router(
        checkpoint,
        second,
        CARDS,
        0.5,
        lambda current: scored.append(current) or 0.6,
        replace_router=True,
    )
    assert record["replaced"] and record["installed_aiq"] == 0.6
    assert torch.equal(scored[0].score.weight, first.score.weight)  # the installed one was scored
    assert torch.equal(_live(checkpoint), second.score.weight)
    assert torch.equal(_live(checkpoint / "previous"), first.score.weight)

    # A better router replaces it without the flag; the one kept before moves aside, whole.
    assert install_router(checkpoint, third, CARDS, 0.7, lambda current: 0.6)["replaced"]
    assert torch.equal(_live(checkpoint), third.score.weight)
    assert torch.equal(_live(checkpoint / "previous"), second.score.weight)
    (aside,) = checkpoint.glob("previous-*")
    assert torch.equal(_live(aside), first.score.weight)
    assert (aside / "selector_workers.json").is_file()


def test_a_router_of_other_models_or_sizes_is_replaced_without_scoring(tmp_path):
    checkpoint = tmp_path / "planner"
    install_router(checkpoint, _selector(0), CARDS, 0.9, _not_scored)
    others = [WorkerCard("big", "a big model", 0.01), WorkerCard("small", "a small model", 0.001)]
    record = install_router(checkpoint, _selector(1), others, 0.1, _not_scored)
    assert record["replaced"] and record["installed_aiq"] is None
    torch.manual_seed(2)
    wider = Selector(SelectorConfig(384, 384, 385, context_width(6), hidden=8))
    assert install_router(checkpoint, wider, others, 0.1, _not_scored)["replaced"]
    assert torch.equal(_live(checkpoint), wider.score.weight)


def test_an_unfinished_learn_update_is_not_finished_over_a_router_installed_since(tmp_path):
    checkpoint = tmp_path / "planner"
    install_router(checkpoint, _selector(0), CARDS, 0.5, _not_scored)
    # orchestai learn crashed after its commit point: its selector staged, the state marked.
    staged = _selector(1)
    save_selector(staged, checkpoint / STAGED_DIR)
    (checkpoint / STATE_FILE).write_text('{"learned_run_ids": [], "installing": true}')

    routed = _selector(2)
    assert install_router(checkpoint, routed, CARDS, 0.9, lambda current: 0.5)["replaced"]
    continual_update([], checkpoint)  # the next orchestai learn: nothing due, recovery first
    assert torch.equal(_live(checkpoint), routed.score.weight)
    assert torch.equal(_live(checkpoint / "previous"), staged.score.weight)
