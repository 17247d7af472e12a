"""Half precision for decoding plans on CPU: the fp16 copies compute what the float32 modules do,
follow the weights they copy, and leave the shipped planner's plans as they were."""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from orchestai_agents.planner import Inventory, Planner, load_default_planner
from orchestai_agents.planner.encoder import score_words, type_words
from orchestai_agents.planner.half import HalfLinear, HalfLSTM, fp16_available, half_copy

needs_fp16 = pytest.mark.skipif(not fp16_available(), reason="no fbgemm fp16 kernels here")


@needs_fp16
@torch.inference_mode()
def test_a_half_linear_computes_the_linear_layer() -> None:
    torch.manual_seed(0)
    linear = nn.Linear(24, 40)
    x = torch.randn(3, 5, 24)
    half = half_copy(linear)
    assert isinstance(half, HalfLinear)
    torch.testing.assert_close(half(x), linear(x), rtol=2e-3, atol=2e-3)
    assert half(x).shape == (3, 5, 40)
    unbiased = nn.Linear(24, 40, bias=False)
    torch.testing.assert_close(HalfLinear.of(unbiased)(x), unbiased(x), rtol=2e-3, atol=2e-3)


@needs_fp16
@torch.inference_mode()
def test_a_half_lstm_runs_the_sequence_and_state_the_lstm_does() -> None:
    torch.manual_seed(0)
    lstm = nn.LSTM(16, 16, batch_first=True)
    x, h, c = torch.randn(3, 4, 16), torch.randn(1, 3, 16), torch.randn(1, 3, 16)
    out, (h1, c1) = HalfLSTM(lstm)(x, (h, c))
    want, (h2, c2) = lstm(x, (h, c))
    for got, expected in ((out, want), (h1, h2), (c1, c2)):
        torch.testing.assert_close(got, expected, rtol=2e-3, atol=2e-3)


@needs_fp16
def test_half_copy_leaves_the_module_and_the_layers_it_cannot_copy_alone() -> None:
    model = nn.Sequential(nn.Linear(8, 8), nn.LSTM(8, 8, num_layers=2, batch_first=True))
    model.train()
    half = half_copy(model)
    assert isinstance(half[0], HalfLinear) and isinstance(half[1], nn.LSTM)  # two layers: kept
    assert isinstance(model[0], nn.Linear) and model.training and not half.training
    with pytest.raises(ValueError, match="one-layer"):
        HalfLSTM(model[1])


@needs_fp16
@torch.inference_mode()
def test_the_memorys_fp16_path_compares_with_the_same_keys() -> None:
    memory = load_default_planner().memory
    queries = F.normalize(torch.randn(3, memory.keys.shape[1]), dim=-1)
    torch.testing.assert_close(
        memory._similarities(queries, half=True),
        memory._similarities(queries, half=False),
        rtol=0,
        atol=1e-5,
    )


@torch.inference_mode()
def test_bf16_type_words_score_what_float32_ones_do() -> None:
    torch.manual_seed(0)
    words = type_words(torch.randn(5, 9, 32), torch.ones(5, 9, dtype=torch.long))
    tokens, mask = torch.randn(2, 7, 32), torch.tensor([[1] * 7, [1] * 4 + [0] * 3])
    low = score_words(tokens, mask, words._replace(keys=words.keys.bfloat16()))
    assert low.dtype == torch.float32
    torch.testing.assert_close(low, score_words(tokens, mask, words), rtol=0, atol=1e-2)


def _plans(planner: Planner, requests: list[str]) -> list[tuple]:
    return [
        (g.task_types, g.named_links, [round(c, 3) for c in g.complexity], g.workers)
        for r in requests
        for g in planner.predict([r])
    ]


def _rounded(plans: list[tuple]) -> list[tuple]:
    return [(*p[:3], [[(w, round(s, 2)) for w, s in ranked] for ranked in p[3]]) for p in plans]


@needs_fp16
def test_the_shipped_planner_plans_the_same_in_half_precision() -> None:
    from orchestai_agents.training.phase1_eval import test_split

    requests = [w.request for w in test_split("builtin")[1][:16]]
    planner = load_default_planner()
    half = _plans(planner, requests)
    assert planner._decoding(torch.device("cpu")).half
    full = copy.deepcopy(planner)
    full.config.decomposer.half_precision = False
    assert not full._decoding(torch.device("cpu")).half
    assert _rounded(half) == _rounded(_plans(full, requests))


@needs_fp16
def test_the_fp16_copies_follow_the_weights_they_copy(
    tiny_planner: Planner, tools: dict[str, str]
) -> None:
    """Loading new selector weights (as phase 3 does) must reach the plans made next."""
    names, texts = tuple(tools), tuple(tools.values())
    every = tuple(tuple(range(len(names))) for _ in names)  # any worker does any task type
    inventory = Inventory(names, texts, names, texts, every)
    requests = ["Summarise this paper and translate the summary"]
    tiny_planner.eval()
    first = tiny_planner._decoding(torch.device("cpu"))
    assert first.half and tiny_planner._decoding(torch.device("cpu")) is first
    before = tiny_planner.predict(requests, inventory)[0]
    torch.manual_seed(1)
    state = {k: torch.randn_like(v) for k, v in tiny_planner.selector.state_dict().items()}
    tiny_planner.selector.load_state_dict(state)
    assert tiny_planner._decoding(torch.device("cpu")) is not first
    after = tiny_planner.predict(requests, inventory)[0]
    tiny_planner.config.decomposer.half_precision = False
    expected = tiny_planner.predict(requests, inventory)[0]
    assert after.task_types == expected.task_types == before.task_types
    assert [[w for w, _ in r] for r in after.workers] == [
        [w for w, _ in r] for r in expected.workers
    ]
    got = [p for r in after.workers for _, p in r]
    want = [p for r in expected.workers for _, p in r]
    assert got == pytest.approx(want, abs=1e-2)
    assert [p for r in before.workers for _, p in r] != pytest.approx(want, abs=1e-2)


def test_training_decodes_with_the_float32_modules(tiny_planner: Planner) -> None:
    tiny_planner.train()
    net = tiny_planner._decoding(torch.device("cpu"))
    assert not net.half and net.decomposer is tiny_planner.decomposer
