import pytest
from orchestai_agents.adapters._pipelines import LazyPipeline

from orchestai_agents.errors import WorkerError


def test_a_ready_pipeline_is_returned_without_loading() -> None:
    ready = object()
    assert LazyPipeline("automatic-speech-recognition", "any/model", ready).get() is ready


def test_a_model_that_cannot_be_loaded_names_it_and_how_to_get_it() -> None:
    lazy = LazyPipeline("image-text-to-text", "orchestai-test/not-downloaded")  # offline
    with pytest.raises(WorkerError) as raised:
        lazy.get()
    message = str(raised.value)
    assert "'orchestai-test/not-downloaded'" in message
    assert "hf download orchestai-test/not-downloaded" in message
    assert isinstance(raised.value.__cause__, OSError)
