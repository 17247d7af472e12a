"""Splitting text into paragraphs, sentences and passages of bounded length."""

from __future__ import annotations

import re

__all__ = ["clip", "paragraphs", "passages", "sentences"]

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[])")


def paragraphs(text: str) -> list[str]:
    """Blank-line separated blocks, each with its line breaks folded into spaces."""
    blocks = re.split(r"\n\s*\n", text)
    return [" ".join(b.split()) for b in blocks if b.strip()]


def sentences(text: str) -> list[str]:
    """Sentences of ``text`` (split after . ! ? followed by a capital or digit)."""
    return [s for p in paragraphs(text) for s in _SENTENCE_END.split(p) if s.strip()]


def passages(text: str, max_chars: int = 600) -> list[str]:
    """Consecutive sentences packed into passages of at most ``max_chars`` (a longer sentence is clipped)."""
    out: list[str] = []
    current = ""
    for sentence in sentences(text):
        sentence = clip(sentence, max_chars)
        if current and len(current) + 1 + len(sentence) > max_chars:
            out.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        out.append(current)
    return out


def clip(text: str, max_chars: int) -> str:
    """``text`` cut at a word boundary to at most ``max_chars`` characters, marked with an ellipsis."""
    if len(text) <= max_chars:
        return text
    cut = text[: max_chars - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"
