"""``orchestai learn`` on a wrong log or checkpoint: exit status 2 and one line naming the file,
even when no update is due yet; and the count, in its report, of nodes it could not learn from."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from orchestai_agents.training.phase3 import STATE_FILE, WorkerCard, save_worker_cards

from orchestai_agents.accounting import NodeRecord, RunResult
from orchestai_agents.cli.main import INTERNAL_ERROR, main
from orchestai_agents.plan import Plan, SubTask
from orchestai_agents.planner.selector import (
    Selector,
    SelectorConfig,
    context_width,
    save_selector,
)

Orchestai = Callable[..., tuple[int, str]]  # the conftest fixture: argv -> (status, error line)


@pytest.fixture
def checkpoint(tmp_path: Path) -> Path:
    folder = tmp_path / "ckpt"
    save_selector(Selector(SelectorConfig(8, 8, 9, context_width(1), hidden=16)), folder)
    save_worker_cards([WorkerCard("cheap", "a small fast model", 0.001)], folder)
    return folder


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "executions.jsonl"
    path.write_text("")
    return path


def _runs(worker: str, n: int) -> list[dict]:
    plan = Plan("add up", (SubTask("q", "add the numbers", "answer", worker),))
    node = NodeRecord("q", worker, "answer", 1.0, 0.001)
    return [
        RunResult(f"run{i}", "add up", plan.to_dict(), {}, (node,), "", 1.0).to_dict()
        for i in range(n)
    ]


def test_a_missing_checkpoint_is_refused_before_any_update_is_due(
    orchestai: Orchestai, log: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-checkpoint"

    code, said = orchestai("learn", "--log", str(log), "--checkpoint", str(missing))

    assert code == 2 and f"{missing}/selector.safetensors is missing" in said


@pytest.mark.parametrize(
    ("text", "named"), [("{runs_learned: 3", "is not valid JSON"), ("[3]", "holds a list")]
)
def test_a_corrupt_state_file_is_named(
    orchestai: Orchestai, log: Path, checkpoint: Path, text: str, named: str
) -> None:
    (checkpoint / STATE_FILE).write_text(text)

    code, said = orchestai("learn", "--log", str(log), "--checkpoint", str(checkpoint))

    assert code == 2 and f"{checkpoint / STATE_FILE} {named}" in said and "delete it" in said


def test_a_worker_list_of_other_things_is_named(
    orchestai: Orchestai, log: Path, checkpoint: Path
) -> None:
    (checkpoint / "selector_workers.json").write_text('[{"name": "cheap"}]')

    code, said = orchestai("learn", "--log", str(log), "--checkpoint", str(checkpoint))

    assert code == 2 and "selector_workers.json is not a list of worker cards" in said


def test_a_folder_given_as_log_is_refused(
    orchestai: Orchestai, checkpoint: Path, tmp_path: Path
) -> None:
    code, said = orchestai("learn", "--log", str(tmp_path), "--checkpoint", str(checkpoint))

    assert code == 2 and f"execution log {tmp_path} is not a file" in said


def test_a_log_that_is_not_text_is_refused(
    orchestai: Orchestai, log: Path, checkpoint: Path
) -> None:
    log.write_bytes(b"\xff\xfe\x00binary")

    code, said = orchestai("learn", "--log", str(log), "--checkpoint", str(checkpoint))

    assert code == 2 and f"execution log {log} is not UTF-8 text" in said


def test_a_log_line_with_a_wrong_typed_value_is_named(
    orchestai: Orchestai, log: Path, checkpoint: Path
) -> None:
    runs = _runs("cheap", 3)
    runs[1]["nodes"][0]["success"] = "false"
    log.write_text("".join(json.dumps(r) + "\n" for r in runs))

    code, said = orchestai("learn", "--log", str(log), "--checkpoint", str(checkpoint))

    assert code == 2
    assert f"execution log {log} line 2 is not a run record" in said
    assert "node 'q': success must be true or false, got 'false'" in said


def test_a_half_written_selector_points_at_the_previous_one(
    orchestai: Orchestai, log: Path, checkpoint: Path
) -> None:
    save_selector(Selector(SelectorConfig(8, 8, 9, 6, hidden=16)), checkpoint / "previous")
    weights = checkpoint / "selector.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])

    code, said = orchestai("learn", "--log", str(log), "--checkpoint", str(checkpoint))

    assert code == 2 and f"{weights} is not a readable safetensors file" in said
    assert f"the previous selector is in {checkpoint / 'previous'}" in said


def test_the_output_counts_nodes_of_workers_the_checkpoint_does_not_list(
    log: Path, checkpoint: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log.write_text("".join(json.dumps(r) + "\n" for r in _runs("gpt-9", 10)))

    code = main(["learn", "--log", str(log), "--checkpoint", str(checkpoint), "--force"])

    out, err = capsys.readouterr()
    report = json.loads(out)
    assert code == 1 and not report["accepted"]  # forced, yet nothing to learn: a failure
    assert err.startswith("orchestai learn: no update: none of the")
    assert report["ignored_nodes"] == {"worker 'gpt-9' is not in selector_workers.json": 10}
    assert report["ignored_runs"] == 10 and report["n_nodes"] == 0


def test_an_update_not_yet_due_is_not_a_failure(
    log: Path, checkpoint: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log.write_text("".join(json.dumps(r) + "\n" for r in _runs("cheap", 3)))

    code = main(["learn", "--log", str(log), "--checkpoint", str(checkpoint)])

    report = json.loads(capsys.readouterr().out)
    assert code == 0 and not report["due"] and report["reason"] == "3 new runs; waiting for 100"


def test_a_selector_without_graph_context_is_refused_naming_its_width(
    orchestai: Orchestai, log: Path, checkpoint: Path
) -> None:
    save_selector(Selector(SelectorConfig(8, 8, 9, 0, hidden=16)), checkpoint)

    code, said = orchestai("learn", "--log", str(log), "--checkpoint", str(checkpoint))

    assert code == 2 and "selector_config.json: context_dim 0 is not the width of a node" in said


def test_a_bug_is_not_mistaken_for_nothing_to_learn(
    orchestai: Orchestai, log: Path, checkpoint: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def bug(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("orchestai_agents.training.phase3.continual_update", bug)

    code, said = orchestai("learn", "--log", str(log), "--checkpoint", str(checkpoint))

    assert code == INTERNAL_ERROR != 1
    assert said.startswith("internal error in orchestai learn: ZeroDivisionError: division by")
