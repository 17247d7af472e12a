"""Routing evaluation: train a cost-aware selector on recorded outcomes and compare routers.

Trains the phase-1 selector (cross-entropy on soft gold workers) and fine-tunes it with PPO on
replayed workflows of the train rows, then scores every router on the test rows: the learned
selectors, every single model, the cheapest model, the best model per task, a kNN router,
random choice and the oracle. Routers with a cost knob are swept over cost weights; the table
reports each router's best accuracy within the cost goal, its top accuracy, RouterBench's AIQ
and the USD at which it reaches 95% of the reference model's accuracy. A second comparison runs
multi-node workflows against a static pipeline (one fixed model per task type).

Usage:
    python -m orchestai_agents.training.routing_eval --data ../shared/datasets/routing/routerbench_zs --out runs/routing
    ... --seeds 3   # the same for seeds 0, 1, 2 (under out/seed-S), and the spread of the learned routers
    orchestai route --data my_outcomes.csv --out runs/mine   # prompt, <model>, <model>|total_cost columns
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
from orchestai_agents.training.env import EnvConfig, OrchestrationEnv
from orchestai_agents.training.evaluation import aligned
from orchestai_agents.training.phase2 import PPOConfig, finetune
from orchestai_agents.training.phase3 import (
    PREVIOUS_DIR,
    WorkerCard,
    exclusive_update,
    load_worker_cards,
    save_worker_cards,
)
from orchestai_agents.training.routing.backends import EpisodeWorkflow, ReplayBackend
from orchestai_agents.training.routing.baselines import (
    KNNRouter,
    PerTaskRouter,
    oracle_choices,
    random_point,
)
from orchestai_agents.training.routing.embeddings import DEFAULT_CACHE_DIR, embed_texts
from orchestai_agents.training.routing.metrics import (
    RoutePoint,
    aiq,
    cost_to_reach,
    frontier,
    frontier_gap,
    score_choices,
)
from orchestai_agents.training.routing.outcomes import (
    ROUTERBENCH_DESCRIPTIONS,
    OutcomeTable,
    load_outcome_table,
    load_routerbench,
    model_description,
    query_text,
)
from orchestai_agents.training.routing.pretrain import (
    PretrainConfig,
    pretrain_selector,
    selector_choices,
)

from orchestai_agents._internal._files import create_stamped, new_run_folder
from orchestai_agents.errors import CheckpointError, ConfigError, DatasetFormatError
from orchestai_agents.planner.routing import worker_features
from orchestai_agents.planner.selector import Selector, load_selector, save_selector

__all__ = [
    "MIN_TEST_ROWS",
    "MIN_TRAIN_ROWS",
    "RouterResult",
    "RoutingEvalConfig",
    "main",
    "run",
    "run_from_args",
    "run_seeds",
    "seed_spread",
]

# The fewest complete rows a run is refused below. Phase 1 and PPO each hold out a tenth of the
# train rows, the success estimate splits them into 5 folds and a PPO workflow takes up to 5
# distinct rows; on fewer than 5 test rows a single row moves accuracy by 20 points or more.
MIN_TRAIN_ROWS, MIN_TEST_ROWS = 10, 5


@dataclass(frozen=True)
class RoutingEvalConfig:
    """What the evaluation trains and measures.

    Attributes:
        data: a RouterBench-style folder (``*_train.csv`` / ``*_test.csv``) or one outcome table.
        out: folder for the plot, metrics, choices and the trained selectors.
        env: episodes for PPO; ``beta_range`` is the range of cost weights the policy learns.
        pretrain: phase-1 settings.
        ppo: phase-2 settings.
        knn_k: neighbours of the kNN router (at most the train rows).
        n_cost_weights: points of each router's cost sweep.
        cost_goal_fraction: the cost goal as a fraction of the reference model's USD.
        reference_model: the model to beat (default: the most accurate model on the train rows).
        test_fraction: test share when ``data`` is one table.
        id_column: the column of a user's table that ``--choices-out`` writes as ``sample_id``
            (``None``: the row's 1-based number in its file; RouterBench has its own).
        task_column: the column of a user's table that labels each prompt's task, for the
            per-task routers and ``--choices-out`` (``None``: one task; RouterBench has its own).
        workflow_nodes: sub-tasks per workflow in the workflow comparison.
        n_workflows: workflows per point in the workflow comparison.
        encoder: prompt encoder (``None``: the offline MiniLM).
        cache_dir: embedding cache.
        seed: RNG seed.
    """

    data: Path
    out: Path
    env: EnvConfig = field(default_factory=lambda: EnvConfig(max_nodes=5, beta_range=(1.0, 3e4)))
    pretrain: PretrainConfig = field(default_factory=PretrainConfig)
    ppo: PPOConfig = field(
        default_factory=lambda: PPOConfig(curriculum=((0.0, 1), (0.5, 3)), eval_freq=0)
    )
    knn_k: int = 40
    n_cost_weights: int = 49
    cost_goal_fraction: float = 0.2
    reference_model: str | None = None
    test_fraction: float = 0.3
    id_column: str | None = None
    task_column: str | None = None
    workflow_nodes: int = 2
    n_workflows: int = 300
    encoder: str | None = None
    cache_dir: Path = DEFAULT_CACHE_DIR
    seed: int = 0


@dataclass
class RouterResult:
    """A router's sweep on the test rows and the choices behind each point."""

    name: str
    points: list[RoutePoint]
    choices: list[np.ndarray]

    def summary(
        self, goal_usd: float, target_accuracy: float, cost_range: tuple[float, float]
    ) -> dict:
        within = [p for p in self.points if p.usd <= goal_usd]
        at_goal = max(within, key=lambda p: p.accuracy) if within else None
        top = max(self.points, key=lambda p: (p.accuracy, -p.usd))
        return {
            "router": self.name,
            "at_goal": asdict(at_goal) if at_goal else None,
            "top": asdict(top),
            "aiq": aiq(self.points, cost_range),
            "usd_to_95pct_reference": cost_to_reach(self.points, target_accuracy),
            "points": [asdict(p) for p in self.points],
        }

    def headline(self, goal_usd: float) -> tuple[RoutePoint, np.ndarray]:
        """The point shown for this router: best accuracy within the goal, else top accuracy."""
        within = [i for i, p in enumerate(self.points) if p.usd <= goal_usd]
        pool = within or range(len(self.points))
        i = max(pool, key=lambda j: (self.points[j].accuracy, -self.points[j].usd))
        return self.points[i], self.choices[i]


def load_split(config: RoutingEvalConfig) -> tuple[OutcomeTable, OutcomeTable]:
    """(train, test): a folder's train/test files, or one table split at random; the row counts
    go to stderr.

    Raises:
        DatasetFormatError: naming the data and its row counts when there are fewer than
            ``MIN_TRAIN_ROWS`` train or ``MIN_TEST_ROWS`` test rows, before anything is trained.
    """
    data = Path(config.data)
    if data.is_dir() and list(data.glob("*_train.csv")):
        with next(iter(data.glob("*_train.csv"))).open("rb") as first:
            # Only a sniff: a file that is no UTF-8 CSV gets its error from the loader.
            header = next(csv.reader([first.readline().decode("utf-8", errors="replace")]), [])
        # RouterBench's own 11 models, no more: a user's extra model must not be dropped.
        paired = {c.removesuffix("|total_cost") for c in header if c.endswith("|total_cost")}
        if paired == set(ROUTERBENCH_DESCRIPTIONS):
            train, test = load_routerbench(data, "train"), load_routerbench(data, "test")
        else:
            if not list(data.glob("*_test.csv")):
                raise DatasetFormatError(
                    data,
                    "holds *_train.csv files but no *_test.csv; add the test rows as "
                    "NAME_test.csv, or pass one table file to split at random",
                )
            train, test = (
                load_outcome_table(
                    sorted(data.glob(f"*_{split}.csv")),
                    id_column=config.id_column,
                    task_column=config.task_column,
                )
                for split in ("train", "test")
            )
            test = _in_model_order(test, train.models, data)
        counts = (
            f"train rows {len(train)} (dropped {train.dropped}), "
            f"test rows {len(test)} (dropped {test.dropped})"
        )
        remedy = "add complete rows to the *_train.csv and *_test.csv files"
    else:
        table = load_outcome_table(data, id_column=config.id_column, task_column=config.task_column)
        order = np.random.default_rng(config.seed).permutation(len(table))
        n_test = max(1, int(config.test_fraction * len(table)))
        train, test = table.subset(np.sort(order[n_test:])), table.subset(np.sort(order[:n_test]))
        counts = (
            f"train rows {len(train)}, test rows {len(test)} "
            f"(of {len(table)}, {config.test_fraction:.0%} to test; dropped {table.dropped})"
        )
        remedy = "add complete rows to the table"
    if len(train) < MIN_TRAIN_ROWS or len(test) < MIN_TEST_ROWS:
        raise DatasetFormatError(
            data,
            f"{counts}; routing needs at least {MIN_TRAIN_ROWS} train and {MIN_TEST_ROWS} test "
            f"rows with every model's score and cost: {remedy}",
        )
    print(counts, file=sys.stderr)
    return train, test


def _in_model_order(test: OutcomeTable, models: Sequence[str], data: Path) -> OutcomeTable:
    """``test`` with its model columns in the train files' order (everything trained indexes
    models by position).

    Raises:
        DatasetFormatError: the test files have other models than the train files.
    """
    if set(test.models) != set(models):
        only_train = sorted(set(models) - set(test.models))
        only_test = sorted(set(test.models) - set(models))
        raise DatasetFormatError(
            data,
            f"the *_train.csv and *_test.csv files have other models (only in train: "
            f"{only_train or 'none'}; only in test: {only_test or 'none'}); give both the same "
            "model columns",
        )
    order = [test.models.index(m) for m in models]
    return replace(
        test,
        models=tuple(models),
        score=test.score[:, order],
        cost=test.cost[:, order],
        seconds=test.seconds[:, order],
    )


def embed_tables(
    config: RoutingEvalConfig, train: OutcomeTable, test: OutcomeTable
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Prompt embeddings of train and test rows and the worker features (cached)."""
    embed = lambda texts: embed_texts(texts, encoder=config.encoder, cache_dir=config.cache_dir)  # noqa: E731
    descriptions = [model_description(m) for m in train.models]
    features = worker_features(embed(descriptions), train.cost.mean(0))
    return (
        embed([query_text(p) for p in train.prompts]),
        embed([query_text(p) for p in test.prompts]),
        features,
    )


def train_selectors(
    config: RoutingEvalConfig, train: OutcomeTable, train_emb: np.ndarray, features: np.ndarray
) -> tuple[Selector, Selector]:
    """(phase-1 selector, PPO-fine-tuned selector), both written under ``out``."""
    started = time.perf_counter()
    phase1 = pretrain_selector(train, train_emb, features, config.env, config.pretrain)
    save_selector(phase1, config.out / "phase1")
    print(f"phase 1: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    rows = np.random.default_rng(config.seed).permutation(len(train))
    n_val = max(1, len(rows) // 10)
    backend = ReplayBackend(train, train_emb, features, rows=rows[n_val:])
    eval_backend = ReplayBackend(train, train_emb, features, rows=rows[:n_val])
    started = time.perf_counter()
    tuned = finetune(phase1, backend, eval_backend, config.env, config.ppo, config.out / "ppo")
    print(
        f"phase 2 (PPO, {config.ppo.total_timesteps} steps): {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    return phase1, tuned


def sweep_routers(
    config: RoutingEvalConfig,
    train: OutcomeTable,
    test: OutcomeTable,
    embeddings: tuple[np.ndarray, np.ndarray, np.ndarray],
    selectors: dict[str, Selector],
) -> list[RouterResult]:
    """Every router's points on the test rows."""
    train_emb, test_emb, features = embeddings
    betas = _cost_weights(config)
    reward = config.env.reward
    knn, per_task = KNNRouter(train, train_emb, config.knn_k), PerTaskRouter(train)
    # The baselines' knob is in accuracy units: accuracy - (beta / alpha) * usd.
    swept: dict[str, Callable[[float], np.ndarray]] = {
        **{
            name: _selector_router(sel, test_emb, features, config.env)
            for name, sel in selectors.items()
        },
        f"kNN (k={knn.k})": lambda b: knn.route(test_emb, b / (reward.alpha + reward.node_bonus)),
        "static per task (cost-weighted)": lambda b: per_task.route(
            test, b / (reward.alpha + reward.node_bonus)
        ),
    }
    results = [_sweep(name, fn, betas, test) for name, fn in swept.items()]
    results.append(_fixed("best model per task", per_task.route(test, 0.0), test))
    for j, model in enumerate(test.models):
        results.append(_fixed(f"always {model}", np.full(len(test), j), test))
    results.append(
        _fixed("cheapest model", np.full(len(test), int(train.cost.mean(0).argmin())), test)
    )
    results.append(_fixed("oracle", oracle_choices(test), test))
    accuracy, usd = random_point(test)
    rng_choice = np.random.default_rng(config.seed).integers(len(test.models), size=len(test))
    results.append(RouterResult("random (expected)", [RoutePoint(accuracy, usd)], [rng_choice]))
    return results


def _cost_weights(config: RoutingEvalConfig) -> list[float]:
    """The cost weights each swept router is scored at: 0, then geometric over the env's range."""
    low, high = config.env.beta_range or (1.0, 1e4)
    return [0.0, *np.geomspace(low, high, config.n_cost_weights - 1)]


def _selector_router(
    selector: Selector, embeddings: np.ndarray, features: np.ndarray, env: EnvConfig
) -> Callable[[float], np.ndarray]:
    return lambda beta: selector_choices(selector, embeddings, features, beta, env)


def _sweep(
    name: str, route: Callable[[float], np.ndarray], betas: Sequence[float], test: OutcomeTable
) -> RouterResult:
    choices = [route(float(b)) for b in betas]
    return RouterResult(
        name,
        [score_choices(test, c, float(b)) for c, b in zip(choices, betas, strict=True)],
        choices,
    )


def _fixed(name: str, choices: np.ndarray, test: OutcomeTable) -> RouterResult:
    return RouterResult(name, [score_choices(test, choices)], [choices])


def workflow_comparison(
    config: RoutingEvalConfig,
    train: OutcomeTable,
    test: OutcomeTable,
    embeddings: tuple[np.ndarray, np.ndarray, np.ndarray],
    selectors: dict[str, Selector],
) -> dict[str, list[dict]]:
    """Workflow success and mean USD of each selector and of a static pipeline on multi-node
    workflows of test prompts (a node fails when a node it reads failed)."""
    _, test_emb, features = embeddings
    backend = ReplayBackend(test, test_emb, features)
    per_task = PerTaskRouter(train)
    low, high = config.env.beta_range or (1.0, 1e4)
    betas = np.geomspace(low, high, 9)
    scale = config.env.reward.alpha + config.env.reward.node_bonus
    out: dict[str, list[dict]] = {}
    for name, selector in selectors.items():
        policy = _selector_policy(selector, features)
        out[name] = [_run_workflows(backend, config, float(b), policy) for b in betas]
    out["static pipeline"] = [
        _run_workflows(backend, config, float(b), _static_policy(per_task.models(b / scale), test))
        for b in [0.0, *betas]
    ]
    return out


def _selector_policy(
    selector: Selector, features: np.ndarray
) -> Callable[[dict, EpisodeWorkflow, int], int]:
    import torch
    from orchestai_agents.training.phase2 import selector_inputs

    workers = torch.as_tensor(features)

    @torch.no_grad()
    def choose(obs: dict, workflow: EpisodeWorkflow, node: int) -> int:
        t = {k: torch.as_tensor(v)[None] for k, v in obs.items()}
        instruction, node_emb, mask, context = selector_inputs(t)
        return int(selector(instruction, node_emb, workers, mask, context).logits.argmax())

    return choose


def _static_policy(
    models: dict[str, int], test: OutcomeTable
) -> Callable[[dict, EpisodeWorkflow, int], int]:
    return lambda obs, workflow, node: models.get(test.tasks[workflow.payload[node]], 0)


def _run_workflows(
    backend: ReplayBackend,
    config: RoutingEvalConfig,
    beta: float,
    policy: Callable[[dict, EpisodeWorkflow, int], int],
) -> dict:
    n = config.workflow_nodes
    env_config = replace(
        config.env,
        min_nodes=n,
        max_nodes=max(n, config.env.max_nodes),
        beta_range=None,
        reward=replace(config.env.reward, beta=beta),
        curriculum_nodes=n,
    )
    env = OrchestrationEnv(backend, env_config)
    successes, usd = 0, 0.0
    for episode in range(config.n_workflows):
        obs, _ = env.reset(seed=config.seed + episode)  # the same workflows for every router
        done, node = False, 0
        while not done:
            obs, _, done, _, info = env.step(policy(obs, env.workflow, node))
            node += 1
        successes += info["success"]
        usd += info["usd"]
    return {
        "cost_weight": beta,
        "success": successes / config.n_workflows,
        "usd_per_workflow": usd / config.n_workflows,
    }


def workflow_summary(workflows: dict[str, list[dict]]) -> list[dict]:
    """At each success level the static pipeline reaches, what each selector pays for it."""
    curves = {
        name: [RoutePoint(p["success"], p["usd_per_workflow"], p["cost_weight"]) for p in points]
        for name, points in workflows.items()
    }
    static = curves.pop("static pipeline")
    rows = []
    for level in sorted({p.accuracy for p in static if p.accuracy > 0.3}, reverse=True):
        base = cost_to_reach(static, level)
        row = {"success": level, "static_usd": base}
        for name, points in curves.items():
            usd = cost_to_reach(points, level)
            row[name] = {
                "usd": usd,
                "saving": None if usd is None or not base else 1.0 - usd / base,
            }
        rows.append(row)
    return rows


def _workflow_text(summary: list[dict]) -> str:
    lines = [
        "workflows: USD per workflow to reach the static pipeline's success (saving vs static)"
    ]
    for row in summary:
        parts = [f"success {100 * row['success']:.1f}%: static ${row['static_usd']:.4f}"]
        for name, v in row.items():
            if isinstance(v, dict):
                parts.append(
                    f"{name} "
                    + (
                        "not reached"
                        if v["usd"] is None
                        else f"${v['usd']:.4f} ({-100 * v['saving']:+.0f}%)"
                    )
                )
        lines.append("  " + "; ".join(parts))
    return "\n".join(lines)


# Up to this many single models are all plotted; beyond it (RouterBench has 11), only those on
# the single models' cost-quality frontier, so the legend stays readable.
_PLOT_EVERY_MODEL_UP_TO = 5


def plot(results: list[RouterResult], path: Path, goal_usd: float, reference: RoutePoint) -> None:
    """The cost-quality plane: curves for swept routers, markers for fixed ones (of the single
    models, every one when there are few, else those on their frontier)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = _plotted_models(results)
    fig, ax = plt.subplots(figsize=(8, 5.5))
    for r in results:
        pts = sorted(r.points, key=lambda p: p.usd)
        xs, ys = [p.usd for p in pts], [100 * p.accuracy for p in pts]
        if len(pts) > 1:
            ax.plot(xs, ys, marker=".", label=r.name)
        elif not r.name.startswith("always ") or r.name in shown:
            ax.scatter(xs, ys, marker="x", label=r.name)
    ax.axvline(goal_usd, color="grey", linestyle=":", label=f"cost goal ${goal_usd:.2f}")
    ax.axhline(100 * reference.accuracy, color="grey", linestyle="--", label="reference accuracy")
    if all(p.usd > 0 for r in results for p in r.points):
        ax.set_xscale("log")
        ax.set_xlabel("total USD on the test rows (log scale)")
    else:  # a free model: a log axis would drop its points (and warn)
        ax.set_xscale(
            "symlog", linthresh=max(1e-6, 0.01 * max(p.usd for r in results for p in r.points))
        )
        ax.set_xlabel("total USD on the test rows (linear near 0, log above)")
    ax.set_ylabel("accuracy (%)")
    ax.set_title("Cost-quality of routers on the test rows")
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def _plotted_models(results: list[RouterResult]) -> set[str]:
    """The single-model routers to plot: every one when there are few, else those on the single
    models' frontier."""
    singles = {r.name: r.points[0] for r in results if r.name.startswith("always ")}
    if len(singles) <= _PLOT_EVERY_MODEL_UP_TO:
        return set(singles)
    costs, accuracies = frontier(list(singles.values()))
    edge = set(zip(costs.tolist(), accuracies.tolist(), strict=True))
    return {name for name, p in singles.items() if (p.usd, p.accuracy) in edge}


def write_choices(
    path: Path, test: OutcomeTable, results: list[RouterResult], goal_usd: float
) -> None:
    """One CSV row per (router, test row) at the router's headline point."""
    with Path(path).open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["router", "cost_weight", "sample_id", "eval_name", "model"])
        for r in results:
            point, choices = r.headline(goal_usd)
            for sample, task, choice in zip(test.ids, test.tasks, choices, strict=True):
                writer.writerow([r.name, point.cost_weight, sample, task, test.models[int(choice)]])


def format_table(summaries: list[dict], goal_usd: float, reference_name: str) -> str:
    head = f"{'router':<36} {'acc@<=$' + format(goal_usd, '.2f'):>12} {'USD':>7} {'top acc':>8} {'USD':>7} {'AIQ':>6} {'USD@95%ref':>10}"
    lines = [head, "-" * len(head)]
    for s in summaries:
        goal = s["at_goal"]
        goal_txt = (
            f"{100 * goal['accuracy']:>11.1f}% {goal['usd']:>7.2f}"
            if goal
            else f"{'-':>12} {'-':>7}"
        )
        reach = s["usd_to_95pct_reference"]
        lines.append(
            f"{s['router']:<36} {goal_txt} {100 * s['top']['accuracy']:>7.1f}% {s['top']['usd']:>7.2f} "
            f"{s['aiq']:>6.3f} {f'{reach:.2f}' if reach is not None else '-':>10}"
        )
    lines.append(
        f"(95%ref: 95% of {reference_name}'s accuracy; AIQ over the single models' cost range)"
    )
    for s in summaries:
        if "vs_knn" in s:
            gap, usd = 100 * s["vs_knn"]["smallest_gap"], s["vs_knn"]["at_usd"]
            verdict = "dominates kNN" if gap >= 0 else "does not dominate kNN"
            lines.append(
                f"{s['router']}: {verdict} (frontier minus kNN's, at its lowest: "
                f"{gap:+.1f} points at ${usd:.2f})"
            )
    return "\n".join(lines)


def run(
    config: RoutingEvalConfig,
    *,
    choices_out: Path | None = None,
    checkpoint: Path | None = None,
    replace_router: bool = False,
) -> dict:
    """Train, evaluate, plot; return the metrics (also written to ``out/metrics.json``).

    With ``checkpoint``, the PPO selector becomes that planner's router, unless the router
    already there routes the same models and reaches a higher AIQ on these test rows
    (``replace_router`` installs it anyway); ``metrics["checkpoint"]`` says which.
    """
    if checkpoint is not None:
        check_router_folder(checkpoint)
    config.out.mkdir(parents=True, exist_ok=True)
    train, test = load_split(config)
    kept = _keep_earlier_run(config.out)
    if kept is not None:
        print(f"the earlier run in {config.out} moved to {kept}", file=sys.stderr)
    if config.reference_model is not None and config.reference_model not in train.models:
        raise ConfigError(
            f"reference model {config.reference_model!r} is not in the table; its models are "
            f"{', '.join(train.models)}"
        )
    embeddings = embed_tables(config, train, test)
    phase1, tuned = train_selectors(config, train, embeddings[0], embeddings[2])
    cards = [
        WorkerCard(m, model_description(m), float(usd))
        for m, usd in zip(train.models, train.cost.mean(0), strict=True)
    ]
    save_worker_cards(cards, config.out / "phase1")
    save_worker_cards(cards, config.out / "ppo" / "selector")
    selectors = {"selector phase 1 (CE)": phase1, "selector phase 2 (PPO)": tuned}
    results = sweep_routers(config, train, test, embeddings, selectors)
    reference_name = config.reference_model or train.models[int(train.success.mean(0).argmax())]
    reference = next(r for r in results if r.name == f"always {reference_name}").points[0]
    goal_usd = config.cost_goal_fraction * reference.usd
    single = [r.points[0].usd for r in results if r.name.startswith("always")]
    cost_range = (min(single), max(single))
    summaries = [r.summary(goal_usd, 0.95 * reference.accuracy, cost_range) for r in results]
    knn = next(r for r in results if r.name.startswith("kNN"))
    for result, summary in zip(results, summaries, strict=True):
        if result.name in selectors:
            gap, usd = frontier_gap(result.points, knn.points, cost_range[1])
            summary["vs_knn"] = {"smallest_gap": gap, "at_usd": usd}
    metrics = {
        "reference": {"model": reference_name, **asdict(reference)},
        "goal_usd": goal_usd,
        "routers": summaries,
        "workflows": workflow_summary(
            workflow_comparison(config, train, test, embeddings, selectors)
        ),
        "table": format_table(summaries, goal_usd, reference_name),
    }
    if checkpoint is not None:
        tuned_aiq = next(s["aiq"] for s in summaries if s["router"] == "selector phase 2 (PPO)")
        metrics["checkpoint"] = install_router(
            checkpoint,
            tuned,
            cards,
            tuned_aiq,
            lambda current: aiq(
                _sweep(
                    "installed",
                    _selector_router(current, *embeddings[1:], config.env),
                    _cost_weights(config),
                    test,
                ).points,
                cost_range,
            ),
            replace_router=replace_router,
        )
        print(_install_text(metrics["checkpoint"], config.out), file=sys.stderr)
    plot(results, config.out / "cost_quality.png", goal_usd, reference)
    (config.out / "metrics.json").write_text(json.dumps(metrics, indent=2, default=float) + "\n")
    if choices_out is not None:
        write_choices(choices_out, test, results, goal_usd)
    return metrics


# What run() writes into its out folder.
_RUN_FILES = ("metrics.json", "cost_quality.png", "phase1", "ppo")


def _keep_earlier_run(out: Path) -> Path | None:
    """Move what an earlier run (finished or not) wrote into ``out`` to ``out/run-<time>/``, so
    this run overwrites none of its selectors or figures. Returns that folder, if there was one."""
    earlier = [out / name for name in _RUN_FILES if (out / name).exists()]
    if not earlier:
        return None
    kept = new_run_folder(out, max(p.stat().st_mtime for p in earlier))
    for path in earlier:
        path.rename(kept / path.name)
    return kept


def run_seeds(
    config: RoutingEvalConfig,
    seeds: int,
    *,
    choices_out: Path | None = None,
    checkpoint: Path | None = None,
    replace_router: bool = False,
) -> dict:
    """:func:`run` for seeds ``config.seed`` ... ``config.seed + seeds - 1``, each under
    ``out/seed-S`` (with its own ``metrics.json``); returns :func:`seed_spread` of them (also
    written to ``out/seeds.json``). ``choices_out`` and ``checkpoint`` take the first seed's selector.
    """
    runs: list[dict] = []
    for i in range(seeds):
        seed = config.seed + i
        runs.append(
            run(
                replace(
                    config,
                    out=config.out / f"seed-{seed}",
                    seed=seed,
                    pretrain=replace(config.pretrain, seed=seed),
                    ppo=replace(config.ppo, seed=seed),
                ),
                choices_out=choices_out if i == 0 else None,
                checkpoint=checkpoint if i == 0 else None,
                replace_router=replace_router,
            )
        )
    spread = seed_spread(runs, list(range(config.seed, config.seed + seeds)))
    (config.out / "seeds.json").write_text(json.dumps(spread, indent=2, default=float) + "\n")
    return spread


def seed_spread(runs: Sequence[dict], seeds: Sequence[int]) -> dict:
    """Per learned router (those compared with kNN), each headline figure over the seeds:
    ``{"values": [...], "mean", "min", "max"}`` (values ``None`` where a seed never got there)."""

    def figures(summary: dict) -> dict[str, float | None]:
        goal = summary["at_goal"]
        return {
            "accuracy_at_goal": goal["accuracy"] if goal else None,
            "aiq": summary["aiq"],
            "usd_to_95pct_reference": summary["usd_to_95pct_reference"],
            "vs_knn_smallest_gap": summary["vs_knn"]["smallest_gap"],
        }

    routers: dict[str, dict] = {}
    for metrics in runs:
        for summary in metrics["routers"]:
            if "vs_knn" not in summary:
                continue
            for name, value in figures(summary).items():
                routers.setdefault(summary["router"], {}).setdefault(name, []).append(value)
    spread = {
        router: {name: _stats(values) for name, values in per.items()}
        for router, per in routers.items()
    }
    return {"seeds": list(seeds), "goal_usd": runs[0]["goal_usd"], "routers": spread}


def _stats(values: list[float | None]) -> dict:
    known = [v for v in values if v is not None]
    if not known:
        return {"values": values, "mean": None, "min": None, "max": None}
    return {
        "values": values,
        "mean": float(np.mean(known)),
        "min": min(known),
        "max": max(known),
    }


def format_spread(spread: dict) -> str:
    """The spread as a table: mean (min to max) over the seeds, accuracy and gap in points."""
    columns = (
        ("accuracy_at_goal", f"acc@<=${spread['goal_usd']:.2f}", 100.0, ".1f"),
        ("aiq", "AIQ", 1.0, ".3f"),
        ("usd_to_95pct_reference", "USD@95%ref", 1.0, ".2f"),
        ("vs_knn_smallest_gap", "minus kNN, lowest", 100.0, "+.1f"),
    )

    def cell(stats: dict, scale: float, fmt: str) -> str:
        if stats["mean"] is None:
            return "-"
        low, mean, high = (format(scale * stats[k], fmt) for k in ("min", "mean", "max"))
        missing = sum(v is None for v in stats["values"])
        return f"{mean} ({low} to {high})" + (f", {missing} never" if missing else "")

    rows = [
        [router, *(cell(per[key], scale, fmt) for key, _, scale, fmt in columns)]
        for router, per in spread["routers"].items()
    ]
    header = ["router", *(title for _, title, _, _ in columns)]
    title = f"over seeds {', '.join(map(str, spread['seeds']))}: mean (min to max)"
    return "\n".join([title, *aligned([header, *rows])])


def check_router_folder(checkpoint: Path) -> None:
    """Refuse, before anything trains, a ``--checkpoint`` that :func:`write_router` cannot write
    into without harm: a file, a folder of other files (the model card would replace a
    README.md), or a ``config.json`` that is no planner's.

    Raises:
        ConfigError: naming the folder and what to pass instead.
    """
    from orchestai_agents.planner.config import PlannerConfig

    if checkpoint.exists() and not checkpoint.is_dir():
        raise ConfigError(f"--checkpoint {checkpoint} is a file; pass a planner checkpoint folder")
    config = checkpoint / "config.json"
    if not config.is_file():
        if checkpoint.is_dir() and any(checkpoint.iterdir()):
            raise ConfigError(
                f"--checkpoint {checkpoint} holds files but no planner (config.json): the planner "
                "and its model card would be written among them; pass a planner checkpoint, or a "
                "new or empty folder"
            )
        return
    try:
        PlannerConfig.from_dict(json.loads(config.read_text(encoding="utf-8")))
    except (ValueError, ConfigError) as exc:  # bad JSON (a ValueError) or another model's config
        raise ConfigError(
            f"--checkpoint {checkpoint}: {config.name} is no planner's ({exc}); pass a planner "
            "checkpoint, or a new or empty folder"
        ) from exc


def install_router(
    checkpoint: Path,
    selector: Selector,
    cards: Sequence[WorkerCard],
    new_aiq: float,
    installed_aiq: Callable[[Selector], float],
    *,
    replace_router: bool = False,
) -> dict:
    """Make ``selector`` (AIQ ``new_aiq``) the router of ``checkpoint``, unless the router there
    routes the same models on inputs of the same sizes and ``installed_aiq`` scores it higher;
    ``replace_router`` installs it anyway. Holds the checkpoint's update lock, the one
    ``orchestai learn`` takes. Returns what happened (folder, both AIQs, ``replaced``).
    """
    record = {"folder": str(checkpoint), "aiq": new_aiq, "installed_aiq": None}
    with exclusive_update(checkpoint):
        current = _comparable_router(checkpoint, selector, cards)
        if current is not None:
            record["installed_aiq"] = installed_aiq(current)
            if record["installed_aiq"] > new_aiq and not replace_router:
                return {**record, "replaced": False}
        write_router(selector, cards, checkpoint)
    return {**record, "replaced": True}


def _comparable_router(
    checkpoint: Path, selector: Selector, cards: Sequence[WorkerCard]
) -> Selector | None:
    """The router in ``checkpoint`` if it routes ``cards``' models, in their order, on inputs
    of ``selector``'s sizes (so both can be scored on the same rows); otherwise ``None``."""
    try:
        current, workers = load_selector(checkpoint), load_worker_cards(checkpoint)
    except CheckpointError:  # no router there, or files that write_router will replace
        return None
    inputs = ("instruction_dim", "node_dim", "worker_dim", "context_dim")
    same_inputs = all(getattr(current.config, k) == getattr(selector.config, k) for k in inputs)
    same_models = [w.name for w in workers] == [c.name for c in cards]
    return current if same_inputs and same_models else None


def _install_text(record: dict, out: Path) -> str:
    folder, new, before = record["folder"], record["aiq"], record["installed_aiq"]
    if not record["replaced"]:
        return (
            f"kept the router already in {folder}: its AIQ on these test rows is {before:.3f}, "
            f"the new router's {new:.3f}; the new one is in {out / 'ppo' / 'selector'} "
            "(--replace-router installs it anyway)"
        )
    if before is None:
        return f"installed the new router in {folder} (AIQ {new:.3f})"
    return (
        f"installed the new router in {folder} (AIQ {new:.3f} on these test rows, the one it "
        f"replaced {before:.3f}; that one is kept in {Path(folder) / PREVIOUS_DIR})"
    )


def write_router(selector: Selector, cards: Sequence[WorkerCard], checkpoint: Path) -> None:
    """Make ``selector`` the router of the planner checkpoint in ``checkpoint``.

    A folder without a planner starts from the shipped default planner. A router already there
    is kept in ``checkpoint/previous/``, and one an earlier call kept there moves to
    ``previous-<time>/``.
    """
    from orchestai_agents.planner import Planner, load_default_planner

    has_planner = (checkpoint / "config.json").is_file()
    planner = Planner.from_pretrained(checkpoint) if has_planner else load_default_planner()
    if planner.router is not None:
        _keep_aside(checkpoint / PREVIOUS_DIR)
        planner.router.save(checkpoint / PREVIOUS_DIR)
    planner.attach_router(selector, [asdict(c) for c in cards])
    if has_planner:
        planner.router.save(checkpoint)
    else:
        planner.save_pretrained(checkpoint)


def _keep_aside(folder: Path) -> None:
    """Move ``folder``'s files, if it exists, into a new ``<folder>-<time>/`` (its last change)."""
    if not folder.exists():
        return
    kept = create_stamped(folder, Path.mkdir, folder.stat().st_mtime)
    for path in folder.iterdir():
        path.rename(kept / path.name)
    folder.rmdir()


def config_from_args(args: argparse.Namespace) -> RoutingEvalConfig:
    base = RoutingEvalConfig(data=args.data, out=args.out)
    # Options left unset (None) keep the configs' own defaults.
    return replace(
        base,
        pretrain=replace(
            base.pretrain,
            epochs=args.epochs or base.pretrain.epochs,
            success_folds=(
                base.pretrain.success_folds if args.success_folds is None else args.success_folds
            ),
            target_temperature=(
                base.pretrain.target_temperature
                if args.target_temperature is None
                else args.target_temperature
            ),
            seed=args.seed,
        ),
        ppo=replace(
            base.ppo,
            total_timesteps=args.timesteps or base.ppo.total_timesteps,
            n_envs=args.n_envs or base.ppo.n_envs,
            device=args.device,
            seed=args.seed,
        ),
        reference_model=args.reference_model,
        id_column=args.id_column,
        task_column=args.task_column,
        seed=args.seed,
    )


def run_from_args(args: argparse.Namespace) -> int:
    """Run the evaluation for parsed arguments and print the table (or JSON)."""
    import torch
    from orchestai_agents.training.phase1 import resolve_device

    torch.set_num_threads(args.threads)
    resolve_device(args.device)  # a bad --device fails now, not after phase 1 has trained
    config = config_from_args(args)
    if args.seeds > 1:
        spread = run_seeds(
            config,
            args.seeds,
            choices_out=args.choices_out,
            checkpoint=args.checkpoint,
            replace_router=args.replace_router,
        )
        print(json.dumps(spread, indent=2, default=float) if args.json else format_spread(spread))
        return 0
    metrics = run(
        config,
        choices_out=args.choices_out,
        checkpoint=args.checkpoint,
        replace_router=args.replace_router,
    )
    if args.json:
        print(
            json.dumps(
                {
                    s["router"]: {k: v for k, v in s.items() if k != "points"}
                    for s in metrics["routers"]
                },
                indent=2,
            )
        )
    else:
        print(metrics["table"])
        print(_workflow_text(metrics["workflows"]))
        print(f"plot: {args.out / 'cost_quality.png'}; metrics: {args.out / 'metrics.json'}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m orchestai_agents.training.routing_eval",
        description=__doc__.split("\n\n")[0],
    )
    from orchestai_agents.cli.route import add_arguments

    return run_from_args(add_arguments(parser).parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
