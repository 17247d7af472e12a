"""A short real phase-1 run on the offline MiniLM with a tiny decomposer."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from orchestai_agents.training.phase1 import Phase1Config, train_phase1
from orchestai_agents.training.workflows import AnnotatedWorkflow, WorkflowNode
from safetensors.torch import load_file
from torch.nn import functional as F

from orchestai_agents.encoders import TextEncoder
from orchestai_agents.planner import (
    DecomposerConfig,
    EncoderConfig,
    GraphConfig,
    Inventory,
    Planner,
    PlannerConfig,
)

pytestmark = pytest.mark.slow

PLANS = {
    "summarise the report": ["summarize"],
    "translate the report into German": ["translate"],
    "read the PDF and summarise it": ["extract_text", "summarize"],
    "read the PDF and translate it into Spanish": ["extract_text", "translate"],
    "read the paper, summarise it and translate the summary": [
        "extract_text",
        "summarize",
        "translate",
    ],
    "summarise this article and translate it": ["summarize", "translate"],
}


def _workflows() -> list[AnnotatedWorkflow]:
    return [
        AnnotatedWorkflow(
            f"w{i}",
            request,
            tuple(WorkflowNode(n, f"{n.replace('_', ' ')} step") for n in names),
            tuple((k, k + 1) for k in range(len(names) - 1)),
        )
        for i, (request, names) in enumerate(PLANS.items())
    ]


def _config(tmp_path: Path, **kw: object) -> Phase1Config:
    planner = PlannerConfig(
        decomposer=DecomposerConfig(hidden_size=32, attention_heads=2), graph=GraphConfig(heads=2)
    )
    return Phase1Config(
        planner=planner, out_dir=str(tmp_path / "run"), cache_dir=None, lr=3e-3, batch_size=3, **kw
    )  # type: ignore[arg-type]


def test_training_lowers_the_loss_and_logs_every_epoch(tmp_path: Path) -> None:
    data = _workflows()
    result = train_phase1(_config(tmp_path, max_epochs=12, patience=50), data, data)
    losses = [row["train_loss"] for row in result.history]
    assert len(losses) == 12 and losses[-1] < 0.7 * losses[0]
    with (tmp_path / "run" / "metrics.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 12 and {"train_type", "train_dag", "val_node_f1", "lr"} <= set(rows[0])
    assert any((tmp_path / "run" / "tensorboard").iterdir())
    assert result.best["score"] == max(row["val_score"] for row in result.history)
    assert (
        result.planner.config.metadata["metrics"]["validation node_f1"]
        == result.best["val_node_f1"]
    )


def test_the_checkpoint_lets_the_types_repeat_that_training_plans_repeat(tmp_path: Path) -> None:
    twice = [
        AnnotatedWorkflow(f"t{i}", f"summarise part {i} and part {i + 1}", (node, node), ((0, 1),))
        for i, node in enumerate([WorkflowNode("summarize", "summarize step")] * 2)
    ]
    once = [AnnotatedWorkflow("x", "translate twice", (WorkflowNode("translate", "t"),) * 2)]
    data = [*_workflows(), *twice, *once]

    result = train_phase1(_config(tmp_path, max_epochs=1, patience=50), data, data)

    # Two plans name summarize twice; one plan alone does not make translate repeatable.
    assert result.planner.config.decomposer.repeatable_types == ["summarize"]
    saved = json.loads((tmp_path / "run" / "config.json").read_text())
    assert saved["decomposer"]["repeatable_types"] == ["summarize"]


def test_each_run_logs_to_tensorboard_in_a_folder_of_its_own(tmp_path: Path) -> None:
    # A retrain over the same --out (orchestai train --overwrite) appended its events to the
    # first run's, and TensorBoard drew both as one curve that jumped back to epoch 1.
    data = _workflows()
    for _ in range(2):
        train_phase1(_config(tmp_path, max_epochs=1, patience=50), data, data)
    runs = sorted((tmp_path / "run" / "tensorboard").iterdir())
    assert len(runs) == 2 and all(r.name.startswith("run-") for r in runs)
    assert all(any(f.name.startswith("events.out.tfevents") for f in r.iterdir()) for r in runs)


def test_no_epoch_is_started_that_would_end_past_the_time_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import orchestai_agents.training.phase1 as phase1

    clock = iter(range(0, 6000, 600))  # every reading 10 minutes after the one before
    monkeypatch.setattr(phase1, "time", SimpleNamespace(monotonic=lambda: next(clock)))
    data = _workflows()
    result = train_phase1(_config(tmp_path, max_epochs=5, max_minutes=35.0), data, data)
    # The budget counts from the call: encoding the data took 10 minutes, each epoch takes 10,
    # and after epoch 2 (30 minutes) a third would end at 40, past 35.
    assert [row["minutes"] for row in result.history] == [20, 30]
    assert "35-minute budget" in result.stopped and not result.interrupted


def test_a_run_says_why_it_stopped(tmp_path: Path) -> None:
    data = _workflows()
    assert train_phase1(_config(tmp_path, max_epochs=2), data, data).stopped == "all 2 epochs ran"
    result = train_phase1(_config(tmp_path, max_epochs=30, patience=1), data, data)
    assert len(result.history) < 30
    assert result.stopped == (
        f"early stopping: no better validation score since epoch {result.best['epoch']}"
    )


def test_a_crash_keeps_the_best_epoch_so_far(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import orchestai_agents.training.phase1 as phase1

    data = _workflows()
    finished = train_phase1(_config(tmp_path / "a", max_epochs=2, patience=50), data, data)
    train_epoch, epochs = phase1._Loop._train_epoch, iter(range(1, 100))

    def out_of_memory_in_epoch_3(loop: object) -> dict[str, float]:
        if next(epochs) == 3:
            raise RuntimeError("CPU out of memory")
        return train_epoch(loop)

    monkeypatch.setattr(phase1._Loop, "_train_epoch", out_of_memory_in_epoch_3)
    with pytest.raises(RuntimeError, match="out of memory") as crash:
        train_phase1(_config(tmp_path / "b", max_epochs=5, patience=50), data, data)
    run = tmp_path / "b" / "run"
    assert crash.value.__notes__ == [
        f"phase 1: the best epoch so far ({int(finished.best['epoch'])}) is saved in {run}"
    ]
    saved = Planner.from_pretrained(run)
    expected = finished.planner.state_dict()
    assert all(torch.equal(v, expected[k]) for k, v in saved.state_dict().items())
    assert saved.config.metadata["metrics"] == finished.planner.config.metadata["metrics"]
    assert len((run / "metrics.csv").read_text().splitlines()) == 1 + 2  # header, two epochs


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("lr", -1e-3, "above 0"),
        ("encoder_lr", float("nan"), "above 0"),
        ("batch_size", 0, "above 0"),
        ("patience", -1, "0 or more"),
        ("val_fraction", 1.0, "strictly between 0 and 1"),
        ("ema_decay", 1.0, "0 \\(off\\) or lie in \\(0, 1\\)"),
    ],
)
def test_a_bad_training_option_is_refused_by_name(field: str, value: float, rule: str) -> None:
    with pytest.raises(ValueError, match=f"Phase1Config.{field} must .*{rule}"):
        Phase1Config(**{field: value})


def test_early_stopping_and_seeds(tmp_path: Path) -> None:
    data = _workflows()
    a = train_phase1(_config(tmp_path, max_epochs=30, patience=1, seed=3), data, data)
    assert len(a.history) < 30  # stopped once validation stopped improving
    b = train_phase1(_config(tmp_path, max_epochs=2, patience=50, seed=3), data, data)
    assert [r["train_loss"] for r in b.history] == [r["train_loss"] for r in a.history[:2]]


def test_requests_with_candidates_train_and_validate_over_them_alone(tmp_path: Path) -> None:
    from orchestai_agents.training.phase1_data import candidate_mask, inventory_of

    # Each request may call only its own gold tools: validation decodes nothing else.
    data = [replace(w, candidates=w.nodes) for w in _workflows()]
    inventory = inventory_of(data)
    allowed = candidate_mask(data, inventory)
    assert allowed.sum(1).tolist() == [len(w.nodes) for w in data]
    result = train_phase1(_config(tmp_path, max_epochs=3, patience=50), data, data)
    assert all(row["val_node_f1"] > 0 for row in result.history)
    assert max(row["val_node_f1"] for row in result.history) > 80  # the mask leaves little to miss


def test_requests_from_several_data_sets_train_over_their_own_types(tmp_path: Path) -> None:
    from orchestai_agents.training.phase1_data import candidate_mask, inventory_of

    # Evaluation plans each data set over its own inventory, so training does too.
    data = [
        replace(w, source="pdf" if "PDF" in w.request or "paper" in w.request else "text")
        for w in _workflows()
    ]
    inventory = inventory_of(data)
    allowed = candidate_mask(data, inventory, data)
    for w, row in zip(data, allowed, strict=True):
        own = {n.name for v in data if v.source == w.source for n in v.nodes}
        assert {inventory.task_types[i] for i in row.nonzero().squeeze(1).tolist()} == own
    assert not allowed[[w.source == "text" for w in data]].any(0)[
        inventory.task_types.index("extract_text")
    ]
    text = [w for w in data if w.source == "text"]
    assert candidate_mask(text, inventory, text).all()  # one data set: the whole inventory
    result = train_phase1(_config(tmp_path, max_epochs=3, patience=50), data, data)
    assert max(row["val_node_f1"] for row in result.history) > 50


def test_cpu_training_is_bit_reproducible_on_several_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch

    from orchestai_agents.planner import Planner

    # Multithreaded CPU index_put_(accumulate=True), the backward of gathering task-type keys,
    # sums in a varying order unless PyTorch's deterministic kernels are on; the drift is
    # invisible at this size but moved a real checkpoint by several points.
    modes = []
    forward = Planner.forward

    def recording(self: Planner, *args: object, **kw: object) -> object:
        modes.append(torch.are_deterministic_algorithms_enabled())
        return forward(self, *args, **kw)

    monkeypatch.setattr(Planner, "forward", recording)
    data = _workflows()
    runs = [
        train_phase1(_config(tmp_path / name, max_epochs=4, patience=50, threads=2), data, data)
        for name in ("a", "b")
    ]
    assert modes and all(modes)
    assert not torch.are_deterministic_algorithms_enabled()  # the caller's setting is back
    first, second = (r.planner.state_dict() for r in runs)
    assert all(torch.equal(first[k], second[k]) for k in first)
    assert [r["val_score"] for r in runs[0].history] == [r["val_score"] for r in runs[1].history]


def test_fine_tuning_trains_the_top_layers_and_the_checkpoint_keeps_them(tmp_path: Path) -> None:
    data = _workflows()
    config = _config(tmp_path, max_epochs=3, patience=50, encoder_lr=1e-3)
    config.planner.encoder = EncoderConfig(trainable=True, trainable_layers=1)
    before = TextEncoder().model.state_dict()
    planner = train_phase1(config, data, data).planner
    after = planner.encoder.text.model.state_dict()
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed and all(k.startswith("encoder.layer.5.") for k in changed)
    # The plan memory is keyed by the fine-tuned encoder, as it embeds requests at inference.
    pooled = planner.encoder.text.encode([w.request for w in data]).pooled  # float weights
    assert torch.allclose(planner.memory.keys.float(), F.normalize(pooled, dim=-1), atol=1e-2)

    requests = [w.request for w in data]
    expected = [p.task_types for p in planner.predict(requests)]
    assert planner.encoder.text.quantized  # an int8 copy encodes; the float weights stay
    planner.save_pretrained(tmp_path / "ckpt")
    stored = {k for k in load_file(tmp_path / "ckpt" / "model.safetensors") if "text." in k}
    assert stored == {f"encoder.text.model.{k}" for k in after if k.startswith("encoder.layer.5.")}
    card = (tmp_path / "ckpt" / "README.md").read_text()
    assert "the top 1 of its layers fine-tuned and included, the rest loaded by name" in card
    loaded = Planner.from_pretrained(tmp_path / "ckpt")
    assert [p.task_types for p in loaded.predict(requests)] == expected
    planner.train()
    assert not planner.encoder.text.quantized  # training changes the weights the copy was made of


def test_a_moving_average_is_validated_and_kept_while_training_goes_on_as_before(
    tmp_path: Path,
) -> None:
    data = _workflows()
    runs = []
    for ema_decay in (0.0, 0.5):
        config = _config(tmp_path, max_epochs=2, patience=50, encoder_lr=1e-3, ema_decay=ema_decay)
        config.planner.encoder = EncoderConfig(trainable=True, trainable_layers=1)
        runs.append(train_phase1(config, data, data))
    plain, averaged = runs
    # Training itself is untouched, also in the epoch after the averaged copy was validated.
    assert [r["train_loss"] for r in averaged.history] == [r["train_loss"] for r in plain.history]
    weights = [r.planner.state_dict() for r in runs]
    top = [k for k in weights[0] if k.startswith("encoder.text.model.encoder.layer.5.")]
    assert top and not all(torch.equal(weights[0][k], weights[1][k]) for k in top)
    # The kept plan memory is keyed by the kept (averaged) encoder.
    planner = averaged.planner
    pooled = planner.encoder.text.encode([w.request for w in data]).pooled
    assert torch.allclose(planner.memory.keys.float(), F.normalize(pooled, dim=-1), atol=1e-2)


def test_the_train_command_fine_tunes_the_top_layers_it_is_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from orchestai_agents.cli.main import build_parser, main

    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "--out", "x", "--fine-tune-layers", "-1"])
    assert "'-1' is not a whole number of 0 or more" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "--out", "x", "--ema-decay", "1"])
    assert "'1' is not a number from 0 up to, but not including, 1" in capsys.readouterr().err
    out = tmp_path / "ckpt"
    argv = ["train", "--data", "builtin", "--out", str(out), "--epochs", "1"]
    argv += ["--cache-dir", str(tmp_path / "cache")]
    assert main([*argv, "--fine-tune-layers", "1"]) == 0
    config = Planner.from_pretrained(out).config.encoder
    assert (config.trainable, config.trainable_layers) == (True, 1)


def test_int8_features_are_what_the_int8_encoder_computes_for_requests_and_descriptions(
    tmp_path: Path,
) -> None:
    from orchestai_agents.training.phase1 import _Data, _inventory_texts, _with_inventory
    from orchestai_agents.training.phase1_data import inventory_of

    data = _workflows()
    inventory = inventory_of(data)
    planner = Planner(_with_inventory(_config(tmp_path).planner, inventory, len(data), data))
    cpu = torch.device("cpu")
    floats, int8s = (
        _Data.build(planner, inventory, data, data, None, cpu, int8=flag) for flag in (False, True)
    )
    encoder = planner.encoder.text.int8_copy()

    requests = encoder.encode([w.request for w in data]).pooled
    assert torch.equal(int8s.train[0].pooled, requests)
    assert not torch.equal(floats.train[0].pooled, requests)
    types = encoder.encode(_inventory_texts(inventory)[0]).pooled
    assert torch.equal(int8s.descriptions[0].pooled, types)
    assert not torch.equal(floats.descriptions[0].pooled, types)


def test_int8_features_are_refused_for_a_planner_that_encodes_in_float(tmp_path: Path) -> None:
    config = _config(tmp_path)
    config.planner.encoder = EncoderConfig(quantize=False)
    with pytest.raises(ValueError, match=r"encoder\.quantize is False"):
        replace(config, int8_features=True)
    from orchestai_agents.cli.main import build_parser
    from orchestai_agents.cli.train import _config as flags_to_config

    args = build_parser().parse_args(["train", "--out", str(tmp_path / "o"), "--int8-features"])
    assert flags_to_config(args).int8_features


def test_tools_that_are_their_own_workers_are_encoded_once_a_refresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestai_agents.adapters import default_registry
    from orchestai_agents.training import phase1
    from orchestai_agents.training.phase1_data import inventory_of

    data = _workflows()
    cpu = torch.device("cpu")
    passes = []
    output = phase1._encoder_output
    monkeypatch.setattr(
        phase1, "_encoder_output", lambda p, cached: passes.append(cached) or output(p, cached)
    )
    for inventory, encodings in (
        (inventory_of(data), 3),  # each tool its own worker: types, train and val requests
        (Inventory.from_registry(default_registry()), 4),  # workers with texts of their own
    ):
        config = _config(tmp_path).planner
        config.encoder = EncoderConfig(trainable=True, trainable_layers=1)
        planner = Planner(phase1._with_inventory(config, inventory, len(data), data))
        built = phase1._Data.build(planner, inventory, data, data, None, cpu)
        passes.clear()
        built.refresh(planner, cpu)
        assert len(passes) == encodings
        expected = output(planner, built.descriptions[1]).pooled  # the workers' own pass
        assert torch.equal(built.workers, expected)
