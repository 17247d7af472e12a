"""Any LangChain chat model as a worker."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from pathlib import Path

from langchain_core.language_models import BaseChatModel, SimpleChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import RunnableConfig, RunnableLambda
from orchestai_agents.adapters._file_access import FileAccess
from orchestai_agents.adapters._task_text import dependency_texts, fit_texts
from orchestai_agents.adapters.pdf_text import read_text_file
from orchestai_agents.adapters.pricing import price_for

from orchestai_agents.errors import InputFileError
from orchestai_agents.plan import request_words
from orchestai_agents.registry import (
    TEXT_FILE_SUFFIXES,
    Capabilities,
    CostModel,
    LatencyProfile,
    TaskInput,
    Usage,
    WorkerOutput,
    WorkerSpec,
)

__all__ = ["CHARS_PER_TOKEN", "DEFAULT_SYSTEM_PROMPT", "chat_worker", "task_messages"]

DEFAULT_SYSTEM_PROMPT = (
    "You carry out one step of a larger workflow. Do only this step and reply with its result, "
    "without preamble."
)
# Rough English average, used only when a model reports no token counts.
CHARS_PER_TOKEN = 4


def task_messages(
    task: TaskInput,
    *,
    system_prompt: str = DEFAULT_SYSTEM_PROMPT,
    max_context_chars: int = 12_000,
    allowed_dirs: Iterable[str | Path] | None = None,
    step_prompt: str | None = None,
) -> list[BaseMessage]:
    """The chat messages for one sub-task.

    With ``step_prompt`` (a line with ``{request}``, the request's words for the step, see
    :func:`~orchestai_agents.plan.request_words`), the layout is plain: the texts alone (or the
    instruction, when there are none), the file list only if an input was not read in full,
    then that line. Small models echo a structured prompt's goal, file list and labels instead
    of doing the step.

    The dependency texts (or, for a step without dependencies, the text of the .txt/.md inputs)
    come first, shortened together to ``max_context_chars``, and the step's own description
    last, so a model that cuts a long prompt in the middle still sees the task. Only a root step
    gets the input files' text: it is the one that processes the inputs, and a later step works
    on its dependencies' results, which the raw text would crowd out of the budget.

    A .txt/.md input a root step cannot read (outside ``allowed_dirs``, where ``None`` means the
    working directory and the system temp folder; missing; binary) does not stop the step: the
    file list says why next to its name, e.g. ``notes.txt (not read: outside the allowed
    folders)``. Of each input, at most ``max_context_chars`` characters are read.

    Example:
        >>> msgs = task_messages({"node_id": "s", "instruction": "Brief me", "description": "Summarise",
        ...     "task_type": "summarize", "inputs": [], "context": {"x": {"text": "Long text."}}})
        >>> msgs[1].content.splitlines()[-1]
        'Your step (summarize): Summarise'
    """
    if task.get("context"):
        files = [(Path(p).name, "") for p in task.get("inputs", [])]
        texts = [(f"Result of step {node}", text) for node, text in dependency_texts(task)]
    else:
        files, texts = _input_files(task, FileAccess.of(allowed_dirs), max_context_chars)
    names = [f"{name} ({note})" if note else name for name, note in files]
    if step_prompt is not None:
        plain = [text for _, text in fit_texts(texts, max_context_chars)] or [task["instruction"]]
        if any(note for _, note in files):  # say what was not read, as the file list does
            plain.append("Input files: " + ", ".join(names))
        step = step_prompt.format(request=request_words(task["description"]))
        return [SystemMessage(system_prompt), HumanMessage("\n\n".join([*plain, step]))]
    parts = [f"Overall goal: {task['instruction']}"]
    if names:
        parts.append("Input files: " + ", ".join(names))
    for label, text in fit_texts(texts, max_context_chars):
        parts.append(f"{label}:\n{text}")
    parts.append(f"Your step ({task['task_type']}): {task['description']}")
    return [SystemMessage(system_prompt), HumanMessage("\n\n".join(parts))]


def _input_files(
    task: TaskInput, files: FileAccess, max_chars: int
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """``(name, note)`` of each input, the note saying why a .txt/.md one was not read or read
    only in part (else ``""``), and ``(label, text)`` of the .txt/.md inputs that hold text (at
    most ``max_chars`` each)."""
    names, texts = [], []
    for raw in task.get("inputs", []):
        name, is_text = Path(raw).name, Path(raw).suffix.lower() in TEXT_FILE_SUFFIXES
        text, note = _read_input(raw, files, max_chars) if is_text else ("", "")
        names.append((name, note))
        if text.strip():
            texts.append((f"Text of {name}", text))
    return names, texts


def _read_input(raw: str, files: FileAccess, max_chars: int) -> tuple[str, str]:
    """``(text, "")`` of a .txt/.md input, ``(its first max_chars characters, a note)``, or
    ``("", why it was not read)``."""
    try:
        path = files.inside(raw)
    except InputFileError:
        return "", "not read: outside the allowed folders"
    try:
        text = read_text_file(path, max_chars + 1)  # one more: tells a longer file
    except InputFileError:  # the one read_text_file raises: binary data
        return "", "not read: binary data, not text"
    except OSError as error:  # missing, a folder, no permission
        return "", f"not read: {(error.strerror or type(error).__name__).lower()}"
    if len(text) > max_chars:
        return text[:max_chars], f"only its first {max_chars} characters read"
    return text, ""


def _estimate_tokens(texts: Iterable[str]) -> int:
    return sum(math.ceil(len(t) / CHARS_PER_TOKEN) for t in texts)


def _usage(messages: list[BaseMessage], reply: AIMessage) -> Usage:
    """Tokens from the reply's ``usage_metadata``; else estimated as characters / CHARS_PER_TOKEN."""
    if reply.usage_metadata:
        return Usage(reply.usage_metadata["input_tokens"], reply.usage_metadata["output_tokens"])
    return Usage(_estimate_tokens(m.text for m in messages), _estimate_tokens([reply.text]))


def _model_name(model: BaseChatModel) -> str:
    """The model's name as its provider knows it (ChatBedrockConverse and the Hugging Face chat
    models keep it in ``model_id``), else its class name."""
    for attribute in ("model_name", "model", "model_id"):
        value = getattr(model, attribute, None)
        if isinstance(value, str) and value:
            return value
    return type(model).__name__


def _messages(
    system_prompt: str,
    max_chars: int,
    allowed_dirs: tuple[str | Path, ...] | None,
    step_prompts: Mapping[str, str],
    task: TaskInput,
) -> list[BaseMessage]:
    return task_messages(
        task,
        system_prompt=system_prompt,
        max_context_chars=max_chars,
        allowed_dirs=allowed_dirs,
        step_prompt=step_prompts.get(task["task_type"]),
    )


def _run(
    model: BaseChatModel,
    prompt: Callable[[TaskInput], list[BaseMessage]],
    task: TaskInput,
    config: RunnableConfig,
) -> WorkerOutput:
    messages = prompt(task)
    reply = model.invoke(messages, config=config)
    return WorkerOutput(reply.text, usage=_usage(messages, reply))


async def _arun(
    model: BaseChatModel,
    prompt: Callable[[TaskInput], list[BaseMessage]],
    task: TaskInput,
    config: RunnableConfig,
) -> WorkerOutput:
    messages = prompt(task)
    reply = await model.ainvoke(messages, config=config)
    return WorkerOutput(reply.text, usage=_usage(messages, reply))


def chat_worker(
    model: BaseChatModel,
    *,
    name: str,
    description: str,
    task_types: Iterable[str],
    cost: CostModel | None = None,
    latency: LatencyProfile | None = None,
    system_prompt: str | None = None,
    max_context_chars: int = 12_000,
    input_modalities: Iterable[str] = ("text",),
    expected_output_tokens: int = 256,
    allowed_dirs: Iterable[str | Path] | None = None,
    step_prompts: Mapping[str, str] | None = None,
) -> WorkerSpec:
    """Wrap a chat model as a worker.

    The worker builds messages with :func:`task_messages` (a root step's .txt/.md inputs'
    text included), calls the model with the caller's ``config`` (so callbacks and LangGraph
    ``stream_mode="messages"`` reach it) and returns the reply's text with its token usage.

    Args:
        model: any LangChain chat model.
        name: registry name of the worker.
        description: what it does, in words.
        task_types: the task types it can do.
        cost: USD cost; ``None`` looks the model's name up with :func:`price_for`.
        latency: expected latency; ``None`` means unknown (zero).
        system_prompt: replaces :data:`DEFAULT_SYSTEM_PROMPT`.
        max_context_chars: characters of input-file and dependency text sent, at most.
        input_modalities: what the worker reads.
        expected_output_tokens: for estimates before a call.
        allowed_dirs: folders the .txt/.md inputs must lie in (a file listed here is allowed
            alone); ``None`` means the working directory and the system temp folder.
        step_prompts: per task type, the line that asks for the step in the plain layout of
            :func:`task_messages` (e.g. ``{"summarize": "Summarise the text above. For:
            {request}"}``); other task types get the structured layout.

    Example:
        >>> from langchain_core.language_models import GenericFakeChatModel
        >>> from langchain_core.messages import AIMessage
        >>> spec = chat_worker(GenericFakeChatModel(messages=iter([AIMessage("Hi")])), name="fake",
        ...     description="says hi", task_types=["generate_text"], cost=CostModel())
        >>> spec.runnable.invoke({"node_id": "n", "instruction": "greet", "description": "greet",
        ...     "task_type": "generate_text", "inputs": [], "context": {}}).text
        'Hi'
    """
    if max_context_chars < 0:
        raise ValueError(f"max_context_chars must be >= 0, got {max_context_chars}")
    for task_type, line in (step_prompts or {}).items():
        try:
            line.format(request="")
        except (KeyError, IndexError, ValueError) as error:
            raise ValueError(
                f"step_prompts[{task_type!r}] = {line!r} is not a format string with only "
                f"{{request}} in braces ({error!r}); write literal braces as {{{{ and }}}}"
            ) from error
    dirs = None if allowed_dirs is None else tuple(allowed_dirs)
    prompt = partial(
        _messages,
        system_prompt or DEFAULT_SYSTEM_PROMPT,
        max_context_chars,
        dirs,
        dict(step_prompts or {}),
    )
    runnable = RunnableLambda(
        partial(_run, model, prompt), afunc=partial(_arun, model, prompt), name=name
    )
    return WorkerSpec(
        name=name,
        description=description,
        runnable=runnable,
        capabilities=Capabilities(frozenset(task_types), frozenset(input_modalities)),
        cost=price_for(_model_name(model)) if cost is None else cost,
        latency=latency or LatencyProfile(),
        expected_output_tokens=expected_output_tokens,
        max_context_chars=max_context_chars,
        blocking=_generates_synchronously(model),
    )


def _generates_synchronously(model: BaseChatModel) -> bool | None:
    """Whether the model's ``ainvoke`` runs its sync generation in a thread (it implements
    neither ``_agenerate`` nor ``_astream``); ``None`` for a model LangChain does not define so."""
    if not isinstance(model, BaseChatModel):
        return None
    kind = type(model)
    return (
        kind._agenerate in (BaseChatModel._agenerate, SimpleChatModel._agenerate)
        and kind._astream is BaseChatModel._astream
    )
