"""``orchestai train`` on bad input: exit status 2 and one line naming the flag, before training
starts (and, but for the encoder, before any data is loaded)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import torch

from orchestai_agents.errors import ConfigError

Orchestai = Callable[..., tuple[int, str]]  # the conftest fixture: argv -> (status, error line)


def test_a_hidden_size_the_heads_do_not_divide_names_the_flag(
    orchestai: Orchestai, tmp_path: Path
) -> None:
    out = tmp_path / "planner"

    code, said = orchestai("train", "--out", str(out), "--data", "builtin", "--hidden", "250")

    assert code == 2 and "--hidden 250 does not fit the planner" in said and "divisible" in said
    assert not out.exists()


def test_an_unknown_device_is_refused(orchestai: Orchestai, tmp_path: Path) -> None:
    code, said = orchestai("train", "--out", str(tmp_path / "p"), "--device", "tpu")

    assert code == 2 and "device 'tpu' is not a torch device; use auto, cpu or cuda" in said


@pytest.mark.skipif(torch.cuda.is_available(), reason="the machine has CUDA")
def test_cuda_without_cuda_is_refused(orchestai: Orchestai, tmp_path: Path) -> None:
    code, said = orchestai("train", "--out", str(tmp_path / "p"), "--device", "cuda")

    assert code == 2 and "device 'cuda' needs CUDA" in said


def test_a_cuda_index_past_the_machines_devices_is_refused(
    orchestai: Orchestai, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)

    code, said = orchestai("train", "--out", str(tmp_path / "p"), "--device", "cuda:7")

    assert code == 2 and "device 'cuda:7' does not exist" in said and "cuda:0 to cuda:0" in said


@pytest.mark.parametrize("data", ["", " , "])
def test_data_that_names_nothing_is_refused(
    orchestai: Orchestai, tmp_path: Path, data: str
) -> None:
    code, said = orchestai("train", "--out", str(tmp_path / "p"), "--data", data)

    assert code == 2 and "argument --data" in said and "names nothing" in said


def test_out_that_is_a_file_is_refused_before_training(
    orchestai: Orchestai, tmp_path: Path
) -> None:
    taken = tmp_path / "notes.txt"
    taken.write_text("a user's file")

    code, said = orchestai("train", "--out", str(taken), "--data", "builtin")

    assert code == 2 and "argument --out" in said and "is a file, not a folder" in said
    assert taken.read_text() == "a user's file"


@pytest.mark.parametrize("command", ["train", "evaluate"])
def test_a_cache_dir_that_is_a_file_is_refused(
    orchestai: Orchestai, tmp_path: Path, command: str
) -> None:
    taken = tmp_path / "cache"
    taken.write_text("a user's file")
    where = ["--out", str(tmp_path / "p")] if command == "train" else ["--planner", str(tmp_path)]

    code, said = orchestai(command, *where, "--cache-dir", str(taken), "--data", "builtin")

    assert code == 2 and "argument --cache-dir" in said and "is a file, not a folder" in said
    assert taken.read_text() == "a user's file"


def test_more_fine_tuned_layers_than_the_encoder_has_are_refused_before_loading(
    orchestai: Orchestai, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestai_agents.training import phase1_data

    def no_loading(*_: object) -> None:
        raise AssertionError("the data was loaded before the flags were checked")

    monkeypatch.setattr(phase1_data, "load_training_data", no_loading)

    code, said = orchestai(
        "train", "--out", str(tmp_path / "p"), "--data", "builtin", "--fine-tune-layers", "7"
    )

    assert code == 2 and "--fine-tune-layers 7" in said and "has 6 transformer layers" in said


def test_an_encoder_that_cannot_be_loaded_is_named(orchestai: Orchestai, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-encoder"

    code, said = orchestai(
        "train", "--out", str(tmp_path / "p"), "--data", "builtin", "--encoder", str(missing)
    )

    assert code == 2 and f"cannot load the planner's encoder '{missing}'" in said


def test_an_out_holding_a_checkpoint_is_kept_unless_overwrite_is_given(
    orchestai: Orchestai, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestai_agents.training import phase1_data

    out = tmp_path / "planner"
    out.mkdir()
    (out / "model.safetensors").write_bytes(b"a user's planner")

    code, said = orchestai("train", "--out", str(out), "--data", "builtin")

    assert code == 2 and "already holds a trained planner (model.safetensors)" in said
    assert "--overwrite" in said and (out / "model.safetensors").read_bytes() == b"a user's planner"

    def loaded(*_: object) -> None:
        raise ConfigError("the flags were accepted")

    monkeypatch.setattr(phase1_data, "load_training_data", loaded)
    code, said = orchestai("train", "--out", str(out), "--data", "builtin", "--overwrite")
    assert said == "error: the flags were accepted"


@pytest.mark.parametrize(
    ("name", "named"),
    [("README.md", "the planner's model card would replace it"), ("tensorboard", "log its runs")],
)
def test_an_out_holding_a_readme_or_tensorboard_runs_is_kept_unless_overwrite_is_given(
    orchestai: Orchestai, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, named: str
) -> None:
    """``--out .`` in a project root: its README.md is no checkpoint, but the card would replace it."""
    from orchestai_agents.training import phase1_data

    kept = tmp_path / name
    if name == "README.md":
        kept.write_text("# a user's project")
    else:
        (kept / "run-1").mkdir(parents=True)

    code, said = orchestai("train", "--out", str(tmp_path), "--data", "builtin")

    assert code == 2 and f"--out {tmp_path} holds {name}" in said and named in said
    assert "--overwrite" in said
    assert name != "README.md" or kept.read_text() == "# a user's project"

    def loaded(*_: object) -> None:
        raise ConfigError("the flags were accepted")

    monkeypatch.setattr(phase1_data, "load_training_data", loaded)
    code, said = orchestai("train", "--out", str(tmp_path), "--data", "builtin", "--overwrite")
    assert said == "error: the flags were accepted"


def test_data_whose_train_split_is_empty_is_named_with_the_cause(
    orchestai: Orchestai, tmp_path: Path
) -> None:
    from orchestai_agents.training.datasets import in_test_split

    data = tmp_path / "data.jsonl"
    record_ids = [i for i in range(100) if in_test_split(str(i))][:3]
    data.write_text(
        "".join(
            json.dumps({"id": i, "user_request": "r", "task_nodes": ["a"], "task_links": []}) + "\n"
            for i in record_ids
        )
    )

    code, said = orchestai("train", "--out", str(tmp_path / "p"), "--data", str(data))

    assert code == 2 and f"{data}: its train split is empty" in said
    assert "every id here went to test" in said and "split_ids.json" in said


def test_data_with_a_repeated_id_is_named(orchestai: Orchestai, tmp_path: Path) -> None:
    data = tmp_path / "calls.jsonl"
    call = {"api_name": "search", "parameters": {}, "responses": []}
    record = {"task": "t", "api": [{"api_name": "search"}], "call": [call]}
    data.write_text("".join(json.dumps({**record, "test_id": i}) + "\n" for i in (1, 2, 2)))
    out = tmp_path / "p"

    code, said = orchestai("train", "--out", str(out), "--data", str(data))

    assert code == 2 and f"{data}, line 3: id '2' repeats line 2; " in said
    assert not out.exists()


def test_ctrl_c_during_training_saves_the_best_epoch_so_far(
    orchestai: Orchestai, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestai_agents.training import phase1

    from orchestai_agents.planner import Planner

    epochs = []
    train_epoch = phase1._Loop._train_epoch

    def stopped_in_epoch_2(loop: phase1._Loop) -> dict[str, float]:
        epochs.append(1)
        if len(epochs) == 2:
            raise KeyboardInterrupt
        return train_epoch(loop)

    monkeypatch.setattr(phase1._Loop, "_train_epoch", stopped_in_epoch_2)
    out = tmp_path / "planner"

    code, _ = orchestai(
        "train",
        "--out",
        str(out),
        "--data",
        "builtin",
        "--epochs",
        "5",
        "--hidden",
        "64",
        "--cache-dir",
        str(tmp_path / "cache"),
    )

    assert code == 130 and len(epochs) == 2
    assert Planner.from_pretrained(out).config.metadata["metrics"]  # epoch 1, loadable


def test_too_few_workflows_to_hold_some_out_are_refused() -> None:
    from orchestai_agents.training.phase1 import Phase1Config, train_phase1
    from orchestai_agents.training.phase1_data import load_training_data

    train, _, inventory = load_training_data(["builtin"])
    with pytest.raises(ConfigError, match=r"1 training workflow.*needs at least 2"):
        train_phase1(Phase1Config(out_dir="unused"), train[:1], inventory=inventory)


def test_a_users_data_file_is_named_in_the_card_by_its_name_not_its_path(
    orchestai: Orchestai, tmp_path: Path
) -> None:
    # The card and config.json are published with the checkpoint: a path from the training
    # machine (a user name, a client's folder) must not travel with them.
    data = tmp_path / "clients" / "acme-private" / "workflows.jsonl"
    data.parent.mkdir(parents=True)
    tools = ["search", "book", "pay", "notify"]
    data.write_text(
        "".join(
            json.dumps(
                {
                    "id": str(i),
                    "user_request": f"request {i}: {tools[i % 4]} then {tools[(i + 1) % 4]}",
                    "task_nodes": [{"task": tools[i % 4]}, {"task": tools[(i + 1) % 4]}],
                    "task_links": [{"source": tools[i % 4], "target": tools[(i + 1) % 4]}],
                }
            )
            + "\n"
            for i in range(40)
        )
    )
    out = tmp_path / "planner"

    code, said = orchestai(
        "train", "--out", str(out), "--data", str(data), "--epochs", "1", "--hidden", "32"
    )

    assert code == 0, said
    card, config = (out / "README.md").read_text(), (out / "config.json").read_text()
    assert "workflows.jsonl" in card and "- workflows.jsonl" in card  # text and datasets: list
    assert "acme-private" not in card and "acme-private" not in config
