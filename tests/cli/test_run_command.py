"""``orchestai run``: output paths it cannot write are refused before any worker is paid, and
any sub-task id runs."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

Orchestai = Callable[..., tuple[int, str]]  # the conftest fixture: argv -> (status, error line)

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "examples" / "plans" / "paper_to_slides.json"


def _table_plan(folder: Path) -> Path:
    """A one-node plan: the table analyst describes the sales CSV into ``table.md``."""
    plan = folder / "plan.json"
    subtask = {
        "id": "table",
        "description": "d",
        "task_type": "analyze_table",
        "worker": "table_analyst",
    }
    plan.write_text(
        json.dumps(
            {"format_version": 1, "instruction": "Describe the sales", "subtasks": [subtask]}
        )
    )
    return plan


def test_out_that_is_a_file_is_refused(orchestai: Orchestai, tmp_path: Path) -> None:
    taken = tmp_path / "out"
    taken.write_text("a user's file")

    code, said = orchestai("run", "--plan", str(PLAN), "--out", str(taken))

    assert code == 2 and "argument --out/-o" in said and "is a file, not a folder" in said
    assert taken.read_text() == "a user's file"


def test_a_log_that_is_a_folder_is_refused_before_the_run(
    orchestai: Orchestai, tmp_path: Path
) -> None:
    out = tmp_path / "out"

    code, said = orchestai("run", "--plan", str(PLAN), "--out", str(out), "--log", str(tmp_path))

    assert code == 2 and "argument --log" in said and "is a folder; give a file name" in said
    assert not out.exists()


def test_a_log_that_is_another_file_is_refused_before_the_run_and_kept(
    orchestai: Orchestai, tmp_path: Path
) -> None:
    out, notes = tmp_path / "out", tmp_path / "notes.md"
    notes.write_text("# My notes\nthe last line, with no newline")

    code, said = orchestai(
        "run",
        *("--plan", str(_table_plan(tmp_path)), "--out", str(out), "--log", str(notes)),
        *("--input", str(ROOT / "examples" / "data" / "sales.csv")),
    )

    assert code == 2 and "notes.md ends with" in said and "no run record" in said
    assert notes.read_text() == "# My notes\nthe last line, with no newline"
    assert not out.exists() or not any(out.iterdir())  # no worker ran


def test_a_plan_with_a_planner_is_refused_before_out_is_made(
    orchestai: Orchestai, tmp_path: Path
) -> None:
    out = tmp_path / "out"

    code, said = orchestai("run", "--plan", str(PLAN), "--planner", "org/p", "--out", str(out))

    assert code == 2 and "give one of them" in said
    assert not out.exists()


def test_sub_tasks_named_like_the_agents_own_nodes_are_refused_before_any_call(
    orchestai: Orchestai, tmp_path: Path
) -> None:
    # LangGraph's updates stream keys sub-tasks and the agent's plan/execute/respond nodes alike,
    # so a consumer could not tell them apart: such ids are reserved.
    plan = tmp_path / "plan.json"
    subtasks = [
        ("plan", "render_chart", "chart", []),
        ("execute", "analyze_table", "table_analyst", []),
        ("respond", "write_report", "report", ["plan", "execute"]),
    ]
    plan.write_text(
        json.dumps(
            {
                "format_version": 1,
                "instruction": "Chart the sales and write a report",
                "subtasks": [
                    {"id": i, "description": i, "task_type": t, "worker": w, "dependencies": d}
                    for i, t, w, d in subtasks
                ],
            }
        )
    )
    out = tmp_path / "out"
    csv = ROOT / "examples" / "data" / "sales.csv"

    code, said = orchestai("run", "--plan", str(plan), "--input", str(csv), "--out", str(out))

    assert code == 2 and "sub-task id 'plan' is reserved" in said
    assert "rename the sub-task, e.g. to 'plan_step'" in said
    assert not out.exists()  # refused with the plan, before the output folder is made


def test_ctrl_c_starts_no_new_worker_call_and_still_returns_the_result(make_worker, capsys) -> None:
    """The interrupt lands while the first node's worker runs: it finishes, the next never
    starts, and the run ends with a result to write (``run`` then exits with 130)."""
    import _thread
    import threading

    from orchestai_agents import (
        ExecutionSettings,
        Plan,
        SubTask,
        WorkerOutput,
        create_orchestai_agent,
    )
    from orchestai_agents.cli.run import _stream

    called: list[str] = []

    def slow(task):
        called.append(task["node_id"])
        if task["node_id"] == "a":
            _thread.interrupt_main()  # Ctrl-C, while this call runs
            stop.wait(10)  # until the main thread has taken it (a fixed sleep failed under load)
        return WorkerOutput(f"done {task['node_id']}")

    stop = threading.Event()
    plan = Plan("x", (SubTask("a", "a", "t", "w"), SubTask("b", "b", "t", "w", ("a",))))
    agent = create_orchestai_agent(
        [make_worker("w", fn=slow)], plan=plan, settings=ExecutionSettings(stop=stop)
    )

    state = _stream(agent, {"instruction": "x"}, stop)

    assert stop.is_set() and called == ["a"]
    a, b = state["result"]["nodes"]
    assert a["success"] and state["result"]["outputs"]["a"]["text"] == "done a"
    assert not b["success"] and b["error"].startswith("cancelled") and b["attempts"] == []
    assert "no new worker calls" in capsys.readouterr().err


def test_a_ctrl_c_that_comes_while_a_finalizer_runs_still_stops_the_run() -> None:
    """The main thread may be in a ``__del__`` the garbage collector called when Ctrl-C comes;
    a KeyboardInterrupt raised there is printed and dropped, but the handler has set ``stop``.
    A second Ctrl-C quits."""
    import _thread
    import threading

    from orchestai_agents.cli.run import _ctrl_c_stops

    class Finalized:
        def __del__(self) -> None:
            _thread.interrupt_main()  # Ctrl-C, while this finalizer runs
            sum(range(100_000))  # Python code: the signal is taken here

    stop = threading.Event()
    with _ctrl_c_stops(stop):
        Finalized()  # dropped at once: its __del__ runs
        assert stop.is_set()
        with pytest.raises(KeyboardInterrupt):
            _thread.interrupt_main()
            sum(range(100_000))


def test_a_second_run_into_the_same_out_keeps_the_first_runs_files(
    orchestai: Orchestai, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    argv = [
        "run",
        "--plan",
        str(_table_plan(tmp_path)),
        "--input",
        str(ROOT / "examples" / "data" / "sales.csv"),
    ]
    assert orchestai(*argv, "--out", str(out))[0] == 0
    (out / "table.md").write_text("the user's edits")  # an output of the first run

    assert orchestai(*argv, "--out", str(out))[0] == 0

    (kept,) = out.glob("run-*")
    assert (kept / "table.md").read_text() == "the user's edits"
    assert {p.name for p in kept.iterdir()} == {"trace.json", "answer.md", "plan.png", "table.md"}
    first = json.loads((kept / "trace.json").read_text())
    assert first["outputs"]["table"]["artifacts"] == [str((kept / "table.md").resolve())]
    assert (out / "table.md").read_text() != "the user's edits"  # the second run's own
    assert len((out / "executions.jsonl").read_text().splitlines()) == 2

    # A third run, when the second's trace dates from the same second as the first's.
    first_time = (kept / "trace.json").stat().st_mtime
    (out / "table.md").write_text("the second run's, edited")
    os.utime(out / "trace.json", (first_time, first_time))
    assert orchestai(*argv, "--out", str(out))[0] == 0
    assert sorted((p / "table.md").read_text() for p in out.glob("run-*")) == [
        "the second run's, edited",
        "the user's edits",
    ]


def _out_holding_answer(tmp_path: Path, text: str) -> tuple[Path, list[str]]:
    """An --out that already holds an answer.md (no trace), and a run into it."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "answer.md").write_text(text)
    return out, ["run", "--plan", str(_table_plan(tmp_path)), "--out", str(out)]


def test_files_under_a_runs_own_names_are_kept_without_an_earlier_trace(
    orchestai: Orchestai, tmp_path: Path
) -> None:
    out, argv = _out_holding_answer(tmp_path, "my thesis draft")

    assert orchestai(*argv, "--input", str(ROOT / "examples" / "data" / "sales.csv"))[0] == 0

    (kept,) = out.glob("run-*")
    assert [p.name for p in kept.iterdir()] == ["answer.md"]
    assert (kept / "answer.md").read_text() == "my thesis draft"
    assert (out / "answer.md").read_text() != "my thesis draft"


def test_an_input_where_the_run_writes_its_own_files_is_refused(
    orchestai: Orchestai, tmp_path: Path
) -> None:
    out, argv = _out_holding_answer(tmp_path, "an earlier answer, given as input")

    code, err = orchestai(*argv, "--input", str(out / "answer.md"))

    assert code != 0 and "is where this run writes its own trace.json, answer.md" in err
    assert (out / "answer.md").read_text() == "an earlier answer, given as input"
    assert [p.name for p in out.iterdir()] == ["answer.md"]


def test_the_summary_gives_seconds_to_the_hundredth_and_usd_to_the_millionth(
    tmp_path: Path, capsys
) -> None:
    from orchestai_agents.accounting import NodeRecord, RunResult
    from orchestai_agents.cli.run import _summary

    nodes = (NodeRecord("a", "w", "t", 0.14962, 0.0000123), NodeRecord("b", "w", "t", 14.9, 1.5))
    result = RunResult("r", "x", {}, {}, nodes, "", 15.04962).to_dict()

    _summary(result, tmp_path / "trace.json")

    out = capsys.readouterr().out
    assert "0.15 " in out and "14.90" in out and "15.05" in out and "0.149620" not in out
    assert "0.000012" in out and "1.500000" in out and "1.500012" in out


def test_the_file_tools_of_a_run_may_open_the_given_files_but_not_their_neighbours(
    tmp_path: Path,
) -> None:
    # orchestai run allowed the input files' whole folders: every file beside paper.pdf in,
    # say, ~/Downloads. The user gave the files and --out, so only those are allowed now.
    from orchestai_agents.adapters import default_registry

    from orchestai_agents.cli.run import allowed_paths
    from orchestai_agents.errors import InputFileError

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    given, beside = downloads / "sales.csv", downloads / "payroll.csv"
    given.write_text("month,sales\n1,10\n2,12\n")
    beside.write_text("name,salary\nann,100\n")
    tool = default_registry(allowed_dirs=allowed_paths([given], tmp_path / "out"))[
        "table_analyst"
    ].runnable
    task = {"node_id": "t", "instruction": "", "description": "analyse", "task_type": "x"}
    task |= {"context": {}, "output_dir": str(tmp_path / "out")}

    assert "sales" in tool.invoke({**task, "inputs": [str(given)]}).text
    with pytest.raises(InputFileError, match="outside the allowed folders"):
        tool.invoke({**task, "inputs": [str(beside)]})


@pytest.mark.parametrize("command", ["run", "plan"])
def test_a_repeated_input_flag_adds_its_files(command: str) -> None:
    from orchestai_agents.cli.main import build_parser

    args = build_parser().parse_args(
        [command, "go", "-i", "a.pdf", "--input", "b.csv", "c.wav", "--out", "o"]
    )

    assert args.input == [Path("a.pdf"), Path("b.csv"), Path("c.wav")]
