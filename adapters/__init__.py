"""The worker layer: chat models, tools and functions as workers; built-in offline workers.

Importing this package loads no model: the local models load on their first call.
"""

from orchestai_agents.adapters.audio import DEFAULT_ASR_MODEL, SpeechToTextTool, read_wav
from orchestai_agents.adapters.builtin import SMOLLM2_TASK_TYPES, default_registry
from orchestai_agents.adapters.chart import ChartTool, render_chart
from orchestai_agents.adapters.chat_worker import chat_worker, task_messages
from orchestai_agents.adapters.classify import ZeroShotClassifierTool, parse_labels
from orchestai_agents.adapters.embeddings import MiniLMEmbeddings, PassageRankTool
from orchestai_agents.adapters.function_worker import function_worker
from orchestai_agents.adapters.local_llm import SmolLM2Chat, load_smollm2
from orchestai_agents.adapters.pdf_text import PdfTextTool, extract_pdf_pages
from orchestai_agents.adapters.pricing import PRICE_TABLE, PRICES_AS_OF, price_for
from orchestai_agents.adapters.report import ReportTool
from orchestai_agents.adapters.slides import SlidesTool
from orchestai_agents.adapters.table_analyst import TableAnalystTool, column_trends
from orchestai_agents.adapters.task_tool import TaskArgs, TaskTool
from orchestai_agents.adapters.tool_worker import tool_worker
from orchestai_agents.adapters.vision import DEFAULT_CAPTION_MODEL, ImageCaptionTool

__all__ = [
    "DEFAULT_ASR_MODEL",
    "DEFAULT_CAPTION_MODEL",
    "PRICES_AS_OF",
    "PRICE_TABLE",
    "SMOLLM2_TASK_TYPES",
    "ChartTool",
    "ImageCaptionTool",
    "MiniLMEmbeddings",
    "PassageRankTool",
    "PdfTextTool",
    "ReportTool",
    "SlidesTool",
    "SmolLM2Chat",
    "SpeechToTextTool",
    "TableAnalystTool",
    "TaskArgs",
    "TaskTool",
    "ZeroShotClassifierTool",
    "chat_worker",
    "column_trends",
    "default_registry",
    "extract_pdf_pages",
    "function_worker",
    "load_smollm2",
    "parse_labels",
    "price_for",
    "read_wav",
    "render_chart",
    "task_messages",
    "tool_worker",
]
