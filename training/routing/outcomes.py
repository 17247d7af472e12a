"""Recorded routing outcomes: for every prompt, each model's score and USD cost.

Any wide table works: one row per prompt, a prompt column, one score column per model (1/0
correctness or a score in [0, 1]) and one ``<model><cost_suffix>`` column per model (USD >= 0), for
at least two models. RouterBench (``../shared/datasets/routing/routerbench_zs``) is such a table;
users bring their own the same way.
"""

from __future__ import annotations

import ast
import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from langchain_core.runnables import RunnableLambda

from orchestai_agents.errors import DatasetFormatError, OrchestAIError
from orchestai_agents.registry import (
    Capabilities,
    CostModel,
    WorkerOutput,
    WorkerRegistry,
    WorkerSpec,
)

__all__ = [
    "ROUTERBENCH_DESCRIPTIONS",
    "OutcomeTable",
    "load_outcome_table",
    "load_routerbench",
    "model_description",
    "model_registry",
    "query_text",
]

# What each RouterBench model is, in words: the selector scores workers by these descriptions.
ROUTERBENCH_DESCRIPTIONS = {
    "gpt-4-1106-preview": "OpenAI GPT-4 Turbo, the strongest and most expensive proprietary chat model.",
    "gpt-3.5-turbo-1106": "OpenAI GPT-3.5 Turbo, a fast low-cost proprietary chat model.",
    "claude-instant-v1": "Anthropic Claude Instant, a fast low-cost proprietary chat model.",
    "claude-v1": "Anthropic Claude 1, a large expensive proprietary chat model.",
    "claude-v2": "Anthropic Claude 2, a large expensive proprietary chat model with long context.",
    "meta/llama-2-70b-chat": "Meta Llama 2 70B Chat, a large open-weight chat model.",
    "mistralai/mixtral-8x7b-chat": "Mistral Mixtral 8x7B, an open-weight mixture-of-experts chat model.",
    "mistralai/mistral-7b-chat": "Mistral 7B Instruct, a small cheap open-weight chat model.",
    "zero-one-ai/Yi-34B-Chat": "01.AI Yi 34B Chat, a mid-size open-weight chat model strong at reasoning.",
    "WizardLM/WizardLM-13B-V1.2": "WizardLM 13B, a small open-weight instruction-tuned chat model.",
    "meta/code-llama-instruct-34b-chat": "Meta Code Llama 34B Instruct, an open-weight model tuned for code.",
}


@dataclass(frozen=True, eq=False)
class OutcomeTable:
    """Recorded outcomes of ``len(models)`` models on ``len(prompts)`` prompts.

    Attributes:
        ids: an id per row: the table's id column, else the row's 1-based number among its file's
            data rows (header not counted), as ``<file name>:<number>`` when several files were read.
        prompts: the prompt text per row.
        tasks: a group label per row (RouterBench's ``eval_name``), ``""`` when there is none.
        models: model (worker) names, the columns of ``score`` and ``cost``.
        score: (rows, models) in [0, 1]; a node succeeds when its score is >= 0.5.
        cost: (rows, models) USD of that call.
        seconds: (rows, models) latency of that call; zeros when the table records none.
        dropped: rows removed on loading because an outcome was missing.
    """

    ids: tuple[str, ...]
    prompts: tuple[str, ...]
    tasks: tuple[str, ...]
    models: tuple[str, ...]
    score: np.ndarray
    cost: np.ndarray
    seconds: np.ndarray
    dropped: int = 0

    def __post_init__(self) -> None:
        shape = (len(self.prompts), len(self.models))
        for name in ("score", "cost", "seconds"):
            if getattr(self, name).shape != shape:
                raise ValueError(
                    f"OutcomeTable.{name} has shape {getattr(self, name).shape}, expected {shape}"
                )

    def __len__(self) -> int:
        return len(self.prompts)

    @property
    def success(self) -> np.ndarray:
        """(rows, models) bool."""
        return self.score >= 0.5

    def subset(self, rows: Sequence[int] | np.ndarray) -> OutcomeTable:
        """These rows as a table of their own; ``dropped`` stays with the loaded table (0 here)."""
        rows = np.asarray(rows, dtype=np.int64)
        pick = lambda xs: tuple(xs[i] for i in rows)  # noqa: E731
        return OutcomeTable(
            pick(self.ids),
            pick(self.prompts),
            pick(self.tasks),
            self.models,
            self.score[rows],
            self.cost[rows],
            self.seconds[rows],
        )


def model_description(model: str) -> str:
    """What the selector reads of a model: its RouterBench description, else its name."""
    return ROUTERBENCH_DESCRIPTIONS.get(model, f"The language model {model}.")


def model_registry(table: OutcomeTable, task_type: str = "answer_question") -> WorkerRegistry:
    """A table's models as workers for :func:`~orchestai_agents.planner.route_plan`.

    Each is priced per call at its mean USD over the table's rows and described by
    :func:`model_description`; it is only routed to, never run.
    """
    return WorkerRegistry(
        WorkerSpec(
            model,
            model_description(model),
            RunnableLambda(lambda task: WorkerOutput("")),
            Capabilities(frozenset({task_type})),
            CostModel(usd_per_call=float(usd)),
            expected_output_tokens=0,
        )
        for model, usd in zip(table.models, table.cost.mean(0), strict=True)
    )


def query_text(prompt: str) -> str:
    """The part of a prompt that identifies it: the last blank-line-separated block.

    Few-shot prompts share their exemplars and differ only at the end, so embedding the whole
    (truncated) prompt would give every row of a task the same vector.
    """
    text = prompt
    if text.startswith("[") and text.endswith("]"):
        try:
            parts = ast.literal_eval(text)
            text = "\n\n".join(map(str, parts)) if isinstance(parts, list) else text
        except (ValueError, SyntaxError):
            pass
    blocks = [b for b in text.split("\n\n") if b.strip()]
    return blocks[-1].strip() if blocks else text


def load_outcome_table(
    source: str | Path | Sequence[str | Path] | pd.DataFrame,
    *,
    prompt_column: str = "prompt",
    id_column: str | None = None,
    task_column: str | None = None,
    cost_suffix: str = "|total_cost",
    seconds_suffix: str = "|seconds",
    models: Sequence[str] | None = None,
) -> OutcomeTable:
    """Load a wide outcome table (CSV, JSON lines or Parquet, or a DataFrame).

    Models are the columns ``m`` for which ``m + cost_suffix`` exists, unless ``models`` names
    them; then every other numeric column and every cost column must pair up the same way. Rows
    missing any model's score or cost are dropped (counted in ``dropped``).

    Raises:
        OrchestAIError: naming the file and the missing or unpaired columns, or the one model of
            a table that has fewer than two.
        DatasetFormatError: naming the file, the data row and the column of a score that is not
            a number in [0, 1], or of a cost or latency that is not a finite number >= 0; naming
            the data rows of a complete row's empty prompt or id, or of an id used twice.
    """
    frame, where = _read(source, [c for c in (prompt_column, id_column, task_column) if c])
    for kind, column in (("prompt", prompt_column), ("id", id_column), ("task", task_column)):
        if column is not None and column not in frame:
            raise OrchestAIError(
                f"{where}: no {kind} column {column!r}; columns are {list(frame.columns)[:12]}..."
            )
    models = (
        list(models)
        if models
        else _paired_models(
            frame, where, cost_suffix, seconds_suffix, {prompt_column, id_column, task_column}
        )
    )
    missing = [c for m in models for c in (m, f"{m}{cost_suffix}") if c not in frame.columns]
    if missing:
        raise OrchestAIError(f"{where}: missing columns {missing}")
    if len(models) < 2:
        raise OrchestAIError(
            f"{where}: one model ({models[0]!r}); routing chooses between models, so add at least "
            f"one more model's '<model>' and '<model>{cost_suffix}' columns"
        )
    costs = [f"{m}{cost_suffix}" for m in models]
    values = pd.DataFrame(
        {c: _numbers(frame, c, "score") for c in models}
        | {c: _numbers(frame, c, "cost") for c in costs}
    )
    keep = values.notna().all(axis=1)
    complete, values = frame[keep], values[keep]
    seconds_cols = [f"{m}{seconds_suffix}" for m in models]
    seconds = (
        np.stack([_numbers(complete, c, "seconds").fillna(0.0) for c in seconds_cols], axis=1)
        if all(c in frame for c in seconds_cols)
        else np.zeros((len(complete), len(models)))
    )
    return OutcomeTable(
        ids=_unique_ids(complete, id_column, where) if id_column else _row_ids(complete.index),
        prompts=_texts(complete, prompt_column, where, required="prompt"),
        tasks=_texts(complete, task_column, where) if task_column else ("",) * len(complete),
        models=tuple(models),
        score=values[models].to_numpy(np.float32),
        cost=values[costs].to_numpy(np.float32),
        seconds=seconds.astype(np.float32),
        dropped=len(frame) - len(complete),
    )


def _paired_models(
    frame: pd.DataFrame,
    where: str,
    cost_suffix: str,
    seconds_suffix: str,
    reserved: set[str | None],
) -> list[str]:
    """The score columns ``m`` that have a ``m + cost_suffix`` column.

    Raises:
        OrchestAIError: when there are none, or naming the numeric columns (other than
            ``reserved``) with no cost column and the cost columns with no score column: a model
            with half its outcomes would otherwise be left out of routing without a word.
    """
    models = [c for c in frame.columns if f"{c}{cost_suffix}" in frame.columns]
    if not models:
        raise OrchestAIError(
            f"{where}: no model columns: expected pairs like 'model' and 'model{cost_suffix}'"
        )
    no_cost = [
        c
        for c in frame.select_dtypes(["number", "bool"]).columns
        if c not in reserved
        and c not in models
        and not str(c).endswith((cost_suffix, seconds_suffix))
        and not str(c).startswith("Unnamed: ")  # the index pandas' to_csv writes by default
    ]
    no_score = [
        c
        for c in frame.columns
        if str(c).endswith(cost_suffix) and str(c).removesuffix(cost_suffix) not in frame.columns
    ]
    if no_cost or no_score:
        partners = [f"{c}{cost_suffix}" for c in no_cost] + [
            str(c).removesuffix(cost_suffix) for c in no_score
        ]
        raise OrchestAIError(
            f"{where}: columns {no_cost + no_score} have no partner {partners}: every model needs "
            f"a score column and a '<model>{cost_suffix}' column (each numeric column is read as "
            "a model's scores); add the missing columns or remove these"
            + (
                "; a column that names the rows or their tasks is passed as --id-column or "
                "--task-column (id_column= or task_column= in Python)"
                if no_cost
                else ""
            )
        )
    return models


# What each kind of outcome must be: (the valid values, what an error says is expected).
_VALID: dict[str, tuple[Callable[[pd.Series], pd.Series], str]] = {
    "score": (
        lambda v: v.between(0.0, 1.0),
        "a score in [0, 1] (1/0 correctness or a graded score; divide percentages by 100)",
    ),
    "cost": (
        lambda v: np.isfinite(v) & (v >= 0),
        "a USD cost: a finite number >= 0, written without a currency sign",
    ),
    "seconds": (lambda v: np.isfinite(v) & (v >= 0), "a latency: a finite number of seconds >= 0"),
}


def _numbers(frame: pd.DataFrame, column: str, kind: str) -> pd.Series:
    """``frame[column]`` as floats, NaN where the outcome is missing.

    Raises:
        DatasetFormatError: naming the file, the 1-based data row and the column of the first
            value that is not a number or is out of range for ``kind`` ("score", "cost", "seconds").
    """
    valid, expected = _VALID[kind]
    values = pd.to_numeric(frame[column], errors="coerce").astype(float)
    bad = frame[column].notna() & ~valid(values)
    if not bad.any():
        return values
    (source, row), value = next(iter(frame[column][bad].items()))
    more = f"; {int(bad.sum())} rows have this problem" if bad.sum() > 1 else ""
    raise DatasetFormatError(
        source,
        f"data row {row} (1-based, header not counted), column {column!r}: {str(value)!r} is "
        f"not {expected}{more}",
    )


def _text(value: object) -> str:
    """A cell as text; ``""`` where a JSON, Parquet or DataFrame cell is null."""
    missing = value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))
    return "" if missing else str(value)


def _texts(
    frame: pd.DataFrame, column: str, where: str, required: str | None = None
) -> tuple[str, ...]:
    """``frame[column]`` as text, each cell as written.

    Raises:
        DatasetFormatError: when ``required`` names what the column holds and some cells are
            empty, naming their data rows.
    """
    texts = tuple(_text(v) for v in frame[column])
    empty = [i for i, text in enumerate(texts) if not text.strip()] if required else []
    if empty:
        raise DatasetFormatError(
            where,
            f"column {column!r} has no {required} on data {_rows(frame.index[empty])}; "
            f"write one on every row or remove those rows",
        )
    return texts


def _unique_ids(frame: pd.DataFrame, column: str, where: str) -> tuple[str, ...]:
    """``frame[column]`` as text ids.

    Raises:
        DatasetFormatError: naming the data rows of an id that is empty or used more than once.
    """
    ids = pd.Series(_texts(frame, column, where, required="id"))
    repeated = ids.duplicated(keep=False).to_numpy()
    if repeated.any():
        first = ids[repeated].iloc[0]
        others = ids[repeated].nunique() - 1
        raise DatasetFormatError(
            where,
            f"id column {column!r} has {first!r} on data {_rows(frame.index[(ids == first).to_numpy()])}"
            + (f" ({others} other repeated id{'s' if others > 1 else ''})" if others else "")
            + "; each row needs its own id (choices and reports name rows by it)",
        )
    return tuple(ids)


def _rows(index: pd.MultiIndex, shown: int = 10) -> str:
    """'rows 3, 9 (1-based, header not counted)', file names included when several were read."""
    ids = _row_ids(index)
    listed = ", ".join(ids[:shown]) + (f" and {len(ids) - shown} more" if len(ids) > shown else "")
    return f"row{'s' if len(ids) > 1 else ''} {listed} (1-based, header not counted)"


def _row_ids(index: pd.MultiIndex) -> tuple[str, ...]:
    """Each row's number in its source, prefixed with the file name when there are several."""
    if len(index.levels[0]) == 1:
        return tuple(str(row) for _, row in index)
    return tuple(f"{Path(source).name}:{row}" for source, row in index)


def load_routerbench(folder: str | Path, split: str) -> OutcomeTable:
    """RouterBench's zero-shot subsets (``*_train.csv`` / ``*_test.csv``), complete rows only."""
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    files = sorted(Path(folder).glob(f"*_{split}.csv"))
    if not files:
        raise OrchestAIError(f"no *_{split}.csv files in {folder}; point --data at routerbench_zs")
    return load_outcome_table(
        files, id_column="sample_id", task_column="eval_name", models=list(ROUTERBENCH_DESCRIPTIONS)
    )


_FORMATS = {".parquet": "Parquet", ".jsonl": "JSON lines", ".json": "JSON"}


def _read(
    source: str | Path | Sequence[str | Path] | pd.DataFrame, text_columns: Sequence[str]
) -> tuple[pd.DataFrame, str]:
    """The rows of every source, indexed by (source, the row's 1-based number in it), and a
    name for them all; ``text_columns`` hold each cell as written (see :func:`_read_file`)."""
    if isinstance(source, pd.DataFrame):
        frames = {"the given DataFrame": source}
    else:
        paths = [Path(source)] if isinstance(source, str | Path) else [Path(p) for p in source]
        if not paths:
            raise OrchestAIError("no outcome table was given; pass a file (or a list of files)")
        frames = {str(path): _read_file(path, text_columns) for path in paths}
    numbered = [f.set_axis(pd.RangeIndex(1, len(f) + 1)) for f in frames.values()]
    frame = pd.concat(numbered, keys=list(frames), names=["source", "row"])
    return frame, ", ".join(frames)


def _read_file(path: Path, text_columns: Sequence[str]) -> pd.DataFrame:
    """The file's rows; ``text_columns`` (prompt, id, task) not converted to numbers or NaN.

    pandas would read a prompt "NA", "None" or "" as NaN (then the text 'nan'), an id "007" as
    7 and an id column with a blank as floats ('1000.0'); scores and costs keep its parsing,
    where an empty cell is a missing outcome.
    """
    if path.is_dir():
        raise OrchestAIError(
            f"outcome table {path} is a folder without NAME_train.csv and NAME_test.csv files; "
            "pass a table file, or a folder that holds both"
        )
    if not path.is_file():
        raise OrchestAIError(f"outcome table {path} does not exist")
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            return _read_parquet(path)
        if suffix in (".jsonl", ".json"):
            # object: each value as the JSON holds it, where pandas would make "007" the number 7
            texts = {c: object for c in text_columns}
            return pd.read_json(path, lines=suffix == ".jsonl", dtype=texts)
        return _read_csv(path, text_columns)
    # pandas' parser errors are ValueErrors; a file that is not text is a UnicodeDecodeError
    # (also a ValueError); pyarrow's are ArrowException, also ValueErrors for bad files.
    except ValueError as exc:
        raise DatasetFormatError(
            path,
            f"cannot be read as a {_FORMATS.get(suffix, 'CSV')} outcome table "
            f"({str(exc).strip()}); "
            "write one row per prompt with 'prompt', '<model>' and '<model>|total_cost' columns",
        ) from exc


def _read_csv(path: Path, text_columns: Sequence[str]) -> pd.DataFrame:
    with path.open(encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f), [])
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:  # pandas would rename the second 'a' to 'a.1', a model of its own
        raise DatasetFormatError(
            path,
            f"the header names {repeated} more than once; give each model (and each other "
            "column) one column under a name of its own",
        )
    frame = pd.read_csv(path)
    texts = [c for c in text_columns if c in frame.columns]
    if texts:
        # NA conversion is all or nothing per read (keep_default_na), so the text columns are
        # read a second time, as strings exactly as written.
        raw = pd.read_csv(path, usecols=texts, dtype=str, keep_default_na=False)
        frame[texts] = raw[texts].to_numpy()
    return frame


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except ImportError as exc:  # pandas reads Parquet through pyarrow, an optional package
        raise OrchestAIError(
            f"outcome table {path} is Parquet, which needs pyarrow: pip install pyarrow "
            "(or save the table as CSV or JSON lines)"
        ) from exc
