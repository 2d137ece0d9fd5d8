"""The statistical model: it declares, it never computes.

A :class:`Model` is an immutable value: data variable(s), parameters and known
constants (SymPy symbols carrying their domains' assumptions), one log-density, the
support of each data variable, and optional closed-form hooks that the expectation
engine may use instead of integrating:

* ``moments`` — a callable ``statistic -> E[statistic] | None`` (a family's table);
* ``power_moments`` — :class:`PowerMoments`, the joint Mellin transform
  ``E[prod b_i(X)^{s_i}]`` in closed form (``Gamma(a+s)/(Gamma(a) b^s)`` for the gamma
  law); ``E[X^k log(X)^m]`` is then an ``m``-th derivative at ``s = k``;
* ``mgf`` — :class:`MGF`, ``E[exp(t X)]``, for polynomial statistics;
* ``representation`` — :class:`Representation`: ``X = T(W)`` with ``W`` following a
  parameter-free base model (standardization of location-scale families, Weibull as
  a power of an exponential, ...).

Derivations are functions of a model (see :mod:`symfisher.derive`), not methods.

>>> import sympy as sp
>>> from symfisher.domains import UNIT, FiniteSupport
>>> p = UNIT.symbol("p"); x = sp.Symbol("x", integer=True, nonnegative=True)
>>> m = Model("bernoulli", (x,), (p,), x*sp.log(p) + (1 - x)*sp.log(1 - p),
...           (FiniteSupport((0, 1)),), domains=((p, UNIT),))
>>> m.density.subs(x, 1)
p
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable

import sympy as sp
# The first sum a SymPy process builds imports sympy.tensor.tensor and sympy.combinatorics
# (``Add.flatten`` does, lazily: about 18 ms). Every model builds sums, so it is paid here, with
# the import, as a plain SymPy session pays it with its first expression.
import sympy.tensor.tensor  # noqa: F401,E402

from .domains import Domain

__all__ = ["Model", "PowerMoments", "MGF", "Representation", "LinearIndex", "GaussianMean", "ModelError", "ReservedNameError", "Deferred"]


class ModelError(ValueError):
    """The model is not one the engine can treat (bad support, not normalized, ...)."""


class ReservedNameError(ModelError):
    """A declared name the derivation also gives (the KL's ``a_1``, ``a_2``, the Taylor step ``delta_a``)."""


@dataclass(frozen=True)
class PowerMoments:
    """``E[prod_i bases[i]^exponents[i]] = value`` for the exponents near the origin.

    ``bases`` are expressions in the data variable(s); ``exponents`` fresh symbols.
    """

    bases: tuple
    exponents: tuple
    value: sp.Expr


@dataclass(frozen=True)
class MGF:
    """The moment-generating function ``E[exp(t * X)] = value`` of one data variable."""

    t: sp.Symbol
    value: sp.Expr


@dataclass(frozen=True)
class Representation:
    """``X_i = transform[i]`` in terms of ``base.data`` (and the parameters); ``base``
    is free of the model's parameters, so expectations become parameter-free."""

    base: "Model"
    transform: tuple
    explanation: str = ""


@dataclass(frozen=True)
class LinearIndex:
    """The parameters enter only through one linear index: ``log f(x; theta) = g(x; e)`` at
    ``e = eta = sum_i a_i theta_i`` with the ``a_i`` free of the parameters and the data
    (a generalized linear model's predictor). Declared in ``meta`` under ``"index"``;
    :func:`symfisher.derive.structure.linear_index` checks it against the log-density."""

    symbol: sp.Symbol
    reduced: sp.Expr
    eta: sp.Expr
    domain: Domain


# matrix symbols declared by models, with the explicit matrices of scalar symbols they stand
# for: numeric evaluation needs det(Sigma) and (Sigma^{-1})_ij from the named entries
_EXPLICIT_MATRICES: dict = {}


def explicit_matrix(ms):
    """The explicit matrix a declared matrix symbol stands for, or ``None``."""
    return _EXPLICIT_MATRICES.get(ms)


@dataclass(frozen=True)
class GaussianMean:
    """``x ~ N_d(mu, Sigma)`` with ``Sigma`` known, as matrix symbols (``x``, ``mean``: d x 1;
    ``cov``: d x d, symmetric) so that score, Hessian and Fisher information are derived in
    matrix algebra, and the explicit entries they stand for. ``precision`` is the explicit
    ``Sigma^{-1}`` written out (small d) or a matrix of opaque entries ``(Sigma^{-1})_ij``.
    Declared in ``meta`` under ``"gaussian"``; see :mod:`symfisher.derive.structure`."""

    x: Any
    mean: Any
    cov: Any
    x_entries: tuple
    mean_entries: tuple
    cov_entries: Any
    precision: Any

    def __post_init__(self):
        _EXPLICIT_MATRICES[self.cov] = sp.ImmutableMatrix(self.cov_entries)

    def log_density(self) -> sp.Expr:
        """``-(x - mu)^T Sigma^{-1} (x - mu)/2 - log det(2 pi Sigma)/2`` in the explicit entries."""
        d = len(self.x_entries)
        r = sp.Matrix(self.x_entries) - sp.Matrix(self.mean_entries)
        quad = sp.Add(*[r[i] * r[j] * self.precision[i, j] for i in range(d) for j in range(d)])
        det = self.cov_entries.det() if d <= 3 else sp.Determinant(self.cov)
        return -quad / 2 - d * sp.log(2 * sp.pi) / 2 - sp.log(det) / 2


class Deferred:
    """A field value found on its first read, once (a typed density's :class:`Representation`, searched
    for only when an expectation, a structure or a check asks for it): ``Deferred(thunk)``. A thunk that
    raises is asked again on the next read."""

    __slots__ = ("_thunk", "_value")

    def __init__(self, thunk: Callable[[], Any]):
        self._thunk = thunk

    def value(self):
        if self._thunk is not None:
            self._value = self._thunk()
            self._thunk = None
        return self._value


class _DeferredField:
    """A dataclass field that may hold a :class:`Deferred`: reading it gives the found value."""

    def __set_name__(self, owner, name):
        self.slot = "_field_" + name

    def __get__(self, obj, owner=None):
        if obj is None:
            return None  # the field's default
        v = obj.__dict__.get(self.slot)
        return v.value() if type(v) is Deferred else v

    def __set__(self, obj, value):
        obj.__dict__[self.slot] = value

    @staticmethod
    def raw(obj, name: str):
        return obj.__dict__.get("_field_" + name)


@dataclass(frozen=True)
class Model:
    """An immutable statistical model ``f(x; theta)`` with its support and domains.

    ``domains`` pairs every parameter and known constant with its :class:`Domain`.
    ``family`` is the catalog name (``""`` for user models); ``parameterization`` the
    textbook convention in words.
    """

    name: str
    data: tuple
    params: tuple
    log_density: sp.Expr
    support: tuple
    domains: tuple = ()
    constants: tuple = ()
    family: str = ""
    parameterization: str = ""
    moments: Callable | None = field(default=None, compare=False)
    power_moments: PowerMoments | None = None
    mgf: MGF | None = None
    representation: Representation | None = _DeferredField()  # (may be found on first read: Deferred)
    sampler: Callable | None = field(default=None, compare=False)
    meta: tuple = ()

    def __post_init__(self):
        if len(self.support) != len(self.data):
            raise ModelError(f"{self.name}: {len(self.data)} data variable(s) but {len(self.support)} support(s)")
        declared = {s for s, _ in self.domains}
        for s in self.params + self.constants:
            if s not in declared:
                raise ModelError(f"{self.name}: no domain declared for {s}")

    # -- derived views (cheap, no derivation) ---------------------------
    @property
    def density(self) -> sp.Expr:
        """``exp(log_density)``, built once per model (the model is immutable): evaluating the exp of
        a sum asks SymPy's assumptions about every term, a few milliseconds that the normalization
        check and the expectation engine would otherwise pay again on each read."""
        cached = self.__dict__.get("_density")
        if cached is None:
            cached = sp.exp(self.log_density)
            object.__setattr__(self, "_density", cached)
        return cached

    @property
    def dim(self) -> int:
        return len(self.params)

    def domain(self, sym: sp.Symbol) -> Domain:
        for s, d in self.domains:
            if s == sym:
                return d
        raise KeyError(sym)

    def symbol(self, name: str) -> sp.Symbol:
        """The data variable, parameter or constant called ``name``."""
        for s in self.data + self.params + self.constants:
            if s.name == name:
                return s
        raise KeyError(name)

    @property
    def symbols(self) -> dict:
        return {s.name: s for s in self.data + self.params + self.constants}

    def key(self) -> str:
        """A canonical text form: equal for equal models (cache keys); computed once per model."""
        cached = self.__dict__.get("_key")
        if cached is not None:
            return cached
        parts = [
            self.name,
            ",".join(f"{s.name}:{s.assumptions0}" for s in self.data),
            ",".join(f"{s.name}:{d}" for s, d in self.domains),
            ",".join(s.name for s in self.params),
            sp.srepr(self.log_density),
            ";".join(str(s) for s in self.support),
        ]
        key = "|".join(parts)
        object.__setattr__(self, "_key", key)  # the model is immutable, so its key is too
        return key

    def meta_value(self, key: str, default=None):
        for k, v in self.meta:
            if k == key:
                return v
        return default

    def with_(self, **changes) -> "Model":
        raw = _DeferredField.raw(self, "representation")
        if type(raw) is Deferred and "representation" not in changes:
            changes["representation"] = raw  # still to be found: found once, for both
        new = replace(self, **changes)
        density = self.__dict__.get("_density")
        if density is not None and new.log_density is self.log_density:
            object.__setattr__(new, "_density", density)  # the same log-density: its exp is built once
        return new

    def __getstate__(self):
        self.representation  # noqa: B018 - a Deferred is found before pickling (its thunk is no data)
        return self.__dict__

    def __repr__(self) -> str:
        ps = ", ".join(s.name for s in self.params)
        return f"Model({self.name!r}; {ps})"
