from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure
from orchestai_agents.adapters.chart import ChartTool, render_chart
from PIL import Image

from orchestai_agents.errors import InputFileError
from orchestai_agents.plan import planned_description
from orchestai_agents.task_types import BUILTIN_TASK_TYPES

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[Figure]:
    """The figures render_chart saves, kept to look at instead of written."""
    figures: list[Figure] = []
    monkeypatch.setattr(Figure, "savefig", lambda self, *args, **kwargs: figures.append(self))
    return figures


def _tick_labels(figure: Figure) -> list[str]:
    return [label.get_text() for label in figure.axes[-1].get_xticklabels()]


def test_line_chart_of_the_sales_table(sales_csv: Path, make_task) -> None:
    text, files = ChartTool().execute(
        make_task(node_id="chart", description="Plot revenue over time", inputs=[sales_csv])
    )
    png = Path(files[0])
    assert png.name == "chart.png"
    assert png.read_bytes().startswith(PNG_SIGNATURE)
    with Image.open(png) as image:
        assert image.size == (800, 450)
    assert text.startswith("Line chart of revenue_usd, units")


def test_bar_chart_when_asked(sales_csv: Path, make_task) -> None:
    text, files = ChartTool().execute(
        make_task(description="A bar chart of units", inputs=[sales_csv])
    )
    assert text.startswith("Bar chart") and Path(files[0]).stat().st_size > 1000


@pytest.mark.parametrize(
    ("asked", "kind"),
    [
        ("chart the trend", "Line"),
        ("draw a bar chart of units", "Bar"),
        ("plot units as bars", "Bar"),
        ("a bar-graph of revenue", "Bar"),
    ],
)
def test_a_planned_step_draws_the_chart_its_request_asks_for(
    sales_csv: Path, make_task, drawn: list[Figure], asked: str, kind: str
) -> None:
    # How the planner describes a step: the task type's description, which names both kinds
    # ("(line, bar)"), then the user's words.
    description = planned_description(BUILTIN_TASK_TYPES["render_chart"], asked)

    text, _ = ChartTool().execute(make_task(description=description, inputs=[sales_csv]))

    assert text.startswith(f"{kind} chart of revenue_usd, units")
    assert drawn[0].axes[0].get_title() == "sales.csv"


def test_table_without_numbers_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no numeric column"):
        render_chart(pd.DataFrame({"name": ["a", "b"]}), tmp_path / "x.png")


def test_unknown_kind_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'line' or 'bar'"):
        render_chart(pd.DataFrame({"y": [1, 2]}), tmp_path / "x.png", kind="pie")


def test_header_only_table_has_no_rows(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no rows"):
        render_chart(pd.DataFrame({"date": [], "sales": []}), tmp_path / "x.png")


def test_unsorted_dates_are_drawn_in_date_order(tmp_path: Path, drawn: list[Figure]) -> None:
    frame = pd.DataFrame(
        {"date": ["2024-03-01", "2024-01-01", "2024-02-01"], "sales": [30, 10, 20]}
    )
    render_chart(frame, tmp_path / "x.png")
    (line,) = drawn[0].axes[0].lines
    assert list(line.get_ydata()) == [10, 20, 30]


def test_bars_are_labelled_with_their_dates(tmp_path: Path, drawn: list[Figure]) -> None:
    frame = pd.DataFrame({"date": ["2024-02-01", "2024-01-01"], "sales": [20, 10]})
    render_chart(frame, tmp_path / "x.png", kind="bar")
    assert _tick_labels(drawn[0]) == ["2024-01-01", "2024-02-01"]


def test_rows_without_a_time_axis_are_labelled_with_their_text(
    tmp_path: Path, drawn: list[Figure]
) -> None:
    frame = pd.DataFrame({"month": ["Jan", "Feb", "Mar"], "sales": [10, 12, 15]})
    render_chart(frame, tmp_path / "x.png")
    assert _tick_labels(drawn[0]) == ["Jan", "Feb", "Mar"]
    assert drawn[0].axes[0].get_xlabel() == "month"


def test_a_year_column_is_the_x_axis(tmp_path: Path, drawn: list[Figure]) -> None:
    frame = pd.DataFrame({"year": [2021, 2019, 2020], "sales": [15, 10, 12]})
    assert render_chart(frame, tmp_path / "x.png") == ["sales"]
    (line,) = drawn[0].axes[0].lines
    assert list(line.get_xdata()) == [2019, 2020, 2021]
    assert list(line.get_ydata()) == [10, 12, 15]


def test_series_ten_times_apart_get_a_subplot_each(
    sales_csv: Path, tmp_path: Path, drawn: list[Figure]
) -> None:
    render_chart(pd.read_csv(sales_csv), tmp_path / "x.png")  # revenue_usd ~20000, units ~500
    assert [[line.get_label() for line in axes.lines] for axes in drawn[0].axes] == [
        ["revenue_usd"],
        ["units"],
    ]
    render_chart(pd.DataFrame({"a": [1, 2], "b": [3, 9]}), tmp_path / "y.png")
    assert [[line.get_label() for line in axes.lines] for axes in drawn[1].axes] == [["a", "b"]]


def test_every_input_table_is_charted_and_one_without_numbers_named(
    tmp_path: Path, make_task
) -> None:
    first, second, names = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "names.csv"
    first.write_text("x\n1\n2\n")
    second.write_text("y\n5\n3\n")
    names.write_text("name\nann\n")
    text, files = ChartTool().execute(make_task(node_id="c", inputs=[first, second, names]))
    assert [Path(f).name for f in files] == ["c.png", "c-2.png"]
    assert text.splitlines() == [
        "Line chart of x from a.csv: c.png",
        "Line chart of y from b.csv: c-2.png",
        "Not charted: names.csv: the table has no numeric column to chart (columns: ['name'])",
    ]
