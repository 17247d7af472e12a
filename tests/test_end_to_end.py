"""The product's main path on real files and real local models: paper.pdf -> text -> summary -> slides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pptx import Presentation

from orchestai_agents.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
PAPER = ROOT / "examples" / "data" / "paper.pdf"
PLAN = ROOT / "examples" / "plans" / "paper_to_slides.json"


def slide_texts(path: Path) -> list[str]:
    deck = Presentation(str(path))
    return [
        " ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
        for slide in deck.slides
    ]


@pytest.mark.slow
def test_cli_runs_the_paper_to_slides_plan_offline(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code = main(["run", "--plan", str(PLAN), "--input", str(PAPER), "--out", str(out)])

    assert code == 0
    trace = json.loads((out / "trace.json").read_text())
    assert trace["success"] and [n["node_id"] for n in trace["nodes"]] == [
        "extract",
        "summarize",
        "slides",
    ]
    summary = trace["outputs"]["summarize"]
    assert summary["usage"]["output_tokens"] > 0 and len(summary["text"].split()) >= 10
    decks = list(out.glob("*.pptx"))
    assert len(decks) == 1
    paper_text = _squash(trace["outputs"]["extract"]["text"])
    texts = slide_texts(decks[0])
    from_paper = [t for t in texts[1:] if any(s in paper_text for s in _sentences(t))]
    assert len(from_paper) >= 3, f"fewer than 3 slides quote the paper: {texts}"
    assert (out / "plan.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    log = (out / "executions.jsonl").read_text().splitlines()
    assert len(log) == 1 and json.loads(log[0])["run_id"] == trace["run_id"]


def _squash(text: str) -> str:
    return " ".join(text.split())


def _sentences(text: str) -> list[str]:
    """Sentences of a slide long enough that finding one in the paper is no accident."""
    return [s.strip(" .…") for s in _squash(text).split(". ") if len(s.strip()) > 30]


@pytest.mark.parametrize(
    ("option", "value", "phrase"),
    [
        ("--cost-preference", "2", "'2' is not a number from 0 to 1"),
        ("--cost-preference", "abc", "'abc' is not a number from 0 to 1"),
        ("--max-usd", "-1", "'-1' is not a number of 0 or more"),
        # NaN passes "< 0" and would lift the budget
        ("--max-usd", "nan", "'nan' is not a number of 0 or more"),
    ],
)
def test_run_refuses_a_bad_routing_option_before_loading_anything(
    option: str, value: str, phrase: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "Summarise it", "--out", str(tmp_path), option, value])
    assert exit_info.value.code == 2 and phrase in capsys.readouterr().err
