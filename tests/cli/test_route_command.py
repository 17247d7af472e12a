"""``orchestai route`` on bad input: exit status 2 and one line naming what was wrong, before
any selector is trained."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

Orchestai = Callable[..., tuple[int, str]]  # the conftest fixture: argv -> (status, error line)


def _table(path: Path) -> Path:
    rows = ["prompt,small,big,small|total_cost,big|total_cost"]
    rows += [f"question {i},{i % 2},1,0.001,0.01" for i in range(20)]
    path.write_text("\n".join(rows) + "\n")
    return path


def test_a_file_that_is_no_table_is_named(orchestai: Orchestai, tmp_path: Path) -> None:
    notes = tmp_path / "notes.csv"
    notes.write_text('title\n"a, b" and "c\nmore, text, here, now\n')

    code, said = orchestai("route", "--data", str(notes), "--out", str(tmp_path / "out"))

    assert code == 2 and "notes.csv: cannot be read as a CSV outcome table" in said
    assert "'<model>|total_cost' columns" in said


def test_a_folder_without_test_rows_is_named(orchestai: Orchestai, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    _table(tmp_path / "data" / "mine_train.csv")

    code, said = orchestai("route", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "o"))

    assert code == 2 and "holds *_train.csv files but no *_test.csv" in said


def test_an_unknown_reference_model_is_refused_before_training(
    orchestai: Orchestai, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    code, said = orchestai(
        "route", "--data", str(_table(tmp_path / "t.csv")), "--out", str(out),
        "--reference-model", "huge",
    )  # fmt: skip

    assert code == 2 and "reference model 'huge' is not in the table" in said
    assert "its models are small, big" in said
    assert not (out / "phase1").exists()


def test_an_unknown_device_is_refused(orchestai: Orchestai, tmp_path: Path) -> None:
    code, said = orchestai(
        "route", "--data", str(_table(tmp_path / "t.csv")), "--out", str(tmp_path / "o"),
        "--device", "tpu",
    )  # fmt: skip

    assert code == 2 and "device 'tpu' is not a torch device" in said


def test_output_paths_that_cannot_be_written_are_refused(
    orchestai: Orchestai, tmp_path: Path
) -> None:
    table = str(_table(tmp_path / "t.csv"))

    code, said = orchestai("route", "--data", table, "--out", table)
    assert code == 2 and "argument --out" in said and "is a file, not a folder" in said

    code, said = orchestai("route", "--data", table, "--choices-out", str(tmp_path))
    assert code == 2 and "argument --choices-out" in said and "is a folder" in said


def test_a_folder_without_tables_is_named(orchestai: Orchestai, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()

    code, said = orchestai("route", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "o"))

    assert code == 2 and "is a folder without NAME_train.csv and NAME_test.csv" in said


def _split_tables(folder: Path, train_models: str, test_models: str) -> Path:
    """Train and test files where ``big`` is always right, for 0.01 USD, and any other model
    always wrong, for 0.0001."""
    folder.mkdir()
    for split, models in (("train", train_models), ("test", test_models)):
        names = models.split(",")
        outcomes = [(1, 0.01) if m == "big" else (0, 0.0001) for m in names]
        header = f"prompt,{models},{','.join(f'{m}|total_cost' for m in names)}"
        row = ",".join([*(str(r) for r, _ in outcomes), *(str(u) for _, u in outcomes)])
        lines = [header, *(f"{split} question {i},{row}" for i in range(20))]
        (folder / f"x_{split}.csv").write_text("\n".join(lines) + "\n")
    return folder


def test_test_columns_in_another_order_are_scored_as_the_train_columns(tmp_path: Path) -> None:
    from orchestai_agents.training.routing_eval import RoutingEvalConfig, load_split

    data = _split_tables(tmp_path / "data", "big,small", "small,big")
    train, test = load_split(RoutingEvalConfig(data=data, out=tmp_path / "out"))

    assert test.models == train.models == ("big", "small")
    assert test.success[:, 0].all() and not test.success[:, 1].any()  # big is right, as in train
    assert (test.cost[:, 0] == 0.01).all()


def test_test_files_with_other_models_are_refused(orchestai: Orchestai, tmp_path: Path) -> None:
    data = _split_tables(tmp_path / "data", "big,small", "big,tiny")

    code, said = orchestai("route", "--data", str(data), "--out", str(tmp_path / "o"))

    assert code == 2 and "*_train.csv and *_test.csv files have other models" in said
    assert "only in train: ['small']; only in test: ['tiny']" in said


def test_a_train_file_that_is_not_utf8_is_named(orchestai: Orchestai, tmp_path: Path) -> None:
    data = _split_tables(tmp_path / "data", "big,small", "big,small")
    train = data / "x_train.csv"
    train.write_bytes(train.read_bytes().replace(b"question 3", "café 3".encode("latin-1")))

    code, said = orchestai("route", "--data", str(data), "--out", str(tmp_path / "o"))

    assert code == 2 and "x_train.csv: cannot be read as a CSV outcome table" in said


@pytest.mark.parametrize(
    ("name", "text", "said"),
    [
        # The planner's model card would have replaced the folder's README.md.
        ("README.md", "# my notes\n", "holds files but no planner (config.json)"),
        ("config.json", '{"model_type": "bert"}', "config.json is no planner's (not a planner"),
    ],
)
def test_a_checkpoint_folder_that_holds_no_planner_is_refused_before_training(
    orchestai: Orchestai, tmp_path: Path, name: str, text: str, said: str
) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / name).write_text(text)
    out = tmp_path / "out"

    code, error = orchestai(
        "route", "--data", str(_table(tmp_path / "t.csv")), "--out", str(out),
        "--checkpoint", str(folder),
    )  # fmt: skip

    assert code == 2 and said in error
    assert [p.name for p in folder.iterdir()] == [name] and (folder / name).read_text() == text
    assert not (out / "phase1").exists()


def test_a_users_task_column_labels_the_prompts(tmp_path: Path) -> None:
    """m1 is right on exactly the math prompts and m2 on the code ones: only the labels tell."""
    from orchestai_agents.training.routing.baselines import PerTaskRouter
    from orchestai_agents.training.routing_eval import RoutingEvalConfig, load_split

    rows = ["prompt,kind,m1,m2,m1|total_cost,m2|total_cost"]
    rows += [f"q{i},{'math' if i % 2 else 'code'},{i % 2},{1 - i % 2},0.01,0.01" for i in range(40)]
    (tmp_path / "t.csv").write_text("\n".join(rows) + "\n")
    config = RoutingEvalConfig(data=tmp_path / "t.csv", out=tmp_path / "o", task_column="kind")

    train, test = load_split(config)

    assert set(train.tasks) == {"math", "code"}
    per_task = PerTaskRouter(train).route(test)
    assert test.success[np.arange(len(test)), per_task].all()


def test_a_routerbench_folder_with_a_model_of_the_users_keeps_it(tmp_path: Path) -> None:
    from orchestai_agents.training.routing.outcomes import ROUTERBENCH_DESCRIPTIONS
    from orchestai_agents.training.routing_eval import RoutingEvalConfig, load_split

    models = [*ROUTERBENCH_DESCRIPTIONS, "my-finetune"]
    header = ["sample_id", "prompt", "eval_name", *models, *(f"{m}|total_cost" for m in models)]
    (tmp_path / "data").mkdir()
    for split in ("train", "test"):
        lines = [",".join(header)]
        lines += [
            ",".join(
                [f"{split}.{i}", f"q{i}", "arc", *["1"] * len(models), *["0.001"] * len(models)]
            )
            for i in range(20)
        ]
        (tmp_path / "data" / f"x_{split}.csv").write_text("\n".join(lines) + "\n")

    train, test = load_split(RoutingEvalConfig(data=tmp_path / "data", out=tmp_path / "o"))

    assert "my-finetune" in train.models and test.models == train.models
