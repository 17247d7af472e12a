"""The built-in workflows data set: well-formed, correctly annotated, split and in sync."""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter

import pytest
from orchestai_agents.training.data.builtin_workers import BUILTIN_WORKERS, builtin_worker_for
from orchestai_agents.training.data.builtin_workflows import (
    VALIDATION_IDS_PATH,
    WORKFLOWS_PATH,
    build_builtin_workflows,
    load_builtin_workflows,
)
from orchestai_agents.training.workflows import AnnotatedWorkflow

from orchestai_agents.task_types import BUILTIN_TASK_TYPES

README = WORKFLOWS_PATH.with_name("README.md")


@pytest.fixture(scope="module")
def records() -> list[dict]:
    with WORKFLOWS_PATH.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope="module")
def workflows(records: list[dict]) -> list[AnnotatedWorkflow]:
    return [AnnotatedWorkflow.from_dict(r) for r in records]


@pytest.fixture(scope="module")
def val_ids() -> list[str]:
    return json.loads(VALIDATION_IDS_PATH.read_text(encoding="utf-8"))


def _gold(w: AnnotatedWorkflow) -> tuple:
    return tuple(w.node_names), tuple(sorted(w.links))


def _tokens(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9_.']+", text.lower()))


def test_every_line_loads_and_round_trips(records, workflows):
    assert all(w.to_dict() == r for w, r in zip(workflows, records, strict=True))


def test_size(workflows):
    assert len(workflows) >= 300


def test_ids_unique_and_source_builtin(workflows):
    ids = [w.id for w in workflows]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"bw-\d{4}", i) for i in ids)
    assert {w.source for w in workflows} == {"builtin"}


def test_requests_unique(workflows):
    normalised = [" ".join(w.request.lower().split()) for w in workflows]
    assert len(set(normalised)) == len(normalised)


def test_no_near_identical_requests_with_different_gold(workflows):
    # Requests that share most words must differ in something that changes the plan.
    words = {w.id: _tokens(w.request) for w in workflows}
    clashes = [
        (a.id, b.id)
        for a, b in itertools.combinations(workflows, 2)
        if _gold(a) != _gold(b)
        and len(words[a.id] & words[b.id]) / len(words[a.id] | words[b.id]) > 0.75
    ]
    assert clashes == []


def test_worker_table_covers_exactly_the_builtin_task_types():
    done_by = Counter(t for task_types in BUILTIN_WORKERS.values() for t in task_types)
    assert set(done_by) == set(BUILTIN_TASK_TYPES)
    assert set(done_by.values()) == {1}
    assert builtin_worker_for("summarize") == "smollm2"
    with pytest.raises(KeyError, match="no built-in worker"):
        builtin_worker_for("fly_drone")


def test_nodes_name_known_task_types_done_by_their_worker(workflows):
    for w in workflows:
        for node in w.nodes:
            assert node.name in BUILTIN_TASK_TYPES, (w.id, node.name)
            assert node.name in BUILTIN_WORKERS.get(node.worker, ()), (w.id, node.name, node.worker)


def test_descriptions_are_filled_imperative_phrases(workflows):
    for w in workflows:
        for node in w.nodes:
            assert node.description and node.description[0].isupper(), (w.id, node)
            assert "{" not in node.description and not node.description.endswith("."), (w.id, node)


def test_one_to_eight_nodes(workflows):
    sizes = Counter(len(w.nodes) for w in workflows)
    assert min(sizes) == 1 and max(sizes) == 8


def test_links_forward_unique_and_connected(workflows):
    for w in workflows:
        assert len(set(w.links)) == len(w.links), w.id
        assert all(s < t for s, t in w.links), w.id  # forward links make the graph acyclic
        reached, frontier = {0}, [0]
        while frontier:
            i = frontier.pop()
            for j in {t for s, t in w.links if s == i} | {s for s, t in w.links if t == i}:
                if j not in reached:
                    reached.add(j)
                    frontier.append(j)
        assert reached == set(range(len(w.nodes))), f"{w.id}: a node is cut off from the rest"


def test_shape_proportions(workflows):
    shares = {k: v / len(workflows) for k, v in Counter(w.shape for w in workflows).items()}
    assert set(shares) == {"single", "chain", "dag"}
    assert 0.15 <= shares["single"] <= 0.25
    assert 0.35 <= shares["chain"] <= 0.45
    assert 0.35 <= shares["dag"] <= 0.45


def test_every_task_type_appears_at_least_five_times_in_training(workflows, val_ids):
    held_out = set(val_ids)
    counts = Counter(n.name for w in workflows if w.id not in held_out for n in w.nodes)
    assert all(counts[t] >= 5 for t in BUILTIN_TASK_TYPES), counts


def test_validation_split_is_a_stratified_fifth(workflows, val_ids):
    ids = {w.id for w in workflows}
    assert len(set(val_ids)) == len(val_ids) and set(val_ids) <= ids
    assert 0.18 <= len(val_ids) / len(ids) <= 0.22
    by_shape = Counter(w.shape for w in workflows)
    val_by_shape = Counter(w.shape for w in workflows if w.id in set(val_ids))
    for shape, n in by_shape.items():
        assert 0.15 <= val_by_shape[shape] / n <= 0.25, shape
    val_types = {n.name for w in workflows if w.id in set(val_ids) for n in w.nodes}
    assert val_types == set(BUILTIN_TASK_TYPES)


def test_load_returns_the_split(workflows, val_ids):
    train, val = load_builtin_workflows()
    assert [w.id for w in val] == val_ids
    assert len(train) + len(val) == len(workflows)


def test_paper_to_presentation_is_well_covered(workflows):
    canonical = [
        w for w in workflows if w.request == "Generate a presentation from this research paper."
    ]
    assert len(canonical) == 1
    assert canonical[0].node_names == ["extract_text", "summarize", "make_slides"]
    assert canonical[0].links == ((0, 1), (1, 2))
    paper_decks = [w for w in workflows if {"extract_text", "make_slides"} <= set(w.node_names)]
    assert len(paper_decks) >= 50
    assert {w.shape for w in paper_decks} == {"chain", "dag"}


def test_committed_files_match_the_recipes(workflows, val_ids):
    built, built_val_ids = build_builtin_workflows()
    assert [w.to_dict() for w in built] == [w.to_dict() for w in workflows]
    assert built_val_ids == val_ids


def test_readme_states_the_current_counts(workflows, val_ids):
    text = README.read_text(encoding="utf-8")
    assert f"{len(workflows)} workflows" in text
    assert f"{len(val_ids)} validation" in text
