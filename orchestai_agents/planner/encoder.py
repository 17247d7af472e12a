"""The planner's view of the text encoder: token states, adapter layers and description embeddings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import torch
from torch import nn
from torch.nn import functional as F

from orchestai_agents.encoders import EncodedText, TextEncoder, int8_available
from orchestai_agents.errors import CheckpointError
from orchestai_agents.planner.config import EncoderConfig

__all__ = [
    "PlannerEncoder",
    "TypeWords",
    "describe",
    "lexical_match",
    "score_words",
    "type_words",
]


def describe(name: str, description: str) -> str:
    """The text a task type, tool or worker is embedded from: its name in words, then its description."""
    words = name.replace("_", " ").replace("-", " ").strip()
    return f"{words}: {description}" if description else words


class TypeWords(NamedTuple):
    """The first words of each task type's text, as :func:`lexical_match` scores them.

    They depend only on the inventory, so inference computes them once per inventory.

    Shapes:
        keys: (n_words, enc) unit-length token states, float32 (bf16 to score in bf16); types:
        (n_words,) the type of each word; share: (n_words,) 1 / the number of words of its type;
        n_types: how many types
    """

    keys: torch.Tensor
    types: torch.Tensor
    share: torch.Tensor
    n_types: int


def type_words(type_tokens: torch.Tensor, type_mask: torch.Tensor, *, words: int = 8) -> TypeWords:
    """The first ``words`` tokens of each type's text (its name comes first), special tokens skipped.

    Shapes:
        type_tokens (types, len, enc), type_mask (types, len)
    """
    lengths = type_mask.sum(1)  # real tokens incl. [CLS] and [SEP]
    pos = torch.arange(1, words + 1, device=lengths.device)
    keep = pos.unsqueeze(0) < (
        lengths.unsqueeze(1) - 1
    )  # (types, words): drops [CLS], [SEP], padding
    rows, cols = keep.nonzero(as_tuple=True)
    keys = F.normalize(type_tokens[rows, cols + 1].float(), dim=-1)  # (n_words, enc)
    share = 1.0 / keep.sum(1).clamp(min=1)[rows].float()  # each type's words average to its score
    return TypeWords(keys, rows, share, type_mask.shape[0])


def lexical_match(
    tokens: torch.Tensor,
    mask: torch.Tensor,
    type_tokens: torch.Tensor,
    type_mask: torch.Tensor,
    *,
    words: int = 8,
    chunk: int = 32,
) -> torch.Tensor:
    """How well each task type's words are covered by the request (late interaction, as ColBERT).

    For each of the first ``words`` tokens of a type's text (its name comes first; special tokens
    are skipped), the best cosine with any request token, averaged. It needs no training and
    carries over to new inventories. With a fixed inventory, compute :func:`type_words` once and
    call :func:`score_words`.

    Shapes:
        tokens (batch, seq, enc), mask (batch, seq), type_tokens (types, len, enc),
        type_mask (types, len) -> (batch, types)
    """
    return score_words(tokens, mask, type_words(type_tokens, type_mask, words=words), chunk=chunk)


def score_words(
    tokens: torch.Tensor, mask: torch.Tensor, words: TypeWords, *, chunk: int = 32
) -> torch.Tensor:
    """:func:`lexical_match` against precomputed type words, ``chunk`` requests at a time, in
    the precision of ``words.keys``.

    Shapes:
        tokens (batch, seq, enc), mask (batch, seq) -> (batch, types)
    """
    out = []
    for start in range(0, tokens.shape[0], chunk):
        m = mask[start : start + chunk].bool()
        width = int(m.sum(1).max())
        q = F.normalize(tokens[start : start + chunk, :width].float(), dim=-1)  # (chunk, seq, enc)
        # (chunk, seq, n_words): tens of MB at batch 32, masked in place where there is padding
        scores = q.to(words.keys.dtype) @ words.keys.T
        if not m[:, :width].all():
            scores.masked_fill_(~m[:, :width, None], -1.0)
        best = scores.amax(1).float()  # (chunk, n_words)
        score = torch.zeros(q.shape[0], words.n_types, device=q.device)
        out.append(score.index_add_(1, words.types, best * words.share))
    return torch.cat(out)


class PlannerEncoder(nn.Module):
    """A :class:`TextEncoder` plus trainable adapter layers over its token states.

    The encoder proper is frozen unless ``config.trainable``; its outputs can then be computed once
    and cached (:meth:`encode`), and only :meth:`adapt` runs in the training loop.

    Shapes:
        encode: texts -> pooled (batch, enc), tokens (batch, seq, enc), mask (batch, seq)
        adapt: tokens (batch, seq, enc), mask (batch, seq) -> (batch, seq, enc)
    """

    def __init__(self, config: EncoderConfig) -> None:
        super().__init__()
        self.config = config
        try:
            self.text = TextEncoder(
                config.name_or_path,
                max_length=config.max_length,
                trainable=config.trainable,
                trainable_layers=config.trainable_layers,
            )
        except ValueError as exc:  # settings the encoder cannot meet
            raise CheckpointError(f"planner encoder config: {exc}") from exc
        except OSError as exc:  # transformers' "not a folder, not a Hub id, not in the cache"
            raise CheckpointError(
                f"cannot load the planner's encoder {config.name_or_path or 'MiniLM'!r}; give a transformers "
                "encoder folder or Hub id (offline, one already in the cache)"
            ) from exc
        if self.text.hidden_size != config.hidden_size:
            raise CheckpointError(
                f"encoder {self.text.name_or_path!r} has hidden size {self.text.hidden_size}, but the planner "
                f"config says {config.hidden_size}; load the encoder the planner was trained with"
            )
        layer = nn.TransformerEncoderLayer(
            config.hidden_size,
            config.adapter_heads,
            4 * config.hidden_size,
            dropout=0.1,
            batch_first=True,
        )
        self.adapter = (
            nn.TransformerEncoder(layer, config.adapter_layers, enable_nested_tensor=False)
            if config.adapter_layers
            else None
        )
        self._cache: dict[tuple[str, ...], EncodedText] = {}
        self._words: tuple[torch.Tensor, torch.dtype, TypeWords] | None = None

    def frozen(self, key: str) -> bool:
        """Whether a state-dict key (relative to this module) is a frozen encoder weight, which
        checkpoints leave out (the encoder is loaded by name); fine-tuned layers are stored."""
        if not key.startswith("text."):
            return False
        return not key[len("text.") :].startswith(self.text.trainable_prefixes())

    def encode(self, texts: Sequence[str]) -> EncodedText:
        """Encoder outputs (no gradient unless the encoder is trainable and training)."""
        self._maybe_quantize()
        return self.text.encode(list(texts))

    def adapt(self, tokens: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        if self.adapter is None:
            return tokens
        return self.adapter(tokens.float(), src_key_padding_mask=~mask.bool())

    def describe_all(self, texts: Sequence[str]) -> EncodedText:
        """Encoded descriptions, cached per inventory while the encoder is frozen.

        Shapes:
            pooled (len(texts), enc), tokens (len(texts), seq, enc), mask (len(texts), seq)
        """
        key = tuple(texts)
        if self.config.trainable and self.training:
            return self.text.encode(key)
        cached = self._cache.get(key)
        if cached is None:
            out = self.encode(key)
            cached = EncodedText(out.pooled.detach(), out.tokens.detach(), out.mask)
            if len(self._cache) >= 8:  # a few inventories (types and workers of each) stay cached
                self._cache.pop(next(iter(self._cache)), None)
            self._cache[key] = cached
        # The local value: another thread may have evicted the entry since (a shared planner).
        return cached

    def words_of(self, types: EncodedText, dtype: torch.dtype = torch.float32) -> TypeWords:
        """:func:`type_words` of encoded descriptions, their keys in ``dtype``, kept for the last
        inventory seen.

        Gathering and normalising every type's words costs about a millisecond at batch 1; the
        descriptions come from :meth:`describe_all`'s cache, so the same inventory gives the same
        token tensor, whose identity keys this cache (holding it keeps the identity valid).
        """
        cached = self._words  # read once: another thread may replace it meanwhile
        if cached is None or cached[0] is not types.tokens or cached[1] != dtype:
            words = type_words(types.tokens, types.mask)
            cached = (types.tokens, dtype, words._replace(keys=words.keys.to(dtype)))
            self._words = cached
        return cached[2]

    def _maybe_quantize(self) -> None:
        # int8 dynamic quantization triples CPU speed of the encoder; only at inference.
        if not self.config.quantize or self.text.quantized or self.training:
            return
        if next(self.text.model.parameters()).device.type != "cpu" or not int8_available():
            return
        self.text.quantize()
        self._cache.clear()

    def train(self, mode: bool = True) -> PlannerEncoder:
        if mode and self.config.trainable:  # fine-tuning changes what was encoded before
            self._cache.clear()
            self._words = None
        return super().train(mode)

    def _load_from_state_dict(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self._cache.clear()  # new fine-tuned weights: descriptions are encoded again
        self._words = None
        super()._load_from_state_dict(*args, **kwargs)
