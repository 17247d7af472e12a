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


@pytest.mark.parametrize(
    ("section", "values", "said"),
    [
        (
            "decomposer",
            {"hidden_size": "16"},
            r"decomposer\.hidden_size must be int, got '16' \(str",
        ),
        ("decomposer", {"hidden_size": 16.0}, r"decomposer\.hidden_size must be int, got 16\.0 "),
        ("decomposer", {"max_subtasks": "5"}, r"decomposer\.max_subtasks must be int, got '5'"),
        ("decomposer", {"beam_size": True}, r"decomposer\.beam_size must be int, got True \(bool"),
        ("decomposer", {"beam_size": -1}, r"decomposer\.beam_size must be >= 1, got -1$"),
        ("decomposer", {"dropout": "x"}, r"decomposer\.dropout must be float, got 'x'"),
        ("encoder", {"name_or_path": 5}, r"encoder\.name_or_path must be str \| None, got 5 "),
        ("encoder", {"max_length": 1024}, r"encoder\.max_length must be in \[1, 512\], got 1024"),
        ("graph", {"heads": 0}, r"graph\.heads must be >= 1, got 0$"),
        ("graph", {"edge_threshold": "0.5"}, r"graph\.edge_threshold must be float, got '0\.5'"),
        ("graph", {"edge_threshold": float("nan")}, r"graph\.edge_threshold must be in \[0, 1\]"),
        ("graph", {"dag_weight": False}, r"graph\.dag_weight must be float, got False"),
        ("graph", {"conv": "gin"}, r"graph\.conv must be Literal\['gcn', 'gat', 'sage'\]"),
        ("memory", {"size": -1}, r"memory\.size must be >= 0, got -1$"),
        ("selector", {"hidden": "16"}, r"selector\.hidden must be int, got '16'"),
    ],
)
def test_a_section_field_of_the_wrong_type_or_range_is_named(
    section: str, values: dict[str, object], said: str
) -> None:
    """A hand-edited config.json is refused on reading, not by a TypeError inside torch."""
    with pytest.raises(ConfigError, match=said):
        PlannerConfig.from_dict({section: values})


@pytest.mark.parametrize(
    ("key", "value", "said"),
    [
        ("inventory", ["a", "b"], r"inventory must be dict\[str, str\], got \['a', 'b'\] \(list"),
        ("inventory", {"a": 1}, r"inventory must be dict\[str, str\], got \{'a': 1\}"),
        ("type_order", "abc", r"type_order must be list\[str\], got 'abc'"),
        ("metadata", [], r"metadata must be dict\[str, Any\], got \[\] \(list"),
        ("metadata", {"metrics": [90.0]}, r"metadata\.metrics must be dict\[str, Any\]"),
        ("metadata", {"datasets": "builtin"}, r"metadata\.datasets must be list\[str\]"),
        ("selector", None, r"selector must be given as a SelectorConfig .* got NoneType"),
    ],
)
def test_a_top_level_field_of_the_wrong_type_is_named(key: str, value: object, said: str) -> None:
    with pytest.raises(ConfigError, match=said):
        PlannerConfig.from_dict({"inventory": {"a": "A"}, key: value})


def test_configs_built_directly_are_checked_too() -> None:
    with pytest.raises(ConfigError, match=r"decomposer\.hidden_size must be int, got 16\.0"):
        DecomposerConfig(hidden_size=16.0)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"graph\.heads must be >= 1"):
        GraphConfig(heads=0)


def test_json_forms_of_valid_values_are_taken() -> None:
    """An int where a float belongs (JSON writes 0.0 as 0 by hand), and null for optional fields."""
    cfg = PlannerConfig.from_dict(
        {
            "decomposer": {"dropout": 0, "hidden_size": 64, "attention_heads": 2},
            "graph": {"edge_threshold": 1, "layers": 0},
            "encoder": {"name_or_path": None, "trainable_layers": None},
            "metadata": {"metrics": {"node F1": 90}, "datasets": ["builtin"], "notes": [1]},
        }
    )
    assert (cfg.decomposer.dropout, cfg.graph.edge_threshold) == (0, 1)
