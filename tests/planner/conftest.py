"""A tiny random BERT (MiniLM's tokenizer, 32 hidden units) and tiny planners built on it."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import huggingface_hub
import pytest
import torch
from huggingface_hub.utils._http import default_client_factory

from orchestai_agents.encoders import default_encoder_path
from orchestai_agents.planner import (
    DecomposerConfig,
    EncoderConfig,
    GraphConfig,
    Inventory,
    Planner,
    PlannerConfig,
)

TOOLS = {
    "extract_text": "Extract the text of a PDF document.",
    "summarize": "Summarise a text.",
    "make_slides": "Build a slide deck from text.",
    "translate": "Translate a text into another language.",
}


@pytest.fixture(scope="session")
def tiny_encoder_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    from transformers import BertConfig, BertModel

    folder = tmp_path_factory.mktemp("tiny-bert")
    torch.manual_seed(0)
    config = BertConfig(
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
    )
    BertModel(config).save_pretrained(folder)
    for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"):
        shutil.copyfile(Path(default_encoder_path()) / name, folder / name)
    return str(folder)


def tiny_config(encoder_dir: str, conv: str = "gat", **encoder: object) -> PlannerConfig:
    return PlannerConfig(
        encoder=EncoderConfig(
            name_or_path=encoder_dir, hidden_size=32, max_length=32, adapter_heads=2, **encoder
        ),  # type: ignore[arg-type]
        decomposer=DecomposerConfig(hidden_size=16, attention_heads=2, max_subtasks=5, beam_size=2),
        graph=GraphConfig(conv=conv, heads=4),  # type: ignore[arg-type]
        inventory=dict(TOOLS),
    )


@pytest.fixture
def make_planner(tiny_encoder_dir: str) -> Callable[..., Planner]:
    """Build a tiny planner: ``make_planner(conv="sage", seed=1, adapter_layers=1)``."""

    def make(conv: str = "gat", seed: int = 0, **encoder: object) -> Planner:
        torch.manual_seed(seed)
        return Planner(tiny_config(tiny_encoder_dir, conv, **encoder))

    return make


@pytest.fixture
def tiny_planner(make_planner: Callable[..., Planner]) -> Planner:
    return make_planner()


@pytest.fixture
def tools() -> dict[str, str]:
    return dict(TOOLS)


@pytest.fixture
def inventory() -> Inventory:
    return Inventory.of_tools(TOOLS)


@pytest.fixture
def hub_answering(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[int, str], None]]:
    """Answer every Hub request with an HTTP error: ``hub_answering(404, "RepoNotFound")``.

    huggingface_hub tells a missing repo, revision or file, or a gated repo, apart by the
    ``X-Error-Code`` header huggingface.co sends, and only on responses of its own HTTP client
    (httpx in huggingface_hub 1.x, httpx2 in 2.x).
    """
    with default_client_factory() as client:
        http = sys.modules[type(client).__module__.partition(".")[0]]

    def answer(status: int, code: str) -> None:
        """status 0: no answer at all, the connection is refused (the network is down)."""

        def respond(request: object) -> object:
            if status == 0:
                raise http.ConnectError("connection refused")
            return http.Response(status, headers={"X-Error-Code": code}, json={"error": code})

        huggingface_hub.set_client_factory(
            lambda: http.Client(transport=http.MockTransport(respond))
        )

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    yield answer
    huggingface_hub.set_client_factory(default_client_factory)
    huggingface_hub.close_session()
