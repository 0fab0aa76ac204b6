"""``SweepRun``'s side in the app (``SweepController``): it turns the Sweep tab's rows into
a sweep spec over the 2-D page's config and data (or one clear sentence), starts and
cancels the worker, keeps the finished trials, reads and writes them as JSON lines, and
hands a trial out as a 2-D session ("Open in playground")."""

from __future__ import annotations

import json
import math

from PySide6.QtCore import QObject, Signal

from engine.errors import SpecError
from engine.sweep import SweepSpec, parse_dimension
from playground.runtime import WorkerHost
from playground.sweep.worker import SweepPlan, SweepWorker
from playground.two_d.run_history import epoch_history
from playground.two_d.session_file import Session, trained_session

#: the rows the tab starts with: (key, range).
DEFAULT_SPACE = (("optim.lr", "log-uniform:1e-3:3e-1"), ("optim.l2", "log-uniform:1e-6:1e-2"))
#: the metric shown and ranked by, per task.
METRIC = {"classification": "test_acc", "regression": "test_r2"}


class SweepController(QObject):
    """See the module docstring."""

    started = Signal(object)           # {"trials": n, "keys": [...], "metric": str, "where"}
    trialFinished = Signal(object)     # the trial's JSON line (``trial_line``)
    finished = Signal(bool)            # cancelled
    failed = Signal(str)

    _start = Signal(object)
    _cancel = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.run_id = 0
        self.running = False
        self.spec: SweepSpec | None = None
        self.dataset = None
        self.lines: list[dict] = []
        self.states: dict[int, dict] = {}   # trial -> its trained model (this sweep)
        self.worker = w = SweepWorker()
        self.host = WorkerHost(w, "sweepThread", self)
        self.host.commands([(self._start, w.start), (self._cancel, w.cancel)])
        self.host.listen([(w.started, self._on_started), (w.trialFinished, self._on_trial),
                          (w.finished, self._on_finished), (w.failed, self._on_failed)])
        self.host.start()

    @staticmethod
    def plan(config, rows: list[tuple[str, str]], trials: int, epochs: int) -> SweepSpec:
        """The spec of ``rows`` (key, range) around ``config``; ``SpecError`` naming the
        first bad row."""
        rows = [(k.strip(), r.strip()) for k, r in rows if k.strip() or r.strip()]
        if not rows:
            raise SpecError("add a row to the space: a key (optim.lr) and a range "
                            "(log-uniform:1e-3:1e-1)")
        space = tuple(parse_dimension(f"{k}={r}") for k, r in rows)
        base = config.with_changes(epochs=int(epochs)).validate()
        spec = SweepSpec(base, space, trials=int(trials), seed=0,
                         metric=METRIC[base.data.task])
        spec.expand()  # every trial's settings are checked before anything starts
        return spec

    def start(self, config, dataset, rows, trials: int, epochs: int, scheduler: str = "",
              workers: int = 2) -> str:
        """Start a sweep; "" if it started, else why not (one sentence)."""
        if dataset is None:
            return "The 2-D page has no data to train on; choose or draw a data set there."
        try:
            spec = self.plan(config, rows, trials, epochs)
        except (SpecError, ValueError) as e:
            text = str(e)
            return f"Cannot sweep: {text}" + ("" if text.endswith(".") else ".")
        self.cancel()
        self.run_id += 1
        self.spec, self.dataset = spec, dataset
        self.lines, self.states = [], {}
        self.running = True
        self._start.emit(SweepPlan(self.run_id, spec, spec.expand(), dataset,
                                   scheduler.strip(), int(workers)))
        return ""

    def cancel(self) -> None:
        if self.running:
            self._cancel.emit()

    def shutdown(self, timeout_ms: int = 10000) -> bool:
        """End the worker (closing a local cluster takes a few seconds)."""
        return self.host.shutdown(timeout_ms)

    # ------------------------------------------------------------------ files

    def save(self, path: str) -> int:
        with open(path, "w", encoding="utf-8") as f:
            for line in self.lines:
                f.write(json.dumps(line, allow_nan=True) + "\n")
        return len(self.lines)

    def load(self, path: str) -> list[dict]:
        """The trials of a results file (``sweep --save`` or the tab's Save); ``SpecError``
        in one sentence if it is not one."""
        lines = []
        try:
            with open(path, encoding="utf-8") as f:
                for n, text in enumerate(f, start=1):
                    if not text.strip():
                        continue
                    line = json.loads(text)
                    if not isinstance(line, dict) or "trial" not in line \
                            or "changes" not in line:
                        raise SpecError(f"line {n} of {path} is not a sweep trial")
                    lines.append(line)
        except OSError as e:
            raise SpecError(f"cannot read {path}: {e.strerror or e}") from None
        except ValueError as e:
            if isinstance(e, SpecError):
                raise
            raise SpecError(f"{path} is not JSON lines ({e})") from None
        if not lines:
            raise SpecError(f"{path} holds no trials")
        self.lines, self.states = lines, {}
        return lines

    # ------------------------------------------------------------------ a trial out

    def session(self, trial: int) -> Session | None:
        """Trial ``trial`` of the current sweep as a 2-D session, with its trained weights
        (None if it is not of this sweep, or it has none)."""
        state = self.states.get(trial)
        line = next((x for x in self.lines if x["trial"] == trial), None)
        if state is None or line is None or self.dataset is None:
            return None
        from engine.spec import RunConfig

        config = RunConfig.from_json(json.dumps(line["config"]))
        history = epoch_history()
        for m in state["history"]:
            history.append(m)
        return trained_session(config, self.dataset, weights=state["weights"],
                               model_spec=state["spec"], history=history.array(),
                               epoch=len(state["history"]))

    # ------------------------------------------------------------------ replies

    def _on_started(self, run_id: int, where: str) -> None:
        if run_id == self.run_id:
            spec = self.spec
            self.started.emit({"trials": len(spec.expand()), "where": where,
                               "keys": [d.key for d in spec.space], "metric": spec.metric,
                               "kinds": [d.kind for d in spec.space]})

    def _on_trial(self, run_id: int, item) -> None:
        if run_id != self.run_id:
            return
        from engine.sweep_cli import trial_line

        trial, result = item
        line = trial_line(trial, result)
        self.lines.append(line)
        if result.get("state") is not None:
            self.states[trial.index] = {**result["state"], "history": result["history"]}
        self.trialFinished.emit(line)

    def _on_finished(self, run_id: int, cancelled: bool) -> None:
        if run_id == self.run_id and self.running:
            self.running = False
            self.finished.emit(cancelled)

    def _on_failed(self, text: str) -> None:
        self.failed.emit(text)


def metric_value(line: dict, metric: str) -> float:
    v = line.get(metric)
    return float(v) if isinstance(v, (int, float)) and math.isfinite(v) else math.nan
