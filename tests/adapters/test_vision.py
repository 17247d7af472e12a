"""The captioner on a tiny BLIP built from a config (random weights, MiniLM's tokenizer): no download."""

from pathlib import Path

import numpy as np
import pytest
from orchestai_agents.adapters.tool_worker import tool_worker
from orchestai_agents.adapters.vision import ImageCaptionTool
from PIL import Image

from orchestai_agents.encoders import default_encoder_path
from orchestai_agents.errors import InputFileError, WorkerError


@pytest.fixture(scope="module")
def tiny_captioner():
    from transformers import (
        AutoTokenizer,
        BlipConfig,
        BlipForConditionalGeneration,
        BlipImageProcessorPil,
        BlipProcessor,
        pipeline,
    )

    tokenizer = AutoTokenizer.from_pretrained(default_encoder_path(), trust_remote_code=False)
    ids = {
        "bos_token_id": tokenizer.cls_token_id,
        "sep_token_id": tokenizer.sep_token_id,
        "pad_token_id": tokenizer.pad_token_id,
        "eos_token_id": tokenizer.sep_token_id,
    }
    small = {
        "hidden_size": 32,
        "num_hidden_layers": 1,
        "num_attention_heads": 2,
        "intermediate_size": 37,
    }
    config = BlipConfig(
        text_config={"vocab_size": tokenizer.vocab_size, **small, **ids},
        vision_config={**small, "image_size": 32, "patch_size": 8},
        projection_dim=32,
    )
    processor = BlipProcessor(
        image_processor=BlipImageProcessorPil(size={"height": 32, "width": 32}), tokenizer=tokenizer
    )
    return pipeline(
        "image-text-to-text", model=BlipForConditionalGeneration(config).eval(), processor=processor
    )


def test_captions_every_image_through_the_pipeline(
    tiny_captioner, tmp_path: Path, make_task
) -> None:
    rng = np.random.default_rng(0)
    for name in ("a.png", "b.jpg"):
        Image.fromarray(rng.integers(0, 255, (40, 50, 3), dtype=np.uint8)).save(tmp_path / name)
    spec = tool_worker(
        ImageCaptionTool(captioner=tiny_captioner, max_new_tokens=4), task_types=["caption_image"]
    )
    out = spec.runnable.invoke(
        make_task(inputs=[tmp_path / "a.png", tmp_path / "b.jpg", tmp_path / "a.png.txt"])
    )
    lines = out.text.splitlines()
    assert [line.split(":")[0] for line in lines] == ["a.png", "b.jpg"]
    # random weights: some words, unknown which
    assert all(len(line.split(": ", 1)[1]) > 0 for line in lines)


def test_broken_image_is_an_input_file_error(tiny_captioner, tmp_path: Path, make_task) -> None:
    (tmp_path / "bad.png").write_bytes(b"not an image")
    with pytest.raises(InputFileError, match=r"bad\.png: not a readable image"):
        ImageCaptionTool(captioner=tiny_captioner).execute(make_task(inputs=[tmp_path / "bad.png"]))


def test_default_model_is_not_loaded_at_construction() -> None:
    tool = ImageCaptionTool()
    assert tool._pipeline._pipeline is None and tool.model_id.startswith("Salesforce/blip")


def test_a_model_that_cannot_be_loaded_is_a_worker_error_naming_it(
    tmp_path: Path, make_task
) -> None:
    Image.new("RGB", (8, 8), "red").save(tmp_path / "photo.png")
    tool = ImageCaptionTool(model_id="orchestai-test/not-downloaded")  # offline, not cached
    with pytest.raises(WorkerError, match=r"(?s)'orchestai-test/not-downloaded'.*download it once"):
        tool.execute(make_task(inputs=[tmp_path / "photo.png"]))
