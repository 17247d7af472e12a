"""The Planner: encoder -> decomposer (LSTM) -> graph generator (GNN) -> selector, as one module."""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import torch
from huggingface_hub import PyTorchModelHubMixin
from torch import nn
from torch.nn import functional as F
from torch.profiler import record_function

from orchestai_agents.encoders import EncodedText
from orchestai_agents.errors import CheckpointError, ConfigError
from orchestai_agents.modalities import (
    first_step_types,
    once_per_file_types,
    reachable_task_types,
)
from orchestai_agents.planner.checkpoint import StrictHubLoading
from orchestai_agents.planner.config import PlannerConfig
from orchestai_agents.planner.decoding import beam_search
from orchestai_agents.planner.decomposer import Decomposer
from orchestai_agents.planner.encoder import PlannerEncoder, describe, score_words
from orchestai_agents.planner.graph import GraphGenerator, acyclicity, forward_mask
from orchestai_agents.planner.half import bf16_available, fp16_available, half_copy
from orchestai_agents.planner.inventory import Inventory
from orchestai_agents.planner.memory import PlanMemory, PlanPrior
from orchestai_agents.planner.routing import Router
from orchestai_agents.planner.selector import Selector
from orchestai_agents.registry import WorkerRegistry

__all__ = ["Planner", "PlannerOutput", "PlanningTargets", "PredictedGraph", "input_restrictions"]


class PlanningTargets(NamedTuple):
    """Gold plans of a batch, padded.

    Shapes:
        type_ids: (batch, n) index into the inventory's task types, -100 past the last sub-task
        deps: (batch, n, n) 1.0 where sub-task i depends on sub-task j (j < i)
        n_nodes: (batch,)
        worker_ids: (batch, n) index into the inventory's workers, -100 where unlabelled
    """

    type_ids: torch.Tensor
    deps: torch.Tensor
    n_nodes: torch.Tensor
    worker_ids: torch.Tensor


class _Decoding(NamedTuple):
    """The modules that decode plans: the planner's own, or fp16 copies of them (CPU)."""

    decomposer: Decomposer
    graph: GraphGenerator
    selector: Selector
    instruction: nn.Module
    half: bool


class PlannerOutput(NamedTuple):
    """What :meth:`Planner.forward` returns: the total loss and its parts (scalars)."""

    loss: torch.Tensor
    losses: dict[str, torch.Tensor]


@dataclass(frozen=True)
class PredictedGraph:
    """A decoded plan as indices and scores, before it becomes a :class:`~orchestai_agents.plan.Plan`.

    Attributes:
        task_types: task type per sub-task, in emission (topological) order.
        dependencies: for each sub-task, the indices of earlier sub-tasks it depends on.
        complexity: per sub-task, in [0, 1].
        workers: per sub-task, (worker, probability) pairs ranked best first.
        focus: per sub-task, the instruction character span it attended to most.
    """

    task_types: tuple[str, ...]
    dependencies: tuple[tuple[int, ...], ...]
    complexity: tuple[float, ...]
    workers: tuple[tuple[tuple[str, float], ...], ...]
    focus: tuple[tuple[int, int], ...]

    @property
    def named_links(self) -> list[tuple[str, str]]:
        return [
            (self.task_types[j], self.task_types[i])
            for i, deps in enumerate(self.dependencies)
            for j in deps
        ]


class Planner(
    StrictHubLoading,
    nn.Module,
    PyTorchModelHubMixin,
    library_name="orchestai-agents",
    tags=["orchestai-agents", "task-planning", "graph-neural-network"],
    repo_url="https://github.com/orchestai/orchestai-agents",
):
    """Instruction -> workflow DAG over an open inventory of task types and workers.

    Args:
        config: a :class:`PlannerConfig` or its dict form.

    Example:
        >>> planner = Planner.default()
        >>> plan = planner.plan(
        ...     "Generate a presentation from this research paper", registry, inputs=["paper.pdf"]
        ... )
        >>> [s.task_type for s in plan.topological_order()]
        ['extract_text', 'summarize', 'make_slides']
    """

    def __init__(self, config: PlannerConfig | dict[str, Any]) -> None:
        super().__init__()
        self.config = (
            config if isinstance(config, PlannerConfig) else PlannerConfig.from_dict(config)
        )
        enc, hidden = self.config.encoder.hidden_size, self.config.decomposer.hidden_size
        self.encoder = PlannerEncoder(self.config.encoder)
        self.decomposer = Decomposer(self.config.decomposer, enc, len(self.config.inventory))
        self.instruction = nn.Linear(enc, hidden)
        self.graph = GraphGenerator(self.config.graph, hidden)
        self.selector = Selector(self.config.selector)
        self.memory = PlanMemory(self.config.memory, enc)
        # A cost-aware selector trained on outcomes (orchestai route); its own files in the
        # checkpoint folder, so phase 3 can update it without touching the planner's weights.
        self.router: Router | None = None

    @classmethod
    def default(cls) -> Planner:
        """The planner shipped for the built-in workers (trained on the project's annotated workflows)."""
        from orchestai_agents.planner.shipped import load_default_planner

        return load_default_planner()

    # ------------------------------------------------------------------ training
    def forward(
        self,
        tokens: torch.Tensor,
        mask: torch.Tensor,
        type_embeddings: torch.Tensor,
        targets: PlanningTargets,
        worker_embeddings: torch.Tensor | None = None,
        capable: torch.Tensor | None = None,
        memory_rows: torch.Tensor | None = None,
        match: torch.Tensor | None = None,
        allowed: torch.Tensor | None = None,
    ) -> PlannerOutput:
        """Teacher-forced loss: CE(type) + BCE(stop) + CE(dependencies) + CE(worker) + lambda * L_DAG.

        Shapes:
            tokens: (batch, seq, enc) encoder token states; mask: (batch, seq)
            type_embeddings: (n_types, enc); worker_embeddings: (n_workers, enc)
            capable: (n_types, n_workers) bool, which workers can do each type
            memory_rows: (batch,) each request's own row in the plan memory (left out of its
                neighbours), -1 for none; the types must be in ``config.inventory`` order
            match: (batch, n_types) lexical match of the types with the request (see
                :func:`~orchestai_agents.planner.encoder.lexical_match`); required when
                ``config.decomposer.lexical_match``
            allowed: (batch, n_types) bool, the types each request may use (its own candidate
                tools); ``None``: every type
        """
        if tokens.is_inference():  # outputs of TextEncoder.encode, which runs in inference mode
            tokens, type_embeddings = tokens.clone(), type_embeddings.clone()
            worker_embeddings = worker_embeddings.clone() if worker_embeddings is not None else None
        memory, pooled, instruction = self._context(tokens, mask)
        keys = self.decomposer.type_keys(type_embeddings, self._known_rows(None, type_embeddings))
        steps_n = targets.type_ids.shape[1] + 1
        prior = _restrict(
            self._prior(tokens, mask, None, keys.shape[0], steps_n, memory_rows, match),
            allowed,
            steps_n,
        )
        steps = self.decomposer.teacher_forced(pooled, memory, mask, keys, targets.type_ids, prior)
        refined, edges = self.graph(steps.nodes, steps.dep_logits, instruction, targets.n_nodes)
        losses = {
            "type": F.cross_entropy(
                steps.type_logits[:, :-1].flatten(0, 1), targets.type_ids.flatten()
            ),
            "stop": _stop_loss(steps.stop_logits, targets.n_nodes),
            "dependency": _dependency_loss(edges, targets.deps, targets.n_nodes),
            "dag": acyclicity(edges, targets.n_nodes),
        }
        if (
            worker_embeddings is not None
            and capable is not None
            and (targets.worker_ids >= 0).any()
        ):
            losses["worker"] = self._worker_loss(
                instruction, refined, worker_embeddings, capable, targets
            )
        loss = (
            sum(v for k, v in losses.items() if k != "dag")
            + self.config.graph.dag_weight * losses["dag"]
        )
        return PlannerOutput(loss, losses)

    def _context(
        self, tokens: torch.Tensor, mask: torch.Tensor, instruction: nn.Module | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Adapted tokens (batch, seq, enc), pooled (batch, enc) and instruction (batch, hidden),
        projected by ``instruction`` (default: :attr:`instruction`)."""
        adapted = self.encoder.adapt(tokens, mask)  # (batch, seq, enc)
        weights = mask.to(adapted.dtype).unsqueeze(-1)
        pooled = (adapted * weights).sum(1) / weights.sum(1).clamp(min=1.0)
        return adapted, pooled, (instruction or self.instruction)(pooled)

    def _prior(
        self,
        tokens: torch.Tensor,
        mask: torch.Tensor,
        inventory: Inventory | None,
        n_types: int,
        steps: int,
        exclude: torch.Tensor | None = None,
        match: torch.Tensor | None = None,
        half: bool = False,
    ) -> PlanPrior | None:
        """Biases on the type and stop logits: the plan memory's prior plus the lexical match
        (``half``: the memory's fp16 path, see :meth:`PlanMemory.prior`)."""
        parts = []
        if self.memory.enabled:
            weights = mask.to(tokens.dtype).unsqueeze(-1)
            raw = (tokens * weights).sum(1) / weights.sum(1).clamp(
                min=1.0
            )  # (batch, enc) request embedding
            parts.append(
                self.memory.prior(
                    raw,
                    self._type_map(inventory, tokens.device),
                    n_types,
                    steps,
                    exclude,
                    half=half,
                )
            )
        if self.config.decomposer.lexical_match:
            if match is None:
                raise ValueError(
                    "this planner scores lexical matches: pass match= (see lexical_match)"
                )
            bias = self.decomposer.match_weight * match.unsqueeze(1).expand(-1, steps, -1)
            parts.append(PlanPrior(bias, torch.zeros(bias.shape[:2], device=bias.device)))
        if not parts:
            return None
        return PlanPrior(sum(p.types for p in parts), sum(p.stop for p in parts))  # type: ignore[arg-type]

    def _type_map(self, inventory: Inventory | None, device: torch.device) -> torch.Tensor:
        """Index of each memory task type (config.inventory order) in ``inventory``, -1 if absent.

        Kept for the last inventory while not training (an Inventory is immutable, so its identity
        keys the cache); mapping 2,579 task types costs about 0.2 ms a plan.
        """
        stored = self.config.inventory
        if inventory is None:
            return torch.arange(len(stored), device=device)
        cached = getattr(self, "_type_map_cache", None)
        if (
            self.training
            or cached is None
            or cached[0] is not inventory
            or cached[1] is not stored
            or cached[2].device != device
        ):
            where = {t: i for i, t in enumerate(inventory.task_types)}
            ids = torch.tensor([where.get(t, -1) for t in stored], dtype=torch.long, device=device)
            if self.training:  # made under inference mode, it could not be saved for backward
                return ids
            self._type_map_cache = cached = (inventory, stored, ids)
        return cached[2]

    def train(self, mode: bool = True) -> Planner:
        # Weights may change: recompute the type keys and the fp16 copies at the next inference.
        # The type map made under inference mode cannot be used in training.
        self._keys_cache = self._type_map_cache = self._half_cache = None
        return super().train(mode)

    def _load_from_state_dict(self, *args: Any, **kwargs: Any) -> None:
        self._keys_cache = self._half_cache = None
        super()._load_from_state_dict(*args, **kwargs)

    def _inference_keys(self, types: torch.Tensor, inventory: Inventory) -> torch.Tensor:
        """Type keys, cached per inventory embedding while not training (they cost a pass of the type MLP)."""
        cached = getattr(self, "_keys_cache", None)
        # In-place edits of the weights (no_grad tweaks) bump their versions: recompute then.
        # Inference tensors (weights made under inference_mode) have no version to read.
        versions = tuple(
            p._version
            for m in (self.decomposer.type_proj, self.decomposer.known_types)
            for p in m.parameters()
            if not p.is_inference()
        )
        if (
            self.training
            or cached is None
            or cached[0] is not types
            or cached[1] != inventory.task_types
            or cached[2] != versions
        ):
            keys = self.decomposer.type_keys(types, self._known_rows(inventory, types))
            if self.training:
                return keys
            # Holding ``types`` keeps its identity valid as the cache key.
            self._keys_cache = (types, inventory.task_types, versions, keys)
            return keys
        return cached[3]

    def _half(self, device: torch.device) -> bool:
        """Whether to plan in half precision (``config.decomposer.half_precision``): CPU
        inference of a float32 planner."""
        return (
            self.config.decomposer.half_precision
            and not self.training
            and device.type == "cpu"
            and self.instruction.weight.dtype == torch.float32
        )

    def _decoding(self, device: torch.device) -> _Decoding:
        """The modules :meth:`decode` runs: fp16 copies of the decomposer, graph, selector and
        instruction projection when planning in half precision on x86, else the modules
        themselves.

        The copies are kept while the float32 weights stay the same objects at the same versions
        (in-place edits and loading bump a tensor's version); training drops them.
        """
        parts = (self.decomposer, self.graph, self.selector, self.instruction)
        if not (self._half(device) and fp16_available()):
            return _Decoding(*parts, half=False)
        weights = tuple(p for m in parts for p in m.parameters())
        # Inference tensors (weights made under inference_mode) have no version to read.
        versions = tuple(-1 if p.is_inference() else p._version for p in weights)
        cached = getattr(self, "_half_cache", None)
        if (
            cached is None
            or len(cached[0]) != len(weights)
            or any(a is not b for a, b in zip(cached[0], weights, strict=True))
            or cached[1] != versions
        ):
            cached = (weights, versions, _Decoding(*map(half_copy, parts), half=True))
            self._half_cache = cached
        return cached[2]

    def _known_rows(self, inventory: Inventory | None, types: torch.Tensor) -> torch.Tensor:
        """Row of each inventory type in ``config.inventory`` (-1 if new); None: the same inventory."""
        if inventory is None:
            return torch.arange(types.shape[0], device=types.device)
        rows = {t: i for i, t in enumerate(self.config.inventory)}
        return torch.tensor(
            [rows.get(t, -1) for t in inventory.task_types], dtype=torch.long, device=types.device
        )

    def _worker_loss(
        self,
        instruction: torch.Tensor,
        nodes: torch.Tensor,
        workers: torch.Tensor,
        capable: torch.Tensor,
        targets: PlanningTargets,
    ) -> torch.Tensor:
        b, i = (targets.worker_ids >= 0).nonzero(as_tuple=True)
        out = self.selector(instruction[b], nodes[b, i], workers, capable[targets.type_ids[b, i]])
        return F.cross_entropy(out.logits, targets.worker_ids[b, i])

    # ------------------------------------------------------------------ inference
    @torch.inference_mode()
    def predict(
        self,
        instructions: Sequence[str],
        inventory: Inventory | None = None,
        *,
        allow_repeats: bool | None = None,
        allowed: torch.Tensor | None = None,
        once: Collection[str] = (),
        first: Sequence[Sequence[str]] = (),
    ) -> list[PredictedGraph]:
        """Decode a plan per instruction (beam search, then the graph and the selector).

        Args:
            instructions: the requests.
            inventory: task types and workers to plan over; default: the training inventory.
            allow_repeats: let every task type appear twice (``True``) or none (``False``);
                default: as ``config.decomposer`` says (``allow_repeats``, else its
                ``repeatable_types``).
            allowed: (batch, n_types) bool, the task types of ``inventory`` each instruction
                may use, at least one per row; ``None``: every type.
            once: task types that appear at most once, whatever ``allow_repeats`` says.
            first: groups of task types each plan must do one of (the steps that read the
                inputs, a group per kind of file, see
                :func:`~orchestai_agents.modalities.first_step_types`). A plan missing a group
                is decoded again: its step ``t`` is one of group ``t`` (the model picks which),
                and it goes on past them with the steps the model plans on what they read.
                Types not in ``inventory`` are skipped, and so is a group left with none.

        Each stage (``planner.encode``, ``planner.beam_search``, ...) runs in a
        ``torch.profiler.record_function`` scope, so a profile shows where a plan's time goes
        (``python -m benchmarks.planning_speed --stages``).

        Raises:
            TypeError: a group of ``first`` is one type name, not a sequence of them.
        """
        if isinstance(instructions, str):
            raise TypeError("predict() takes a list of instructions; use plan() for one")
        if names := [g for g in first if isinstance(g, str)]:
            raise TypeError(
                f"first takes groups of task types, got the type name(s) {names}; "
                f"wrap each in a tuple: {[(n,) for n in names]}"
            )
        if not instructions:
            return []
        inventory = inventory or self.inventory
        if allowed is not None:
            _check_allowed(allowed, len(instructions), len(inventory.task_types))
        # eval() walks every module (~0.5 ms) and drops the cached type keys: only when needed.
        if any(m.training for m in self.modules()):
            self.eval()
        with record_function("planner.encode"):
            encoded = self.encoder.encode(instructions)
        with record_function("planner.inventory"):
            types, workers = self.embed_inventory(inventory)
        with record_function("planner.lexical_match"):
            bf16 = self._half(encoded.tokens.device) and bf16_available()
            match = (
                score_words(
                    encoded.tokens,
                    encoded.mask,
                    self.encoder.words_of(types, torch.bfloat16 if bf16 else torch.float32),
                )
                if self.config.decomposer.lexical_match
                else None
            )
        allowed = None if allowed is None else allowed.to(encoded.tokens.device)

        def decode(
            rows: list[int] | None = None, lead: Sequence[Sequence[str]] = ()
        ) -> list[PredictedGraph]:
            at = slice(None) if rows is None else torch.tensor(rows, device=encoded.tokens.device)
            return self.decode(
                instructions if rows is None else [instructions[i] for i in rows],
                encoded.tokens[at],
                encoded.mask[at],
                types.pooled,
                workers.pooled,
                inventory,
                allow_repeats,
                None if match is None else match[at],
                None if allowed is None else allowed[at],
                once,
                lead,
            )

        graphs = decode()
        # A plan that leaves an input unread is decoded again from its reading steps on.
        planned_over = [tuple(t for t in group if t in inventory.task_types) for group in first]
        groups = [group for group in planned_over if group]
        unread = [
            i
            for i, g in enumerate(graphs)
            if any(set(group).isdisjoint(g.task_types) for group in groups)
        ]
        if unread:
            for i, graph in zip(unread, decode(unread, groups), strict=True):
                graphs[i] = graph
        return graphs

    def embed_inventory(self, inventory: Inventory) -> tuple[EncodedText, EncodedText]:
        """Encoded descriptions of the task types and of the workers (pooled: (n, enc))."""
        types, workers = self._description_texts(inventory)
        return self.encoder.describe_all(types), self.encoder.describe_all(workers)

    def _description_texts(self, inventory: Inventory) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The texts the encoder embeds for ``inventory``, kept for the last inventory seen.

        An Inventory is immutable, so its identity keys this cache (holding it keeps the identity
        valid). Rebuilding and rehashing the texts of 2,579 task types cost about a millisecond a
        plan.
        """
        cached = getattr(self, "_texts_cache", None)
        if cached is None or cached[0] is not inventory:
            texts = (
                tuple(map(describe, inventory.task_types, inventory.descriptions)),
                tuple(map(describe, inventory.workers, inventory.worker_descriptions)),
            )
            self._texts_cache = cached = (inventory, texts)
        return cached[1]

    @torch.inference_mode()
    def decode(
        self,
        instructions: Sequence[str],
        tokens: torch.Tensor,
        mask: torch.Tensor,
        types: torch.Tensor,
        workers: torch.Tensor,
        inventory: Inventory,
        allow_repeats: bool | None = None,
        match: torch.Tensor | None = None,
        allowed: torch.Tensor | None = None,
        once: Collection[str] = (),
        first: Sequence[Sequence[str]] = (),
    ) -> list[PredictedGraph]:
        """Decode from encoder outputs (which may come from a cache); ``once`` as in
        :meth:`predict`; ``first``: groups of task types of ``inventory``, each plan's step
        ``t`` one of group ``t``, followed by at least one more step.

        Shapes:
            tokens: (batch, seq, enc); mask: (batch, seq); types: (n_types, enc); workers: (n_workers, enc);
            match: (batch, n_types); allowed: (batch, n_types) bool, as in :meth:`forward`
        """
        cfg = self.config.decomposer
        net = self._decoding(tokens.device)
        with record_function("planner.context"):
            memory, pooled, instruction = self._context(tokens, mask, net.instruction)
            keys = self._inference_keys(types, inventory)
        with record_function("planner.prior"):
            prior = _start_with(
                _restrict(
                    self._prior(
                        tokens,
                        mask,
                        inventory,
                        keys.shape[0],
                        cfg.max_subtasks + 1,
                        match=match,
                        half=net.half,
                    ),
                    allowed,
                    cfg.max_subtasks + 1,
                ),
                [[inventory.task_types.index(t) for t in group] for group in first],
                tokens.shape[0],
                cfg.max_subtasks + 1,
                keys.shape[0],
            )
        with record_function("planner.beam_search"):
            decoded = beam_search(
                net.decomposer,
                pooled,
                memory,
                mask,
                keys,
                beam_size=cfg.beam_size,
                max_steps=cfg.max_subtasks,
                repeatable=self._repeatable(inventory, allow_repeats, tokens.device, once),
                prior=prior,
            )
        seqs = decoded.types
        type_ids = _pad([torch.tensor(s) for s in seqs], -100).to(tokens.device)
        with record_function("planner.heads"):
            # The beam kept each sub-task's step state, as teacher forcing on its types gives.
            nodes, dep_logits, complexity = net.decomposer.heads(
                decoded.states, net.decomposer.chosen_keys(keys, type_ids)
            )
        with record_function("planner.graph"):
            n_nodes = torch.tensor([len(s) for s in seqs], device=tokens.device)
            refined, edges = net.graph(nodes, dep_logits, instruction, n_nodes)
            kept = (torch.sigmoid(edges) > self.config.graph.edge_threshold) & forward_mask(
                n_nodes, edges.shape[-1]
            )
        with record_function("planner.workers"):
            ranked = self._rank_workers(
                net.selector, instruction, refined, workers, inventory, type_ids
            )
        with record_function("planner.spans"):
            spans = self._focus(instructions, decoded.attention.cpu())
        # Python lists once, rather than a few tensor ops per sub-task.
        links, complexity = kept.tolist(), complexity.tolist()
        return [
            PredictedGraph(
                tuple(inventory.task_types[t] for t in seq),
                tuple(tuple(j for j in range(i) if links[b][i][j]) for i in range(len(seq))),
                tuple(complexity[b][: len(seq)]),
                tuple(ranked[b][: len(seq)]),
                tuple(spans[b][: len(seq)]),
            )
            for b, seq in enumerate(seqs)
        ]

    def _rank_workers(
        self,
        selector: Selector,
        instruction: torch.Tensor,
        nodes: torch.Tensor,
        workers: torch.Tensor,
        inventory: Inventory,
        type_ids: torch.Tensor,
    ) -> list[list[tuple[tuple[str, float], ...]]]:
        batch, width = type_ids.shape
        mask = self._capable(inventory, type_ids.device)[
            type_ids.clamp(min=0)
        ]  # (batch, n, n_workers)
        # Only workers able to do some emitted sub-task can be chosen: score just those columns.
        cols = mask.flatten(0, 1).any(0).nonzero().flatten()  # (n_candidates,)
        mask = mask[..., cols]
        out = selector(
            instruction.repeat_interleave(width, 0),
            nodes.flatten(0, 1),
            workers[cols],
            mask.flatten(0, 1),
        )
        probs = (
            torch.softmax(out.logits, -1)
            .masked_fill(~mask.flatten(0, 1), 0.0)
            .view(batch, width, -1)
            .cpu()
        )
        order = probs.argsort(dim=-1, descending=True)
        counts = mask.sum(-1).cpu()  # capable workers sort first: the others have probability 0
        names = [inventory.workers[c] for c in cols.tolist()]
        ranked = []
        for b in range(batch):
            rows = []
            for i, (ids, p) in enumerate(zip(order[b].tolist(), probs[b].tolist(), strict=True)):
                rows.append(tuple((names[w], p[w]) for w in ids[: counts[b, i]]))
            ranked.append(rows)
        return ranked

    def _capable(self, inventory: Inventory, device: torch.device) -> torch.Tensor:
        """(n_types, n_workers) bool, which workers can do each type; cached for the last inventory
        (built by a Python loop over the types, which costs ~1.6 ms for 260 tools)."""
        cached = getattr(self, "_capable_cache", None)  # read once: a shared planner's threads
        if cached is None or cached[0] != inventory or cached[1].device != device:
            capable = torch.zeros(
                len(inventory.task_types), len(inventory.workers), dtype=torch.bool
            )
            for t, idx in enumerate(inventory.capable):
                capable[t, list(idx)] = True
            self._capable_cache = cached = (inventory, capable.to(device))
        return cached[1]

    def _repeatable(
        self,
        inventory: Inventory,
        allow_repeats: bool | None,
        device: torch.device,
        once: Collection[str] = (),
    ) -> torch.Tensor:
        """(n_types,) bool, the types of ``inventory`` a plan may name twice: every type or none
        when ``allow_repeats`` says so, else as the config says (``allow_repeats``, or the
        ``repeatable_types`` that training plans repeat), and none of ``once``."""
        mask = self._repeatable_by_config(inventory, allow_repeats).to(device)
        if once:
            mask = mask & torch.tensor([t not in once for t in inventory.task_types], device=device)
        return mask

    def _repeatable_by_config(
        self, inventory: Inventory, allow_repeats: bool | None
    ) -> torch.Tensor:
        """:meth:`_repeatable` before ``once``; kept for the last inventory."""
        cfg = self.config.decomposer
        everything = cfg.allow_repeats if allow_repeats is None else allow_repeats
        if allow_repeats is not None or everything or not cfg.repeatable_types:
            return torch.full((len(inventory.task_types),), everything)
        named = cfg.repeatable_types
        cached = getattr(self, "_repeatable_cache", None)  # read once: a shared planner's threads
        if cached is None or cached[0] is not inventory or cached[1] is not named:
            listed = set(named)
            mask = torch.tensor([t in listed for t in inventory.task_types], dtype=torch.bool)
            self._repeatable_cache = cached = (inventory, named, mask)
        return cached[2]

    def _focus(
        self, instructions: Sequence[str], attention: torch.Tensor
    ) -> list[list[tuple[int, int]]]:
        """Per step, the character span of the instruction token it attended to most."""
        tok = self.encoder.text.tokenizer(
            list(instructions),
            return_offsets_mapping=True,
            truncation=True,
            max_length=self.config.encoder.max_length,
        )
        spans = []
        for b, offsets in enumerate(tok["offset_mapping"]):
            weights = attention[b, :, : len(offsets)].clone()
            weights[:, [k for k, (s, e) in enumerate(offsets) if e <= s]] = -1.0  # special tokens
            spans.append([tuple(offsets[k]) for k in weights.argmax(-1).tolist()])
        return spans

    @property
    def inventory(self) -> Inventory:
        """The inventory the planner was trained on (from its config)."""
        if not self.config.inventory:
            raise ValueError(
                "this planner's config stores no inventory; pass one (Inventory.from_registry(...))"
            )
        # Kept while the config holds the same dicts: the same Inventory keeps the caches keyed
        # by it (description texts, type map) valid from one plan to the next.
        types, workers = self.config.inventory, self.config.workers
        cached = getattr(self, "_inventory_cache", None)
        if cached is None or cached[0] is not types or cached[1] is not workers:
            self._inventory_cache = cached = (types, workers, Inventory.from_config(types, workers))
        return cached[2]

    def plan(
        self,
        instruction: str,
        registry: Any = None,
        *,
        inputs: Sequence[str | os.PathLike[str]] | None = None,
        inventory: Inventory | None = None,
        alternatives: int = 3,
        allow_repeats: bool | None = None,
    ) -> Any:
        """Plan one instruction: a valid :class:`~orchestai_agents.plan.Plan` with ranked
        alternatives.

        Args:
            instruction: the request.
            registry: a :class:`~orchestai_agents.registry.WorkerRegistry`, whose task types
                and workers are planned over unless ``inventory`` is given.
            inputs: paths of the request's input files; ``None``: plan as if nothing were
                known of them. With a registry, the plan uses no task type of the registry that
                none of its workers can be fed from them and the instruction (see
                :func:`~orchestai_agents.modalities.reachable_task_types`): no
                ``transcribe_audio`` for a text file. Types of ``inventory`` that no worker of
                the registry does are not restricted. A step that reads a kind of file the
                inputs hold at most one of appears once (see
                :func:`~orchestai_agents.modalities.once_per_file_types`): one ``extract_text``
                for one PDF. Each file is read: a plan with no step of the task types whose
                workers read its kind (``extract_text`` for a PDF; ``analyze_table`` or
                ``render_chart`` for a table) is decoded again starting with one of them (see
                :func:`~orchestai_agents.modalities.first_step_types` and ``first`` in
                :meth:`predict`). Without a registry (an inventory of tools by description, as
                :meth:`Inventory.of_tools` makes, or the planner's own) nothing says what a
                worker reads, so ``inputs`` restrict nothing.
            inventory: task types and workers to plan over; default: the registry's, else the
                planner's own.
            alternatives: ranked alternative workers kept per sub-task.
            allow_repeats: as in :meth:`predict`.

        Raises:
            TypeError: ``registry`` is not a WorkerRegistry, or ``inputs`` is one path, not a
                list.
            ConfigError: ``inputs`` feed no worker of ``registry``, or none of those that can
                run does a task type of ``inventory``.
        """
        from orchestai_agents.planner.plans import to_plan

        if registry is not None and not isinstance(registry, WorkerRegistry):
            raise TypeError(
                f"plan() takes a WorkerRegistry as its registry, got "
                f"{type(registry).__name__}; for tools given by name and description pass "
                "inventory=Inventory.of_tools({name: description, ...})"
            )
        if registry is not None and inventory is None:
            inventory = Inventory.from_registry(registry)
        inventory = inventory or self.inventory
        allowed, once, first = (
            input_restrictions(registry, inputs, inventory)
            if inputs is not None and registry is not None
            else (None, frozenset[str](), ())
        )
        graph = self.predict(
            [instruction],
            inventory,
            allow_repeats=allow_repeats,
            allowed=allowed,
            once=once,
            first=first,
        )[0]
        return to_plan(instruction, graph, inventory, alternatives=alternatives)

    def attach_router(
        self, router: Router | Selector, workers: Sequence[dict[str, Any]] = ()
    ) -> None:
        """Make ``router`` (or a routing selector, embedded with this planner's encoder) the
        planner's router; ``save_pretrained`` then writes it beside the planner's weights."""
        if isinstance(router, Selector):
            router = Router(router, self.embed_for_routing, workers)
        width = self.config.encoder.hidden_size
        if router.selector.config.instruction_dim != width:
            raise CheckpointError(
                f"the router reads {router.selector.config.instruction_dim}-d embeddings but this "
                f"planner's encoder gives {width}-d; train the router with the planner's encoder"
            )
        self.router = router

    def embed_for_routing(self, texts: Sequence[str]) -> torch.Tensor:
        """L2-normalised pooled embeddings, as the router was trained on. Shapes: -> (n, enc)"""
        return F.normalize(self.encoder.encode(list(texts)).pooled.float(), dim=-1)


def input_restrictions(
    registry: WorkerRegistry, inputs: Sequence[str | os.PathLike[str]], inventory: Inventory
) -> tuple[torch.Tensor | None, frozenset[str], tuple[tuple[str, ...], ...]]:
    """What a request with ``inputs`` may plan over ``inventory``, for :meth:`Planner.predict`:
    its ``allowed`` row ((1, n_types) bool, ``None`` when every type is allowed), its ``once``
    types and its ``first`` groups, by the rules :meth:`Planner.plan` describes.

    Raises:
        TypeError: ``inputs`` is one path, not a list.
        ConfigError: ``inputs`` feed no worker of ``registry``, or none of those that can run
            does a task type of ``inventory``.
    """
    allowed = _allowed_row(reachable_task_types(registry, inputs), registry, inventory)
    return allowed, once_per_file_types(registry, inputs), first_step_types(registry, inputs)


def _allowed_row(
    types: frozenset[str], registry: WorkerRegistry, inventory: Inventory
) -> torch.Tensor | None:
    """(1, n_types) bool: ``inventory``'s task types that are in ``types`` or that no worker of
    ``registry`` does (nothing says what those read, so they stay); ``None`` when all are
    allowed (decoding is then left exactly as it is without a restriction)."""
    known = set(registry.task_types)
    row = torch.tensor([[t in types or t not in known for t in inventory.task_types]])
    if not row.any():
        raise ConfigError(
            f"the workers that can run on these inputs do {sorted(types)}, none of which is a "
            f"task type of the inventory planned over; add one of them to it"
        )
    return None if row.all() else row


def _check_allowed(allowed: torch.Tensor, batch: int, n_types: int) -> None:
    """Refuse an ``allowed`` mask that is not (batch, n_types) bool with a type in every row."""
    if allowed.dtype != torch.bool or tuple(allowed.shape) != (batch, n_types):
        raise ValueError(
            f"allowed must be a bool tensor of shape (instructions, task types) = ({batch}, "
            f"{n_types}), got {allowed.dtype} of shape {tuple(allowed.shape)}"
        )
    empty = (~allowed.any(-1)).nonzero().flatten().tolist()
    if empty:
        raise ValueError(
            f"allowed leaves instruction(s) {empty} no task type to plan with; allow at least one"
        )


def _restrict(
    prior: PlanPrior | None, allowed: torch.Tensor | None, steps: int
) -> PlanPrior | None:
    """``prior`` with the types a request may not use put out of reach. allowed: (batch, n_types)"""
    if allowed is None:
        return prior
    bias = torch.zeros(allowed.shape, device=allowed.device).masked_fill(~allowed, -1e4)
    bias = bias[:, None].expand(-1, steps, -1)  # (batch, steps, n_types)
    if prior is None:
        return PlanPrior(bias, torch.zeros(bias.shape[:2], device=bias.device))
    return PlanPrior(prior.types + bias, prior.stop)


def _start_with(
    prior: PlanPrior | None, first: Sequence[Sequence[int]], batch: int, steps: int, n_types: int
) -> PlanPrior | None:
    """``prior`` with step ``t`` held to the types ``first[t]`` (inventory indices): every other
    type put out of reach there, and stopping until a step after them."""
    if not first:
        return prior
    types = torch.zeros(batch, steps, n_types)
    stop = torch.zeros(batch, steps)
    for step, type_ids in enumerate(first[: steps - 1]):
        types[:, step] = -1e4
        types[:, step, list(type_ids)] = 0.0
    stop[:, : min(len(first) + 1, steps)] = -1e4
    if prior is None:
        return PlanPrior(types, stop)
    return PlanPrior(prior.types + types.to(prior.types), prior.stop + stop.to(prior.stop))


def _stop_loss(stop_logits: torch.Tensor, n_nodes: torch.Tensor) -> torch.Tensor:
    """BCE: continue before the last sub-task, stop right after it. stop_logits: (batch, n+1)."""
    idx = torch.arange(stop_logits.shape[1], device=stop_logits.device).unsqueeze(0)
    target = (idx == n_nodes.unsqueeze(1)).float()
    valid = idx <= n_nodes.unsqueeze(1)
    return F.binary_cross_entropy_with_logits(stop_logits[valid], target[valid])


def _dependency_loss(
    edges: torch.Tensor, deps: torch.Tensor, n_nodes: torch.Tensor
) -> torch.Tensor:
    """BCE over every earlier -> later pair of real sub-tasks. edges, deps: (batch, n, n)."""
    valid = forward_mask(n_nodes, edges.shape[-1])
    if not valid.any():
        return edges.sum() * 0.0
    return F.binary_cross_entropy_with_logits(edges[valid], deps[valid])


def _pad(seqs: list[torch.Tensor], value: int) -> torch.Tensor:
    return nn.utils.rnn.pad_sequence(seqs, batch_first=True, padding_value=value)
