"""Input files' modalities, and the task types a registry's workers can be fed from them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from orchestai_agents.adapters import default_registry, function_worker

from orchestai_agents import ConfigError, WorkerRegistry, WorkerSpec
from orchestai_agents.modalities import (
    file_modality,
    first_step_types,
    once_per_file_types,
    reachable_modalities,
    reachable_task_types,
)


def _worker(
    name: str, task_types: Sequence[str], reads: Sequence[str], writes: Sequence[str] = ("text",)
) -> WorkerSpec:
    return function_worker(
        lambda task: name,
        name=name,
        description=name,
        task_types=task_types,
        input_modalities=reads,
        output_modalities=writes,
    )


def test_a_files_modality_is_read_from_its_suffix_in_any_case() -> None:
    paths = ["notes.txt", "README.MD", Path("docs/paper.pdf"), "sales.CSV", "q1.xlsx"]
    paths += ["chart.png", "meeting.wav", "notes.docx", "Makefile"]
    assert [file_modality(p) for p in paths] == [
        *("text", "text", "pdf", "table", "table", "image", "audio"),
        *(None, None),
    ]


def test_a_table_reaches_the_chart_image_and_through_it_the_captioner() -> None:
    registry = default_registry()
    assert reachable_modalities(registry, ["sales.csv"]) >= {"text", "table", "image"}
    types = reachable_task_types(registry, ["sales.csv"])
    assert {"analyze_table", "render_chart", "caption_image", "make_slides"} <= types
    assert "transcribe_audio" not in types


def test_a_text_file_reaches_no_table_chart_image_or_audio_step() -> None:
    registry = default_registry()
    assert reachable_modalities(registry, ["notes.txt"]).isdisjoint({"table", "image", "audio"})
    types = reachable_task_types(registry, ["notes.txt"])
    assert types.isdisjoint({"analyze_table", "render_chart", "caption_image", "transcribe_audio"})
    # make_slides reads text or images: text alone lets it run.
    assert {"extract_text", "summarize", "make_slides", "write_report"} <= types
    assert reachable_task_types(registry, []) == types  # the instruction is text already


def test_outputs_feed_further_workers_until_nothing_new_is_reached() -> None:
    registry = WorkerRegistry(
        [
            _worker("speaker", ["speak"], ["image"], ["audio"]),  # before what feeds it
            _worker("listener", ["listen"], ["audio"]),
            _worker("plotter", ["plot"], ["table"], ["image"]),
            _worker("writer", ["write"], ["text"]),
        ]
    )
    assert reachable_task_types(registry, ["t.csv"]) == {"plot", "speak", "listen", "write"}
    assert reachable_task_types(registry, ["x.png"]) == {"speak", "listen", "write"}
    assert reachable_task_types(registry, [Path("notes.txt")]) == {"write"}


def test_a_single_path_is_refused_rather_than_read_as_its_characters() -> None:
    with pytest.raises(TypeError, match="wrap it in a list"):
        reachable_task_types(default_registry(), "sales.csv")


def test_a_worker_that_reads_nothing_can_always_run() -> None:
    registry = WorkerRegistry([_worker("clock", ["tell_time"], [])])
    assert reachable_task_types(registry, []) == {"tell_time"}


def test_no_worker_fed_is_an_error_naming_the_inputs_and_what_the_workers_read() -> None:
    registry = WorkerRegistry(
        [
            _worker("listener", ["transcribe_audio"], ["audio"]),
            _worker("viewer", ["caption_image"], ["image"]),
        ]
    )
    with pytest.raises(ConfigError) as info:
        reachable_task_types(registry, ["notes.txt", "sales.csv"])
    message = str(info.value)
    assert "text (the instruction), notes.txt (text), sales.csv (table)" in message
    assert "audio (listener); image (viewer)" in message
    assert isinstance(info.value, ValueError)


def test_a_worker_reading_a_modality_of_its_own_can_always_run() -> None:
    """Nothing says what feeds a "url" reader, so it is not kept out of plans."""
    registry = WorkerRegistry(
        [_worker("fetcher", ["fetch_page"], ["url"]), _worker("listener", ["listen"], ["audio"])]
    )
    assert reachable_task_types(registry, ["notes.txt"]) == {"fetch_page"}


def test_an_input_of_a_kind_the_suffixes_do_not_tell_restricts_nothing() -> None:
    """A user's own worker may read an .mp3 or a .docx, declared as audio or text."""
    registry = WorkerRegistry(
        [_worker("listener", ["listen"], ["audio"]), _worker("writer", ["write"], ["text"])]
    )
    assert reachable_task_types(registry, ["notes.txt"]) == {"write"}
    assert reachable_task_types(registry, ["notes.txt", "call.mp3"]) == {"listen", "write"}


def test_a_step_reading_a_file_the_inputs_hold_one_of_is_planned_once() -> None:
    registry = default_registry()
    assert {"extract_text", "transcribe_audio"} <= once_per_file_types(registry, ["letter.pdf"])
    assert "extract_text" not in once_per_file_types(registry, ["v1.pdf", "v2.pdf"])
    assert "extract_text" not in once_per_file_types(registry, ["notes.txt", "paper.pdf"])
    assert "transcribe_audio" not in once_per_file_types(registry, ["a.wav", "b.wav"])
    # Text and images are written by workers too (summaries, charts): never limited.
    assert once_per_file_types(registry, ["letter.pdf"]).isdisjoint(
        {"summarize", "translate", "caption_image", "make_slides"}
    )
    assert once_per_file_types(registry, ["letter.pdf", "minutes.docx"]) == frozenset()


def test_a_type_another_worker_does_from_text_is_not_limited() -> None:
    registry = WorkerRegistry(
        [
            _worker("pdf_reader", ["extract_text"], ["pdf"]),
            _worker("scraper", ["extract_text"], ["text"]),
        ]
    )
    assert once_per_file_types(registry, ["letter.pdf"]) == frozenset()


def test_each_kind_of_input_file_is_read_by_the_task_types_whose_workers_read_it() -> None:
    registry = default_registry()
    pdf, audio = ("extract_text",), ("transcribe_audio",)
    table = ("analyze_table", "render_chart")
    image = ("caption_image", "make_slides", "write_report")
    assert first_step_types(registry, ["call.wav", "a.pdf", "b.pdf", "notes.txt"]) == (audio, pdf)
    # Any one of the analyst and the chart reads a table. Text is read by every chat step.
    assert first_step_types(registry, ["sales.csv", "photo.png", "notes.txt"]) == (table, image)
    assert first_step_types(registry, ["photo.png", "a.pdf", "sales.csv"]) == (image, pdf, table)
    assert first_step_types(registry, ["notes.txt"]) == ()
    assert first_step_types(registry, []) == ()
    assert first_step_types(registry, ["a.pdf", "notes.docx"]) == ()  # unknown kind: nothing
    with pytest.raises(TypeError, match="single path"):
        first_step_types(registry, "a.pdf")  # type: ignore[arg-type]


def test_the_reading_types_are_the_registrys_own() -> None:
    registry = WorkerRegistry(
        [_worker("ocr", ["read_scan"], ["pdf"]), _worker("llm", ["write"], ["text"])]
    )
    assert first_step_types(registry, ["scan.pdf"]) == (("read_scan",),)
    # No worker reads a recording: no step could.
    assert first_step_types(registry, ["call.wav", "scan.pdf"]) == (("read_scan",),)
    two = WorkerRegistry([*registry.values(), _worker("pdf_qa", ["ask_pdf"], ["pdf"])])
    assert first_step_types(two, ["scan.pdf"]) == (("ask_pdf", "read_scan"),)
    # A step that describes reads the photo and the scan: the scan's larger group says no more.
    vision = WorkerRegistry([*registry.values(), _worker("vlm", ["describe"], ["image", "pdf"])])
    assert first_step_types(vision, ["scan.pdf", "photo.png"]) == (("describe",),)
    assert first_step_types(vision, ["scan.pdf"]) == (("describe", "read_scan"),)
