from collections.abc import Iterator

import pytest
import torch
from orchestai_agents.adapters._torch_threads import intra_op_threads


@pytest.fixture(autouse=True)
def three_threads() -> Iterator[None]:
    """Start from 3 threads, so a setting left at 1 (or never changed) shows."""
    before = torch.get_num_threads()
    torch.set_num_threads(3)
    yield
    torch.set_num_threads(before)


def test_thread_count_is_set_inside_and_restored_after() -> None:
    with intra_op_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == 3


def test_none_leaves_the_setting_alone() -> None:
    with intra_op_threads(None):
        assert torch.get_num_threads() == 3


def test_restored_after_an_error() -> None:
    with pytest.raises(RuntimeError, match="boom"), intra_op_threads(1):
        raise RuntimeError("boom")
    assert torch.get_num_threads() == 3
