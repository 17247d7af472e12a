"""Half precision for decoding plans on CPU.

Most of a plan's decoding on CPU is bound by reading weights, not by arithmetic: every beam-search
step reads the decomposer's 1.5 million float32 weights (6 MB) for four rows, and the plan memory
compares each request with 4,173 stored ones. fbgemm's fp16 GEMM reads weights stored as half
floats and computes in float32, so it reads half the bytes. Rounding a weight to fp16 moves it by
at most 2^-11 of itself.

The lexical match is the other way round: a request's 30-100 tokens against some 2,000 words of
the tool descriptions is arithmetic, which CPUs with AVX-512 BF16 do natively in bf16 (a bf16
value keeps 8 bits of mantissa). ``python -m benchmarks.planning_speed --stages`` shows each
stage's time.

The copies are for inference only; the float32 weights stay the ones that train and are saved.
"""

from __future__ import annotations

import copy
import functools

import torch
from torch import nn

__all__ = ["HalfLSTM", "HalfLinear", "bf16_available", "fp16_available", "half_copy"]


@functools.cache
def fp16_available() -> bool:
    """Whether this torch has fbgemm's fp16 linear kernels (x86 builds do; ARM builds do not)."""
    if "fbgemm" not in torch.backends.quantized.supported_engines:
        return False
    try:
        torch.ops.quantized.linear_prepack_fp16  # noqa: B018 (raises when the op is missing)
        torch.ops.quantized.linear_dynamic_fp16  # noqa: B018
    except (AttributeError, RuntimeError):
        return False
    return True


@functools.cache
def bf16_available() -> bool:
    """Whether this CPU multiplies bf16 matrices natively (AVX-512 BF16); without it bf16 is
    emulated and slower than float32."""
    supported = getattr(torch.cpu, "_is_avx512_bf16_supported", None)
    return bool(supported and supported())


class HalfLinear(nn.Module):
    """``x @ weight.T + bias`` with the weight packed as fp16 for fbgemm (CPU, inference only).

    Shapes:
        weight: (out, in); bias: (out,); x: (..., in) -> (..., out)
    """

    def __init__(self, weight: torch.Tensor, bias: torch.Tensor | None = None) -> None:
        super().__init__()
        self.in_features, self.out_features = weight.shape[1], weight.shape[0]
        self._packed = torch.ops.quantized.linear_prepack_fp16(
            weight.detach().float().cpu(), None if bias is None else bias.detach().float().cpu()
        )

    @classmethod
    def of(cls, linear: nn.Linear) -> HalfLinear:
        return cls(linear.weight, linear.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.ops.quantized.linear_dynamic_fp16(x, self._packed)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, fp16"


class HalfLSTM(nn.Module):
    """A one-layer, batch-first :class:`torch.nn.LSTM` with fp16 weights; called like it, with a state.

    Shapes:
        inputs: (rows, steps, in); state: ((1, rows, hidden), (1, rows, hidden))
        -> outputs (rows, steps, hidden), the final state
    """

    def __init__(self, lstm: nn.LSTM) -> None:
        super().__init__()
        if not _one_layer(lstm):
            raise ValueError("HalfLSTM copies a one-layer, one-way, batch-first LSTM")
        self.input = HalfLinear(lstm.weight_ih_l0, lstm.bias_ih_l0)
        self.hidden = HalfLinear(lstm.weight_hh_l0, lstm.bias_hh_l0)

    def forward(
        self, inputs: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor]
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        h, c = state[0][0], state[1][0]
        gates_in = self.input(inputs)  # every step's input part at once
        outputs = []
        for step in range(inputs.shape[1]):
            i, f, g, o = (gates_in[:, step] + self.hidden(h)).chunk(4, dim=-1)  # torch's order
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            outputs.append(h)
        return torch.stack(outputs, 1), (h.unsqueeze(0), c.unsqueeze(0))


def half_copy(module: nn.Module) -> nn.Module:
    """A copy of ``module`` in eval mode whose :class:`~torch.nn.Linear` and one-layer
    :class:`~torch.nn.LSTM` layers hold fp16 weights (:class:`HalfLinear`, :class:`HalfLSTM`).

    Other layers (embeddings, torch-geometric convolutions, other LSTMs, bare parameters) stay
    float32.
    """
    out = copy.deepcopy(module).eval()
    if isinstance(out, nn.Linear):
        return HalfLinear.of(out)
    for parent in list(out.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, nn.Linear):
                setattr(parent, name, HalfLinear.of(child))
            elif isinstance(child, nn.LSTM) and _one_layer(child):
                setattr(parent, name, HalfLSTM(child))
    return out


def _one_layer(lstm: nn.LSTM) -> bool:
    return (
        lstm.num_layers == 1 and not lstm.bidirectional and not lstm.proj_size and lstm.batch_first
    )
