"""RL throughput: OrchestrationEnv steps per second on the replay back-end, single and
vectorised, and MaskablePPO wall time for 100k steps (CPU, and CUDA when present).

The replay back-end's speed does not depend on the recorded values, so the table is a random
one of RouterBench's shape (2,205 prompts x 11 models, 384-d embeddings): no data or encoder
needed.

    python -m benchmarks.rl_throughput            # everything (PPO takes minutes on 2 cores)
    python -m benchmarks.rl_throughput --skip-ppo # env steps only
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from orchestai_agents.training.env import EnvConfig, OrchestrationEnv
from orchestai_agents.training.phase2 import PPOConfig, build_ppo, make_envs
from orchestai_agents.training.routing.backends import ReplayBackend
from orchestai_agents.training.routing.outcomes import OutcomeTable

from orchestai_agents.planner.selector import Selector, SelectorConfig, context_width

ROWS, MODELS, HIDDEN = 2205, 11, 384
ENV = EnvConfig(max_nodes=5, beta_range=(1.0, 3e4))


def replay_backend(seed: int = 0) -> ReplayBackend:
    rng = np.random.default_rng(seed)
    ids = tuple(map(str, range(ROWS)))
    zeros = np.zeros((ROWS, MODELS), np.float32)
    table = OutcomeTable(
        ids,
        ids,
        ("",) * ROWS,
        tuple(f"m{i}" for i in range(MODELS)),
        (rng.random((ROWS, MODELS)) < 0.7).astype(np.float32),
        rng.random((ROWS, MODELS)).astype(np.float32) * 0.01,
        zeros,
    )
    emb = rng.normal(size=(ROWS, HIDDEN)).astype(np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    return ReplayBackend(table, emb, rng.normal(size=(MODELS, HIDDEN + 1)).astype(np.float32))


def single_env_rate(backend: ReplayBackend, steps: int) -> float:
    env = OrchestrationEnv(backend, ENV)
    env.reset(seed=0)
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for _ in range(steps):
        _, _, done, _, _ = env.step(int(rng.choice(np.flatnonzero(env.action_masks()))))
        if done:
            env.reset()
    return steps / (time.perf_counter() - start)


def vec_env_rate(backend: ReplayBackend, n_envs: int, kind: str, steps: int) -> float:
    envs = make_envs(backend, ENV, n_envs, seed=0, kind=kind)
    envs.reset()
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for _ in range(steps // n_envs):
        masks = np.stack(envs.env_method("action_masks"))
        envs.step(np.array([rng.choice(np.flatnonzero(m)) for m in masks]))
    rate = (steps // n_envs) * n_envs / (time.perf_counter() - start)
    envs.close()
    return rate


def ppo_seconds(backend: ReplayBackend, timesteps: int, device: str) -> float:
    selector = Selector(SelectorConfig(HIDDEN, HIDDEN, HIDDEN + 1, context_width(ENV.max_nodes)))
    config = PPOConfig(total_timesteps=timesteps, eval_freq=0, device=device)
    model = build_ppo(
        selector, make_envs(backend, ENV, config.n_envs, 0), config, backend.worker_features
    )
    start = time.perf_counter()
    model.learn(timesteps)
    seconds = time.perf_counter() - start
    model.get_env().close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=20_000, help="env steps per measurement")
    parser.add_argument("--ppo-steps", type=int, default=100_000, help="PPO timesteps to time")
    parser.add_argument("--skip-ppo", action="store_true", help="only measure env steps")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    backend = replay_backend()
    rows = [("env steps/s, 1 env", f"{single_env_rate(backend, args.steps):,.0f}")]
    for n, kind in ((4, "dummy"), (8, "dummy"), (2, "subproc")):
        rows.append(
            (
                f"env steps/s, {n} envs ({kind})",
                f"{vec_env_rate(backend, n, kind, args.steps):,.0f}",
            )
        )
    if not args.skip_ppo:
        rows.append(
            (
                f"PPO {args.ppo_steps:,} steps, cpu (s)",
                f"{ppo_seconds(backend, args.ppo_steps, 'cpu'):.0f}",
            )
        )
        if torch.cuda.is_available():
            rows.append(
                (
                    f"PPO {args.ppo_steps:,} steps, cuda (s)",
                    f"{ppo_seconds(backend, args.ppo_steps, 'cuda'):.0f}",
                )
            )
        else:
            rows.append((f"PPO {args.ppo_steps:,} steps, cuda", "no GPU here"))
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  value")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
