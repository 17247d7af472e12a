from __future__ import annotations

import csv
import json
from dataclasses import replace

import numpy as np
import pytest
import torch
from orchestai_agents.training.env import EnvConfig
from orchestai_agents.training.routing.pretrain import (
    PretrainConfig,
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
    code = main(
        [
            "--data",
            str(path),
            "--out",
            str(out),
            "--timesteps",
            "64",
            "--epochs",
            "2",
            "--n-envs",
            "2",
            "--choices-out",
            str(tmp_path / "choices.csv"),
            "--checkpoint",
            str(tmp_path / "planner"),
        ]
    )
    assert code == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert {r["router"] for r in metrics["routers"]} >= {
        "selector phase 2 (PPO)",
        "oracle",
        "always big",
    }
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
