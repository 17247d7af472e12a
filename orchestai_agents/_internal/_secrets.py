"""Keeping API keys out of everything the toolkit writes: errors, logs, traces, model cards."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

REDACTED = "[REDACTED]"

# Key shapes of the common providers (OpenAI, Anthropic, Hugging Face, AWS, Google, GitHub),
# each where a key starts: not after a letter or digit, or a name such as "task-extract-paper-text"
# holds "sk-" and 16 more characters.
_PATTERNS = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(sk-ant-[A-Za-z0-9_\-]{16,}|sk-(?:proj-)?[A-Za-z0-9_\-]{16,}|hf_[A-Za-z0-9]{20,}"
    r"|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_\-]{30,}|gh[pousr]_[A-Za-z0-9]{30,})"
)
_SECRET_ENV = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD)$", re.IGNORECASE)
_MIN_SECRET_LEN = 8


def secret_values() -> list[str]:
    """Values of environment variables whose names mark them as secrets, longest first."""
    values = {
        v for k, v in os.environ.items() if _SECRET_ENV.search(k) and len(v) >= _MIN_SECRET_LEN
    }
    return sorted(values, key=len, reverse=True)


def redact(text: str) -> str:
    """``text`` with secret environment values and known key shapes replaced by ``[REDACTED]``."""
    for value in secret_values():
        text = text.replace(value, REDACTED)
    return _PATTERNS.sub(REDACTED, text)


# The fields of a run record that hold free text, at any depth: the request, the inputs' paths,
# what workers answered, errors, metadata, sub-task descriptions. Ids, worker names and task types
# are never redacted: the plan, the log and the trace name nodes by them, and a name may look like
# a key.
_FREE_TEXT = frozenset(
    {
        "instruction",
        "description",
        "inputs",
        "outputs",
        "final_output",
        "errors",
        "error",
        "metadata",
    }
)


def redact_record(value: Any) -> Any:
    """A run record (:meth:`RunResult.to_dict`), or part of one, with secrets redacted in the
    values of its free-text fields only; ids, names, dict keys and structure are kept as they are."""
    if isinstance(value, Mapping):
        return {
            k: _redact_all(v) if k in _FREE_TEXT else redact_record(v) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact_record(v) for v in value]
    return value


def _redact_all(value: Any) -> Any:
    """Free text with secrets redacted in every string it holds (dict keys are structure)."""
    if isinstance(value, Mapping):
        return {k: _redact_all(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_all(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return redact(str(value))  # a path or any other object is written as its text
