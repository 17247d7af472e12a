from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from orchestai_agents.adapters import function_worker

from orchestai_agents import (
    BUILTIN_TASK_TYPES,
    Plan,
    WorkerRegistry,
    WorkerSpec,
    create_orchestai_agent,
)
from orchestai_agents.planner import Inventory, Planner, PlanningTargets
from orchestai_agents.planner.decoding import beam_search
from orchestai_agents.planner.encoder import lexical_match
from orchestai_agents.planner.memory import PlanPrior
from orchestai_agents.validation import validate_plan


def _targets() -> PlanningTargets:
    type_ids = torch.tensor([[0, 1, 2], [3, -100, -100]])
    deps = torch.zeros(2, 3, 3)
    deps[0, 1, 0] = deps[0, 2, 1] = 1.0
    return PlanningTargets(type_ids, deps, torch.tensor([3, 1]), torch.full((2, 3), -100))


def _inputs(planner: Planner, inventory: Inventory) -> tuple[torch.Tensor, ...]:
    enc = planner.encoder.text.encode(["make slides from this paper", "translate this"])
    types, workers = planner.embed_inventory(inventory)
    match = lexical_match(enc.tokens, enc.mask, types.tokens, types.mask)
    return enc.tokens, enc.mask, types.pooled, workers.pooled, match


def test_forward_returns_every_loss_and_they_backpropagate(
    tiny_planner: Planner, inventory: Inventory
) -> None:
    n_tools = len(inventory.task_types)
    tokens, mask, types, workers, match = _inputs(tiny_planner, inventory)
    capable = torch.eye(n_tools, dtype=torch.bool)
    targets = _targets()._replace(worker_ids=torch.tensor([[0, 1, 2], [3, -100, -100]]))
    out = tiny_planner(tokens, mask, types, targets, workers, capable, match=match)
    assert set(out.losses) == {"type", "stop", "dependency", "dag", "worker"}
    assert out.loss.ndim == 0 and torch.isfinite(out.loss)
    out.loss.backward()
    assert tiny_planner.decomposer.type_proj[0].weight.grad is not None
    assert tiny_planner.selector.score.weight.grad is not None


def test_decoded_plans_are_acyclic_by_construction_on_random_weights(
    make_planner: Callable[..., Planner], inventory: Inventory
) -> None:
    requests = ["a", "summarise and translate the report, then make slides", "x " * 40]
    for seed, conv in enumerate(("gcn", "gat", "sage")):
        planner = make_planner(conv, seed)
        torch.nn.init.normal_(planner.decomposer.dep_key.weight, std=5.0)  # push edges both ways
        for graph in planner.predict(requests, inventory):
            assert 1 <= len(graph.task_types) <= planner.config.decomposer.max_subtasks
            assert len(set(graph.task_types)) == len(graph.task_types)  # repeats are masked
            assert all(j < i for i, deps in enumerate(graph.dependencies) for j in deps)


def test_plan_is_valid_with_ranked_alternatives(
    tiny_planner: Planner, tools: dict[str, str]
) -> None:
    plan = validate_plan(tiny_planner.plan("Summarise this paper and make slides"))
    for sub in plan.subtasks:
        assert sub.task_type in tools and sub.worker == sub.task_type
        assert sub.alternatives[0].worker == sub.worker
        assert 0.0 <= sub.complexity <= 1.0 and sub.description


def test_beam_search_keeps_the_stop_heads_decision(
    tiny_planner: Planner, inventory: Inventory
) -> None:
    n_tools = len(inventory.task_types)
    with torch.no_grad():
        tiny_planner.decomposer.stop_head.bias.fill_(50.0)  # always stop as soon as allowed
    assert [len(g.task_types) for g in tiny_planner.predict(["anything", "else"], inventory)] == [
        1,
        1,
    ]
    with torch.no_grad():
        tiny_planner.decomposer.stop_head.bias.fill_(-50.0)  # never stop: capped by the inventory
    assert len(tiny_planner.predict(["anything"], inventory)[0].task_types) == n_tools


def test_beam_states_are_what_teacher_forcing_gives_for_the_decoded_types(
    make_planner: Callable[..., Planner], inventory: Inventory
) -> None:
    """Decoding runs the heads on the beam's own step states instead of a second pass."""
    planner = make_planner("gat", 3).eval()
    requests = ["make slides from this paper", "translate this", "summarise, translate, chart " * 5]
    enc = planner.encoder.text.encode(requests)
    memory, pooled, _ = planner._context(enc.tokens, enc.mask)
    keys = planner.decomposer.type_keys(planner.embed_inventory(inventory)[0].pooled)
    # A stop prior that ends the plans after 1, 3 and 2 sub-tasks: padding is exercised.
    stop = torch.full((len(requests), 7), -50.0)
    for b, n in enumerate((1, 3, 2)):
        stop[b, n] = 50.0
    decoded = beam_search(
        planner.decomposer,
        pooled,
        memory,
        enc.mask,
        keys,
        beam_size=3,
        max_steps=6,
        repeatable=torch.zeros(keys.shape[0], dtype=torch.bool),
        prior=PlanPrior(torch.zeros(len(requests), 7, keys.shape[0]), stop),
    )
    lengths = [len(t) for t in decoded.types]
    assert lengths == [1, 3, 2]
    type_ids = torch.full((len(requests), max(lengths)), -100)
    for b, types in enumerate(decoded.types):
        type_ids[b, : len(types)] = torch.tensor(types)
    with torch.no_grad():
        forced = planner.decomposer.teacher_forced(pooled, memory, enc.mask, keys, type_ids)
        chosen = planner.decomposer.chosen_keys(keys, type_ids)
        nodes, dep, complexity = planner.decomposer.heads(decoded.states, chosen)
    for b, n in enumerate(lengths):
        close = {"atol": 1e-5, "rtol": 1e-4}
        torch.testing.assert_close(nodes[b, :n], forced.nodes[b, :n], **close)
        torch.testing.assert_close(dep[b, :n, :n], forced.dep_logits[b, :n, :n], **close)
        torch.testing.assert_close(complexity[b, :n], forced.complexity[b, :n], **close)
        torch.testing.assert_close(decoded.attention[b, :n], forced.attention[b, :n], **close)
        assert not decoded.states[b, n:].any()


def test_only_the_repeatable_types_repeat(tiny_planner: Planner, tools: dict[str, str]) -> None:
    inventory = Inventory.of_tools({t: tools[t] for t in ("summarize", "translate")})
    with torch.no_grad():
        tiny_planner.decomposer.stop_head.bias.fill_(-50.0)  # never stop: the cap decides
    tiny_planner.config.decomposer.repeatable_types = ["summarize"]

    [graph] = tiny_planner.predict(["anything"], inventory)
    [strict] = tiny_planner.predict(["anything"], inventory, allow_repeats=False)
    [loose] = tiny_planner.predict(["anything"], inventory, allow_repeats=True)

    assert len(graph.task_types) == tiny_planner.config.decomposer.max_subtasks
    assert graph.task_types.count("translate") == 1  # summarize fills the rest
    assert sorted(strict.task_types) == ["summarize", "translate"]
    assert len(loose.task_types) == tiny_planner.config.decomposer.max_subtasks
    plan = tiny_planner.plan("anything", inventory=inventory)  # plan() decodes as predict()
    assert tuple(s.task_type for s in plan.subtasks) == graph.task_types


def test_a_registry_that_is_not_one_is_named(tiny_planner: Planner, tools: dict[str, str]) -> None:
    with pytest.raises(TypeError, match=r"takes a WorkerRegistry as its registry, got dict"):
        tiny_planner.plan("summarise this", tools)
    plan = tiny_planner.plan("summarise this", inventory=Inventory.of_tools(tools))
    assert {s.task_type for s in plan.subtasks} <= set(tools)


def test_no_instructions_give_no_plans(tiny_planner: Planner) -> None:
    assert tiny_planner.predict([]) == []


def test_type_words_computed_are_returned_even_if_another_thread_replaced_the_cache(
    tiny_planner: Planner, inventory: Inventory, tools: dict[str, str]
) -> None:
    from orchestai_agents.planner.encoder import type_words

    encoder = tiny_planner.encoder
    mine, _ = tiny_planner.embed_inventory(inventory)
    other, _ = tiny_planner.embed_inventory(Inventory.of_tools({"translate": tools["translate"]}))
    theirs = (other.tokens, type_words(other.tokens, other.mask))

    class Racing(type(encoder)):  # another plan stores its inventory's words right after ours
        @property
        def _words(self):
            return self.__dict__["racing"]

        @_words.setter
        def _words(self, value):
            self.__dict__["racing"] = value if value is None else theirs

    encoder.__dict__["racing"] = None
    encoder.__class__ = Racing

    assert encoder.words_of(mine) is not theirs[1]


def test_lexical_match_is_full_when_every_type_word_is_in_the_request() -> None:
    tokens = torch.eye(3).unsqueeze(0)  # request tokens: three orthogonal "words"
    mask = torch.ones(1, 3, dtype=torch.bool)
    types = torch.stack(
        [torch.eye(3)[:2], torch.tensor([[0.0, 0.0, 1.0], [1.0, 1.0, 0.0]])]
    )  # (2 types, 2 tokens)
    # type 0 has both words; type 1 has one word and one halfway between two (cosine 1/sqrt 2).
    with_specials = torch.nn.functional.pad(types, (0, 0, 1, 1))  # [CLS] and [SEP] around the words
    match = lexical_match(tokens, mask, with_specials, torch.ones(2, 4, dtype=torch.bool))
    assert torch.allclose(match, torch.tensor([[1.0, (1 + 2**-0.5) / 2]]))


def test_predict_reuses_the_type_keys_until_the_weights_change(
    tiny_planner: Planner, inventory: Inventory, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    type_keys = tiny_planner.decomposer.type_keys
    monkeypatch.setattr(
        tiny_planner.decomposer, "type_keys", lambda *a: calls.append(a) or type_keys(*a)
    )
    tiny_planner.train()
    tiny_planner.predict(["summarise this paper"], inventory)
    assert not any(m.training for m in tiny_planner.modules())  # predict still sets eval mode
    tiny_planner.predict(["translate it"], inventory)
    assert len(calls) == 1
    with torch.no_grad():
        tiny_planner.decomposer.type_proj[0].weight.mul_(2.0)  # an in-place edit, still in eval
    tiny_planner.predict(["translate it"], inventory)
    assert len(calls) == 2


def test_the_default_inventory_and_its_texts_are_kept_until_the_config_changes(
    tiny_planner: Planner, inventory: Inventory
) -> None:
    assert tiny_planner.inventory is tiny_planner.inventory  # built once, not per plan
    types, _ = tiny_planner.embed_inventory(tiny_planner.inventory)
    assert types.pooled.shape[0] == len(inventory.task_types)
    tiny_planner.config.inventory = {"summarize": "Summarise a text", "translate": "Translate it"}
    assert tiny_planner.inventory.task_types == ("summarize", "translate")
    types, workers = tiny_planner.embed_inventory(tiny_planner.inventory)
    fresh = tiny_planner.encoder.describe_all(
        ["summarize: Summarise a text", "translate: Translate it"]
    )
    assert torch.equal(types.pooled, fresh.pooled) and workers.pooled.shape[0] == 2
    other = Inventory.of_tools({"ocr": "Read text in an image"})
    assert tiny_planner.embed_inventory(other)[0].pooled.shape[0] == 1


def test_a_planner_built_under_inference_mode_predicts(
    make_planner: Callable[..., Planner], inventory: Inventory
) -> None:
    with torch.inference_mode():
        planner = make_planner()
    assert len(planner.predict(["summarise this paper"], inventory)) == 1


def test_allowed_types_bound_decoding_and_the_type_loss(
    tiny_planner: Planner, inventory: Inventory
) -> None:
    tokens, mask, types, workers, match = _inputs(tiny_planner, inventory)
    allowed = torch.zeros(2, len(inventory.task_types), dtype=torch.bool)
    allowed[0, [0, 1, 2]] = True  # request 0 may use its three gold tools, request 1 only its one
    allowed[1, 3] = True
    graphs = tiny_planner.decode(
        ["a", "b"], tokens, mask, types, workers, inventory, match=match, allowed=allowed
    )
    names = inventory.task_types
    assert set(graphs[0].task_types) <= set(names[:3]) and graphs[1].task_types == (names[3],)
    free = tiny_planner(tokens, mask, types, _targets(), match=match).losses["type"]
    bound = tiny_planner(tokens, mask, types, _targets(), match=match, allowed=allowed)
    # With only the gold tools left, the type loss shrinks (request 1's is exactly 0).
    assert bound.losses["type"] < free


AUDIO_REQUEST = "transcribe the audio recording"


def _worker(name: str, task_types: list[str], reads: list[str]) -> WorkerSpec:
    return function_worker(
        lambda task: name,
        name=name,
        description=f"Does {', '.join(task_types)}.",
        task_types=task_types,
        input_modalities=reads,
    )


@pytest.fixture
def audio_registry() -> WorkerRegistry:
    """A reader, a writer and a listener; only the listener reads audio."""
    return WorkerRegistry(
        [
            _worker("reader", ["extract_text"], ["pdf", "text"]),
            _worker("writer", ["summarize", "translate"], ["text"]),
            _worker("listener", ["transcribe_audio"], ["audio"]),
        ]
    )


def _word_led(planner: Planner) -> Planner:
    """``planner`` made to plan the task types whose words the request uses (transcribe_audio
    for AUDIO_REQUEST): its lexical match outweighs everything else it scores."""
    with torch.no_grad():
        planner.decomposer.match_weight.fill_(1000.0)
    return planner


def _types(plan: Plan) -> set[str]:
    return {s.task_type for s in plan.subtasks}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_inputs_keep_out_the_task_types_no_worker_can_be_fed(
    make_planner: Callable[..., Planner], audio_registry: WorkerRegistry, seed: int
) -> None:
    planner = _word_led(make_planner(seed=seed))

    def plan(**inputs: object) -> set[str]:
        return _types(validate_plan(planner.plan(AUDIO_REQUEST, audio_registry, **inputs)))

    assert "transcribe_audio" in plan()  # without inputs, as before: nothing is kept out
    assert "transcribe_audio" in plan(inputs=["meeting.wav"])
    for inputs in (["notes.txt"], [Path("notes.md"), "paper.pdf"], []):
        assert "transcribe_audio" not in plan(inputs=inputs)


def test_what_a_table_input_leads_to_may_be_planned(tiny_planner: Planner) -> None:
    """A CSV feeds the chart tool, whose image feeds the captioner; a text file feeds neither."""
    from orchestai_agents.adapters import default_registry

    planner, registry = _word_led(tiny_planner), default_registry()
    request = "caption the image"
    assert "caption_image" in _types(planner.plan(request, registry, inputs=["sales.csv"]))
    assert "caption_image" not in _types(planner.plan(request, registry, inputs=["notes.txt"]))


def test_inputs_no_worker_reads_are_refused_before_planning(tiny_planner: Planner) -> None:
    listener = WorkerRegistry([_worker("listener", ["transcribe_audio"], ["audio"])])
    with pytest.raises(ValueError, match=r"notes\.txt \(text\), but the workers read audio"):
        tiny_planner.plan("summarise my notes", listener, inputs=["notes.txt"])
    plan = tiny_planner.plan("summarise my recording", listener, inputs=["meeting.wav"])
    assert _types(plan) == {"transcribe_audio"}


def test_an_inventory_of_tools_says_nothing_of_modalities_so_inputs_keep_nothing_out(
    tiny_planner: Planner, tools: dict[str, str]
) -> None:
    inventory = Inventory.of_tools(
        {**tools, "transcribe_audio": BUILTIN_TASK_TYPES["transcribe_audio"]}
    )
    planner = _word_led(tiny_planner)
    plan = planner.plan(AUDIO_REQUEST, inventory=inventory, inputs=["notes.txt"])
    assert "transcribe_audio" in _types(plan)


def test_predict_keeps_each_instruction_to_its_allowed_types(
    tiny_planner: Planner, inventory: Inventory
) -> None:
    allowed = torch.zeros(2, len(inventory.task_types), dtype=torch.bool)
    allowed[0, 1] = True
    allowed[1, [0, 3]] = True
    first, second = tiny_planner.predict(["a", "b"], inventory, allowed=allowed)
    names = inventory.task_types
    assert first.task_types == (names[1],)
    assert set(second.task_types) <= {names[0], names[3]}


def test_an_allowed_mask_that_cannot_be_planned_with_is_refused(
    tiny_planner: Planner, inventory: Inventory
) -> None:
    n = len(inventory.task_types)
    none_for_the_second = torch.zeros(2, n, dtype=torch.bool)
    none_for_the_second[0, 1] = True
    with pytest.raises(ValueError, match=r"instruction\(s\) \[1\] no task type"):
        tiny_planner.predict(["a", "b"], inventory, allowed=none_for_the_second)
    for wrong in (torch.ones(1, n, dtype=torch.bool), torch.ones(2, n, dtype=torch.long)):
        with pytest.raises(ValueError, match=rf"shape \(instructions, task types\) = \(2, {n}\)"):
            tiny_planner.predict(["a", "b"], inventory, allowed=wrong)


def test_inputs_restrict_only_the_task_types_the_registry_has_workers_for(
    tiny_planner: Planner, tools: dict[str, str]
) -> None:
    """transcribe_audio, done by none of the registry's workers, is not kept out by a text file."""
    writer = WorkerRegistry([_worker("writer", ["summarize", "translate"], ["text"])])
    inventory = Inventory.of_tools(
        {**tools, "transcribe_audio": BUILTIN_TASK_TYPES["transcribe_audio"]}
    )
    planner = _word_led(tiny_planner)
    plan = planner.plan(AUDIO_REQUEST, writer, inventory=inventory, inputs=["notes.txt"])
    assert "transcribe_audio" in _types(plan)


def test_a_reading_step_repeats_only_when_the_inputs_hold_more_than_one_file_it_reads(
    tiny_planner: Planner, audio_registry: WorkerRegistry
) -> None:
    with torch.no_grad():
        tiny_planner.decomposer.stop_head.bias.fill_(-50.0)  # never stop: the cap decides
    tiny_planner.config.decomposer.repeatable_types = ["extract_text"]

    def readings(inputs: list[str]) -> int:
        plan = tiny_planner.plan("read it", audio_registry, inputs=inputs)
        return [s.task_type for s in plan.subtasks].count("extract_text")

    assert readings(["letter.pdf"]) == 1
    assert readings(["v1.pdf", "v2.pdf"]) > 1


def test_a_plan_missing_a_reading_group_is_decoded_again_from_a_type_of_it(
    tiny_planner: Planner, inventory: Inventory
) -> None:
    """Which type of the group leads is the planner's choice: here the one the request names."""
    planner = _word_led(tiny_planner)
    requests = ["make slides from this", "translate this", "extract the text and make slides"]
    group = ("make_slides", "translate")
    free = planner.predict(requests, inventory)
    read = planner.predict(requests, inventory, first=[group])
    assert [g.task_types for g in free] == [("make_slides",), ("translate",), ("extract_text",)]
    assert read[:2] == free[:2]  # already read: left alone
    assert read[2].task_types[0] == "make_slides" and len(read[2].task_types) >= 2
    assert read[2] == planner.predict(requests[2:], inventory, first=[group])[0]


def test_reading_groups_keep_only_the_inventorys_types(
    tiny_planner: Planner, inventory: Inventory
) -> None:
    planner, requests = _word_led(tiny_planner), ["summarize the text", "translate this"]
    read = planner.predict(requests, inventory, first=[("extract_text",)])
    assert all(g.task_types[0] == "extract_text" for g in read)
    # caption_image is no type of the inventory: its group is skipped, and the other kept.
    skipped = [("caption_image",), ("caption_image", "extract_text")]
    assert planner.predict(requests, inventory, first=skipped) == read
    with pytest.raises(TypeError, match=r"wrap each in a tuple: \[\('extract_text',\)\]"):
        planner.predict(requests, inventory, first=["extract_text"])


def test_the_agent_plans_with_the_requests_inputs(
    tiny_planner: Planner, audio_registry: WorkerRegistry
) -> None:
    agent = create_orchestai_agent(audio_registry, planner=_word_led(tiny_planner))

    def planned(inputs: list[str]) -> set[str]:
        out = agent.invoke({"instruction": AUDIO_REQUEST, "inputs": inputs})
        return {s["task_type"] for s in out["result"]["plan"]["subtasks"]}

    assert "transcribe_audio" not in planned(["notes.txt"])
    assert "transcribe_audio" in planned(["meeting.wav"])
