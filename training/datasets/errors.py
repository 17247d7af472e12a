"""The error every loader raises for a missing, unreadable or malformed data file.

It lives in the runtime (the planner reads tool inventories at inference too); loaders import it
from here.
"""

from __future__ import annotations

from orchestai_agents.errors import DatasetFormatError

__all__ = ["DatasetFormatError"]
