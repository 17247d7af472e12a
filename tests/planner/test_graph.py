import math

import torch

from orchestai_agents.planner import GraphConfig
from orchestai_agents.planner.graph import GraphGenerator, acyclicity, forward_mask


def test_forward_mask_keeps_only_earlier_to_later_pairs_of_real_nodes() -> None:
    mask = forward_mask(torch.tensor([3, 1]), 3)
    assert mask[0].tolist() == [[False] * 3, [True, False, False], [True, True, False]]
    assert not mask[1].any()


def test_acyclicity_matches_the_hand_computed_notears_value() -> None:
    # Two nodes with a = sigmoid(0) = 0.5 both ways: h = tr(exp(A*A)) - 2 = 2 cosh(0.25) - 2.
    logits = torch.tensor([[[0.0, 0.0], [0.0, 0.0]]])
    expected = (2 * math.cosh(0.25) - 2) / 2
    assert torch.isclose(acyclicity(logits, torch.tensor([2])), torch.tensor(expected), atol=1e-5)
    one_way = torch.tensor([[[-1e4, -1e4], [1e4, -1e4]]])  # only 0 -> 1
    assert acyclicity(one_way, torch.tensor([2])).abs() < 1e-6


def test_every_conv_refines_nodes_and_scores_all_pairs() -> None:
    for conv in ("gcn", "gat", "sage"):
        torch.manual_seed(0)
        gen = GraphGenerator(GraphConfig(conv=conv, heads=4), 16)  # type: ignore[arg-type]
        nodes, deps = torch.randn(2, 3, 16), torch.randn(2, 3, 3)
        refined, edges = gen(nodes, deps, torch.randn(2, 16), torch.tensor([3, 2]))
        assert refined.shape == (2, 3, 16) and edges.shape == (2, 3, 3)
        edges.sum().backward()
        assert all(p.grad is not None for p in gen.pair.parameters())
