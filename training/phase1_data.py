"""Phase-1 data: cached encoder features, the inventory of a data set, and padded gold targets."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from orchestai_agents.encoders import EncodedText, TextEncoder
from orchestai_agents.planner import Inventory, PlanningTargets

from .datasets import DATASET_NAMES, DatasetFormatError, empty_split_error, load_planning_dataset
from .workflows import AnnotatedWorkflow

__all__ = [
    "candidate_mask",
    "dataset_inventory",
    "dataset_tools",
    "encode_cached",
    "inventory_of",
    "load_training_data",
    "make_targets",
    "merge_inventories",
    "repeatable_types",
]


def encode_cached(
    encoder: TextEncoder, texts: Sequence[str], cache_dir: str | Path | None, *, int8: bool = False
) -> EncodedText:
    """Frozen-encoder outputs of ``texts`` (tokens kept in fp16, unless ``int8``), read from /
    written to ``cache_dir``.

    For an encoder whose top layers are fine-tuned these are the states entering those layers
    (:meth:`~orchestai_agents.encoders.TextEncoder.encode_below`), since only they stay fixed.
    With ``int8``, they are what the encoder's int8 copy computes, as a planner encodes at
    inference on CPU (:meth:`~orchestai_agents.encoders.TextEncoder.int8_copy`).

    Shapes:
        pooled (n, enc), tokens (n, seq, enc), mask (n, seq)
    """
    path = None
    if cache_dir is not None:
        below = f"|below top {encoder.top_layers}" if encoder.top_layers else ""
        below += "|int8" if int8 else ""
        digest = hashlib.sha1(f"{encoder.name_or_path}|{encoder.max_length}{below}".encode())
        for text in texts:
            digest.update(b"\x00" + text.encode("utf-8"))
        path = Path(cache_dir) / f"tokens-{digest.hexdigest()[:20]}.safetensors"
        if path.is_file():
            t = load_file(path)
            return EncodedText(t["pooled"], t["tokens"], t["mask"])
    if int8:
        encoder = encoder.int8_copy()
    out = (
        encoder.encode_below(list(texts))
        if encoder.top_layers
        else encoder.encode(list(texts), batch_size=64)
    )
    # int8 features stay float32: they are kept to be exactly what inference computes.
    tokens = out.tokens.float() if int8 else out.tokens.half()
    encoded = EncodedText(out.pooled.float().cpu(), tokens.cpu(), out.mask.cpu())
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        save_file(
            {"pooled": encoded.pooled, "tokens": encoded.tokens.contiguous(), "mask": encoded.mask},
            path,
        )
    return encoded


def inventory_of(
    workflows: Sequence[AnnotatedWorkflow], tools: dict[str, str] | None = None
) -> Inventory:
    """The task types (and workers) of a data set.

    Task types are ``tools`` when given (e.g. a ``tool_desc.json``), plus every node name in the
    workflows, described by its first node description. Workers are the nodes' ``worker`` labels
    when there are any (each capable of the types it was labelled with); otherwise each task type
    is its own worker.
    """
    types = dict(tools or {})
    capable: dict[str, set[str]] = {}
    for w in workflows:
        for node in (*w.nodes, *w.candidates):
            types.setdefault(node.name, node.description)
            if node.worker:
                capable.setdefault(node.worker, set()).add(node.name)
    if not capable:
        return Inventory.of_tools(types)
    workers = {
        name: {"description": name, "task_types": sorted(kinds)} for name, kinds in capable.items()
    }
    return Inventory.from_config(types, workers)


def repeatable_types(workflows: Sequence[AnnotatedWorkflow], min_plans: int = 2) -> list[str]:
    """The task types that at least ``min_plans`` plans name more than once, sorted.

    ComplexFuncBench searches one location per city of a trip, UltraTool's
    ``postal_code_search`` runs once per address; a type one odd plan repeats (NesTools has two
    in 804) stays once per plan, so the decoder moves on to the next type instead.
    """
    plans = Counter(name for w in workflows for name, n in Counter(w.node_names).items() if n > 1)
    return sorted(t for t, n in plans.items() if n >= min_plans)


def make_targets(workflows: Sequence[AnnotatedWorkflow], inventory: Inventory) -> PlanningTargets:
    """Pad the gold plans into index tensors; unknown task types raise a KeyError naming them."""
    type_index = {t: i for i, t in enumerate(inventory.task_types)}
    worker_index = {w: i for i, w in enumerate(inventory.workers)}
    width = max(len(w.nodes) for w in workflows)
    type_ids = torch.full((len(workflows), width), -100, dtype=torch.long)
    worker_ids = torch.full_like(type_ids, -100)
    deps = torch.zeros(len(workflows), width, width)
    for b, w in enumerate(workflows):
        for i, node in enumerate(w.nodes):
            type_ids[b, i] = type_index[node.name]
            if node.worker in worker_index:
                worker_ids[b, i] = worker_index[node.worker]
        for s, t in w.links:
            deps[b, t, s] = 1.0
    n_nodes = torch.tensor([len(w.nodes) for w in workflows])
    return PlanningTargets(type_ids, deps, n_nodes, worker_ids)


def candidate_mask(
    workflows: Sequence[AnnotatedWorkflow],
    inventory: Inventory,
    all_workflows: Sequence[AnnotatedWorkflow] = (),
) -> torch.Tensor:
    """(len(workflows), n_types) bool: the task types each request may use.

    A request with its own candidate tools (NesTools) may use only those, as at evaluation. When
    ``all_workflows`` (every workflow of the run) mix data sets, any other request may use the
    task types of its own data set, as evaluation plans each data set over its own inventory;
    otherwise the whole inventory.
    """
    type_index = {t: i for i, t in enumerate(inventory.task_types)}
    own: dict[str, set[int]] = {}
    for w in all_workflows:
        own.setdefault(w.source, set()).update(
            type_index[n.name] for n in (*w.nodes, *w.candidates)
        )
    mixed = len(own) > 1
    allowed = torch.ones(len(workflows), len(inventory.task_types), dtype=torch.bool)
    for b, w in enumerate(workflows):
        if w.candidates:
            keep = [type_index[c.name] for c in w.candidates]
        elif mixed:
            keep = sorted(own[w.source])
        else:
            continue
        allowed[b] = False
        allowed[b, keep] = True
    return allowed


def load_training_data(
    names: Sequence[str],
) -> tuple[list[AnnotatedWorkflow], list[AnnotatedWorkflow], Inventory]:
    """Train and validation workflows and the inventory of one or more data sets.

    ``names`` are ``ultratool``, ``nestools``, ``complexfuncbench`` (their train splits; the
    validation part is then carved out by the trainer), ``builtin`` (the project's workflows over
    the built-in workers, with their own validation ids) or paths in a supported format.
    """
    train: list[AnnotatedWorkflow] = []
    val: list[AnnotatedWorkflow] = []
    inventories = []
    for name in names:
        if name == "builtin":
            from orchestai_agents.adapters import default_registry

            from .data import load_builtin_workflows

            part, held_out = load_builtin_workflows()
            train, val = train + part, val + held_out
            inventories.append(Inventory.from_registry(default_registry()))
        else:
            part = _training_side(name)
            train += part
            inventories.append(inventory_of(part, dataset_tools(name)))
    return train, val, merge_inventories(inventories)


def _training_side(name: str) -> list[AnnotatedWorkflow]:
    """The train split of a data set, refused (saying why) when it has nothing to learn from."""
    part = load_planning_dataset(name, "train")
    if not part:
        raise empty_split_error(name, "train")
    if not any(w.nodes for w in part):
        raise DatasetFormatError(
            name,
            f"none of its {len(part)} training records has a step (every task_nodes, call or "
            "output list is empty); a planner learns its task types from them, so give records "
            "whose plans have at least one step",
        )
    return part


def dataset_tools(name: str) -> dict[str, str]:
    """A TaskBench-format data set's ``tool_desc.json`` as name -> description (else empty)."""
    from .datasets import default_datasets_root, detect_format, load_tool_inventory

    folder = default_datasets_root() / "planning" / name if name in DATASET_NAMES else Path(name)
    path = folder / "tool_desc.json" if folder.is_dir() else folder.parent / "tool_desc.json"
    if not path.is_file() or detect_format(folder) != "taskbench":
        return {}
    return {t.name: t.description for t in load_tool_inventory(path)}


def dataset_inventory(name: str) -> Inventory:
    """Every task type a data set uses (both splits), described as in :func:`inventory_of`."""
    if name == "builtin":
        from orchestai_agents.adapters import default_registry

        return Inventory.from_registry(default_registry())
    workflows, tools = load_planning_dataset(name, "all"), dataset_tools(name)
    if not tools and not any(w.nodes or w.candidates for w in workflows):
        raise DatasetFormatError(
            name,
            f"none of its {len(workflows)} records has a step (every task_nodes, call or output "
            "list is empty), and no tool_desc.json beside it names the tools; give records whose "
            "plans have at least one step",
        )
    return inventory_of(workflows, tools)


def merge_inventories(inventories: Sequence[Inventory]) -> Inventory:
    """One inventory with every task type and worker (the first description of a name wins)."""
    if len(inventories) == 1:
        return inventories[0]
    types: dict[str, str] = {}
    workers: dict[str, dict] = {}
    for inv in inventories:
        for t, d in zip(inv.task_types, inv.descriptions, strict=True):
            types.setdefault(t, d)
        for i, (w, d) in enumerate(zip(inv.workers, inv.worker_descriptions, strict=True)):
            entry = workers.setdefault(w, {"description": d, "task_types": []})
            entry["task_types"] += [
                t for t, c in zip(inv.task_types, inv.capable, strict=True) if i in c
            ]
    return Inventory.from_config(types, workers)
