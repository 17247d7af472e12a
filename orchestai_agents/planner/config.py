"""Typed configs of the planner's parts, composed into one :class:`PlannerConfig`.

Every size another part depends on is derived in :meth:`PlannerConfig.__post_init__`, so a config
cannot describe parts that do not fit together. Configs round-trip through plain dicts (``config.json``
of a checkpoint): nested dicts are turned back into their dataclasses on construction. Every field
is checked against its annotated type and its range, so a hand-edited ``config.json`` is refused
when it is read, not when the planner first runs. A config that cannot be built raises
:class:`~orchestai_agents.errors.ConfigError` (a ``ValueError``) naming ``section.field``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Literal, get_origin, get_type_hints

from pydantic import TypeAdapter, ValidationError

from orchestai_agents.errors import ConfigError
from orchestai_agents.planner.selector import SelectorConfig

__all__ = ["DecomposerConfig", "EncoderConfig", "GraphConfig", "MemoryConfig", "PlannerConfig"]

GraphConv = Literal["gcn", "gat", "sage"]
# Closed ranges of numeric fields.
_POSITIVE = (1, math.inf)
_NON_NEGATIVE = (0, math.inf)
_UNIT = (0, 1)


@dataclass
class EncoderConfig:
    """The text encoder (its weights are referenced by name, never stored in a checkpoint).

    Attributes:
        name_or_path: Hub id or local folder of a transformers encoder; ``None`` is the offline MiniLM.
        hidden_size: the encoder's output width (checked against the loaded encoder).
        max_length: tokens kept per text (at most 512).
        trainable: fine-tune the encoder itself in phase 1 (the fine-tuned layers are then stored
            in the checkpoint; needs a BERT-style encoder).
        trainable_layers: with ``trainable``, how many of the encoder's top transformer layers are
            fine-tuned (``None``: all); the layers below stay frozen and their outputs are cached.
        adapter_layers: trainable transformer layers over the encoder's token embeddings; they let a
            frozen encoder (whose outputs can be cached) adapt to planning.
        adapter_heads: attention heads of each adapter layer.
        quantize: int8 dynamic quantization of the encoder's linear layers at inference (CPU).
    """

    name_or_path: str | None = None
    hidden_size: int = 384
    max_length: int = 128
    trainable: bool = False
    trainable_layers: int | None = None
    adapter_layers: int = 0
    adapter_heads: int = 4
    quantize: bool = True

    def __post_init__(self) -> None:
        _check(
            self,
            "encoder",
            hidden_size=_POSITIVE,
            max_length=(1, 512),
            trainable_layers=_POSITIVE,
            adapter_layers=_NON_NEGATIVE,
            adapter_heads=_POSITIVE,
        )


@dataclass
class DecomposerConfig:
    """The LSTM that emits sub-tasks one at a time.

    Attributes:
        hidden_size: width of the LSTM state and of every planner embedding.
        max_subtasks: hard cap on emitted sub-tasks.
        attention_heads: heads of the attention from the LSTM state to the instruction tokens.
        dropout: dropout on the step states during training.
        allow_repeats: whether every task type may appear twice in a plan.
        repeatable_types: the task types that may appear twice in a plan when ``allow_repeats``
            is off: ``orchestai train`` lists those that at least two training plans name
            twice (ComplexFuncBench's location searches, UltraTool's ``postal_code_search``).
        beam_size: beams kept when decoding (1 is greedy).
        known_type_embeddings: learn an embedding per task type of the training inventory, added to
            its description embedding; types outside it are scored by description alone.
        half_precision: decode plans on CPU in half precision where the CPU has fast kernels
            for it: fp16 copies of the linear and LSTM weights of the decomposer, the graph, the
            selector and the plan memory (x86), and the lexical match in bf16 (CPUs with
            AVX-512 BF16); see :mod:`~orchestai_agents.planner.half`. Off: float32, as they
            train.
    """

    hidden_size: int = 256
    max_subtasks: int = 20
    attention_heads: int = 4
    dropout: float = 0.1
    allow_repeats: bool = False
    repeatable_types: list[str] = field(default_factory=list)
    beam_size: int = 4
    known_type_embeddings: bool = True
    lexical_match: bool = True
    half_precision: bool = True

    def __post_init__(self) -> None:
        _check(
            self,
            "decomposer",
            hidden_size=_POSITIVE,
            max_subtasks=(1, 20),
            attention_heads=_POSITIVE,
            dropout=_UNIT,
            beam_size=_POSITIVE,
        )


@dataclass
class GraphConfig:
    """The torch-geometric GNN that refines sub-task embeddings and scores edges.

    Attributes:
        conv: ``"gcn"``, ``"gat"`` (``heads`` attention heads) or ``"sage"``.
        layers: message-passing layers.
        heads: GAT heads.
        dag_weight: lambda of the acyclicity loss on the unmasked edge scores.
        edge_threshold: an edge is kept when its probability exceeds this.
    """

    conv: GraphConv = "gat"
    layers: int = 2
    heads: int = 4
    dag_weight: float = 0.1
    edge_threshold: float = 0.5

    def __post_init__(self) -> None:
        _check(
            self,
            "graph",
            layers=_NON_NEGATIVE,
            heads=_POSITIVE,
            dag_weight=_NON_NEGATIVE,
            edge_threshold=_UNIT,
        )


@dataclass
class MemoryConfig:
    """The plan memory (retrieved training plans as a prior for the decomposer).

    Attributes:
        size: stored training plans (set by the trainer; 0 disables the memory).
        max_len: sub-tasks kept per stored plan.
        neighbours: plans retrieved per request.
    """

    size: int = 0
    max_len: int = 20
    neighbours: int = 8

    def __post_init__(self) -> None:
        _check(self, "memory", size=_NON_NEGATIVE, max_len=_POSITIVE, neighbours=_NON_NEGATIVE)


@dataclass
class PlannerConfig:
    """The whole planner.

    Attributes:
        encoder, decomposer, graph, selector, memory: the parts' configs.
        inventory: the task types (name -> description) the planner was trained on; the default
            inventory of :meth:`Planner.plan` when no other is given.
        workers: the workers it was trained on, name -> {"description", "task_types"}.
        metadata: free-form facts for the model card (training data, metrics, intended use).
        type_order: the inventory's task types in their trained order (learned type embeddings and
            the plan memory index them). Derived; stored because ``config.json`` sorts dict keys.

    Example:
        >>> cfg = PlannerConfig(decomposer=DecomposerConfig(hidden_size=64))
        >>> cfg.selector.node_dim
        64
    """

    encoder: EncoderConfig = field(default_factory=EncoderConfig)
    decomposer: DecomposerConfig = field(default_factory=DecomposerConfig)
    graph: GraphConfig = field(default_factory=GraphConfig)
    selector: SelectorConfig = field(default_factory=SelectorConfig)
    memory: MemoryConfig = field(default_factory=MemoryConfig)
    inventory: dict[str, str] = field(default_factory=dict)
    workers: dict[str, dict[str, Any]] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    type_order: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Checkpoints and the Hub mixin hand nested configs back as dicts.
        self.encoder = _coerce(EncoderConfig, self.encoder, "encoder")
        self.decomposer = _coerce(DecomposerConfig, self.decomposer, "decomposer")
        self.graph = _coerce(GraphConfig, self.graph, "graph")
        self.selector = _coerce(SelectorConfig, self.selector, "selector")
        self.memory = _coerce(MemoryConfig, self.memory, "memory")
        _check(self, "")  # its own fields are named bare: "inventory"
        _check_metadata(self.metadata)
        self._order_inventory()
        self._derive()

    def _order_inventory(self) -> None:
        if not self.type_order:
            self.type_order = list(self.inventory)
        if set(self.type_order) != set(self.inventory) or len(self.type_order) != len(
            self.inventory
        ):
            raise ConfigError(
                "PlannerConfig.type_order must list exactly the inventory's task types"
            )
        self.inventory = {t: self.inventory[t] for t in self.type_order}

    def _derive(self) -> None:
        """Sizes other parts depend on, in one place."""
        hidden = self.decomposer.hidden_size
        if hidden % self.decomposer.attention_heads or hidden % self.graph.heads:
            raise ConfigError(
                f"decomposer.hidden_size {hidden} must be divisible by decomposer.attention_heads "
                f"({self.decomposer.attention_heads}) and graph.heads ({self.graph.heads})"
            )
        if self.encoder.hidden_size % self.encoder.adapter_heads:
            raise ConfigError(
                f"encoder.hidden_size {self.encoder.hidden_size} must be divisible by encoder.adapter_heads"
            )
        # The selector sees the planner's instruction and node states and raw worker embeddings.
        self.selector = replace(
            self.selector,
            instruction_dim=hidden,
            node_dim=hidden,
            worker_dim=self.encoder.hidden_size,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlannerConfig:
        """The config :meth:`to_dict` wrote (a ``config.json``); keys it lacks take their defaults.

        Raises:
            ConfigError: if ``data`` is not a dict, or has keys no planner config has (the config
                of another kind of model, say), naming them and the planner keys it lacks.
        """
        if not isinstance(data, dict):
            raise ConfigError(
                f"a planner config is an object of its fields, got a {type(data).__name__}"
            )
        known = [f.name for f in fields(cls)]
        unknown = sorted(set(data) - set(known))
        if unknown:
            missing = [k for k in known if k not in data]
            raise ConfigError(  # an HF model's config has dozens of keys: name a few
                f"not a planner config: unknown key(s) {unknown[:8]}"
                + (f" and {len(unknown) - 8} more" if len(unknown) > 8 else "")
                + (f", missing {missing}" if missing else "")
            )
        return cls(**data)


def _coerce(kind: type, value: Any, section: str) -> Any:
    if isinstance(value, kind):
        return value
    if isinstance(value, dict):
        known = {f.name for f in fields(kind)}
        unknown = set(value) - known
        if unknown:
            raise ConfigError(
                f"unknown {kind.__name__} field(s) {sorted(unknown)}; known: {sorted(known)}"
            )
        # Before construction: SelectorConfig's own checks compare numbers, and a string fails
        # there with a bare TypeError.
        hints = get_type_hints(kind)
        for name, field_value in value.items():
            _check_type(f"{section}.{name}", field_value, hints[name])
        return kind(**value)
    # A config.json section that is not an object (e.g. "decomposer": 5) lands here.
    raise ConfigError(
        f"{section} must be given as a {kind.__name__} or a dict of its fields, got "
        f"{type(value).__name__}"
    )


# What the model card reads from PlannerConfig.metadata; other keys are free-form.
_METADATA_TYPES = {
    "training_data": str,
    "intended_use": str,
    "datasets": list[str],
    "metrics": dict[str, Any],
}


def _check(config: Any, section: str, **ranges: tuple[float, float]) -> None:
    """Refuse a field of ``config`` that is not of its annotated type, or a number outside its
    closed range in ``ranges``; the error names ``section.field`` as ``config.json`` spells it."""
    hints = get_type_hints(type(config))
    for f in fields(config):
        name = f"{section}.{f.name}" if section else f.name
        value = getattr(config, f.name)
        _check_type(name, value, hints[f.name])
        low, high = ranges.get(f.name, (-math.inf, math.inf))
        if f.name in ranges and value is not None and not low <= value <= high:  # NaN is in none
            bounds = f">= {low}" if high == math.inf else f"in [{low}, {high}]"
            raise ConfigError(f"{name} must be {bounds}, got {value!r}")


def _check_metadata(metadata: dict[str, Any]) -> None:
    for key, hint in _METADATA_TYPES.items():
        if key in metadata:
            _check_type(f"metadata.{key}", metadata[key], hint)


def _check_type(name: str, value: Any, hint: Any) -> None:
    """Refuse ``value`` (as JSON gives it) unless it is of the annotated type ``hint``, strictly:
    a bool is no number, and an int field takes no float (16.0 neither). JSON keeps the two apart,
    so a float where an int belongs is a hand edit to be fixed, not guessed at."""
    try:
        _adapter(hint).validate_python(value, strict=True)
    except ValidationError:
        shown = str(hint).replace("typing.", "") if get_origin(hint) else hint.__name__
        raise ConfigError(
            f"{name} must be {shown}, got {value!r} ({type(value).__name__})"
        ) from None


@functools.cache
def _adapter(hint: Any) -> TypeAdapter:
    return TypeAdapter(hint)
