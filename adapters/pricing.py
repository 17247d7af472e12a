"""USD prices of common API chat models, matched by name prefix.

Prices are USD per million input / output tokens as the providers listed them for standard
(non-batch, non-cached, short-context) use in 2025 (see ``PRICES_AS_OF``). They change: pass an
explicit ``cost=CostModel.per_million_tokens(...)`` to :func:`chat_worker` when you know better.
"""

from __future__ import annotations

import re
import warnings
from types import MappingProxyType

from orchestai_agents.registry import CostModel

__all__ = ["PRICES_AS_OF", "PRICE_TABLE", "price_for"]

PRICES_AS_OF = "2025-08"

# model name prefix -> (USD per 1M input tokens, USD per 1M output tokens)
PRICE_TABLE: MappingProxyType[str, tuple[float, float]] = MappingProxyType(
    {
        # OpenAI
        "gpt-5": (1.25, 10.00),
        "gpt-5-mini": (0.25, 2.00),
        "gpt-5-nano": (0.05, 0.40),
        "gpt-4.1": (2.00, 8.00),
        "gpt-4.1-mini": (0.40, 1.60),
        "gpt-4.1-nano": (0.10, 0.40),
        "gpt-4o": (2.50, 10.00),
        "gpt-4o-mini": (0.15, 0.60),
        "gpt-4-turbo": (10.00, 30.00),
        "gpt-4": (30.00, 60.00),
        "gpt-3.5-turbo": (0.50, 1.50),
        "o1": (15.00, 60.00),
        "o1-mini": (1.10, 4.40),
        "o3": (2.00, 8.00),
        "o3-mini": (1.10, 4.40),
        "o4-mini": (1.10, 4.40),
        # Anthropic
        "claude-opus-4-5": (5.00, 25.00),
        "claude-opus-4": (15.00, 75.00),
        "claude-sonnet-4": (3.00, 15.00),
        "claude-haiku-4-5": (1.00, 5.00),
        "claude-3-opus": (15.00, 75.00),
        "claude-3-7-sonnet": (3.00, 15.00),
        "claude-3-5-sonnet": (3.00, 15.00),
        "claude-3-5-haiku": (0.80, 4.00),
        "claude-3-haiku": (0.25, 1.25),
        # Google
        "gemini-2.5-pro": (1.25, 10.00),
        "gemini-2.5-flash": (0.30, 2.50),
        "gemini-2.5-flash-lite": (0.10, 0.40),
        "gemini-2.0-flash": (0.10, 0.40),
        "gemini-2.0-flash-lite": (0.075, 0.30),
        "gemini-1.5-pro": (1.25, 5.00),
        "gemini-1.5-flash": (0.075, 0.30),
        # Mistral
        "mistral-large": (2.00, 6.00),
        "mistral-medium": (0.40, 2.00),
        "mistral-small": (0.10, 0.30),
        "codestral": (0.30, 0.90),
        "open-mistral-nemo": (0.15, 0.15),
        "pixtral-large": (2.00, 6.00),
        "ministral-8b": (0.10, 0.10),
        "ministral-3b": (0.04, 0.04),
    }
)


def _matches(prefix: str, name: str) -> bool:
    """``prefix`` starts ``name`` or one of its parts after a provider separator (``/``, ``:``, ``.``)."""
    return re.search(rf"(?:^|[/:.]){re.escape(prefix)}", name) is not None


def price_for(name: str) -> CostModel:
    """The cost model of the chat model called ``name``, matched by the longest known prefix.

    Dated or suffixed names match their family (``gpt-4o-2024-08-06`` is ``gpt-4o``), also behind a
    provider part (``openai:``, ``models/``, Bedrock's ``anthropic.``). An unknown
    name costs 0 USD, with a warning that says how to give the price.

    Example:
        >>> price_for("gpt-4o-mini-2024-07-18").usd_per_output_token * 1e6
        0.6
    """
    matches = [prefix for prefix in PRICE_TABLE if _matches(prefix, name.strip().lower())]
    if not matches:
        warnings.warn(
            f"no price known for chat model {name!r}; assuming 0 USD per token. Pass "
            "cost=CostModel.per_million_tokens(input_usd, output_usd) to chat_worker to set it.",
            stacklevel=2,
        )
        return CostModel()
    return CostModel.per_million_tokens(*PRICE_TABLE[max(matches, key=len)])
