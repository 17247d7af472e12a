from pathlib import Path

import pandas as pd
import pytest
from orchestai_agents.adapters._tables import load_tables, time_axis
from orchestai_agents.adapters.chart import ChartTool
from orchestai_agents.adapters.table_analyst import TableAnalystTool

from orchestai_agents.errors import InputFileError


def _read(path: Path) -> pd.DataFrame:
    (table,) = load_tables(path)
    return table.frame


def test_month_names_are_labels_not_a_time_axis() -> None:
    # dateutil reads "Jan" as 0001-01-01
    assert time_axis(pd.DataFrame({"month": ["Jan", "Feb", "Mar"], "v": [1, 2, 3]})) is None


def test_dates_and_years_before_1900_are_a_time_axis() -> None:
    axis = time_axis(pd.DataFrame({"date": ["1850-01-01", "1850-02-01"], "temp": [5, 6]}))
    assert axis is not None and (axis.column, axis.unit) == ("date", "day")
    axis = time_axis(pd.DataFrame({"year": [1850, 1851, 1852], "temp": [5, 6, 7]}))
    assert axis is not None and (axis.column, axis.unit) == ("year", "year")


def test_excel_month_format_is_a_date_in_that_year() -> None:
    axis = time_axis(pd.DataFrame({"Month": ["Jan-23", "Feb-23", "Mar-23"]}))
    assert axis is not None and axis.column == "Month"
    assert list(axis.values.dt.strftime("%Y-%m-%d")) == ["2023-01-01", "2023-02-01", "2023-03-01"]


def test_an_offset_that_changes_at_dst_is_read_as_utc() -> None:
    times = ["2024-03-30T12:00:00+01:00", "2024-03-31T12:00:00+02:00"]
    axis = time_axis(pd.DataFrame({"time": times}))
    assert axis is not None
    assert list(axis.values.dt.hour) == [11, 10]
    assert axis.values.diff().iloc[1] == pd.Timedelta(hours=23)


@pytest.mark.filterwarnings("error::UserWarning")  # pandas' "could not infer format"
@pytest.mark.parametrize("tool", [TableAnalystTool, ChartTool])
@pytest.mark.parametrize(
    "months",
    [["Jan", "Feb", "Mar"], ["Jan-23", "Feb-23", "Mar-23"], ["Jan 2024", "Feb 2024", "Mar 2024"]],
)
def test_month_columns_are_analysed_and_charted(
    tool: type, months: list[str], tmp_path: Path, make_task
) -> None:
    table = tmp_path / "months.csv"
    table.write_text(
        "month,sales\n" + "".join(f"{m},{v}\n" for m, v in zip(months, [10, 12, 15], strict=True))
    )
    text, files = tool().execute(make_task(inputs=[table], description="Chart the sales"))
    assert text and Path(files[0]).stat().st_size > 0


def test_hourly_readings_are_a_trend_per_day(tmp_path: Path, make_task) -> None:
    table = tmp_path / "hourly.csv"
    table.write_text(
        "time,temp\n" + "".join(f"2024-06-01 {h:02}:00:00,{10 + h}\n" for h in range(6))
    )
    text, _ = TableAnalystTool().execute(make_task(inputs=[table]))
    assert "- temp: rising, +24 per day (R² 1.00)" in text


def test_a_semicolon_separated_export_with_decimal_commas(tmp_path: Path, make_task) -> None:
    table = tmp_path / "semi.csv"
    table.write_text("date;sales;cost\n2024-01-01;10,5;3\n2024-02-01;1.200,0;4\n")
    frame = _read(table)
    assert list(frame.columns) == ["date", "sales", "cost"]
    assert frame["sales"].tolist() == [10.5, 1200.0]
    text, _ = TableAnalystTool().execute(make_task(inputs=[table]))
    assert "2 rows x 3 columns" in text


def test_semicolons_and_quotes_in_a_note_do_not_make_it_the_separator(tmp_path: Path) -> None:
    table = tmp_path / "calls.csv"
    rows = [f"{day},called,{day % 3}\n" for day in range(1, 31)]
    table.write_text("day,note,calls\n" + "".join(rows) + '31,client said; "urgent"; call back,5\n')
    frame = _read(table)
    assert list(frame.columns) == ["day", "note", "calls"]
    assert frame.iloc[-1].tolist() == [31, 'client said; "urgent"; call back', 5]


def test_quoted_thousands_in_a_comma_separated_file(tmp_path: Path) -> None:
    table = tmp_path / "thousands.csv"
    table.write_text('month,revenue\nJan,"1,200"\nFeb,"12,500.5"\n')
    assert _read(table)["revenue"].tolist() == [1200.0, 12500.5]


@pytest.mark.parametrize("sep", ["\t", "|", ";"])
def test_commas_that_group_three_digits_are_thousands_in_any_separator(
    sep: str, tmp_path: Path
) -> None:
    table = tmp_path / "amounts.csv"
    rows = [["a", "amount"], ["x", "999"], ["y", "1,234"], ["z", "12,345"], ["w", "1.234"]]
    table.write_text("".join(sep.join(row) + "\n" for row in rows[:4]))
    assert _read(table)["amount"].tolist() == [999, 1234, 12345]
    # beside "1.234" (1.234, or 1234 in a decimal-comma export) "1,234" could be either
    table.write_text("".join(sep.join(row) + "\n" for row in rows))
    assert _read(table)["amount"].tolist() == ["999", "1,234", "12,345", "1.234"]


def test_rows_that_do_not_split_on_the_semicolon_are_refused(tmp_path: Path) -> None:
    table = tmp_path / "ragged.csv"
    table.write_text("a;b\n1;2\n3\n")
    with pytest.raises(InputFileError, match=r"ragged\.csv: read as the single column 'a;b'"):
        _read(table)


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "utf-16", "utf-8-sig"])
def test_encodings_excel_writes(encoding: str, tmp_path: Path) -> None:
    table = tmp_path / "villes.csv"
    table.write_bytes("ville,ventes\nMontréal,10\nZürich,15\n".encode(encoding))
    assert _read(table).to_dict("list") == {
        "ville": ["Montréal", "Zürich"],
        "ventes": [10, 15],
    }


def test_text_in_no_known_encoding_says_to_save_as_utf8(tmp_path: Path) -> None:
    table = tmp_path / "odd.csv"
    table.write_bytes(b"a,b\n\x81,1\n")  # invalid in UTF-8 and undefined in Windows-1252
    with pytest.raises(InputFileError, match="save the table as a UTF-8 CSV"):
        _read(table)
