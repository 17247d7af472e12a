"""One front door: a planning data set by name or by path, whole or one side of its split.

Named data sets live under a root folder: the ``datasets_root`` argument, else the environment
variable ``ORCHESTAI_DATASETS``, else ``../shared/datasets`` beside the repository (then beside
the working directory). A user's own file or folder is recognised by its content:

- a folder with ``data.json``, or a JSON-lines file whose first record has ``user_request``:
  GNN4TaskPlan/TaskBench; its test split is ``split_ids.json`` when the folder has one;
- a JSON-lines file whose first record has ``task`` and ``call``: NesTools;
- a JSON array whose first record has ``input`` and ``output``: NESTFUL (ComplexFuncBench).

Where a data set ships no split, :func:`~.splits.split_by_id` makes a deterministic 80/20 one.
Splits and scores go by record id, so every loader refuses a record whose id an earlier one has.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from ..workflows import AnnotatedWorkflow
from ._json_files import iter_json_lines, read_json, text_lines
from .errors import DatasetFormatError
from .nestful import load_nestful
from .nestools import load_nestools
from .splits import split_by_id
from .taskbench import load_taskbench, taskbench_split

__all__ = [
    "DATASET_NAMES",
    "Split",
    "default_datasets_root",
    "detect_format",
    "empty_split_error",
    "load_planning_dataset",
]

Split = Literal["train", "test", "all"]
Format = Literal["taskbench", "nestools", "nestful"]

# name -> (format, path under the datasets root)
_NAMED: dict[str, tuple[Format, str]] = {
    "ultratool": ("taskbench", "planning/ultratool"),
    "nestools": ("nestools", "planning/nestools/test_data.jsonl"),
    "complexfuncbench": (
        "nestful",
        "planning/complexfuncbench/complexfuncbench-data.stripped.json",
    ),
}
DATASET_NAMES: tuple[str, ...] = tuple(_NAMED)
_FORMATS = "expected TaskBench or NesTools JSON lines, or a NESTFUL JSON array"
_REPO_ROOT = Path(__file__).resolve().parents[2]


def default_datasets_root() -> Path:
    """``$ORCHESTAI_DATASETS``, else the first existing ``../shared/datasets`` (repository, then cwd)."""
    if os.environ.get("ORCHESTAI_DATASETS"):
        return Path(os.environ["ORCHESTAI_DATASETS"])
    candidates = [
        _REPO_ROOT.parent / "shared" / "datasets",
        Path.cwd().parent / "shared" / "datasets",
    ]
    return next((c for c in candidates if c.is_dir()), candidates[0])


def load_planning_dataset(
    name_or_path: str | Path, split: Split = "all", *, datasets_root: str | Path | None = None
) -> list[AnnotatedWorkflow]:
    """Load a planning data set as annotated workflows.

    Args:
        name_or_path: ``"ultratool"``, ``"nestools"``, ``"complexfuncbench"``, or a file/folder in
            one of the supported formats (see the module docstring).
        split: ``"train"``, ``"test"`` or ``"all"``. UltraTool's test side is its 500
            ``split_ids.json`` ids; NesTools and ComplexFuncBench use :func:`split_by_id`.
        datasets_root: folder holding ``planning/<name>``; see :func:`default_datasets_root`.

    Example:
        >>> train = load_planning_dataset("ultratool", split="train")
        >>> test = load_planning_dataset("ultratool", split="test")
        >>> len(train), len(test)
        (3027, 500)
    """
    if split not in ("train", "test", "all"):
        raise ValueError(f"split must be 'train', 'test' or 'all', got {split!r}")
    fmt, path = _resolve(name_or_path, datasets_root)
    if split == "all":
        return _LOADERS[fmt](path)
    train, test = _split(fmt, path)
    return train if split == "train" else test


def _resolve(name_or_path: str | Path, datasets_root: str | Path | None) -> tuple[Format, Path]:
    key = str(name_or_path).lower()
    if key in _NAMED:
        fmt, relative = _NAMED[key]
        root = Path(datasets_root) if datasets_root is not None else default_datasets_root()
        path = root / relative
        if not path.exists():
            raise DatasetFormatError(
                path,
                f"data set {key!r} not found under {root}; pass datasets_root= or set "
                "ORCHESTAI_DATASETS to the folder that holds planning/",
            )
        return fmt, path
    path = Path(name_or_path)
    if not path.exists():
        raise DatasetFormatError(
            path, f"no such file or folder, and not a known data set name {list(_NAMED)}"
        )
    return detect_format(path), path


def detect_format(path: str | Path) -> Format:
    """Recognise a planning data file or folder by its first record (see the module docstring)."""
    path = Path(path)
    if path.is_dir():
        if (path / "data.json").is_file():
            return "taskbench"
        raise DatasetFormatError(path, "folder has no data.json; pass the data file itself")
    first = _first_record(path)
    if "user_request" in first and "task_nodes" in first:
        return "taskbench"
    if "task" in first and "call" in first:
        return "nestools"
    if "input" in first and "output" in first:
        return "nestful"
    raise DatasetFormatError(
        path,
        f"unrecognised planning format (first record's fields: {sorted(first)}); "
        "expected TaskBench (user_request, task_nodes), NesTools (task, call) or NESTFUL (input, output)",
    )


def _first_record(path: Path) -> dict:
    """The first record of a JSON-lines file, or the first element of a JSON array."""
    first = next(text_lines(path, _FORMATS), None)
    if first is None:
        raise DatasetFormatError(path, f"is empty; {_FORMATS}")
    if not first[1].lstrip().startswith("["):
        return next(iter_json_lines(path, _FORMATS))[1]
    records = read_json(path, _FORMATS)
    if not records:
        raise DatasetFormatError(path, f"is an empty JSON array; {_FORMATS}")
    if not isinstance(records[0], dict):
        raise DatasetFormatError(path, "the first record is not a JSON object", line=1)
    return records[0]


def empty_split_error(
    name_or_path: str | Path,
    split: Literal["train", "test"],
    *,
    instead: str | None = None,
    datasets_root: str | Path | None = None,
) -> DatasetFormatError:
    """The error for a data set whose ``split`` side holds no record: which file, how its
    records are split, and what to do (``instead`` adds another way out)."""
    fmt, path = _resolve(name_or_path, datasets_root)
    other = "test" if split == "train" else "train"
    or_else = f", or {instead}" if instead else ""
    split_ids = _split_ids_file(fmt, path)
    if split_ids is not None:
        listed = "every id" if split == "train" else "no id"
        data = "data.json" if path.is_dir() else path.name
        return DatasetFormatError(
            split_ids,
            f"lists {listed} of {data} as a test id, so its {split} split is empty; list "
            f"some of its ids under 'test_ids', not all or none{or_else}",
        )
    share = "4 in 5" if split == "train" else "1 in 5"
    ids_file = ", or list the test ids in a split_ids.json beside it" if fmt == "taskbench" else ""
    return DatasetFormatError(
        path,
        f"its {split} split is empty: with no split file, each record goes to train or test by "
        f"a hash of its id (about {share} to {split}; see split_by_id), and every id here went "
        f"to {other}; add records with distinct ids{ids_file}{or_else}",
    )


def _split_ids_file(fmt: Format, path: Path) -> Path | None:
    """The ``split_ids.json`` that splits a TaskBench data set, when there is one."""
    split_ids = (path if path.is_dir() else path.parent) / "split_ids.json"
    return split_ids if fmt == "taskbench" and split_ids.is_file() else None


def _split(fmt: Format, path: Path) -> tuple[list[AnnotatedWorkflow], list[AnnotatedWorkflow]]:
    if _split_ids_file(fmt, path) is not None:
        return taskbench_split(path)
    return split_by_id(_LOADERS[fmt](path))


def _load_nestful_with_specs(path: Path) -> list[AnnotatedWorkflow]:
    """NESTFUL data plus the descriptions of the spec file beside it (``*-data*`` -> ``*-spec*``)."""
    spec = path.with_name(path.name.replace("-data", "-spec"))
    return load_nestful(path, spec_path=spec if spec != path and spec.is_file() else None)


_LOADERS: dict[Format, Callable[[Path], list[AnnotatedWorkflow]]] = {
    "taskbench": load_taskbench,
    "nestools": load_nestools,
    "nestful": _load_nestful_with_specs,
}
