import torch

from orchestai_agents.planner.config import MemoryConfig
from orchestai_agents.planner.memory import PlanMemory


def _memory() -> PlanMemory:
    memory = PlanMemory(MemoryConfig(size=3, max_len=3, neighbours=2), encoder_size=2)
    keys = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    # Stored plans over 4 memory types: type 3 is not in the inventory planned over below.
    memory.fill(keys, torch.tensor([[0, 2, -1], [1, 3, 0], [2, -1, -1]]))
    with torch.no_grad():
        memory.log_temperature.fill_(0.0)
        memory.type_weight.fill_(1.0)
        memory.step_weight.fill_(10.0)
        memory.stop_weight.fill_(100.0)
    return memory


def test_the_prior_weighs_what_the_nearest_plans_name_at_each_step_and_where_they_end() -> None:
    memory = _memory()
    type_map = torch.tensor([2, 0, 1, -1])  # memory type -> inventory column (3: absent)
    pooled = torch.tensor([[1.0, 1.0], [1.0, 0.0]])
    prior = memory.prior(pooled, type_map, n_types=3, steps=4)
    # Request 0 is as close to stored plans 0 and 1: half each.
    w = torch.tensor([0.5, 0.5])
    anywhere = torch.tensor([w[1], w[0], w[0] + w[1]])  # plan 0 names columns 2, 1; plan 1: 0, 2
    at_step = torch.zeros(4, 3)
    at_step[0, 2], at_step[0, 0] = w[0], w[1]  # step 0: plan 0's type 0, plan 1's type 1
    at_step[1, 1] = w[0]  # step 1: plan 0's type 2; plan 1's type 3 is absent
    at_step[2, 2] = w[1]  # step 2: plan 1's type 0; plan 0 has ended (no column 0 for padding)
    torch.testing.assert_close(prior.types[0], anywhere + 10.0 * at_step)
    torch.testing.assert_close(prior.stop[0], 100.0 * torch.tensor([0.0, 0.0, w[0], w[1]]))
    # Request 1 sits on plan 0, with plan 1 at cosine 0: softmax(1, 0) at temperature 1.
    near = torch.softmax(torch.tensor([1.0, 0.0]), -1)
    expected = torch.stack([11 * near[1], near[0], 1 + 10 * near[0]])
    torch.testing.assert_close(prior.types[1, 0], expected)


def test_the_prior_leaves_a_request_out_of_its_own_neighbours_and_trains_its_weights() -> None:
    memory = _memory()
    type_map = torch.arange(4)
    prior = memory.prior(torch.tensor([[1.0, 0.0]]), type_map, 4, 3, exclude=torch.tensor([0]))
    # Without plan 0, the nearest are plans 1 and 2 (cosine 0 and -1).
    assert prior.types[0, 0, 1] > 0 and prior.types[0, 0, 2] > 0 and prior.types[0, 0, 0] > 0
    stop = prior.stop[0].tolist()
    assert stop[1] > 0 and stop[2] == 0  # plan 2 ends after one step, plan 1 after three
    (prior.types.sum() + prior.stop.sum()).backward()
    for p in (memory.type_weight, memory.step_weight, memory.stop_weight, memory.log_temperature):
        assert p.grad is not None and p.grad != 0
