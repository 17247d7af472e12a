from pathlib import Path

import pandas as pd
import pytest
from orchestai_agents.adapters.table_analyst import TableAnalystTool, column_trends, markdown_table

from orchestai_agents.errors import InputFileError


def test_trend_against_row_order_worked_by_hand() -> None:
    (trend,) = column_trends(pd.DataFrame({"y": [2.0, 4.0, 6.0, 8.0]}))
    assert trend.unit == "row"
    assert trend.slope == pytest.approx(2.0)
    assert trend.r2 == pytest.approx(1.0)
    assert trend.change_pct == pytest.approx(300.0)


def test_trend_against_a_date_column_is_per_day() -> None:
    frame = pd.DataFrame(
        {"day": ["2024-01-01", "2024-01-03", "2024-01-07"], "v": [10.0, 14.0, 22.0]}
    )
    (trend,) = column_trends(frame)
    assert trend.unit == "day"
    assert trend.slope == pytest.approx(2.0)  # +2 per day


def test_a_year_column_is_the_axis_not_a_trend() -> None:
    (trend,) = column_trends(pd.DataFrame({"year": [2019, 2020, 2022], "sales": [10, 12, 16]}))
    assert (trend.column, trend.unit) == ("sales", "year")
    assert trend.slope == pytest.approx(2.0)


def test_a_year_repeated_for_each_month_is_no_axis() -> None:
    years = [2022] * 3 + [2023] * 3
    frame = pd.DataFrame({"year": years, "month": [1, 2, 3] * 2, "sales": [1, 2, 3, 4, 5, 6]})
    trends = {trend.column: trend for trend in column_trends(frame)}
    assert {trend.unit for trend in trends.values()} == {"row"}
    assert trends["sales"].slope == pytest.approx(1.0)  # +1 a row, not +3 "per year"


def test_newest_first_rows_are_read_in_time_order() -> None:
    frame = pd.DataFrame(
        {
            "date": ["2024-04-01", "2024-03-01", "2024-02-01", "2024-01-01"],
            "close": [200, 150, 120, 100],
        }
    )
    (trend,) = column_trends(frame)
    assert trend.slope > 0
    assert trend.change_pct == pytest.approx(100.0)  # doubled, not halved


def test_a_constant_column_is_flat() -> None:
    (trend,) = column_trends(pd.DataFrame({"v": [5.0, 5.0, 5.0]}))
    assert trend.slope == 0.0  # not the fit's +4e-16


def test_a_zero_start_and_an_infinite_cell_print_no_nan(tmp_path: Path, make_task) -> None:
    table = tmp_path / "t.csv"
    table.write_text("x,y\n1,0\n2,inf\n3,2\n4,4\n")
    text, _ = TableAnalystTool().execute(make_task(inputs=[table]))
    trends = text.split("## Trends")[1]
    # rows 0, 2, 3 (the inf dropped) against 0, 2, 4: slope 6 / (42 / 9) = 9 / 7
    assert "- y: rising, +1.286 per row (R² 0.96), no % change from first to last row" in trends
    assert "nan" not in trends and "inf" not in trends


def test_markdown_table_layout() -> None:
    text = markdown_table(pd.DataFrame({"a": [1.23456, 2.0]}, index=["x", "y"]))
    assert text.splitlines() == ["|  | a |", "|---|---|", "| x | 1.235 |", "| y | 2 |"]


def test_sales_csv_summary_finds_the_rising_trend(sales_csv: Path, make_task) -> None:
    text, files = TableAnalystTool().execute(make_task(node_id="table", inputs=[sales_csv]))
    assert "36 rows x 4 columns" in text
    assert "| month | object |" in text or "| month | str |" in text
    revenue = next(line for line in text.splitlines() if line.startswith("- revenue_usd"))
    assert "rising" in revenue and "per day" in revenue
    assert Path(files[0]).name == "table.md" and Path(files[0]).read_text() == text


def test_csv_artifact_from_an_earlier_step_is_used(sales_csv: Path, make_task) -> None:
    text, _ = TableAnalystTool().execute(
        make_task(context={"fetch": {"text": "", "artifacts": [str(sales_csv)]}})
    )
    assert "# Table sales.csv" in text


def test_xlsx_input(tmp_path: Path, make_task) -> None:
    sheet = tmp_path / "t.xlsx"
    pd.DataFrame({"n": [1, 2, 3]}).to_excel(sheet, index=False)
    text, _ = TableAnalystTool().execute(make_task(inputs=[sheet]))
    assert "3 rows x 1 columns" in text and "- n: rising" in text


def test_empty_table_is_refused(tmp_path: Path, make_task) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("a,b\n")
    with pytest.raises(InputFileError, match=r"empty\.csv: the table has no rows"):
        TableAnalystTool().execute(make_task(inputs=[empty]))


def _analysed(tmp_path: Path, make_task, **tables: str) -> str:
    """The analyst's text on CSV files written from the keywords (``a="x\\n1\\n"``: a.csv)."""
    paths = [tmp_path / f"{stem}.csv" for stem in tables]
    for path, content in zip(paths, tables.values(), strict=True):
        path.write_text(content)
    text, _ = TableAnalystTool().execute(make_task(inputs=paths))
    return text


def test_every_input_table_gets_a_section(tmp_path: Path, make_task) -> None:
    text = _analysed(tmp_path, make_task, a="x\n1\n2\n", b="y\n5\n3\n")
    assert "# Table a.csv" in text and "- x: rising" in text
    assert "# Table b.csv" in text and "- y: falling" in text


def test_an_unreadable_table_is_named_and_the_others_analysed(tmp_path: Path, make_task) -> None:
    text = _analysed(tmp_path, make_task, good="x\n1\n2\n", ragged="a,b\n1,2\n3,4,5,6\n")
    ragged = tmp_path / "ragged.csv"
    assert "# Table good.csv" in text and "- x: rising" in text
    assert f"Not analysed, unreadable: {ragged}: not a readable table (Error tokenizing" in text
    header = tmp_path / "header.csv"
    header.write_text("a,b\n")
    with pytest.raises(InputFileError, match=r"ragged\.csv: not a readable table") as refused:
        TableAnalystTool().execute(make_task(inputs=[ragged, header]))
    assert "header.csv: the table has no rows" in str(refused.value)


def test_a_cover_sheet_is_named_and_the_data_sheet_analysed(tmp_path: Path, make_task) -> None:
    book = tmp_path / "book.xlsx"
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame(columns=["Sales report 2024"]).to_excel(
            writer, sheet_name="Cover", index=False
        )
        pd.DataFrame({"sales": [10, 20, 30]}).to_excel(writer, sheet_name="Data", index=False)
    text, _ = TableAnalystTool().execute(make_task(inputs=[book]))
    assert "# Table book.xlsx (sheet Data)\n\n3 rows x 1 columns." in text
    assert "Not analysed, no rows: book.xlsx (sheet Cover)." in text
