import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from orchestai_agents.errors import CheckpointError
from orchestai_agents.planner import Inventory, Planner


def _save(planner: Planner, folder: Path) -> Path:
    planner.config.metadata.update(training_data="four toy tools", metrics={"node F1": 91.5})
    planner.save_pretrained(folder)
    return folder


def test_round_trip_restores_config_and_predictions(
    tiny_planner: Planner, inventory: Inventory, tmp_path: Path
) -> None:
    assert list(tiny_planner.config.inventory) != sorted(tiny_planner.config.inventory)
    with torch.no_grad():  # learned per-type rows are indexed by the trained inventory order
        tiny_planner.decomposer.known_types.weight.normal_(std=3.0)
    folder = _save(tiny_planner, tmp_path / "ckpt")
    loaded = Planner.from_pretrained(folder)
    assert loaded.config == tiny_planner.config  # nested dataclasses, not dicts
    assert list(loaded.config.inventory) == list(
        tiny_planner.config.inventory
    )  # config.json sorts keys
    assert list(loaded.config.inventory) == list(
        tiny_planner.config.inventory
    )  # config.json sorts keys
    requests = ["summarise the paper then make slides", "translate it"]
    assert loaded.predict(requests, inventory) == tiny_planner.predict(requests, inventory)


def test_encoder_weights_stay_out_and_the_card_reports_training(
    tiny_planner: Planner, tmp_path: Path
) -> None:
    folder = _save(tiny_planner, tmp_path / "ckpt")
    keys = load_file(folder / "model.safetensors").keys()
    assert keys and not any(k.startswith("encoder.text.") for k in keys)
    assert json.loads((folder / "config.json").read_text())["encoder"]["name_or_path"]
    card = (folder / "README.md").read_text()
    assert "four toy tools" in card and "91.50" in card and "Intended use" in card


def test_a_missing_weight_is_an_error_naming_it(tiny_planner: Planner, tmp_path: Path) -> None:
    folder = _save(tiny_planner, tmp_path / "ckpt")
    state = load_file(folder / "model.safetensors")
    state.pop("decomposer.stop_head.bias")
    save_file(state, folder / "model.safetensors")
    with pytest.raises(CheckpointError, match=r"decomposer\.stop_head\.bias"):
        Planner.from_pretrained(folder)


def test_an_unexpected_or_misshapen_weight_is_an_error(
    tiny_planner: Planner, tmp_path: Path
) -> None:
    folder = _save(tiny_planner, tmp_path / "ckpt")
    state = load_file(folder / "model.safetensors")
    save_file({**state, "extra.weight": torch.zeros(1)}, folder / "model.safetensors")
    with pytest.raises(CheckpointError, match=r"extra\.weight"):
        Planner.from_pretrained(folder)
    save_file({**state, "decomposer.stop_head.bias": torch.zeros(2)}, folder / "model.safetensors")
    with pytest.raises(CheckpointError, match="shapes"):
        Planner.from_pretrained(folder)


def test_a_model_folder_that_is_no_planner_is_refused_naming_its_keys() -> None:
    from orchestai_agents.encoders import default_encoder_path

    encoder = default_encoder_path()  # MiniLM's folder: config.json and model.safetensors of a BERT
    with pytest.raises(CheckpointError) as refused:
        Planner.from_pretrained(encoder)
    said = str(refused.value)
    assert said.startswith(f"{encoder}/config.json describes no valid planner")
    assert "unknown key(s) ['_name_or_path', 'architectures'" in said
    assert "more, missing ['encoder', 'decomposer'" in said and "`orchestai train`" in said


@pytest.mark.parametrize(("content", "kind"), [("[1, 2]", "list"), ('"planner"', "str")])
def test_a_config_json_that_is_no_object_is_refused(
    tiny_planner: Planner, tmp_path: Path, content: str, kind: str
) -> None:
    folder = _save(tiny_planner, tmp_path / "ckpt")
    (folder / "config.json").write_text(content)
    with pytest.raises(CheckpointError, match=f"ckpt/config.json describes .* got a {kind}"):
        Planner.from_pretrained(folder)
