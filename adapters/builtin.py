"""The registry of built-in offline workers."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from types import MappingProxyType

from orchestai_agents.adapters.audio import SpeechToTextTool
from orchestai_agents.adapters.chart import ChartTool
from orchestai_agents.adapters.chat_worker import chat_worker
from orchestai_agents.adapters.classify import ZeroShotClassifierTool
from orchestai_agents.adapters.embeddings import PassageRankTool
from orchestai_agents.adapters.local_llm import SMOLLM2_LATENCY, SmolLM2Chat
from orchestai_agents.adapters.pdf_text import PdfTextTool
from orchestai_agents.adapters.report import ReportTool
from orchestai_agents.adapters.slides import SlidesTool
from orchestai_agents.adapters.table_analyst import TableAnalystTool
from orchestai_agents.adapters.tool_worker import tool_worker
from orchestai_agents.adapters.vision import ImageCaptionTool

from orchestai_agents.registry import CostModel, LatencyProfile, WorkerRegistry, WorkerSpec

__all__ = ["SMOLLM2_STEP_PROMPTS", "SMOLLM2_TASK_TYPES", "default_registry"]

SMOLLM2_TASK_TYPES = ("summarize", "generate_text", "answer_question", "translate")
# Prompt characters SmolLM2 gets from dependencies: about 1000 tokens, a few seconds on a CPU.
_SMOLLM2_CONTEXT_CHARS = 4000
# SmolLM2 reads the texts, then one plain line per step: given the structured prompt (goal, file
# list, "Result of step ...", the task type's description), it at times wrote about those words
# instead of the text (python -m benchmarks.summary_grounding).
SMOLLM2_STEP_PROMPTS = MappingProxyType(
    {
        "summarize": "Summarise the text above in a few sentences. For: {request}",
        "translate": "Translate the text above. For: {request}",
        "answer_question": "Answer using the text above: {request}",
        "generate_text": "Using the text above: {request}",
    }
)


def _tool_specs(dirs: list[str] | None) -> list[WorkerSpec]:
    """The tool workers, each with its task type, modalities and seconds per call.

    Seconds are medians measured on the example paper and sales table, 2 shared CPU cores, models
    warm; the captioner's and the speech model's are rough guesses for their default Hub models
    on a CPU (they cannot be measured offline).
    """
    table = [
        (PdfTextTool(allowed_dirs=dirs), "extract_text", ("pdf", "text"), ("text",), 0.3),
        (PassageRankTool(allowed_dirs=dirs), "embed", ("text",), ("text",), 0.6),
        (ZeroShotClassifierTool(allowed_dirs=dirs), "classify", ("text",), ("text",), 0.6),
        (
            TableAnalystTool(allowed_dirs=dirs),
            "analyze_table",
            ("table",),
            ("text", "markdown"),
            0.02,
        ),
        (ChartTool(allowed_dirs=dirs), "render_chart", ("table",), ("image",), 0.2),
        (SlidesTool(allowed_dirs=dirs), "make_slides", ("text", "image"), ("pptx",), 0.3),
        (ReportTool(allowed_dirs=dirs), "write_report", ("text", "image"), ("markdown",), 0.01),
        (ImageCaptionTool(allowed_dirs=dirs), "caption_image", ("image",), ("text",), 1.0),
        (SpeechToTextTool(allowed_dirs=dirs), "transcribe_audio", ("audio",), ("text",), 2.0),
    ]
    return [
        tool_worker(
            tool,
            task_types=[task_type],
            input_modalities=ins,
            output_modalities=outs,
            latency=LatencyProfile(seconds_per_call=seconds),
        )
        for tool, task_type, ins, outs, seconds in table
    ]


def default_registry(allowed_dirs: Iterable[str | Path] | None = None) -> WorkerRegistry:
    """All built-in offline workers; cheap to build, since every model loads on its first call.

    Args:
        allowed_dirs: folders the file tools may read and write and the chat model may read
            .txt/.md inputs from (a file listed here is allowed alone, not its folder);
            ``None`` means the working directory and the system temp folder.

    Example:
        >>> registry = default_registry()
        >>> registry.capable("make_slides")
        ['slides']
    """
    dirs = None if allowed_dirs is None else [str(Path(d)) for d in allowed_dirs]
    smollm2 = chat_worker(
        SmolLM2Chat(),
        name="smollm2",
        description="SmolLM2-135M-Instruct, a small local chat model: short summaries, drafts, answers, translations.",
        task_types=SMOLLM2_TASK_TYPES,
        cost=CostModel(),
        latency=SMOLLM2_LATENCY,
        max_context_chars=_SMOLLM2_CONTEXT_CHARS,
        expected_output_tokens=160,
        allowed_dirs=dirs,
        step_prompts=SMOLLM2_STEP_PROMPTS,
    )
    return WorkerRegistry([smollm2, *_tool_specs(dirs)])
