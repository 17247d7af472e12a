"""Tiny offline fixtures for the RL tests: a 3-model outcome table with random unit embeddings."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from orchestai_agents.training.env import EnvConfig
from orchestai_agents.training.routing.backends import ReplayBackend
from orchestai_agents.training.routing.outcomes import OutcomeTable

from orchestai_agents.planner.selector import Selector, SelectorConfig, context_width

HIDDEN, N_ROWS, MODELS = 8, 24, ("cheap", "mid", "dear")


@pytest.fixture(autouse=True)
def one_torch_thread():
    """These networks are tiny: extra intra-op threads only contend for the CPU (10x slower)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def table() -> OutcomeTable:
    rng = np.random.default_rng(0)
    score = (rng.random((N_ROWS, 3)) < [0.4, 0.6, 0.9]).astype(np.float32)
    cost = np.tile(np.array([0.001, 0.01, 0.1], np.float32), (N_ROWS, 1))
    seconds = np.tile(np.array([1.0, 2.0, 4.0], np.float32), (N_ROWS, 1))
    ids = tuple(f"row{i}" for i in range(N_ROWS))
    return OutcomeTable(ids, ids, ("a", "b") * (N_ROWS // 2), MODELS, score, cost, seconds)


@pytest.fixture
def embeddings() -> np.ndarray:
    x = np.random.default_rng(1).normal(size=(N_ROWS, HIDDEN)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.fixture
def features() -> np.ndarray:
    return np.random.default_rng(2).normal(size=(3, HIDDEN + 1)).astype(np.float32)


@pytest.fixture
def backend(table, embeddings, features) -> ReplayBackend:
    return ReplayBackend(table, embeddings, features)


@pytest.fixture
def env_config() -> EnvConfig:
    return EnvConfig(max_nodes=3, beta_range=(1.0, 100.0))


@pytest.fixture
def selector(env_config) -> Selector:
    config = SelectorConfig(
        HIDDEN, HIDDEN, HIDDEN + 1, context_width(env_config.max_nodes), hidden=16
    )
    return Selector(config)
