from __future__ import annotations

import fcntl
import json
import os
import threading
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import safetensors.torch
import torch
from orchestai_agents.training.env import EnvConfig
from orchestai_agents.training.phase3 import (
    LOCK_FILE,
    STAGED_DIR,
    STATE_FILE,
    Phase3Config,
    WorkerCard,
    continual_update,
    save_worker_cards,
)

from orchestai_agents import encoders
from orchestai_agents.accounting import NodeRecord, RunResult
from orchestai_agents.errors import CheckpointError, InputFileError
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


def _log(
    tmp_path,
    good_worker_train: str,
    good_worker_val: str,
    n: int = 100,
    first: int = 0,
    name: str = "executions.jsonl",
) -> ExecutionLog:
    """80 training runs where ``good_worker_train`` succeeds, then 20 where ``good_worker_val`` does.

    Run ids are ``run<first>`` onwards.
    """
    log = ExecutionLog(tmp_path / name)
    for i in range(n):
        good = good_worker_train if i < int(0.8 * n) else good_worker_val
        worker = "cheap" if i % 2 else "dear"
        log.append(_run(first + i, worker, success=worker == good))
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


def test_an_interrupted_update_leaves_the_old_selector_live(tmp_path, monkeypatch):
    folder, before = _checkpoint(tmp_path)
    live = (folder / "selector.safetensors").read_bytes()
    save_file = safetensors.torch.save_file

    def die_halfway(tensors, filename, metadata=None):
        """What a kill mid-write leaves: half the file, for the new selector's write."""
        if Path(filename).parent != folder / STAGED_DIR:  # the copy in previous/ is whole
            return save_file(tensors, filename, metadata=metadata)
        save_file(tensors, filename, metadata=metadata)
        Path(filename).write_bytes(Path(filename).read_bytes()[: len(live) // 2])
        raise KeyboardInterrupt

    monkeypatch.setattr(safetensors.torch, "save_file", die_halfway)
    with pytest.raises(KeyboardInterrupt):
        continual_update(_log(tmp_path, "cheap", "cheap"), folder, CONFIG, embed=_embed)

    assert (folder / "selector.safetensors").read_bytes() == live
    torch.testing.assert_close(load_selector(folder).score.weight, before.score.weight)
    assert not list(folder.rglob("*.partial"))


class _Killed(BaseException):
    """A kill: nothing after it runs, no ``except Exception`` catches it."""


# An accepted update's durable steps each end in an os.replace: the new selector staged (2
# files), the old one copied to previous/ (2), the state (1), the staged files moved (2), the
# state again (1).
_STEPS = 8


@pytest.mark.parametrize("step", range(1, _STEPS + 1))
def test_a_crash_at_any_step_keeps_the_old_selector_and_learns_once(tmp_path, monkeypatch, step):
    reference, _ = _checkpoint(tmp_path / "reference")
    assert continual_update(
        _log(tmp_path, "cheap", "cheap"), reference, CONFIG, embed=_embed
    ).accepted
    updated = (reference / "selector.safetensors").read_bytes()
    folder, _ = _checkpoint(tmp_path)
    original = (folder / "selector.safetensors").read_bytes()
    log = _log(tmp_path, "cheap", "cheap")
    replace_file, calls = os.replace, []

    def killed_at_step(src, dst):
        calls.append(dst)
        if len(calls) == step:
            raise _Killed
        replace_file(src, dst)

    monkeypatch.setattr(os, "replace", killed_at_step)
    with pytest.raises(_Killed):
        continual_update(log, folder, CONFIG, embed=_embed)
    monkeypatch.setattr(os, "replace", replace_file)
    kept = {
        (folder / name / "selector.safetensors").read_bytes()
        for name in ("", "previous")
        if (folder / name / "selector.safetensors").is_file()
    }
    assert original in kept

    report = continual_update(log, folder, CONFIG, embed=_embed)

    assert report.accepted or report.reason == "0 new runs; waiting for 100"
    assert (folder / "selector.safetensors").read_bytes() == updated  # learned from once
    assert (folder / "previous" / "selector.safetensors").read_bytes() == original
    assert not (folder / STAGED_DIR).exists()
    assert "installing" not in json.loads((folder / STATE_FILE).read_text())


def test_an_update_without_a_crash_takes_every_step(tmp_path, monkeypatch):
    folder, _ = _checkpoint(tmp_path)
    replace_file, calls = os.replace, []
    monkeypatch.setattr(os, "replace", lambda src, dst: (calls.append(dst), replace_file(src, dst)))

    assert continual_update(_log(tmp_path, "cheap", "cheap"), folder, CONFIG, embed=_embed).accepted
    assert len(calls) == _STEPS


def test_a_corrupt_selector_names_the_file_and_the_previous_one(tmp_path):
    folder, _ = _checkpoint(tmp_path)
    assert continual_update(_log(tmp_path, "cheap", "cheap"), folder, CONFIG, embed=_embed).accepted
    weights = folder / "selector.safetensors"
    weights.write_bytes(weights.read_bytes()[:100])

    with pytest.raises(CheckpointError) as caught:
        load_selector(folder)

    assert f"{weights} is not a readable safetensors file" in str(caught.value)
    assert f"the previous selector is in {folder / 'previous'}" in str(caught.value)


def test_a_rotated_log_of_new_runs_is_learned_from(tmp_path):
    # After an update from runs 0-99 the log is rotated: 60 new runs, fewer lines than before.
    folder, _ = _checkpoint(tmp_path)
    every_50 = Phase3Config(every=50, epochs=60, learning_rate=3e-3, env=ENV)
    assert continual_update(
        _log(tmp_path, "cheap", "cheap"), folder, every_50, embed=_embed
    ).accepted
    rotated = _log(tmp_path, "cheap", "cheap", n=60, first=100, name="rotated.jsonl")

    report = continual_update(rotated, folder, every_50, embed=_embed)

    assert report.validation_after is not None and report.n_runs == 60
    again = continual_update(rotated, folder, every_50, embed=_embed)
    assert again.reason == "0 new runs; waiting for 50"


@pytest.mark.parametrize(
    ("count", "n_runs", "new"),
    [(100, 100, 0), (60, 100, 40), (150, 60, 60)],
    ids=["same-log", "grown-log", "rotated-log"],
)
def test_a_state_file_that_counts_runs_is_converted_to_run_ids(tmp_path, count, n_runs, new):
    # The earlier format counted the first runs of the log; a log shorter than the count is
    # another log, all of whose runs are new.
    folder, _ = _checkpoint(tmp_path)
    (folder / STATE_FILE).write_text(json.dumps({"runs_learned": count, "last": None}))
    log = _log(tmp_path, "cheap", "cheap", n=n_runs)

    report = continual_update(log, folder, CONFIG, embed=_embed)

    assert report.reason == f"{new} new runs; waiting for 100"
    learned = json.loads((folder / STATE_FILE).read_text())["learned_run_ids"]
    assert learned == [f"run{i}" for i in range(n_runs - new)]


def test_a_log_line_with_a_wrong_typed_value_is_named(tmp_path):
    folder, _ = _checkpoint(tmp_path)
    log = _log(tmp_path, "cheap", "cheap")
    lines = log.path.read_text().splitlines(keepends=True)
    spoilt = json.loads(lines[9])
    spoilt["nodes"][0]["usd"] = "$0.01"
    lines[9] = json.dumps(spoilt) + "\n"
    log.path.write_text("".join(lines))

    with pytest.raises(InputFileError, match=rf"{log.path} line 10 is not a run record"):
        continual_update(log, folder, CONFIG, embed=_embed)


def test_nodes_the_selector_cannot_learn_from_are_counted_by_reason(tmp_path):
    # Every 4th run used a worker the checkpoint does not list; every 10th planned a second
    # node that has no execution record (the run stopped before it).
    folder, _ = _checkpoint(tmp_path)
    log = ExecutionLog(tmp_path / "executions.jsonl")
    for i in range(100):
        run = _run(i, "gpt-9" if i % 4 == 0 else ("cheap", "dear")[i % 2], success=True)
        if i % 10 == 5:
            extra = SubTask("r", "check the answer", "answer", "cheap", ("q",))
            plan = Plan.from_dict(run.plan)
            run = replace(run, plan=Plan(plan.instruction, (*plan.subtasks, extra)).to_dict())
        log.append(run)

    report = continual_update(log, folder, CONFIG, embed=_embed)

    assert report.ignored_nodes == {
        "worker 'gpt-9' is not in selector_workers.json": 25,
        "no execution record for the plan node": 10,
    }
    assert report.ignored_runs == 25 and report.n_nodes == 75


@pytest.mark.parametrize("note", ["skipped: dependency q failed", "cancelled: the run was stopped"])
def test_a_node_that_called_no_worker_is_not_blamed_on_its_worker(tmp_path, note):
    folder, _ = _checkpoint(tmp_path)
    log = ExecutionLog(tmp_path / "executions.jsonl")
    for i in range(100):
        run = _run(i, ("cheap", "dear")[i % 2], success=i % 3 != 0)
        if i % 3 == 0:  # the failure is not the worker's
            run = replace(run, nodes=(replace(run.nodes[0], error=note),))
        log.append(run)

    report = continual_update(log, folder, CONFIG, embed=_embed, force=True)

    assert report.ignored_nodes == {"no worker was called (skipped or stopped)": 34}
    assert report.n_nodes == 66


@pytest.mark.parametrize(
    ("n_runs", "worker", "reason"),
    [
        (0, "cheap", "the execution log has no runs; nothing to learn from"),
        (1, "cheap", "1 usable run(s) in the log: the newest 1 are held out for validation, "),
        (100, "gpt-9", "none of the 100 runs has a node to learn from"),
    ],
    ids=["empty-log", "one-run", "unknown-workers"],
)
def test_a_forced_update_says_why_there_is_nothing_to_learn(tmp_path, n_runs, worker, reason):
    folder, _ = _checkpoint(tmp_path)
    log = ExecutionLog(tmp_path / "executions.jsonl")
    for i in range(n_runs):
        log.append(_run(i, worker, success=True))

    report = continual_update(log, folder, CONFIG, embed=_embed, force=True)

    assert not report.accepted and report.reason.startswith(reason)
    assert report.ignored_runs == (n_runs if worker == "gpt-9" else 0)


def test_a_run_logged_twice_counts_once_toward_every(tmp_path):
    # A resumed agent logs a run again: 50 runs, each logged twice, are 50 new runs, not 100.
    folder, _ = _checkpoint(tmp_path)
    log = _log(tmp_path, "cheap", "cheap", n=50)
    log.path.write_text(log.path.read_text() * 2)

    report = continual_update(log, folder, CONFIG, embed=_embed)

    assert report.reason == "50 new runs; waiting for 100"
    assert report.n_runs == 50 and report.duplicate_runs == 50


def test_a_repeated_training_run_is_not_held_out(tmp_path):
    # Runs 80-99 say "dear" now works; repeats of runs 0-19 ("cheap" works) follow them. Held
    # out as the newest records, the repeats would validate the update on its own training runs.
    folder, _ = _checkpoint(tmp_path)
    log = _log(tmp_path, "cheap", "dear")
    lines = log.path.read_text().splitlines(keepends=True)
    log.path.write_text("".join(lines + lines[:20]))

    report = continual_update(log, folder, CONFIG, embed=_embed)

    assert not report.accepted and report.validation_after < report.validation_before
    assert report.duplicate_runs == 20 and report.n_runs == 100 and report.n_nodes == 100


def test_runs_on_a_worker_the_selector_does_not_know_are_not_held_out(tmp_path):
    # 100 runs on the selector's workers, then 30 on a worker added since: the held-out runs
    # are the newest usable ones, not the 30 newest lines, which have nothing to validate on.
    folder, _ = _checkpoint(tmp_path)
    log = _log(tmp_path, "cheap", "cheap")
    for i in range(30):
        log.append(_run(100 + i, "new-worker", success=True))

    report = continual_update(log, folder, CONFIG, embed=_embed)

    assert report.due and report.validation_after is not None and report.accepted
    assert report.ignored_runs == 30 and report.n_nodes == 100


def test_too_few_held_out_nodes_is_no_update_and_the_runs_stay_new(tmp_path):
    folder, _ = _checkpoint(tmp_path)
    log = _log(tmp_path, "cheap", "cheap")
    strict = replace(CONFIG, min_val_nodes=21)  # the 20 newest runs have one node each

    report = continual_update(log, folder, strict, embed=_embed)

    assert report.due and report.validation_after is None and not report.accepted
    assert report.reason.startswith(
        "the newest 20 usable run(s), held out for validation, have 20 node(s)"
    )
    assert not (folder / STATE_FILE).exists()  # the next call tries again
    assert continual_update(log, folder, CONFIG, embed=_embed).accepted


def test_an_update_waits_for_one_in_progress_on_the_same_checkpoint(tmp_path):
    folder, _ = _checkpoint(tmp_path)
    log = _log(tmp_path, "cheap", "cheap")
    reports = []
    waiting = threading.Thread(
        target=lambda: reports.append(continual_update(log, folder, CONFIG, embed=_embed))
    )

    with open(folder / LOCK_FILE, "a") as held:  # what an update in progress holds
        fcntl.flock(held, fcntl.LOCK_EX)
        waiting.start()
        waiting.join(timeout=1.0)
        assert waiting.is_alive() and not (folder / STATE_FILE).exists()
    waiting.join(timeout=60)

    assert reports[0].accepted


def test_runs_of_two_logs_read_in_turn_are_new_once(tmp_path):
    # Two agents log apart and one checkpoint learns from each log in turn.
    folder, _ = _checkpoint(tmp_path)
    first = _log(tmp_path, "cheap", "cheap", name="a.jsonl")
    second = _log(tmp_path, "cheap", "cheap", first=1000, name="b.jsonl")
    assert continual_update(first, folder, CONFIG, embed=_embed).due
    assert continual_update(second, folder, CONFIG, embed=_embed).due
    _log(tmp_path, "cheap", "cheap", n=10, first=100, name="a.jsonl")  # 10 more runs in a

    report = continual_update(first, folder, CONFIG, embed=_embed)

    assert report.reason == "10 new runs; waiting for 100"


def test_the_context_layout_is_read_from_the_checkpoint(tmp_path):
    # The selector reads contexts for 4 sub-tasks; the config says 2 (EnvConfig's own default
    # is 5, which `orchestai learn` passes whatever the checkpoint).
    folder, _ = _checkpoint(tmp_path)
    save_selector(Selector(SelectorConfig(8, 8, 9, context_width(4), hidden=16)), folder)

    report = continual_update(_log(tmp_path, "cheap", "cheap"), folder, CONFIG, embed=_embed)

    assert report.validation_after is not None


def test_an_encoder_of_another_width_is_refused_naming_both(tmp_path):
    folder, _ = _checkpoint(tmp_path)
    save_selector(Selector(SelectorConfig(16, 16, 17, context_width(2), hidden=16)), folder)

    with pytest.raises(CheckpointError, match=r"reads 16-wide embeddings .* gives 8-wide ones"):
        continual_update(_log(tmp_path, "cheap", "cheap"), folder, CONFIG, embed=_embed)


class _FakeEncoder:
    """Stands in for MiniLM behind ``embed_texts``: ``_embed``'s vectors, nothing loaded."""

    def __init__(self, name: str, max_length: int) -> None:
        pass

    def encode(self, texts, normalize):
        return SimpleNamespace(pooled=torch.as_tensor(_embed(texts)))


def test_the_default_encoder_writes_no_cache_into_the_working_folder(tmp_path, monkeypatch):
    folder, _ = _checkpoint(tmp_path)
    log = _log(tmp_path, "cheap", "cheap")
    monkeypatch.setattr(encoders, "TextEncoder", _FakeEncoder)
    cwd = tmp_path / "cwd"  # whatever folder `orchestai learn` is run from
    cwd.mkdir()
    monkeypatch.chdir(cwd)

    assert continual_update(log, folder, CONFIG).accepted
    assert not list(cwd.iterdir())
