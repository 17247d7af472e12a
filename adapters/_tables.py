"""Loading a table and finding its time axis, shared by the table and chart tools."""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
import warnings
from collections.abc import Hashable, Iterable
from itertools import islice
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from orchestai_agents.errors import InputFileError

__all__ = [
    "FilledTables",
    "Table",
    "TimeAxis",
    "filled_tables",
    "in_time_order",
    "load_tables",
    "time_axis",
    "value_columns",
]

SEPARATORS = ",;\t|"
SNIFFED_LINES = 50


class Notation(NamedTuple):
    """How a column writes its numbers: the text of one, its thousands separator, its decimal mark."""

    pattern: re.Pattern[str]
    grouping: str
    decimal: str


# 1,200.50; and the other way round, 1.200,50: Excel's export where the comma is the decimal mark.
DECIMAL_POINT = Notation(re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"), ",", ".")
DECIMAL_COMMA = Notation(re.compile(r"[-+]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?"), ".", ",")

# dateutil reads "Jan" or "Jan-23" as dates in year 1: such a column is labels, not a time axis.
# Years from the first whole one a nanosecond timestamp holds (1678) are kept: records from 1850.
PLAUSIBLE_YEARS = (pd.Timestamp.min.year + 1, 2200)
# None lets pandas infer the format; "%b-%y" is Excel's "Jan-23" for January 2023, which it cannot.
DATE_FORMATS = (None, "%b-%y")


class Table(NamedTuple):
    """One table of a file: a CSV or TSV, or one sheet of an XLSX.

    Attributes:
        name: the file's name, and the sheet's: ``"sales.csv"``, ``"book.xlsx (sheet Data)"``.
        frame: its rows.
    """

    name: str
    frame: pd.DataFrame


class TimeAxis(NamedTuple):
    """A table's time column, parsed once for every tool that reads it.

    Attributes:
        column: the column's name.
        values: a date column's cells as naive UTC datetimes (times with an offset converted to
            UTC, NaT where a cell is not a date), or a year column's integers.
        unit: ``"day"`` for a date column, ``"year"`` for a year column.
    """

    column: str
    values: pd.Series
    unit: str

    def positions(self) -> np.ndarray:
        """Each row's place on the axis: days after the earliest date (hours kept), or the year."""
        if self.unit == "year":
            return self.values.to_numpy(dtype=float)
        elapsed = self.values - self.values.min()
        return (elapsed.dt.total_seconds() / 86400).to_numpy(dtype=float)


def load_tables(path: Path) -> list[Table]:
    """The tables of a CSV, TSV or XLSX file (every sheet, empty ones too); an unreadable file is an InputFileError.

    A CSV's separator is sniffed (comma, semicolon, tab or bar), its text may be UTF-8, UTF-16 with
    a byte-order mark or Windows-1252, and text columns of numbers written with thousands
    separators or a decimal comma become numbers.
    """
    try:
        if path.suffix.lower() == ".xlsx":
            sheets = pd.read_excel(path, sheet_name=None, engine="openpyxl")
            return [Table(f"{path.name} (sheet {name})", frame) for name, frame in sheets.items()]
        return [Table(path.name, _read_delimited(path))]
    except InputFileError:
        raise
    except ImportError as error:
        raise InputFileError(
            f"{path}: reading .xlsx needs openpyxl: pip install 'openpyxl>=3.1.5'"
        ) from error
    except (ValueError, OSError, pd.errors.ParserError) as error:
        raise InputFileError(
            f"{path}: not a readable table ({' '.join(str(error).split())}); check the file's format"
        ) from error


class FilledTables(NamedTuple):
    """The tables of a step's files, and what of them cannot be used.

    Attributes:
        tables: the tables with rows.
        empty: the names of the tables without rows.
        unread: why each file that could not be read was not, its path first.
    """

    tables: list[Table]
    empty: list[str]
    unread: list[str]


def filled_tables(paths: Iterable[Path]) -> FilledTables:
    """The tables with rows in the files at ``paths``, the names of those without, and why any
    file could not be read: one bad file among several leaves the others to work with.

    Raises:
        InputFileError: when no table has a row, with every file's reason.
    """
    tables, unread = [], []
    for path in dict.fromkeys(paths):
        try:
            tables += load_tables(path)
        except InputFileError as error:
            unread.append(str(error))
    filled = [table for table in tables if not table.frame.empty]
    empty = [table.name for table in tables if table.frame.empty]
    if not filled:
        no_rows = [f"{', '.join(empty)}: the table has no rows; check the file"] if empty else []
        raise InputFileError("; ".join(no_rows + unread))
    return FilledTables(filled, empty, unread)


def _read_delimited(path: Path) -> pd.DataFrame:
    text = _decode(path)
    sep = "\t" if path.suffix.lower() == ".tsv" else _separator(text)
    frame = pd.read_csv(io.StringIO(text), sep=sep)
    header = str(frame.columns[0])
    if frame.shape[1] == 1 and (";" in header or "\t" in header):
        raise InputFileError(
            f"{path}: read as the single column {header!r}: semicolon- or tab-separated, with "
            f"rows of different lengths? Give every row as many fields as the header"
        )
    return frame.apply(_as_numbers, comma_separated=sep == ",")


def _decode(path: Path) -> str:
    """The file's text: UTF-16 when a byte-order mark says so, else UTF-8 (with or without one),
    else Windows-1252 (Excel's CSV on Windows; Latin-1 text reads the same)."""
    data = path.read_bytes()
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    encodings = ("utf-16",) if utf16 else ("utf-8-sig", "cp1252")
    for encoding in encodings:
        with contextlib.suppress(UnicodeDecodeError):
            return data.decode(encoding)
    raise InputFileError(
        f"{path}: not {' or '.join(encodings)} text; save the table as a UTF-8 CSV"
    )


def _separator(text: str) -> str:
    """The separator of a CSV's first lines; a comma when none splits them consistently.

    The sniffer can take ordinary text for the layout (a last row ``31,client said; "urgent";
    call back,5`` reads as quoted fields between semicolons), so a separator other than the
    comma counts only when it splits the header as well.
    """
    sample = "".join(islice(io.StringIO(text), SNIFFED_LINES))
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=SEPARATORS).delimiter
    except csv.Error:  # a single column, or rows of different lengths
        return ","
    header = next(csv.reader(io.StringIO(sample), delimiter=sniffed), [])
    return sniffed if len(header) > 1 else ","


def _as_numbers(column: pd.Series, *, comma_separated: bool) -> pd.Series:
    """A text column whose every cell is a number written with separators, as numbers.

    "1,200" in a quoted field of a comma-separated file is 1200; in other files the column says
    which mark the comma is: "10,5" is 10.5, and so is "1.200,5" 1200.5, while "1,200" in a column
    where every comma groups three digits is 1200.
    """
    if not pd.api.types.is_string_dtype(column):
        return column
    cells = column.str.strip()
    notation = _notation(cells.dropna(), comma_separated=comma_separated)
    if notation is None:
        return column
    plain = cells.str.replace(notation.grouping, "", regex=False)
    return pd.to_numeric(plain.str.replace(notation.decimal, ".", regex=False))


def _notation(cells: pd.Series, *, comma_separated: bool) -> Notation | None:
    """The only notation all cells fit, or the thousands comma for d,ddd cells that fit both;
    None when some cell is no number, or when a d.ddd cell leaves the magnitude a guess."""
    notations = (DECIMAL_POINT,) if comma_separated else (DECIMAL_POINT, DECIMAL_COMMA)
    fits = [n for n in notations if cells.str.fullmatch(n.pattern).all()]
    if cells.empty or not fits:
        return None
    if len(fits) == 1:
        return fits[0]
    # Cells that fit both are digits, d,ddd or d.ddd. A column whose every comma groups three
    # digits is thousands (999, 1,234, 12,345); beside a point, "1.234" could be 1.234 or 1234.
    return None if cells.str.contains(".", regex=False).any() else DECIMAL_POINT


def time_axis(frame: pd.DataFrame) -> TimeAxis | None:
    """The table's time axis: its first date column, else its first year column, else None."""
    return _date_axis(frame) or _year_axis(frame)


def _date_axis(frame: pd.DataFrame) -> TimeAxis | None:
    """The first non-numeric column whose cells (at least 90%) are dates in plausible years."""
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_numeric_dtype(column) or column.dropna().empty:
            continue
        for date_format in DATE_FORMATS:
            dates = _parse_dates(column, date_format)
            years = dates.dropna().dt.year
            if dates.notna().mean() >= 0.9 and years.between(*PLAUSIBLE_YEARS).all():
                return TimeAxis(str(name), dates, "day")
    return None


def _year_axis(frame: pd.DataFrame) -> TimeAxis | None:
    """The first integer column named like "year" whose values are distinct plausible years.

    A year repeated (year, month, sales) is a grouping of rows, not their place in time: as the
    axis it would stack each year's months on one point.
    """
    for name in frame.columns:
        column = frame[name]
        if (
            "year" in str(name).lower()
            and pd.api.types.is_integer_dtype(column)
            and column.between(*PLAUSIBLE_YEARS).all()
            and column.is_unique
        ):
            return TimeAxis(str(name), column, "year")
    return None


def in_time_order(frame: pd.DataFrame) -> tuple[pd.DataFrame, TimeAxis | None]:
    """``frame`` sorted by its time axis (rows without a date last) and that axis, in the same
    order; ``frame`` as it is and None when it has no time axis."""
    axis = time_axis(frame)
    if axis is None:
        return frame, None
    order = np.argsort(axis.values.to_numpy(), kind="stable")  # NaT sorts last
    values = axis.values.iloc[order].reset_index(drop=True)
    return frame.iloc[order].reset_index(drop=True), axis._replace(values=values)


def value_columns(frame: pd.DataFrame, axis: TimeAxis | None) -> list[Hashable]:
    """The numeric columns other than the time axis (which is numeric when it is a year column)."""
    return [
        name
        for name in frame.select_dtypes("number").columns
        if axis is None or str(name) != axis.column
    ]


def _parse_dates(column: pd.Series, date_format: str | None) -> pd.Series:
    """``column`` as naive UTC datetimes, NaT where a cell does not parse.

    ``utc=True`` because a UTC offset that changes during the column (DST: +01:00, then +02:00)
    is otherwise refused as "mixed timezones".
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "could not infer format": parsed per cell
        parsed = pd.to_datetime(column, errors="coerce", utc=True, format=date_format)
    return parsed.dt.tz_convert(None)
