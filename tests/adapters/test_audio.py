"""Speech to text on a tiny Wav2Vec2 CTC model built from a config and a 29-symbol vocabulary."""

import json
import wave
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from orchestai_agents.adapters.audio import SpeechToTextTool, read_wav
from orchestai_agents.adapters.tool_worker import tool_worker

from orchestai_agents.errors import InputFileError, WorkerError

VOCAB = ["<pad>", "<unk>", "|", *"abcdefghijklmnopqrstuvwxyz'"]


def write_wav(path: Path, samples: np.ndarray, rate: int = 16000, channels: int = 1) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes((samples * 32767).astype("<i2").tobytes())


@pytest.fixture(scope="module")
def tiny_recognizer(tmp_path_factory):
    from transformers import (
        Wav2Vec2Config,
        Wav2Vec2CTCTokenizer,
        Wav2Vec2FeatureExtractor,
        Wav2Vec2ForCTC,
        pipeline,
    )

    vocab = tmp_path_factory.mktemp("vocab") / "vocab.json"
    vocab.write_text(json.dumps({c: i for i, c in enumerate(VOCAB)}))
    tokenizer = Wav2Vec2CTCTokenizer(
        str(vocab), unk_token="<unk>", pad_token="<pad>", word_delimiter_token="|"
    )
    features = Wav2Vec2FeatureExtractor(
        feature_size=1, sampling_rate=16000, padding_value=0.0, do_normalize=True
    )
    config = Wav2Vec2Config(
        vocab_size=len(VOCAB),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=20,
        conv_dim=(8, 8),
        conv_stride=(5, 4),
        conv_kernel=(10, 8),
        num_conv_pos_embeddings=8,
        num_conv_pos_embedding_groups=2,
        pad_token_id=0,
        do_stable_layer_norm=True,
        feat_extract_norm="layer",
    )
    model = Wav2Vec2ForCTC(config).eval()
    return pipeline(
        "automatic-speech-recognition", model=model, tokenizer=tokenizer, feature_extractor=features
    )


def test_read_wav_mixes_stereo_to_mono_in_unit_range(tmp_path: Path) -> None:
    stereo = np.array([[0.5, -0.5], [0.25, 0.25]], dtype=np.float32).reshape(-1)
    write_wav(tmp_path / "s.wav", stereo, rate=8000, channels=2)
    samples, rate = read_wav(tmp_path / "s.wav")
    assert rate == 8000
    assert samples == pytest.approx([0.0, 0.25], abs=1e-4)


@pytest.mark.parametrize("rate", [16000, 44100])
def test_transcribes_each_wav_through_the_pipeline(
    tiny_recognizer, tmp_path: Path, make_task, rate: int
) -> None:
    write_wav(
        tmp_path / "talk.wav", np.sin(np.linspace(0, 800, rate)).astype(np.float32) * 0.3, rate
    )
    spec = tool_worker(
        SpeechToTextTool(recognizer=tiny_recognizer), task_types=["transcribe_audio"]
    )
    out = spec.runnable.invoke(make_task(inputs=[tmp_path / "talk.wav"]))
    name, text = out.text.split(": ", 1)
    assert name == "talk.wav"
    assert set(text) <= set("abcdefghijklmnopqrstuvwxyz' <unk>")  # only symbols of the vocabulary


class RecordingRecognizer:
    """Stands in for an ASR pipeline whose feature extractor takes 16 kHz audio."""

    feature_extractor = SimpleNamespace(sampling_rate=16000)

    def __init__(self) -> None:
        self.inputs: list[dict[str, Any]] = []

    def __call__(self, audio: dict[str, Any]) -> dict[str, str]:
        self.inputs.append(audio)
        return {"text": "hello"}


def test_a_44_1_khz_wav_is_resampled_to_the_models_rate(tmp_path: Path, make_task) -> None:
    tone = np.sin(2 * np.pi * 440 * np.arange(44100) / 44100) * 0.5  # 1 s of 440 Hz
    write_wav(tmp_path / "talk.wav", tone, rate=44100)
    recognizer = RecordingRecognizer()
    text, _ = SpeechToTextTool(recognizer=recognizer).execute(
        make_task(inputs=[tmp_path / "talk.wav"])
    )
    assert text == "talk.wav: hello"
    (audio,) = recognizer.inputs
    assert audio["sampling_rate"] == 16000 and audio["raw"].shape == (16000,)
    expected = np.sin(2 * np.pi * 440 * np.arange(16000) / 16000) * 0.5
    # the same tone at 16 kHz, away from the filter's edge effects at both ends
    assert audio["raw"][200:-200] == pytest.approx(expected[200:-200], abs=2e-3)


def test_sound_above_the_new_nyquist_frequency_is_filtered_out_not_aliased(
    tmp_path: Path, make_task
) -> None:
    hiss = np.sin(2 * np.pi * 10_000 * np.arange(44100) / 44100) * 0.5  # above 16 kHz / 2
    write_wav(tmp_path / "hiss.wav", hiss, rate=44100)
    recognizer = RecordingRecognizer()
    SpeechToTextTool(recognizer=recognizer).execute(make_task(inputs=[tmp_path / "hiss.wav"]))
    # sampled at 16 kHz without a filter, it would come back as a 6 kHz tone of RMS 0.35
    assert np.sqrt(np.mean(recognizer.inputs[0]["raw"][200:-200] ** 2)) < 0.01


def test_not_a_wav_is_an_input_file_error(tmp_path: Path) -> None:
    (tmp_path / "x.wav").write_bytes(b"RIFFjunk")
    with pytest.raises(InputFileError, match=r"x\.wav: not a readable PCM WAV"):
        read_wav(tmp_path / "x.wav")


def test_a_model_that_cannot_be_loaded_is_a_worker_error_naming_it(
    tmp_path: Path, make_task
) -> None:
    write_wav(tmp_path / "meeting.wav", np.zeros(1600, dtype=np.float32))
    tool = SpeechToTextTool(model_id="orchestai-test/not-downloaded")  # offline, not cached
    with pytest.raises(WorkerError, match=r"(?s)'orchestai-test/not-downloaded'.*download it once"):
        tool.execute(make_task(inputs=[tmp_path / "meeting.wav"]))
