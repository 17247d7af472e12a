import json
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from orchestai_agents.errors import CheckpointError, ConfigError, HubError
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


def test_saving_again_into_a_folder_rewrites_its_card(
    tiny_planner: Planner, tmp_path: Path
) -> None:
    folder = _save(tiny_planner, tmp_path / "ckpt")  # phase 1 re-saves each better epoch here
    tiny_planner.config.metadata["metrics"] = {"node F1": 97.25}
    tiny_planner.save_pretrained(folder)
    card = (folder / "README.md").read_text()
    assert "97.25" in card and "91.50" not in card
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt"]  # no staging folder left


def test_a_save_that_fails_leaves_the_last_checkpoint_whole(
    tiny_planner: Planner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _save(tiny_planner, tmp_path / "ckpt")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("orchestai_agents.planner.checkpoint.save_file", disk_full)
    with torch.no_grad():
        tiny_planner.decomposer.known_types.weight.add_(1.0)
    tiny_planner.config.metadata["metrics"] = {"node F1": 97.25}
    with pytest.raises(OSError, match="No space left"):
        tiny_planner.save_pretrained(folder)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt"]
    Planner.from_pretrained(folder)


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


def test_a_config_json_without_an_architecture_section_is_named(
    tiny_planner: Planner, tmp_path: Path
) -> None:
    folder = _save(tiny_planner, tmp_path / "ckpt")
    config = json.loads((folder / "config.json").read_text())
    del config["decomposer"]
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(CheckpointError, match=r"lacks the section\(s\) \['decomposer'\]"):
        Planner.from_pretrained(folder)


def test_a_folder_without_config_json_is_named_without_the_hubs_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(CheckpointError, match=r"has no planner config\.json"):
        Planner.from_pretrained(tmp_path)
    assert not [r for r in caplog.records if "config.json not found" in r.getMessage()]


def test_a_type_error_while_building_is_not_taken_for_a_missing_config(
    tiny_planner: Planner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Any TypeError mentioning "config" had been reported as "has no planner config.json".
    tiny_planner.save_pretrained(tmp_path)

    def broken(self: Planner, config: object) -> None:
        raise TypeError("the decomposer config holds a bug")

    monkeypatch.setattr(Planner, "__init__", broken)
    with pytest.raises(TypeError, match="the decomposer config holds a bug"):
        Planner.from_pretrained(tmp_path)


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


@pytest.mark.parametrize(
    ("section", "key", "value", "said"),
    [
        ("decomposer", "hidden_size", "16", r"decomposer\.hidden_size must be int, got '16'"),
        ("graph", "heads", 0, r"graph\.heads must be >= 1, got 0"),
        ("graph", "edge_threshold", "0.5", r"graph\.edge_threshold must be float, got '0\.5'"),
        (None, "metadata", [], r"metadata must be dict\[str, Any\], got \[\]"),
    ],
)
def test_a_config_json_field_of_the_wrong_type_is_named_on_loading(
    tiny_planner: Planner, tmp_path: Path, section: str | None, key: str, value: object, said: str
) -> None:
    """Not a TypeError from torch, nor a planner that loads and fails on its first plan."""
    folder = _save(tiny_planner, tmp_path / "ckpt")
    config = json.loads((folder / "config.json").read_text())
    (config[section] if section else config)[key] = value
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(
        CheckpointError, match=f"ckpt/config.json describes no valid planner .*{said}"
    ):
        Planner.from_pretrained(folder)


def test_a_planner_built_from_a_partial_dict_saves_a_config_that_loads(
    tiny_encoder_dir: str, tools: dict[str, str], tmp_path: Path
) -> None:
    """Planner(dict) leaves the sections the dict lacks to their defaults; config.json has them."""
    planner = Planner(
        {
            "encoder": {"name_or_path": tiny_encoder_dir, "hidden_size": 32, "adapter_heads": 2},
            "decomposer": {"hidden_size": 16, "attention_heads": 2, "max_subtasks": 5},
            "inventory": tools,
        }
    )
    planner.save_pretrained(tmp_path / "ckpt")
    saved = json.loads((tmp_path / "ckpt" / "config.json").read_text())
    assert saved == planner.config.to_dict()
    assert Planner.from_pretrained(tmp_path / "ckpt").config == planner.config


def test_edits_to_a_loaded_planners_config_are_saved_and_pushed(
    tiny_planner: Planner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huggingface_hub import HfApi, RepoUrl

    loaded = Planner.from_pretrained(_save(tiny_planner, tmp_path / "ckpt"))
    loaded.config.graph.edge_threshold = 0.9
    loaded.save_pretrained(tmp_path / "edited")
    assert Planner.from_pretrained(tmp_path / "edited").config == loaded.config

    pushed: dict[str, object] = {}

    def upload_folder(self: HfApi, *, folder_path: Path, **kwargs: object) -> str:
        pushed.update(json.loads((Path(folder_path) / "config.json").read_text()))
        return "https://huggingface.co/org/planner/commit/abc"

    monkeypatch.setattr(
        HfApi, "create_repo", lambda self, repo_id, **kwargs: RepoUrl(f"https://hf.co/{repo_id}")
    )
    monkeypatch.setattr(HfApi, "upload_folder", upload_folder)
    loaded.push_to_hub("org/planner")
    assert pushed == loaded.config.to_dict()


@pytest.mark.parametrize(
    ("section", "key", "value", "said"),
    [
        ("decomposer", "beam_size", 0, r"decomposer.beam_size must be >= 1, got 0"),
        ("graph", "edge_threshold", "0.5", r"graph.edge_threshold must be float, got '0.5'"),
    ],
)
def test_an_edit_that_makes_the_config_invalid_is_refused_before_saving(
    tiny_planner: Planner, tmp_path: Path, section: str, key: str, value: object, said: str
) -> None:
    """Saved as it was, the checkpoint would fail to load; an earlier save must stay intact."""
    folder = _save(tiny_planner, tmp_path / "ckpt")
    before = {f.name: f.read_bytes() for f in folder.iterdir()}
    setattr(getattr(tiny_planner.config, section), key, value)
    with pytest.raises(ConfigError, match=f"not saved: planner.config was edited .*{said}"):
        tiny_planner.save_pretrained(folder)
    assert {f.name: f.read_bytes() for f in folder.iterdir()} == before
    with pytest.raises(ConfigError, match="not saved"):
        tiny_planner.save_pretrained(tmp_path / "new")
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize(
    ("status", "code", "revision", "error", "said"),
    [
        (
            404,
            "RepoNotFound",
            None,
            CheckpointError,
            r"\(revision main\) does not exist or is priv",
        ),
        (401, "RepoNotFound", None, CheckpointError, r"\(revision main\) .* set HF_TOKEN$"),
        (404, "RevisionNotFound", "v9", CheckpointError, r"\(revision v9\): no such revision"),
        (401, "GatedRepo", None, HubError, r"\(revision main\) is gated: .* set HF_TOKEN$"),
        (403, "", None, HubError, r"\(revision main\) could not be fetched \(HTTP 403\); check"),
    ],
)
def test_a_hub_repo_that_cannot_be_fetched_is_named_with_what_to_check(
    hub_answering: Callable[[int, str], None],
    tmp_path: Path,
    status: int,
    code: str,
    revision: str | None,
    error: type[Exception],
    said: str,
) -> None:
    """Not huggingface_hub's RepositoryNotFoundError (or Revision..., GatedRepo...) unexplained."""
    hub_answering(status, code)
    with pytest.raises(error, match=f"^Hub repo org/planner {said}"):
        Planner.from_pretrained("org/planner", cache_dir=tmp_path, revision=revision)


def test_a_hub_that_cannot_be_reached_is_told_from_a_wrong_repo_id(
    hub_answering: Callable[[int, str], None], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # It had said "check the path or the repo id" of a repo id that was right.
    import huggingface_hub.utils._http as hub_http

    monkeypatch.setattr(hub_http.time, "sleep", lambda seconds: None)  # its retries' back-off
    hub_answering(0, "")
    with pytest.raises(HubError, match=r"^could not reach the Hub to fetch org/planner .*network"):
        Planner.from_pretrained("org/planner", cache_dir=tmp_path)


def test_a_hub_repo_asked_for_offline_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(
        CheckpointError, match=r"^org/planner is no planner folder here, and HF_HUB"
    ):
        Planner.from_pretrained("org/planner", cache_dir=tmp_path)
