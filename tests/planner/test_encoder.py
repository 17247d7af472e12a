import shutil
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from torch.nn import functional as F

from orchestai_agents.encoders import TextEncoder, int8_available
from orchestai_agents.errors import CheckpointError
from orchestai_agents.planner import EncoderConfig, Inventory, Planner
from orchestai_agents.planner.encoder import PlannerEncoder, type_words


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


@pytest.mark.parametrize("layers", [1, 6])
def test_the_fine_tuned_top_layers_reproduce_the_encoder_from_cached_states(layers: int) -> None:
    encoder = TextEncoder(trainable=True, trainable_layers=layers).eval()
    texts = ["book a flight to Paris and check the weather there", "hi"]
    below = encoder.encode_below(texts)
    with torch.no_grad():
        top = encoder.run_top(below.tokens, below.mask)
    full = encoder.encode(texts)
    assert torch.allclose(top.tokens, full.tokens, atol=1e-5)
    assert torch.allclose(top.pooled, full.pooled, atol=1e-5)
    trained = {n for n, p in encoder.model.named_parameters() if p.requires_grad}
    assert trained and {int(n.split(".")[2]) for n in trained} == set(range(6 - layers, 6))
    assert encoder.trainable_prefixes() == tuple(
        f"model.encoder.layer.{i}." for i in range(6 - layers, 6)
    )


def test_fine_tuning_settings_the_encoder_cannot_meet_are_clear_errors() -> None:
    with pytest.raises(ValueError, match=r"trainable_layers must lie in \[1, 6\].*got 7"):
        TextEncoder(trainable=True, trainable_layers=7)
    # 0 layers is refused by EncoderConfig itself; 7 only once the encoder's depth (6) is known.
    with pytest.raises(CheckpointError, match="planner encoder config: trainable_layers"):
        PlannerEncoder(EncoderConfig(trainable=True, trainable_layers=7))
    frozen = TextEncoder()
    assert frozen.trainable_prefixes() == () and frozen.top_layers == 0
    with pytest.raises(ValueError, match="needs a trainable encoder"):
        frozen.encode_below(["hi"])
    frozen.model = torch.nn.Linear(2, 2)  # stands in for an encoder without BERT's layer stack
    with pytest.raises(ValueError, match=r"BERT-style encoder.*Linear.*keep it frozen"):
        frozen.set_trainable(True, 1)


def test_an_encoder_with_pickled_weights_only_is_refused(
    tiny_encoder_dir: str, tmp_path: Path
) -> None:
    folder = tmp_path / "bin-only"
    shutil.copytree(tiny_encoder_dir, folder)
    torch.save(load_file(folder / "model.safetensors"), folder / "pytorch_model.bin")
    (folder / "model.safetensors").unlink()
    with pytest.raises(OSError, match=r"bin-only.*safetensors"):
        TextEncoder(str(folder))


@pytest.mark.parametrize("trainable", [False, True])
def test_a_quantized_encoder_encodes_a_text_the_same_alone_or_in_a_batch(trainable: bool) -> None:
    encoder = TextEncoder(trainable=trainable, trainable_layers=2 if trainable else None).eval()
    encoder.quantize()
    text = "Book a train ticket from Beijing to Shanghai, then send me the confirmation."
    others = ["Delete report.docx.", "Summarise this very long paper on graph neural networks " * 8]

    alone = encoder.encode([text]).pooled[0]
    beside = encoder.encode([others[0], text, others[1]]).pooled[1]

    assert torch.equal(alone, beside)


@pytest.mark.parametrize("layers", [None, 2])
def test_the_int8_copy_computes_what_the_quantized_encoder_computes(layers: int | None) -> None:
    """Training on int8 features sees what CPU inference sees: the encoder's output for a frozen
    encoder, the states entering the fine-tuned layers for one whose top layers train."""
    texts = ["Book a train ticket from Beijing to Shanghai, then email me", "Summarise notes.txt"]
    encoder = TextEncoder(trainable=layers is not None, trainable_layers=layers).eval()
    served = TextEncoder(trainable=layers is not None, trainable_layers=layers).eval()
    served.quantize()

    copy = encoder.int8_copy()

    assert copy.quantized and not encoder.quantized  # the encoder itself stays float
    if layers is None:
        assert torch.equal(copy.encode(texts).tokens, served.encode(texts).tokens)
    else:
        got = copy.encode_below(texts)
        for i, text in enumerate(texts):  # one text at a time, as inference encodes
            batch = served.tokenize([text])
            with torch.inference_mode():
                states = served._int8[0](**batch, output_hidden_states=True).hidden_states[4]
            n = int(batch["attention_mask"].sum())
            assert torch.equal(got.tokens[i, :n], states[0, :n])
    assert not torch.equal(copy.encode(texts).pooled, encoder.encode(texts).pooled)


def test_quantized_embeddings_stay_close_to_the_float_ones() -> None:
    # Per-channel int8 weights keep cosine >= 0.97 here; one scale per weight matrix gave 0.94-0.95,
    # enough to change plans.
    texts = [
        "Generate a presentation from this research paper",
        "Analyse this CSV and chart the trend",
        "Transcribe the meeting recording and summarise it in French",
    ]
    encoder = TextEncoder().eval()
    exact = encoder.encode(texts).pooled
    encoder.quantize()

    close = F.cosine_similarity(encoder.encode(texts).pooled, exact)

    assert encoder.quantized and bool((close >= 0.965).all()), close


def test_without_torch_ao_int8_the_planner_plans_in_float32_and_says_so(
    make_planner, inventory: Inventory, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = make_planner(quantize=False).predict(["summarise the paper"], inventory)
    monkeypatch.delattr(torch.ao.quantization, "quantize_dynamic")
    int8_available.cache_clear()
    try:
        with pytest.warns(RuntimeWarning, match="no torch.ao.quantization.quantize_dynamic"):
            assert not int8_available()
        planner = make_planner()
        assert planner.predict(["summarise the paper"], inventory) == expected
        assert not planner.encoder.text.quantized
    finally:
        int8_available.cache_clear()
