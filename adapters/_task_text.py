"""Reading the text and files of a TaskInput's dependencies, within a character budget."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from orchestai_agents.registry import TaskInput

__all__ = ["context_artifacts", "dependency_texts", "fit_texts", "shorten"]


def dependency_texts(task: TaskInput) -> list[tuple[str, str]]:
    """``(dependency id, text)`` for every dependency that produced text, in context order."""
    context: Mapping[str, Mapping[str, Any]] = task.get("context") or {}
    return [
        (node, str(out.get("text", "")))
        for node, out in context.items()
        if str(out.get("text", "")).strip()
    ]


def context_artifacts(task: TaskInput, suffixes: tuple[str, ...] = ()) -> list[str]:
    """Files the dependencies wrote, optionally only those with one of ``suffixes``."""
    found = [
        str(a) for out in (task.get("context") or {}).values() for a in out.get("artifacts", ())
    ]
    if not suffixes:
        return found
    return [a for a in found if Path(a).suffix.lower() in suffixes]


def shorten(text: str, max_chars: int) -> str:
    """``text`` cut to at most ``max_chars``: three quarters from its start, the rest from its end.

    A marker in the middle says how much was left out.
    """
    if len(text) <= max_chars:
        return text
    marker = f"\n[... {len(text) - max_chars} characters omitted ...]\n"
    room = max_chars - len(marker)
    if room < 40:
        return text[:max_chars]
    head = room * 3 // 4
    return f"{text[:head]}{marker}{text[len(text) - (room - head) :]}"


def fit_texts(texts: list[tuple[str, str]], budget: int) -> list[tuple[str, str]]:
    """Shorten texts so their total length stays within ``budget``; short texts keep their share.

    Example:
        >>> [len(t) for _, t in fit_texts([("a", "x" * 10), ("b", "y" * 500)], 100)]
        [10, 90]
    """
    order = sorted(range(len(texts)), key=lambda i: len(texts[i][1]))
    fitted = dict(enumerate(texts))
    remaining = budget
    for rank, i in enumerate(order):
        share = remaining // (len(order) - rank)
        node, text = texts[i]
        fitted[i] = (node, shorten(text, share))
        remaining -= len(fitted[i][1])
    return [fitted[i] for i in range(len(texts))]
