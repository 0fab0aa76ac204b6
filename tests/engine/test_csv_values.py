"""CSV files of real values (header x1,x2,y): read as a regression set, refused as
strictly as label files, and told apart from label files by their header."""

import numpy as np
import pytest

from engine.datasets.csvio import csv_task, load_csv, save_values_csv
from engine.errors import DataError


def _file(tmp_path, text, name="p.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_a_y_column_is_read_as_real_values(tmp_path):
    path = _file(tmp_path, "x1,x2,y\n0.5,-1,0.25\n1,2,-3.5e-2\n")
    X, y = load_csv(path, task="regression")
    assert X.dtype == np.float64 and y.dtype == np.float64
    assert np.array_equal(y, [0.25, -0.035]) and np.array_equal(X, [[0.5, -1], [1, 2]])
    assert csv_task(path) == "regression"


def test_saved_values_read_back_exactly(tmp_path):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((30, 2)), rng.standard_normal(30) * 1e3
    save_values_csv(tmp_path / "v.csv", X, y)
    assert (tmp_path / "v.csv").read_text().splitlines()[0] == "x1,x2,y"
    X2, y2 = load_csv(tmp_path / "v.csv", task="regression")
    assert np.array_equal(X, X2) and np.array_equal(y, y2)


def test_a_label_file_read_for_regression_gives_its_labels_as_values(tmp_path):
    path = _file(tmp_path, "x1,x2,label\n0,0,1\n1,1,3\n")
    assert csv_task(path) == "classification"
    _, y = load_csv(path, task="regression")
    assert y.dtype == np.float64 and np.array_equal(y, [1.0, 3.0])


@pytest.mark.parametrize("row, match", [
    ("0,0,abc", "non-numeric value 'abc' in column y on line 3"),
    ("0,0,nan", "non-finite value 'nan' \\(NaN or inf\\) in column y on line 3"),
    ("0,0,-inf", "non-finite value '-inf' \\(NaN or inf\\) in column y on line 3"),
    ("0,0,1e39", "value '1e39' in column y on line 3, beyond"),
    ("0,0", "2 values on line 3 where the header has 3 columns"),
])
def test_bad_values_are_one_sentence_naming_file_line_and_column(tmp_path, row, match):
    path = _file(tmp_path, f"x1,x2,y\n1,1,0.5\n{row}\n", "bad.csv")
    with pytest.raises(DataError, match=match) as info:
        load_csv(path, task="regression")
    message = str(info.value)
    assert "'" + str(path) + "'" in message and "\n" not in message
    assert message.startswith("CSV file") and message.endswith(".")


def test_a_values_file_read_for_classification_says_what_it_holds(tmp_path):
    path = _file(tmp_path, "x1,x2,y\n0,0,0.5\n1,1,1.5\n")
    with pytest.raises(DataError, match="has a y column of values \\(a regression set\\) "
                                        "and no label column"):
        load_csv(path)


def test_real_valued_labels_stay_refused_for_classification(tmp_path):
    path = _file(tmp_path, "x1,x2,label\n0,0,0.37\n1,1,1\n")
    with pytest.raises(DataError, match="label '0.37' on line 2; labels must be whole"):
        load_csv(path)


def test_a_header_without_x1_or_a_target_names_the_regression_columns(tmp_path):
    path = _file(tmp_path, "a,x2,y\n0,0,0.5\n")
    with pytest.raises(DataError, match="lacks the column x1.*expected columns x1, x2, y"):
        load_csv(path, task="regression")
    with pytest.raises(DataError, match="has a header but no data rows"):
        load_csv(_file(tmp_path, "x1,x2,y\n", "empty.csv"), task="regression")


def test_the_header_task_of_a_missing_file_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="missing.csv"):
        csv_task(tmp_path / "missing.csv")


def test_saving_non_finite_values_is_refused(tmp_path):
    with pytest.raises(DataError, match="finite"):
        save_values_csv(tmp_path / "v.csv", np.zeros((2, 2)), np.array([0.0, np.nan]))
    assert not (tmp_path / "v.csv").exists()
