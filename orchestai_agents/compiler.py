"""Plan + worker registry -> a LangGraph graph that runs the plan.

Each sub-task becomes a LangGraph functional-API task that waits on its dependencies' futures
itself, so it starts the moment its last dependency finishes. A ``StateGraph`` with one node per
sub-task would instead wait at every superstep for the slowest node of the step (3.0 s against
a 2.0 s critical path for ``a(1s)->a2(1s)->join`` beside ``b(2s)->join``; see DESIGN.md).
Tasks are called in topological order, so a checkpointed run replays to the same task ids and
resumes without re-running finished nodes. Each node's task carries the ``RetryPolicy``; when
its worker fails for good the node falls back to the next-ranked alternative that can do its
task type.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import os
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, NotRequired

from langchain_core.runnables import Runnable, RunnableBinding, RunnableLambda, RunnableSequence
from langgraph.config import get_config, get_stream_writer
from langgraph.errors import GraphBubbleUp, NodeTimeoutError
from langgraph.func import task
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import get_runtime
from langgraph.types import Checkpointer, RetryPolicy
from typing_extensions import TypedDict

from orchestai_agents._internal._checkpoints import strict_checkpointer
from orchestai_agents._internal._secrets import redact
from orchestai_agents._internal._task_input import build_task_input, final_text
from orchestai_agents.accounting import NodeRecord, RunResult
from orchestai_agents.budget import Budget, BudgetLedger, estimate_call
from orchestai_agents.errors import (
    BudgetExceededError,
    CheckpointError,
    InputFileError,
    ModelUnavailableError,
    PlanValidationError,
)
from orchestai_agents.plan import Plan, SubTask
from orchestai_agents.registry import WorkerOutput, WorkerRegistry
from orchestai_agents.validation import validate_plan

__all__ = ["ExecutionSettings", "PlanExecutor", "PlanRequest", "compile_plan", "is_transient"]

_PERMANENT = (
    InputFileError,
    ModelUnavailableError,
    PlanValidationError,
    BudgetExceededError,
    CheckpointError,
    ValueError,
    TypeError,
)


_CANCELLED = "cancelled: the run was stopped before this call"


def is_transient(exc: Exception) -> bool:
    """Whether a worker error is worth retrying: not bad input, a bad plan, a budget stop or a
    model that cannot be loaded here."""
    return not isinstance(exc, _PERMANENT)


@dataclass(frozen=True)
class ExecutionSettings:
    """How plans run.

    Attributes:
        retry: LangGraph retry policy of each node's task (the only retry layer), or ``None``.
        fallback: on a worker's final failure, try the node's next-ranked capable alternative.
        max_concurrency: cap on tasks running at once; LangGraph's default for sync tasks is
            min(32, cpus + 4), which would serialise wide plans on small machines.
        node_timeout_s: deadline of each worker call, or ``None``. Async calls are cancelled at
            the deadline; sync calls are abandoned (see :func:`_call_with_deadline`).
        budget: the default per-run budget; the limits a request's ``budget`` names override it.
        stop: once set, nodes start no new worker call and fail as cancelled (their
            dependents are skipped); calls already running finish. ``orchestai run`` sets it on
            Ctrl-C, so nothing more is spent and the partial run is still recorded.
    """

    retry: RetryPolicy | None = field(
        default_factory=lambda: RetryPolicy(
            max_attempts=3, initial_interval=0.5, retry_on=is_transient
        )
    )
    fallback: bool = True
    max_concurrency: int = 128
    node_timeout_s: float | None = None
    budget: Budget = field(default_factory=Budget)
    stop: threading.Event | None = None

    def budget_for(self, requested: Mapping[str, Any] | None) -> Budget:
        """The budget of one run: the request's limits over the default's. A limit the request
        leaves out keeps the default (a token cap alone must not lift the USD cap); ``None``
        given for one lifts it."""
        return Budget.from_dict(requested, default=self.budget) if requested else self.budget


class PlanRequest(TypedDict):
    """Input of the executor: the plan, the user's request, and an optional budget."""

    plan: dict[str, Any]
    instruction: NotRequired[str]
    inputs: NotRequired[list[str]]
    output_dir: NotRequired[str | None]
    budget: NotRequired[dict[str, Any] | None]


@dataclass(frozen=True)
class _RunArgs:
    instruction: str
    inputs: tuple[str, ...]
    output_dir: str | None
    ledger: BudgetLedger
    # When each node's first attempt started: LangGraph's retries call the task again, and a
    # node's seconds cover them all.
    started: dict[str, float] = field(default_factory=dict)
    # USD booked per node for calls that timed out: billed, so part of the node's cost.
    booked_usd: dict[str, float] = field(default_factory=dict)


class PlanExecutor:
    """Runs any plan over one registry, as LangGraph tasks inside a graph node.

    :meth:`run` and :meth:`arun` must be called from a LangGraph node (sync and async
    respectively): the sub-tasks become tasks of that graph, so their ``updates``, ``custom``
    progress events and worker ``messages`` stream from the top-level graph, and a checkpointer
    saves each finished one.
    """

    def __init__(self, registry: WorkerRegistry, settings: ExecutionSettings | None = None) -> None:
        self.registry = registry
        self.settings = settings or ExecutionSettings()
        # Task wrappers per (node id, sync/async), cached per executor: building one inspects the
        # function's signature, and a module-level cache would keep every executor alive.
        self._task_for = functools.lru_cache(maxsize=4096)(self._make_task)

    def node(self) -> RunnableLambda:
        """A graph node mapping a :class:`PlanRequest`-shaped state to ``{"result"}``."""

        def execute(state: PlanRequest) -> dict[str, Any]:
            return {"result": self.run(state)}

        async def aexecute(state: PlanRequest) -> dict[str, Any]:
            return {"result": await self.arun(state)}

        return RunnableLambda(execute, afunc=aexecute, name="execute")

    def run(self, request: PlanRequest) -> dict[str, Any]:
        plan, args = self._parse(request)
        start = time.perf_counter()
        futures: dict[str, Future[dict[str, Any]]] = {}
        for node in plan.topological_order():
            deps = [futures[d] for d in node.dependencies]
            futures[node.id] = self._task(node, self._node)(node.to_dict(), deps, args)
            futures[node.id].add_done_callback(functools.partial(_settle, node, args))
        outcomes = {s.id: _outcome(s, futures[s.id]) for s in plan.subtasks}
        return self._result(plan, args, outcomes, time.perf_counter() - start).to_dict()

    async def arun(self, request: PlanRequest) -> dict[str, Any]:
        plan, args = self._parse(request)
        start = time.perf_counter()
        futures: dict[str, Any] = {}
        for node in plan.topological_order():
            deps = [futures[d] for d in node.dependencies]
            futures[node.id] = self._task(node, self._anode)(node.to_dict(), deps, args)
            futures[node.id].add_done_callback(functools.partial(_settle, node, args))
        outcomes = {s.id: await _aoutcome(s, futures[s.id]) for s in plan.subtasks}
        return self._result(plan, args, outcomes, time.perf_counter() - start).to_dict()

    def _parse(self, request: PlanRequest) -> tuple[Plan, _RunArgs]:
        if not isinstance(request, dict) or "plan" not in request:
            raise PlanValidationError(
                "the executor takes {'plan': ..., 'inputs': [...]}; no plan was given"
            )
        plan = request["plan"]
        plan = validate_plan(
            plan if isinstance(plan, Plan) else Plan.from_dict(plan), self.registry
        )
        return plan, _RunArgs(
            instruction=request.get("instruction") or plan.instruction,
            inputs=_checked_inputs(request.get("inputs")),
            output_dir=_checked_folder(request.get("output_dir")),
            ledger=BudgetLedger(self.settings.budget_for(request.get("budget"))),
        )

    # -- one sub-task ------------------------------------------------------------------------
    # A node is one task carrying the RetryPolicy. A transient failure of its worker is raised
    # so LangGraph retries the task; on the last attempt, or on a permanent error (bad input,
    # budget), the node falls back to its ranked alternatives instead. One task per node (not
    # one per worker call) halves the orchestration overhead.

    def _node(
        self, node_data: dict[str, Any], deps: Sequence[Future[dict[str, Any]]], args: _RunArgs
    ) -> dict[str, Any]:
        node = SubTask(**node_data)
        context = {
            d: _outcome(node, f)["output"] for d, f in zip(node.dependencies, deps, strict=True)
        }
        skipped = _skip_if_dependency_failed(node, context)
        if skipped is not None:
            return skipped
        task_input, errors = self._task_input(node, context, args), []
        start = args.started.setdefault(node.id, time.perf_counter())
        for worker in self._candidates(node):
            if self.settings.stop is not None and self.settings.stop.is_set():
                return self._failure(node, start, errors, args, note=_CANCELLED)
            try:
                self._reserve(node, worker, task_input, args.ledger)
                output = self._invoke(worker, task_input)
            except GraphBubbleUp:
                raise  # an interrupt (human in the loop) pauses the run; it is no failure
            except Exception as exc:
                self._record_failure(node, worker, exc, args, errors)
                continue
            return self._success(node, worker, output, start, errors, args)
        return self._failure(node, start, errors, args)

    async def _anode(
        self, node_data: dict[str, Any], deps: Sequence[Any], args: _RunArgs
    ) -> dict[str, Any]:
        node = SubTask(**node_data)
        context = {
            d: (await _aoutcome(node, f))["output"]
            for d, f in zip(node.dependencies, deps, strict=True)
        }
        skipped = _skip_if_dependency_failed(node, context)
        if skipped is not None:
            return skipped
        task_input, errors = self._task_input(node, context, args), []
        start = args.started.setdefault(node.id, time.perf_counter())
        for worker in self._candidates(node):
            if self.settings.stop is not None and self.settings.stop.is_set():
                return self._failure(node, start, errors, args, note=_CANCELLED)
            try:
                self._reserve(node, worker, task_input, args.ledger)
                output = await self._ainvoke(worker, task_input)
            except GraphBubbleUp:
                raise  # an interrupt (human in the loop) pauses the run; it is no failure
            except Exception as exc:
                self._record_failure(node, worker, exc, args, errors)
                continue
            return self._success(node, worker, output, start, errors, args)
        return self._failure(node, start, errors, args)

    def _record_failure(
        self, node: SubTask, worker: str, exc: Exception, args: _RunArgs, errors: list[str]
    ) -> None:
        """Book the failed call, then re-raise for LangGraph to retry, or note it and fall back."""
        usd = _book_failed_call(node, exc, args.ledger)
        args.booked_usd[node.id] = args.booked_usd.get(node.id, 0.0) + usd
        if worker == node.worker and self._will_retry(exc):
            raise exc
        errors.append(_describe(worker, exc))

    def _task(self, node: SubTask, func: Callable[..., Any]) -> Callable[..., Any]:
        return self._task_for(node.id, func)

    def _make_task(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        return task(name=name, retry_policy=self.settings.retry)(func)

    def _reserve(
        self, node: SubTask, worker: str, task_input: dict[str, Any], ledger: BudgetLedger
    ) -> None:
        usd, tokens = estimate_call(self.registry[worker], task_input)
        ledger.reserve(node.id, usd=usd, tokens=tokens)

    def _invoke(self, worker: str, task_input: dict[str, Any]) -> dict[str, Any]:
        _emit({"event": "node_start", "node": task_input["node_id"], "worker": worker})
        runnable, config = self.registry[worker].runnable, get_config()
        output = _call_with_deadline(
            task_input["node_id"],
            lambda: runnable.invoke(task_input, config),
            self.settings.node_timeout_s,
        )
        return _as_output(worker, output).to_dict()

    async def _ainvoke(self, worker: str, task_input: dict[str, Any]) -> dict[str, Any]:
        _emit({"event": "node_start", "node": task_input["node_id"], "worker": worker})
        spec, config = self.registry[worker], get_config()
        runnable = spec.runnable
        in_thread = _runs_in_a_thread(runnable) if spec.blocking is None else spec.blocking
        # A sync worker gets a thread of its own rather than one of the event loop's default
        # executor: that pool has min(32, cpus + 4) threads, so wide fan-outs ran in waves, and
        # a timed-out call (which no cancel stops) kept its thread for good.
        call = (
            _in_own_thread(lambda: runnable.invoke(task_input, config))
            if in_thread
            else runnable.ainvoke(task_input, config)
        )
        try:
            output = await _await_with_deadline(
                task_input["node_id"], call, self.settings.node_timeout_s
            )
        except NodeTimeoutError as error:
            # As on the sync path, a call on a thread is abandoned, not retried beside itself.
            error.abandoned = in_thread
            raise
        return _as_output(worker, output).to_dict()

    def _will_retry(self, exc: Exception) -> bool:
        """Whether LangGraph's retry policy will run this task again after ``exc``.

        A sync call that timed out is never retried: it could not be cancelled and may still be
        running, so a retry would pile calls up.
        """
        policy = self.settings.retry
        if policy is None or get_runtime().execution_info.node_attempt >= policy.max_attempts:
            return False
        if isinstance(exc, NodeTimeoutError) and getattr(exc, "abandoned", False):
            return False
        retry_on = policy.retry_on
        if isinstance(retry_on, type | tuple):
            return isinstance(exc, retry_on)
        return bool(retry_on(exc))

    def _candidates(self, node: SubTask) -> list[str]:
        names = [node.worker]
        if self.settings.fallback:
            ranked = sorted(node.alternatives, key=lambda a: -a.score)
            names += [
                a.worker
                for a in ranked
                if a.worker not in names and self.registry[a.worker].can_do(node.task_type)
            ]
        return names

    def _task_input(self, node: SubTask, context: dict[str, Any], args: _RunArgs) -> dict[str, Any]:
        return dict(
            build_task_input(
                node,
                instruction=args.instruction,
                inputs=args.inputs,
                context=context,
                output_dir=args.output_dir,
            )
        )

    def _success(
        self,
        node: SubTask,
        worker: str,
        output: dict[str, Any],
        start: float,
        errors: list[str],
        args: _RunArgs,
    ) -> dict[str, Any]:
        usage = WorkerOutput.from_dict(output).usage
        record = NodeRecord(
            node_id=node.id,
            worker=worker,
            task_type=node.task_type,
            seconds=time.perf_counter() - start,
            usd=self.registry[worker].cost.cost(usage) + args.booked_usd.get(node.id, 0.0),
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            success=True,
            error="; ".join(errors) or None,
            attempts=(*self._candidates(node)[: len(errors)], worker),
        )
        _emit({"event": "node_end", "record": record.to_dict()})
        return {"output": output, "record": record.to_dict()}

    def _failure(
        self,
        node: SubTask,
        start: float,
        errors: list[str],
        args: _RunArgs,
        note: str | None = None,
    ) -> dict[str, Any]:
        """The record of a node whose tried workers all failed (one error each), with ``note``
        for why no other was tried."""
        record = NodeRecord(
            node_id=node.id,
            worker=node.worker,
            task_type=node.task_type,
            seconds=time.perf_counter() - start,
            usd=args.booked_usd.get(node.id, 0.0),
            success=False,
            error="; ".join([*errors, note] if note else errors),
            attempts=tuple(self._candidates(node)[: len(errors)]),
        )
        _emit({"event": "node_end", "record": record.to_dict()})
        return {"output": None, "record": record.to_dict()}

    def _result(
        self, plan: Plan, args: _RunArgs, outcomes: dict[str, dict[str, Any]], seconds: float
    ) -> RunResult:
        outputs = {i: o["output"] for i, o in outcomes.items() if o["output"] is not None}
        return RunResult(
            run_id=uuid.uuid4().hex,
            instruction=args.instruction,
            plan=plan.to_dict(),
            outputs=outputs,
            nodes=tuple(NodeRecord(**outcomes[s.id]["record"]) for s in plan.topological_order()),
            final_output=final_text(outputs, plan.sinks()),
            latency_s=seconds,
            inputs=args.inputs,
            metadata={
                "budget": args.ledger.budget.to_dict(),
                "remaining": args.ledger.remaining(),
                "max_overspend_usd": args.ledger.max_overspend_usd,
            },
        )


# Deadlines wrap the worker call, not the task: LangGraph's task timeout would also count the
# time a node waits for its dependencies, and cancelling a task that awaits a dependency's
# future cancels that future for every other node waiting on it.


def _checked_inputs(inputs: Any) -> tuple[str, ...]:
    """A request's ``inputs``: a list of paths. A bare string would be read as one path per
    character, so it is refused like any other non-list."""
    if inputs is None:
        return ()
    if not isinstance(inputs, list | tuple) or not all(
        isinstance(p, str | os.PathLike) for p in inputs
    ):
        raise PlanValidationError(
            f"inputs must be a list of file paths, like ['paper.pdf'], got {inputs!r}"
        )
    return tuple(os.fspath(p) for p in inputs)


def _checked_folder(folder: Any) -> str | None:
    if folder is None:
        return None
    if not isinstance(folder, str | os.PathLike):
        raise PlanValidationError(f"output_dir must be a folder path, got {folder!r}")
    return os.fspath(folder)


def _runs_in_a_thread(runnable: Runnable) -> bool:
    """Whether ``runnable.ainvoke`` runs sync code in a thread (LangChain's default), for a
    worker whose spec does not say (``WorkerSpec.blocking``): a binding is judged by what it
    binds, a sequence by its steps (any sync step)."""
    if isinstance(runnable, RunnableBinding):
        return _runs_in_a_thread(runnable.bound)
    if isinstance(runnable, RunnableSequence):
        return any(_runs_in_a_thread(step) for step in runnable.steps)
    if isinstance(runnable, RunnableLambda):
        return not hasattr(runnable, "afunc")
    return type(runnable).ainvoke is Runnable.ainvoke


async def _in_own_thread(call: Callable[[], Any]) -> Any:
    """Run a sync call on a daemon thread of its own and await its result.

    Awaiting can be cancelled (a deadline); the thread then runs on, and its result is dropped.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()

    def settle(value: Any, error: BaseException | None) -> None:
        if future.done():  # cancelled at the deadline
            return
        if error is None:
            future.set_result(value)
        else:
            future.set_exception(error)

    def target() -> None:
        try:
            value, error = call(), None
        except BaseException as exc:
            value, error = None, exc
        # RuntimeError: the loop has closed, and nobody waits for this call any more.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(settle, value, error)

    threading.Thread(target=contextvars.copy_context().run, args=(target,), daemon=True).start()
    return await future


async def _await_with_deadline(node_id: str, call: Awaitable[Any], timeout: float | None) -> Any:
    """Await an async worker call, cancelling it at the deadline."""
    if timeout is None:
        return await call
    start = time.perf_counter()
    try:
        return await asyncio.wait_for(call, timeout)
    except TimeoutError:
        raise NodeTimeoutError(
            node_id, time.perf_counter() - start, kind="run", run_timeout=timeout
        ) from None


def _call_with_deadline(node_id: str, call: Callable[[], Any], timeout: float | None) -> Any:
    """Run a sync worker call, giving up at the deadline.

    LangGraph cannot cancel sync tasks, so the call runs on a daemon thread and the node stops
    waiting for it at the deadline; the built-in CPU-heavy workers bound their own work (PDFs
    are parsed in a killable subprocess, generation stops at a time limit). Use async workers
    where a call must really be cancelled.
    """
    if timeout is None:
        return call()
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:
            box["error"] = exc

    start = time.perf_counter()
    thread = threading.Thread(target=contextvars.copy_context().run, args=(target,), daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        error = NodeTimeoutError(
            node_id, time.perf_counter() - start, kind="run", run_timeout=timeout
        )
        error.abandoned = True  # the call runs on; see PlanExecutor._will_retry
        raise error
    if "error" in box:
        raise box["error"]
    return box["value"]


def _book_failed_call(node: SubTask, exc: Exception, ledger: BudgetLedger) -> float:
    """The USD booked for a failed call: a call that timed out was sent, and is billed even
    when abandoned or cancelled; so is one that returned something other than a WorkerOutput
    (its usage unknown, the estimate is booked). Any other failed call costs nothing."""
    if isinstance(exc, NodeTimeoutError) or getattr(exc, "returned", False):
        return ledger.book_reservation(node.id)[0]
    ledger.release(node.id)
    return 0.0


def _checked(node: SubTask, value: Any) -> dict[str, Any]:
    """A node's outcome as the task returned it, or as a resumed run replays it from a checkpoint."""
    if isinstance(value, dict) and "output" in value and isinstance(value.get("record"), dict):
        return value
    thread = (get_config().get("configurable") or {}).get("thread_id")
    raise CheckpointError(
        f"the saved result of node {node.id!r} (thread {thread!r}) is not an outcome record: the "
        "checkpoint was altered or written by another version. Resume under a new thread_id."
    )


def _outcome(node: SubTask, future: Future[dict[str, Any]]) -> dict[str, Any]:
    """A node's outcome; an exception that escaped the node (a timeout, a bug) becomes a failure."""
    try:
        return _checked(node, future.result())
    except (GraphBubbleUp, CheckpointError):
        raise
    except Exception as exc:
        return _failed(node, exc)


async def _aoutcome(node: SubTask, future: Any) -> dict[str, Any]:
    try:
        # Shielded: if this waiter is cancelled, the dependency goes on for its other waiters.
        return _checked(node, await asyncio.shield(future))
    except (GraphBubbleUp, CheckpointError):
        raise
    except Exception as exc:
        return _failed(node, exc)


def _failed(node: SubTask, exc: Exception) -> dict[str, Any]:
    record = NodeRecord(
        node.id,
        node.worker,
        node.task_type,
        0.0,
        0.0,
        success=False,
        error=_describe(node.worker, exc),
    )
    return {"output": None, "record": record.to_dict()}


def _settle(node: SubTask, args: _RunArgs, future: Any) -> None:
    """Book a finished node's real cost (also for results replayed from a checkpoint), less
    what its timed-out calls already booked."""
    value = None if future.cancelled() or future.exception() is not None else future.result()
    if not (isinstance(value, dict) and isinstance(value.get("record"), dict)):
        args.ledger.release(node.id)  # a bad replayed value is reported by _outcome
        return
    record = value["record"]
    args.ledger.settle(
        node.id,
        usd=record["usd"] - args.booked_usd.get(node.id, 0.0),
        tokens=record["input_tokens"] + record["output_tokens"],
    )


def _skip_if_dependency_failed(
    node: SubTask, context: dict[str, dict[str, Any] | None]
) -> dict[str, Any] | None:
    failed = [d for d, output in context.items() if output is None]
    if not failed:
        return None
    record = NodeRecord(
        node_id=node.id,
        worker=node.worker,
        task_type=node.task_type,
        seconds=0.0,
        usd=0.0,
        success=False,
        error=f"skipped: dependency {', '.join(failed)} failed",
    )
    _emit({"event": "node_end", "record": record.to_dict()})
    return {"output": None, "record": record.to_dict()}


def _as_output(worker: str, output: Any) -> WorkerOutput:
    """Check a worker's return value; keys it may quote are redacted before anything stores it."""
    if isinstance(output, WorkerOutput):
        return WorkerOutput(redact(output.text), output.artifacts, output.usage)
    error = TypeError(
        f"worker {worker!r} returned {type(output).__name__}, not a WorkerOutput; wrap it with "
        "orchestai_agents.adapters.function_worker / chat_worker / tool_worker"
    )
    error.returned = True  # the call was made, and may be billed; see _book_failed_call
    raise error


def _describe(worker: str, exc: BaseException) -> str:
    # Provider errors can echo request headers; keys must not reach records, logs or traces.
    return redact(f"{worker}: {type(exc).__name__}: {exc}")


def _emit(event: dict[str, Any]) -> None:
    """Progress for ``stream_mode="custom"`` (a no-op when nobody streams it)."""
    get_stream_writer()(event)


class _PlanRunState(TypedDict, total=False):
    plan: dict[str, Any]
    instruction: str
    inputs: list[str]
    output_dir: str | None
    budget: dict[str, Any] | None
    result: dict[str, Any]


class _PlanRunOutput(TypedDict):
    result: dict[str, Any]


class _PlanRunInput(TypedDict, total=False):
    instruction: str
    inputs: list[str]
    output_dir: str | None
    budget: dict[str, Any] | None


def compile_plan(
    plan: Plan,
    registry: WorkerRegistry,
    *,
    settings: ExecutionSettings | None = None,
    checkpointer: Checkpointer = None,
    name: str = "orchestai_plan",
) -> CompiledStateGraph:
    """Validate ``plan`` and compile it into a LangGraph graph over ``registry``'s workers.

    The graph takes ``{"inputs": [paths], "output_dir": ..., "instruction": ..., "budget":
    {"max_usd": ..., "max_tokens": ...}}`` (all optional; the limits the budget names override
    the settings') and returns the state with ``"result"``: a :meth:`RunResult.to_dict`.

    Raises:
        PlanValidationError: naming the node and the fix, before anything runs.

    Example:
        >>> graph = compile_plan(plan, registry)  # doctest: +SKIP
        >>> graph.invoke({"inputs": ["paper.pdf"]})["result"]["success"]  # doctest: +SKIP
        True
    """
    validate_plan(plan, registry)
    executor = PlanExecutor(registry, settings)
    plan_data = plan.to_dict()

    def attach_plan(state: _PlanRunInput) -> dict[str, Any]:
        return {"plan": plan_data, "instruction": state.get("instruction") or plan.instruction}

    builder = StateGraph(_PlanRunState, input_schema=_PlanRunInput, output_schema=_PlanRunOutput)
    builder.add_node("prepare", attach_plan)
    builder.add_node("execute", executor.node())
    builder.add_edge(START, "prepare")
    builder.add_edge("prepare", "execute")
    builder.add_edge("execute", END)
    graph = builder.compile(checkpointer=strict_checkpointer(checkpointer), name=name)
    return graph.with_config(max_concurrency=executor.settings.max_concurrency)
