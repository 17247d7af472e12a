"""Line and bar charts of a table's numeric columns, rendered to PNG with matplotlib (Agg)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from orchestai_agents.adapters._tables import TABLE_SUFFIXES, date_column, load_table
from orchestai_agents.adapters.task_tool import TaskTool

from orchestai_agents.errors import InputFileError
from orchestai_agents.registry import TaskInput

__all__ = ["ChartTool", "render_chart"]


def render_chart(
    frame: pd.DataFrame, path: Path, *, kind: str = "line", title: str = "", max_series: int = 6
) -> list[str]:
    """Draw up to ``max_series`` numeric columns against the date column (else row order); returns their names.

    Uses a bare ``Figure`` (no pyplot state), so charts can be drawn from several threads.

    Example:
        >>> render_chart(pd.DataFrame({"y": [1, 2, 3]}), Path("/tmp/y.png"))  # doctest: +SKIP
        ['y']
    """
    if kind not in ("line", "bar"):
        raise ValueError(f"chart kind must be 'line' or 'bar', got {kind!r}")
    series = list(frame.select_dtypes("number").columns[:max_series])
    if not series:
        raise InputFileError(
            f"the table has no numeric column to chart (columns: {list(frame.columns)})"
        )
    axis = date_column(frame)
    x = axis.dates if axis else pd.RangeIndex(len(frame))
    figure = Figure(figsize=(8, 4.5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    width = 0.8 / len(series)
    for i, name in enumerate(series):
        if kind == "line":
            axes.plot(x, frame[name], marker="o", markersize=3, label=str(name))
        else:
            axes.bar(
                [p + i * width for p in range(len(frame))],
                frame[name],
                width=width,
                label=str(name),
            )
    axes.set_title(title)
    axes.set_xlabel(axis.column if axis else "row")
    axes.legend()
    axes.grid(alpha=0.3)
    figure.autofmt_xdate()
    figure.tight_layout()
    figure.savefig(path, format="png")
    return [str(s) for s in series]


class ChartTool(TaskTool):
    """Renders a table (the first CSV/TSV/XLSX among inputs, else earlier steps' files) as a PNG chart.

    A bar chart when the step's description mentions "bar", else a line chart; written to
    ``<node_id>.png``.

    Example:
        >>> ChartTool().invoke({"inputs": ["examples/data/sales.csv"], "output_dir": "/tmp/out"})  # doctest: +SKIP
    """

    name: str = "chart"
    description: str = (
        "Draw a line or bar chart (PNG) of a CSV or XLSX table's numeric columns with matplotlib."
    )

    def execute(self, task: TaskInput) -> tuple[str, list[str]]:
        path = self.task_files(task, TABLE_SUFFIXES, what="table")[0]
        frame = load_table(path)
        kind = "bar" if "bar" in task["description"].lower() else "line"
        out = self.output_path(task, ".png")
        drawn = render_chart(frame, out, kind=kind, title=task["description"][:80] or path.stem)
        return f"{kind.capitalize()} chart of {', '.join(drawn)} from {path.name}: {out.name}", [
            str(out)
        ]
