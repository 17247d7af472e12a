from pathlib import Path

import pandas as pd
import pytest
from orchestai_agents.adapters.chart import ChartTool, render_chart
from PIL import Image

from orchestai_agents.errors import InputFileError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


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


def test_table_without_numbers_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no numeric column"):
        render_chart(pd.DataFrame({"name": ["a", "b"]}), tmp_path / "x.png")


def test_unknown_kind_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'line' or 'bar'"):
        render_chart(pd.DataFrame({"y": [1, 2]}), tmp_path / "x.png", kind="pie")
