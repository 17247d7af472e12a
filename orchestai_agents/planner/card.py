"""The model card written beside every planner checkpoint."""

from __future__ import annotations

import json

from huggingface_hub import ModelCard, ModelCardData

from orchestai_agents.planner.config import PlannerConfig

__all__ = ["model_card"]


def model_card(config: PlannerConfig) -> ModelCard:
    """A card with the training data, metrics and intended use recorded in ``config.metadata``."""
    meta = config.metadata
    data = ModelCardData(
        library_name="orchestai-agents",
        license="apache-2.0",
        tags=["orchestai-agents", "task-planning", "graph-neural-network"],
        datasets=list(meta.get("datasets", [])),
    )
    metrics = meta.get("metrics", {})
    rows = "\n".join(
        f"| {k} | {v:.2f} |" if isinstance(v, float) else f"| {k} | {v} |"
        for k, v in metrics.items()
    )
    encoder = config.encoder.name_or_path or "sentence-transformers/all-MiniLM-L6-v2 (offline copy)"
    layers = config.encoder.trainable_layers
    weights = (
        f"{'all' if layers is None else f'the top {layers}'} of its layers fine-tuned and included, "
        "the rest loaded by name"
        if config.encoder.trainable
        else "weights not included; loaded by name"
    )
    text = f"""---
{data.to_yaml()}
---

# orchestai-agents planner

A learned task planner: instruction -> workflow DAG of sub-tasks with a worker for each, in
milliseconds on CPU and with no LLM call. Encoder `{encoder}` ({weights}),
LSTM decomposer, {config.graph.conv.upper()} graph generator, actor-critic worker selector.

## Training data

{meta.get("training_data", "not recorded")}

## Metrics

| metric | value |
|---|---|
{rows or "| (none recorded) | |"}

## Intended use

{meta.get("intended_use", "Planning workflows over the inventory of task types and workers it was trained on, or zero-shot over a new inventory described in words. Check plans before running costly workers.")}

## Inventory

{len(config.inventory)} task types, {len(config.workers) or len(config.inventory)} workers.

## Config

```json
{json.dumps(config.to_dict()["decomposer"] | {"graph": config.to_dict()["graph"]}, indent=2)}
```
"""
    return ModelCard(text)
