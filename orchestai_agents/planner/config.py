"""Typed configs of the planner's parts, composed into one :class:`PlannerConfig`.

Every size another part depends on is derived in :meth:`PlannerConfig.__post_init__`, so a config
cannot describe parts that do not fit together. Configs round-trip through plain dicts (``config.json``
of a checkpoint): nested dicts are turned back into their dataclasses on construction. A config
that cannot be built raises :class:`~orchestai_agents.errors.ConfigError` (a ``ValueError``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Literal

from orchestai_agents.errors import ConfigError
from orchestai_agents.planner.selector import SelectorConfig

__all__ = ["DecomposerConfig", "EncoderConfig", "GraphConfig", "MemoryConfig", "PlannerConfig"]

GraphConv = Literal["gcn", "gat", "sage"]


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


@dataclass
class DecomposerConfig:
    """The LSTM that emits sub-tasks one at a time.

    Attributes:
        hidden_size: width of the LSTM state and of every planner embedding.
        max_subtasks: hard cap on emitted sub-tasks.
        attention_heads: heads of the attention from the LSTM state to the instruction tokens.
        dropout: dropout on the step states during training.
        allow_repeats: whether one task type may appear twice in a plan.
        beam_size: beams kept when decoding (1 is greedy).
        known_type_embeddings: learn an embedding per task type of the training inventory, added to
            its description embedding; types outside it are scored by description alone.
    """

    hidden_size: int = 256
    max_subtasks: int = 20
    attention_heads: int = 4
    dropout: float = 0.1
    allow_repeats: bool = False
    beam_size: int = 4
    known_type_embeddings: bool = True
    lexical_match: bool = True


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
        if self.conv not in ("gcn", "gat", "sage"):
            raise ConfigError(f"GraphConfig.conv must be 'gcn', 'gat' or 'sage', got {self.conv!r}")


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
        self.encoder = _coerce(EncoderConfig, self.encoder)
        self.decomposer = _coerce(DecomposerConfig, self.decomposer)
        self.graph = _coerce(GraphConfig, self.graph)
        self.selector = _coerce(SelectorConfig, self.selector)
        self.memory = _coerce(MemoryConfig, self.memory)
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
        if not 1 <= self.decomposer.max_subtasks <= 20:
            raise ConfigError("decomposer.max_subtasks must lie in [1, 20]")
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


def _coerce(kind: type, value: Any) -> Any:
    if isinstance(value, kind):
        return value
    if isinstance(value, dict):
        known = {f.name for f in fields(kind)}
        unknown = set(value) - known
        if unknown:
            raise ConfigError(
                f"unknown {kind.__name__} field(s) {sorted(unknown)}; known: {sorted(known)}"
            )
        return kind(**value)
    # A config.json section that is not an object (e.g. "decomposer": 5) lands here.
    raise ConfigError(
        f"{kind.__name__} must be given as a {kind.__name__} or a dict of its fields, got "
        f"{type(value).__name__}"
    )
