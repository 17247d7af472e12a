from __future__ import annotations

import orchestai_agents.training.routing as routing

import orchestai_agents.planner.selector as selector


def test_routing_package_exports():
    assert sorted(routing.__all__) == [
        "EpisodeWorkflow",
        "LiveBackend",
        "NodeOutcome",
        "OutcomeBackend",
        "OutcomeTable",
        "ReplayBackend",
        "load_outcome_table",
        "load_routerbench",
    ]


def test_selector_module_exports():
    assert sorted(selector.__all__) == [
        "DEFAULT_COST_WEIGHT_SCALE",
        "MASKED_LOGIT",
        "SELECTOR_CONFIG_FILE",
        "SELECTOR_WEIGHTS_FILE",
        "Selector",
        "SelectorConfig",
        "SelectorOutput",
        "context_width",
        "cost_preference",
        "load_selector",
        "node_context",
        "save_selector",
    ]


def test_importing_the_runtime_does_not_import_training():
    import subprocess
    import sys

    code = "import sys, orchestai_agents.planner.selector; print('stable_baselines3' in sys.modules, 'gymnasium' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False"]
