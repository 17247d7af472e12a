from __future__ import annotations

import gc
import tempfile
import warnings

import numpy as np
import pytest
import torch
from orchestai_agents.training.env import EnvConfig
from orchestai_agents.training.phase2 import (
    CurriculumCallback,
    PPOConfig,
    build_ppo,
    finetune,
    make_envs,
    selector_inputs,
)
from sb3_contrib.common.maskable.utils import get_action_masks

from orchestai_agents.planner.selector import load_selector

TINY = PPOConfig(
    total_timesteps=64, n_envs=2, n_steps=32, batch_size=32, n_epochs=1, eval_freq=0, device="cpu"
)


def _obs(model, envs):
    obs, _ = model.policy.obs_to_tensor(envs.reset())
    return obs


def test_initial_policy_is_the_phase1_selector(selector, backend, env_config, features):
    torch.nn.init.normal_(selector.score.weight, std=0.5)  # anything but a fresh init pattern
    envs = make_envs(backend, env_config, 2, seed=0)
    model = build_ppo(selector, envs, TINY, features)
    obs = _obs(model, envs)
    with torch.no_grad():
        instruction, node, mask, context = selector_inputs(obs)
        expected = selector(instruction, node, torch.as_tensor(features), mask, context)
        policy_logits = model.policy.get_distribution(obs).distribution.logits
        values = model.policy.predict_values(obs).squeeze(-1)
    torch.testing.assert_close(policy_logits, torch.log_softmax(expected.logits, -1))
    torch.testing.assert_close(values, expected.value)


def test_policy_differs_from_an_unloaded_selector(selector, backend, env_config, features):
    # Guards the equality test above: a policy built from other weights must not match.
    envs = make_envs(backend, env_config, 2, seed=0)
    model = build_ppo(selector, envs, TINY, features)
    torch.manual_seed(123)
    other = type(selector)(selector.config)
    obs = _obs(model, envs)
    with torch.no_grad():
        instruction, node, mask, context = selector_inputs(obs)
        logits = other(instruction, node, torch.as_tensor(features), mask, context).logits
        assert not torch.allclose(
            model.policy.get_distribution(obs).distribution.logits, torch.log_softmax(logits, -1)
        )


def test_masked_workers_are_never_chosen(selector, backend, features):
    config = EnvConfig(max_nodes=3, budget_usd=0.05)  # worker 2 costs 0.1: always masked
    envs = make_envs(backend, config, 2, seed=0)
    model = build_ppo(selector, envs, TINY, features)
    model.policy.epsilon = 0.5
    obs = envs.reset()
    actions = [model.predict(obs, action_masks=get_action_masks(envs))[0] for _ in range(50)]
    assert 2 not in np.concatenate(actions)


def test_epsilon_mixes_in_uniform_capable_workers(selector, backend, env_config, features):
    envs = make_envs(backend, env_config, 2, seed=0)
    model = build_ppo(selector, envs, TINY, features)
    obs = _obs(model, envs)
    greedy = model.policy.get_distribution(obs).distribution.probs
    model.policy.epsilon = 0.2
    mixed = model.policy.get_distribution(obs).distribution.probs
    torch.testing.assert_close(mixed, 0.8 * greedy + 0.2 / 3)


def test_learn_64_steps_and_write_safetensors(selector, backend, env_config, tmp_path):
    config = PPOConfig(
        **{**TINY.__dict__, "eval_freq": 16, "n_eval_episodes": 2, "checkpoint_freq": 16}
    )
    tuned = finetune(selector, backend, backend, env_config, config, tmp_path)
    reloaded = load_selector(tmp_path / "selector")
    for key, value in tuned.state_dict().items():
        torch.testing.assert_close(reloaded.state_dict()[key], value)
    assert (tmp_path / "best" / "selector.safetensors").is_file()
    assert list((tmp_path / "checkpoints").glob("step-*/selector.safetensors"))
    assert not list(tmp_path.rglob("*.zip"))


def test_ppo_statistics_go_to_the_run_folder_not_the_temp_dir(
    selector, backend, env_config, tmp_path, monkeypatch
):
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.delenv("SB3_LOGDIR", raising=False)
    finetune(selector, backend, None, env_config, TINY, tmp_path / "run")
    header = (tmp_path / "run" / "progress.csv").read_text().splitlines()[0].split(",")
    assert {"explore/epsilon", "curriculum/max_nodes", "time/total_timesteps"} <= set(header)
    build_ppo(
        selector, make_envs(backend, env_config, 2, seed=0), TINY, backend.worker_features
    ).learn(16)
    assert not list(temp.iterdir())


def test_finetune_closes_its_statistics_file(selector, backend, env_config, tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        finetune(selector, backend, None, env_config, TINY, tmp_path / "run")
        gc.collect()  # an unclosed progress.csv warns when the PPO model is collected
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert (tmp_path / "run" / "progress.csv").read_text().count("\n") >= 2


@pytest.mark.parametrize(("second_stage", "final_nodes"), [(0.5, 3), (2.0, 1)])
def test_curriculum_callback_raises_workflow_length(
    selector, backend, features, second_stage, final_nodes
):
    envs = make_envs(backend, EnvConfig(max_nodes=3), 2, seed=0)
    config = PPOConfig(**{**TINY.__dict__, "n_steps": 8, "batch_size": 16})
    model = build_ppo(selector, envs, config, features)
    model.learn(64, callback=CurriculumCallback(((0.0, 1), (second_stage, 3)), total_timesteps=64))
    assert {c.curriculum_nodes for c in envs.get_attr("config")} == {final_nodes}


def test_config_rejects_bad_epsilon():
    with pytest.raises(ValueError, match="epsilon"):
        PPOConfig(epsilon=1.5)


def test_exploration_trains_where_the_budget_masks_a_worker(selector, backend, tmp_path):
    # A masked worker's probability is 0 under epsilon mixing: its log must not turn into NaN.
    config = PPOConfig(**{**TINY.__dict__, "epsilon": 0.2})
    finetune(selector, backend, None, EnvConfig(max_nodes=3, budget_usd=0.05), config, tmp_path)
    assert all(torch.isfinite(p).all() for p in load_selector(tmp_path / "selector").parameters())


def test_the_first_episodes_already_follow_the_first_curriculum_stage(
    selector, backend, env_config, tmp_path, monkeypatch
):
    from orchestai_agents.training import phase2

    built = []
    real = phase2.make_envs
    monkeypatch.setattr(
        phase2, "make_envs", lambda b, c, *a, **k: built.append(c) or real(b, c, *a, **k)
    )
    finetune(selector, backend, None, env_config, TINY, tmp_path)
    assert built[0].curriculum_nodes == 1  # TINY's curriculum starts at one sub-task


def test_the_policy_updates_the_distribution_it_sampled_from(
    selector, backend, env_config, features
):
    # With dropout in the selector, train mode (PPO's update) would score actions with another
    # policy than eval mode (its rollouts).
    from dataclasses import replace

    from orchestai_agents.planner.selector import Selector

    dropping = Selector(replace(selector.config, dropout=0.5))
    envs = make_envs(backend, env_config, 2, seed=0)
    model = build_ppo(dropping, envs, TINY, features)
    obs = _obs(model, envs)
    with torch.no_grad():
        model.policy.set_training_mode(False)
        sampled = model.policy.get_distribution(obs).distribution.logits
        model.policy.set_training_mode(True)
        updated = model.policy.get_distribution(obs).distribution.logits
    torch.testing.assert_close(updated, sampled)
