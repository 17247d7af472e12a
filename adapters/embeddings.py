"""MiniLM sentence embeddings: a LangChain ``Embeddings`` and a passage-ranking tool."""

from __future__ import annotations

import threading

import torch
from langchain_core.embeddings import Embeddings
from orchestai_agents.adapters._task_text import dependency_texts
from orchestai_agents.adapters._text_split import passages
from orchestai_agents.adapters._torch_threads import intra_op_threads
from orchestai_agents.adapters.pdf_text import text_file_inputs
from orchestai_agents.adapters.task_tool import TaskTool

from orchestai_agents.encoders import TextEncoder
from orchestai_agents.errors import InputFileError
from orchestai_agents.plan import request_words
from orchestai_agents.registry import TaskInput

__all__ = [
    "MiniLMEmbeddings",
    "PassageRankTool",
    "shared_text_encoder",
    "task_text_sources",
]

_LOCK = threading.Lock()
_SHARED: list[TextEncoder] = []


def shared_text_encoder() -> TextEncoder:
    """The process-wide offline MiniLM encoder (256 tokens per text), loaded on first use."""
    with _LOCK:
        if not _SHARED:
            _SHARED.append(TextEncoder(max_length=256))
        return _SHARED[0]


class MiniLMEmbeddings(Embeddings):
    """all-MiniLM-L6-v2 embeddings (384 dimensions, L2-normalised) as a LangChain ``Embeddings``.

    Args:
        encoder: a :class:`TextEncoder`; ``None`` shares the offline MiniLM, loaded on first use.
        batch_size: texts per forward pass.
        torch_threads: torch intra-op threads while encoding (``None``: torch's setting); one is
            fastest on shared cores (see :func:`intra_op_threads`).

    Example:
        >>> emb = MiniLMEmbeddings()
        >>> len(emb.embed_query("slides from a paper"))  # doctest: +SKIP
        384
    """

    def __init__(
        self,
        encoder: TextEncoder | None = None,
        *,
        batch_size: int = 32,
        torch_threads: int | None = 1,
    ) -> None:
        self._encoder = encoder
        self.batch_size = batch_size
        self.torch_threads = torch_threads

    @property
    def encoder(self) -> TextEncoder:
        return self._encoder or shared_text_encoder()

    def embed_tensor(self, texts: list[str]) -> torch.Tensor:
        """Normalised embeddings, shape (len(texts), hidden)."""
        with intra_op_threads(self.torch_threads):
            return self.encoder.encode(texts, normalize=True, batch_size=self.batch_size).pooled

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_tensor(list(texts)).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def task_text_sources(tool: TaskTool, task: TaskInput) -> list[str]:
    """The texts a text tool works on: dependency texts, then .txt/.md inputs (checked paths)."""
    return [
        *(text for _, text in dependency_texts(task)),
        *(text for _, text in text_file_inputs(task, tool.files)),
    ]


class PassageRankTool(TaskTool):
    """Ranks the passages of earlier steps' texts (and .txt/.md inputs) by similarity to the step.

    The query is the step's words (:func:`~orchestai_agents.plan.request_words`: without the
    task type's description a planned step carries); passages are runs of sentences of about 600
    characters; the score is the cosine similarity of their MiniLM embeddings.

    Example:
        >>> tool = PassageRankTool(top_k=3)
        >>> tool.invoke({"description": "cost of routing", "context": {"x": {"text": "..."}}})  # doctest: +SKIP
    """

    name: str = "minilm_embed"
    description: str = (
        "Rank text passages by semantic similarity to a query with MiniLM sentence embeddings."
    )
    top_k: int = 5
    passage_chars: int = 600

    def execute(self, task: TaskInput) -> tuple[str, list[str]]:
        chunks = [
            c for text in task_text_sources(self, task) for c in passages(text, self.passage_chars)
        ]
        if not chunks:
            raise InputFileError(
                f"step {task['node_id']!r}: no text to rank; give it a dependency that produces text or a .txt/.md input"
            )
        embeddings = MiniLMEmbeddings()
        asked = request_words(task["description"]) or task["instruction"]
        query = embeddings.embed_tensor([asked])  # (1, hidden)
        scores = (embeddings.embed_tensor(chunks) @ query.T).squeeze(1)  # (n_chunks,)
        top = torch.topk(scores, min(self.top_k, len(chunks)))
        lines = [
            f"{rank}. [{score:.3f}] {chunks[i]}"
            for rank, (score, i) in enumerate(
                zip(top.values.tolist(), top.indices.tolist(), strict=True), 1
            )
        ]
        return "\n".join(lines), []
