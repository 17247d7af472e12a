"""Image captioning through a transformers "image-text-to-text" pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from orchestai_agents.adapters._pipelines import LazyPipeline
from orchestai_agents.adapters.task_tool import TaskTool
from PIL import Image, UnidentifiedImageError
from pydantic import PrivateAttr

from orchestai_agents.errors import InputFileError
from orchestai_agents.modalities import IMAGE_FILE_SUFFIXES
from orchestai_agents.registry import TaskInput

__all__ = ["DEFAULT_CAPTION_MODEL", "ImageCaptionTool"]

DEFAULT_CAPTION_MODEL = "Salesforce/blip-image-captioning-base"


class ImageCaptionTool(TaskTool):
    """Captions each image among the inputs (or earlier steps' files), one line per image.

    Args:
        model_id: Hub id of a captioning model, downloaded on first use (needs network once).
        captioner: a ready ``pipeline("image-text-to-text", ...)``; overrides ``model_id``.
        prompt: text the caption starts from ("" for an unconditional caption).
        max_new_tokens: caption length, at most.

    Example:
        >>> tool = ImageCaptionTool()
        >>> tool.invoke({"inputs": ["photo.jpg"]})  # doctest: +SKIP
        'photo.jpg: a dog running on a beach'
    """

    name: str = "image_captioner"
    description: str = (
        "Describe the content of images (caption them) with a transformers vision model."
    )
    model_id: str = DEFAULT_CAPTION_MODEL
    captioner: Any = None
    prompt: str = ""
    max_new_tokens: int = 30
    _pipeline: LazyPipeline = PrivateAttr()

    def model_post_init(self, context: Any) -> None:
        self._pipeline = LazyPipeline("image-text-to-text", self.model_id, self.captioner)

    def _caption(self, image: Image.Image) -> str:
        result = self._pipeline.get()(
            images=image, text=self.prompt, max_new_tokens=self.max_new_tokens
        )
        return str(result[0]["generated_text"]).strip()

    def execute(self, task: TaskInput) -> tuple[str, list[str]]:
        lines = [
            f"{path.name}: {self._caption(_open_rgb(path))}"
            for path in self.task_files(task, IMAGE_FILE_SUFFIXES, what="image")
        ]
        return "\n".join(lines), []


def _open_rgb(path: Path) -> Image.Image:
    """The image at ``path`` in RGB; an InputFileError when it is not a readable image."""
    try:
        with Image.open(path) as image:
            return image.convert("RGB")
    except (UnidentifiedImageError, OSError) as error:
        raise InputFileError(
            f"{path}: not a readable image ({error}); check or re-save the file"
        ) from error
