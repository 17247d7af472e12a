from dataclasses import asdict

import pytest

from orchestai_agents.errors import ConfigError
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


def test_a_config_of_another_model_is_refused_naming_its_keys() -> None:
    with pytest.raises(
        ConfigError,
        match=r"unknown key\(s\) \['architectures', 'model_type'\], missing \['encoder', ",
    ):
        PlannerConfig.from_dict({"model_type": "bert", "architectures": ["BertModel"]})
    with pytest.raises(
        ConfigError, match=r"unknown key\(s\) \['decomposr'\], missing \['decomposer'\]$"
    ):
        PlannerConfig.from_dict(
            {"decomposr": {}}
            | {k: v for k, v in asdict(PlannerConfig()).items() if k != "decomposer"}
        )
    with pytest.raises(ConfigError, match="object of its fields, got a list"):
        PlannerConfig.from_dict([1, 2])  # type: ignore[arg-type]


def test_keys_a_config_json_lacks_take_their_defaults() -> None:
    """Checkpoints written before a field existed still load."""
    assert PlannerConfig.from_dict({"inventory": {"a": "A"}}) == PlannerConfig(inventory={"a": "A"})
