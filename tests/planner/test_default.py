from pathlib import Path

import pytest
import torch

from orchestai_agents.plan import Plan
from orchestai_agents.planner import DEFAULT_PLANNER_DIR, Inventory, Planner, load_default_planner
from orchestai_agents.validation import validate_plan

pytestmark = pytest.mark.slow  # loads the offline MiniLM


def test_the_shipped_checkpoint_is_small_and_has_its_card() -> None:
    sizes = {p.name: p.stat().st_size for p in DEFAULT_PLANNER_DIR.iterdir()}
    assert set(sizes) == {"config.json", "model.safetensors", "README.md"}
    assert sizes["model.safetensors"] < 10_000_000  # the encoder is referenced, not copied


def test_the_shipped_planner_re_saves_to_the_same_checkpoint(tmp_path: Path) -> None:
    """Weights, config and card byte for byte: the shipped files are what saving writes."""
    load_default_planner().save_pretrained(tmp_path / "once")
    for name in ("model.safetensors", "config.json", "README.md"):
        assert (tmp_path / "once" / name).read_bytes() == (DEFAULT_PLANNER_DIR / name).read_bytes()
    assert Planner.from_pretrained(tmp_path / "once").config == load_default_planner().config


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


def test_the_default_planner_plans_no_reading_step_for_a_file_it_was_not_given(
    tmp_path: Path,
) -> None:
    from orchestai_agents.adapters import default_registry

    registry = default_registry()
    planner = load_default_planner()
    notes = tmp_path / "notes.txt"
    notes.write_text("Tuesday: ship the beta. Wednesday: review the budget.\n", encoding="utf-8")
    # Requests that ask for a recording or a photo: told nothing of the inputs, the planner
    # reads them (the right plan for these words), so the test holds whatever a retrain learns.
    requests = {
        "Transcribe this recording and summarise it": "transcribe_audio",
        "Describe this photo and summarise it": "caption_image",
    }

    def types(plan: Plan) -> set[str]:
        return {s.task_type for s in validate_plan(plan, registry).subtasks}

    for request, reader in requests.items():
        assert reader in types(planner.plan(request, registry))
        assert reader not in types(planner.plan(request, registry, inputs=[notes]))


def test_the_default_planner_reads_one_pdf_once(tmp_path: Path) -> None:
    from orchestai_agents.adapters import default_registry

    registry, planner = default_registry(), load_default_planner()
    letter = tmp_path / "letter.pdf"
    plan = planner.plan("Translate letter.pdf to English", registry, inputs=[letter])
    assert [s.task_type for s in plan.subtasks].count("extract_text") == 1
    assert "translate" in {s.task_type for s in plan.subtasks}


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


def test_plans_do_not_depend_on_the_thread_count() -> None:
    """The speed benchmark reports one thread and one per core: the plans must be the same."""
    from orchestai_agents.training.phase1_eval import test_split

    _, held_out = test_split("builtin")
    requests = [w.request for w in held_out[:12]]
    planner = load_default_planner()
    threads = torch.get_num_threads()
    try:
        plans = {}
        for n in (1, 2):
            torch.set_num_threads(n)
            graphs = [g for r in requests for g in planner.predict([r])]
            plans[n] = [
                (g.task_types, g.named_links, [round(c, 4) for c in g.complexity]) for g in graphs
            ]
    finally:
        torch.set_num_threads(threads)
    assert plans[1] == plans[2]


def test_a_new_inventory_is_not_planned_with_the_last_ones_cached_maps() -> None:
    from orchestai_agents.training.phase1_eval import test_split

    requests = [w.request for w in test_split("builtin")[1][:12]]
    warm = Planner.from_pretrained(DEFAULT_PLANNER_DIR)
    stored = warm.inventory
    reordered = Inventory.of_tools(  # the same task types, listed the other way round
        dict(zip(reversed(stored.task_types), reversed(stored.descriptions), strict=True))
    )
    warm.predict(requests)  # caches the stored inventory's texts, keys and type map

    def plans(graphs: list) -> list:
        return [(g.task_types, g.named_links) for g in graphs]

    fresh = Planner.from_pretrained(DEFAULT_PLANNER_DIR)
    assert plans(warm.predict(requests, reordered)) == plans(fresh.predict(requests, reordered))
    assert plans(warm.predict(requests)) == plans(fresh.predict(requests))


def test_the_default_planner_classifies_notes_by_the_labels_the_request_names(
    tmp_path: Path,
) -> None:
    # The planned step's words never say "labels:", and the request is its only text of labels.
    from orchestai_agents.adapters import default_registry

    from orchestai_agents.compiler import compile_plan

    notes = tmp_path / "notes.txt"
    notes.write_text(
        "The payment server is down and no customer can check out. Fix it before noon.\n",
        encoding="utf-8",
    )
    registry = default_registry(allowed_dirs=[tmp_path])
    request = "Classify these notes as urgent or not urgent"
    plan = load_default_planner().plan(request, registry, inputs=[notes])
    assert [s.task_type for s in plan.subtasks] == ["classify"]

    result = compile_plan(plan, registry).invoke(
        {"inputs": [str(notes)], "output_dir": str(tmp_path / "out")}
    )["result"]
    assert result["success"], result["errors"]
    answer = result["outputs"][plan.subtasks[0].id]["text"]
    assert answer.splitlines()[0] in {"urgent", "not urgent"}
    assert "urgent=" in answer and "not urgent=" in answer


def test_a_plan_that_leaves_its_input_unread_is_decoded_again_from_its_reading_step() -> None:
    requests = [
        "Translate this into Spanish",
        "Write a cover letter for this job ad",
        "Summarise this paper and translate the summary into German",
        "Generate a presentation from this research paper",
        "Tell me what this paper is about",
    ]
    planner = load_default_planner()
    free = planner.predict(requests)
    read = planner.predict(requests, first=[("extract_text",)])
    for request, before, after in zip(requests, free, read, strict=True):
        if "extract_text" in before.task_types:  # already read: the plan is left alone
            assert after == before, request
        else:  # read first, then the steps the model plans on the text
            assert after.task_types[0] == "extract_text" and len(after.task_types) >= 2, request
            assert all(deps for deps in after.dependencies[1:]), request
    # Both kinds are here (with this checkpoint, the first three are redecoded).
    assert {"extract_text" in g.task_types for g in free} == {True, False}
    # Each plan is the same in a batch as alone, redecoded or not.
    assert read == [planner.predict([r], first=[("extract_text",)])[0] for r in requests]


def test_a_plan_for_a_pdf_reads_it(tmp_path: Path) -> None:
    from orchestai_agents.adapters import default_registry

    registry, planner = default_registry(), load_default_planner()
    for request in ("Translate this into Spanish", "Write a short blog post based on this"):
        plan = validate_plan(
            planner.plan(request, registry, inputs=[tmp_path / "doc.pdf"]), registry
        )
        assert plan.subtasks[0].task_type == "extract_text", request
        assert all(s.dependencies for s in plan.subtasks[1:]), request


def test_a_plan_reads_a_table_or_an_image_with_a_step_the_planner_picks() -> None:
    """Told only which task types the inputs allow, the planner leaves these files unread."""
    from orchestai_agents.adapters import default_registry

    from orchestai_agents.planner.model import input_restrictions

    registry, planner = default_registry(), load_default_planner()
    requests = [  # request, inputs, the reading steps the plan starts with
        (
            "Make a presentation from the paper and chart the sales",
            ["paper.pdf", "sales.csv"],
            ["extract_text", "render_chart"],
        ),
        ("Translate this into Spanish", ["sales.csv"], ["analyze_table"]),
        ("Write a short blog post based on this", ["photo.png"], ["caption_image"]),
        (
            "Summarise the paper and describe the figure",
            ["paper.pdf", "figure.png"],
            ["extract_text", "caption_image"],
        ),
    ]
    for request, inputs, reading in requests:
        allowed, once, first = input_restrictions(registry, inputs, planner.inventory)
        unread = planner.predict([request], allowed=allowed, once=once)[0]
        assert any(set(group).isdisjoint(unread.task_types) for group in first), request
        plan = validate_plan(planner.plan(request, registry, inputs=inputs), registry)
        types = [s.task_type for s in plan.subtasks]
        assert types[: len(reading)] == reading and len(types) > len(reading), request


def test_a_plan_that_reads_its_table_or_image_is_left_as_it_was() -> None:
    from orchestai_agents.adapters import default_registry

    from orchestai_agents.planner.model import input_restrictions

    registry, planner = default_registry(), load_default_planner()
    for request, inputs in [
        ("Chart the monthly sales in this table", ["sales.csv"]),
        ("Caption this photo", ["photo.png"]),
        ("Write a report on these", ["paper.pdf", "photo.png"]),
    ]:
        allowed, once, first = input_restrictions(registry, inputs, planner.inventory)
        free = planner.predict([request], allowed=allowed, once=once)[0]
        assert all(set(group) & set(free.task_types) for group in first), request
        assert planner.predict([request], allowed=allowed, once=once, first=first)[0] == free
