"""Terminal output shared by the subcommands: live progress lines and result tables."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

console = Console(stderr=True, highlight=False)


def print_json(data: Any) -> None:
    """Machine-readable output on stdout, for scripts (``--json``)."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def progress(event: Mapping[str, Any]) -> None:
    """One line per node start and end, as the custom stream reports them."""
    if event.get("event") == "node_start":
        console.print(f"[cyan]>[/] {escape(event['node'])}  ({escape(event['worker'])}) running")
    elif event.get("event") == "node_end":
        r = event["record"]
        mark = "[green]ok[/]" if r["success"] else "[red]failed[/]"
        detail = "" if r["success"] else f"  {escape(str(r['error']))}"
        name = f"{escape(r['node_id'])}  ({escape(r['worker'])})"
        console.print(f"{mark} {name} {r['seconds']:.2f}s ${r['usd']:.6f}{detail}")


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    grid = Table(title=title)
    for column in columns:
        grid.add_column(column)
    for row in rows:
        grid.add_row(*(_cell(v) for v in row))
    Console(highlight=False).print(grid)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6f}" if value < 1 else f"{value:.2f}"
    return escape(str(value))  # names and errors may contain [brackets] rich reads as markup
