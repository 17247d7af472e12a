"""Phase 1: supervised training of the planner on annotated workflows.

L = CE(task type) + BCE(stop) + CE(dependencies) + CE(worker) + lambda * L_DAG, AdamW,
ReduceLROnPlateau on the validation score, gradient clipping at 1.0, early stopping, a tqdm bar,
metrics to ``metrics.csv`` and TensorBoard (and wandb when installed and asked for). The validation
score is node-F1 + link-F1 averaged over the data sets in the validation split, so a small data set
weighs as much as a large one in when to stop and which epoch to keep.

The encoder is frozen unless the config says otherwise, so its outputs are computed once and cached
under ``cache_dir``; each step then runs only the adapter, decomposer, GNN and selector. When the
config fine-tunes the encoder's top layers, the states entering them are cached instead, each step
runs the top layers too (at ``encoder_lr``), and after every epoch the embeddings that depend on
the encoder's output (descriptions, lexical matches, plan-memory keys) are recomputed, so training,
validation and the saved checkpoint all see the encoder as it is.

With ``ema_decay`` above 0, an exponential moving average of the weights (``AveragedModel``) is
what each epoch validates and what is kept; training goes on with the weights as they are. The
kept epoch then matters much less, and retrains (other seeds; other CPUs, whose kernels round
differently) land closer together.

Example:
    >>> from training.datasets import load_planning_dataset
    >>> result = train_phase1(Phase1Config(out_dir="runs/ultratool"), load_planning_dataset("ultratool", "train"))
"""

from __future__ import annotations

import contextlib
import csv
import math
import random
import statistics
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import torch
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from tqdm.auto import tqdm

from orchestai_agents._internal._files import new_run_folder, write_replacing
from orchestai_agents.encoders import EncodedText, int8_available
from orchestai_agents.errors import ConfigError
from orchestai_agents.planner import Inventory, Planner, PlannerConfig, PlanningTargets
from orchestai_agents.planner.encoder import TypeWords, score_words, type_words

from .phase1_data import (
    candidate_mask,
    encode_cached,
    inventory_of,
    make_targets,
    repeatable_types,
)
from .workflows import AnnotatedWorkflow

__all__ = [
    "Phase1Config",
    "Phase1Result",
    "resolve_device",
    "seed_everything",
    "train_phase1",
    "validation_score",
]


@dataclass
class Phase1Config:
    """Phase-1 training options.

    Attributes:
        planner: the model's config (its inventory is filled in from the data).
        out_dir: where ``metrics.csv``, TensorBoard logs and the best checkpoint go; the
            checkpoint is rewritten at every better epoch, so a crash keeps the best one so far.
        cache_dir: where frozen-encoder outputs are cached between runs.
        lr: AdamW learning rate.
        encoder_lr: AdamW learning rate of the encoder's fine-tuned layers (when the planner config
            fine-tunes them).
        weight_decay: AdamW weight decay.
        batch_size: workflows per step.
        max_epochs: upper bound on epochs.
        patience: epochs without a better validation score before stopping.
        plateau_patience: epochs without improvement before ReduceLROnPlateau halves the rate.
        val_fraction: part of the training workflows held out for early stopping (by a seeded shuffle).
        grad_clip: max gradient norm.
        seed: seeds Python, torch and the data order.
        device: ``"auto"`` (cuda if available), ``"cpu"`` or ``"cuda"``.
        max_minutes: wall-clock budget, counted from the call of :func:`train_phase1` (encoding
            the data is part of it); training stops before an epoch that would pass it, judged
            by the length of the epoch before.
        wandb_project: log to this wandb project when wandb is installed; ``None`` disables it.
        threads: torch CPU threads (0 leaves torch's default).
        memory: give the planner a plan memory of the training workflows (retrieved plans as a prior).
        ema_decay: above 0, validate and keep an exponential moving average of the weights
            (``torch.optim.swa_utils.AveragedModel``, updated every step with this decay) instead
            of the weights as they are; 0 turns it off.
        int8_features: train on what the encoder's int8 copy computes (the encoder's output, or
            for fine-tuned top layers the states entering them), as the planner encodes at
            inference on CPU, instead of on the float encoder's. Needs a planner whose encoder is
            quantized at inference (``config.encoder.quantize``).
    """

    planner: PlannerConfig = field(default_factory=PlannerConfig)
    out_dir: str = "runs/phase1"
    cache_dir: str | None = "runs/cache"
    lr: float = 1e-4
    encoder_lr: float = 5e-5
    weight_decay: float = 0.01
    batch_size: int = 32
    max_epochs: int = 60
    patience: int = 6
    plateau_patience: int = 2
    val_fraction: float = 0.1
    grad_clip: float = 1.0
    seed: int = 0
    device: str = "auto"
    max_minutes: float = 25.0
    wandb_project: str | None = None
    threads: int = 0
    memory: bool = True
    ema_decay: float = 0.0
    int8_features: bool = False

    def __post_init__(self) -> None:
        # "not >" rather than "<=": NaN fails every comparison, so it is refused too
        for name in ("lr", "encoder_lr", "batch_size", "max_epochs", "grad_clip", "max_minutes"):
            if not getattr(self, name) > 0:
                raise ValueError(
                    f"Phase1Config.{name} must be above 0, got {getattr(self, name)!r}"
                )
        for name in ("weight_decay", "patience", "plateau_patience", "threads"):
            if not getattr(self, name) >= 0:
                raise ValueError(
                    f"Phase1Config.{name} must be 0 or more, got {getattr(self, name)!r}"
                )
        if not 0 <= self.ema_decay < 1:
            raise ValueError(
                f"Phase1Config.ema_decay must be 0 (off) or lie in (0, 1), got {self.ema_decay!r}"
            )
        if self.int8_features and not int8_available():
            raise ValueError(
                "Phase1Config.int8_features needs torch.ao's dynamic int8 quantization, which "
                "this torch lacks (the planner then encodes in float32 anyway); leave it off"
            )
        if self.int8_features and not self.planner.encoder.quantize:
            raise ValueError(
                "Phase1Config.int8_features trains on the int8 encoder's features, but this "
                "planner's encoder is not quantized at inference (encoder.quantize is False); "
                "leave int8_features off"
            )
        if not 0 < self.val_fraction < 1:
            raise ValueError(
                f"Phase1Config.val_fraction must lie strictly between 0 and 1, got {self.val_fraction!r}"
            )


@dataclass
class Phase1Result:
    """The trained planner (best validation epoch) and its history.

    ``interrupted`` is set when Ctrl-C stopped training after at least one epoch: the planner
    is then the best epoch so far. ``stopped`` says why training ended.
    """

    planner: Planner
    history: list[dict[str, float]]
    best: dict[str, float]
    interrupted: bool = False
    stopped: str = ""


def seed_everything(seed: int) -> None:
    random.seed(seed)
    torch.manual_seed(seed)


def resolve_device(device: str) -> torch.device:
    """``"auto"`` (cuda if available) or a torch device string.

    Raises:
        ConfigError: if ``device`` is not a torch device, or is a CUDA one this machine lacks.
    """
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except RuntimeError as exc:
        raise ConfigError(
            f"device {device!r} is not a torch device; use auto, cpu or cuda"
        ) from exc
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError(
            f"device {device!r} needs CUDA, which this machine lacks; use auto or cpu"
        )
    if resolved.type == "cuda" and (resolved.index or 0) >= torch.cuda.device_count():
        raise ConfigError(
            f"device {device!r} does not exist: this machine has {torch.cuda.device_count()} "
            f"CUDA device(s), cuda:0 to cuda:{torch.cuda.device_count() - 1}"
        )
    return resolved


def train_phase1(
    config: Phase1Config,
    train: Sequence[AnnotatedWorkflow],
    val: Sequence[AnnotatedWorkflow] | None = None,
    *,
    inventory: Inventory | None = None,
    planner: Planner | None = None,
) -> Phase1Result:
    """Train a planner; ``val`` defaults to a seeded ``val_fraction`` of ``train``.

    On CPU the run is bit-reproducible: same seed, data and thread count, same checkpoint.
    """
    started = time.monotonic()
    device = resolve_device(config.device)
    with _deterministic_on_cpu(device):
        return _train(config, train, val, inventory, planner, device, started)


@contextlib.contextmanager
def _deterministic_on_cpu(device: torch.device) -> Iterator[None]:
    """PyTorch's deterministic kernels for the run, then the caller's setting back.

    Without them, multithreaded CPU ``index_put_(accumulate=True)`` (the backward of gathering
    the chosen task types' keys) sums in a varying order, and two runs drift apart by several
    points. CUDA runs are left as they are (their deterministic mode needs
    ``CUBLAS_WORKSPACE_CONFIG``).
    """
    if device.type != "cpu":
        yield
        return
    previous = (
        torch.are_deterministic_algorithms_enabled(),
        torch.is_deterministic_algorithms_warn_only_enabled(),
    )
    torch.use_deterministic_algorithms(True)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(previous[0], warn_only=previous[1])


def _train(
    config: Phase1Config,
    train: Sequence[AnnotatedWorkflow],
    val: Sequence[AnnotatedWorkflow] | None,
    inventory: Inventory | None,
    planner: Planner | None,
    device: torch.device,
    started: float,
) -> Phase1Result:
    seed_everything(config.seed)
    if config.threads:
        torch.set_num_threads(config.threads)
    train, val = _split(train, val, config)
    inventory = inventory or inventory_of([*train, *val])
    planner = planner or Planner(
        _with_inventory(config.planner, inventory, len(train) if config.memory else 0, train)
    )
    planner.to(device)
    data = _Data.build(
        planner, inventory, train, val, config.cache_dir, device, int8=config.int8_features
    )
    return _Loop(config, planner, data, device).run(started)


def _split(
    train: Sequence[AnnotatedWorkflow],
    val: Sequence[AnnotatedWorkflow] | None,
    config: Phase1Config,
) -> tuple[list[AnnotatedWorkflow], list[AnnotatedWorkflow]]:
    if val:
        return list(train), list(val)
    if len(train) < 2:
        raise ConfigError(
            f"{len(train)} training workflow(s): training needs at least 2, since a share is "
            "held out for validation; add workflows or pass a validation set"
        )
    order = list(train)
    random.Random(config.seed).shuffle(order)
    n_val = max(1, int(len(order) * config.val_fraction))
    return order[n_val:], order[:n_val]


def _with_inventory(
    config: PlannerConfig,
    inventory: Inventory,
    memory_size: int,
    train: Sequence[AnnotatedWorkflow],
) -> PlannerConfig:
    """``config`` with the data's inventory, plan-memory size and repeatable task types."""
    workers = {
        w: {
            "description": d,
            "task_types": [
                t for t, c in zip(inventory.task_types, inventory.capable, strict=True) if i in c
            ],
        }
        for i, (w, d) in enumerate(
            zip(inventory.workers, inventory.worker_descriptions, strict=True)
        )
    }
    own = all(
        len(c) == 1 and inventory.workers[c[0]] == t
        for t, c in zip(inventory.task_types, inventory.capable, strict=True)
    )
    return PlannerConfig(
        **{
            **asdict(config),
            "inventory": dict(zip(inventory.task_types, inventory.descriptions, strict=True)),
            "workers": {} if own else workers,
            "memory": {**asdict(config.memory), "size": memory_size},
            "decomposer": {
                **asdict(config.decomposer),
                "repeatable_types": repeatable_types(train),
            },
        }
    )


@dataclass
class _Data:
    """Everything a step needs, on the device.

    ``train`` and ``val`` hold the cached encoder states of the requests: the encoder's output, or
    for a fine-tuned encoder the states entering its top layers. Everything derived from the
    encoder's output is set by :meth:`refresh`.
    """

    inventory: Inventory
    # Cached states of the types' and workers' texts; one object twice when the texts are the same.
    descriptions: tuple[EncodedText, EncodedText]
    capable: torch.Tensor  # (n_types, n_workers) bool
    train: tuple[EncodedText, PlanningTargets, list[AnnotatedWorkflow]]
    val: tuple[EncodedText, PlanningTargets, list[AnnotatedWorkflow]]
    # (n, n_types) bool, the types each request may use (its own candidates); None: all of them
    train_allowed: torch.Tensor | None = None
    val_allowed: torch.Tensor | None = None
    types: torch.Tensor = field(init=False)  # (n_types, enc)
    workers: torch.Tensor = field(init=False)  # (n_workers, enc)
    train_match: torch.Tensor = field(init=False)  # (n_train, n_types) lexical match
    val_match: torch.Tensor = field(init=False)

    @classmethod
    def build(
        cls,
        planner: Planner,
        inventory: Inventory,
        train: list[AnnotatedWorkflow],
        val: list[AnnotatedWorkflow],
        cache_dir: str | None,
        device: torch.device,
        *,
        int8: bool = False,
    ) -> _Data:
        encoder = planner.encoder.text
        encode = partial(encode_cached, encoder, cache_dir=cache_dir, int8=int8)
        type_texts, worker_texts = _inventory_texts(inventory)
        capable = torch.zeros(len(inventory.task_types), len(inventory.workers), dtype=torch.bool)
        for t, idx in enumerate(inventory.capable):
            capable[t, list(idx)] = True
        sides = []
        for part in (train, val):
            encoded = encode([w.request for w in part])
            encoded = encoded._replace(tokens=encoded.tokens.float())  # once, not every step
            sides.append((encoded, make_targets(part, inventory), part))
        masks = [candidate_mask(part, inventory, [*train, *val]) for part in (train, val)]
        allowed = [None if m.all() else m.to(device) for m in masks]  # None: no restriction
        types = encode(type_texts)
        data = cls(
            inventory,
            # A data set's tools are its workers, with the same texts: one encoding serves both.
            (types, types if worker_texts == type_texts else encode(worker_texts)),
            capable.to(device),
            sides[0],
            sides[1],
            *allowed,
        )
        data.refresh(planner, device)
        return data

    @torch.no_grad()
    def refresh(self, planner: Planner, device: torch.device, *, train_match: bool = True) -> None:
        """Description embeddings, lexical matches and plan-memory keys from the encoder as it is
        (the planner is left in eval mode).

        ``train_match=False`` leaves the train requests' lexical matches as they are: a copy that is
        only validated (the moving average) reads the validation side's alone.
        """
        planner.eval()
        output = partial(_encoder_output, planner)
        cached_types, cached_workers = self.descriptions
        types = output(cached_types)
        workers = types if cached_workers is cached_types else output(cached_workers)
        self.types, self.workers = types.pooled.to(device), workers.pooled.to(device)
        train, val = output(self.train[0]), output(self.val[0])
        if planner.config.decomposer.lexical_match:
            # No gradient needed: computed once per request (per epoch when fine-tuning).
            words = type_words(types.tokens, types.mask)
            self.val_match = _match(val, words, self.val_allowed).to(device)
            if train_match:
                self.train_match = _match(train, words, self.train_allowed).to(device)
        else:
            n_types = len(self.inventory.task_types)
            self.train_match = torch.zeros(len(self.train[2]), n_types, device=device)
            self.val_match = torch.zeros(len(self.val[2]), n_types, device=device)
        if planner.memory.enabled:
            planner.memory.fill(
                train.pooled.to(device), self.train[1].type_ids.clamp(min=-1).to(device)
            )


def _match(out: EncodedText, words: TypeWords, allowed: torch.Tensor | None) -> torch.Tensor:
    """(n, n_types) lexical match of each request with the types it may use.

    Requests are scored against their allowed types alone (all of a request's own data set, or
    its 2-6 NesTools candidates, rather than thousands of tools): the planner puts the other
    types out of reach, so their 0 is never read, and a fine-tuned joint run's per-epoch refresh
    stays affordable. Requests that share an allowed set are scored together.
    """
    if allowed is None:
        return score_words(out.tokens, out.mask, words)
    match = torch.zeros(out.mask.shape[0], words.n_types)
    patterns, group = allowed.cpu().unique(dim=0, return_inverse=True)
    for k, pattern in enumerate(patterns):
        rows = (group == k).nonzero().squeeze(1)
        keep = pattern[words.types].nonzero().squeeze(1)
        own = TypeWords(words.keys[keep], words.types[keep], words.share[keep], words.n_types)
        match[rows] = score_words(out.tokens[rows], out.mask[rows], own)
    return match


def _encoder_output(planner: Planner, cached: EncodedText, batch_size: int = 128) -> EncodedText:
    """The encoder's output for cached states: themselves, or run through the fine-tuned top layers
    (in batches of similar length: padding to the longest request would double the work)."""
    text = planner.encoder.text
    if not text.top_layers:
        return cached
    device = next(text.parameters()).device
    lengths = cached.mask.sum(1)
    pooled = torch.zeros(cached.pooled.shape)
    tokens = torch.zeros(cached.tokens.shape)
    for idx in lengths.argsort().split(batch_size):
        width = int(lengths[idx].max())
        out = text.run_top(
            cached.tokens[idx, :width].to(device).float(), cached.mask[idx, :width].to(device)
        )
        pooled[idx], tokens[idx, :width] = out.pooled.cpu(), out.tokens.cpu()
    return EncodedText(pooled, tokens, cached.mask)


def _inventory_texts(inventory: Inventory) -> tuple[list[str], list[str]]:
    from orchestai_agents.planner.encoder import describe

    return (
        [describe(t, d) for t, d in zip(inventory.task_types, inventory.descriptions, strict=True)],
        [
            describe(w, d)
            for w, d in zip(inventory.workers, inventory.worker_descriptions, strict=True)
        ],
    )


def _length_buckets(mask: torch.Tensor, batch_size: int) -> list[torch.Tensor]:
    """Batches of similar length (less padding), in a random order; mask: (n, seq)."""
    lengths = mask.sum(1) + torch.rand(mask.shape[0])  # random tie-breaks reshuffle equal lengths
    batches = list(lengths.argsort().split(batch_size))
    return [batches[i] for i in torch.randperm(len(batches)).tolist()]


def _batch(
    side: tuple[EncodedText, PlanningTargets, list[AnnotatedWorkflow]],
    idx: torch.Tensor,
    device: torch.device,
) -> tuple[torch.Tensor, torch.Tensor, PlanningTargets]:
    encoded, targets, _ = side
    mask = encoded.mask[idx]
    seq = int(mask.sum(1).max())
    width = int(targets.n_nodes[idx].max())
    t = PlanningTargets(
        targets.type_ids[idx, :width],
        targets.deps[idx, :width, :width],
        targets.n_nodes[idx],
        targets.worker_ids[idx, :width],
    )
    return (
        encoded.tokens[idx, :seq].to(device),
        mask[:, :seq].to(device),
        PlanningTargets(*(x.to(device) for x in t)),
    )


class _Loop:
    """The epoch loop: train, validate, schedule, stop early, log."""

    def __init__(
        self, config: Phase1Config, planner: Planner, data: _Data, device: torch.device
    ) -> None:
        self.config, self.planner, self.data, self.device = config, planner, data, device
        trained = [(n, p) for n, p in planner.named_parameters() if p.requires_grad]
        encoder = [p for n, p in trained if n.startswith("encoder.text.")]  # fine-tuned layers
        groups = [
            {"params": [p for n, p in trained if not n.startswith("encoder.text.")]},
            {"params": encoder, "lr": config.encoder_lr},
        ]
        self.optimizer = torch.optim.AdamW(
            [g for g in groups if g["params"]], lr=config.lr, weight_decay=config.weight_decay
        )
        self.scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
            self.optimizer, mode="max", factor=0.5, patience=config.plateau_patience
        )
        # Buffers are not averaged: the averaged copy's plan memory is refilled from its own encoder.
        self.ema = (
            AveragedModel(planner, multi_avg_fn=get_ema_multi_avg_fn(config.ema_decay))
            if config.ema_decay
            else None
        )
        self.out = Path(config.out_dir)
        self.out.mkdir(parents=True, exist_ok=True)
        self.logger = _MetricsLogger(self.out, config)

    def run(self, started: float) -> Phase1Result:
        """The epochs; ``started``: the ``time.monotonic()`` the budget counts from."""
        best: dict[str, float] = {"score": -math.inf}
        best_state: dict[str, torch.Tensor] | None = None
        history, stale, interrupted = [], 0, False
        stopped = f"all {self.config.max_epochs} epochs ran"
        last_minutes = (time.monotonic() - started) / 60  # encoding the data took this long
        bar = tqdm(range(1, self.config.max_epochs + 1), desc="phase 1", unit="epoch")
        try:
            for epoch in bar:
                row = self._train_epoch()
                kept = self.planner if self.ema is None else self.ema.module
                fine_tuned = bool(self.planner.encoder.text.top_layers)
                if fine_tuned:
                    self.data.refresh(kept, self.device, train_match=kept is self.planner)
                row = {"epoch": epoch, **row, **self._validate(kept)}
                if fine_tuned and kept is not self.planner:
                    self.data.refresh(self.planner, self.device)  # to train on as it is
                row["lr"] = self.optimizer.param_groups[0]["lr"]
                row["minutes"] = (time.monotonic() - started) / 60
                self.scheduler.step(row["val_score"])
                history.append(row)
                self.logger.log(row)
                bar.set_postfix(
                    loss=f"{row['train_loss']:.3f}",
                    node_f1=f"{row['val_node_f1']:.1f}",
                    link_f1=f"{row['val_link_f1']:.1f}",
                )
                if row["val_score"] > best["score"]:
                    best, stale = {**row, "score": row["val_score"]}, 0
                    best_state = {k: v.detach().clone() for k, v in kept.state_dict().items()}
                    _record_metrics(kept, best)
                    kept.save_pretrained(self.out)  # a crash later still leaves this epoch
                else:
                    stale += 1
                took, last_minutes = row["minutes"] - last_minutes, row["minutes"]
                if stale >= self.config.patience:
                    stopped = (
                        f"early stopping: no better validation score since epoch {best['epoch']}"
                    )
                    break
                if epoch < self.config.max_epochs and last_minutes + took > self.config.max_minutes:
                    stopped = (
                        f"another epoch (about {60 * took:.0f} s) would pass the "
                        f"{self.config.max_minutes:g}-minute budget (raise max_minutes, --max-minutes, to train on)"
                    )
                    break
        except KeyboardInterrupt:
            if best_state is None:
                raise  # no epoch finished: nothing worth keeping
            interrupted, stopped = True, "interrupted"
        except Exception as error:
            if best_state is not None:
                error.add_note(
                    f"phase 1: the best epoch so far ({int(best['epoch'])}) is saved in {self.out}"
                )
            raise
        finally:
            self.logger.close()
        if best_state is not None:
            self.planner.load_state_dict(best_state)
        _record_metrics(self.planner, best)
        self.planner.eval()
        return Phase1Result(self.planner, history, best, interrupted, stopped)

    def _inputs(
        self,
        side: tuple[EncodedText, PlanningTargets, list[AnnotatedWorkflow]],
        idx: torch.Tensor,
        planner: Planner,
    ) -> tuple[torch.Tensor, torch.Tensor, PlanningTargets]:
        """A batch's encoder output (through the fine-tuned top layers, if any), mask and targets."""
        tokens, mask, targets = _batch(side, idx, self.device)
        if planner.encoder.text.top_layers:
            tokens = planner.encoder.text.run_top(tokens, mask).tokens
        return tokens, mask, targets

    def _train_epoch(self) -> dict[str, float]:
        self.planner.train()
        self.planner.encoder.text.train(self.planner.config.encoder.trainable)
        totals: dict[str, float] = {}
        steps = 0
        for idx in _length_buckets(self.data.train[0].mask, self.config.batch_size):
            tokens, mask, targets = self._inputs(self.data.train, idx, self.planner)
            out = self.planner(
                tokens,
                mask,
                self.data.types,
                targets,
                self.data.workers,
                self.data.capable,
                memory_rows=idx.to(self.device),
                match=self.data.train_match[idx.to(self.device)],
                allowed=_rows(self.data.train_allowed, idx),
            )
            self.optimizer.zero_grad(set_to_none=True)
            out.loss.backward()
            torch.nn.utils.clip_grad_norm_(self.planner.parameters(), self.config.grad_clip)
            self.optimizer.step()
            if self.ema is not None:
                self.ema.update_parameters(self.planner)
            steps += 1
            for k, v in {"loss": out.loss, **out.losses}.items():
                totals[f"train_{k}"] = totals.get(f"train_{k}", 0.0) + float(v.detach())
        return {k: v / steps for k, v in totals.items()}

    @torch.no_grad()
    def _validate(self, planner: Planner) -> dict[str, float]:
        planner.eval()
        workflows = self.data.val[2]
        predicted = []
        for start in range(0, len(workflows), 64):
            idx = torch.arange(start, min(start + 64, len(workflows)))
            tokens, mask, _ = self._inputs(self.data.val, idx, planner)
            predicted += planner.decode(
                [w.request for w in workflows[start : start + 64]],
                tokens,
                mask,
                self.data.types,
                self.data.workers,
                self.data.inventory,
                match=self.data.val_match[idx.to(self.device)],
                allowed=_rows(self.data.val_allowed, idx),
                # Without repeats, as every checkpoint so far was chosen: the repeatable types
                # apply from inference on, and the kept epoch (the weights) stay as they were.
                allow_repeats=False,
            )
        scores = score_graphs(predicted, workflows)
        return {f"val_{k}": v for k, v in scores.items()} | {
            "val_score": validation_score(predicted, workflows)
        }


def _rows(allowed: torch.Tensor | None, idx: torch.Tensor) -> torch.Tensor | None:
    return None if allowed is None else allowed[idx.to(allowed.device)]


def _record_metrics(planner: Planner, best: dict[str, float]) -> None:
    """Write the kept epoch's validation scores into the planner's config (and so its card)."""
    planner.config.metadata.setdefault("metrics", {}).update(
        {f"validation {k[4:]}": float(v) for k, v in best.items() if k.startswith("val_")}
    )


def score_graphs(predicted: Sequence[Any], gold: Sequence[AnnotatedWorkflow]) -> dict[str, float]:
    """GNN4TaskPlan node/link F1 and accuracy (percent) of decoded graphs against gold workflows."""
    from .metrics import score_plans

    scores = score_plans([(list(p.task_types), p.named_links) for p in predicted], gold)
    return {
        "node_f1": scores.node_f1,
        "link_f1": scores.link_f1 or 0.0,
        "accuracy": scores.accuracy,
    }


def validation_score(predicted: Sequence[Any], gold: Sequence[AnnotatedWorkflow]) -> float:
    """Node-F1 + link-F1 of each data set (``source``) of ``gold``, averaged over data sets."""
    rows: dict[str, list[int]] = {}
    for i, workflow in enumerate(gold):
        rows.setdefault(workflow.source, []).append(i)
    return statistics.fmean(
        scores["node_f1"] + scores["link_f1"]
        for scores in (
            score_graphs([predicted[i] for i in idx], [gold[i] for i in idx])
            for idx in rows.values()
        )
    )


class _MetricsLogger:
    """CSV + TensorBoard (+ wandb) sinks for one run."""

    def __init__(self, out: Path, config: Phase1Config) -> None:
        self.csv_path = out / "metrics.csv"
        self.rows: list[dict[str, float]] = []
        try:
            from torch.utils.tensorboard import SummaryWriter

            # A folder per run: runs written over the same --out show apart in TensorBoard
            # rather than as one curve that jumps back to epoch 1.
            self.tb: Any = SummaryWriter(str(new_run_folder(out / "tensorboard")))
        except ImportError:
            self.tb = None
        self.wandb: Any = None
        if config.wandb_project:
            try:
                import wandb

                self.wandb = wandb.init(project=config.wandb_project, config=asdict(config))
            except ImportError:
                self.wandb = None

    def log(self, row: dict[str, float]) -> None:
        self.rows.append(row)
        keys = list(dict.fromkeys(k for r in self.rows for k in r))

        def write(temp: Path) -> None:
            with temp.open("w", newline="") as f:
                writer = csv.DictWriter(f, fieldnames=keys)
                writer.writeheader()
                writer.writerows(self.rows)

        write_replacing(self.csv_path, write)  # a crash mid-write keeps the earlier epochs' rows
        if self.tb is not None:
            for k, v in row.items():
                if k != "epoch":
                    self.tb.add_scalar(k, v, int(row["epoch"]))
        if self.wandb is not None:
            self.wandb.log(row)

    def close(self) -> None:
        if self.tb is not None:
            self.tb.close()
        if self.wandb is not None:
            self.wandb.finish()
