"""Recorded routing outcomes: for every prompt, each model's score and USD cost.

Any wide table works: one row per prompt, a prompt column, one score column per model (1/0
correctness or a score in [0, 1]) and one ``<model><cost_suffix>`` column per model. RouterBench
(``../shared/datasets/routing/routerbench_zs``) is such a table; users bring their own the same way.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
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
        ids: a unique id per row.
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
            self.dropped,
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
    them. Rows missing any model's score or cost are dropped (counted in ``dropped``).

    Raises:
        OrchestAIError: naming the file and the missing columns.
    """
    frame, where = _read(source)
    if prompt_column not in frame:
        raise OrchestAIError(
            f"{where}: no prompt column {prompt_column!r}; columns are {list(frame.columns)[:12]}..."
        )
    models = (
        list(models)
        if models
        else [c for c in frame.columns if f"{c}{cost_suffix}" in frame.columns]
    )
    if not models:
        raise OrchestAIError(
            f"{where}: no model columns: expected pairs like 'model' and 'model{cost_suffix}'"
        )
    missing = [c for m in models for c in (m, f"{m}{cost_suffix}") if c not in frame.columns]
    if missing:
        raise OrchestAIError(f"{where}: missing columns {missing}")
    needed = models + [f"{m}{cost_suffix}" for m in models]
    complete = frame.dropna(subset=needed).reset_index(drop=True)
    seconds_cols = [f"{m}{seconds_suffix}" for m in models]
    seconds = (
        complete[seconds_cols].fillna(0.0).to_numpy(np.float32)
        if all(c in frame for c in seconds_cols)
        else None
    )
    score = complete[models].to_numpy(np.float32)
    return OutcomeTable(
        ids=tuple(map(str, complete[id_column])) if id_column else tuple(map(str, complete.index)),
        prompts=tuple(map(str, complete[prompt_column])),
        tasks=tuple(map(str, complete[task_column])) if task_column else ("",) * len(complete),
        models=tuple(models),
        score=score,
        cost=complete[[f"{m}{cost_suffix}" for m in models]].to_numpy(np.float32),
        seconds=seconds if seconds is not None else np.zeros_like(score),
        dropped=len(frame) - len(complete),
    )


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


def _read(source: str | Path | Sequence[str | Path] | pd.DataFrame) -> tuple[pd.DataFrame, str]:
    if isinstance(source, pd.DataFrame):
        return source, "the given DataFrame"
    paths = [Path(source)] if isinstance(source, str | Path) else [Path(p) for p in source]
    frames = []
    for path in paths:
        if not path.is_file():
            raise OrchestAIError(f"outcome table {path} does not exist")
        suffix = path.suffix.lower()
        try:
            if suffix == ".parquet":
                frames.append(pd.read_parquet(path))
            elif suffix in (".jsonl", ".json"):
                frames.append(pd.read_json(path, lines=suffix == ".jsonl"))
            else:
                frames.append(pd.read_csv(path))
        # pandas' parser errors are ValueErrors; a file that is not text is a UnicodeDecodeError
        # (also a ValueError); pyarrow's are ArrowException, also ValueErrors for bad files.
        except ValueError as exc:
            raise DatasetFormatError(
                path,
                f"cannot be read as a {_FORMATS.get(suffix, 'CSV')} outcome table "
                f"({str(exc).strip()}); "
                "write one row per prompt with 'prompt', '<model>' and '<model>|total_cost' columns",
            ) from exc
    return pd.concat(frames, ignore_index=True), ", ".join(map(str, paths))
