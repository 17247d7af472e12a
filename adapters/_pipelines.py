"""Lazily built transformers pipelines shared by the vision and audio tools."""

from __future__ import annotations

import threading
from typing import Any, Literal

__all__ = ["LazyPipeline"]


class LazyPipeline:
    """A transformers pipeline built on first use (thread-safe), or a ready one passed in.

    Only safetensors weights are loaded and no remote code is run.

    Example:
        >>> captioner = LazyPipeline("image-text-to-text", "Salesforce/blip-image-captioning-base")
        >>> captioner.get()  # doctest: +SKIP
    """

    def __init__(
        self,
        task: Literal["image-text-to-text", "automatic-speech-recognition"],
        model_id: str,
        ready: Any = None,
    ) -> None:
        self.task = task
        self.model_id = model_id
        self._pipeline = ready
        self._lock = threading.Lock()

    def get(self) -> Any:
        with self._lock:
            if self._pipeline is None:
                from transformers import pipeline

                self._pipeline = pipeline(
                    self.task,
                    model=self.model_id,
                    trust_remote_code=False,
                    model_kwargs={"use_safetensors": True},
                )
            return self._pipeline
