"""Read and write 2-D datasets as CSV files with the header ``x1,x2,label`` (classes) or
``x1,x2,y`` (real values: a regression set).

The reader is strict about content and forgiving about layout: the header is required but
its columns may come in any order, in any case, with spaces around them, and extra columns
are ignored; blank lines are skipped; a UTF-8 byte-order mark is accepted. Whatever the
bytes in the file, ``load_csv`` either returns the arrays or raises ``DataError`` with one
sentence that names the file and the problem.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Iterator

import numpy as np

from ..atomic import write_atomic
from ..errors import DataError, common_file_problem, open_regular

COLUMNS = ("x1", "x2", "label")
#: the columns of a regression file: one real value per point in y.
VALUE_COLUMNS = ("x1", "x2", "y")
TASKS = ("classification", "regression")
DEFAULT_MAX_ROWS = 1_000_000
#: largest label accepted; a label names a class, so a huge one is a mistake in the file.
MAX_LABEL = 999
#: largest coordinate magnitude: float32's range (networks train in float32).
MAX_COORDINATE = float(np.finfo(np.float32).max)
#: largest file read (a million rows of exact floats take ~45 MB).
MAX_FILE_BYTES = 256 * 2**20

PathLike = str | os.PathLike
_WORDS = {2: "two", 3: "three", 4: "four", 5: "five"}


def _show(text: str, limit: int = 24) -> str:
    """A short quoted form of a value from the file, safe to put on one line."""
    if len(text) > limit:
        text = text[:limit] + "..."
    return repr(text)


class _Reader:
    """Parses one file; ``fail`` builds the ``DataError`` naming it."""

    def __init__(self, path: PathLike, max_rows: int, min_classes: int,
                 task: str = "classification", header_only: bool = False):
        if task not in TASKS:
            raise ValueError(f"task must be classification or regression, got {task!r}")
        self.path = path
        self.name = _show(os.fspath(path), limit=200)
        self.max_rows = max_rows
        self.min_classes = min_classes
        self.task = task
        self.header_only = header_only

    def fail(self, problem: str) -> DataError:
        return DataError(f"CSV file {self.name} {problem}.")

    def _open(self):
        try:
            raw = open_regular(self.path, MAX_FILE_BYTES)
        except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
            problem = common_file_problem(exc) or f"cannot be opened ({_one_line(exc)})"
            raise self.fail(problem) from None
        # newline="" is what the csv module asks for; utf-8-sig drops a leading BOM
        return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="")

    def load(self) -> tuple[np.ndarray, np.ndarray]:
        fh = self._open()
        with fh:
            try:
                return self._parse(fh)
            except UnicodeDecodeError as exc:
                # exc.start counts from the decoder's current chunk, not the file start
                raise self.fail(f"is not UTF-8 text (cannot decode the byte "
                                f"{exc.object[exc.start:exc.start + 1]!r})") from None
            except csv.Error as exc:  # e.g. a field longer than the csv module's limit
                raise self.fail(f"is not valid CSV ({_one_line(exc)})") from None
            except OSError as exc:
                raise self.fail(f"cannot be read ({_one_line(exc)})") from None

    def _rows(self, fh) -> Iterator[tuple[int, list[str]]]:
        """(line number, fields) for each non-blank line."""
        reader = csv.reader(fh)
        for fields in reader:
            if any("\x00" in f for f in fields):
                raise self.fail("is not a text CSV file (it contains NUL bytes)")
            if all(not f.strip() for f in fields):
                continue  # blank or whitespace-only line
            yield reader.line_num, fields

    def _header(self, fields: list[str]) -> tuple[int, int, int, int]:
        names = [f.strip().lower() for f in fields]
        if self.task == "regression":
            # values in y; a file of class labels is read as values too
            columns = COLUMNS if "label" in names and "y" not in names else VALUE_COLUMNS
        else:
            columns = COLUMNS
            if "label" not in names and all(c in names for c in VALUE_COLUMNS):
                raise self.fail("has a y column of values (a regression set) and no label "
                                "column; classification needs whole-number class labels "
                                "in a column named label")
        missing = [c for c in columns if c not in names]
        if missing:
            if _is_number(fields[0]):
                raise self.fail(f"has no header line; the first line must name the columns "
                                f"{', '.join(columns)}")
            raise self.fail(f"lacks the column{'s' if len(missing) > 1 else ''} "
                            f"{', '.join(missing)} in its header (found "
                            f"{', '.join(_show(n) for n in names[:6])}); expected columns "
                            f"{', '.join(columns)}")
        for c in columns:
            if names.count(c) > 1:
                raise self.fail(f"names the column {c} more than once in its header")
        self.target = columns[2]
        return names.index("x1"), names.index("x2"), names.index(columns[2]), len(names)

    def header_task(self) -> str:
        """The task the file's header says: regression for a y column without a label
        column, else classification."""
        fh = self._open()
        with fh:
            try:
                first = next(self._rows(fh), None)
            except (UnicodeDecodeError, csv.Error, OSError):
                return "classification"  # the full read reports it in its own words
        names = {f.strip().lower() for f in first[1]} if first else set()
        return "regression" if "y" in names and "label" not in names else "classification"

    def _parse(self, fh) -> tuple[np.ndarray, np.ndarray]:
        rows = self._rows(fh)
        first = next(rows, None)
        if first is None:
            raise self.fail("is empty")
        i1, i2, il, width = self._header(first[1])
        xs: list[float] = []
        ys: list[float] = []
        labels: list[int] = []
        regression = self.task == "regression"
        for line, fields in rows:
            if len(labels) >= self.max_rows:
                raise self.fail(f"has more than {self.max_rows:,} data rows, the limit")
            if len(fields) != width:
                raise self.fail(f"has {len(fields)} values on line {line} where the header "
                                f"has {width} columns")
            x1 = self._coord(fields[i1], "x1", line)
            x2 = self._coord(fields[i2], "x2", line)
            xs.append(x1)
            ys.append(x2)
            labels.append(self._coord(fields[il], self.target, line) if regression
                          else self._label(fields[il], line))
        if not labels:
            raise self.fail("has a header but no data rows")
        X = np.column_stack([np.array(xs, dtype=np.float64), np.array(ys, dtype=np.float64)])
        if regression:
            return X, np.array(labels, dtype=np.float64)
        found = sorted(set(labels))
        if len(found) < self.min_classes:
            what = f"only one class (label {found[0]})" if len(found) == 1 else (
                f"only {len(found)} classes")
            need = _WORDS.get(self.min_classes, str(self.min_classes))
            raise self.fail(f"has {what} but needs at least {need} classes")
        return X, np.array(labels, dtype=np.int64)

    def _coord(self, text: str, column: str, line: int) -> float:
        try:
            value = float(text.strip())
        except ValueError:
            raise self.fail(f"has a non-numeric value {_show(text.strip())} in column "
                            f"{column} on line {line}") from None
        if not math.isfinite(value):
            raise self.fail(f"has a non-finite value {_show(text.strip())} (NaN or inf) in "
                            f"column {column} on line {line}")
        if abs(value) > MAX_COORDINATE:
            raise self.fail(f"has the value {_show(text.strip())} in column {column} on line "
                            f"{line}, beyond the {MAX_COORDINATE:.1e} that 32-bit floats "
                            f"hold")
        return value

    def _label(self, text: str, line: int) -> int:
        raw = text.strip()
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        # "2.0" is accepted as 2 (files written from float columns); 1.5, -1, nan are not
        if not (value.is_integer() and 0 <= value <= MAX_LABEL):
            raise self.fail(f"has the label {_show(raw)} on line {line}; labels must be whole "
                            f"numbers from 0 to {MAX_LABEL}")
        return int(value)


def _one_line(exc: BaseException) -> str:
    """An exception's message flattened to one line (no trailing period)."""
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return " ".join(text.split()).rstrip(".")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def load_csv(path: PathLike, max_rows: int = DEFAULT_MAX_ROWS, min_classes: int = 2,
             task: str = "classification") -> tuple[np.ndarray, np.ndarray]:
    """Read ``path`` into ``X`` float64 (N, 2) and ``y`` int64 (N,), or for ``task``
    "regression" float64 values (N,).

    Needs a header naming ``x1``, ``x2`` and ``label``, 1..``max_rows`` data rows of
    finite numbers within float32's range, labels that are whole numbers from 0 to 999,
    and at least ``min_classes`` distinct labels (pass 1 to reopen a half-drawn set).
    Regression reads the column ``y`` instead (or, in a file without one, ``label``, as
    values): any finite numbers within float32's range. Raises ``DataError`` otherwise,
    and for a missing, unreadable or non-UTF-8 file.
    """
    return _Reader(path, int(max_rows), int(min_classes), task).load()


def csv_task(path: PathLike) -> str:
    """What the header of ``path`` holds: "regression" when it names a y column and no
    label column, else "classification". Reads only the first line; ``DataError`` when
    the file cannot be opened."""
    return _Reader(path, DEFAULT_MAX_ROWS, 1).header_task()


def save_csv(path: PathLike, X: np.ndarray, y: np.ndarray) -> None:
    """Write ``X`` (N, 2) and integer ``y`` (N,) to ``path`` under the header ``x1,x2,label``.

    Floats are written with ``repr`` (the shortest text that reads back to the same
    float64), so ``load_csv`` returns exactly the arrays saved. Any number of rows and
    classes may be saved. Raises ``DataError`` for arrays of the wrong shape, non-finite
    points or points beyond float32's range, labels outside 0..999, or a write that fails
    (which leaves an old file at ``path`` as it was: it is written to a temporary file,
    then renamed).
    """
    name = _show(os.fspath(path), limit=200)
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2 or y.shape != (X.shape[0],):
        raise DataError(f"Cannot save CSV file {name}: points must have shape (N, 2) and "
                        f"labels (N,), got {X.shape} and {y.shape}.")
    integer = np.issubdtype(y.dtype, np.integer)
    if not integer or (len(y) > 0 and (y.min() < 0 or y.max() > MAX_LABEL)):
        raise DataError(f"Cannot save CSV file {name}: labels must be integers from 0 to "
                        f"{MAX_LABEL}.")
    X = _checked_points(X, name)
    rows = ((repr(float(a)), repr(float(b)), str(int(c)))
            for (a, b), c in zip(X.tolist(), y.tolist(), strict=True))
    _write_rows(path, name, COLUMNS, rows)


def save_values_csv(path: PathLike, X: np.ndarray, y: np.ndarray) -> None:
    """Write ``X`` (N, 2) and real values ``y`` (N,) under the header ``x1,x2,y``, with
    ``repr`` floats, so ``load_csv(path, task="regression")`` returns exactly the arrays
    saved. ``DataError`` for wrong shapes, non-finite numbers or numbers beyond float32's
    range, or a failed write (an old file at ``path`` is then left as it was)."""
    name = _show(os.fspath(path), limit=200)
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2 or y.shape != (X.shape[0],):
        raise DataError(f"Cannot save CSV file {name}: points must have shape (N, 2) and "
                        f"values (N,), got {X.shape} and {y.shape}.")
    X = _checked_points(X, name)
    values = _checked_points(y.reshape(-1, 1), name).ravel()
    rows = ((repr(float(a)), repr(float(b)), repr(float(v)))
            for (a, b), v in zip(X.tolist(), values.tolist(), strict=True))
    _write_rows(path, name, VALUE_COLUMNS, rows)


def _checked_points(X: np.ndarray, name: str) -> np.ndarray:
    """``X`` as float64, or ``DataError`` unless its numbers are real, finite and within
    float32's range."""
    if not np.issubdtype(X.dtype, np.number) or np.iscomplexobj(X):
        raise DataError(f"Cannot save CSV file {name}: points must be real numbers, got "
                        f"dtype {X.dtype}.")
    X = X.astype(np.float64)
    if not np.isfinite(X).all():
        raise DataError(f"Cannot save CSV file {name}: points must be finite (no NaN or inf).")
    if len(X) and np.abs(X).max() > MAX_COORDINATE:
        raise DataError(f"Cannot save CSV file {name}: points must lie within "
                        f"{MAX_COORDINATE:.1e}, the range of 32-bit floats.")
    return X


def _write_rows(path: PathLike, name: str, header: tuple[str, ...], rows) -> None:
    def write(binary) -> None:
        fh = io.TextIOWrapper(binary, encoding="utf-8", newline="")
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        fh.flush()
        fh.detach()

    try:
        write_atomic(path, write)
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise DataError(f"Cannot save CSV file {name}: {_one_line(exc)}.") from None
