import pytest

from orchestai_agents.planner import DEFAULT_PLANNER_DIR, Planner, load_default_planner
from orchestai_agents.validation import validate_plan

pytestmark = pytest.mark.slow  # loads the offline MiniLM


def test_the_shipped_checkpoint_is_small_and_has_its_card() -> None:
    sizes = {p.name: p.stat().st_size for p in DEFAULT_PLANNER_DIR.iterdir()}
    assert set(sizes) == {"config.json", "model.safetensors", "README.md"}
    assert sizes["model.safetensors"] < 10_000_000  # the encoder is referenced, not copied


def test_the_default_planner_plans_the_demo_over_the_builtin_workers() -> None:
    from orchestai_agents.adapters import default_registry

    registry = default_registry()
    planner = load_default_planner()
    assert isinstance(planner, Planner) and Planner.default() is planner
    plan = validate_plan(
        planner.plan("Generate a presentation from this research paper", registry), registry
    )
    order = [s.task_type for s in plan.topological_order()]
    assert order[0] == "extract_text" and order[-1] == "make_slides"
    assert plan.node(plan.sinks()[0]).worker == "slides"
    assert all(len(s.dependencies) <= 1 for s in plan.subtasks)


def test_a_batch_plans_each_request_as_it_would_be_planned_alone() -> None:
    from orchestai_agents.training.phase1_eval import test_split

    _, held_out = test_split("builtin")
    requests = [w.request for w in held_out[:12]]
    planner = load_default_planner()

    batched = planner.predict(requests)
    alone = [planner.predict([r])[0] for r in requests]

    assert [(g.task_types, g.named_links) for g in batched] == [
        (g.task_types, g.named_links) for g in alone
    ]
