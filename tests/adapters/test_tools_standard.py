"""The langchain-tests standard unit suite for every built-in tool."""

from typing import Any

from langchain_core.tools import BaseTool
from langchain_tests.unit_tests import ToolsUnitTests
from orchestai_agents.adapters import (
    ChartTool,
    ImageCaptionTool,
    PassageRankTool,
    PdfTextTool,
    ReportTool,
    SlidesTool,
    SpeechToTextTool,
    TableAnalystTool,
    ZeroShotClassifierTool,
)

EXAMPLE_ARGS = {
    "node_id": "n1",
    "instruction": "Make slides from the paper",
    "description": "Extract the text",
    "task_type": "extract_text",
    "inputs": ["examples/data/paper.pdf"],
    "context": {
        "earlier": {
            "text": "Some text.",
            "artifacts": [],
            "usage": {"input_tokens": 0, "output_tokens": 0},
        }
    },
    "output_dir": "out",
}


class _TaskToolTests(ToolsUnitTests):
    tool_class: type[BaseTool]

    @property
    def tool_constructor(self) -> type[BaseTool]:
        return self.tool_class

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {"allowed_dirs": ["."]}

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return EXAMPLE_ARGS


class TestPdfTextTool(_TaskToolTests):
    tool_class = PdfTextTool


class TestPassageRankTool(_TaskToolTests):
    tool_class = PassageRankTool


class TestZeroShotClassifierTool(_TaskToolTests):
    tool_class = ZeroShotClassifierTool


class TestTableAnalystTool(_TaskToolTests):
    tool_class = TableAnalystTool


class TestChartTool(_TaskToolTests):
    tool_class = ChartTool


class TestSlidesTool(_TaskToolTests):
    tool_class = SlidesTool


class TestReportTool(_TaskToolTests):
    tool_class = ReportTool


class TestImageCaptionTool(_TaskToolTests):
    tool_class = ImageCaptionTool


class TestSpeechToTextTool(_TaskToolTests):
    tool_class = SpeechToTextTool
