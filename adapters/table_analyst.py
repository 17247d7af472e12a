"""Table analysis with pandas: shape, column types, statistics and a trend per numeric column."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from orchestai_agents.adapters._tables import (
    Table,
    filled_tables,
    in_time_order,
    value_columns,
)
from orchestai_agents.adapters.task_tool import TaskTool

from orchestai_agents.modalities import TABLE_FILE_SUFFIXES
from orchestai_agents.registry import TaskInput

__all__ = ["TableAnalystTool", "Trend", "column_trends", "markdown_table"]

# Least squares on a constant column leaves a slope of float noise (4e-16): a change over the
# whole axis this small against the values is no trend.
FLAT = 1e-9


class Trend(NamedTuple):
    """A least-squares line through one column.

    Attributes:
        column: the column's name.
        slope: change per step of ``unit``.
        unit: ``"row"``, or the time axis's ``"day"`` or ``"year"``.
        r2: share of the variance the line explains.
        change_pct: change from the first value to the last (the earliest and latest when the
            table has a date column), in percent; NaN when the first is 0.
    """

    column: str
    slope: float
    unit: str
    r2: float
    change_pct: float


def _fit(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Slope and R² of the least-squares line y = a x + b."""
    slope, intercept = np.polyfit(x, y, 1)
    residual = y - (slope * x + intercept)
    spread = float(((y - y.mean()) ** 2).sum())
    return float(slope), 1.0 - float((residual**2).sum()) / spread if spread else 1.0


def column_trends(frame: pd.DataFrame) -> list[Trend]:
    """A trend for every numeric column, against the time axis if there is one, else row order.

    Example:
        >>> round(column_trends(pd.DataFrame({"y": [1.0, 3.0, 5.0]}))[0].slope, 6)
        2.0
    """
    frame, axis = in_time_order(frame)
    x_all = axis.positions() if axis else np.arange(len(frame), dtype=float)
    trends = []
    for name in value_columns(frame, axis):
        y_all = frame[name].to_numpy(dtype=float)
        keep = np.isfinite(x_all) & np.isfinite(y_all)
        if keep.sum() < 2:
            continue
        x, y = x_all[keep], y_all[keep]
        slope, r2 = _fit(x, y)
        if abs(slope) * np.ptp(x) <= FLAT * np.abs(y).max():
            slope = 0.0
        change = (y[-1] - y[0]) / abs(y[0]) * 100 if y[0] else float("nan")
        trends.append(Trend(str(name), slope, axis.unit if axis else "row", r2, change))
    return trends


def markdown_table(frame: pd.DataFrame) -> str:
    """``frame`` (with its index) as a GitHub markdown table, numbers to 4 significant digits."""
    cells = frame.map(lambda v: f"{v:.4g}" if isinstance(v, float) else str(v))
    header = ["", *map(str, frame.columns)]
    rows = [[str(i), *row] for i, row in zip(frame.index, cells.to_numpy().tolist(), strict=True)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def _trend_line(trend: Trend) -> str:
    direction = "rising" if trend.slope > 0 else "falling" if trend.slope < 0 else "flat"
    span = "first to last row" if trend.unit == "row" else "earliest to latest"
    change = (
        f"{trend.change_pct:+.1f}% from {span}"
        if np.isfinite(trend.change_pct)
        else f"no % change from {span} (starts at 0)"
    )
    return f"- {trend.column}: {direction}, {trend.slope:+.4g} per {trend.unit} (R² {trend.r2:.2f}), {change}"


def _summary(table: Table) -> str:
    frame = table.frame
    trends = column_trends(frame)
    parts = [
        f"# Table {table.name}",
        f"{frame.shape[0]} rows x {frame.shape[1]} columns.",
        "## Columns\n" + markdown_table(frame.dtypes.astype(str).to_frame("dtype")),
    ]
    if not frame.select_dtypes("number").empty:
        parts.append("## Statistics\n" + markdown_table(frame.describe()))
    if trends:
        parts.append("## Trends\n" + "\n".join(map(_trend_line, trends)))
    return "\n\n".join(parts) + "\n"


class TableAnalystTool(TaskTool):
    """Summarises CSV/TSV/XLSX tables: shape, column types, statistics and trends, as markdown.

    Every table among the user's inputs and earlier steps' files gets a section, each sheet of an
    XLSX too; tables without rows, and files that cannot be read with the reason, are named at
    the end. A trend is a least-squares slope per numeric column, against the time axis (a date
    or year column) when there is one, else against row order. The summary is also written to
    ``<node_id>.md``.

    Example:
        >>> text, files = TableAnalystTool().execute({"node_id": "t", "instruction": "", "description": "",
        ...     "task_type": "analyze_table", "inputs": ["examples/data/sales.csv"], "context": {}})  # doctest: +SKIP
    """

    name: str = "table_analyst"
    description: str = (
        "Analyse a CSV or XLSX table with pandas: shape, column types, statistics and trends."
    )

    def execute(self, task: TaskInput) -> tuple[str, list[str]]:
        tables, empty, unread = filled_tables(
            self.task_files(task, TABLE_FILE_SUFFIXES, what="table")
        )
        sections = [_summary(table) for table in tables]
        if empty:
            sections.append(f"Not analysed, no rows: {', '.join(empty)}.\n")
        sections += [f"Not analysed, unreadable: {reason}\n" for reason in unread]
        text = "\n".join(sections)
        out = self.output_path(task, ".md")
        out.write_text(text, encoding="utf-8")
        return text, [str(out)]
