"""The graph generator: a torch-geometric GNN over the sub-tasks that refines them and scores edges.

Messages flow over every pair of sub-tasks (weighted by the decomposer's dependency beliefs) and
through an instruction node linked to all of them. Edges are scored for every ordered pair, but only
pairs from an earlier to a later sub-task can be kept, so the output is acyclic by construction; the
acyclicity loss (NOTEARS, Zheng et al. 2018) teaches the unmasked scores to agree with that.
"""

from __future__ import annotations

import torch
from torch import nn
from torch_geometric.nn import GATConv, GCNConv, SAGEConv

from orchestai_agents.planner.config import GraphConfig

__all__ = ["GraphGenerator", "acyclicity", "forward_mask"]


def forward_mask(n_nodes: torch.Tensor, width: int) -> torch.Tensor:
    """(batch,) -> (batch, width, width) bool: [b, i, j] true where j < i < n_nodes[b]."""
    idx = torch.arange(width, device=n_nodes.device)
    real = idx.unsqueeze(0) < n_nodes.unsqueeze(1)  # (batch, width)
    earlier = idx.unsqueeze(1) > idx.unsqueeze(0)  # (width, width): i > j
    return earlier.unsqueeze(0) & real.unsqueeze(2)


def acyclicity(logits: torch.Tensor, n_nodes: torch.Tensor) -> torch.Tensor:
    """NOTEARS h(A) = tr(exp(A*A)) - n per graph, averaged; zero iff the soft graph is acyclic.

    Shapes:
        logits: (batch, n, n) scores of every ordered pair, n_nodes: (batch,)
    """
    width = logits.shape[-1]
    idx = torch.arange(width, device=logits.device)
    real = idx.unsqueeze(0) < n_nodes.unsqueeze(1)
    pair = real.unsqueeze(2) & real.unsqueeze(1) & (idx.unsqueeze(1) != idx.unsqueeze(0))
    adj = torch.sigmoid(logits) * pair
    h = torch.linalg.matrix_exp(adj * adj).diagonal(dim1=-2, dim2=-1).sum(-1) - width
    return (h / n_nodes.clamp(min=1)).mean()


class GraphGenerator(nn.Module):
    """GCN / GAT / GraphSAGE message passing, then a pair scorer.

    Shapes:
        nodes: (batch, n, hidden), dep_logits: (batch, n, n), instruction: (batch, hidden),
        n_nodes: (batch,) -> refined nodes (batch, n, hidden), edge logits (batch, n, n) for every
        ordered pair ([b, i, j] = "i depends on j"; only j < i may be kept)
    """

    def __init__(self, config: GraphConfig, hidden: int) -> None:
        super().__init__()
        self.config = config
        self.convs = nn.ModuleList(self._conv(config, hidden) for _ in range(config.layers))
        self.norms = nn.ModuleList(nn.LayerNorm(hidden) for _ in range(config.layers))
        self.pair = nn.Sequential(nn.Linear(3 * hidden, hidden), nn.GELU(), nn.Linear(hidden, 1))

    @staticmethod
    def _conv(config: GraphConfig, hidden: int) -> nn.Module:
        if config.conv == "gcn":
            return GCNConv(hidden, hidden)
        if config.conv == "gat":
            return GATConv(hidden, hidden // config.heads, heads=config.heads, edge_dim=1)
        return SAGEConv(hidden, hidden)

    def forward(
        self,
        nodes: torch.Tensor,
        dep_logits: torch.Tensor,
        instruction: torch.Tensor,
        n_nodes: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        batch, width, hidden = nodes.shape
        x = torch.cat(
            [nodes.reshape(batch * width, hidden), instruction]
        )  # (batch*n + batch, hidden)
        edge_index, weight = self._edges(dep_logits, n_nodes)
        for conv, norm in zip(self.convs, self.norms, strict=True):
            x = norm(x + torch.relu(self._convolve(conv, x, edge_index, weight)))
        refined = x[: batch * width].reshape(batch, width, hidden)
        tgt = refined.unsqueeze(2).expand(-1, -1, width, -1)  # the dependent sub-task i
        src = refined.unsqueeze(1).expand(-1, width, -1, -1)  # the dependency j
        pair = self.pair(torch.cat([tgt, src, tgt * src], dim=-1)).squeeze(-1)  # (batch, n, n)
        return refined, dep_logits + pair

    def _convolve(
        self, conv: nn.Module, x: torch.Tensor, edge_index: torch.Tensor, weight: torch.Tensor
    ) -> torch.Tensor:
        if self.config.conv == "gcn":
            return conv(x, edge_index, edge_weight=weight)
        if self.config.conv == "gat":
            return conv(x, edge_index, edge_attr=weight.unsqueeze(-1))
        return conv(x, edge_index)

    def _edges(
        self, dep_logits: torch.Tensor, n_nodes: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Both directions of every sub-task pair (weighted by the dependency belief) and instruction links."""
        batch, width, _ = dep_logits.shape
        mask = forward_mask(n_nodes, width)  # (batch, n, n): j < i
        prob = torch.sigmoid(dep_logits)
        if (
            self.config.conv == "sage"
        ):  # GraphSAGE takes no edge weights: keep the likely edges only
            mask = mask & (prob > self.config.edge_threshold)
        b, i, j = mask.nonzero(as_tuple=True)
        w = prob[b, i, j]
        tgt, src = b * width + i, b * width + j
        real_b, real_i = (
            torch.arange(width, device=n_nodes.device).unsqueeze(0) < n_nodes.unsqueeze(1)
        ).nonzero(as_tuple=True)
        node, hub = real_b * width + real_i, batch * width + real_b
        ones = torch.ones_like(node, dtype=w.dtype)
        edge_index = torch.stack(
            [torch.cat([src, tgt, hub, node]), torch.cat([tgt, src, node, hub])]
        )  # (2, edges): source row, target row
        return edge_index, torch.cat([w, w, ones, ones])
