"""What kind of data a request's input files hold, and which task types its workers can be fed.

A worker declares the modalities it reads and writes
(:class:`~orchestai_agents.registry.Capabilities`). Starting from what the request gives (its
instruction is text, each input file is of the kind its suffix says), every worker that reads any
of it can run, and what it writes can feed the next ones: a CSV feeds the chart tool, whose image
feeds the captioner. The task types of the workers that can run are the ones a plan may use.

Only what is known is restricted: a worker reading a modality of its own (``"url"``, ``"video"``)
can always run, since nothing here says what feeds it, and an input file of a kind the suffixes
do not tell (``.docx``, ``.mp3``) restricts nothing, since a user's worker may read it.

Example:
    >>> from orchestai_agents.adapters import default_registry
    >>> registry = default_registry()
    >>> sorted({"render_chart", "caption_image"} & reachable_task_types(registry, ["sales.csv"]))
    ['caption_image', 'render_chart']
    >>> sorted({"render_chart", "caption_image"} & reachable_task_types(registry, ["notes.txt"]))
    []
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from types import MappingProxyType

from orchestai_agents.errors import ConfigError
from orchestai_agents.registry import TEXT_FILE_SUFFIXES, WorkerRegistry, WorkerSpec

__all__ = [
    "AUDIO_FILE_SUFFIXES",
    "FILE_MODALITIES",
    "IMAGE_FILE_SUFFIXES",
    "KNOWN_MODALITIES",
    "PDF_FILE_SUFFIXES",
    "TABLE_FILE_SUFFIXES",
    "file_modality",
    "first_step_types",
    "once_per_file_types",
    "reachable_modalities",
    "reachable_task_types",
]

# Documents the text extractor reads besides text files.
PDF_FILE_SUFFIXES = (".pdf",)
# Tables the table analyst and the chart tool read.
TABLE_FILE_SUFFIXES = (".csv", ".tsv", ".xlsx")
# Images the captioner reads (the slides and the report embed their own narrower sets).
IMAGE_FILE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")
# Recordings the speech model reads (PCM WAV, through the standard library).
AUDIO_FILE_SUFFIXES = (".wav",)

FILE_MODALITIES = MappingProxyType(
    {
        **dict.fromkeys(TEXT_FILE_SUFFIXES, "text"),
        **dict.fromkeys(PDF_FILE_SUFFIXES, "pdf"),
        **dict.fromkeys(TABLE_FILE_SUFFIXES, "table"),
        **dict.fromkeys(IMAGE_FILE_SUFFIXES, "image"),
        **dict.fromkeys(AUDIO_FILE_SUFFIXES, "audio"),
    }
)
"""The modality of an input file by its suffix (lower case), as the built-in workers name them."""

KNOWN_MODALITIES = frozenset(FILE_MODALITIES.values())
"""The modalities input files can be known to hold; a worker reading another can always run."""


def file_modality(path: str | os.PathLike[str]) -> str | None:
    """The modality of the file at ``path`` by its suffix; ``None`` for a suffix
    :data:`FILE_MODALITIES` does not list (such a file feeds no worker)."""
    return FILE_MODALITIES.get(Path(path).suffix.lower())


def reachable_modalities(
    registry: WorkerRegistry, inputs: Sequence[str | os.PathLike[str]]
) -> frozenset[str]:
    """Text (the instruction), the modalities of ``inputs``, and, until nothing new is added,
    what the workers that read any of those write."""
    _refuse_a_single_path(inputs)
    reachable = {"text"} | {m for m in map(file_modality, inputs) if m is not None}
    while True:
        written = {
            m for spec in _fed(registry, reachable) for m in spec.capabilities.output_modalities
        }
        if written <= reachable:
            return frozenset(reachable)
        reachable |= written


def reachable_task_types(
    registry: WorkerRegistry, inputs: Sequence[str | os.PathLike[str]]
) -> frozenset[str]:
    """The task types that some worker of ``registry`` can do on what a request with ``inputs``
    gives, directly or from earlier steps' outputs (see :func:`reachable_modalities`).

    A worker reading several modalities can run when any one of them is reachable (the slides
    tool builds a deck from text, images or both); one that reads none, or one outside
    :data:`KNOWN_MODALITIES`, can always run. An input file of a kind :func:`file_modality`
    cannot tell makes every task type reachable.

    Raises:
        ConfigError: no worker reads anything the request gives, naming what the inputs are and
            what the workers read.
    """
    reachable = reachable_modalities(registry, inputs)
    if any(file_modality(p) is None for p in inputs):
        return frozenset(registry.task_types)
    types = frozenset(t for spec in _fed(registry, reachable) for t in spec.capabilities.task_types)
    if not types:
        raise ConfigError(
            f"no worker can run on this request: it gives {_given(inputs)}, but the workers read "
            f"{_read(registry)}; add an input file of a kind they read, or register a worker "
            f"that reads {' or '.join(sorted(reachable))}"
        )
    return types


def once_per_file_types(
    registry: WorkerRegistry, inputs: Sequence[str | os.PathLike[str]]
) -> frozenset[str]:
    """The task types a request with ``inputs`` has at most one file for: every worker doing
    them reads a kind of file no worker writes (a PDF, a table, a recording), and at most one
    of the inputs is of a kind those workers read. A plan needs such a step once: two
    ``extract_text`` steps for one PDF read the same text twice.

    Only what is known restricts, as in :func:`reachable_task_types`: nothing when an input is
    of a kind :func:`file_modality` cannot tell.
    """
    _refuse_a_single_path(inputs)
    kinds = [file_modality(p) for p in inputs]
    if None in kinds:
        return frozenset()
    written = {m for spec in registry.values() for m in spec.capabilities.output_modalities}
    files_only = KNOWN_MODALITIES - written
    once = set()
    for task_type in registry.task_types:
        reads = [
            registry[name].capabilities.input_modalities for name in registry.capable(task_type)
        ]
        if all(r & files_only for r in reads):
            readable = set().union(*reads)
            if sum(kind in readable for kind in kinds) <= 1:
                once.add(task_type)
    return frozenset(once)


def first_step_types(
    registry: WorkerRegistry, inputs: Sequence[str | os.PathLike[str]]
) -> tuple[tuple[str, ...], ...]:
    """The reading steps a plan for ``inputs`` needs: for each kind of input file, the task
    types whose workers read it (sorted), in the order the inputs name the kinds. A plan with
    no step of one of these groups leaves a file unread: a PDF is read by ``extract_text``
    alone, a table by ``analyze_table`` or ``render_chart``. Text, which every chat step reads,
    gives no group, nor does a kind no worker reads; a group that holds another is left out,
    since a step of the smaller one is a step of it too.

    Only what is known restricts, as in :func:`reachable_task_types`: nothing when an input is
    of a kind :func:`file_modality` cannot tell.

    Example:
        >>> from orchestai_agents.adapters import default_registry
        >>> first_step_types(default_registry(), ["paper.pdf", "sales.csv", "call.wav"])
        (('extract_text',), ('analyze_table', 'render_chart'), ('transcribe_audio',))
    """
    _refuse_a_single_path(inputs)
    kinds = [file_modality(p) for p in inputs]
    if None in kinds:
        return ()
    readers = dict.fromkeys(
        frozenset(
            task_type
            for spec in registry.values()
            if kind in spec.capabilities.input_modalities
            for task_type in spec.capabilities.task_types
        )
        for kind in kinds
        if kind != "text"
    )
    groups = [g for g in readers if g]
    return tuple(tuple(sorted(g)) for g in groups if not any(h < g for h in groups))


def _refuse_a_single_path(inputs: object) -> None:
    """A path where a list of paths belongs would be read as its characters."""
    if isinstance(inputs, str | os.PathLike):
        raise TypeError(
            f"inputs must be a list of file paths, got the single path {inputs!r}; wrap it in a list"
        )


def _fed(registry: WorkerRegistry, reachable: set[str] | frozenset[str]) -> list[WorkerSpec]:
    """The workers that read at least one reachable modality, declare none to read, or read one
    outside :data:`KNOWN_MODALITIES`."""
    return [
        spec
        for spec in registry.values()
        if not spec.capabilities.input_modalities
        or spec.capabilities.input_modalities & reachable
        or spec.capabilities.input_modalities - KNOWN_MODALITIES
    ]


def _given(inputs: Sequence[str | os.PathLike[str]]) -> str:
    """'text (the instruction), notes.txt (text), ...' for an error message."""
    files = [f"{Path(p).name} ({file_modality(p)})" for p in inputs]
    return ", ".join(["text (the instruction)", *files])


def _read(registry: WorkerRegistry) -> str:
    """'audio (speech_to_text), ...' for an error message."""
    return "; ".join(
        f"{' or '.join(sorted(spec.capabilities.input_modalities))} ({name})"
        for name, spec in registry.items()
    )
