from __future__ import annotations

import warnings

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env as gymnasium_check_env
from orchestai_agents.training.env import EnvConfig, OrchestrationEnv, RewardConfig
from orchestai_agents.training.routing.backends import NodeOutcome, ReplayBackend
from stable_baselines3.common.env_checker import check_env as sb3_check_env

from orchestai_agents.errors import ConfigError


def test_passes_gymnasium_and_sb3_checkers(backend, env_config):
    # The checkers report much of what they find as warnings: make those failures too.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gymnasium_check_env(OrchestrationEnv(backend, env_config), skip_render_check=True)
        sb3_check_env(OrchestrationEnv(backend, env_config), warn=True)


def test_reward_worked_out_by_hand():
    # Two nodes, one failed: no workflow success, one node bonus.
    outcomes = [NodeOutcome(True, 0.5, 2.0), NodeOutcome(False, 1.5, 3.0)]
    reward = RewardConfig(alpha=10.0, beta=0.1, gamma=0.01, node_bonus=0.1)
    # 10*0 - 0.1*2.0 - 0.01*5.0 + 0.1*1 = -0.2 - 0.05 + 0.1
    assert reward(outcomes) == pytest.approx(-0.15)
    # All succeed: 10 - 0.1*2.0 - 0.01*5.0 + 0.2 = 9.95
    assert reward([o._replace(success=True) for o in outcomes]) == pytest.approx(9.95)


def test_episode_reward_matches_recorded_outcomes(backend, table):
    env = OrchestrationEnv(backend, EnvConfig(max_nodes=1))
    env.reset(seed=3)
    row = int(env.workflow.payload[0])
    _, reward, done, truncated, info = env.step(2)
    ok = bool(table.success[row, 2])
    # 10*ok - 0.1*0.1 USD - 0.01*4 s + 0.1*ok
    assert done and not truncated
    assert reward == pytest.approx(10.1 * ok - 0.01 - 0.04, abs=1e-6)
    assert info["usd"] == pytest.approx(0.1)


def test_episode_routes_every_node_in_order(backend, env_config):
    env = OrchestrationEnv(backend, EnvConfig(max_nodes=3, min_nodes=3))
    obs, _ = env.reset(seed=0)
    rewards = []
    for step in range(3):
        assert obs["graph"][3 : 3 + step].sum() == step  # routed slots so far
        obs, reward, done, _, info = env.step(0)
        rewards.append(reward)
    assert done and rewards[:2] == [0.0, 0.0] and info["choices"] == [0, 0, 0]


def test_budget_masks_unaffordable_workers(backend):
    env = OrchestrationEnv(backend, EnvConfig(max_nodes=1, budget_usd=0.05))
    env.reset(seed=0)
    np.testing.assert_array_equal(env.action_masks(), [True, True, False])
    # Past the budget the cheapest worker stays available so the episode can finish.
    env = OrchestrationEnv(backend, EnvConfig(max_nodes=1, budget_usd=0.0005))
    env.reset(seed=0)
    np.testing.assert_array_equal(env.action_masks(), [True, False, False])


def test_masked_action_fails_the_node_at_no_cost(backend):
    env = OrchestrationEnv(backend, EnvConfig(max_nodes=1, budget_usd=0.05))
    env.reset(seed=0)
    _, reward, done, _, info = env.step(2)  # masked: over budget
    assert done and not info["success"] and info["usd"] == 0.0 and reward == 0.0


def test_cost_weight_is_drawn_per_episode_and_observed(backend):
    env = OrchestrationEnv(backend, EnvConfig(max_nodes=1, beta_range=(1.0, 1e4), beta_scale=1e4))
    seen = {float(env.reset(seed=s)[0]["preference"][0]) for s in range(5)}
    assert len(seen) == 5 and all(0.0 <= p <= 1.0 for p in seen)


def test_curriculum_caps_workflow_length(backend):
    env = OrchestrationEnv(backend, EnvConfig(max_nodes=3))
    env.set_curriculum(1)
    assert {env.reset(seed=s)[1]["n_nodes"] for s in range(20)} == {1}
    env.set_curriculum(3)
    assert {env.reset(seed=s)[1]["n_nodes"] for s in range(40)} == {1, 2, 3}


@pytest.mark.parametrize("min_nodes", [1, 5])
def test_more_nodes_than_rows_is_refused_when_the_env_is_built(
    table, embeddings, features, min_nodes
):
    # 3 rows cannot fill a 5-node workflow of distinct rows, even if most episodes are shorter.
    backend = ReplayBackend(table, embeddings, features, rows=[0, 1, 2])

    with pytest.raises(ConfigError, match="5 distinct table rows, but the replay back-end has 3;"):
        OrchestrationEnv(backend, EnvConfig(min_nodes=min_nodes, max_nodes=5))

    assert len(OrchestrationEnv(backend, EnvConfig(max_nodes=3)).reset(seed=0)[0]["graph"]) == 8
