from dataclasses import asdict

import pytest

from orchestai_agents.planner import DecomposerConfig, GraphConfig, PlannerConfig, SelectorConfig


def test_nested_dicts_round_trip() -> None:
    cfg = PlannerConfig(
        decomposer=DecomposerConfig(hidden_size=64, attention_heads=2), inventory={"a": "A"}
    )
    back = PlannerConfig.from_dict(asdict(cfg))
    assert back == cfg
    assert isinstance(back.graph, GraphConfig) and isinstance(back.selector, SelectorConfig)


def test_selector_sizes_are_derived_from_the_parts() -> None:
    cfg = PlannerConfig(decomposer=DecomposerConfig(hidden_size=64, attention_heads=2))
    assert (cfg.selector.instruction_dim, cfg.selector.node_dim, cfg.selector.worker_dim) == (
        64,
        64,
        384,
    )


def test_bad_configs_are_refused_with_the_field_named() -> None:
    with pytest.raises(ValueError, match="conv"):
        GraphConfig(conv="gin")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="divisible"):
        PlannerConfig(decomposer=DecomposerConfig(hidden_size=30))
    with pytest.raises(ValueError, match="unknown DecomposerConfig"):
        PlannerConfig.from_dict({"decomposer": {"hidden": 3}})
    with pytest.raises(ValueError, match="max_subtasks"):
        PlannerConfig(decomposer=DecomposerConfig(max_subtasks=21))
