"""Zero-shot text classification by MiniLM similarity between the text and each label."""

from __future__ import annotations

import re

import torch
from orchestai_agents.adapters._text_split import passages
from orchestai_agents.adapters.embeddings import MiniLMEmbeddings, task_text_sources
from orchestai_agents.adapters.task_tool import TaskTool

from orchestai_agents.errors import WorkerError
from orchestai_agents.plan import request_words
from orchestai_agents.registry import TaskInput

__all__ = ["ZeroShotClassifierTool", "parse_labels"]

_LABELS = re.compile(r"\b(?:labels|categories|classes)\s*:\s*(.+)", re.IGNORECASE)


def parse_labels(description: str) -> list[str]:
    """The labels listed after ``labels:`` (or ``categories:``/``classes:``) up to the line's end.

    Labels are separated by commas, ``|`` or ``;``; a trailing full stop is dropped.

    Example:
        >>> parse_labels("Classify the abstract. Labels: planning, vision | audio.")
        ['planning', 'vision', 'audio']
    """
    match = _LABELS.search(description)
    if not match:
        return []
    raw = match.group(1).splitlines()[0].strip().rstrip(".")
    return [label.strip() for label in re.split(r"[,|;]", raw) if label.strip()]


class ZeroShotClassifierTool(TaskTool):
    """Picks the label whose description is most similar to the text (MiniLM cosine similarity).

    The labels come from the step description (``... labels: a, b, c``) or from ``labels``. The
    text is the dependencies' text (else .txt/.md inputs, else the description without the label
    list); a long text is embedded passage by passage and the passage embeddings averaged. Each
    label is embedded as ``label_template.format(label=...)``.

    Example:
        >>> tool = ZeroShotClassifierTool()
        >>> tool.invoke({"description": "Topic? labels: sport, cooking",
        ...              "context": {"x": {"text": "Whisk the eggs."}}})  # doctest: +SKIP
        'cooking\\n\\nscores: cooking=0.31, sport=0.05'
    """

    name: str = "minilm_classify"
    description: str = (
        "Zero-shot classify a text into given labels ('labels: a, b, c') with MiniLM similarity."
    )
    labels: list[str] | None = None
    label_template: str = "This text is about {label}."

    def execute(self, task: TaskInput) -> tuple[str, list[str]]:
        labels = parse_labels(task["description"]) or list(self.labels or [])
        if len(labels) < 2:
            raise WorkerError(
                f"step {task['node_id']!r}: found labels {labels} in its description; list at least two, "
                "e.g. 'labels: positive, negative', or construct the tool with labels=[...]"
            )
        texts = task_text_sources(self, task) or [
            _LABELS.sub("", request_words(task["description"]))
        ]
        chunks = [c for text in texts for c in passages(text)] or texts
        embeddings = MiniLMEmbeddings()
        text_vector = torch.nn.functional.normalize(
            embeddings.embed_tensor(chunks).mean(0), dim=0
        )  # (hidden,)
        label_vectors = embeddings.embed_tensor(
            [self.label_template.format(label=label) for label in labels]
        )
        scores = (label_vectors @ text_vector).tolist()  # one per label
        ranked = sorted(zip(labels, scores, strict=True), key=lambda pair: -pair[1])
        listing = ", ".join(f"{label}={score:.3f}" for label, score in ranked)
        return f"{ranked[0][0]}\n\nscores: {listing}", []
