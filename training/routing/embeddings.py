"""Prompt and worker embeddings, computed once and cached under ``runs/cache/``.

Encoding thousands of prompts with MiniLM takes minutes on a small CPU; every later run reads
the cached ``.npy`` instead. The cache key covers the encoder and every text, so a changed table
or encoder never reads a stale file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from orchestai_agents._internal._files import write_replacing

__all__ = ["DEFAULT_CACHE_DIR", "embed_texts"]

DEFAULT_CACHE_DIR = Path("runs/cache")


def embed_texts(
    texts: Sequence[str],
    *,
    encoder: str | None = None,
    max_length: int = 256,
    cache_dir: str | Path | None = DEFAULT_CACHE_DIR,
) -> np.ndarray:
    """L2-normalised mean-pooled embeddings, (len(texts), hidden) float32.

    Args:
        texts: the texts to encode.
        encoder: a Hub id or folder; ``None`` is the offline MiniLM.
        max_length: tokens kept per text.
        cache_dir: where to keep the ``.npy`` files; ``None`` disables the cache.
    """
    from orchestai_agents.encoders import default_encoder_path

    name = encoder or default_encoder_path()
    # The offline default is keyed by its folder's name, so every install shares one cache; an
    # encoder the user names is keyed by the whole name (org/minilm and other/minilm differ).
    label = Path(name).name if encoder is None else encoder
    digest = hashlib.sha256(f"{label}|{max_length}".encode())
    for text in texts:
        digest.update(text.encode("utf-8", "replace") + b"\x00")
    path = Path(cache_dir) / f"emb-{digest.hexdigest()[:20]}.npy" if cache_dir is not None else None
    if path is not None and path.is_file():
        return np.load(path)
    from orchestai_agents.encoders import TextEncoder

    vectors = TextEncoder(name, max_length=max_length).encode(list(texts), normalize=True).pooled
    array = vectors.numpy().astype(np.float32)
    if path is not None:  # written whole or not at all: a cut file would break every later run
        path.parent.mkdir(parents=True, exist_ok=True)
        write_replacing(path, lambda temp: _save(temp, array))
    return array


def _save(path: Path, array: np.ndarray) -> None:
    with path.open("wb") as f:  # a file object: np.save would add ".npy" to a name
        np.save(f, array)
