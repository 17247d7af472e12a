from __future__ import annotations

import csv
import json
from dataclasses import replace

import numpy as np
import pytest
import torch
from orchestai_agents.training.env import EnvConfig
from orchestai_agents.training.routing.outcomes import OutcomeTable
from orchestai_agents.training.routing.pretrain import (
    PretrainConfig,
    estimate_success,
    gold_workers,
    pretrain_selector,
    selector_choices,
)

from orchestai_agents.planner.selector import (
    context_width,
    cost_preference,
    load_selector,
    node_context,
)


def test_node_context_layout_by_hand():
    ctx = node_context(
        max_nodes=3, position=2, n_nodes=3, dependencies=[0], budget_left=0.5, cost_weight=0.0
    )
    assert len(ctx) == context_width(3) == 10
    assert ctx == [1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 2 / 3, 1.0, 0.5, 0.0]
    assert cost_preference(3e4) == 1.0 and 0.0 < cost_preference(100.0) < 1.0


def test_gold_workers_hard_and_soft():
    success = np.array([[1.0, 1.0, 0.0]])
    usd = np.array([[0.001, 0.1, 0.0001]])
    env = EnvConfig()
    # Both correct models are worth 10.1; beta=1 makes the cheap one gold.
    np.testing.assert_array_equal(
        gold_workers(success, usd, np.array([1.0]), env), [[1.0, 0.0, 0.0]]
    )
    soft = gold_workers(success, usd, np.array([1.0]), env, temperature=1.0)
    assert soft[0, 0] > soft[0, 1] > 0.4 and soft[0, 2] < 1e-4


def test_one_selector_serves_every_cost_weight(table, embeddings, features):
    # Only the dearest model is ever right: worth it at a low cost weight, not at a high one.
    only_dear = replace(
        table, score=np.tile(np.array([0.0, 0.0, 1.0], np.float32), (len(table), 1))
    )
    env = EnvConfig(max_nodes=3, beta_range=(1.0, 1e4), beta_scale=1e4)
    selector = pretrain_selector(
        only_dear, embeddings, features, env, PretrainConfig(epochs=400, hidden=32, dropout=0.0)
    )
    np.testing.assert_array_equal(selector_choices(selector, embeddings, features, 1.0, env), 2)
    np.testing.assert_array_equal(selector_choices(selector, embeddings, features, 1e4, env), 0)


def test_a_small_table_trains_its_selector_with_the_default_settings(table, embeddings, features):
    # 24 rows are one batch a pass: the default 60 passes alone would leave it untrained.
    only_dear = replace(
        table, score=np.tile(np.array([0.0, 0.0, 1.0], np.float32), (len(table), 1))
    )
    env = EnvConfig(max_nodes=3, beta_range=(1.0, 1e4), beta_scale=1e4)
    torch.manual_seed(0)
    selector = pretrain_selector(only_dear, embeddings, features, env, PretrainConfig(hidden=32))
    np.testing.assert_array_equal(selector_choices(selector, embeddings, features, 1.0, env), 2)


def _clustered(n: int = 200) -> tuple[OutcomeTable, np.ndarray]:
    """Two kinds of prompt: model 0 is right on 80% of kind A and 20% of kind B, model 1 the reverse."""
    rng = np.random.default_rng(0)
    kind = np.arange(n) % 2
    centres = rng.normal(size=(2, 16))
    x = (centres[kind] + 0.3 * rng.normal(size=(n, 16))).astype(np.float32)
    p_right = np.where(kind[:, None] == 0, [0.8, 0.2], [0.2, 0.8])
    score = (rng.random((n, 2)) < p_right).astype(np.float32)
    ids = tuple(f"row{i}" for i in range(n))
    cost = np.full((n, 2), 0.01, np.float32)
    return OutcomeTable(ids, ids, ("",) * n, ("m0", "m1"), score, cost, np.zeros_like(cost)), x


def test_success_estimates_learn_which_model_suits_which_prompts():
    table, x = _clustered()
    torch.manual_seed(0)
    estimate = estimate_success(table, x, PretrainConfig(hidden=16))
    kind_a = np.arange(len(table)) % 2 == 0
    assert estimate[kind_a, 0].mean() > 0.6 and estimate[~kind_a, 0].mean() < 0.4
    assert estimate[kind_a, 1].mean() < 0.4 and estimate[~kind_a, 1].mean() > 0.6


def test_a_rows_success_estimate_never_sees_its_own_outcome():
    table, x = _clustered(60)
    config = PretrainConfig(hidden=16, success_epochs=20)
    torch.manual_seed(0)
    before = estimate_success(table, x, config)
    flipped = replace(table, score=table.score.copy())
    flipped.score[0] = 1.0 - flipped.score[0]
    torch.manual_seed(0)
    after = estimate_success(flipped, x, config)
    np.testing.assert_array_equal(after[0], before[0])
    assert not np.array_equal(after, before)  # the other folds' models did see it


def test_success_folds_must_leave_a_fold_out():
    with pytest.raises(ValueError, match="success_folds must be 0"):
        PretrainConfig(success_folds=1)


def test_the_route_command_chooses_phase_1_targets(capsys):
    from orchestai_agents.training.routing_eval import config_from_args

    from orchestai_agents.cli.main import build_parser

    args = build_parser().parse_args(
        ["route", "--data", "t.csv", "--success-folds", "0", "--target-temperature", "1"]
    )
    pretrain = config_from_args(args).pretrain
    assert (pretrain.success_folds, pretrain.target_temperature) == (0, 1.0)
    default = config_from_args(build_parser().parse_args(["route", "--data", "t.csv"])).pretrain
    assert default.success_folds == PretrainConfig().success_folds
    with pytest.raises(SystemExit):
        build_parser().parse_args(["route", "--data", "t.csv", "--success-folds", "1"])
    assert "use 0 (learn from the recorded outcomes) or 2 or more" in capsys.readouterr().err


@pytest.mark.slow
def test_a_users_table_trains_through_the_route_command(tmp_path):
    """The documented command on a user's own outcome table (runs the real MiniLM encoder)."""
    from orchestai_agents.training.routing_eval import main

    rng = np.random.default_rng(0)
    path = tmp_path / "mine.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["prompt", "small", "big", "small|total_cost", "big|total_cost"])
        for i in range(60):
            writer.writerow(
                [
                    f"question number {i} about {'math' if i % 2 else 'poems'}",
                    int(rng.random() < 0.5),
                    1,
                    0.001,
                    0.01,
                ]
            )
    out = tmp_path / "out"
    argv = [
        "--data", str(path), "--out", str(out), "--timesteps", "64", "--epochs", "2",
        "--n-envs", "2", "--choices-out", str(tmp_path / "choices.csv"),
        "--checkpoint", str(tmp_path / "planner"),
    ]  # fmt: skip
    code = main(argv)
    assert code == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert {r["router"] for r in metrics["routers"]} >= {
        "selector phase 2 (PPO)",
        "oracle",
        "always big",
    }
    ppo = next(r for r in metrics["routers"] if r["router"] == "selector phase 2 (PPO)")
    assert set(ppo["vs_knn"]) == {"smallest_gap", "at_usd"}
    assert "kNN" in metrics["table"]
    assert (out / "cost_quality.png").stat().st_size > 0
    assert (out / "ppo" / "selector" / "selector.safetensors").is_file()
    with (tmp_path / "choices.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert {r["model"] for r in rows} <= {"small", "big"} and len(
        {r["sample_id"] for r in rows}
    ) == 18
    # --checkpoint into a new folder: the shipped planner with the tuned selector as its router.
    from orchestai_agents.planner import Planner

    planned = Planner.from_pretrained(tmp_path / "planner")
    assert planned.router is not None
    assert [w["name"] for w in planned.router.workers] == ["small", "big"]
    assert torch.equal(
        planned.router.selector.score.weight,
        load_selector(out / "ppo" / "selector").score.weight,
    )
    # A second run into the same --out moves the first one's files aside, whole.
    first = (out / "metrics.json").read_text()
    assert main([*argv, "--seed", "1"]) == 0
    (kept,) = out.glob("run-*")
    assert (kept / "metrics.json").read_text() == first
    assert {p.name for p in kept.iterdir()} == {"metrics.json", "cost_quality.png", "phase1", "ppo"}
    assert (out / "metrics.json").read_text() != first
    # The first run's router routes the same models: both were scored, the better one is live.
    second = json.loads((out / "metrics.json").read_text())["checkpoint"]
    assert second["installed_aiq"] is not None
    winner = out if second["replaced"] else kept
    assert torch.equal(
        load_selector(tmp_path / "planner").score.weight,
        load_selector(winner / "ppo" / "selector").score.weight,
    )


def _metrics(seed: int, accuracy: float | None, gap: float) -> dict:
    at_goal = None if accuracy is None else {"accuracy": accuracy, "usd": 0.5}
    learned = {
        "router": "selector phase 2 (PPO)",
        "at_goal": at_goal,
        "aiq": 0.85 + seed / 1000,
        "usd_to_95pct_reference": 0.9,
        "vs_knn": {"smallest_gap": gap, "at_usd": 0.2},
    }
    knn = {"router": "kNN (k=40)", "at_goal": at_goal, "aiq": 0.84, "usd_to_95pct_reference": None}
    return {"goal_usd": 0.95, "routers": [learned, knn]}


def test_seeds_repeat_the_evaluation_and_report_the_spread(tmp_path, monkeypatch, capsys):
    """--seeds reruns everything per seed under OUT/seed-S; only the learned routers are spread."""
    from orchestai_agents.training import routing_eval

    from orchestai_agents.cli.main import main

    calls = []

    def fake_run(config, *, choices_out=None, checkpoint=None, replace_router=False):
        calls.append((config, choices_out, checkpoint))
        assert replace_router
        seed = config.seed
        return _metrics(seed, None if seed == 4 else 0.80 + seed / 100, -0.01 * seed)

    monkeypatch.setattr(routing_eval, "run", fake_run)
    args = ["route", "--data", "t.csv", "--out", str(tmp_path), "--seed", "2", "--seeds", "3"]
    assert main([*args, "--checkpoint", str(tmp_path / "planner"), "--replace-router"]) == 0
    assert [(c.seed, c.pretrain.seed, c.ppo.seed) for c, _, _ in calls] == [
        (s, s, s) for s in (2, 3, 4)
    ]
    assert [c.out for c, _, _ in calls] == [tmp_path / f"seed-{s}" for s in (2, 3, 4)]
    assert [ckpt for _, _, ckpt in calls] == [tmp_path / "planner", None, None]
    spread = json.loads((tmp_path / "seeds.json").read_text())
    assert spread["seeds"] == [2, 3, 4] and set(spread["routers"]) == {"selector phase 2 (PPO)"}
    accuracy = spread["routers"]["selector phase 2 (PPO)"]["accuracy_at_goal"]
    assert accuracy["values"][2] is None
    assert accuracy["values"][:2] == pytest.approx([0.82, 0.83])
    assert (accuracy["min"], accuracy["max"]) == pytest.approx((0.82, 0.83))
    assert accuracy["mean"] == pytest.approx(0.825)
    out = capsys.readouterr().out
    assert "over seeds 2, 3, 4: mean (min to max)" in out
    assert "82.5 (82.0 to 83.0), 1 never" in out and "-3.0 (-4.0 to -2.0)" in out


def test_one_seed_keeps_the_single_run_output(tmp_path, monkeypatch):
    from orchestai_agents.training import routing_eval

    from orchestai_agents.cli.main import main

    outs = []
    monkeypatch.setattr(
        routing_eval,
        "run",
        lambda config, **_: (
            outs.append(config.out) or {**_metrics(0, 0.8, 0.0), "table": "", "workflows": []}
        ),
    )
    assert main(["route", "--data", "t.csv", "--out", str(tmp_path), "--json"]) == 0
    assert outs == [tmp_path] and not (tmp_path / "seeds.json").exists()


def test_the_context_of_a_long_or_overspent_workflow_stays_in_its_space():
    long = node_context(max_nodes=5, position=6, n_nodes=7, dependencies=(5,), budget_left=-2.0)
    assert long == node_context(max_nodes=5, position=4, n_nodes=5, budget_left=0.0)
    assert all(0.0 <= v <= 1.0 for v in long)
