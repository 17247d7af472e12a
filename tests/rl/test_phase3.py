from __future__ import annotations

import numpy as np
import pytest
import torch
from orchestai_agents.training.env import EnvConfig
from orchestai_agents.training.phase3 import (
    Phase3Config,
    WorkerCard,
    continual_update,
    save_worker_cards,
)

from orchestai_agents.accounting import NodeRecord, RunResult
from orchestai_agents.errors import CheckpointError
from orchestai_agents.execution_log import ExecutionLog
from orchestai_agents.plan import Plan, SubTask
from orchestai_agents.planner.selector import (
    Selector,
    SelectorConfig,
    context_width,
    load_selector,
    save_selector,
)

CARDS = [
    WorkerCard("cheap", "a small fast model", 0.001),
    WorkerCard("dear", "a large careful model", 0.05),
]
ENV = EnvConfig(max_nodes=2)


def _embed(texts):
    """A deterministic stand-in for MiniLM: each text seeds its own unit vector."""
    vectors = np.stack(
        [np.random.default_rng(sum(map(ord, t))).normal(size=8) for t in texts]
    ).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _run(i: int, worker: str, success: bool) -> RunResult:
    plan = Plan(f"question {i % 7}", (SubTask("q", f"answer question {i % 7}", "answer", worker),))
    usd = 0.001 if worker == "cheap" else 0.05
    node = NodeRecord("q", worker, "answer", 1.0, usd, 10, 5, success, None if success else "wrong")
    return RunResult(f"run{i}", plan.instruction, plan.to_dict(), {}, (node,), "", 1.0)


def _log(tmp_path, good_worker_train: str, good_worker_val: str, n: int = 100) -> ExecutionLog:
    """80 training runs where ``good_worker_train`` succeeds, then 20 where ``good_worker_val`` does."""
    log = ExecutionLog(tmp_path / "executions.jsonl")
    for i in range(n):
        good = good_worker_train if i < int(0.8 * n) else good_worker_val
        worker = "cheap" if i % 2 else "dear"
        log.append(_run(i, worker, success=worker == good))
    return log


def _checkpoint(tmp_path):
    torch.manual_seed(0)
    selector = Selector(SelectorConfig(8, 8, 9, context_width(ENV.max_nodes), hidden=16))
    folder = tmp_path / "ckpt"
    save_selector(selector, folder)
    save_worker_cards(CARDS, folder)
    return folder, selector


CONFIG = Phase3Config(every=100, epochs=60, learning_rate=3e-3, env=ENV)


def test_update_waits_for_every_n_executions(tmp_path):
    folder, _ = _checkpoint(tmp_path)
    report = continual_update(_log(tmp_path, "cheap", "cheap", n=40), folder, CONFIG, embed=_embed)
    assert not report.accepted and "waiting for 100" in report.reason


def test_update_is_accepted_when_validation_improves(tmp_path):
    folder, before = _checkpoint(tmp_path)
    report = continual_update(_log(tmp_path, "cheap", "cheap"), folder, CONFIG, embed=_embed)
    assert report.accepted and report.validation_after > report.validation_before
    after = load_selector(folder)
    assert not torch.equal(after.score.weight, before.score.weight)
    previous = load_selector(folder / "previous")
    torch.testing.assert_close(previous.score.weight, before.score.weight)


def test_update_is_refused_when_validation_gets_worse(tmp_path):
    # Training runs say "cheap" works; the newest (held-out) runs say it no longer does.
    folder, before = _checkpoint(tmp_path)
    report = continual_update(_log(tmp_path, "cheap", "dear"), folder, CONFIG, embed=_embed)
    assert not report.accepted
    assert report.validation_after < report.validation_before
    kept = load_selector(folder)
    for key, value in before.state_dict().items():
        torch.testing.assert_close(kept.state_dict()[key], value)
    assert not (folder / "previous").exists()


def test_no_second_update_until_n_more_runs(tmp_path):
    folder, _ = _checkpoint(tmp_path)
    log = _log(tmp_path, "cheap", "cheap")
    assert continual_update(log, folder, CONFIG, embed=_embed).accepted
    report = continual_update(log, folder, CONFIG, embed=_embed)
    assert not report.accepted and report.reason.startswith("0 new runs")


def test_checkpoint_without_worker_list_is_an_error(tmp_path):
    folder, _ = _checkpoint(tmp_path)
    (folder / "selector_workers.json").unlink()
    with pytest.raises(CheckpointError, match=r"selector_workers\.json"):
        continual_update(_log(tmp_path, "cheap", "cheap"), folder, CONFIG, embed=_embed)
