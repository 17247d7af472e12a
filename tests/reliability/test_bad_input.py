"""Bad input gets a clear error and loses nothing.

Instructions go through the agent; files and plans through ``orchestai run`` (in-process, with
its exit code and stderr); paths that escape the allowed folders through the built-in file
tools; tampered planner checkpoints through ``Planner.from_pretrained``. The instruction and CLI
cases are ``benchmarks.reliability``'s, so the table counts what these tests check.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import shutil
from pathlib import Path

import pytest

from benchmarks.reliability import (
    BAD_INSTRUCTIONS,
    CLI_CASES,
    REPO,
    REPORT_PLAN,
    CallCounter,
    bad_instruction,
    cli,
    cli_case,
    empty_message_case,
    node,
    settings,
    worker,
)
from orchestai_agents import ExecutionLog, Plan, WorkerRegistry, create_orchestai_agent

PAPER = REPO / "examples" / "data" / "paper.pdf"


@pytest.mark.parametrize("name", list(BAD_INSTRUCTIONS))
def test_instruction_is_handled(name: str) -> None:
    outcome = bad_instruction(name)
    assert outcome.ok, outcome.detail


def test_empty_chat_message_is_a_clear_error() -> None:
    outcome = empty_message_case()
    assert outcome.ok, outcome.detail


def test_huge_instruction_is_refused_by_a_token_budget_before_any_call(tmp_path: Path) -> None:
    counter = CallCounter()
    llm = dataclasses.replace(worker("llm", counter=counter), expected_output_tokens=100)
    log = tmp_path / "executions.jsonl"
    agent = create_orchestai_agent(
        WorkerRegistry([llm]),
        plan=Plan("x", (node("a", "llm"),)),
        settings=settings(),
        execution_log=log,
    )
    result = agent.invoke({"instruction": "word " * 200_000, "budget": {"max_tokens": 10_000}})[
        "result"
    ]
    assert counter.of("llm") == 0
    assert "raise max_tokens or shorten the inputs" in result["errors"]["a"]
    assert len(ExecutionLog(log)) == 1


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("inputs", "notes.txt", "inputs must be a list of file paths"),  # not one per character
        ("inputs", 5, "inputs must be a list of file paths"),
        ("output_dir", 5, "output_dir must be a folder path"),
        ("budget", 5, "a budget is a mapping"),
        ("budget", {"max_usd": "1"}, "Budget.max_usd must be a number of USD"),
        ("budget", {"max_tokens": 1.5}, "Budget.max_tokens must be a whole number"),
    ],
)
def test_a_request_field_of_the_wrong_type_is_named_before_any_call(
    field: str, value: object, named: str
) -> None:
    # Requests come as JSON through the LangGraph server: these had raised a bare TypeError,
    # or split a path into characters and failed later with a misleading message.
    counter = CallCounter()
    agent = create_orchestai_agent(
        WorkerRegistry([worker("w", counter=counter)]),
        plan=Plan("x", (node("a", "w"),)),
        settings=settings(),
    )
    with pytest.raises(ValueError, match=named):
        agent.invoke({"instruction": "x", field: value})
    assert counter.of("w") == 0


@pytest.mark.parametrize("name", list(CLI_CASES))
def test_cli_bad_input(name: str, tmp_path: Path) -> None:
    outcome, out = cli_case(name, tmp_path)
    assert outcome.ok, outcome.detail
    if CLI_CASES[name].code == 1:  # found mid-run: the trace and the log are still written
        assert (out / "trace.json").is_file() and len(ExecutionLog(out / "executions.jsonl")) == 1


@pytest.mark.parametrize(
    ("argv", "flag", "rule"),
    [
        (["train", "--out", "x", "--lr", "-0.001"], "--lr", "a number above 0"),
        (["train", "--out", "x", "--encoder-lr", "0"], "--encoder-lr", "a number above 0"),
        (["train", "--out", "x", "--epochs", "0"], "--epochs", "a whole number of 1 or more"),
        (["train", "--out", "x", "--batch-size", "2.5"], "--batch-size", "a whole number"),
        (["train", "--out", "x", "--max-minutes", "nan"], "--max-minutes", "a number above 0"),
        (["route", "--data", "t.csv", "--n-envs", "0"], "--n-envs", "a whole number of 1"),
        (
            ["route", "--data", "t.csv", "--target-temperature", "-1"],
            "--target-temperature",
            "0 or",
        ),
        (["plan", "--batch-size", "0"], "--batch-size", "a whole number of 1 or more"),
        (["learn", "--log", "l", "--checkpoint", "c", "--every", "ten"], "--every", "a whole"),
    ],
)
def test_cli_refuses_a_bad_number_and_names_the_flag(
    argv: list[str], flag: str, rule: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from orchestai_agents.cli.main import build_parser

    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2 and f"argument {flag}:" in err and rule in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a file whatever its mode")
def test_cli_unreadable_input(tmp_path: Path) -> None:
    path = tmp_path / "secret.pdf"
    shutil.copyfile(PAPER, path)
    path.chmod(0)
    plan = tmp_path / "plan.json"
    plan.write_text(Plan.from_dict(REPORT_PLAN).to_json())
    code, _, stderr = cli(
        ["run", "--plan", str(plan), "--input", str(path), "--out", str(tmp_path / "out")]
    )
    assert code == 2 and "not readable" in stderr


def test_cli_refuses_an_instruction_with_an_undecodable_byte(tmp_path: Path) -> None:
    """A non-UTF-8 argv byte arrives as a lone surrogate: refused before any call is paid."""
    plan = tmp_path / "plan.json"
    plan.write_text(Plan.from_dict(REPORT_PLAN).to_json())
    out = tmp_path / "out"
    code, _, stderr = cli(
        ["run", "caf\udce9", "--plan", str(plan), "--input", str(PAPER), "--out", str(out)]
    )
    assert code == 2 and "not valid UTF-8" in stderr and "Traceback" not in stderr
    assert not (out / "executions.jsonl").exists()


def test_an_output_with_a_lone_surrogate_is_still_logged(tmp_path: Path) -> None:
    """Whatever a worker returns, the log write after the paid work must not fail."""
    registry = WorkerRegistry([worker("odd", reply=lambda t: "caf\udce9 \x00 \U0001f680")])
    log = tmp_path / "executions.jsonl"
    agent = create_orchestai_agent(registry, plan=Plan("x", (node("a", "odd"),)), execution_log=log)
    result = agent.invoke({"instruction": "x"})["result"]
    (logged,) = list(ExecutionLog(log))
    assert logged.outputs["a"]["text"] == result["outputs"]["a"]["text"]


# -- paths that escape the allowed folders ----------------------------------------------------


@pytest.fixture
def folders(tmp_path: Path) -> dict[str, Path]:
    names = {
        "inputs": tmp_path / "inputs",
        "outputs": tmp_path / "outputs",
        "outside": tmp_path / "outside",
    }
    for folder in names.values():
        folder.mkdir()
    shutil.copyfile(PAPER, names["inputs"] / "paper.pdf")
    shutil.copyfile(PAPER, names["outside"] / "private.pdf")
    return names


def _confined_run(folders: dict[str, Path], inputs: list[str], output_dir: Path) -> dict:
    from orchestai_agents.adapters import default_registry

    registry = default_registry(allowed_dirs=[folders["inputs"], folders["outputs"]])
    agent = create_orchestai_agent(registry, plan=Plan.from_dict(REPORT_PLAN))
    return agent.invoke({"inputs": inputs, "output_dir": str(output_dir)})["result"]


@pytest.mark.parametrize("escape", ["absolute", "dot-dot", "symlink"])
def test_file_tools_refuse_inputs_outside_the_allowed_folders(
    folders: dict[str, Path], escape: str
) -> None:
    private = folders["outside"] / "private.pdf"
    if escape == "absolute":
        path = str(private)
    elif escape == "dot-dot":
        path = str(folders["inputs"] / ".." / "outside" / "private.pdf")
    else:
        link = folders["inputs"] / "innocent.pdf"
        link.symlink_to(private)
        path = str(link)
    result = _confined_run(folders, [path], folders["outputs"])
    assert "outside the allowed folders" in result["errors"]["extract"]
    assert "report" not in result["outputs"]
    assert list(folders["outputs"].iterdir()) == []


def test_file_tools_refuse_an_output_folder_outside(folders: dict[str, Path]) -> None:
    before = sorted(p.name for p in folders["outside"].iterdir())
    result = _confined_run(
        folders, [str(folders["inputs"] / "paper.pdf")], folders["outside"] / "written-here"
    )
    assert "outside the allowed folders" in result["errors"]["extract"]
    assert sorted(p.name for p in folders["outside"].iterdir()) == before


def test_file_tools_do_not_write_through_a_symlink_at_the_output_name(
    folders: dict[str, Path],
) -> None:
    victim = folders["outside"] / "victim.md"
    victim.write_text("keep me")
    (folders["outputs"] / "report.md").symlink_to(victim)  # the report node's output name
    result = _confined_run(folders, [str(folders["inputs"] / "paper.pdf")], folders["outputs"])
    assert victim.read_text() == "keep me"
    # The name is taken (by the link), so the report goes beside it.
    assert result["outputs"]["report"]["artifacts"] == [str(folders["outputs"] / "report-2.md")]


def test_file_tools_work_inside_the_allowed_folders(folders: dict[str, Path]) -> None:
    """The confinement tests above are not vacuous: the same run inside the folders succeeds."""
    result = _confined_run(folders, [str(folders["inputs"] / "paper.pdf")], folders["outputs"])
    assert result["success"], result["errors"]
    written = [Path(p).resolve() for out in result["outputs"].values() for p in out["artifacts"]]
    assert written and all(p.is_relative_to(folders["outputs"]) for p in written)


# -- tampered planner checkpoints -------------------------------------------------------------


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    planner = pytest.importorskip("orchestai_agents.planner")
    config = planner.PlannerConfig(
        decomposer=planner.DecomposerConfig(
            hidden_size=16, attention_heads=2, max_subtasks=5, beam_size=2
        ),
        inventory={"summarize": "Summarise a text.", "translate": "Translate a text."},
    )
    folder = tmp_path_factory.mktemp("planner") / "ok"
    planner.Planner(config).save_pretrained(folder)
    return folder


def _tampered(checkpoint: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "tampered"
    shutil.copytree(checkpoint, folder)
    return folder


class _WritesAMarker:
    """Unpickling this creates a file: proof that a pickle was loaded."""

    marker = ""

    def __reduce__(self) -> tuple:
        return (open, (self.marker, "w"))


def _load(folder: Path) -> None:
    from orchestai_agents.planner import Planner

    Planner.from_pretrained(str(folder))


@pytest.mark.slow
def test_checkpoint_round_trips(checkpoint: Path, tmp_path: Path) -> None:
    # The tampering tests below start from a checkpoint that loads whole.
    from orchestai_agents.planner import Planner

    Planner.from_pretrained(str(checkpoint)).save_pretrained(tmp_path / "again")
    for name in ("model.safetensors", "config.json"):
        assert (tmp_path / "again" / name).read_bytes() == (checkpoint / name).read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["truncated", "random bytes", "empty"])
def test_damaged_weights_are_a_checkpoint_error(
    checkpoint: Path, tmp_path: Path, damage: str
) -> None:
    from orchestai_agents.errors import CheckpointError

    folder = _tampered(checkpoint, tmp_path)
    weights = folder / "model.safetensors"
    data = weights.read_bytes()
    weights.write_bytes(
        {"truncated": data[: len(data) // 2], "random bytes": os.urandom(4096), "empty": b""}[
            damage
        ]
    )
    with pytest.raises(CheckpointError, match=r"model\.safetensors"):
        _load(folder)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["pytorch_model.bin", "model.pt", "model.ckpt"])
def test_a_pickle_offered_instead_is_refused_unopened(
    checkpoint: Path, tmp_path: Path, name: str
) -> None:
    from orchestai_agents.errors import CheckpointError

    folder = _tampered(checkpoint, tmp_path)
    (folder / "model.safetensors").unlink()
    marker = tmp_path / "unpickled"
    payload = _WritesAMarker()
    payload.marker = str(marker)
    (folder / name).write_bytes(pickle.dumps(payload))
    with pytest.raises(CheckpointError):
        _load(folder)
    assert not marker.exists(), "the pickle was loaded"


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["corrupt", "missing"])
def test_a_bad_config_is_a_checkpoint_error(checkpoint: Path, tmp_path: Path, damage: str) -> None:
    from orchestai_agents.errors import CheckpointError

    folder = _tampered(checkpoint, tmp_path)
    if damage == "corrupt":
        (folder / "config.json").write_text("{not json")
    else:
        (folder / "config.json").unlink()
    with pytest.raises(CheckpointError, match=r"config\.json"):
        _load(folder)
