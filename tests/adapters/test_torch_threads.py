import torch
from orchestai_agents.adapters._torch_threads import intra_op_threads


def test_thread_count_is_set_inside_and_restored_after() -> None:
    before = torch.get_num_threads()
    with intra_op_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


def test_none_leaves_the_setting_alone() -> None:
    before = torch.get_num_threads()
    with intra_op_threads(None):
        assert torch.get_num_threads() == before


def test_restored_after_an_error() -> None:
    before = torch.get_num_threads()
    try:
        with intra_op_threads(1):
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert torch.get_num_threads() == before
