import pytest
from orchestai_agents.adapters._pipelines import LazyPipeline

from orchestai_agents.errors import ModelUnavailableError, WorkerError


def test_a_ready_pipeline_is_returned_without_loading() -> None:
    ready = object()
    assert LazyPipeline("automatic-speech-recognition", "any/model", ready).get() is ready


def test_a_model_that_cannot_be_loaded_names_it_and_how_to_get_it() -> None:
    lazy = LazyPipeline("image-text-to-text", "orchestai-test/not-downloaded")  # offline
    with pytest.raises(ModelUnavailableError) as raised:  # not retried: offline it cannot come
        lazy.get()
    message = str(raised.value)
    assert "'orchestai-test/not-downloaded'" in message
    assert "hf download orchestai-test/not-downloaded" in message
    assert isinstance(raised.value.__cause__, OSError)


def test_a_download_that_failed_online_may_be_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    import transformers
    from huggingface_hub import constants

    def unreachable(*args: object, **kwargs: object) -> None:
        raise OSError("We couldn't connect to 'https://huggingface.co' to load the files")

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(transformers, "pipeline", unreachable)
    with pytest.raises(WorkerError) as raised:
        LazyPipeline("automatic-speech-recognition", "openai/whisper-tiny").get()
    assert not isinstance(raised.value, ModelUnavailableError)
