"""Pictures of plans and runs, made offline: a PNG of the DAG, its mermaid text, a cost table.

LangGraph's ``draw_mermaid_png()`` sends the graph to a web service, and its picture shows the
compiled graph's plumbing rather than the plan. Here the plan itself is laid out left to right by
topological depth and drawn with matplotlib; each box shows the node id, task type and worker,
and once a run's result is given, its seconds, USD and status (green ok, red failed, grey
skipped). The same labels go into :func:`plan_to_mermaid` for docs and GitHub.

Example:
    >>> from orchestai_agents import Plan
    >>> from orchestai_agents.visualize import draw_plan, plan_to_mermaid
    >>> plan = Plan.load("examples/plans/paper_to_slides.json")  # doctest: +SKIP
    >>> fig = draw_plan(plan, path="plan.png")  # doctest: +SKIP
    >>> print(plan_to_mermaid(plan))  # doctest: +SKIP
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from orchestai_agents.accounting import RunResult
from orchestai_agents.plan import Plan, SubTask

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["NodeStatus", "draw_plan", "plan_layout", "plan_to_mermaid", "result_table"]

NodeStatus = Literal["ok", "failed", "skipped", "planned"]

# (face, edge) colours per status: green ok, red failed, grey skipped, blue not run yet.
_COLOURS: dict[str, tuple[str, str]] = {
    "ok": ("#c8e6c9", "#2e7d32"),
    "failed": ("#ffcdd2", "#c62828"),
    "skipped": ("#e0e0e0", "#757575"),
    "planned": ("#e3f2fd", "#1565c0"),
}
_BOX_W, _BOX_H = 0.8, 0.72  # fractions of a layout cell
_INCH_PER_CHAR = 0.085  # at the 9 pt label font
_BOTTOM_MARGIN = 0.3  # rows of room under the lowest boxes for edges that bend below them


@dataclass(frozen=True)
class _NodeView:
    """What one box says: the plan node, plus its run record when a result is given."""

    node: SubTask
    worker: str
    status: NodeStatus
    seconds: float | None = None
    usd: float | None = None

    def lines(self) -> list[str]:
        lines = [self.node.id, self.node.task_type, self.worker]
        if self.seconds is not None and self.usd is not None:
            lines.append(f"{self.seconds:.2f} s · ${self.usd:.4f} · {self.status}")
        return lines


class _PlanFigure(Figure):
    """A figure that shows itself as a PNG in Jupyter, with or without ``%matplotlib inline``.

    Built without pyplot (no global state, nothing shown twice), a plain ``Figure`` would print
    as ``<Figure size ...>`` in a notebook where no inline backend was set up.
    """

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png")
        return buffer.getvalue()


def plan_layout(plan: Plan | Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    """Node id -> (x, y): x is the topological depth, y the row within that depth.

    Rows are ordered by the mean row of each node's dependencies (ties by plan order), which
    keeps most edges short; the result depends only on the plan, so a plan always draws the same.

    Raises:
        PlanValidationError: if the dependencies form a cycle or name unknown ids.
    """
    plan = _as_plan(plan)
    order = plan.topological_order()
    depth: dict[str, int] = {}
    for node in order:
        depth[node.id] = 1 + max((depth[d] for d in node.dependencies), default=-1)
    rank = {node.id: i for i, node in enumerate(order)}
    rows: dict[str, float] = {}
    for layer in range(max(depth.values(), default=-1) + 1):
        members = [n for n in order if depth[n.id] == layer]
        members.sort(key=lambda n: (_mean_row(n, rows), rank[n.id]))
        for k, node in enumerate(members):
            rows[node.id] = (len(members) - 1) / 2 - k  # centred on y = 0, first on top
    return {node.id: (float(depth[node.id]), rows[node.id]) for node in order}


def _mean_row(node: SubTask, rows: Mapping[str, float]) -> float:
    # Sources have no dependency rows; 0.0 keeps them in plan order.
    placed = [rows[d] for d in node.dependencies]
    return -sum(placed) / len(placed) if placed else 0.0


def draw_plan(
    plan: Plan | Mapping[str, Any],
    result: RunResult | Mapping[str, Any] | None = None,
    path: str | Path | None = None,
    *,
    dpi: int = 120,
) -> Figure:
    """Draw the plan's DAG, left to right, optionally coloured by a run's outcome.

    Args:
        plan: a :class:`Plan` or its dict form (e.g. ``result["plan"]``).
        result: a :class:`RunResult` or its dict form (the agent's ``out["result"]``); adds
            seconds, USD and status to each box and the run's totals to the title.
        path: where to save a PNG; nothing is written when ``None``.
        dpi: resolution of the saved PNG.

    Returns:
        The matplotlib figure (shown inline when it is a notebook cell's last value).
    """
    plan = _as_plan(plan)
    views = _node_views(plan, result)
    positions = plan_layout(plan)
    n_cols = 1 + int(max((x for x, _ in positions.values()), default=0))
    n_rows = max(
        (sum(1 for x, _ in positions.values() if x == col) for col in range(n_cols)), default=1
    )
    longest = max((len(line) for v in views.values() for line in v.lines()), default=10)
    col_inch = max(1.8, longest * _INCH_PER_CHAR / _BOX_W)
    row_inch = 0.3 * max(len(v.lines()) for v in views.values()) + 0.45 if views else 1.0
    bends = any(_bends_below(positions[s], positions[t]) for s, t in plan.edges)
    margin = _BOTTOM_MARGIN if bends else 0.0
    height = n_rows + margin
    fig = _PlanFigure(
        figsize=(n_cols * col_inch, height * row_inch + 0.6), dpi=dpi, layout="constrained"
    )
    ax = fig.add_subplot()
    ax.set_xlim(-0.5, n_cols - 0.5)
    ax.set_ylim(-n_rows / 2 - margin, n_rows / 2)
    ax.set_axis_off()
    for source, target in plan.edges:
        ax.add_patch(_arrow(positions[source], positions[target]))
    for node_id, view in views.items():
        _draw_box(ax, positions[node_id], view)
    ax.set_title(_title(plan, result), fontsize=10, loc="left")
    if path is not None:
        fig.savefig(path, format="png", dpi=dpi)
    return fig


def _draw_box(ax: Any, xy: tuple[float, float], view: _NodeView) -> None:
    face, edge = _COLOURS[view.status]
    x, y = xy
    ax.add_patch(
        FancyBboxPatch(
            (x - _BOX_W / 2, y - _BOX_H / 2),
            _BOX_W,
            _BOX_H,
            boxstyle="round,pad=0,rounding_size=0.06",
            facecolor=face,
            edgecolor=edge,
            linewidth=1.5,
        )
    )
    id_line, *rest = view.lines()
    # The id in bold above the rest; the line offsets are in points, so they hold at any size.
    ax.annotate(
        id_line,
        (x, y),
        xytext=(0, 6.5 * len(rest)),
        textcoords="offset points",
        ha="center",
        va="center",
        fontsize=9,
        fontweight="bold",
    )
    ax.annotate(
        "\n".join(rest),
        (x, y),
        xytext=(0, -6.5),
        textcoords="offset points",
        ha="center",
        va="center",
        fontsize=9,
        linespacing=1.4,
    )


def _arrow(source: tuple[float, float], target: tuple[float, float]) -> FancyArrowPatch:
    """From the right edge of the source box to the left edge of the target box.

    An edge that skips a layer within one row runs from bottom to bottom under the boxes between.
    """
    (x0, y0), (x1, y1) = source, target
    start, end, bend = (x0 + _BOX_W / 2, y0), (x1 - _BOX_W / 2, y1), 0.0
    if _bends_below(source, target):
        start, end, bend = (x0, y0 - _BOX_H / 2), (x1, y1 - _BOX_H / 2), 0.25
    return FancyArrowPatch(
        start,
        end,
        arrowstyle="-|>",
        mutation_scale=14,
        color="#455a64",
        linewidth=1.2,
        connectionstyle=f"arc3,rad={bend}",
        shrinkA=2,
        shrinkB=2,
    )


def _bends_below(source: tuple[float, float], target: tuple[float, float]) -> bool:
    """Whether an edge skips a layer within one row (a straight line would cross boxes)."""
    return target[0] - source[0] > 1 and abs(target[1] - source[1]) < 0.5


def _title(plan: Plan, result: RunResult | Mapping[str, Any] | None) -> str:
    title = plan.instruction if len(plan.instruction) <= 90 else plan.instruction[:87] + "..."
    if result is None:
        return title
    run = _as_result(result)
    status = "ok" if run.success else f"{len(run.errors)} node(s) failed or skipped"
    return f"{title}\n{run.latency_s:.2f} s · ${run.total_usd:.4f} · {status}"


def plan_to_mermaid(
    plan: Plan | Mapping[str, Any], result: RunResult | Mapping[str, Any] | None = None
) -> str:
    """The plan as mermaid ``flowchart LR`` text, with the same labels as :func:`draw_plan`.

    Paste it into a markdown file (GitHub renders mermaid) or any mermaid viewer.

    Example:
        >>> from orchestai_agents import Plan, SubTask
        >>> plan = Plan("Summarise", (SubTask("read", "Read", "extract_text", "pdf_text"),))
        >>> print(plan_to_mermaid(plan).splitlines()[1])
            read["read<br/>extract_text<br/>pdf_text"]:::planned
    """
    plan = _as_plan(plan)
    views = _node_views(plan, result)
    ids = _mermaid_ids(plan)
    lines = ["flowchart LR"]
    for node_id, view in views.items():
        label = "<br/>".join(_mermaid_escape(line) for line in view.lines())
        lines.append(f'    {ids[node_id]}["{label}"]:::{view.status}')
    lines += [f"    {ids[s]} --> {ids[t]}" for s, t in plan.edges]
    used = sorted({v.status for v in views.values()})
    lines += [
        f"    classDef {s} fill:{_COLOURS[s][0]},stroke:{_COLOURS[s][1]},stroke-width:2px"
        for s in used
    ]
    return "\n".join(lines) + "\n"


_SAFE_ID = re.compile(r"^[A-Za-z0-9_]+$")
# Words mermaid's flowchart parser treats as keywords when used as a node id.
_MERMAID_KEYWORDS = {
    "end",
    "graph",
    "flowchart",
    "subgraph",
    "class",
    "classdef",
    "style",
    "click",
    "linkstyle",
}


def _mermaid_ids(plan: Plan) -> dict[str, str]:
    """Plan ids where mermaid accepts them as node ids, else ``node_<index>``."""
    taken = set(plan.ids)
    ids = {}
    for i, node_id in enumerate(plan.ids):
        safe = _SAFE_ID.match(node_id) and node_id.lower() not in _MERMAID_KEYWORDS
        candidate = node_id if safe else f"node_{i}"
        while candidate != node_id and candidate in taken:
            candidate += "_"
        ids[node_id] = candidate
        taken.add(candidate)
    return ids


def _mermaid_escape(text: str) -> str:
    return (
        text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    )


def result_table(result: RunResult | Mapping[str, Any]) -> pd.DataFrame:
    """One row per node: worker, task type, seconds, USD, tokens, status and error.

    Columns: ``node, worker, task_type, seconds, usd, tokens, status, error``. Needs pandas.
    """
    import pandas as pd

    run = _as_result(result)
    rows = [
        {
            "node": n.node_id,
            "worker": n.worker,
            "task_type": n.task_type,
            "seconds": round(n.seconds, 3),
            "usd": n.usd,
            "tokens": n.input_tokens + n.output_tokens,
            "status": _status(n.success, n.error),
            "error": n.error or "",
        }
        for n in run.nodes
    ]
    return pd.DataFrame(
        rows, columns=["node", "worker", "task_type", "seconds", "usd", "tokens", "status", "error"]
    )


def _node_views(plan: Plan, result: RunResult | Mapping[str, Any] | None) -> dict[str, _NodeView]:
    records = {n.node_id: n for n in _as_result(result).nodes} if result is not None else {}
    views = {}
    for node in plan.topological_order():
        record = records.get(node.id)
        if record is None:
            views[node.id] = _NodeView(node, node.worker, "planned")
        else:
            status = _status(record.success, record.error)
            views[node.id] = _NodeView(node, record.worker, status, record.seconds, record.usd)
    return views


def _status(success: bool, error: str | None) -> NodeStatus:
    if success:
        return "ok"
    # The executor marks a node whose dependency failed with an error starting "skipped:".
    return "skipped" if (error or "").startswith("skipped") else "failed"


def _as_plan(plan: Plan | Mapping[str, Any]) -> Plan:
    return plan if isinstance(plan, Plan) else Plan.from_dict(plan)


def _as_result(result: RunResult | Mapping[str, Any]) -> RunResult:
    return result if isinstance(result, RunResult) else RunResult.from_dict(result)
