"""CSV files of 2-D points: exact round trips and one clear DataError per bad file."""

import numpy as np
import pytest
from fuzzing import mutations
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from engine.datasets.csvio import load_csv, save_csv
from engine.errors import DataError


def _write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def test_round_trip_is_exact(tmp_path):
    rng = np.random.default_rng(0)
    # values from float64's subnormals up to float32's range (the reader's limit),
    # including awkward decimals
    X = rng.normal(size=(500, 2)) * np.logspace(-310, 37, 500)[:, None]
    X[0] = [0.1, 1 / 3]
    X[1] = [-0.0, 5e-324]
    y = rng.integers(0, 5, size=500)
    path = tmp_path / "points.csv"
    save_csv(path, X, y)
    X2, y2 = load_csv(path)
    assert X2.dtype == np.float64 and y2.dtype == np.int64
    assert X2.shape == (500, 2) and y2.shape == (500,)
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(y2, y)
    assert path.read_text(encoding="utf-8").splitlines()[0] == "x1,x2,label"


def test_save_accepts_str_path_and_writes_ints(tmp_path):
    path = str(tmp_path / "s.csv")
    save_csv(path, np.array([[1, 2], [3, 4]], dtype=np.int32), np.array([0, 1], dtype=np.int8))
    text = (tmp_path / "s.csv").read_text(encoding="utf-8")
    assert text == "x1,x2,label\n1.0,2.0,0\n3.0,4.0,1\n"


def test_lenient_layout(tmp_path):
    text = "\ufeff Label ,X2 ,  x1, note\r\n\r\n0, 1.5 ,2.5,a\n   \n1,3,4e0,b\n2.0,-1,0,c"
    X, y = load_csv(_write(tmp_path, "any_order.csv", text))
    np.testing.assert_array_equal(X, [[2.5, 1.5], [4.0, 3.0], [0.0, -1.0]])
    np.testing.assert_array_equal(y, [0, 1, 2])


def test_min_classes_one_allows_single_class(tmp_path):
    path = _write(tmp_path, "half.csv", "x1,x2,label\n1,2,3\n")
    X, y = load_csv(path, min_classes=1)
    assert y.tolist() == [3]


BAD_FILES = [
    ("empty.csv", b"", "is empty"),
    ("blank.csv", b"\n \n\t\n", "is empty"),
    ("header_only.csv", b"x1,x2,label\n", "no data rows"),
    ("no_header.csv", b"1,2,0\n3,4,1\n", "no header.*x1, x2, label"),
    ("wrong_header.csv", b"x,y,label\n1,2,0\n", "lacks the columns x1, x2.*x1, x2, label"),
    ("missing_col.csv", b"x1,label\n1,0\n", "lacks the column x2 "),
    ("dup_col.csv", b"x1,x2,label,x2\n1,2,0,3\n", "x2 more than once"),
    ("word.csv", b"x1,x2,label\n1,2,0\n1,abc,1\n", "value 'abc' in column x2 on line 3"),
    ("empty_cell.csv", b"x1,x2,label\n,2,0\n", "non-numeric value '' in column x1 on line 2"),
    ("nan.csv", b"x1,x2,label\n1,2,0\nnan,2,1\n", "non-finite.*column x1 on line 3"),
    ("inf.csv", b"x1,x2,label\n1,-inf,0\n", "non-finite.*column x2 on line 2"),
    ("half_label.csv", b"x1,x2,label\n1,2,0\n1,2,1.5\n", "label '1.5' on line 3"),
    ("neg_label.csv", b"x1,x2,label\n1,2,-1\n", "label '-1' on line 2"),
    ("word_label.csv", b"x1,x2,label\n1,2,cat\n", "label 'cat'"),
    ("huge_label.csv", b"x1,x2,label\n1,2,1e30\n", "label '1e30'.*0 to 999"),
    ("one_class.csv", b"x1,x2,label\n1,2,1\n3,4,1\n", "needs at least two classes"),
    ("short_row.csv", b"x1,x2,label\n1,2\n", "2 values on line 2.*3 columns"),
    ("binary.csv", bytes(range(256)) * 4, "not UTF-8"),
    ("latin1.csv", "x1,x2,label\n1,2,0\n\xe9,1,1\n".encode("latin-1"), "not UTF-8"),
    ("nul.csv", b"x1,x2,label\n1,2\x00,0\n", "NUL"),
    ("long_field.csv", b"x1,x2,label\n" + b"1" * 200_000 + b",2,0\n", "not valid CSV"),
]


@pytest.mark.parametrize(("name", "content", "fragment"), BAD_FILES)
def test_bad_file_gives_one_sentence_naming_it(tmp_path, name, content, fragment):
    path = _write(tmp_path, name, content)
    with pytest.raises(DataError, match=fragment) as info:
        load_csv(path)
    message = str(info.value)
    assert name in message
    assert "\n" not in message and message.endswith(".")
    assert message.count(". ") == 0  # one sentence


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(DataError, match=r"nowhere\.csv' does not exist\.$"):
        load_csv(tmp_path / "nowhere.csv")
    with pytest.raises(DataError, match="is a folder"):
        load_csv(tmp_path)


def test_row_limit(tmp_path):
    body = "x1,x2,label\n" + "0,0,0\n1,1,1\n" * 3
    path = _write(tmp_path, "big.csv", body)
    assert len(load_csv(path, max_rows=6)[1]) == 6
    with pytest.raises(DataError, match="big.csv' has more than 5 data rows"):
        load_csv(path, max_rows=5)


def test_save_rejects_bad_arrays_and_unwritable_path(tmp_path):
    with pytest.raises(DataError, match="shape"):
        save_csv(tmp_path / "a.csv", np.zeros((3, 3)), np.zeros(3, dtype=int))
    with pytest.raises(DataError, match="labels must be integers"):
        save_csv(tmp_path / "a.csv", np.zeros((2, 2)), np.array([0.0, 1.0]))
    with pytest.raises(DataError, match="finite"):
        save_csv(tmp_path / "a.csv", np.array([[np.nan, 0.0]]), np.array([0]))
    with pytest.raises(DataError, match="no_dir"):
        save_csv(tmp_path / "no_dir" / "a.csv", np.zeros((1, 2)), np.array([0]))
    assert not (tmp_path / "a.csv").exists()


# ---------------------------------------------------------------------- fuzzing

VALID_CSV = b"x1,x2,label\n0.5,-1.25,0\n1e-3,2,1\n\n-0.0,3.5,1\n7,8,0\n"

# text near the format hits the parser's deeper paths more often than raw bytes
_cells = st.sampled_from(["x1", "x2", "label", " ", "0", "1", "2", "-1", "1.5", "nan", "inf",
                          "1e400", "abc", "", '"', "\x00", "\r", "\u00e9"])
_lines = st.lists(st.lists(_cells, min_size=1, max_size=4).map(",".join), max_size=6)
_near_csv = st.tuples(st.booleans(), _lines).map(
    lambda t: "\n".join((["x1,x2,label"] if t[0] else []) + t[1]).encode("utf-8"))
_csv_like = st.text(alphabet=st.sampled_from(list("x12label,.-e\n\r \"nainf0")),
                    max_size=300).map(lambda t: b"x1,x2,label\n" + t.encode())
#: raw bytes, damaged copies of a valid file, and text close to the format.
_any_file = st.one_of(mutations(VALID_CSV), st.binary(max_size=300), _near_csv, _csv_like)


@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(content=_any_file, min_classes=st.sampled_from([1, 2]))
@example(content=VALID_CSV, min_classes=2)
def test_any_file_loads_or_raises_one_data_error(tmp_path, content, min_classes):
    """Whatever the bytes: valid points back (float64 (N, 2) finite, int64 labels >= 0, at
    least ``min_classes`` classes), or one ``DataError`` line naming the file."""
    path = _write(tmp_path, "fuzz.csv", content)
    try:
        X, y = load_csv(path, min_classes=min_classes)
    except DataError as exc:
        message = str(exc)
        assert message.strip() and "\n" not in message and "fuzz.csv" in message
        return
    assert X.dtype == np.float64 and X.ndim == 2 and X.shape[1] == 2
    assert y.dtype == np.int64 and y.shape == (len(X),) and len(X) >= 1
    assert np.isfinite(X).all() and y.min() >= 0
    assert len(np.unique(y)) >= min_classes


def test_the_fuzzers_valid_file_loads(tmp_path):
    X, y = load_csv(_write(tmp_path, "v.csv", VALID_CSV))
    assert X.shape == (4, 2) and list(y) == [0, 1, 1, 0]
