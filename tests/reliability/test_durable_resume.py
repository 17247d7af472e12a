"""SIGKILL a real subprocess mid-run, resume by thread id, count the calls paid twice.

The child runs a chain of five paid calls (0.4 s each) under a SQLite checkpointer with
``durability="sync"``; each call appends to a ledger file before it works. The test kills the
child once the ledger holds k lines (so call k is in flight), reads which nodes the checkpoint
had saved, resumes the thread in a fresh process, and compares the ledger with those snapshots.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.reliability import CRASH_NODES, crash_and_resume, tampered_checkpoint_case

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("kill_points", [[1], [2], [3], [4], [1, 3]], ids=str)
def test_resume_pays_only_the_call_in_flight(tmp_path: Path, kill_points: list[int]) -> None:
    report = crash_and_resume(tmp_path, kill_points)

    assert report.finished_paid_twice == 0, (report.paid, report.finished_at_kill)
    assert report.reruns <= report.kills, report.paid
    # The run really was cut short: the checkpoint had fewer than all nodes at the first kill.
    assert len(report.finished_at_kill[0]) < CRASH_NODES
    result = report.result
    assert result["success"], result["errors"]
    assert sorted(result["outputs"]) == [f"n{i}" for i in range(CRASH_NODES)]
    assert result["final_output"] == " <- ".join(f"n{i} by w" for i in reversed(range(CRASH_NODES)))
    assert {line.split()[1] for line in report.paid} == {f"n{i}" for i in range(CRASH_NODES)}


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="LangGraph saves a task's result in the background (PregelLoop.put_writes -> submit), so a "
    "dependent starts before its dependency is durable; a kill in that window re-runs (re-pays) the "
    "finished dependency too. Seen without injected delay in about 1 of 12 kills on a loaded machine.",
)
def test_kill_before_the_dependency_is_saved(tmp_path: Path) -> None:
    # Task writes take 0.3 s to land; kill the moment n1 (which read n0's result) starts.
    report = crash_and_resume(tmp_path, [2], wait_saved=False, write_delay_s=0.3)
    assert report.result["success"]
    assert report.reruns <= report.kills, f"re-paid beyond the call in flight: {dict(report.paid)}"


def test_strict_serializer_refuses_a_tampered_checkpoint(tmp_path: Path) -> None:
    """With a serializer given explicitly: LangGraph's strict allowlist blocks the payload."""
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

    outcome = tampered_checkpoint_case(
        tmp_path, serde=JsonPlusSerializer(allowed_msgpack_modules=None)
    )
    assert outcome.ok, outcome.detail


def test_a_tampered_checkpoint_runs_no_code_on_resume(tmp_path: Path) -> None:
    """With the checkpointer a user passes as is (LangGraph's permissive default serializer)."""
    outcome = tampered_checkpoint_case(tmp_path)
    assert outcome.ok, outcome.detail


def test_a_tampered_result_is_a_checkpoint_error(tmp_path: Path) -> None:
    outcome = tampered_checkpoint_case(tmp_path)
    assert "CheckpointError" in outcome.detail, outcome.detail
