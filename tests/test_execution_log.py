"""The execution log: JSON lines that survive a crash mid-append and fail loudly when corrupted."""

from __future__ import annotations

import json
import threading

import pytest

from orchestai_agents import ExecutionLog, NodeRecord, OrchestAIError, RunResult


def _result(run_id: str, usd: float = 0.01) -> RunResult:
    return RunResult(
        run_id=run_id,
        instruction=f"request {run_id}",
        plan={"format_version": 1, "instruction": "x", "subtasks": [], "scores": {}},
        outputs={
            "a": {
                "text": "done",
                "artifacts": ["deck.pptx"],
                "usage": {"input_tokens": 1, "output_tokens": 2},
            }
        },
        nodes=(NodeRecord("a", "writer", "summarize", 0.5, usd, 1, 2, attempts=("writer",)),),
        final_output="done",
        latency_s=0.5,
        inputs=("paper.pdf",),
    )


def test_append_then_iterate_round_trips(tmp_path):
    log = ExecutionLog(tmp_path / "runs.jsonl")
    first, second = _result("r1"), _result("r2", usd=0.02)
    log.append(first)
    log.append(second)
    assert list(log) == [first, second]
    assert len(log) == 2


def test_each_run_is_one_plain_json_line(tmp_path):
    path = tmp_path / "nested" / "dir" / "runs.jsonl"
    ExecutionLog(path).append(_result("r1"))
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n") and text.count("\n") == 1
    assert json.loads(text)["nodes"][0]["usd"] == 0.01


def test_a_missing_log_is_empty(tmp_path):
    log = ExecutionLog(tmp_path / "none.jsonl")
    assert list(log) == [] and len(log) == 0


def test_blank_lines_are_ignored(tmp_path):
    log = ExecutionLog(tmp_path / "runs.jsonl")
    log.append(_result("r1"))
    with log.path.open("a") as f:
        f.write("\n   \n")
    log.append(_result("r2"))
    assert [r.run_id for r in log] == ["r1", "r2"]


def test_a_truncated_last_line_from_a_crash_is_skipped(tmp_path):
    log = ExecutionLog(tmp_path / "runs.jsonl")
    log.append(_result("r1"))
    whole = json.dumps(_result("r2").to_dict())
    with log.path.open("a") as f:
        f.write(whole[: len(whole) // 2])
    assert [r.run_id for r in log] == ["r1"]


def test_a_corrupted_middle_line_raises_naming_the_line(tmp_path):
    log = ExecutionLog(tmp_path / "runs.jsonl")
    log.append(_result("r1"))
    with log.path.open("a") as f:
        f.write('{"run_id": "broken"\n')
    log.append(_result("r3"))
    with pytest.raises(OrchestAIError, match=r"runs.jsonl line 2 is not a run record"):
        list(log)


def test_a_complete_but_invalid_last_line_is_not_mistaken_for_a_crash(tmp_path):
    log = ExecutionLog(tmp_path / "runs.jsonl")
    log.append(_result("r1"))
    with log.path.open("a") as f:
        f.write('{"not": "a run"}\n')
    with pytest.raises(OrchestAIError, match="line 2"):
        list(log)


def test_the_first_run_after_a_crash_is_kept(tmp_path):
    log = ExecutionLog(tmp_path / "runs.jsonl")
    log.append(_result("r1"))
    with log.path.open("a") as f:
        f.write('{"run_id": "r2", "instr')
    log.append(_result("r3"))
    assert [r.run_id for r in log] == ["r1", "r3"]


def test_concurrent_appends_never_interleave(tmp_path):
    log = ExecutionLog(tmp_path / "runs.jsonl")

    def write(worker: int) -> None:
        for i in range(5):
            log.append(_result(f"w{worker}-{i}"))

    threads = [threading.Thread(target=write, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.run_id for r in log) == sorted(f"w{w}-{i}" for w in range(6) for i in range(5))
