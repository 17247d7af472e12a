"""Phase 2: fine-tune the phase-1 selector with sb3-contrib's MaskablePPO.

The policy *is* the selector: a features extractor runs :class:`Selector` on the Dict
observation and emits its masked logits and value, and the policy's action and value nets are
identities, so the initial policy equals the phase-1 selector (weights loaded after the policy
is built; ``ortho_init`` is off so nothing re-initialises them). Training hooks are SB3
callbacks: masked evaluation, safetensors checkpoints, an easy -> hard curriculum over workflow
length, and epsilon-greedy exploration mixed into the policy's own distribution (so PPO's
importance ratios stay exact). The result is written as safetensors; SB3 zips stay local.

Example:
    >>> tuned = finetune(selector, train_backend, eval_backend, EnvConfig(), PPOConfig(), "runs/ppo")  # doctest: +SKIP
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, cast

import numpy as np
import torch
from gymnasium import spaces
from orchestai_agents.training.env import EnvConfig, OrchestrationEnv
from orchestai_agents.training.routing.backends import OutcomeBackend
from sb3_contrib import MaskablePPO
from sb3_contrib.common.maskable.callbacks import MaskableEvalCallback
from sb3_contrib.common.maskable.policies import MaskableActorCriticPolicy
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.callbacks import BaseCallback, CallbackList
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.logger import Logger, configure
from stable_baselines3.common.torch_layers import BaseFeaturesExtractor
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv, VecEnv
from torch import nn

from orchestai_agents.planner.selector import MASKED_LOGIT, Selector, SelectorConfig, save_selector

__all__ = [
    "CurriculumCallback",
    "EpsilonGreedyCallback",
    "PPOConfig",
    "SaveSelectorCallback",
    "SelectorExtractor",
    "SelectorPolicy",
    "build_ppo",
    "finetune",
    "make_envs",
    "policy_selector",
    "selector_inputs",
]


@dataclass(frozen=True)
class PPOConfig:
    """PPO fine-tuning settings.

    Attributes:
        total_timesteps: environment steps to train for.
        n_envs: parallel environments.
        vec_env: ``"dummy"`` (one process) or ``"subproc"`` (one process per env).
        n_steps: steps per env per rollout.
        batch_size: minibatch size.
        n_epochs: passes over each rollout.
        learning_rate: Adam step size (small: we start from a trained selector).
        gamma: discount.
        gae_lambda: GAE lambda.
        clip_range: PPO ratio clip.
        ent_coef: entropy bonus.
        vf_coef: value loss weight.
        target_kl: stop an update early past this KL (keeps the pre-trained policy close).
        epsilon: epsilon-greedy probability of a uniform capable worker at the start.
        epsilon_decay_fraction: fraction of training over which epsilon falls linearly to 0.
        curriculum: (progress in [0, 1], max sub-tasks) stages, easy -> hard.
        eval_freq: steps (per env) between evaluations; 0 disables them.
        n_eval_episodes: episodes per evaluation.
        checkpoint_freq: steps (per env) between safetensors checkpoints; 0 disables them.
        device: ``"auto"`` (cuda when present), ``"cpu"`` or ``"cuda"``.
        seed: RNG seed.
        tensorboard_log: folder for TensorBoard logs, or ``None`` (then :func:`finetune` writes
            PPO's statistics to ``out_dir/progress.csv``).
    """

    total_timesteps: int = 100_000
    n_envs: int = 4
    vec_env: Literal["dummy", "subproc"] = "dummy"
    n_steps: int = 256
    batch_size: int = 256
    n_epochs: int = 4
    learning_rate: float = 1e-4
    gamma: float = 0.99
    gae_lambda: float = 0.95
    clip_range: float = 0.2
    ent_coef: float = 0.003
    vf_coef: float = 0.5
    target_kl: float | None = 0.05
    epsilon: float = 0.2
    epsilon_decay_fraction: float = 0.5
    curriculum: tuple[tuple[float, int], ...] = ((0.0, 1), (0.3, 3), (0.6, 5))
    eval_freq: int = 5_000
    n_eval_episodes: int = 200
    checkpoint_freq: int = 0
    device: str = "auto"
    seed: int = 0
    tensorboard_log: str | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.epsilon <= 1.0:
            raise ValueError(f"PPOConfig.epsilon must lie in [0, 1], got {self.epsilon}")
        if self.n_envs < 1 or self.n_steps < 1:
            raise ValueError("PPOConfig.n_envs and n_steps must be >= 1")
        if any(b[0] < a[0] for a, b in zip(self.curriculum, self.curriculum[1:], strict=False)):
            raise ValueError(
                f"PPOConfig.curriculum stages must be sorted by progress: {self.curriculum}"
            )


def selector_inputs(
    obs: Mapping[str, torch.Tensor],
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """(instruction, node, mask, context) of the selector from an env observation batch."""
    context = torch.cat([obs["graph"], obs["budget"], obs["preference"]], dim=-1)
    return obs["instruction"], obs["node"], obs["mask"].bool(), context


class SelectorExtractor(BaseFeaturesExtractor):
    """Runs the selector on the observation; features are its masked logits and its value.

    Shapes:
        forward: Dict observation batch -> (batch, n_workers + 1)
    """

    def __init__(
        self, observation_space: spaces.Dict, selector_config: SelectorConfig, workers: np.ndarray
    ) -> None:
        super().__init__(observation_space, features_dim=len(workers) + 1)
        self.selector = Selector(selector_config)
        self.register_buffer("workers", torch.as_tensor(np.asarray(workers, dtype=np.float32)))

    def forward(self, observations: dict[str, torch.Tensor]) -> torch.Tensor:
        instruction, node, mask, context = selector_inputs(observations)
        out = self.selector(instruction, node, self.workers, mask, context)
        return torch.cat([out.logits, out.value[:, None]], dim=1)


class _SplitHeads(nn.Module):
    """The selector already gives logits and value: split them instead of adding layers."""

    def __init__(self, n_workers: int) -> None:
        super().__init__()
        self.latent_dim_pi = n_workers
        self.latent_dim_vf = 1

    def forward(self, features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.forward_actor(features), self.forward_critic(features)

    def forward_actor(self, features: torch.Tensor) -> torch.Tensor:
        return features[:, : self.latent_dim_pi]

    def forward_critic(self, features: torch.Tensor) -> torch.Tensor:
        return features[:, self.latent_dim_pi :]


class SelectorPolicy(MaskableActorCriticPolicy):
    """MaskablePPO's policy with the selector as actor and critic.

    ``epsilon`` mixes a uniform choice over the capable workers into the action distribution,
    pi' = (1 - eps) * pi + eps * uniform: the sampled action's log-probability is that of the
    policy that chose it. :class:`EpsilonGreedyCallback` anneals it; it is 0 outside training.
    """

    def __init__(self, *args, **kwargs) -> None:
        kwargs["ortho_init"] = False  # orthogonal init would overwrite the selector's weights
        super().__init__(*args, **kwargs)
        self.epsilon = 0.0

    def _build_mlp_extractor(self) -> None:
        self.mlp_extractor = _SplitHeads(self.features_dim - 1)  # type: ignore[assignment]

    def _build(self, lr_schedule) -> None:
        super()._build(lr_schedule)
        self.action_net = nn.Identity()  # type: ignore[assignment]
        self.value_net = nn.Identity()  # type: ignore[assignment]
        # Rebuild the optimiser so it holds exactly the selector's parameters.
        self.optimizer = self.optimizer_class(
            self.parameters(),
            lr=lr_schedule(1),  # type: ignore[call-arg]
            **self.optimizer_kwargs,
        )

    def _get_action_dist_from_latent(self, latent_pi: torch.Tensor):
        logits = latent_pi  # (batch, n_workers), already masked by the selector
        if self.epsilon > 0.0:
            valid = (logits > MASKED_LOGIT / 2).to(logits.dtype)
            uniform = valid / valid.sum(-1, keepdim=True).clamp(min=1.0)
            probs = (1.0 - self.epsilon) * torch.softmax(logits, -1) + self.epsilon * uniform
            # A masked worker's probability is exactly 0: log(0)'s gradient would be NaN.
            logits = torch.log(probs.clamp(min=1e-30)).clamp(min=MASKED_LOGIT)
        return self.action_dist.proba_distribution(action_logits=logits)


class EpsilonGreedyCallback(BaseCallback):
    """Anneal the policy's epsilon linearly from ``start`` to 0 over ``decay_fraction`` of training."""

    def __init__(self, start: float, decay_fraction: float, total_timesteps: int) -> None:
        super().__init__()
        self.start, self.total = start, max(1, int(decay_fraction * total_timesteps))

    def _on_rollout_start(self) -> None:
        epsilon = self.start * max(0.0, 1.0 - self.model.num_timesteps / self.total)
        _policy(self.model).epsilon = epsilon
        self.logger.record("explore/epsilon", epsilon)

    def _on_step(self) -> bool:
        return True

    def _on_training_end(self) -> None:
        _policy(self.model).epsilon = 0.0


class CurriculumCallback(BaseCallback):
    """Raise the cap on workflow length as training progresses (easy -> hard)."""

    def __init__(self, stages: tuple[tuple[float, int], ...], total_timesteps: int) -> None:
        super().__init__()
        self.stages, self.total = stages, max(1, total_timesteps)
        self.current: int | None = None

    def _on_rollout_start(self) -> None:
        progress = self.model.num_timesteps / self.total
        n_nodes = [n for start, n in self.stages if start <= progress][-1]
        if n_nodes != self.current:
            self.training_env.env_method("set_curriculum", n_nodes)
            self.current = n_nodes
        self.logger.record("curriculum/max_nodes", n_nodes)

    def _on_step(self) -> bool:
        return True


class SaveSelectorCallback(BaseCallback):
    """Write the policy's selector as safetensors: every ``every`` calls, or when called as
    ``callback_on_new_best`` by an evaluation callback."""

    def __init__(self, folder: str | Path, every: int = 1) -> None:
        super().__init__()
        self.folder, self.every = Path(folder), every

    def _on_step(self) -> bool:
        if self.n_calls % self.every == 0:
            name = "best" if self.parent is not None else f"step-{self.num_timesteps}"
            save_selector(policy_selector(self.model), self.folder / name)
        return True


def _policy(model: BaseAlgorithm) -> SelectorPolicy:
    return cast(SelectorPolicy, model.policy)


def policy_selector(model: BaseAlgorithm) -> Selector:
    """The :class:`Selector` inside a model built by :func:`build_ppo` (its actor and critic)."""
    return cast(SelectorExtractor, _policy(model).features_extractor).selector


def make_envs(
    backend: OutcomeBackend, env_config: EnvConfig, n_envs: int, seed: int, kind: str = "dummy"
) -> VecEnv:
    """``n_envs`` seeded :class:`OrchestrationEnv` copies in a vectorised env."""
    vec_cls = SubprocVecEnv if kind == "subproc" else DummyVecEnv
    return make_vec_env(
        lambda: OrchestrationEnv(backend, env_config), n_envs=n_envs, seed=seed, vec_env_cls=vec_cls
    )


def build_ppo(
    selector: Selector,
    env: VecEnv,
    config: PPOConfig,
    workers: np.ndarray,
    log_dir: str | Path | None = None,
) -> MaskablePPO:
    """A MaskablePPO whose policy starts as a copy of ``selector`` (weights loaded after build).

    Without ``config.tensorboard_log``, PPO's statistics go to ``log_dir/progress.csv``, or
    nowhere when ``log_dir`` is ``None`` (SB3's own default would leave an empty ``SB3-<date>``
    folder in the temp directory on every run).
    """
    model = MaskablePPO(
        SelectorPolicy,
        env,
        learning_rate=config.learning_rate,
        n_steps=config.n_steps,
        batch_size=config.batch_size,
        n_epochs=config.n_epochs,
        gamma=config.gamma,
        gae_lambda=config.gae_lambda,
        clip_range=config.clip_range,
        ent_coef=config.ent_coef,
        vf_coef=config.vf_coef,
        target_kl=config.target_kl,
        policy_kwargs={
            "features_extractor_class": SelectorExtractor,
            # No dropout: SB3 collects rollouts in eval mode and updates in train mode, and the
            # update's policy must be the one that chose the actions (its ratio starts at 1).
            "features_extractor_kwargs": {
                "selector_config": replace(selector.config, dropout=0.0),
                "workers": workers,
            },
        },
        tensorboard_log=config.tensorboard_log,
        device=config.device,
        seed=config.seed,
        verbose=0,
    )
    if config.tensorboard_log is None:
        model.set_logger(configure(str(log_dir), ["csv"]) if log_dir else Logger(None, []))
    policy_selector(model).load_state_dict(selector.state_dict())
    return model


def finetune(
    selector: Selector,
    backend: OutcomeBackend,
    eval_backend: OutcomeBackend | None,
    env_config: EnvConfig,
    config: PPOConfig,
    out_dir: str | Path,
) -> Selector:
    """PPO-fine-tune ``selector`` on ``backend``'s episodes; return the tuned copy.

    Writes ``out_dir/selector/`` (safetensors + config), ``out_dir/progress.csv`` (PPO's
    statistics, unless ``config.tensorboard_log`` is set), and with evaluation on,
    ``out_dir/best/`` (the best evaluated policy) and ``out_dir/eval/evaluations.npz``.
    """
    out_dir = Path(out_dir)
    # The envs reset before the first rollout (and the curriculum callback) starts: build them
    # at the first stage already, so the first episodes are easy too.
    first = [n for start, n in config.curriculum if start <= 0.0]
    start_config = replace(env_config, curriculum_nodes=first[-1]) if first else env_config
    envs = make_envs(backend, start_config, config.n_envs, config.seed, config.vec_env)
    model = build_ppo(selector, envs, config, backend.worker_features, log_dir=out_dir)
    opened = [envs]
    callbacks: list[BaseCallback] = [
        EpsilonGreedyCallback(
            config.epsilon, config.epsilon_decay_fraction, config.total_timesteps
        ),
        CurriculumCallback(config.curriculum, config.total_timesteps),
    ]
    if config.eval_freq and eval_backend is not None:
        eval_env = make_envs(eval_backend, env_config, 1, config.seed + 1000)
        opened.append(eval_env)
        callbacks.append(
            MaskableEvalCallback(
                eval_env,
                eval_freq=config.eval_freq,
                n_eval_episodes=config.n_eval_episodes,
                log_path=str(out_dir / "eval"),
                callback_on_new_best=SaveSelectorCallback(out_dir),
                deterministic=True,
                verbose=0,
            )
        )
    if config.checkpoint_freq:
        callbacks.append(
            SaveSelectorCallback(out_dir / "checkpoints", every=config.checkpoint_freq)
        )
    try:
        model.learn(config.total_timesteps, callback=CallbackList(callbacks))
    finally:  # progress.csv and the environments are closed even when training fails
        model.logger.close()
        for vec_env in opened:
            vec_env.close()
    tuned = copy.deepcopy(policy_selector(model)).cpu().eval()
    save_selector(tuned, out_dir / "selector")
    return tuned
