"""How closely the built-in SmolLM2 worker keeps to the text it summarises, per prompt layout.

Each text (four stretches of the demo paper, and two sections of the built-in workflows'
datasheet) is summarised as a planned ``summarize`` step after ``extract_text``: once with the
structured prompt every chat worker gets by default (goal, file list, "Result of step ...", the
step's description) and once with the plain layout the built-in ``smollm2`` worker uses (the
text, then ``SMOLLM2_STEP_PROMPTS["summarize"]``). Grounding is the
share of the summary's words of five letters or more that occur in the text: a summary about
something else scores near 0. Decoding is greedy, so a rerun on one machine prints the same table.

    python -m benchmarks.summary_grounding          # about 2 minutes on 2 CPU cores
"""

from __future__ import annotations

import argparse
import re
import statistics
from pathlib import Path

from orchestai_agents.adapters.builtin import default_registry
from orchestai_agents.adapters.chat_worker import task_messages
from orchestai_agents.adapters.local_llm import SmolLM2Chat
from orchestai_agents.adapters.pdf_text import extract_pdf_pages

from orchestai_agents.plan import planned_description
from orchestai_agents.task_types import BUILTIN_TASK_TYPES

ROOT = Path(__file__).resolve().parents[1]
PAPER_REQUEST = "Generate a presentation from this research paper"
DOCUMENT_REQUEST = "Summarise this document"
TEXT_CHARS = 3500


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    return text[start : start + TEXT_CHARS]


def texts() -> dict[str, tuple[str, str]]:
    """Name -> (text, the request its summary serves)."""
    pages = extract_pdf_pages(ROOT / "examples" / "data" / "paper.pdf")
    paper = "\n\n".join(page.strip() for page in pages if page.strip())  # as pdf_text joins them
    datasheet = (ROOT / "training" / "data" / "README.md").read_text(encoding="utf-8")
    return {
        "paper.pdf, opening": (paper[:TEXT_CHARS], PAPER_REQUEST),
        "paper.pdf, from related work": (_section(paper, "2 Related Work"), PAPER_REQUEST),
        "paper.pdf, from method": (_section(paper, "3 Method"), PAPER_REQUEST),
        "paper.pdf, from experiments": (_section(paper, "4 Experiments"), PAPER_REQUEST),
        "datasheet, annotation": (_section(datasheet, "## How it was annotated"), DOCUMENT_REQUEST),
        "datasheet, split and limits": (_section(datasheet, "## The split"), DOCUMENT_REQUEST),
    }


def summarize_task(text: str, request: str) -> dict:
    """The planned ``summarize`` step of ``request``, reading ``text`` from ``extract_text``."""
    return {
        "node_id": "2_summarize",
        "instruction": request,
        "description": planned_description(BUILTIN_TASK_TYPES["summarize"], request),
        "task_type": "summarize",
        "inputs": [],
        "context": {"1_extract_text": {"text": text}},
    }


def grounding(summary: str, text: str) -> float:
    """Share of the summary's distinct words of 5+ letters that occur in the text."""
    words = set(re.findall(r"[a-z]{5,}", summary.lower()))
    return len(words & set(re.findall(r"[a-z]{5,}", text.lower()))) / max(1, len(words))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print each summary too")
    args = parser.parse_args()
    worker = default_registry()["smollm2"]
    chat = SmolLM2Chat()

    def structured(task: dict) -> str:
        return chat.invoke(task_messages(task, max_context_chars=worker.max_context_chars)).text

    layouts = {
        "structured": structured,
        "plain (smollm2 worker)": lambda task: worker.runnable.invoke(task).text,
    }
    scores: dict[str, list[float]] = {name: [] for name in layouts}
    print("\nSummary grounding: share of the summary's longer words found in the text\n")
    print(f"{'text':28}" + "".join(f"{name:>24}" for name in layouts))
    for name, (text, request) in texts().items():
        task = summarize_task(text, request)
        row = f"{name:28}"
        for layout, summarise in layouts.items():
            summary = summarise(task)
            scores[layout].append(grounding(summary, text))
            row += f"{scores[layout][-1]:>24.2f}"
            if args.show:
                print(f"  [{layout}] {summary!r}")
        print(row, flush=True)
    print(f"{'mean':28}" + "".join(f"{statistics.mean(v):>24.2f}" for v in scores.values()))


if __name__ == "__main__":
    main()
