"""The 1-NN retrieval baseline: copy the plan of the most similar training request.

Requests are embedded with the shared :class:`~orchestai_agents.encoders.TextEncoder` (MiniLM,
mean pooling, L2-normalised), so similarity is the cosine. Every evaluation table carries this
baseline: a learned planner that does not beat it has not learned to plan. Embeddings can be
cached in a folder (safetensors, keyed by the encoder and the exact texts), which matters on a
shared 2-core machine.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from orchestai_agents.encoders import TextEncoder

from .metrics import PredictedPlan
from .workflows import AnnotatedWorkflow

__all__ = ["NearestNeighbourPlanner", "embed_texts"]

# sentence-transformers' max_seq_length for all-MiniLM-L6-v2; the published baseline used it.
RETRIEVAL_MAX_LENGTH = 256


def embed_texts(
    encoder: TextEncoder,
    texts: Sequence[str],
    *,
    cache_dir: str | Path | None = None,
    batch_size: int = 64,
) -> torch.Tensor:
    """Normalised pooled embeddings ``(len(texts), hidden)``, read from / written to ``cache_dir``."""
    cache = _cache_file(encoder, texts, cache_dir) if cache_dir is not None else None
    if cache is not None and cache.is_file():
        return load_file(cache)["embeddings"]
    embeddings = (
        encoder.encode(list(texts), normalize=True, batch_size=batch_size).pooled.float().cpu()
    )
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        save_file({"embeddings": embeddings.contiguous()}, cache)
    return embeddings


def _cache_file(encoder: TextEncoder, texts: Sequence[str], cache_dir: str | Path) -> Path:
    digest = hashlib.sha1(f"{encoder.name_or_path}|{encoder.max_length}".encode())
    for text in texts:
        digest.update(b"\x00" + text.encode("utf-8"))
    return Path(cache_dir) / f"embeddings-{digest.hexdigest()[:20]}.safetensors"


class NearestNeighbourPlanner:
    """Predict, for each request, the plan (node names and named links) of its nearest training request.

    Args:
        train: the workflows whose plans can be copied.
        encoder: a loaded encoder; ``None`` loads the offline MiniLM with 256 tokens.
        cache_dir: where to keep embeddings between runs (e.g. ``runs/cache``); ``None`` keeps none.

    Example:
        >>> planner = NearestNeighbourPlanner(load_planning_dataset("ultratool", split="train"))
        >>> nodes, links = planner.predict(["Book a flight to Paris and remind me the day before"])[0]
    """

    def __init__(
        self,
        train: Sequence[AnnotatedWorkflow],
        encoder: TextEncoder | None = None,
        *,
        cache_dir: str | Path | None = None,
    ) -> None:
        if not train:
            raise ValueError(
                "NearestNeighbourPlanner needs at least one training workflow to copy plans from"
            )
        self.train = list(train)
        self.encoder = encoder or TextEncoder(max_length=RETRIEVAL_MAX_LENGTH)
        self.cache_dir = cache_dir
        self.train_embeddings = embed_texts(
            self.encoder, [w.request for w in self.train], cache_dir=cache_dir
        )
        # (n_train, hidden)

    def neighbours(self, requests: Sequence[str]) -> list[int]:
        """Index into ``train`` of each request's most similar training request (ties: the first)."""
        if isinstance(requests, str):
            raise TypeError("neighbours() takes a list of requests, not one string")
        if not requests:
            return []
        queries = embed_texts(
            self.encoder, requests, cache_dir=self.cache_dir
        )  # (n_requests, hidden)
        return (queries @ self.train_embeddings.T).argmax(dim=1).tolist()

    def predict(self, requests: Sequence[str]) -> list[PredictedPlan]:
        """The copied plans, one ``(node_names, named_links)`` per request."""
        return [
            (self.train[i].node_names, self.train[i].named_links) for i in self.neighbours(requests)
        ]

    __call__ = predict
