"""Sentinel test: API keys never reach logs, traces, checkpoints or model cards.

The provider keys are set to sentinel values; workers leak them the ways real SDKs do (an error
echoing the request's auth header, an output quoting a traceback); then every file the run left
behind, and the CLI's stdout and stderr, is searched byte for byte for the sentinels.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from langgraph.checkpoint.sqlite import SqliteSaver

from benchmarks.reliability import REPORT_PLAN, cli, node, settings, worker
from orchestai_agents import ExecutionLog, Plan, SubTask, WorkerRegistry, create_orchestai_agent
from orchestai_agents._internal._secrets import redact, redact_record
from orchestai_agents.cli.run import _write_trace

ROOT = Path(__file__).resolve().parents[2]
SENTINELS = {
    "OPENAI_API_KEY": "sk-proj-SENTINELopenai000111222333444555",
    "ANTHROPIC_API_KEY": "sk-ant-api03-SENTINELanthropic000111222333",
    "HF_TOKEN": "hf_SENTINELhuggingface000111222333444",
    "ACME_SERVICE_TOKEN": "acme-SENTINEL-no-known-shape-424242",  # caught by its variable's name only
}


@pytest.fixture(autouse=True)
def sentinel_keys(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for name, value in SENTINELS.items():
        monkeypatch.setenv(name, value)
    return SENTINELS


def leaks(folder: Path, *texts: str) -> list[str]:
    """``"where: VARIABLE"`` for every sentinel found in a file under ``folder`` or in ``texts``."""
    found = []
    blobs = [
        (str(p.relative_to(folder)), p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    ]
    blobs += [(f"stream {i}", t.encode("utf-8", "surrogatepass")) for i, t in enumerate(texts)]
    for where, blob in blobs:
        found += [f"{where}: {name}" for name, value in SENTINELS.items() if value.encode() in blob]
    return found


def _leaky_registry() -> WorkerRegistry:
    openai, anthropic, hf, acme = SENTINELS.values()
    return WorkerRegistry(
        [
            worker(
                "auth_fail",
                fail=lambda n: ConnectionError(
                    f"401 Unauthorized; sent Authorization: Bearer {openai}"
                ),
            ),
            worker(
                "bad_header",
                fail=lambda n: ValueError(f"invalid x-api-key header {anthropic!r}; check {acme}"),
            ),
            worker("fallback"),
            worker(
                "echoes_traceback",
                reply=lambda t: f"Traceback: HTTPError 403 for token={hf} (retry later)",
            ),
        ]
    )


def _leaky_plan() -> Plan:
    return Plan(
        "use the services",
        (
            node("a", "auth_fail", alternatives={"fallback": 0.5}),
            node("b", "bad_header"),
            node("c", "echoes_traceback", ["a"]),
        ),
    )


def _run(tmp_path: Path) -> dict:
    conn = sqlite3.connect(tmp_path / "checkpoints.sqlite", check_same_thread=False)
    try:
        agent = create_orchestai_agent(
            _leaky_registry(),
            plan=_leaky_plan(),
            settings=settings(),
            checkpointer=SqliteSaver(conn),
            execution_log=tmp_path / "executions.jsonl",
        )
        state = agent.invoke(
            {"instruction": "use the services"},
            {"configurable": {"thread_id": "t"}},
            durability="sync",
        )
    finally:
        conn.close()
    _write_trace(tmp_path, state)
    return state


def test_the_run_really_met_the_keys(tmp_path: Path) -> None:
    """Not vacuous: the workers did raise and echo the keys, and the records say so (redacted)."""
    result = _run(tmp_path)["result"]
    assert "[REDACTED]" in result["errors"]["a"] and "[REDACTED]" in result["errors"]["b"]
    assert result["outputs"]["a"]["text"] == "a by fallback"
    assert len(ExecutionLog(tmp_path / "executions.jsonl")) == 1
    assert "[REDACTED]" in (tmp_path / "trace.json").read_text()


def test_no_key_in_the_execution_log_or_the_trace(tmp_path: Path) -> None:
    _run(tmp_path)
    hits = leaks(tmp_path)
    for name in ("executions.jsonl", "trace.json", "answer.md"):
        assert not [hit for hit in hits if hit.startswith(name)], hits


def test_no_key_in_the_checkpoints(tmp_path: Path) -> None:
    """Errors and outputs are redacted before they become task results the checkpointer saves."""
    _run(tmp_path)
    assert not [h for h in leaks(tmp_path) if h.startswith("checkpoints")]


def _cli_run_with_a_key_in_a_file_name(tmp_path: Path) -> tuple[Path, str, str]:
    """The key in an input's file name, on a PDF that fails to parse (so the error names the file)."""
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    broken = inputs / f"report-{SENTINELS['HF_TOKEN']}.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    plan = tmp_path / "plan.json"
    plan.write_text(Plan.from_dict(REPORT_PLAN).to_json())
    out = tmp_path / "out"
    code, stdout, stderr = cli(
        ["run", "--plan", str(plan), "--input", str(broken), "--out", str(out), "--json"]
    )
    assert code == 1 and "not a readable PDF" in " ".join(stderr.split())
    return out, stdout, stderr


def test_no_key_in_the_cli_outputs_or_progress(tmp_path: Path) -> None:
    out, _, stderr = _cli_run_with_a_key_in_a_file_name(tmp_path)
    assert {"trace.json", "answer.md", "executions.jsonl"} <= {p.name for p in out.iterdir()}
    assert not leaks(out, stderr)


def test_no_key_in_the_cli_json_on_stdout(tmp_path: Path) -> None:
    _, stdout, _ = _cli_run_with_a_key_in_a_file_name(tmp_path)
    assert SENTINELS["HF_TOKEN"] not in stdout


# The shape of an OpenAI key, and a legal node id, worker name or task type.
NAMED_LIKE_A_KEY = "sk-proj-abcdefghijklmnopqrst"


def test_a_node_id_shaped_like_a_key_is_kept_in_the_trace_and_the_cli_json(tmp_path: Path) -> None:
    """Only free text is redacted: the trace and ``--json`` name the node as the plan and the
    log do, and the key the worker quoted (the table's file name) is still taken out."""
    table = tmp_path / f"sales-{SENTINELS['HF_TOKEN']}.csv"
    table.write_bytes((ROOT / "examples" / "data" / "sales.csv").read_bytes())
    plan = tmp_path / "plan.json"
    subtask = SubTask(NAMED_LIKE_A_KEY, "Describe the table", "analyze_table", "table_analyst")
    plan.write_text(Plan("Describe the sales", (subtask,)).to_json())
    out = tmp_path / "out"

    code, stdout, stderr = cli(
        ["run", "--plan", str(plan), "--input", str(table), "--out", str(out), "--json"]
    )

    assert code == 0, stderr
    for result in (json.loads(stdout), json.loads((out / "trace.json").read_text())):
        assert [s["id"] for s in result["plan"]["subtasks"]] == [NAMED_LIKE_A_KEY]
        assert [n["node_id"] for n in result["nodes"]] == [NAMED_LIKE_A_KEY]
        assert "# Table sales-[REDACTED].csv" in result["outputs"][NAMED_LIKE_A_KEY]["text"]
        assert result["inputs"] == [str(tmp_path / "sales-[REDACTED].csv")]
    # The table's summary file quotes the name the user gave it; the run's own files do not.
    assert not [hit for hit in leaks(out, stdout, stderr) if not hit.startswith(NAMED_LIKE_A_KEY)]


def test_a_record_keeps_its_ids_and_names_and_loses_the_keys_in_its_free_text() -> None:
    key, name = SENTINELS["OPENAI_API_KEY"], NAMED_LIKE_A_KEY
    subtask = {"id": name, "worker": name, "task_type": name, "description": key}
    record = {
        "run_id": name,
        "instruction": key,
        "inputs": [key],
        "plan": {"instruction": key, "subtasks": [subtask], "scores": {name: 0.5}},
        "outputs": {name: {"text": key, "artifacts": [key]}},
        "nodes": [{"node_id": name, "worker": name, "error": key, "attempts": [name]}],
        "final_output": key,
        "errors": {name: key},
        "metadata": {"note": key, "tries": 2},
    }

    text = json.dumps(redact_record(record))

    assert key not in text and text.count("[REDACTED]") == json.dumps(record).count(key)
    assert text.count(name) == json.dumps(record).count(name)
    assert '"tries": 2' in text


@pytest.mark.slow
def test_no_key_in_a_planner_model_card(tmp_path: Path) -> None:
    planner = pytest.importorskip("orchestai_agents.planner")
    config = planner.PlannerConfig(
        decomposer=planner.DecomposerConfig(
            hidden_size=16, attention_heads=2, max_subtasks=5, beam_size=2
        ),
        inventory={"summarize": "Summarise a text."},
        metadata={"training_data": f"workflows pulled with HF_TOKEN={SENTINELS['HF_TOKEN']}"},
    )
    planner.Planner(config).save_pretrained(tmp_path / "ckpt")
    assert (tmp_path / "ckpt" / "README.md").is_file()
    assert not leaks(tmp_path / "ckpt")


@pytest.mark.parametrize(
    "text",
    [
        "Authorization: Bearer sk-proj-abcdefghijklmnopqrstu",
        "x-api-key 'sk-ant-api03-abcdefghijklmnop'",
        "token=hf_abcdefghijklmnopqrstuvwx",
        "report-hf_abcdefghijklmnopqrstuvwx.pdf",
        "sk-abcdefghijklmnopqrst at the start",
        "key_sk-abcdefghijklmnopqrst",
    ],
)
def test_a_key_is_redacted_after_a_space_quote_or_punctuation(text):
    assert "[REDACTED]" in redact(text)


@pytest.mark.parametrize(
    "name", ["task-extract-paper-text", "risk-assessment-model-v2", "ask-the-question-first"]
)
def test_a_name_that_holds_a_key_shape_inside_a_word_is_left_whole(name):
    assert redact(f"node {name} failed") == f"node {name} failed"
