import orchestai_agents.adapters as adapters

PUBLIC = {
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
}


def test_exported_names_are_pinned() -> None:
    assert set(adapters.__all__) == PUBLIC
    assert all(hasattr(adapters, name) for name in adapters.__all__)
