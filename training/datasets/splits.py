"""The deterministic 80/20 split used where a data set ships no split (NesTools, ComplexFuncBench)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from ..workflows import AnnotatedWorkflow

__all__ = ["in_test_split", "split_by_id"]


def in_test_split(workflow_id: str) -> bool:
    """True for the ~20% of ids whose SHA-1 (of the UTF-8 id) is 0 modulo 5.

    The hash depends on the id alone, so the split holds across machines, Python versions and
    file orderings, and adding records never moves existing ones between train and test.
    """
    return int(hashlib.sha1(workflow_id.encode("utf-8")).hexdigest(), 16) % 5 == 0


def split_by_id(
    workflows: Sequence[AnnotatedWorkflow],
) -> tuple[list[AnnotatedWorkflow], list[AnnotatedWorkflow]]:
    """(train, test), each in input order; see :func:`in_test_split`."""
    return (
        [w for w in workflows if not in_test_split(w.id)],
        [w for w in workflows if in_test_split(w.id)],
    )
