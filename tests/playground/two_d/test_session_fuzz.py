"""Property tests of the session reader: whatever the bytes, ``load_session`` returns a
session or raises the project's own error with a message, never anything else."""

from __future__ import annotations

import io
import zipfile

import numpy as np
from fuzzing import FUZZ, loads_or_says_why, mutations, write
from hypothesis import given
from hypothesis import strategies as st

from engine.build import build_model
from engine.serialize import model_state
from engine.spec import RunConfig
from playground.two_d.run_history import epoch_history
from playground.two_d.session_file import Session, load_session, session_bytes


def _valid_session() -> bytes:
    config = RunConfig().with_changes(data={"name": "drawn"}, model={"hidden": (3,)})
    spec, weights = model_state(build_model(config, (2,), 2))
    history = epoch_history()
    history.append({"epoch": 1, "train_loss": 0.7, "train_acc": 0.5})
    X = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]])
    return session_bytes(Session(config, X, np.array([0, 1, 1]), np.array([False, False, True]),
                                 2, weights, spec, history.array(), 1))


VALID_SESSION = _valid_session()


@FUZZ
@given(data=mutations(VALID_SESSION))
def test_session_reader_loads_or_raises_session_error(scratch, data):
    result = loads_or_says_why(load_session, write(scratch, "s.nnplay", data))
    if result is not None:
        assert result.X.shape == (len(result.y), 2)


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


MEMBERS = _members(VALID_SESSION)


@FUZZ
@given(name=st.sampled_from(sorted(MEMBERS)), data=st.data())
def test_session_with_one_damaged_part(scratch, name, data):
    """A well-formed zip whose one part is truncated or overwritten (CRCs stay valid, so
    each part's own reader meets the damage)."""
    part = data.draw(mutations(MEMBERS[name]))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for n, content in MEMBERS.items():
            zf.writestr(n, part if n == name else content)
    loads_or_says_why(load_session, write(scratch, "p.nnplay", buf.getvalue()))


def test_session_valid_file_loads(scratch):
    session = load_session(write(scratch, "ok.nnplay", VALID_SESSION))
    assert session.epoch == 1 and session.weights is not None
