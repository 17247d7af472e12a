"""Speech to text through a transformers "automatic-speech-recognition" pipeline."""

from __future__ import annotations

import math
import wave
from pathlib import Path
from typing import Any

import numpy as np
from orchestai_agents.adapters._pipelines import LazyPipeline
from orchestai_agents.adapters.task_tool import TaskTool
from pydantic import PrivateAttr

from orchestai_agents.errors import InputFileError
from orchestai_agents.modalities import AUDIO_FILE_SUFFIXES
from orchestai_agents.registry import TaskInput

__all__ = ["DEFAULT_ASR_MODEL", "SpeechToTextTool", "read_wav"]

DEFAULT_ASR_MODEL = "openai/whisper-tiny"
_SAMPLE_TYPES = {1: np.uint8, 2: np.int16, 4: np.int32}


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """A PCM WAV file as mono float32 samples in [-1, 1], shape (n_samples,), and its sampling rate.

    Read with the standard library, so no ffmpeg is needed.

    Example:
        >>> samples, rate = read_wav(Path("speech.wav"))  # doctest: +SKIP
    """
    try:
        with wave.open(str(path), "rb") as wav:
            width, channels, rate = wav.getsampwidth(), wav.getnchannels(), wav.getframerate()
            raw = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError, OSError) as error:
        raise InputFileError(
            f"{path}: not a readable PCM WAV file ({error}); convert it to 16-bit PCM WAV"
        ) from error
    if width not in _SAMPLE_TYPES:
        raise InputFileError(
            f"{path}: {8 * width}-bit samples are not supported; convert it to 16-bit PCM WAV"
        )
    samples = np.frombuffer(raw, dtype=_SAMPLE_TYPES[width]).astype(np.float32)
    if width == 1:  # 8-bit WAV is unsigned
        samples -= 128.0
    samples /= float(2 ** (8 * width - 1))
    return samples.reshape(-1, channels).mean(axis=1), rate


class SpeechToTextTool(TaskTool):
    """Transcribes each WAV file among the inputs (or earlier steps' files), one paragraph per file.

    A file at any sampling rate is resampled to the rate of the model's feature extractor.

    Args:
        model_id: Hub id of a speech recognition model, downloaded on first use (needs network once).
        recognizer: a ready ``pipeline("automatic-speech-recognition", ...)``; overrides ``model_id``.

    Example:
        >>> SpeechToTextTool().invoke({"inputs": ["meeting.wav"]})  # doctest: +SKIP
        'meeting.wav: hello everyone and welcome'
    """

    name: str = "speech_to_text"
    description: str = (
        "Transcribe speech in WAV audio recordings into text with a transformers speech model."
    )
    model_id: str = DEFAULT_ASR_MODEL
    recognizer: Any = None
    _pipeline: LazyPipeline = PrivateAttr()

    def model_post_init(self, context: Any) -> None:
        self._pipeline = LazyPipeline(
            "automatic-speech-recognition", self.model_id, self.recognizer
        )

    def execute(self, task: TaskInput) -> tuple[str, list[str]]:
        lines = []
        for path in self.task_files(task, AUDIO_FILE_SUFFIXES, what="WAV audio"):
            recognizer = self._pipeline.get()
            rate = recognizer.feature_extractor.sampling_rate
            # Resampled here: the pipeline would need torchaudio, which is not a dependency.
            samples = _resample(*read_wav(path), rate)
            result = recognizer({"raw": samples, "sampling_rate": rate})
            lines.append(f"{path.name}: {str(result['text']).strip()}")
        return "\n".join(lines), []


def _resample(samples: np.ndarray, rate: int, target_rate: int) -> np.ndarray:
    """``samples`` (n_samples,) at ``rate`` Hz as float32 samples at ``target_rate`` Hz, shape
    (ceil(n_samples * target_rate / rate),).

    Polyphase filtering low-passes before it decimates, so sound above the new Nyquist
    frequency is removed rather than folded back into the speech band.
    """
    if rate == target_rate:
        return samples
    from scipy.signal import resample_poly  # 0.6 s to import: only for a file that needs it

    step = math.gcd(rate, target_rate)
    return resample_poly(samples, target_rate // step, rate // step).astype(np.float32)
