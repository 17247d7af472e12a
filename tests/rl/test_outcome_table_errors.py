"""User outcome tables that cannot be routed are refused up front, naming the file, the column
and the row; small tables route end to end; ids and reports point at the user's own rows."""

from __future__ import annotations

from pathlib import Path

import matplotlib.axes
import numpy as np
import pandas as pd
import pytest
from orchestai_agents.training.routing.baselines import KNNRouter
from orchestai_agents.training.routing.metrics import RoutePoint
from orchestai_agents.training.routing.outcomes import (
    ROUTERBENCH_DESCRIPTIONS,
    load_outcome_table,
    load_routerbench,
)
from orchestai_agents.training.routing_eval import (
    MIN_TEST_ROWS,
    MIN_TRAIN_ROWS,
    RouterResult,
    RoutingEvalConfig,
    load_split,
    plot,
    sweep_routers,
)

from orchestai_agents.cli.main import main
from orchestai_agents.errors import DatasetFormatError, OrchestAIError

HEADER = "prompt,small,big,small|total_cost,big|total_cost"


def _table(path: Path, n_rows: int, header: str = HEADER) -> Path:
    """``n_rows`` complete rows: 'small' right on odd rows, 'big' always right and 10x dearer."""
    rows = [f"question {i},{i % 2},1,0.001,0.01" for i in range(n_rows)]
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def test_an_empty_list_of_tables_is_named() -> None:
    with pytest.raises(OrchestAIError, match="no outcome table was given"):
        load_outcome_table([])


def test_parquet_without_pyarrow_says_what_to_install(tmp_path, monkeypatch):
    def no_engine(*args, **kwargs):  # what pandas raises when neither engine is installed
        raise ImportError("Unable to find a usable engine; tried using: 'pyarrow', 'fastparquet'.")

    monkeypatch.setattr(pd, "read_parquet", no_engine)
    path = tmp_path / "t.parquet"
    path.write_bytes(b"PAR1")

    with pytest.raises(OrchestAIError, match="pip install pyarrow") as error:
        load_outcome_table(path)

    assert str(error.value).startswith(f"outcome table {path} is Parquet")


def test_the_knn_router_clips_k_to_the_train_rows(table, embeddings):
    knn = KNNRouter(table, embeddings, k=40)

    accuracy, usd = knn.predict(embeddings[:3])

    # Every train row is a neighbour of every prompt: the predictions are the column means.
    assert knn.k == len(table) == 24
    np.testing.assert_allclose(accuracy, np.tile(table.success.mean(0), (3, 1)))
    np.testing.assert_allclose(usd, np.tile(table.cost.mean(0), (3, 1)), rtol=1e-6)


def test_every_baseline_routes_a_table_smaller_than_the_default_k(tmp_path, capsys):
    config = RoutingEvalConfig(data=_table(tmp_path / "t.csv", 20), out=tmp_path / "out")
    train, test = load_split(config)
    rng = np.random.default_rng(0)
    embeddings = tuple(rng.normal(size=(n, 4)).astype(np.float32) for n in (len(train), len(test)))

    results = sweep_routers(config, train, test, (*embeddings, np.zeros((2, 5))), {})

    assert config.knn_k == 40 and len(train) == 14
    assert [r.name for r in results][:2] == ["kNN (k=14)", "static per task (cost-weighted)"]
    assert all(len(c) == len(test) for r in results for c in r.choices)


@pytest.mark.parametrize(
    ("n_rows", "counts"),
    [
        (1, "train rows 0, test rows 1 (of 1,"),  # the train side is empty
        (4, "train rows 3, test rows 1 (of 4,"),
        (16, "train rows 12, test rows 4 (of 16,"),  # one test row short
    ],
)
def test_too_few_rows_are_refused_before_training(tmp_path, capsys, n_rows, counts):
    path, out = _table(tmp_path / "few.csv", n_rows), tmp_path / "out"

    code = main(["route", "--data", str(path), "--out", str(out), "--timesteps", "64"])

    said = capsys.readouterr().err.strip().splitlines()[-1]
    assert code == 2 and said.startswith(f"error: {path}: {counts} 30% to test; dropped 0)")
    assert f"at least {MIN_TRAIN_ROWS} train and {MIN_TEST_ROWS} test rows" in said
    assert said.endswith("add complete rows to the table")
    assert not (out / "phase1").exists()


def test_the_smallest_table_that_splits_into_enough_rows_is_accepted(tmp_path, capsys):
    train, test = load_split(RoutingEvalConfig(data=_table(tmp_path / "t.csv", 17), out=tmp_path))

    assert (len(train), len(test)) == (12, MIN_TEST_ROWS)


def test_an_empty_test_file_is_refused(tmp_path):
    _table(tmp_path / "mine_train.csv", 12)
    _table(tmp_path / "mine_test.csv", 0)

    with pytest.raises(DatasetFormatError) as error:
        load_split(RoutingEvalConfig(data=tmp_path, out=tmp_path / "out"))

    assert str(error.value).startswith(
        f"{tmp_path}: train rows 12 (dropped 0), test rows 0 (dropped 0); routing needs"
    )
    assert "add complete rows to the *_train.csv and *_test.csv files" in str(error.value)


@pytest.mark.parametrize(
    ("header", "unpaired", "partners"),
    [
        ("prompt,small,big,mid,small|total_cost,big|total_cost", "['mid']", "['mid|total_cost']"),
        ("prompt,small,big,small|total_cost,big|total_cost,mid|total_cost", "['mid|total_cost']", "['mid']"),
    ],
)  # fmt: skip
def test_a_model_with_only_scores_or_only_costs_is_refused(tmp_path, header, unpaired, partners):
    path = tmp_path / "t.csv"
    path.write_text(f"{header}\nhi,1,1,0,0.001,0.01\n")

    with pytest.raises(OrchestAIError, match="add the missing columns or remove these") as error:
        load_outcome_table(path)

    assert f"{path}: columns {unpaired} have no partner {partners}" in str(error.value)


def test_a_numeric_id_column_points_at_id_column(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(f"id,{HEADER}\n7,hi,1,1,0.001,0.01\n")

    with pytest.raises(OrchestAIError, match="columns \\['id'\\] have no partner") as error:
        load_outcome_table(path)

    assert "is passed as --id-column or --task-column" in str(error.value)
    assert load_outcome_table(path, id_column="id").ids == ("7",)


def test_a_column_named_twice_is_refused_naming_it(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(f"{HEADER},small\nhi,1,1,0.001,0.01,0\n")

    with pytest.raises(DatasetFormatError, match="the header names \\['small'\\] more than once"):
        load_outcome_table(path)


def test_text_columns_are_not_read_as_models(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(f"{HEADER},note\nhi,1,1,0.001,0.01,easy\n")

    assert load_outcome_table(path).models == ("small", "big")


def test_the_index_column_pandas_writes_is_not_read_as_a_model(tmp_path):
    path = tmp_path / "t.csv"
    pd.read_csv(_table(tmp_path / "plain.csv", 3)).to_csv(path)  # index=True, pandas' default

    table = load_outcome_table(path)

    assert table.models == ("small", "big") and table.ids == ("1", "2", "3")


def test_a_one_model_table_is_refused(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("prompt,big,big|total_cost\nhi,1,0.01\n")

    with pytest.raises(OrchestAIError, match=r"one model \('big'\); routing chooses between"):
        load_outcome_table(path)


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("small", "yes", "is not a score in [0, 1]"),
        ("small", "40", "is not a score in [0, 1] (1/0 correctness or a graded score; divide percentages by 100)"),
        ("big", "inf", "is not a score in [0, 1]"),
        ("small|total_cost", "$0.01", "is not a USD cost: a finite number >= 0, written without a currency sign"),
        ("big|total_cost", "-0.5", "is not a USD cost"),
        ("big|total_cost", "inf", "is not a USD cost"),
    ],
)  # fmt: skip
def test_a_bad_outcome_is_refused_naming_file_row_and_column(tmp_path, column, value, expected):
    path = _table(tmp_path / "t.csv", 4)
    frame = pd.read_csv(path, dtype=str)
    frame.loc[2, column] = value
    frame.to_csv(path, index=False)

    with pytest.raises(DatasetFormatError) as error:
        load_outcome_table(path)

    assert str(error.value).startswith(
        f"{path}: data row 3 (1-based, header not counted), column {column!r}: {value!r} {expected}"
    )


def test_a_data_frame_with_bad_outcomes_is_refused_and_counted():
    frame = pd.DataFrame(
        {"prompt": ["a", "b", "c"], "m": [40.0, 0.2, 75.0], "m|total_cost": [0.1, 0.1, 0.1]}
        | {"n": [1.0, 0.0, 1.0], "n|total_cost": [0.2, 0.2, 0.2]}
    )

    with pytest.raises(DatasetFormatError) as error:
        load_outcome_table(frame)

    assert str(error.value).startswith("the given DataFrame: data row 1 (1-based, header not")
    assert str(error.value).endswith("divide percentages by 100); 2 rows have this problem")


def test_ids_are_the_users_row_numbers_through_dropped_rows(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(f"{HEADER}\nq1,1,1,0.001,0.01\nq2,,1,0.001,0.01\nq3,0,1,0.001,0.01\n")

    table = load_outcome_table(path)

    assert table.ids == ("1", "3") and table.prompts == ("q1", "q3") and table.dropped == 1


def test_ids_come_from_the_id_column_when_named(tmp_path, capsys):
    path = tmp_path / "t.csv"
    rows = [f"question {i},{i % 2},1,0.001,0.01,q{i}" for i in range(20)]
    path.write_text("\n".join([f"{HEADER},qid", *rows]) + "\n")

    train, test = load_split(RoutingEvalConfig(data=path, out=tmp_path, id_column="qid"))

    assert sorted(train.ids + test.ids) == sorted(f"q{i}" for i in range(20))
    assert [p.split()[1] for p in test.prompts] == [i.removeprefix("q") for i in test.ids]


def test_prompts_and_ids_load_as_written(tmp_path):
    path = tmp_path / "t.csv"
    rows = ["NA,1,1,0.001,0.01,007,NA", "None,0,1,0.001,0.01,010,", "null,1,,0.001,0.01,,x"]
    path.write_text("\n".join([f"{HEADER},id,task", *rows, "N/A,0,1,0.001,0.01,1e3,y"]) + "\n")

    table = load_outcome_table(path, id_column="id", task_column="task")

    # pandas alone reads these prompts and tasks as NaN and the ids as the floats 7.0, 10.0, 1000.0;
    # the third row still drops for its missing outcome (its blank id with it).
    assert table.prompts == ("NA", "None", "N/A") and table.dropped == 1
    assert table.ids == ("007", "010", "1e3") and table.tasks == ("NA", "", "y")


def test_json_lines_prompts_and_ids_load_as_written(tmp_path):
    path = tmp_path / "t.jsonl"
    pd.DataFrame(
        {"prompt": ["NA", "12"], "id": ["007", "8"], "a": [1, 0], "a|total_cost": [0.1, 0.1]}
        | {"b": [0, 1], "b|total_cost": [0.2, 0.2]}
    ).to_json(path, orient="records", lines=True)

    table = load_outcome_table(path, id_column="id")

    assert table.prompts == ("NA", "12") and table.ids == ("007", "8")


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (["", " ", "q3"], "column 'prompt' has no prompt on data rows 1, 2 (1-based, header not"),
        (["q1", '""', "q3"], "column 'prompt' has no prompt on data row 2 (1-based, header not"),
    ],
)
def test_a_complete_row_without_a_prompt_is_refused_naming_it(tmp_path, cells, message):
    path = tmp_path / "t.csv"
    path.write_text("\n".join([HEADER, *(f"{c},1,1,0.001,0.01" for c in cells)]) + "\n")

    with pytest.raises(DatasetFormatError, match="write one on every row") as error:
        load_outcome_table(path)

    assert str(error.value).startswith(f"{path}: {message}")


def test_a_complete_row_without_an_id_is_refused_naming_it(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(f"{HEADER},id\nq1,1,1,0.001,0.01,1000\nq2,1,1,0.001,0.01,\n")

    with pytest.raises(DatasetFormatError) as error:
        load_outcome_table(path, id_column="id")

    assert str(error.value).startswith(f"{path}: column 'id' has no id on data row 2 (1-based,")


def test_an_id_used_twice_is_refused_naming_its_rows(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(f"{HEADER},id\nq1,1,1,0.001,0.01,x\nq2,1,1,0.001,0.01,y\n")
    b.write_text(f"{HEADER},id\nq3,1,1,0.001,0.01,x\nq4,1,1,0.001,0.01,y\n")

    with pytest.raises(DatasetFormatError) as error:
        load_outcome_table([a, b], id_column="id")

    assert str(error.value).startswith(
        f"{a}, {b}: id column 'id' has 'x' on data rows a.csv:1, b.csv:1 (1-based, header not "
        "counted) (1 other repeated id); each row needs its own id"
    )
    assert load_outcome_table([a, b]).ids == ("a.csv:1", "a.csv:2", "b.csv:1", "b.csv:2")


def test_ids_name_the_file_when_several_are_read(tmp_path):
    a, b = _table(tmp_path / "a.csv", 2), _table(tmp_path / "b.csv", 1)

    assert load_outcome_table([a, b]).ids == ("a.csv:1", "a.csv:2", "b.csv:1")


def test_routerbench_rows_keep_their_sample_ids(tmp_path):
    models = list(ROUTERBENCH_DESCRIPTIONS)
    rows = {"sample_id": ["arc.1", "arc.7", "arc.9"], "prompt": ["a", "b", "c"]}
    rows |= {"eval_name": ["arc"] * 3} | {m: [1.0, 0.0, 1.0] for m in models}
    rows |= {f"{m}|total_cost": [0.01, None, 0.02] for m in models}
    pd.DataFrame(rows).to_csv(tmp_path / "arc_test.csv")  # with pandas' index column, as shipped

    table = load_routerbench(tmp_path, "test")

    assert table.ids == ("arc.1", "arc.9") and table.tasks == ("arc", "arc")


def test_the_dropped_rows_are_reported_once(tmp_path, capsys):
    path = _table(tmp_path / "t.csv", 20)
    path.write_text(path.read_text().replace("question 3,1,1,", "question 3,1,,"))

    train, test = load_split(RoutingEvalConfig(data=path, out=tmp_path))

    assert capsys.readouterr().err == "train rows 14, test rows 5 (of 19, 30% to test; dropped 1)\n"
    assert train.dropped == test.dropped == 0


def _results(points: dict[str, tuple[float, float]]) -> list[RouterResult]:
    choice = [np.zeros(1, dtype=np.int64)]
    swept = RouterResult("kNN (k=40)", [RoutePoint(0.5, 1.0), RoutePoint(0.9, 3.0)], choice * 2)
    singles = [RouterResult(n, [RoutePoint(a, usd)], choice) for n, (a, usd) in points.items()]
    return [swept, *singles, RouterResult("oracle", [RoutePoint(1.0, 0.5)], choice)]


@pytest.mark.parametrize(
    ("points", "plotted"),
    [
        # A user's few models: every one, dominated or not.
        ({"always big": (0.9, 3.0), "always mid": (0.6, 2.0), "always small": (0.5, 1.0)},
         {"always big", "always mid", "always small"}),
        # Many models: those on the single models' frontier (mid-2 and bad are under it; dear is
        # dearer than big and no better).
        ({"always small": (0.5, 1.0), "always mid": (0.8, 1.5), "always mid-2": (0.6, 2.0),
          "always big": (0.9, 3.0), "always dear": (0.9, 4.0), "always bad": (0.4, 2.0)},
         {"always small", "always mid", "always big"}),
    ],
)  # fmt: skip
def test_the_plot_marks_the_single_models(tmp_path, monkeypatch, points, plotted):
    labels = []
    scatter = matplotlib.axes.Axes.scatter
    monkeypatch.setattr(
        matplotlib.axes.Axes,
        "scatter",
        lambda ax, *args, label, **kwargs: labels.append(label) or scatter(ax, *args, **kwargs),
    )

    plot(_results(points), tmp_path / "plot.png", 2.0, RoutePoint(0.9, 3.0))

    assert set(labels) == plotted | {"oracle"}
    assert (tmp_path / "plot.png").stat().st_size > 0


def test_a_free_model_is_plotted_on_an_axis_that_has_room_for_zero(tmp_path, monkeypatch):
    """A log axis drops a point at $0 (a local model, an all-zero cost table)."""
    scales = []
    set_xscale = matplotlib.axes.Axes.set_xscale
    monkeypatch.setattr(
        matplotlib.axes.Axes,
        "set_xscale",
        lambda ax, value, **kwargs: scales.append(value) or set_xscale(ax, value, **kwargs),
    )

    plot(_results({"always free": (0.6, 0.0)}), tmp_path / "free.png", 2.0, RoutePoint(0.9, 3.0))
    plot(_results({"always big": (0.9, 3.0)}), tmp_path / "paid.png", 2.0, RoutePoint(0.9, 3.0))

    assert scales == ["symlog", "log"]
    assert (tmp_path / "free.png").stat().st_size > 0
