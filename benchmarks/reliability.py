"""Reliability under faults, crashes, budgets, bad input and load, as one table.

Every injection here is also a test in ``tests/reliability/``, which imports the cases and the
fake workers from this module, so the table and the suite measure the same thing.

    python -m benchmarks.reliability            # the table (about a minute)
    python -m benchmarks.reliability durable-run DB LEDGER THREAD [--max-usd X]
                                               # the child the crash test SIGKILLs

Fake workers pay for a call by appending a line to a ledger file (fsync'd) when the call is
sent, so a killed process leaves a durable record of every call it paid for.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import itertools
import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.runnables import RunnableLambda
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.types import RetryPolicy

from orchestai_agents import (
    Alternative,
    Capabilities,
    CostModel,
    ExecutionLog,
    ExecutionSettings,
    OrchestAIError,
    Plan,
    SubTask,
    TaskInput,
    Usage,
    WorkerOutput,
    WorkerRegistry,
    WorkerSpec,
    create_orchestai_agent,
)
from orchestai_agents.cli import _display
from orchestai_agents.cli.main import main as orchestai_main
from orchestai_agents.compiler import is_transient

REPO = Path(__file__).resolve().parent.parent
TASK = "t"
USD_PER_CALL = 0.01
# Tiny intervals so retries cost milliseconds; backoff still doubles them.
FAST_RETRY = RetryPolicy(
    max_attempts=3, initial_interval=0.02, backoff_factor=2.0, jitter=False, retry_on=is_transient
)


# -- fake workers ----------------------------------------------------------------------------


class CallCounter:
    """Calls per (worker, node), thread-safe; also the times they started."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: Counter[tuple[str, str]] = Counter()
        self.starts: list[tuple[str, str, float]] = []
        self.finished_after: list[tuple[str, str]] = []

    def hit(self, worker: str, node: str) -> int:
        with self._lock:
            self.calls[worker, node] += 1
            self.starts.append((worker, node, time.perf_counter()))
            return self.calls[worker, node]

    def of(self, worker: str) -> int:
        return sum(n for (w, _), n in self.calls.items() if w == worker)


def worker(
    name: str,
    *,
    counter: CallCounter | None = None,
    fail: Callable[[int], BaseException | None] | None = None,
    seconds: float = 0.0,
    usd_per_call: float = USD_PER_CALL,
    task_types: Sequence[str] = (TASK,),
    ledger: Path | None = None,
    reply: Callable[[TaskInput], str] | None = None,
    usage: Usage | None = None,
    cost: CostModel | None = None,
) -> WorkerSpec:
    """A fake paid worker, sync and async.

    Each call counts in ``counter`` and appends ``name node`` to ``ledger`` (the payment) before
    it works; ``fail(attempt)`` may return an exception to raise; it sleeps ``seconds`` and
    answers ``reply(task)`` or ``"<node> by <name> <- <dependency texts>"``, reporting ``usage``.
    Its estimate is the per-call price of ``cost``; with no ``usage`` that is the real cost too.
    """

    def begin(task: TaskInput) -> None:
        attempt = counter.hit(name, task["node_id"]) if counter else 1
        if ledger is not None:
            pay(ledger, f"{name} {task['node_id']}")
        error = fail(attempt) if fail else None
        if error is not None:
            raise error

    def answer(task: TaskInput) -> WorkerOutput:
        if reply is not None:
            return WorkerOutput(reply(task), usage=usage or Usage())
        deps = " | ".join(str(c["text"]) for c in task["context"].values())
        text = f"{task['node_id']} by {name} <- {deps}" if deps else f"{task['node_id']} by {name}"
        return WorkerOutput(text, usage=usage or Usage())

    def run(task: TaskInput) -> WorkerOutput:
        begin(task)
        time.sleep(seconds)
        return answer(task)

    async def arun(task: TaskInput) -> WorkerOutput:
        begin(task)
        await asyncio.sleep(seconds)
        return answer(task)

    return WorkerSpec(
        name,
        f"fake worker {name}",
        RunnableLambda(run, afunc=arun, name=name),
        Capabilities(frozenset(task_types)),
        cost=cost or CostModel(usd_per_call=usd_per_call),
        expected_output_tokens=0,
    )


def pay(ledger: Path, line: str) -> None:
    """Append one durable line (a paid call) to ``ledger``."""
    fd = os.open(ledger, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def paid_calls(ledger: Path) -> Counter[str]:
    """Calls paid per ``"worker node"`` line of ``ledger``."""
    if not ledger.exists():
        return Counter()
    return Counter(line for line in ledger.read_text().splitlines() if line)


def node(
    node_id: str,
    worker_name: str,
    deps: Sequence[str] = (),
    alternatives: dict[str, float] | None = None,
) -> SubTask:
    alts = tuple(Alternative(w, s) for w, s in (alternatives or {}).items())
    return SubTask(node_id, f"step {node_id}", TASK, worker_name, tuple(deps), 0.5, alts)


def chain_plan(n: int, worker_name: str = "w") -> Plan:
    """``n0 -> n1 -> ... -> n{n-1}``: one node in flight at a time."""
    return Plan(
        "chain", tuple(node(f"n{i}", worker_name, [f"n{i - 1}"] if i else []) for i in range(n))
    )


def settings(**overrides: Any) -> ExecutionSettings:
    return ExecutionSettings(**{"retry": FAST_RETRY, **overrides})


def result_of(state: dict[str, Any]) -> dict[str, Any]:
    return state["result"]


# -- durable runs killed with SIGKILL -------------------------------------------------------

CRASH_NODES = 5
CRASH_SECONDS = 0.4  # per call: long enough that a kill lands while a call is in flight
THREAD = "crash-test"


class SlowDiskSaver(SqliteSaver):
    """A SQLite checkpointer whose task writes take ``delay_s`` to land, like a busy disk's fsync."""

    def __init__(self, conn: sqlite3.Connection, delay_s: float) -> None:
        super().__init__(conn)
        self.delay_s = delay_s

    def put_writes(
        self, config: Any, writes: Sequence[tuple[str, Any]], task_id: str, task_path: str = ""
    ) -> None:
        time.sleep(self.delay_s)
        super().put_writes(config, writes, task_id, task_path)


def durable_agent(
    db: Path, ledger: Path, write_delay_s: float = 0.0, serde: Any = None
) -> tuple[Any, sqlite3.Connection]:
    """The agent of the crash test over a SQLite checkpointer at ``db``: a chain of paid calls.

    ``serde`` replaces the checkpointer's serializer (``None``: LangGraph's default).
    """
    conn = sqlite3.connect(db, check_same_thread=False)
    saver = SlowDiskSaver(conn, write_delay_s) if write_delay_s else SqliteSaver(conn, serde=serde)
    registry = WorkerRegistry([worker("w", seconds=CRASH_SECONDS, ledger=ledger)])
    agent = create_orchestai_agent(
        registry, plan=chain_plan(CRASH_NODES), checkpointer=saver, settings=settings()
    )
    return agent, conn


def durable_config(thread_id: str = THREAD) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread_id}}


def durable_run(
    db: Path,
    ledger: Path,
    thread_id: str = THREAD,
    budget: dict[str, Any] | None = None,
    write_delay_s: float = 0.0,
) -> dict[str, Any]:
    """Run (or resume, when ``thread_id`` has a checkpoint) the crash test's plan to the end."""
    agent, conn = durable_agent(db, ledger, write_delay_s)
    try:
        config = durable_config(thread_id)
        started = agent.get_state(config).next
        request = None if started else {"instruction": "durable", "budget": budget}
        return result_of(agent.invoke(request, config, durability="sync"))
    finally:
        conn.close()


def finished_at_kill(db: Path, thread_id: str = THREAD) -> set[str]:
    """Nodes whose result the checkpointer saved before the kill (their calls must not be paid again)."""
    conn = sqlite3.connect(db, check_same_thread=False, timeout=10)
    try:
        saved = SqliteSaver(conn).get_tuple(durable_config(thread_id))
    except (
        sqlite3.OperationalError
    ):  # the child holds a write lock, or has not created the tables yet
        return set()
    finally:
        conn.close()
    if saved is None:
        return set()
    return {
        value["record"]["node_id"]
        for _, channel, value in saved.pending_writes or ()
        if channel == "__return__" and isinstance(value, dict) and "record" in value
    }


@dataclass
class CrashReport:
    """One crash-and-resume: calls paid, and at each kill what was paid and which nodes were saved."""

    paid: Counter[str]
    paid_at_kill: list[Counter[str]] = field(default_factory=list)
    finished_at_kill: list[set[str]] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)

    @property
    def kills(self) -> int:
        return len(self.paid_at_kill)

    @property
    def reruns(self) -> int:
        """Calls paid more than once (the calls in flight at the kills)."""
        return sum(n - 1 for n in self.paid.values() if n > 1)

    @property
    def finished_paid_twice(self) -> int:
        """Calls paid after a kill for nodes whose result was saved before it: must be 0."""
        twice = 0
        for paid, finished in zip(self.paid_at_kill, self.finished_at_kill, strict=True):
            twice += sum(
                self.paid[line] - n for line, n in paid.items() if line.split()[1] in finished
            )
        return twice


def spawn_durable_run(
    db: Path, ledger: Path, budget: dict[str, Any] | None = None, write_delay_s: float = 0.0
) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "benchmarks.reliability",
        "durable-run",
        str(db),
        str(ledger),
        THREAD,
    ]
    if budget and budget.get("max_usd") is not None:
        command += ["--max-usd", str(budget["max_usd"])]
    if write_delay_s:
        command += ["--write-delay", str(write_delay_s)]
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def kill_when_paid(
    db: Path,
    ledger: Path,
    calls: int,
    *,
    budget: dict[str, Any] | None = None,
    wait_saved: bool = True,
    write_delay_s: float = 0.0,
    timeout_s: float = 90.0,
) -> None:
    """Start the durable run in a subprocess and SIGKILL it once ``calls`` calls are paid in total.

    With ``wait_saved`` the kill also waits until every node but the one in flight is in the
    checkpoint. LangGraph saves a task's result in the background, so for a few milliseconds
    after a dependent starts its dependency may not be saved yet; without ``wait_saved`` a kill
    can land in that window (see ``test_kill_before_the_dependency_is_saved``).
    """
    child = spawn_durable_run(db, ledger, budget, write_delay_s)
    deadline = time.monotonic() + timeout_s
    try:
        while not _ready_to_kill(db, ledger, calls, wait_saved):
            if child.poll() is not None:
                stderr = child.stderr.read().decode()[-2000:] if child.stderr else ""
                raise RuntimeError(
                    f"the durable run exited ({child.returncode}) before it paid {calls} calls: {stderr}"
                )
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"the durable run had not paid {calls} calls after {timeout_s} s"
                )
            time.sleep(0.005)
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        if child.stderr is not None:
            child.stderr.close()


def _ready_to_kill(db: Path, ledger: Path, calls: int, wait_saved: bool) -> bool:
    paid = paid_calls(ledger)
    if sum(paid.values()) < calls:
        return False
    return not wait_saved or len(finished_at_kill(db)) >= len(paid) - 1


def crash_and_resume(
    folder: Path,
    kill_points: Sequence[int],
    budget: dict[str, Any] | None = None,
    *,
    wait_saved: bool = True,
    write_delay_s: float = 0.0,
) -> CrashReport:
    """Kill the durable run after each of ``kill_points`` total paid calls, then resume it to the end.

    Each kill after the first hits the run resumed (in a new subprocess) from the previous one;
    the last resume runs to the end, also in a subprocess, so every wait here has a deadline.
    """
    db, ledger = folder / "checkpoints.sqlite", folder / "ledger.txt"
    report = CrashReport(paid=Counter())
    for calls in kill_points:
        kill_when_paid(
            db, ledger, calls, budget=budget, wait_saved=wait_saved, write_delay_s=write_delay_s
        )
        report.paid_at_kill.append(paid_calls(ledger))
        report.finished_at_kill.append(finished_at_kill(db))
    report.result = resume(db, ledger)
    report.paid = paid_calls(ledger)
    return report


def resume(db: Path, ledger: Path, timeout_s: float = 120.0) -> dict[str, Any]:
    """Resume the killed run by its thread id in a fresh process; its result, or an error at the deadline."""
    command = [
        sys.executable,
        "-m",
        "benchmarks.reliability",
        "durable-run",
        str(db),
        str(ledger),
        THREAD,
    ]
    done = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=timeout_s, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"the resumed run failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout)


# -- fault injection -------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """A case's verdict: whether the system survived it, and what was seen."""

    ok: bool
    detail: str


def _run(agent: Any, request: dict[str, Any], use_async: bool) -> dict[str, Any]:
    if use_async:
        return result_of(asyncio.run(agent.ainvoke(request)))
    return result_of(agent.invoke(request))


def fault_transient_retried(use_async: bool = False) -> Outcome:
    """Two ConnectionErrors then success: retried with growing waits, one output."""
    counter = CallCounter()
    flaky = worker(
        "flaky", counter=counter, fail=lambda n: ConnectionError("503 upstream") if n <= 2 else None
    )
    agent = create_orchestai_agent(
        WorkerRegistry([flaky]), plan=Plan("x", (node("a", "flaky"),)), settings=settings()
    )
    result = _run(agent, {"instruction": "x"}, use_async)
    times = [t for _, _, t in counter.starts]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    ok = (
        result["success"]
        and counter.of("flaky") == 3
        and len(gaps) == 2
        and gaps[0] >= FAST_RETRY.initial_interval * 0.9
        and gaps[1] >= FAST_RETRY.initial_interval * FAST_RETRY.backoff_factor * 0.9
    )
    return Outcome(
        ok,
        f"calls={counter.of('flaky')} gaps={[round(g, 3) for g in gaps]} success={result['success']}",
    )


def fault_permanent_not_retried(use_async: bool = False) -> Outcome:
    """A ValueError (bad input) is not retried; the node fails with the error recorded."""
    counter = CallCounter()
    bad = worker("bad", counter=counter, fail=lambda n: ValueError("unsupported format"))
    agent = create_orchestai_agent(
        WorkerRegistry([bad]), plan=Plan("x", (node("a", "bad"),)), settings=settings()
    )
    result = _run(agent, {"instruction": "x"}, use_async)
    error = result["errors"].get("a", "")
    ok = not result["success"] and counter.of("bad") == 1 and "unsupported format" in error
    return Outcome(ok, f"calls={counter.of('bad')} error={error!r}")


def fault_fallback_ranked(use_async: bool = False) -> Outcome:
    """The chosen worker fails for good: the best-ranked alternative (not the first listed) answers."""
    counter = CallCounter()
    registry = WorkerRegistry(
        [
            worker("primary", counter=counter, fail=lambda n: ConnectionError("down")),
            worker("second", counter=counter),
            worker("best", counter=counter),
        ]
    )
    plan = Plan("x", (node("a", "primary", alternatives={"second": 0.2, "best": 0.9}),))
    result = _run(
        create_orchestai_agent(registry, plan=plan, settings=settings()),
        {"instruction": "x"},
        use_async,
    )
    record = result["nodes"][0]
    ok = (
        result["success"]
        and record["worker"] == "best"
        and counter.of("primary") == FAST_RETRY.max_attempts
        and counter.of("second") == 0
        and result["outputs"]["a"]["text"] == "a by best"
    )
    return Outcome(
        ok, f"worker={record['worker']} attempts={record['attempts']} calls={dict(counter.calls)}"
    )


def fault_timeout(use_async: bool) -> Outcome:
    """A 5 s call under a 0.2 s deadline: the run ends in under a second, the fallback answers."""
    registry = WorkerRegistry([worker("slow", seconds=5.0), worker("fast")])
    plan = Plan("x", (node("a", "slow", alternatives={"fast": 0.5}), node("b", "slow", ["a"])))
    agent = create_orchestai_agent(
        registry, plan=plan, settings=settings(retry=None, node_timeout_s=0.2)
    )
    start = time.perf_counter()
    result = _run(agent, {"instruction": "x"}, use_async)
    seconds = time.perf_counter() - start
    ok = (
        seconds < 1.0
        and result["outputs"].get("a", {}).get("text") == "a by fast"
        and "Timeout" in result["errors"].get("b", "")
        and "b" not in result["outputs"]
    )
    return Outcome(ok, f"{seconds:.2f}s errors={result['errors']}")


def fault_partial_results(use_async: bool = False, log_path: Path | None = None) -> Outcome:
    """``a -> b(fails) -> c`` beside ``d``: a's and d's outputs are kept, c is skipped, all logged."""
    registry = WorkerRegistry(
        [worker("good"), worker("bad", fail=lambda n: ValueError("corrupted input"))]
    )
    plan = Plan(
        "x",
        (node("a", "good"), node("b", "bad", ["a"]), node("c", "good", ["b"]), node("d", "good")),
    )
    with _scratch(log_path) as path:
        agent = create_orchestai_agent(registry, plan=plan, settings=settings(), execution_log=path)
        result = _run(agent, {"instruction": "x"}, use_async)
        logged = [r.to_dict() for r in ExecutionLog(path)]
    ok = (
        sorted(result["outputs"]) == ["a", "d"]
        and "skipped" in result["errors"].get("c", "")
        and len(logged) == 1
        and logged[0]["outputs"] == result["outputs"]
    )
    return Outcome(ok, f"outputs={sorted(result['outputs'])} errors={result['errors']}")


@contextmanager
def _scratch(path: Path | None) -> Iterator[Path]:
    if path is not None:
        yield path
        return
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder) / "executions.jsonl"


async def cancel_mid_run(
    log_path: Path, *, stream: bool = False, cancel_after_s: float = 0.3
) -> tuple[CallCounter, int]:
    """Cancel an ``ainvoke`` (or an ``astream`` being read) of a 4-node chain of 0.2 s async calls.

    Returns the counter and how many calls were started after the cancellation.
    """
    counter = CallCounter()
    registry = WorkerRegistry([worker("w", counter=counter, seconds=0.2)])
    agent = create_orchestai_agent(
        registry, plan=chain_plan(4), settings=settings(), execution_log=log_path
    )
    request = {"instruction": "cancel me"}

    async def read_stream() -> None:
        async for _ in agent.astream(request, stream_mode=["updates", "custom"]):
            pass

    run = asyncio.ensure_future(read_stream() if stream else agent.ainvoke(request))
    await asyncio.sleep(cancel_after_s)
    run.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await run
    cancelled_at = time.perf_counter()
    await asyncio.sleep(0.6)  # long enough for a zombie chain to start its next call
    return counter, sum(1 for _, _, t in counter.starts if t > cancelled_at)


def fault_cancellation(log_path: Path | None = None, *, stream: bool = False) -> Outcome:
    with _scratch(log_path) as path:
        counter, late = asyncio.run(cancel_mid_run(path, stream=stream))
        logged = len(ExecutionLog(path))
    calls = counter.of("w")
    ok = late == 0 and 1 <= calls < 4 and logged == 0
    return Outcome(ok, f"calls before cancel={calls} started after={late} log records={logged}")


def abandoned_sync_calls_finishing_late() -> int:
    """Timed-out sync calls that went on to finish after the run had returned (a real one is billed)."""
    finished: list[float] = []

    def reply(task: TaskInput) -> str:
        finished.append(time.perf_counter())
        return "late"

    registry = WorkerRegistry([worker("slow", seconds=0.5, reply=reply)])
    plan = Plan("x", (node("a", "slow"),))
    agent = create_orchestai_agent(registry, plan=plan, settings=settings(node_timeout_s=0.1))
    agent.invoke({"instruction": "x"})
    ended = time.perf_counter()
    time.sleep(0.8)
    return sum(1 for t in finished if t > ended)


FAULTS: dict[str, Callable[[], Outcome]] = {
    "transient error retried (sync)": fault_transient_retried,
    "transient error retried (async)": lambda: fault_transient_retried(use_async=True),
    "permanent error not retried": fault_permanent_not_retried,
    "fallback to best-ranked alternative": fault_fallback_ranked,
    "fallback (async)": lambda: fault_fallback_ranked(use_async=True),
    "timeout, sync worker": lambda: fault_timeout(use_async=False),
    "timeout, async worker": lambda: fault_timeout(use_async=True),
    "partial results kept": fault_partial_results,
    "partial results kept (async)": lambda: fault_partial_results(use_async=True),
    "cancellation mid-run (ainvoke)": fault_cancellation,
    "cancellation mid-run (astream)": lambda: fault_cancellation(stream=True),
}


# -- budgets ---------------------------------------------------------------------------------


def diamond_plan(width: int, worker_name: str) -> Plan:
    """``src -> (p0..p{width-1}) -> sink``: many calls in flight at once."""
    middle = [node(f"p{i}", worker_name, ["src"]) for i in range(width)]
    return Plan(
        "diamond",
        (node("src", worker_name), *middle, node("sink", worker_name, [m.id for m in middle])),
    )


def budget_run(
    max_usd: float, *, width: int = 6, extra_usd: float = 0.0, use_async: bool = True
) -> dict[str, Any]:
    """A diamond of calls estimated at USD_PER_CALL each, really costing ``extra_usd`` more.

    The estimate of a worker that counts no tokens is its per-call price; the extra is billed
    through output tokens it reports, which the estimate cannot foresee.
    """
    tokens = round(extra_usd * 1e6)
    spec = worker(
        "w",
        seconds=0.05,
        usage=Usage(0, tokens),
        cost=CostModel(usd_per_output_token=1e-6, usd_per_call=USD_PER_CALL),
    )
    agent = create_orchestai_agent(
        WorkerRegistry([spec]), plan=diamond_plan(width, "w"), settings=settings()
    )
    return _run(agent, {"instruction": "x", "budget": {"max_usd": max_usd}}, use_async)


def spent_usd(result: dict[str, Any]) -> float:
    return sum(n["usd"] for n in result["nodes"])


def budget_overspends() -> list[float]:
    """Spend past the budget in runs whose estimates are exact, over budgets from 0 to 10 calls."""
    overs = []
    for calls in (0, 1, 2.5, 4, 7.5, 10):
        max_usd = calls * USD_PER_CALL
        overs.append(max(0.0, spent_usd(budget_run(max_usd)) - max_usd))
    return overs


def timed_out_calls_sent(use_async: bool, max_calls: float = 1.5) -> int:
    """Calls sent for one node whose 0.5 s worker times out at 0.1 s, with a budget for ``max_calls``."""
    counter = CallCounter()
    registry = WorkerRegistry([worker("slow", counter=counter, seconds=0.5)])
    agent = create_orchestai_agent(
        registry, plan=Plan("x", (node("a", "slow"),)), settings=settings(node_timeout_s=0.1)
    )
    _run(agent, {"instruction": "x", "budget": {"max_usd": max_calls * USD_PER_CALL}}, use_async)
    return counter.of("slow")


# -- bad input -------------------------------------------------------------------------------


def echo_agent(log_path: Path | None = None, **kwargs: Any) -> Any:
    registry = WorkerRegistry([worker("echo", reply=lambda t: t["instruction"])])
    return create_orchestai_agent(
        registry,
        plan=Plan("default instruction", (node("a", "echo"),)),
        execution_log=log_path,
        **kwargs,
    )


def instruction_case(instruction: str, refusal: str | None = None) -> Outcome:
    """The instruction reaches the worker unchanged and round-trips through the execution log;
    or, where ``refusal`` is given, the agent refuses it with an error that says so."""
    with _scratch(None) as path:
        try:
            result = result_of(echo_agent(path).invoke({"instruction": instruction}))
        except OrchestAIError as exc:
            return Outcome(refusal is not None and refusal in str(exc), f"clear error: {exc}")
        if refusal is not None:
            return Outcome(False, f"ran instead of refusing ({refusal!r} expected)")
        logged = list(ExecutionLog(path))
    ok = (
        result["success"]
        and result["outputs"]["a"]["text"] == instruction
        and len(logged) == 1
        and logged[0].instruction == instruction
    )
    return Outcome(ok, f"success={result['success']} logged={len(logged)}")


def empty_message_case() -> Outcome:
    try:
        echo_agent().invoke({"messages": [("user", "   ")]})
    except OrchestAIError as exc:
        return Outcome("empty" in str(exc), f"clear error: {exc}")
    return Outcome(False, "an empty message ran")


BAD_INSTRUCTIONS: dict[str, str] = {
    "empty instruction (plan's own is used)": "",
    "whitespace instruction": " \t\n ",
    "1 MB instruction": "lorem ipsum " * (2**20 // 12),
    "control characters": "run\x00this\x1b[31m red\r\n\x07\x08\u202eevil\u2028line\ufeff",
    "mixed scripts and emoji": "Résumé: 日本語の論文を要約 — العربية — Ελληνικά — עברית — 🚀👩‍🔬",
    "lone surrogate (undecodable argv byte)": "report on caf\udce9",
}
# What the agent says when it refuses an instruction; the others must run unchanged.
INSTRUCTION_REFUSALS = {"lone surrogate (undecodable argv byte)": "not valid UTF-8"}


def bad_instruction(name: str) -> Outcome:
    text = BAD_INSTRUCTIONS[name]
    if not text:
        with _scratch(None) as path:
            result = result_of(echo_agent(path).invoke({"instruction": text}))
            return Outcome(
                result["outputs"]["a"]["text"] == "default instruction"
                and len(ExecutionLog(path)) == 1,
                "fell back to the plan's instruction",
            )
    try:
        return instruction_case(text, INSTRUCTION_REFUSALS.get(name))
    except Exception as exc:
        return Outcome(False, f"crashed: {type(exc).__name__}: {exc}")


def cli(argv: Sequence[str]) -> tuple[int, str, str]:
    """``orchestai`` in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    # Point the CLI's rich console at the capture too. Afterwards it goes back to no file of
    # its own (None), so it writes to whatever sys.stderr is then: restoring the stream read
    # from ``console.file`` pinned it to this moment's sys.stderr (a test's capture) for good.
    _display.console.file = err
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = orchestai_main(list(argv))
    finally:
        _display.console.file = None  # type: ignore[assignment]
    return code, out.getvalue(), err.getvalue()


REPORT_PLAN = {
    "format_version": 1,
    "instruction": "Report on the paper",
    "subtasks": [
        {
            "id": "extract",
            "description": "Extract the text",
            "task_type": "extract_text",
            "worker": "pdf_text",
        },
        {
            "id": "report",
            "description": "Write the report",
            "task_type": "write_report",
            "worker": "report",
            "dependencies": ["extract"],
        },
    ],
}


def _plan_file(folder: Path, plan: Any, raw: str | None = None) -> Path:
    path = folder / "plan.json"
    path.write_text(raw if raw is not None else json.dumps(plan), encoding="utf-8")
    return path


def _cyclic_plan() -> dict[str, Any]:
    plan = json.loads(json.dumps(REPORT_PLAN))
    plan["subtasks"][0]["dependencies"] = ["report"]
    return plan


def _unknown_worker_plan() -> dict[str, Any]:
    plan = json.loads(json.dumps(REPORT_PLAN))
    plan["subtasks"][1]["worker"] = "gpt-17"
    return plan


@dataclass(frozen=True)
class CliCase:
    """An ``orchestai run`` with one bad input: the exit code and a phrase stderr must hold."""

    make_input: Callable[[Path], list[str]]
    plan: Callable[[Path], Path]
    code: int
    phrase: str


def _missing(folder: Path) -> list[str]:
    return [str(folder / "nope.pdf")]


def _a_folder(folder: Path) -> list[str]:
    (folder / "dir.pdf").mkdir()
    return [str(folder / "dir.pdf")]


def _corrupted_pdf(folder: Path) -> list[str]:
    path = folder / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n" + os.urandom(4096) + b"\n%%EOF")
    return [str(path)]


def write_pdf(path: Path, objects: Sequence[bytes]) -> Path:
    """A minimal PDF of ``objects`` (numbered from 1, object 1 the catalog) with a valid xref."""
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(out)
    return path


_CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
_PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>"


def _bomb_pdf(folder: Path, megabytes: int = 256) -> list[str]:
    """A 256 MB page content stream (blanks) deflated to about 1 MB."""
    packer, line = zlib.compressobj(1), b" " * 2**16
    data = (
        b"".join(packer.compress(line) for _ in range(megabytes * 2**20 // len(line)))
        + packer.flush()
    )
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(data), data)
    pages = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
    return [str(write_pdf(folder / "bomb.pdf", [_CATALOG, pages, _PAGE, stream]))]


def _cyclic_pdf(folder: Path) -> list[str]:
    """A page tree that lists itself among its kids."""
    pages = b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>"
    return [
        str(
            write_pdf(
                folder / "loop.pdf",
                [_CATALOG, pages, _PAGE, b"<< /Length 0 >>\nstream\n\nendstream"],
            )
        )
    ]


def _markup_named_pdf(folder: Path) -> list[str]:
    path = (
        folder / "notes[" / "b].pdf"
    )  # legal names whose path reads as terminal markup: notes[/b].pdf
    path.parent.mkdir()
    path.write_bytes(b"%PDF-1.4 not really")
    return [str(path)]


def _empty_pdf(folder: Path) -> list[str]:
    path = folder / "empty.pdf"
    path.write_bytes(b"")
    return [str(path)]


def _good_plan(folder: Path) -> Path:
    return _plan_file(folder, REPORT_PLAN)


def _no_input(folder: Path) -> list[str]:
    return []


CLI_CASES: dict[str, CliCase] = {
    "missing input file": CliCase(_missing, _good_plan, 2, "does not exist"),
    "folder given as input file": CliCase(_a_folder, _good_plan, 2, "not a file"),
    # Found mid-run: the node fails, finished outputs and the trace are kept, exit 1.
    "corrupted PDF": CliCase(_corrupted_pdf, _good_plan, 1, "not a readable PDF"),
    "empty PDF": CliCase(_empty_pdf, _good_plan, 1, "not a readable PDF"),
    # pypdf stops inflating at its limit, or finds no text; either way the node fails naming the file.
    "decompression-bomb PDF": CliCase(_bomb_pdf, _good_plan, 1, "bomb.pdf:"),
    "PDF page tree with a cycle": CliCase(_cyclic_pdf, _good_plan, 1, "not a readable PDF"),
    "corrupted PDF named like markup": CliCase(
        _markup_named_pdf, _good_plan, 1, "not a readable PDF"
    ),
    "malformed plan JSON": CliCase(
        _no_input, lambda f: _plan_file(f, None, raw='{"subtasks": [,]}'), 2, "not valid JSON"
    ),
    "plan is a JSON list": CliCase(_no_input, lambda f: _plan_file(f, [1, 2]), 2, "JSON object"),
    "cyclic plan": CliCase(_no_input, lambda f: _plan_file(f, _cyclic_plan()), 2, "cycle"),
    "unknown worker": CliCase(
        _no_input, lambda f: _plan_file(f, _unknown_worker_plan()), 2, "not registered"
    ),
    "missing plan file": CliCase(
        _no_input, lambda f: f / "missing-plan.json", 2, "cannot read plan file"
    ),
}


def cli_case(name: str, folder: Path) -> tuple[Outcome, Path]:
    """Run a CLI case in ``folder`` with an output folder that already holds a user's file."""
    case = CLI_CASES[name]
    out = folder / "out"
    out.mkdir()
    keep = out / "earlier-result.txt"
    keep.write_text("do not touch")
    argv = ["run", "--plan", str(case.plan(folder)), "--out", str(out)]
    inputs = case.make_input(folder)
    if inputs:
        argv += ["--input", *inputs]
    code, _, stderr = cli(argv)
    intact = keep.read_text() == "do not touch"
    said = " ".join(stderr.split())  # rich wraps long lines
    ok = code == case.code and case.phrase in said and intact and "Traceback" not in stderr
    return Outcome(ok, f"exit {code}, stderr: {said[-300:]!r}"), out


def tampered_checkpoint_case(folder: Path, serde: Any = None) -> Outcome:
    """A saved node result in the SQLite checkpoint replaced by a msgpack "constructor" that opens
    (creates) a marker file; the run is then resumed. Reviving it is code execution."""
    import ormsgpack
    from langgraph.checkpoint.serde.jsonplus import EXT_CONSTRUCTOR_POS_ARGS

    db, ledger, marker = folder / "checkpoints.sqlite", folder / "ledger.txt", folder / "pwned"
    kill_when_paid(db, ledger, 2)
    call = ormsgpack.packb(("builtins", "open", [str(marker), "w"]))
    payload = ormsgpack.packb({"output": ormsgpack.Ext(EXT_CONSTRUCTOR_POS_ARGS, call)})
    with contextlib.closing(sqlite3.connect(db)) as conn, conn:
        latest = conn.execute("SELECT max(checkpoint_id) FROM checkpoints").fetchone()[0]
        conn.execute(
            "UPDATE writes SET type = 'msgpack', value = ? WHERE checkpoint_id = ? AND channel = '__return__'",
            (payload, latest),
        )
    agent, conn = durable_agent(db, ledger, serde=serde)
    logging.disable(logging.CRITICAL)  # the expected "blocked type" warning and callback traceback
    try:
        agent.invoke(None, durable_config(), durability="sync")
    except Exception as exc:  # a refusal is fine; reviving the payload is not
        detail = f"resume refused: {type(exc).__name__}"
    else:
        detail = "resumed"
    finally:
        logging.disable(logging.NOTSET)
        conn.close()
    return Outcome(
        not marker.exists(), f"{detail}; payload {'ran' if marker.exists() else 'not run'}"
    )


# -- load ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadReport:
    """Runs that raised or failed (lost), got another run's data (mixed up) or are missing
    from the shared execution log (unlogged)."""

    runs: int
    lost: int
    mixed_up: int
    unlogged: int
    seconds: float
    peak_mb: float

    @property
    def runs_per_s(self) -> float:
        return self.runs / self.seconds


def load_agent(log_path: Path | None = None, checkpointer: Any = None) -> Any:
    """Three async nodes that echo their run's tag through the chain."""

    def reply(task: TaskInput) -> str:
        upstream = [c["text"] for c in task["context"].values()]
        return "|".join([task["instruction"], task["node_id"], *upstream])

    registry = WorkerRegistry([worker("w", seconds=0.01, reply=reply)])
    plan = Plan("load", (node("a", "w"), node("b", "w", ["a"]), node("c", "w", ["a", "b"])))
    return create_orchestai_agent(
        registry, plan=plan, settings=settings(), execution_log=log_path, checkpointer=checkpointer
    )


def mixed_up(tag: str, state: dict[str, Any]) -> bool:
    result = state["result"]
    texts = [o["text"] for o in result["outputs"].values()]
    return (
        result["instruction"] != tag
        or result["inputs"] != [f"/data/{tag}.pdf"]
        or not all(t.startswith(tag + "|") for t in texts)
        or any(part.startswith("run-") and part != tag for t in texts for part in t.split("|"))
        or state["messages"][-1].content != result["final_output"]
    )


async def concurrent_runs(n: int = 200) -> LoadReport:
    """``n`` runs at once through one agent, one execution log and one checkpointer (a thread each)."""
    from langgraph.checkpoint.memory import InMemorySaver

    tags = [f"run-{i:04d}" for i in range(n)]
    with _scratch(None) as log_path:
        agent = load_agent(log_path, InMemorySaver())
        tracemalloc.start()
        start = time.perf_counter()
        try:
            states = await asyncio.gather(
                *(
                    agent.ainvoke(
                        {"instruction": t, "inputs": [f"/data/{t}.pdf"]},
                        {"configurable": {"thread_id": t}},
                    )
                    for t in tags
                ),
                return_exceptions=True,
            )
            seconds = time.perf_counter() - start
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        logged = Counter(r.instruction for r in ExecutionLog(log_path))
    good = [(t, s) for t, s in zip(tags, states, strict=True) if not isinstance(s, BaseException)]
    return LoadReport(
        runs=n,
        lost=n - sum(1 for _, s in good if s["result"]["success"]),
        mixed_up=sum(1 for t, s in good if mixed_up(t, s)),
        unlogged=sum(1 for t in tags if logged[t] != 1),
        seconds=seconds,
        peak_mb=peak / 2**20,
    )


# -- the table -------------------------------------------------------------------------------


@dataclass
class Tally:
    """Cases tried, survived, and crashed (an exception escaped: the run's result is lost)."""

    tried: int = 0
    survived: int = 0
    crashed: int = 0
    failures: list[str] = field(default_factory=list)


def _count(cases: dict[str, Callable[[], Outcome]]) -> Tally:
    tally = Tally(tried=len(cases))
    for name, case in cases.items():
        try:
            outcome = case()
        except Exception as exc:
            outcome = Outcome(False, f"crashed: {type(exc).__name__}: {exc}")
        tally.survived += outcome.ok
        tally.crashed += outcome.detail.startswith("crashed")
        if not outcome.ok:
            tally.failures.append(f"{name}: {outcome.detail}")
    return tally


def _bad_inputs() -> Tally:
    cases: dict[str, Callable[[], Outcome]] = {
        name: (lambda n=name: bad_instruction(n)) for name in BAD_INSTRUCTIONS
    }
    cases["empty chat message"] = empty_message_case

    def in_folder(name: str) -> Outcome:
        with tempfile.TemporaryDirectory() as folder:
            return cli_case(name, Path(folder))[0]

    cases |= {f"CLI: {name}": (lambda n=name: in_folder(n)) for name in CLI_CASES}

    def tampered() -> Outcome:
        with tempfile.TemporaryDirectory() as folder:
            return tampered_checkpoint_case(Path(folder))

    cases["tampered LangGraph checkpoint"] = tampered
    return _count(cases)


@dataclass(frozen=True)
class CrashTotals:
    points: int
    finished_paid_twice: int
    reruns: int
    unsaved_reruns: int  # re-runs beyond the call in flight, in the slow-disk repro
    budget_overspend_usd: float
    incomplete_resumes: int
    notes: list[str]


def _crashes() -> CrashTotals:
    reports = []
    for kills in ([1], [2], [3], [4], [1, 3]):
        with tempfile.TemporaryDirectory() as folder:
            reports.append(crash_and_resume(Path(folder), kills))
    max_usd = 3 * USD_PER_CALL
    with tempfile.TemporaryDirectory() as folder:
        reports.append(crash_and_resume(Path(folder), [2], {"max_usd": max_usd}))
    budgeted = reports[-1]
    with tempfile.TemporaryDirectory() as folder:
        race = crash_and_resume(Path(folder), [2], wait_saved=False, write_delay_s=0.3)
    return CrashTotals(
        points=sum(r.kills for r in reports),
        finished_paid_twice=sum(r.finished_paid_twice for r in reports),
        reruns=sum(r.reruns for r in reports),
        unsaved_reruns=race.reruns - race.kills,
        budget_overspend_usd=sum(budgeted.paid.values()) * USD_PER_CALL - max_usd,
        incomplete_resumes=sum(not r.result["success"] for r in reports[:-1]),
        notes=[
            f"resumed run failed: {r.result['errors']}"
            for r in reports[:-1]
            if not r.result["success"]
        ],
    )


def main() -> None:
    rows: list[tuple[str, str]] = []
    notes: list[str] = []
    start = time.perf_counter()

    faults, bad = _count(FAULTS), _bad_inputs()
    rows.append(("faults injected / survived", f"{faults.tried} / {faults.survived}"))
    rows.append(
        (
            "timed-out sync calls still running after the run",
            str(abandoned_sync_calls_finishing_late()),
        )
    )
    rows.append(("bad inputs tried / handled", f"{bad.tried} / {bad.survived}"))
    notes += faults.failures + bad.failures
    crash = _crashes()
    rows.append(
        (
            "crash points (SIGKILL) / saved nodes paid twice",
            f"{crash.points} / {crash.finished_paid_twice}",
        )
    )
    rows.append(("in-flight calls re-run after a kill", f"{crash.reruns} (at most {crash.points})"))
    rows.append(("finished-but-unsaved nodes re-run (slow-disk repro)", str(crash.unsaved_reruns)))
    notes += crash.notes
    overs = budget_overspends()
    rows.append(("budget overspend, largest observed (USD)", f"{max(overs):.6f}"))
    sent = max(timed_out_calls_sent(use_async) for use_async in (False, True))
    rows.append(
        (
            "budget overspend, timed-out calls resent (USD; budget 1.5 calls)",
            f"{max(0.0, (sent - 1.5) * USD_PER_CALL):.6f} ({sent} calls sent)",
        )
    )
    rows.append(
        (
            "budget overspend across a crash (USD; the in-flight call)",
            f"{max(0.0, crash.budget_overspend_usd):.6f}",
        )
    )
    load = asyncio.run(concurrent_runs(200))
    rows.append(
        (
            "runs/s at 200 concurrent runs",
            f"{load.runs_per_s:.1f} (peak {load.peak_mb:.0f} MB traced)",
        )
    )
    incomplete = crash.incomplete_resumes
    under_load = load.lost + load.mixed_up + load.unlogged
    lost = under_load + faults.crashed + bad.crashed + incomplete
    rows.append(
        (
            "data lost (runs whose results were lost or mixed up)",
            f"{lost} (load {under_load}, crashed by a fault {faults.crashed}, "
            f"crashed by bad input {bad.crashed}, incomplete resumes {incomplete})",
        )
    )

    width = max(len(k) for k, _ in rows)
    print(f"{'reliability':<{width}}  result")
    print("-" * (width + 24))
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    print(f"\n({time.perf_counter() - start:.0f} s)")
    for note in notes:
        print(f"  not survived: {note}")


def _durable_run_command(argv: Sequence[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reliability durable-run")
    parser.add_argument("db", type=Path)
    parser.add_argument("ledger", type=Path)
    parser.add_argument("thread")
    parser.add_argument("--max-usd", type=float)
    parser.add_argument(
        "--write-delay", type=float, default=0.0, help="seconds each task write takes to land"
    )
    args = parser.parse_args(argv)
    budget = None if args.max_usd is None else {"max_usd": args.max_usd}
    result = durable_run(args.db, args.ledger, args.thread, budget, args.write_delay)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    if sys.argv[1:2] == ["durable-run"]:
        _durable_run_command(sys.argv[2:])
    else:
        main()
