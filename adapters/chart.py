"""Line and bar charts of a table's numeric columns, rendered to PNG with matplotlib (Agg)."""

from __future__ import annotations

import re
from collections.abc import Hashable
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from orchestai_agents.adapters._tables import (
    TimeAxis,
    filled_tables,
    in_time_order,
    value_columns,
)
from orchestai_agents.adapters.task_tool import TaskTool

from orchestai_agents.errors import InputFileError
from orchestai_agents.modalities import TABLE_FILE_SUFFIXES
from orchestai_agents.plan import request_words
from orchestai_agents.registry import TaskInput

__all__ = ["ChartTool", "render_chart"]

# The words that ask for bars: "bar", "bars", "bar chart", "bar-graph", "barplot".
_BARS = re.compile(r"\bbar(?:s|[ -]?(?:chart|graph|plot)s?)?\b", re.IGNORECASE)
# Series whose largest values differ by more than this get a subplot each: on a shared y axis
# the smaller would look flat.
SCALE_RATIO = 10
MAX_TICK_LABELS = 20


def render_chart(
    frame: pd.DataFrame, path: Path, *, kind: str = "line", title: str = "", max_series: int = 6
) -> list[str]:
    """Draw up to ``max_series`` numeric columns against the time axis (else row order); returns their names.

    Rows are sorted by the time axis (a date column, or an integer year column). Bars and a line
    without a time axis are labelled with the times, else with the first text column's cells.
    Series of very different sizes are drawn in subplots, one per series, sharing the x axis.
    Uses a bare ``Figure`` (no pyplot state), so charts can be drawn from several threads.

    Example:
        >>> render_chart(pd.DataFrame({"y": [1, 2, 3]}), Path("/tmp/y.png"))  # doctest: +SKIP
        ['y']
    """
    if kind not in ("line", "bar"):
        raise ValueError(f"chart kind must be 'line' or 'bar', got {kind!r}")
    if frame.empty:
        raise InputFileError(f"the table has no rows to chart (columns: {list(frame.columns)})")
    frame, axis = in_time_order(frame)
    series = value_columns(frame, axis)[:max_series]
    if not series:
        raise InputFileError(
            f"the table has no numeric column to chart (columns: {list(frame.columns)})"
        )
    groups = _scale_groups(frame[series])
    figure = Figure(figsize=(8, max(4.5, 2.0 * len(groups))), dpi=100)
    FigureCanvasAgg(figure)
    panels = figure.subplots(len(groups), 1, sharex=True, squeeze=False)[:, 0]
    for panel, group in zip(panels, groups, strict=True):
        _draw(panel, frame, group, kind, axis)
    panels[0].set_title(title)
    _label_x(panels[-1], frame, kind, axis)
    figure.autofmt_xdate()
    figure.tight_layout()
    figure.savefig(path, format="png")
    return [str(s) for s in series]


def _scale_groups(values: pd.DataFrame) -> list[list[Hashable]]:
    """All columns together when their largest values are within SCALE_RATIO, else one each."""
    scales = values.replace([np.inf, -np.inf], np.nan).abs().max()
    if scales.min() > 0 and scales.max() <= SCALE_RATIO * scales.min():
        return [list(values.columns)]
    return [[name] for name in values.columns]


def _draw(
    panel: Axes, frame: pd.DataFrame, group: list[Hashable], kind: str, axis: TimeAxis | None
) -> None:
    if kind == "line":
        x = axis.values if axis else np.arange(len(frame))
        for name in group:
            panel.plot(x, frame[name], marker="o", markersize=3, label=str(name))
    else:
        width = 0.8 / len(group)
        for i, name in enumerate(group):
            offset = (i - (len(group) - 1) / 2) * width  # the group centred on its row
            panel.bar(np.arange(len(frame)) + offset, frame[name], width=width, label=str(name))
    panel.legend()
    panel.grid(alpha=0.3)


def _label_x(panel: Axes, frame: pd.DataFrame, kind: str, axis: TimeAxis | None) -> None:
    """Name the x axis and, where x is the row position, label the ticks with what the rows are."""
    name, labels = _row_labels(frame, axis)
    panel.set_xlabel(name)
    if kind == "line" and axis:  # x is the time itself
        if axis.unit == "year":
            panel.xaxis.set_major_locator(MaxNLocator(integer=True))
        return
    step = -(-len(labels) // MAX_TICK_LABELS)  # ceil: at most MAX_TICK_LABELS labels
    panel.set_xticks(range(0, len(labels), step), labels[::step])


def _row_labels(frame: pd.DataFrame, axis: TimeAxis | None) -> tuple[str, list[str]]:
    """What the rows are, and each row's label: its time, else its first text cell, else its number."""
    if axis and axis.unit == "year":
        return axis.column, axis.values.astype(str).tolist()
    if axis:
        dates = axis.values.dropna()
        layout = "%Y-%m-%d" if (dates == dates.dt.normalize()).all() else "%Y-%m-%d %H:%M"
        return axis.column, axis.values.dt.strftime(layout).fillna("").tolist()
    text = frame.select_dtypes(exclude=["number", "bool"]).columns
    if len(text):
        return str(text[0]), frame[text[0]].astype(str).tolist()
    return "row", [str(i) for i in range(len(frame))]


class ChartTool(TaskTool):
    """Renders every table (CSV/TSV, each sheet of an XLSX) among inputs and earlier steps' files as a PNG chart.

    A bar chart when the step's words (:func:`~orchestai_agents.plan.request_words`) ask for one
    ("bar chart", "as bars"), else a line chart; titled with the table's name and written to
    ``<node_id>.png`` (``<node_id>-2.png`` and so on for further tables). Tables without rows or
    numbers, and files that cannot be read, are named in the text with the reason; when no table
    can be charted the step fails.

    Example:
        >>> ChartTool().invoke({"inputs": ["examples/data/sales.csv"], "output_dir": "/tmp/out"})  # doctest: +SKIP
    """

    name: str = "chart"
    description: str = (
        "Draw a line or bar chart (PNG) of a CSV or XLSX table's numeric columns with matplotlib."
    )

    def execute(self, task: TaskInput) -> tuple[str, list[str]]:
        tables, empty, unread = filled_tables(
            self.task_files(task, TABLE_FILE_SUFFIXES, what="table")
        )
        # The request's words only: the render_chart type's own description, which a planned
        # step carries too, names both kinds ("(line, bar)").
        kind = "bar" if _BARS.search(request_words(task["description"])) else "line"
        lines, files, skipped = [], [], [f"{name}: no rows" for name in empty] + unread
        for table in tables:
            out = self.output_path(task, ".png")
            try:
                drawn = render_chart(table.frame, out, kind=kind, title=table.name)
            except InputFileError as error:
                skipped.append(f"{table.name}: {error}")
                continue
            lines.append(
                f"{kind.capitalize()} chart of {', '.join(drawn)} from {table.name}: {out.name}"
            )
            files.append(str(out))
        if not files:
            raise InputFileError(f"nothing to chart: {'; '.join(skipped)}")
        if skipped:
            lines.append(f"Not charted: {'; '.join(skipped)}")
        return "\n".join(lines), files
