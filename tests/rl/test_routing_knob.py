"""A trained router inside route_plan: the caller's preference moves the choice, no retraining."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch
from langchain_core.runnables import RunnableLambda
from orchestai_agents.training.env import EnvConfig
from orchestai_agents.training.routing.pretrain import PretrainConfig, pretrain_selector

from orchestai_agents import (
    Capabilities,
    CostModel,
    Plan,
    SubTask,
    WorkerOutput,
    WorkerRegistry,
    WorkerSpec,
)
from orchestai_agents.planner import Router, RoutingPreference, route_plan
from orchestai_agents.planner.routing import worker_features

USD = (0.001, 0.01, 0.1)


def test_a_trained_router_follows_the_callers_preference(table, embeddings):
    names = table.models  # cheap, mid, dear
    rng = np.random.default_rng(3)
    descriptions = rng.normal(size=(3, embeddings.shape[1])).astype(np.float32)
    descriptions /= np.linalg.norm(descriptions, axis=1, keepdims=True)
    only_dear = replace(
        table, score=np.tile(np.array([0.0, 0.0, 1.0], np.float32), (len(table), 1))
    )
    env = EnvConfig(max_nodes=3, beta_range=(1.0, 1e4), beta_scale=1e4)
    selector = pretrain_selector(
        only_dear,
        embeddings,
        worker_features(descriptions, USD),
        env,
        PretrainConfig(epochs=400, hidden=32, dropout=0.0),
    )
    # The router embeds texts; here each text stands for a row or a worker's description.
    vectors = {f"prompt {i}": e for i, e in enumerate(embeddings)}
    vectors |= {f"the {n} model": d for n, d in zip(names, descriptions, strict=True)}
    router = Router(selector, lambda texts: torch.tensor(np.stack([vectors[t] for t in texts])))
    registry = WorkerRegistry(
        WorkerSpec(
            n,
            f"the {n} model",
            RunnableLambda(lambda t: WorkerOutput("ok")),
            Capabilities(frozenset({"answer_question"})),
            CostModel(usd_per_call=usd),
            expected_output_tokens=0,
        )
        for n, usd in zip(names, USD, strict=True)
    )
    for row in (0, 5):
        plan = Plan(f"prompt {row}", (SubTask("a", f"prompt {row}", "answer_question", "mid"),))
        chosen = {
            pref: route_plan(plan, registry, RoutingPreference(pref, cost_weight_scale=1e4), router)
            .subtasks[0]
            .worker
            for pref in (0.0, 1.0)
        }
        # Only the dear model is ever right: worth its price for quality, not for the lowest cost.
        assert chosen == {0.0: "dear", 1.0: "cheap"}
