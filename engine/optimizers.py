"""Optimisers: ``opt.step(model)`` updates every parameter of ``model`` in place.

Each optimiser also takes L2 weight decay (``l2``) and L1 (``l1``) on weights, and optional
gradient-norm clipping (``clip_norm``). State is keyed by the parameter names from
``model.parameters()``. Update rules follow "Deep Learning from Scratch" ch. 6.
"""

from __future__ import annotations

import math

import numpy as np

from .errors import SpecError
from .penalty import add_penalty_gradient

# Moments decaying below this are flushed to zero: arithmetic on subnormal floats is many
# times slower on x86 (measured ~7x for an Adam step with most moments subnormal).
_FLUSH_EVERY = 50


class Optimizer:
    kind = "optimizer"

    def __init__(self, lr: float = 0.01, l1: float = 0.0, l2: float = 0.0,
                 clip_norm: float | None = None):
        if not (lr > 0 and math.isfinite(lr)):
            raise SpecError(f"learning rate must be a positive number, got {lr!r}")
        if l1 < 0 or l2 < 0:
            raise SpecError(f"L1/L2 rates must be >= 0, got l1={l1!r}, l2={l2!r}")
        if clip_norm is not None and not clip_norm > 0:
            raise SpecError(f"clip_norm must be positive or None, got {clip_norm!r}")
        self.lr, self.l1, self.l2, self.clip_norm = float(lr), float(l1), float(l2), clip_norm
        self.state: dict[str, dict[str, np.ndarray]] = {}
        self._flat: tuple[np.ndarray, dict[str, np.ndarray]] | None = None
        self.t = 0
        self.last_grad_norm = 0.0

    def step(self, model) -> None:
        """One update of every parameter of ``model`` (anything with ``parameters()``)."""
        items = None  # (name, param, grad) triples, built only when needed
        if self.l1 or self.l2:
            items = list(model.parameters())
            for name, p, g in items:
                add_penalty_gradient(name, p, g, self.l1, self.l2)
        flat = getattr(model, "flat_parameters", None)
        flat = flat() if flat is not None else None
        if flat is not None:
            # One contiguous buffer for all parameters: each rule runs once over it.
            if self._flat is None or self._flat[0] is not flat[0]:
                self._init_flat_state(flat[0], items or list(model.parameters()))
            groups = [(flat[0], flat[1], self._flat[1])]
        else:
            groups = [(p, g, self._param_state(name, p))
                      for name, p, g in items or model.parameters()]
        sq = 0.0
        for _, g, _ in groups:
            flat_g = g.reshape(-1)
            sq += float(np.dot(flat_g, flat_g))
        norm = math.sqrt(sq)
        self.last_grad_norm = norm
        if self.clip_norm is not None and norm > self.clip_norm:
            scale = self.clip_norm / (norm + 1e-12)
            for _, g, _ in groups:
                g *= g.dtype.type(scale)
        self.t += 1
        flush = self.t % _FLUSH_EVERY == 0
        for p, g, st in groups:
            self._update(p, g, st)
            if flush:
                for key, buf in st.items():
                    if key != "tmp":  # scratch, rewritten before every use
                        _flush_subnormals(buf)

    def export_state(self) -> dict:
        """Copies of what the rule has learnt so far, to save with the weights:
        ``{"kind", "t", "arrays": {"NAME/KEY": array}}`` (scratch buffers left out)."""
        arrays = {f"{name}/{key}": np.array(buf) for name, st in self.state.items()
                  for key, buf in st.items() if key != "tmp"}
        return {"kind": self.kind, "t": int(self.t), "arrays": arrays}

    def import_state(self, saved: dict, model) -> None:
        """Continue from ``saved`` (an ``export_state``) for ``model``'s parameters.
        ``SpecError``, with nothing changed, when it is another rule's or does not fit."""
        if saved.get("kind") != self.kind:
            raise SpecError(f"the optimiser state is for {saved.get('kind')!r}, "
                            f"not {self.kind!r}")
        t, arrays = saved.get("t"), saved.get("arrays", {})
        if not (isinstance(t, (int, np.integer)) and t >= 0):
            raise SpecError(f"the optimiser step count {t!r} is not a count")
        state = {}
        for name, p, _ in model.parameters():
            st = self._init_state(p)
            for key, buf in st.items():
                if key == "tmp":
                    continue
                got = arrays.get(f"{name}/{key}")
                got = None if got is None else np.asarray(got)
                if got is None or got.shape != buf.shape or got.dtype != buf.dtype:
                    found = "missing" if got is None else f"{got.dtype} of shape {got.shape}"
                    raise SpecError(f"optimiser state {name} ({key}) is {found}; expected "
                                    f"{buf.dtype} of shape {buf.shape}")
                buf[...] = got
            state[name] = st
        self.state, self._flat, self.t = state, None, int(t)

    def _param_state(self, name: str, p: np.ndarray) -> dict[str, np.ndarray]:
        st = self.state.get(name)
        if st is None:
            st = self.state[name] = self._init_state(p)
        return st

    def _init_flat_state(self, flat_p: np.ndarray, items) -> None:
        """State buffers as long as ``flat_p``; ``state[name]`` holds views of them, so the
        state stays keyed by parameter name (and survives a switch to per-parameter)."""
        st = self._init_state(flat_p)
        offset = 0
        for name, p, _ in items:
            end = offset + p.size
            views = {k: buf[offset:end].reshape(p.shape) for k, buf in st.items()}
            old = self.state.get(name)
            if old is not None:  # carry moments over from an earlier per-parameter run
                for k, buf in old.items():
                    views[k][...] = buf
            self.state[name] = views
            offset = end
        self._flat = (flat_p, st)

    def _init_state(self, p: np.ndarray) -> dict[str, np.ndarray]:
        return {}

    def _update(self, p: np.ndarray, g: np.ndarray, st: dict[str, np.ndarray]) -> None:
        raise NotImplementedError


def _flush_subnormals(buf: np.ndarray) -> None:
    tiny = np.finfo(buf.dtype).tiny
    buf[np.abs(buf) < tiny] = 0


class SGD(Optimizer):
    kind = "sgd"

    def _update(self, p, g, st):
        p -= p.dtype.type(self.lr) * g


class Momentum(Optimizer):
    """v = mu*v - lr*g; p += v."""

    kind = "momentum"

    def __init__(self, lr: float = 0.01, momentum: float = 0.9, **kw):
        super().__init__(lr, **kw)
        if not 0 <= momentum < 1:
            raise SpecError(f"momentum must be in [0, 1), got {momentum!r}")
        self.momentum = float(momentum)

    def _init_state(self, p):
        return {"v": np.zeros_like(p), "tmp": np.empty_like(p)}

    def _update(self, p, g, st):
        v, tmp = st["v"], st["tmp"]
        v *= p.dtype.type(self.momentum)
        np.multiply(g, p.dtype.type(self.lr), out=tmp)
        v -= tmp
        p += v


class Nesterov(Momentum):
    """Nesterov accelerated gradient in the book's form:
    v = mu*v - lr*g; p += mu*mu*v - (1+mu)*lr*g."""

    kind = "nesterov"

    def _update(self, p, g, st):
        v, tmp = st["v"], st["tmp"]
        mu = self.momentum
        v *= p.dtype.type(mu)
        np.multiply(g, p.dtype.type(self.lr), out=tmp)
        v -= tmp
        p += p.dtype.type(mu * mu) * v
        tmp *= p.dtype.type(1 + mu)
        p -= tmp


class AdaGrad(Optimizer):
    """h += g^2; p -= lr * g / (sqrt(h) + 1e-7)."""

    kind = "adagrad"

    def _init_state(self, p):
        return {"h": np.zeros_like(p), "tmp": np.empty_like(p)}

    def _update(self, p, g, st):
        h, tmp = st["h"], st["tmp"]
        np.multiply(g, g, out=tmp)
        h += tmp
        np.sqrt(h, out=tmp)
        tmp += p.dtype.type(1e-7)
        np.divide(g, tmp, out=tmp)
        tmp *= p.dtype.type(self.lr)
        p -= tmp


class RMSProp(Optimizer):
    """h = rho*h + (1-rho)*g^2; p -= lr * g / (sqrt(h) + 1e-7)."""

    kind = "rmsprop"

    def __init__(self, lr: float = 0.01, rho: float = 0.99, **kw):
        super().__init__(lr, **kw)
        if not 0 < rho < 1:
            raise SpecError(f"RMSProp decay rho must be in (0, 1), got {rho!r}")
        self.rho = float(rho)

    def _init_state(self, p):
        return {"h": np.zeros_like(p), "tmp": np.empty_like(p)}

    def _update(self, p, g, st):
        h, tmp = st["h"], st["tmp"]
        t = p.dtype.type
        h *= t(self.rho)
        np.multiply(g, g, out=tmp)
        tmp *= t(1 - self.rho)
        h += tmp
        np.sqrt(h, out=tmp)
        tmp += t(1e-7)
        np.divide(g, tmp, out=tmp)
        tmp *= t(self.lr)
        p -= tmp


class Adam(Optimizer):
    """Adam: m = b1*m + (1-b1)*g, v = b2*v + (1-b2)*g^2,
    p -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps).

    The state keeps the moments unnormalised, m/(1-b1) and v/(1-b2) (so ``state["m"]`` is
    the book's m divided by 1-b1): each then updates in two or three whole-array passes
    instead of three or four, and the constant factors fold into the step size and eps.
    """

    kind = "adam"

    def __init__(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-7, **kw):
        super().__init__(lr, **kw)
        self._beta1 = self._beta2 = 0.0
        self.beta1, self.beta2, self.eps = beta1, beta2, float(eps)

    # The stored moments are divided by (1 - beta) of the betas they were summed with: a
    # new beta mid-run rescales them, so the moments themselves do not jump.
    @property
    def beta1(self) -> float:
        return self._beta1

    @beta1.setter
    def beta1(self, value: float) -> None:
        self._beta1 = self._rescaled("beta1", "m", self._beta1, value)

    @property
    def beta2(self) -> float:
        return self._beta2

    @beta2.setter
    def beta2(self, value: float) -> None:
        self._beta2 = self._rescaled("beta2", "v", self._beta2, value)

    def _rescaled(self, name: str, key: str, old: float, new: float) -> float:
        if not 0 <= new < 1:
            raise SpecError(f"Adam {name} must be in [0, 1), got {new!r}")
        new = float(new)
        if new != old:
            factor = (1 - old) / (1 - new)
            # the per-name views cover the flat buffers exactly once
            for st in self.state.values():
                if key in st:
                    st[key] *= st[key].dtype.type(factor)
        return new

    def _init_state(self, p):
        return {"m": np.zeros_like(p), "v": np.zeros_like(p), "tmp": np.empty_like(p)}

    def _update(self, p, g, st):
        m, v, tmp = st["m"], st["v"], st["tmp"]
        t = p.dtype.type
        b1, b2 = self.beta1, self.beta2
        root = math.sqrt(1 - b2)
        # With m = (1-b1)*M and v = (1-b2)*V:
        # lr_t * m / (sqrt(v) + eps) = lr_t*(1-b1)/root * M / (sqrt(V) + eps/root).
        step = self.lr * math.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t) * (1 - b1) / root
        m *= t(b1)
        m += g
        np.multiply(g, g, out=tmp)
        v *= t(b2)
        v += tmp
        np.sqrt(v, out=tmp)
        tmp += t(self.eps / root)
        np.divide(m, tmp, out=tmp)
        tmp *= t(step)
        p -= tmp


OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.kind: cls for cls in (SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam)
}


def make_optimizer(name: str, lr: float, momentum: float = 0.9, beta1: float = 0.9,
                   beta2: float = 0.999, rho: float = 0.99, l1: float = 0.0, l2: float = 0.0,
                   clip_norm: float | None = None) -> Optimizer:
    """An optimiser from its registry name; options it does not use are ignored."""
    try:
        cls = OPTIMIZERS[name]
    except KeyError:
        raise SpecError(
            f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}") from None
    kw = {"l1": l1, "l2": l2, "clip_norm": clip_norm}
    if cls in (Momentum, Nesterov):
        return cls(lr, momentum=momentum, **kw)
    if cls is RMSProp:
        return cls(lr, rho=rho, **kw)
    if cls is Adam:
        return cls(lr, beta1=beta1, beta2=beta2, **kw)
    return cls(lr, **kw)
