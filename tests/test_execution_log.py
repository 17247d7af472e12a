"""The execution log: JSON lines that survive a crash mid-append and fail loudly when corrupted."""

from __future__ import annotations

import fcntl
import json
import multiprocessing
import threading
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

import pytest

from orchestai_agents import ExecutionLog, InputFileError, NodeRecord, OrchestAIError, RunResult
from orchestai_agents.execution_log import distinct_runs


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
    with pytest.warns(UserWarning, match="cut short"):
        log.append(_result("r3"))
    assert [r.run_id for r in log] == ["r1", "r3"]


def test_a_last_line_cut_from_the_log_is_kept_beside_it_with_a_warning(tmp_path):
    """It may be a record edited by hand, left with a typo and no final newline."""
    log = ExecutionLog(tmp_path / "runs.jsonl")
    log.append(_result("r1"))
    edited = json.dumps(_result("r2").to_dict()).replace('"success": true', '"success": tru')
    with log.path.open("a") as f:
        f.write(edited)
    with pytest.warns(UserWarning, match=r"cut from the log and kept in .*runs\.jsonl\.cut-"):
        log.repair()
    [kept] = tmp_path.glob("runs.jsonl.cut-*")
    assert kept.read_text() == edited
    assert [r.run_id for r in log] == ["r1"]


@pytest.mark.parametrize(
    "tail", [b"\0" * 700, b'{"run_id": "r2", "instr' + b"\0" * 700], ids=["zeros", "record-zeros"]
)
def test_a_zero_filled_tail_from_a_power_loss_is_cut_like_a_record_cut_short(tmp_path, tail):
    log = ExecutionLog(tmp_path / "runs.jsonl")
    log.append(_result("r1"))
    with log.path.open("ab") as f:
        f.write(tail)
    with pytest.warns(UserWarning, match="cut short"):
        log.repair()  # as create_orchestai_agent does before it runs anything
    log.append(_result("r3"))
    assert [r.run_id for r in log] == ["r1", "r3"]
    assert [p.read_bytes() for p in tmp_path.glob("runs.jsonl.cut-*")] == [tail]


def test_zeros_after_a_complete_record_are_cut_and_the_record_kept(tmp_path):
    log = ExecutionLog(tmp_path / "runs.jsonl")
    log.append(_result("r1"))
    with log.path.open("ab") as f:
        f.write(json.dumps(_result("r2").to_dict()).encode() + b"\0" * 300)
    log.repair()
    log.append(_result("r3"))
    assert [r.run_id for r in log] == ["r1", "r2", "r3"]
    assert b"\0" not in log.path.read_bytes()


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


def _append_large_runs(path: Path, writer: str, n: int, start: threading.Barrier) -> None:
    log = ExecutionLog(path)
    runs = [replace(_result(f"{writer}-{i}"), final_output="x" * 2_000_000) for i in range(n)]
    start.wait()
    for run in runs:  # each write takes long enough for the other process to see it half done
        log.append(run)


def test_two_processes_appending_to_one_log_lose_no_record(tmp_path):
    path = tmp_path / "runs.jsonl"
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Barrier(2)
    writers = [spawn.Process(target=_append_large_runs, args=(path, w, 20, start)) for w in "AB"]
    for p in writers:
        p.start()
    for p in writers:
        p.join()
    assert [p.exitcode for p in writers] == [0, 0]
    assert sorted(r.run_id for r in ExecutionLog(path)) == sorted(
        f"{w}-{i}" for w in "AB" for i in range(20)
    )


def _append_when_told(path: Path, run_id: str, appending: threading.Event) -> None:
    appending.set()
    ExecutionLog(path).append(_result(run_id))


def test_an_append_waits_for_the_record_another_process_is_writing(tmp_path):
    """Not cut as a crash's leftover: the writer holds the log's lock while its line is half out."""
    log = ExecutionLog(tmp_path / "runs.jsonl")
    log.append(_result("r1"))
    record = (json.dumps(_result("r2").to_dict()) + "\n").encode()
    spawn = multiprocessing.get_context("spawn")
    appending = spawn.Event()
    other = spawn.Process(target=_append_when_told, args=(log.path, "r3", appending))
    with log.path.open("ab") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)  # as the other writer's append takes it
        f.write(record[:100])
        f.flush()
        other.start()
        assert appending.wait(timeout=60)
        time.sleep(0.5)  # time enough to cut the half-written line, if it did not wait
        f.write(record[100:])
    other.join()
    assert [r.run_id for r in log] == ["r1", "r2", "r3"]


def test_a_complete_last_record_without_its_newline_is_kept_on_append(tmp_path):
    log = ExecutionLog(tmp_path / "runs.jsonl")
    log.append(_result("r1"))
    with log.path.open("a") as f:
        f.write(json.dumps(_result("r2").to_dict()))  # a tool that writes no final newline
    log.append(_result("r3"))
    assert [r.run_id for r in log] == ["r1", "r2", "r3"]


def test_a_last_line_that_parses_is_kept_on_append_even_if_not_a_run(tmp_path):
    log = ExecutionLog(tmp_path / "runs.jsonl")
    log.append(_result("r1"))
    with log.path.open("a") as f:
        f.write('{"run_id": "hand-written"}')
    log.append(_result("r3"))
    assert '{"run_id": "hand-written"}\n' in log.path.read_text()
    with pytest.raises(InputFileError, match=r"line 2 is not a run record \(lacks the field"):
        list(log)


def _with_subtask(data: dict) -> dict:
    task = {"id": "a", "description": "sum up", "task_type": "summarize", "worker": "writer"}
    return {**data, "plan": {**data["plan"], "subtasks": [task]}}


def _set_node(field: str, value):
    return lambda data: {**data, "nodes": [{**data["nodes"][0], field: value}]}


def _dangling(data: dict) -> dict:
    data = _with_subtask(data)
    data["plan"]["subtasks"][0]["dependencies"] = ["ghost"]
    return data


@pytest.mark.parametrize(
    ("spoil", "problem"),
    [
        (lambda d: {**d, "latency_s": "1.2s"}, "latency_s must be a number >= 0, got '1.2s'"),
        (_set_node("usd", "$0.01"), "node 'a': usd must be a number >= 0, got '$0.01'"),
        (_set_node("seconds", -1.0), "node 'a': seconds must be a number >= 0, got -1.0"),
        (_set_node("success", "false"), "node 'a': success must be true or false, got 'false'"),
        (_set_node("input_tokens", 1.5), "node 'a': input_tokens must be a whole number"),
        (
            lambda d: {**d, "plan": {"instruction": "x"}},
            "plan is missing the field(s) ['subtasks']",
        ),
        (_dangling, "sub-task 'a' depends on missing 'ghost'"),
        (lambda d: [d], "a run record is a JSON object, got list"),
        (
            _set_node("error", {"type": "Timeout"}),
            "node 'a': error must be a string or null, got {'type': 'Timeout'}",
        ),
        (_set_node("error", True), "node 'a': error must be a string or null, got True"),
        (_set_node("attempts", "writer"), "node 'a': attempts must be a list of strings"),
        (_set_node("attempts", [1]), "node 'a': attempts must be a list of strings, got [1]"),
        (lambda d: {**d, "run_id": None}, "run_id must be a non-empty string, got None"),
        (lambda d: {**d, "run_id": 1}, "run_id must be a non-empty string, got 1"),
        (lambda d: {**d, "run_id": ""}, "run_id must be a non-empty string, got ''"),
        (lambda d: {**d, "instruction": None}, "instruction must be a string, got None"),
        (lambda d: {**d, "final_output": 3}, "final_output must be a string, got 3"),
        (lambda d: {**d, "inputs": "paper.pdf"}, "inputs must be a list of strings"),
        (lambda d: {**d, "outputs": {"a": "done"}}, "outputs must be an object of node id"),
        (lambda d: {**d, "metadata": []}, "metadata must be an object, got []"),
        (lambda d: {**d, "nodes": ["a"]}, "nodes must be a list of node objects, got ['a']"),
    ],
    ids=[
        "latency",
        "usd",
        "seconds",
        "success",
        "tokens",
        "plan",
        "dependency",
        "not-an-object",
        "error-object",
        "error-bool",
        "attempts-string",
        "attempts-numbers",
        "run-id-null",
        "run-id-number",
        "run-id-empty",
        "instruction",
        "final-output",
        "inputs",
        "outputs",
        "metadata",
        "nodes",
    ],
)
def test_a_field_of_the_wrong_kind_is_named_with_its_line(tmp_path, spoil, problem):
    log = ExecutionLog(tmp_path / "runs.jsonl")
    log.append(_result("r1"))
    with log.path.open("a") as f:
        f.write(json.dumps(spoil(_result("r2").to_dict())) + "\n")
    log.append(_result("r3"))
    with pytest.raises(InputFileError, match=r"runs.jsonl line 2 is not a run record") as caught:
        list(log)
    assert problem in str(caught.value) and "repair or remove that line" in str(caught.value)


def test_a_file_that_is_no_log_is_refused_and_left_whole(tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text("# My notes\nimportant final line without newline")
    with pytest.raises(
        OrchestAIError, match=r"notes\.md ends with b'important final line.*no run record"
    ):
        ExecutionLog(notes).append(_result("r1"))
    assert notes.read_text() == "# My notes\nimportant final line without newline"


# Node ids, a worker and a task type that hold "sk-" and 16 characters, the shape of a key.
_IDS = ("task-extract-paper-text", "ask-the-question-first", "sk-proj-node-named-like-a-key")
_WORKER, _TASK = "risk-assessment-model-v2", "risk-assessment"


def _named_like_keys(run_id: str) -> RunResult:
    """A chain over :data:`_IDS` whose first node's error quotes a real key."""
    subtasks = [
        {"id": node, "description": "d", "task_type": _TASK, "worker": _WORKER}
        | {"dependencies": list(_IDS[:i])}
        for i, node in enumerate(_IDS)
    ]
    plan = {"format_version": 1, "instruction": "x", "subtasks": subtasks, "scores": {}}
    nodes = [NodeRecord(node, _WORKER, _TASK, 0.5, 0.0) for node in _IDS]
    nodes[0] = NodeRecord(
        _IDS[0], _WORKER, _TASK, 0.5, 0.0, success=False, error="401 for Bearer sk-" + "a" * 20
    )
    return RunResult(run_id, "assess the risk", plan, {}, tuple(nodes), "done", 1.5)


def test_ids_and_names_that_look_like_keys_are_logged_whole(tmp_path):
    log = ExecutionLog(tmp_path / "runs.jsonl")
    runs = [_named_like_keys(f"r{i}") for i in range(3)]
    for run in runs:
        log.append(run)
    read = list(log)
    assert [r.plan for r in read] == [r.plan for r in runs]
    assert {(n.node_id, n.worker, n.task_type) for r in read for n in r.nodes} == {
        (node, _WORKER, _TASK) for node in _IDS
    }
    assert read[0].nodes[0].error == "401 for Bearer [REDACTED]"  # free text is still redacted


def test_a_run_appended_again_right_after_itself_is_logged_once(tmp_path):
    """As when a run resumed after a crash between logging it and saving that step logs it again."""
    log = ExecutionLog(tmp_path / "runs.jsonl")
    for run_id in ("r1", "r2", "r2"):
        log.append(_result(run_id))
    assert [r.run_id for r in log] == ["r1", "r2"]


def test_distinct_runs_keeps_each_runs_first_record_and_counts_the_repeats(tmp_path):
    log = ExecutionLog(tmp_path / "runs.jsonl")
    for run_id in ("r1", "r2", "r1", "r3", "r2"):  # not in a row: append logs them all
        log.append(_result(run_id, usd=0.02 if run_id == "r3" else 0.01))
    assert len(log) == 5
    runs, repeats = distinct_runs(log)
    assert [r.run_id for r in runs] == ["r1", "r2", "r3"] and repeats == 2
    assert runs[2] == _result("r3", usd=0.02)


def test_a_line_that_is_not_utf8_is_named_with_what_to_do(tmp_path):
    log = ExecutionLog(tmp_path / "runs.jsonl")
    for run_id in ("r1", "r2", "r3"):
        log.append(_result(run_id))
    lines = log.path.read_bytes().split(b"\n")
    lines[1] = lines[1].replace(b"request r2", b"request caf\xe9")  # saved as Latin-1
    log.path.write_bytes(b"\n".join(lines))
    with pytest.raises(
        InputFileError,
        match=r"runs\.jsonl is not UTF-8 text on line 2 .*re-save that line as UTF-8",
    ):
        list(log)


def test_records_are_read_one_line_at_a_time(tmp_path):
    """Not the whole file at once: a log of long answers can be larger than memory."""
    log = ExecutionLog(tmp_path / "runs.jsonl")
    for i in range(20):
        log.append(replace(_result(f"r{i}"), final_output="x" * 1_000_000))
    tracemalloc.start()
    try:
        assert sum(1 for _ in log) == 20
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8_000_000  # the 20 MB log read whole would take more than twice that
