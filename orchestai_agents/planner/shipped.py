"""The planner checkpoint shipped inside the package, for the built-in workers."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from orchestai_agents.errors import CheckpointError
from orchestai_agents.planner.model import Planner

__all__ = ["DEFAULT_PLANNER_DIR", "load_default_planner"]

DEFAULT_PLANNER_DIR = Path(__file__).resolve().parent / "default"


@lru_cache(maxsize=1)
def load_default_planner() -> Planner:
    """The shipped planner (loaded once per process; the encoder is the offline MiniLM).

    Raises:
        CheckpointError: if the package was installed without its checkpoint.
    """
    if not (DEFAULT_PLANNER_DIR / "model.safetensors").is_file():
        raise CheckpointError(
            f"the default planner checkpoint is missing from {DEFAULT_PLANNER_DIR}; reinstall "
            "orchestai-agents, or train one with `orchestai train --data builtin` and pass --planner"
        )
    return Planner.from_pretrained(str(DEFAULT_PLANNER_DIR))
