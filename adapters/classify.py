"""Zero-shot text classification by MiniLM similarity between the text and each label."""

from __future__ import annotations

import re

import torch
from orchestai_agents.adapters._text_split import passages
from orchestai_agents.adapters.embeddings import MiniLMEmbeddings, task_text_sources
from orchestai_agents.adapters.task_tool import TaskTool

from orchestai_agents.errors import StepInputError
from orchestai_agents.plan import request_words
from orchestai_agents.registry import TaskInput

__all__ = ["ZeroShotClassifierTool", "parse_labels", "spoken_labels"]

_LABELS = re.compile(r"\b(?:labels|categories|classes)\s*:\s*(.+)", re.IGNORECASE)
# "as A, B or C", "(A or B)", "one of: A, B or C", "label it A or B": a word that introduces the
# list, then items of one to three words, the last joined by "or".
_INTRO = ("as", "into", "from", "between", "among", "either", "it's", "it is", "it", "is", "are")
_ITEM = r"[\w'-]+(?: [\w'-]+){0,2}"
_ITEMS = rf"(?P<items>{_ITEM}(?:\s*,\s*{_ITEM})*,?\s+or\s+{_ITEM})"
_SPOKEN = re.compile(rf"(?:[:(]|\b(?:{'|'.join(_INTRO)})\b)\s*{_ITEMS}", re.IGNORECASE)
# A question that is only the choice: "The server is down! Urgent or routine?"
_QUESTION = re.compile(rf"(?:^|(?<=[.!?]))\s*{_ITEMS}\s*\?", re.IGNORECASE)
# Words that start the subject of a question: "is [this message] urgent or routine?"
_SUBJECT = {"this", "that", "these", "those", "the", "my", "your", "our", "their", "its"}
_LEAD = {"a", "an", "the", *_INTRO}  # words dropped from the start of a label
_TAIL = {"based", "by", "depending", "for", "from", "if", "in", "on", "please", "so", "to", "with"}


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


def spoken_labels(text: str) -> list[str]:
    """The first list of labels written in prose: ``as A, B or C``, ``(A or B)``, ``one of: A or B``.

    Each label is one to three words; leading articles are dropped, and so are words after the
    last label that start a new phrase (``based on``, ``for``, ``so``...). Lists joined only by
    "and" are not read: "summarise it and translate it" is not a choice.

    Example:
        >>> spoken_labels("Classify this ticket as a billing, technical or account request.")
        ['billing', 'technical', 'account request']
        >>> spoken_labels("Tag the call as a qualified or unqualified lead based on what is said")
        ['qualified', 'unqualified lead']
        >>> spoken_labels("Is this message urgent or routine?")
        ['urgent', 'routine']
    """
    return _read_spoken(text)[0]


def _read_spoken(text: str) -> tuple[list[str], str]:
    """:func:`spoken_labels` of ``text``, and ``text`` without the words that list them."""
    match = _SPOKEN.search(text) or _QUESTION.search(text)
    if not match:
        return [], text
    items = re.split(r"\s*,\s*(?:or\s+)?|\s+or\s+", match.group("items"))
    first = items[0].split()
    if (
        text[match.end() :].lstrip().startswith("?")
        and len(first) >= 3
        and first[0].lower() in _SUBJECT
    ):
        items[0] = " ".join(first[2:])  # the question's subject goes: "this message urgent"
    labels = []
    for i, item in enumerate(items):
        words = item.split()
        while words and words[0].lower() in _LEAD:
            words = words[1:]
        if i == len(items) - 1:
            cut = next((j for j, w in enumerate(words) if w.lower() in _TAIL), len(words))
            words = words[:cut]
        if words and " ".join(words) not in labels:
            labels.append(" ".join(words))
    return labels if len(labels) >= 2 else [], text[: match.start()] + text[match.end() :]


def _asked(task: TaskInput) -> str:
    """The step's words and what follows them in the instruction, else the step's words.

    The planner describes a step by the clause of the request it serves, cut at commas, so a list
    of labels ("billing, technical or account access") or a pasted text may go on after it.
    """
    words = request_words(task["description"])
    at = task["instruction"].find(words) if words else -1
    return task["instruction"][at:] if at >= 0 else words


class ZeroShotClassifierTool(TaskTool):
    """Picks the label whose description is most similar to the text (MiniLM cosine similarity).

    The labels come from the step description (``... labels: a, b, c``), else from ``labels``,
    else from the request's prose from the step's words on (``as a, b or c``, see
    :func:`spoken_labels`), else from anywhere in the request. The text is the dependencies'
    text (else .txt/.md inputs, else the request from the step's words on, without the label
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
        "Zero-shot classify a text into given labels ('labels: a, b, c' or 'as a, b or c') with "
        "MiniLM similarity."
    )
    labels: list[str] | None = None
    label_template: str = "This text is about {label}."

    def execute(self, task: TaskInput) -> tuple[str, list[str]]:
        asked = _asked(task)
        labels = parse_labels(task["description"]) or list(self.labels or [])
        if not labels:
            labels, rest = _read_spoken(asked)
            if labels:
                asked = rest
            else:  # the list may come before the step's words: "Urgent or routine? '...'"
                labels = spoken_labels(task["instruction"])
        if len(labels) < 2:
            raise StepInputError(
                f"step {task['node_id']!r}: found labels {labels} in its description and request; "
                "name at least two, e.g. 'as urgent or routine' or 'labels: positive, negative', "
                "or construct the tool with labels=[...]"
            )
        texts = task_text_sources(self, task) or [_LABELS.sub("", asked)]
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
