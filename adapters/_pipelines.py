"""Lazily built transformers pipelines shared by the vision and audio tools."""

from __future__ import annotations

import threading
from typing import Any, Literal

from orchestai_agents.errors import ModelUnavailableError, WorkerError

__all__ = ["LazyPipeline"]


class LazyPipeline:
    """A transformers pipeline built on first use (thread-safe), or a ready one passed in.

    Only safetensors weights are loaded and no remote code is run. A model that cannot be loaded
    is a WorkerError that names it and says how to get it: a :class:`ModelUnavailableError`,
    which is not retried, when nothing can fetch it (offline and not in the cache, or no such
    repo on the Hub), else a plain one (a download that failed may work on a retry).

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
                self._pipeline = self._load()
            return self._pipeline

    def _load(self) -> Any:
        from transformers import pipeline

        try:
            return pipeline(
                self.task,
                model=self.model_id,
                trust_remote_code=False,
                model_kwargs={"use_safetensors": True},
            )
        except OSError as error:
            raise _load_error(error)(
                f"could not load the {self.task} model {self.model_id!r} ({error}); download it "
                f"once while online (hf download {self.model_id}), or pass model_id=<a local "
                "folder with the model> or a ready pipeline"
            ) from error


def _load_error(error: OSError) -> type[WorkerError]:
    """Whether retrying the load could help: not offline, nor for a repo the Hub does not have."""
    from huggingface_hub import constants
    from huggingface_hub.errors import RepositoryNotFoundError

    if constants.HF_HUB_OFFLINE or isinstance(error.__cause__ or error, RepositoryNotFoundError):
        return ModelUnavailableError
    return WorkerError
