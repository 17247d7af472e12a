import torch
from torch.nn import functional as F

from orchestai_agents.planner import Inventory, Planner
from orchestai_agents.planner.encoder import type_words


def test_type_words_skip_special_tokens_and_padding() -> None:
    tokens = torch.arange(1.0, 21.0).view(2, 5, 2)  # (types, len, enc)
    mask = torch.tensor([[1, 1, 1, 1, 0], [1, 1, 1, 0, 0]])  # [CLS] w w [SEP] pad; [CLS] w [SEP]
    words = type_words(tokens, mask)
    assert words.types.tolist() == [0, 0, 1] and words.n_types == 2
    assert words.share.tolist() == [0.5, 0.5, 1.0]
    assert torch.equal(words.keys, F.normalize(tokens[[0, 0, 1], [1, 2, 1]], dim=-1))


def test_type_words_are_kept_for_the_last_inventory(
    tiny_planner: Planner, inventory: Inventory
) -> None:
    types, _ = tiny_planner.embed_inventory(inventory)
    words = tiny_planner.encoder.words_of(types)
    assert tiny_planner.encoder.words_of(types) is words
    other, _ = tiny_planner.embed_inventory(Inventory.of_tools({"translate": "Translate a text."}))
    assert tiny_planner.encoder.words_of(other).n_types == 1
