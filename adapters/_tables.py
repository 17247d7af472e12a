"""Loading a table and finding its time axis, shared by the table and chart tools."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from orchestai_agents.errors import InputFileError

__all__ = ["TABLE_SUFFIXES", "date_column", "load_table"]

TABLE_SUFFIXES = (".csv", ".tsv", ".xlsx")


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


def date_column(frame: pd.DataFrame) -> str | None:
    """The first non-numeric column whose values (at least 90%) parse as dates, if any."""
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_datetime64_any_dtype(column):
            return str(name)
        if pd.api.types.is_numeric_dtype(column) or column.dropna().empty:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "could not infer format"
            parsed = pd.to_datetime(column, errors="coerce")
        if parsed.notna().mean() >= 0.9:
            return str(name)
    return None
