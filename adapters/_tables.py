"""Loading a table and finding its time axis, shared by the table and chart tools."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from orchestai_agents.errors import InputFileError

__all__ = ["TABLE_SUFFIXES", "TimeAxis", "date_column", "load_table"]

TABLE_SUFFIXES = (".csv", ".tsv", ".xlsx")

# dateutil reads "Jan" or "Jan-23" as dates in year 1: such a column is labels, not a time axis.
PLAUSIBLE_YEARS = (1900, 2200)
# None lets pandas infer the format; "%b-%y" is Excel's "Jan-23" for January 2023, which it cannot.
DATE_FORMATS = (None, "%b-%y")


class TimeAxis(NamedTuple):
    """A table's date column, parsed once for every tool that reads it.

    Attributes:
        column: the column's name.
        dates: its cells as naive UTC datetimes (times with an offset are converted to UTC);
            NaT where a cell is not a date.
    """

    column: str
    dates: pd.Series


def load_table(path: Path) -> pd.DataFrame:
    """A CSV, TSV or XLSX (first sheet) file as a DataFrame; an unreadable file is an InputFileError."""
    try:
        if path.suffix.lower() == ".xlsx":
            return pd.read_excel(path, engine="openpyxl")
        return pd.read_csv(path, sep="\t" if path.suffix.lower() == ".tsv" else ",")
    except ImportError as error:
        raise InputFileError(
            f"{path}: reading .xlsx needs openpyxl: pip install 'openpyxl>=3.1.5'"
        ) from error
    except (ValueError, OSError, pd.errors.ParserError) as error:
        raise InputFileError(
            f"{path}: not a readable table ({error}); check the file's format"
        ) from error


def date_column(frame: pd.DataFrame) -> TimeAxis | None:
    """The first non-numeric column whose cells (at least 90%) are dates in plausible years, parsed."""
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_numeric_dtype(column) or column.dropna().empty:
            continue
        for date_format in DATE_FORMATS:
            dates = _parse_dates(column, date_format)
            years = dates.dropna().dt.year
            if dates.notna().mean() >= 0.9 and years.between(*PLAUSIBLE_YEARS).all():
                return TimeAxis(str(name), dates)
    return None


def _parse_dates(column: pd.Series, date_format: str | None) -> pd.Series:
    """``column`` as naive UTC datetimes, NaT where a cell does not parse.

    ``utc=True`` because a UTC offset that changes during the column (DST: +01:00, then +02:00)
    is otherwise refused as "mixed timezones".
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "could not infer format": parsed per cell
        parsed = pd.to_datetime(column, errors="coerce", utc=True, format=date_format)
    return parsed.dt.tz_convert(None)
