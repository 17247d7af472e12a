"""Keeping API keys out of everything the toolkit writes: errors, logs, traces, model cards."""

from __future__ import annotations

import os
import re

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
