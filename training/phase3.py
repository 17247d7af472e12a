"""Phase 3: keep the selector learning from the execution log.

Every ``every`` new executions the selector is updated from the logged runs. Runs are told apart
by ``run_id``: the checkpoint's state file lists the runs earlier updates read, so the runs of a
new or rotated log count as new, whatever its length, and those of a second log read in turn
are not counted again. A run logged twice (an agent that resumes re-logs it) is read once, from
its first record. A log holds the worker each node used and what happened (success, USD,
seconds), not what the other workers would have done, so the update is offline:
advantage-weighted regression (AWR), which raises the probability of logged choices whose reward
beat the average for their task type and lowers it for the others, with the critic regressed on
the same rewards. The newest usable runs are held out; the update replaces the checkpoint only
when it scores better on them than the current one does, and the previous checkpoint is kept as
``previous/``. The new selector is staged and the state written before it
is moved into place, so a crash at any point keeps the old selector (live or in ``previous/``)
and the next call neither loses the update nor learns from its runs again.

Example:
    >>> report = continual_update(ExecutionLog("runs/executions.jsonl"), "ckpt/")  # doctest: +SKIP
    >>> report.accepted  # doctest: +SKIP
    True
"""

from __future__ import annotations

import copy
import json
import os
import shutil
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from orchestai_agents.training.env import EnvConfig, RewardConfig
from orchestai_agents.training.routing.embeddings import embed_texts

from orchestai_agents._internal._files import lock_exclusively, write_text_replacing
from orchestai_agents.accounting import RunResult
from orchestai_agents.errors import CheckpointError
from orchestai_agents.execution_log import ExecutionLog, distinct_runs
from orchestai_agents.plan import Plan
from orchestai_agents.planner.routing import ROUTER_WORKERS_FILE, worker_features
from orchestai_agents.planner.selector import (
    SELECTOR_CONFIG_FILE,
    SELECTOR_WEIGHTS_FILE,
    Selector,
    SelectorConfig,
    context_width,
    load_selector,
    node_context,
    save_selector,
)

__all__ = [
    "Phase3Config",
    "UpdateReport",
    "WorkerCard",
    "continual_update",
    "exclusive_update",
    "load_worker_cards",
    "save_worker_cards",
]

STATE_FILE = "phase3_state.json"
PREVIOUS_DIR = "previous"  # the selector an accepted update replaced
STAGED_DIR = "incoming"  # an accepted update's selector, before it is moved into place
LOCK_FILE = "phase3.lock"  # held by the update in progress; the file itself is left in place


@dataclass(frozen=True)
class WorkerCard:
    """What the selector knows of a worker: the action index is its position in the list."""

    name: str
    description: str
    usd_per_call: float


def save_worker_cards(cards: Sequence[WorkerCard], folder: str | Path) -> None:
    write_text_replacing(
        Path(folder, ROUTER_WORKERS_FILE), json.dumps([asdict(c) for c in cards], indent=2) + "\n"
    )


def load_worker_cards(folder: str | Path) -> list[WorkerCard]:
    path = Path(folder, ROUTER_WORKERS_FILE)
    if not path.is_file():
        raise CheckpointError(
            f"{path} is missing: the checkpoint must list the selector's workers (routing_eval writes it)"
        )
    try:
        return [WorkerCard(**c) for c in json.loads(path.read_text())]
    except (ValueError, TypeError) as exc:  # bad JSON, or entries that are not worker cards
        raise CheckpointError(
            f"{path} is not a list of worker cards ({exc}); re-write it with save_worker_cards"
        ) from exc


@dataclass(frozen=True)
class Phase3Config:
    """Continual-learning settings.

    Attributes:
        every: update after this many executions not yet learned from.
        val_fraction: share of the newest usable runs (those with a node the selector can
            learn from) held out for validation.
        epochs: passes over the training nodes.
        learning_rate: Adam step size.
        temperature: AWR temperature: weight exp(advantage / temperature), clipped at 20.
        min_improvement: the update must beat the current selector by this much on validation.
        min_val_nodes: the fewest held-out nodes an update is validated on; with fewer, no
            update is tried (and the runs stay new until more are logged).
        env: reward coefficients and cost-weight scale the selector was trained with; the
            context layout (``max_nodes``) is read from the checkpoint's selector instead.
        seed: RNG seed.
    """

    every: int = 100
    val_fraction: float = 0.2
    epochs: int = 20
    learning_rate: float = 3e-4
    temperature: float = 1.0
    min_improvement: float = 0.0
    min_val_nodes: int = 10
    env: EnvConfig = field(default_factory=EnvConfig)
    seed: int = 0


@dataclass(frozen=True)
class UpdateReport:
    """What an update did: ``accepted`` tells whether the checkpoint was replaced.

    Attributes:
        accepted: whether the checkpoint was replaced.
        reason: why, or why no update was tried.
        n_runs: distinct runs in the log (by ``run_id``).
        validation_before, validation_after: the current and the updated selector's score on
            the held-out runs, when an update was tried.
        n_nodes: logged nodes the update trained and validated on.
        ignored_nodes: why logged nodes were left out -> how many (a worker the checkpoint does
            not list, or a plan node with no execution record).
        ignored_runs: runs none of whose nodes could be used.
        due: whether an update was due (forced, or ``every`` new runs in); one that was due
            but has no ``validation_after`` could not be tried (``reason`` says why).
        duplicate_runs: records left out because an earlier record has their ``run_id``.
    """

    accepted: bool
    reason: str
    n_runs: int
    validation_before: float | None = None
    validation_after: float | None = None
    n_nodes: int = 0
    ignored_nodes: dict[str, int] = field(default_factory=dict)
    ignored_runs: int = 0
    due: bool = True
    duplicate_runs: int = 0


@dataclass(frozen=True)
class _Batch:
    """Logged node decisions as selector inputs.

    Shapes: instruction, node: (n, hidden); context: (n, context_dim); mask: (n, workers);
    action, reward: (n,); group: (n,) task-type index for the advantage baseline.
    """

    instruction: torch.Tensor
    node: torch.Tensor
    context: torch.Tensor
    mask: torch.Tensor
    action: torch.Tensor
    reward: torch.Tensor
    group: torch.Tensor


def continual_update(
    log: ExecutionLog | Sequence[RunResult],
    checkpoint: str | Path,
    config: Phase3Config | None = None,
    *,
    embed: Callable[[Sequence[str]], np.ndarray] | None = None,
    force: bool = False,
) -> UpdateReport:
    """Update the selector in ``checkpoint`` from the log when ``every`` new runs are in.

    A run is new when no earlier update read its ``run_id``, from this log or another (the
    checkpoint's ``phase3_state.json`` lists them).

    Args:
        log: the execution log (or its records).
        checkpoint: folder with the selector (safetensors), its config and worker list.
        config: phase-3 settings.
        embed: texts -> L2-normalised embeddings (the encoder the selector was trained with);
            ``None``: the offline MiniLM, uncached (a cache keyed on the log's texts would gain
            a file at every update, in whatever folder ``learn`` runs from).
        force: update now even if fewer than ``every`` new runs arrived.

    Two updates of one checkpoint (a scheduled one and one by hand) run one after the other:
    each holds a lock on ``checkpoint/phase3.lock`` throughout, so the second waits, then finds
    the runs the first learned from already learned.
    """
    checkpoint = Path(checkpoint)
    with exclusive_update(checkpoint):
        return _update(log, checkpoint, config or Phase3Config(), embed or _embed_uncached, force)


def _embed_uncached(texts: Sequence[str]) -> np.ndarray:
    return embed_texts(texts, cache_dir=None)


@contextmanager
def exclusive_update(checkpoint: Path) -> Iterator[None]:
    """Hold the checkpoint's update lock (an exclusive ``flock``, released when the file closes),
    having first finished an install that a crash cut short after its commit point (or dropped
    one staged before it).

    Whatever replaces the checkpoint's selector holds it (``orchestai learn`` and ``orchestai
    route --checkpoint``), so neither moves files under the other, and an unfinished update of
    ``learn`` is never finished over a router installed since.
    """
    if not checkpoint.is_dir():  # nothing to guard: load_selector refuses the missing folder
        yield
        return
    with open(checkpoint / LOCK_FILE, "a") as lock:
        lock_exclusively(lock)
        _recover(checkpoint)
        yield


def _update(
    log: ExecutionLog | Sequence[RunResult],
    checkpoint: Path,
    config: Phase3Config,
    embed: Callable[[Sequence[str]], np.ndarray],
    force: bool,
) -> UpdateReport:
    # Loaded first, so a wrong checkpoint is refused even when no update is due yet.
    current = load_selector(checkpoint)
    max_nodes = _context_nodes(current.config, checkpoint)
    cards = load_worker_cards(checkpoint)
    runs, duplicates = distinct_runs(log)
    learned = _learned_run_ids(checkpoint, runs)
    new = [run.run_id for run in runs if run.run_id not in learned]
    if not force and len(new) < config.every:
        return UpdateReport(
            False,
            f"{len(new)} new runs; waiting for {config.every}",
            len(runs),
            due=False,
            duplicate_runs=duplicates,
        )
    usable, ignored = _usable_nodes(runs, cards, max_nodes, config)
    counts = {
        "n_nodes": sum(map(len, usable)),
        "ignored_nodes": dict(ignored.nodes),
        "ignored_runs": ignored.runs,
        "duplicate_runs": duplicates,
    }
    split = _split(usable, len(runs), [c.name for c in cards], config)
    if isinstance(split, str):
        return UpdateReport(False, split, len(runs), **counts)
    features = _worker_features(cards, current.config, checkpoint, embed)
    train, val = (_batch(nodes, len(cards), embed) for nodes in split)
    candidate = _awr(current, train, features, config)
    before, after = _validation(current, val, features), _validation(candidate, val, features)
    accepted = after > before + config.min_improvement
    state = {
        "learned_run_ids": [*learned, *new],
        "last": {"before": before, "after": after, "accepted": accepted},
    }
    if accepted:
        _install(checkpoint, current, candidate, state)
    else:
        _write_state(checkpoint, state)
    reason = (
        "validation improved"
        if accepted
        else "validation got worse or did not improve: kept the checkpoint"
    )
    return UpdateReport(accepted, reason, len(runs), before, after, **counts)


def _context_nodes(config: SelectorConfig, checkpoint: Path) -> int:
    """The ``max_nodes`` of the :func:`node_context` the selector reads, from its context_dim."""
    max_nodes, odd = divmod(config.context_dim - context_width(0), 2)
    if max_nodes < 1 or odd:
        raise CheckpointError(
            f"{checkpoint / SELECTOR_CONFIG_FILE}: context_dim {config.context_dim} is not the "
            f"width of a node context (2 * max_nodes + 4, so at least {context_width(1)}); "
            "phase 3 updates a selector trained with graph context: train one into this "
            f"checkpoint with `orchestai route --checkpoint {checkpoint}`"
        )
    return max_nodes


def _worker_features(
    cards: Sequence[WorkerCard], selector: SelectorConfig, checkpoint: Path, embed: Callable
) -> torch.Tensor:
    """The cards' :func:`worker_features` (workers, width + 1), once ``embed``'s width is
    checked against the selector's, before any training."""
    vectors = embed([c.description for c in cards])  # (workers, width)
    width = vectors.shape[1]
    if {selector.instruction_dim, selector.node_dim, selector.worker_dim - 1} != {width}:
        raise CheckpointError(
            f"{checkpoint / SELECTOR_CONFIG_FILE}: the selector reads "
            f"{selector.instruction_dim}-wide embeddings (instruction_dim; node_dim "
            f"{selector.node_dim}, worker_dim {selector.worker_dim}), but the encoder "
            f"gives {width}-wide ones; update it with the encoder it was trained with (the "
            "`embed` of continual_update; `orchestai learn` uses the offline MiniLM), or train "
            f"a selector on this encoder with `orchestai route --checkpoint {checkpoint}`"
        )
    return torch.as_tensor(worker_features(vectors, [c.usd_per_call for c in cards]))


@dataclass(frozen=True)
class _Node:
    """One logged decision: the selector's context for it, the worker chosen (an action index),
    its reward, and the texts the selector embeds."""

    context: list[float]
    action: int
    reward: float
    task_type: str
    instruction: str
    description: str


@dataclass(frozen=True)
class _Ignored:
    """Logged nodes left out, counted by reason, and runs of which none was kept."""

    nodes: Counter[str]
    runs: int


def _usable_nodes(
    runs: Sequence[RunResult], cards: Sequence[WorkerCard], max_nodes: int, config: Phase3Config
) -> tuple[list[list[_Node]], _Ignored]:
    """The nodes of each run whose worker is in ``cards``, in log order, leaving out the runs
    with none; and what was left out. Contexts are laid out for ``max_nodes`` sub-tasks."""
    index = {c.name: i for i, c in enumerate(cards)}
    usable: list[list[_Node]] = []
    ignored: Counter[str] = Counter()
    for run in runs:
        plan = Plan.from_dict(run.plan)
        order = plan.topological_order()
        position = {s.id: i for i, s in enumerate(order)}
        records = {n.node_id: n for n in run.nodes}
        nodes = []
        for i, sub in enumerate(order):
            record = records.get(sub.id)
            if record is None:
                ignored["no execution record for the plan node"] += 1
                continue
            if record.called_no_worker:
                ignored["no worker was called (skipped or stopped)"] += 1
                continue
            if record.worker not in index:
                ignored[f"worker {record.worker!r} is not in {ROUTER_WORKERS_FILE}"] += 1
                continue
            context = node_context(
                max_nodes=max_nodes,
                position=i,
                n_nodes=len(order),
                dependencies=[position[d] for d in sub.dependencies],
                cost_weight=config.env.reward.beta,
                cost_weight_scale=config.env.beta_scale,
            )
            reward = _node_reward(config.env.reward, record.success, record.usd, record.seconds)
            description = f"{sub.task_type}: {sub.description}"
            nodes.append(
                _Node(
                    context,
                    index[record.worker],
                    reward,
                    sub.task_type,
                    plan.instruction,
                    description,
                )
            )
        if nodes:
            usable.append(nodes)
    return usable, _Ignored(ignored, len(runs) - len(usable))


def _split(
    usable: list[list[_Node]], n_runs: int, workers: Sequence[str], config: Phase3Config
) -> tuple[list[_Node], list[_Node]] | str:
    """Training and held-out nodes: the newest ``val_fraction`` of the usable runs are held out.

    Usable runs only, so runs on workers the selector does not know (a worker added since it
    was trained) cannot fill the held-out share. Returns why no update can be tried instead
    when there is too little to train or validate on.
    """
    if not usable and not n_runs:
        return "the execution log has no runs; nothing to learn from"
    if not usable:
        return (
            f"none of the {n_runs} runs has a node to learn from (ignored_nodes says why); "
            f"this selector knows the workers {list(workers)}"
        )
    n_val = max(1, int(config.val_fraction * len(usable)))
    if n_val >= len(usable):
        return (
            f"{len(usable)} usable run(s) in the log: the newest {n_val} are held out for "
            "validation, which leaves none to train on; log more runs"
        )
    train = [node for nodes in usable[:-n_val] for node in nodes]
    val = [node for nodes in usable[-n_val:] for node in nodes]
    if len(val) < config.min_val_nodes:
        return (
            f"the newest {n_val} usable run(s), held out for validation, have {len(val)} "
            f"node(s); validating needs at least min_val_nodes={config.min_val_nodes}, so no "
            "update was tried and the runs still count as new; log more runs"
        )
    return train, val


def _batch(nodes: Sequence[_Node], n_workers: int, embed: Callable) -> _Batch:
    """``nodes`` as selector inputs; every worker is allowed (the log holds no masks)."""
    vectors = torch.as_tensor(embed([t for n in nodes for t in (n.instruction, n.description)]))
    tasks = sorted({n.task_type for n in nodes})
    return _Batch(
        instruction=vectors[0::2],
        node=vectors[1::2],
        context=torch.as_tensor(np.array([n.context for n in nodes], np.float32)),
        mask=torch.ones(len(nodes), n_workers, dtype=torch.bool),
        action=torch.as_tensor([n.action for n in nodes]),
        reward=torch.as_tensor([n.reward for n in nodes], dtype=torch.float32),
        group=torch.as_tensor([tasks.index(n.task_type) for n in nodes]),
    )


def _node_reward(reward: RewardConfig, success: bool, usd: float, seconds: float) -> float:
    return (
        (reward.alpha + reward.node_bonus) * float(success)
        - reward.beta * usd
        - reward.gamma * seconds
    )


def _advantage(batch: _Batch) -> torch.Tensor:
    """Reward minus the mean reward of the node's task type (the logged policy's value)."""
    baseline = torch.zeros_like(batch.reward)
    for g in batch.group.unique():
        members = batch.group == g
        baseline[members] = batch.reward[members].mean()
    return batch.reward - baseline


def _awr(
    selector: Selector, batch: _Batch, features: torch.Tensor, config: Phase3Config
) -> Selector:
    candidate = copy.deepcopy(selector).train()
    torch.manual_seed(config.seed)
    weights = torch.exp(_advantage(batch) / config.temperature).clamp(max=20.0)
    optimizer = torch.optim.Adam(candidate.parameters(), lr=config.learning_rate)
    for _ in range(config.epochs):
        out = candidate(batch.instruction, batch.node, features, batch.mask, batch.context)
        log_prob = torch.log_softmax(out.logits, -1).gather(1, batch.action[:, None]).squeeze(1)
        loss = -(weights * log_prob).mean() + 0.5 * ((out.value - batch.reward) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(candidate.parameters(), 1.0)
        optimizer.step()
    return candidate.eval()


@torch.no_grad()
def _validation(selector: Selector, batch: _Batch, features: torch.Tensor) -> float:
    """Mean of pi(logged worker) * advantage: positive when the selector favours the logged
    choices that beat their task type's average and avoids the ones that fell short."""
    selector.eval()
    probs = torch.softmax(
        selector(batch.instruction, batch.node, features, batch.mask, batch.context).logits, -1
    )
    chosen = probs.gather(1, batch.action[:, None]).squeeze(1)
    return float((chosen * _advantage(batch)).mean())


def _install(checkpoint: Path, current: Selector, candidate: Selector, state: dict) -> None:
    """Make ``candidate`` live, keep ``current`` in ``previous/`` and write ``state``, such that
    a crash at any step leaves the selector that was live in place or in ``previous/``, and
    the runs learned from at most once.

    The candidate is staged in ``incoming/`` and the live selector copied to ``previous/``
    while the live files are untouched: a crash there leaves the state as it was, and the next
    call redoes the update. The state, marking the runs learned and the install pending, is the
    commit point; from there :func:`_finish_install` moves the staged files into place, and
    the next call finishes it if a crash cut it short.
    """
    save_selector(candidate, checkpoint / STAGED_DIR)
    save_selector(current, checkpoint / PREVIOUS_DIR)
    _write_state(checkpoint, {**state, "installing": True})
    _finish_install(checkpoint)


def _finish_install(checkpoint: Path) -> None:
    """Move the staged selector onto the live one and clear the pending mark; each step can
    be repeated, so a crash anywhere in here is finished by calling it again."""
    staged = checkpoint / STAGED_DIR
    for name in (SELECTOR_WEIGHTS_FILE, SELECTOR_CONFIG_FILE):
        if (staged / name).is_file():
            os.replace(staged / name, checkpoint / name)
    shutil.rmtree(staged, ignore_errors=True)
    state = _state(checkpoint)
    del state["installing"]
    _write_state(checkpoint, state)


def _recover(checkpoint: Path) -> None:
    """Finish an install a crash cut short after its commit point, or drop one staged before."""
    if _state(checkpoint).get("installing"):
        _finish_install(checkpoint)
    elif (checkpoint / STAGED_DIR).exists():
        shutil.rmtree(checkpoint / STAGED_DIR)


_RESET = "delete it to count every run in the log as new"


def _state(checkpoint: Path) -> dict:
    path = checkpoint / STATE_FILE
    if not path.is_file():
        return {}
    try:
        state = json.loads(path.read_text())
    except ValueError as exc:  # bad JSON or bytes that are not UTF-8
        raise CheckpointError(f"{path} is not valid JSON ({exc}); {_RESET}") from exc
    if not isinstance(state, dict):
        raise CheckpointError(f"{path} holds a {type(state).__name__}, not a JSON object; {_RESET}")
    return state


def _learned_run_ids(checkpoint: Path, runs: Sequence[RunResult]) -> dict[str, None]:
    """Ids of the runs earlier updates read, from any log, in the order they were learned.

    Kept whole, so the runs of two logs (two agents, one checkpoint) or of a log rotated back
    in are never new twice; the list grows by one id per run (about 40 bytes for a UUID).
    """
    state = _state(checkpoint)
    if "runs_learned" in state:
        state = _migrate_count(checkpoint, state, runs)
    ids = state.get("learned_run_ids", [])
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise CheckpointError(
            f"{checkpoint / STATE_FILE}: 'learned_run_ids' must be a list of run ids; {_RESET}"
        )
    return dict.fromkeys(ids)  # an ordered set


def _migrate_count(checkpoint: Path, state: dict, runs: Sequence[RunResult]) -> dict:
    """Rewrite a state file of the earlier format, a count of the first runs of the log, as ids.

    A log shorter than that count was rotated or replaced since: none of its runs is taken as
    learned. The file is rewritten at once, so a log that grows past the count later is not
    mistaken for the one counted.
    """
    count = state.pop("runs_learned")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise CheckpointError(
            f"{checkpoint / STATE_FILE}: 'runs_learned' must be a count of runs, got {count!r}; "
            f"{_RESET}"
        )
    state["learned_run_ids"] = [r.run_id for r in runs[:count]] if count <= len(runs) else []
    _write_state(checkpoint, state)
    return state


def _write_state(checkpoint: Path, state: dict) -> None:
    write_text_replacing(checkpoint / STATE_FILE, json.dumps(state, indent=2) + "\n")
