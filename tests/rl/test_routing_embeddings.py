"""Cached prompt embeddings are keyed by the whole encoder name, not the last part of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import torch
from orchestai_agents.training.routing.embeddings import embed_texts

from orchestai_agents.encoders import default_encoder_path


def _tiny_bert(folder: Path, seed: int) -> str:
    from transformers import BertConfig, BertModel

    torch.manual_seed(seed)
    config = BertConfig(
        hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64
    )
    BertModel(config).save_pretrained(folder)
    for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"):
        shutil.copyfile(Path(default_encoder_path()) / name, folder / name)
    return str(folder)


def test_two_encoders_with_the_same_folder_name_do_not_share_a_cache(tmp_path: Path) -> None:
    first = _tiny_bert(tmp_path / "org" / "minilm", seed=0)
    second = _tiny_bert(tmp_path / "other" / "minilm", seed=1)
    texts = ["book a flight", "what is 2 + 2?"]
    cache = tmp_path / "cache"

    a = embed_texts(texts, encoder=first, cache_dir=cache)
    b = embed_texts(texts, encoder=second, cache_dir=cache)

    assert not np.allclose(a, b)
    np.testing.assert_array_equal(embed_texts(texts, encoder=first, cache_dir=cache), a)
    assert len(list(cache.glob("emb-*.npy"))) == 2
