"""Lambdified results and independent numeric witnesses (DESIGN principle 3).

``lambdify_expr`` turns a SymPy expression into a vectorized NumPy/SciPy function
(special functions such as polygamma and the Bessel functions through SciPy, which
``modules='numpy'`` alone cannot evaluate); :class:`NumericFunction` does the same for
a scalar or a matrix and remembers its arguments by name, so arrays of parameter points
are evaluated at once: ``F.at({"a": a_array, "b": b_array})`` has shape
``a_array.shape + F.shape``. :func:`lambdify_report` lambdifies every result of a
:class:`~symfisher.derive.report.Report` (score, Hessian, Fisher, Cramér–Rao, KL, the
Taylor terms, the Jeffreys prior), cached per model.

The quadrature side never uses the symbolic expectation route:

* :func:`model_functions` differentiates the log-density itself (``sympy.diff`` of the
  expanded log-density; no expectation is taken symbolically) and lambdifies the log-density,
  score and Hessian; Dirac masses in a Hessian (``d/dmu sign(x - mu)``, Laplace) are kept
  apart and evaluated at their atom;
* :func:`expect_vec` computes ``E[g(X)]`` for a vector-valued ``g`` at one parameter point:
  exact sums over finite supports, truncated sums over infinite integer supports, and over
  continuous supports first a double-exponential rule (tanh-sinh, exp-sinh, sinh-sinh; every node of
  ``g`` in one vectorized call, the step halved until two sums agree), then, where it does not
  settle (an end singularity the floating-point nodes cannot resolve), adaptive Gauss–Kronrod
  (``scipy.integrate.quad_vec``) after a change of variable (``x = exp(u)`` on (0, oo)) or QAGS on
  a finite interval; a Gauss–Hermite tensor rule for the multivariate normal;
* :func:`sample_data` draws seeded Monte Carlo samples with each catalog family's sampler.

>>> import sympy as sp
>>> a = sp.Symbol("a", positive=True)
>>> F = NumericFunction.build(sp.Matrix([[sp.polygamma(1, a), 1/a]]), (a,))
>>> F.at({"a": [1.0, 2.0]}).shape
(2, 1, 2)
>>> round(float(F(1.0)[0, 0]), 6)   # trigamma(1) = pi^2/6
1.644934
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import sympy as sp

from .quadrature import (NumericUnavailable, _continuous_map, _count_rule, _de_nodes, _de_quad, _de_sum,  # noqa: F401
                         _discrete_rule, _gauss_hermite_rule, _laplace_rule, _num)
from .simplify import as_expr

__all__ = [
    "MODULES",
    "lambdify_expr",
    "numeric_form",
    "NumericFunction",
    "lambdify_report",
    "ModelFunctions",
    "model_functions",
    "expect_vec",
    "sample_data",
    "param_points",
    "integrate_density",
    "expect_numeric",
    "NumericUnavailable",
]

def _stacked(v):
    n = int(round(len(v) ** 0.5))
    # complex entries stay complex (the complex-step derivatives of an opaque determinant or inverse)
    kind = complex if any(np.iscomplexobj(x) for x in v) else float
    A = np.stack(np.broadcast_arrays(*[np.asarray(x, dtype=kind) for x in v]), axis=-1)
    return A.reshape(A.shape[:-1] + (n, n))


def _det_entries(*v):
    """det of the n x n matrix given row-major by its entries (each a number or an array)."""
    return np.linalg.det(_stacked(v))


def _inverse_entry(i, j, *v):
    return np.linalg.inv(_stacked(v))[..., int(i), int(j)]


def _polygamma(n, x):
    """SciPy's ``polygamma`` for a constant order, without its wrapper's cost (it computes both branches in
    Python, 20 us a scalar call, which adaptive quadrature makes by the ten thousand): the same formulas,
    ``psi(x)`` for ``n = 0`` and ``(-1)^(n+1) n! zeta(n + 1, x)`` above (scipy.special.polygamma)."""
    from scipy import special

    if np.ndim(n) == 0 and float(n) == int(n) and n >= 0:
        n = int(n)
        if n == 0:
            return special.psi(x)
        return (-1.0) ** (n + 1) * special.gamma(n + 1.0) * special.zeta(n + 1, x)
    return special.polygamma(n, x)


_DET = sp.Function("symfisher_det")
_INV_ENTRY = sp.Function("symfisher_inverse_entry")
MODULES = [{"symfisher_det": _det_entries, "symfisher_inverse_entry": _inverse_entry, "polygamma": _polygamma},
           "scipy", "numpy"]


@functools.lru_cache(maxsize=4096)
def _lambdify_cached(args: tuple, expr: sp.Expr):
    return sp.lambdify(args, expr, modules=MODULES)


def lambdify_expr(expr, args):
    """A vectorized function of ``args`` (symbols) computing ``expr`` with NumPy/SciPy."""
    return _lambdify_cached(tuple(args), numeric_form(as_expr(expr)))


def _log_of_special(e):
    # unevaluated: loggamma of a symbol declared a positive integer would evaluate back to log(gamma(.)),
    # which overflows at large counts
    a = e.args[0]
    lg = functools.partial(sp.loggamma, evaluate=False)
    if isinstance(a, sp.factorial):
        return lg(a.args[0] + 1)
    if isinstance(a, sp.gamma):
        return lg(a.args[0])
    if isinstance(a, sp.binomial):
        n, k = a.args
        return lg(n + 1) - lg(k + 1) - lg(n - k + 1)
    return e


def numeric_form(expr):
    """``expr`` rewritten for floating point: ``log(x!)``, ``log(binomial)``, ``log(gamma)``
    as ``loggamma`` (no overflow at large counts), ``KroneckerDelta`` as a ``Piecewise``
    (which NumPy evaluates elementwise)."""
    if not isinstance(expr, sp.Basic):
        return expr
    if expr.has(sp.log):
        expr = expr.replace(lambda e: isinstance(e, sp.log) and isinstance(e.args[0], (sp.factorial, sp.gamma, sp.binomial)),
                            _log_of_special)
    if expr.has(sp.KroneckerDelta):
        expr = expr.replace(sp.KroneckerDelta, lambda a, b: sp.Piecewise((1, sp.Eq(a, b)), (0, True)))
    if expr.atoms(sp.MatrixSymbol):
        expr = _explicit_matrices(expr)
    if expr.has(sp.Sum):  # an exact series (symfisher/series.py): summed numerically, vectorized
        from .series import numeric_sums

        expr = numeric_sums(expr)
    return expr


def _explicit_matrices(expr):
    """``det(Sigma)`` and ``(Sigma^{-1})_ij`` of a declared matrix symbol (mvn_mean beyond d = 3)
    as numeric functions of its named entries: never expanded symbolically."""
    from sympy.matrices.expressions.matexpr import MatrixElement

    from .model import explicit_matrix

    def declared(m):
        return isinstance(m, sp.MatrixSymbol) and explicit_matrix(m) is not None

    expr = expr.replace(lambda e: isinstance(e, sp.Determinant) and declared(e.arg),
                        lambda e: _DET(*explicit_matrix(e.arg)))
    return expr.replace(lambda e: isinstance(e, MatrixElement) and isinstance(e.parent, sp.Inverse)
                        and declared(e.parent.arg),
                        lambda e: _INV_ENTRY(e.i, e.j, *explicit_matrix(e.parent.arg)))


@functools.lru_cache(maxsize=4096)
def _entry_function(names: tuple, expr: sp.Expr):
    if expr.atoms(sp.MatrixSymbol):  # first, so that the named entries become arguments too
        expr = _explicit_matrices(expr)
    found: dict = {}
    for s in expr.free_symbols:
        if isinstance(s, sp.Symbol) and s.name in names:
            found.setdefault(s.name, set()).add(s)
    taken = {s.name for s in expr.free_symbols if isinstance(s, sp.Symbol)}
    if all(len(v) == 1 for v in found.values()) and all(_plain_name(n) for n in taken):
        # each name one symbol: the expression's own symbols are the arguments (rebuilding the tree
        # with stand-ins, here or in lambdify's dummification, costs more than the lambdify itself);
        # a name the expression lacks gets an unused plain symbol
        args = tuple(next(iter(found[n])) if n in found else sp.Symbol(_unused(n, taken)) for n in names)
        return sp.lambdify(args, numeric_form(expr), modules=MODULES)
    # equal names with different assumptions: re-made by name, so that they share the argument
    args = tuple(sp.Dummy(n) for n in names)
    by_name = {s: args[names.index(s.name)] for s in expr.free_symbols if isinstance(s, sp.Symbol) and s.name in names}
    return sp.lambdify(args, numeric_form(expr.xreplace(by_name)), modules=MODULES)


@functools.lru_cache(maxsize=None)
def _plain_name(name: str) -> bool:
    """Whether a symbol of this name can be an argument of the generated code as it is: an identifier that
    names nothing in lambdify's namespace (a parameter called ``beta`` beside the beta function is not)."""
    import builtins
    import keyword

    import scipy.special

    return (name.isidentifier() and not keyword.iskeyword(name) and not name.startswith("_")
            and not hasattr(np, name) and not hasattr(scipy.special, name) and not hasattr(builtins, name)
            and not hasattr(math, name) and name not in MODULES[0])


def _unused(name: str, taken: set) -> str:
    out = "_" + "".join(c if c.isalnum() else "_" for c in name)
    while out in taken:
        out += "_"
    return out


@dataclass(frozen=True)
class NumericFunction:
    """A lambdified scalar or matrix with named arguments, vectorized over arrays.

    ``self(*arrays)`` (positional, in ``args`` order) or ``self.at({name: array})`` returns
    an array of shape ``broadcast(arrays).shape + self.shape``; ``shape`` is ``()`` for a scalar.
    """

    expr: Any
    args: tuple  # argument names
    shape: tuple
    entries: tuple = field(repr=False, default=())  # one function per entry, row-major

    @classmethod
    def build(cls, expr, args) -> "NumericFunction":
        names = tuple(a if isinstance(a, str) else a.name for a in args)
        if isinstance(expr, sp.MatrixBase):
            shape = tuple(expr.shape)
            items = list(expr)
        elif isinstance(expr, (list, tuple)):
            items = [as_expr(e) for e in expr]
            shape = (len(items),)
        else:
            expr = as_expr(expr)
            shape, items = (), [expr]
        missing = {s.name for e in items for s in e.free_symbols if isinstance(s, sp.Symbol)} - set(names)
        if missing:
            raise ValueError(f"cannot lambdify: symbol(s) {', '.join(sorted(missing))} are not among the arguments {names}")
        fns = tuple(_entry_function(names, as_expr(e)) for e in items)
        return cls(expr, names, shape, fns)

    def __call__(self, *arrays):
        arrays = [np.asarray(a, dtype=float) for a in arrays]
        base = np.broadcast_shapes(*(a.shape for a in arrays)) if arrays else ()
        with np.errstate(all="ignore"):
            vals = [np.broadcast_to(np.real(np.asarray(f(*arrays))), base) for f in self.entries]
        out = np.stack([np.asarray(v, dtype=float) for v in vals], axis=-1) if vals else np.zeros(base + (0,))
        return out.reshape(base + self.shape)

    def along(self, name: str, values) -> Callable:
        """A scalar function ``t -> float`` of the argument ``name``, the others fixed at ``values``:
        for scalar quadrature (one number a call, without the broadcasting of :meth:`__call__`)."""
        if self.shape != ():
            raise ValueError("along() needs a scalar function")
        f, i = self.entries[0], self.args.index(name)
        fixed = [float(values[n]) if n != name else 0.0 for n in self.args]

        def scalar(t):
            fixed[i] = t
            with np.errstate(all="ignore"):
                return float(np.real(f(*fixed)))

        return scalar

    def at(self, values) -> np.ndarray:
        """Evaluate at ``values``: a mapping from argument name to number or array."""
        try:
            return self(*[values[n] for n in self.args])
        except KeyError as exc:
            raise KeyError(f"no value for {exc.args[0]!r} (arguments: {', '.join(self.args)})") from None


_REPORT_CACHE: dict = {}


def _args_for(model, *groups) -> tuple:
    out = []
    for g in groups:
        out += [s.name for s in g]
    return tuple(dict.fromkeys(out))


def lambdify_report(report) -> dict:
    """Every result of ``report`` as a :class:`NumericFunction`, cached per model.

    Keys and arguments: ``score`` and ``hessian`` (data, parameters, constants),
    ``fisher``, ``cramer_rao``, ``jeffreys`` (parameters, constants), ``kl`` (the
    ``_1``/``_2``-suffixed parameters, then the constants), ``kl_taylor_quadratic``,
    ``kl_taylor_cubic`` (parameters, constants and the displacement symbols, by name).
    A quantity the report lacks is absent.
    """
    m = report.model
    key = (m.key(),) + tuple(sorted((n, sp.srepr(d.result)) for n, d in report.derivations.items()
                                    if d.result is not None))
    if key in _REPORT_CACHE:
        return _REPORT_CACHE[key]
    out: dict = {}
    base = _args_for(m, m.params, m.constants)
    data = _args_for(m, m.data, m.params, m.constants)
    for name, args in (("score", data), ("hessian", data), ("fisher", base), ("cramer_rao", base)):
        v = report.get(name)
        if v is not None:
            out[name] = NumericFunction.build(v, args)
    kl = report.get("kl")
    if kl is not None:
        out["kl"] = NumericFunction.build(kl, kl_arguments(m, kl))
    j = report.get("jeffreys")
    if j is not None:
        out["jeffreys"] = NumericFunction.build(j, _with_extra(base, j))
    t = report.derivations.get("kl_taylor")
    if t is not None and t.result is not None:
        for part in ("quadratic", "cubic"):
            e = taylor_part(t, part)
            if e is not None:
                out[f"kl_taylor_{part}"] = NumericFunction.build(e, _with_extra(base, e))
    _REPORT_CACHE[key] = out
    return out


def _with_extra(base: tuple, expr) -> tuple:
    extra = sorted(s.name for s in as_expr(expr).free_symbols if isinstance(s, sp.Symbol) and s.name not in base)
    return base + tuple(extra)


def kl_arguments(model, kl=None) -> tuple:
    """``(p_1, ..., p_2, ..., constants)``: the KL's argument names (parameter ``p`` as ``p_1``, ``p_2``)."""
    a = tuple(f"{s.name}_1" for s in model.params)
    b = tuple(f"{s.name}_2" for s in model.params)
    args = a + b + tuple(s.name for s in model.constants)
    if kl is not None:
        extra = sorted(s.name for s in as_expr(kl).free_symbols if isinstance(s, sp.Symbol) and s.name not in args)
        args += tuple(extra)
    return args


def taylor_part(derivation, part: str):
    """The ``quadratic`` or ``cubic`` term of a kl_taylor derivation (from ``extras``), or None."""
    v = derivation.extras.get(part)
    if v is None and isinstance(derivation.result, dict):
        v = derivation.result.get(part)
    return v if isinstance(v, sp.Basic) else None


# -- the model's own derivatives, lambdified ------------------------------------------

@dataclass(frozen=True)
class ModelFunctions:
    """Lambdified log-density, score and Hessian of a model, derived here by ``sympy.diff``.

    All take ``(data..., params..., constants...)``. ``deltas`` lists the Dirac masses of the
    Hessian: ``(i, j, NumericFunction of (params, constants))`` giving the entry's mass
    ``E[c(X) DiracDelta(u(X))] = c(x0) f(x0) / |u'(x0)|``.
    """

    model: Any
    logpdf: NumericFunction
    score: NumericFunction
    hessian: NumericFunction
    deltas: tuple = ()


_MF_CACHE: dict = {}


def model_functions(model) -> ModelFunctions:
    key = model.key()
    if key in _MF_CACHE:
        return _MF_CACHE[key]
    from .expectation import expand_log_density

    ell = expand_log_density(model.log_density, model.data)
    args = _args_for(model, model.data, model.params, model.constants)
    if ell.atoms(sp.MatrixSymbol):
        # the parameters enter through an opaque matrix (det(Sigma), (Sigma^{-1})_ij beyond d = 3), which
        # sympy.diff cannot see through: differentiate the lambdified log-density numerically instead
        logpdf = NumericFunction.build(ell, args)
        mf = ModelFunctions(model, logpdf, _StepScore(logpdf, len(model.data), model.dim),
                            _StepHessian(logpdf, len(model.data), model.dim), ())
        _MF_CACHE[key] = mf
        return mf
    s = sp.Matrix([sp.diff(ell, th) for th in model.params])
    k = model.dim
    H = sp.zeros(k, k)
    deltas = []
    for i in range(k):
        for j in range(i, k):
            h = sp.diff(s[i], model.params[j])
            atoms = h.atoms(sp.DiracDelta)
            if atoms:  # expanded only then, to read each mass's coefficient (expanding costs, e.g. in a GLM)
                h = sp.expand(h)
                atoms = h.atoms(sp.DiracDelta)
                for D in atoms:
                    coef = h.coeff(D)
                    deltas.append((i, j, _delta_mass(model, coef, D)))
                h = h.subs({D: 0 for D in atoms})
            H[i, j] = H[j, i] = h
    mf = ModelFunctions(model, NumericFunction.build(ell, args), NumericFunction.build(list(s), args),
                        NumericFunction.build(H, args), tuple(deltas))
    _MF_CACHE[key] = mf
    return mf


class _StepScore:
    """The score of a log-density given only as numbers (opaque matrices inside it), by the complex step:
    ``d ell / d theta_i = Im ell(theta + i h e_i) / h``, exact to rounding for a function analytic in theta
    (a log-determinant and the entries of an inverse are), with no subtraction. Called like the
    lambdified score: ``(data..., params..., constants...)`` -> ``(nodes, k)``."""

    h = 1e-30

    def __init__(self, logpdf, n_data: int, k: int):
        self.logpdf, self.nd, self.k, self.args = logpdf, n_data, k, logpdf.args

    def _complex(self, arrays, shifts):
        vals = [np.asarray(a, dtype=complex) for a in arrays]
        for i, d in shifts:
            vals[self.nd + i] = vals[self.nd + i] + d
        f = self.logpdf.entries[0]
        with np.errstate(all="ignore"):
            return np.asarray(f(*vals), dtype=complex)

    def __call__(self, *arrays):
        base = np.broadcast_shapes(*(np.shape(a) for a in arrays))
        cols = [np.broadcast_to(self._complex(arrays, [(i, 1j * self.h)]).imag / self.h, base) for i in range(self.k)]
        return np.stack(cols, axis=-1)


class _StepHessian(_StepScore):
    """The Hessian by central differences (step ``delta`` relative to the parameter, Richardson-extrapolated
    over delta and delta/2, so the error is O(delta^4)) of the complex-step score."""

    delta = 1e-3

    def __call__(self, *arrays):
        base = np.broadcast_shapes(*(np.shape(a) for a in arrays))
        out = np.zeros(base + (self.k, self.k))
        for j in range(self.k):
            t = float(np.asarray(arrays[self.nd + j]).ravel()[0])
            dj = self.delta * max(abs(t), 1.0)
            est = []
            for d in (dj, dj / 2):
                up = [self._complex(arrays, [(i, 1j * self.h), (j, d)]).imag / self.h for i in range(self.k)]
                dn = [self._complex(arrays, [(i, 1j * self.h), (j, -d)]).imag / self.h for i in range(self.k)]
                est.append(np.stack([np.broadcast_to((u - w) / (2 * d), base) for u, w in zip(up, dn)], axis=-1))
            out[..., :, j] = (4 * est[1] - est[0]) / 3
        return (out + np.swapaxes(out, -1, -2)) / 2


def _delta_mass(model, coef, D) -> NumericFunction:
    if len(model.data) != 1 or len(D.args) != 1:
        raise NumericUnavailable(f"cannot evaluate the Dirac mass {D} numerically")
    x = model.data[0]
    u = D.args[0]
    du = sp.diff(u, x)
    if du.has(x) or du == 0:
        raise NumericUnavailable(f"the Dirac mass {D} is not at a point linear in {x}")
    x0 = sp.solve(u, x)[0]
    mass = (coef * sp.exp(model.log_density) / sp.Abs(du)).subs(x, x0)
    return NumericFunction.build(mass, _args_for(model, model.params, model.constants))


# -- parameter points -----------------------------------------------------------------

def param_points(model, n: int = 3, seed: int = 20261125) -> list:
    """``n`` seeded points ``{name: float}`` inside the domains of the parameters and constants,
    away from the boundaries, respecting joint constraints (``p_1 + p_2 < 1``); the known
    constants are drawn once and shared by all points."""
    from .derive.regularity import model_domains
    from .domain_points import random_points

    syms = list(model.params) + list(model.constants)
    doms = model_domains(model)
    pts = random_points(syms, doms, n=n, seed=seed)
    # known constants stay fixed across the points (a Jeffreys prior is defined up to a factor in them)
    first = {c: pts[0][c] for c in model.constants}
    pts = [{**p, **first} for p in pts]
    form = model.meta_value("gaussian_covariance")
    if form is not None:
        # a declared covariance or precision matrix must be positive definite at every point; the domains'
        # constraints may name only its leading minors up to 3 x 3, so larger ones are checked here, and the
        # points that fail are drawn again (the first n that pass, in the seeded order)
        def pd(p):
            M = np.array(form.matrix.subs(p).evalf(), dtype=float)
            return bool(np.all(np.linalg.eigvalsh(M) > 0))

        if not all(pd(p) for p in pts):
            for tries in (4, 16, 64):
                more = random_points(syms, doms, n=tries * n, seed=seed)
                good = [{**p, **{c: more[0][c] for c in model.constants}} for p in more if pd(p)]
                if len(good) >= n:
                    pts = good[:n]
                    break
            else:
                raise NumericUnavailable(f"{model.name}: no seeded parameter point makes the matrix positive definite")
    return [{s.name: (int(v) if s in doms and doms[s].integer else float(v)) for s, v in p.items()} for p in pts]


# -- expectations ---------------------------------------------------------------------

def expect_vec(model, values: dict, g: Callable, *, epsrel: float = 1e-10, epsabs: float = 1e-13,
               logpdf: NumericFunction | None = None, breaks=()) -> np.ndarray:
    """``E[g(X)]`` at the parameter point ``values`` (names -> numbers), for ``g`` vector-valued.

    ``g(xs)`` takes a tuple of data arrays (one per data variable, nodes along axis 0) and
    returns an array of shape ``(nodes, m)``. Nothing symbolic is integrated: see the module
    docstring for the rules. ``logpdf`` overrides the model's log-density (the density the
    expectation is taken under, e.g. for KL integrands); ``breaks`` are extra points where the
    integrand may have a kink (the other distribution's location in a KL integrand).
    """
    mf = model_functions(model)
    lp = logpdf or mf.logpdf
    theta = [values[n] for n in lp.args[len(model.data):]]
    if len(model.data) > 1:
        xs, w = _gauss_hermite_rule(model, values)
        vals = np.asarray(g(xs), dtype=float)
        return np.einsum("n,nm->m", w, vals)
    sup = model.support[0]
    if type(sup).__name__ in ("FiniteSupport", "IntegerSupport"):
        xs, _ = _discrete_rule(model, values)
        w = np.exp(lp(xs[0], *theta))
        with np.errstate(all="ignore"):
            vals = np.asarray(g(xs), dtype=float)
        vals = np.where(w[:, None] > 0, vals, 0.0)
        return np.einsum("n,nm->m", w, vals)
    from scipy.integrate import quad, quad_vec

    x_of, dx, u_of, (lo, hi) = _continuous_map(sup, values)
    breaks = [0.0] + [float(values[s.name]) for s in model.params if s.is_real and not s.is_integer] + list(breaks)
    if np.isfinite(lo) and np.isfinite(hi):
        # first a double-exponential rule in x on each piece, all nodes of g at once (it copes with
        # integrable end singularities such as (1 - x)^(b - 1)); QAGS below when it does not settle
        def gv(x):
            dens = np.exp(lp(x, *theta))
            v = np.concatenate([dens[:, None], np.asarray(g((x,)), dtype=float) * dens[:, None]], axis=1)
            ok = np.isfinite(dens) & (dens > 0)
            return np.where(ok[:, None] & np.isfinite(v), v, 0.0)

        cuts = [lo] + sorted({b for b in breaks if lo < b < hi}) + [hi]
        de = _de_sum(gv, cuts, epsrel, epsabs)
        if de is not None:
            return de

        # QAGS in x (its extrapolation copes with integrable endpoint
        # singularities such as (1 - x)^(b - 1); a change of variable cannot, since x near
        # the end is not representable finely enough), one component at a time
        @functools.lru_cache(maxsize=None)  # one call's nodes: the components' QAGS runs share most of them
        def gx(t):
            x = np.array([t])
            with np.errstate(all="ignore"):
                dens = float(np.exp(lp(x, *theta))[0])
                v = np.asarray(g((x,)), dtype=float)[0] * dens
            if not (math.isfinite(dens) and dens > 0):
                return np.zeros_like(v)
            return np.where(np.isfinite(v), v, 0.0)

        m = gx((lo + hi) / 2).shape[0]
        cuts = [lo] + sorted({b for b in breaks if lo < b < hi}) + [hi]
        out = np.zeros(m)
        for c in range(m):
            for a, b in zip(cuts[:-1], cuts[1:]):
                out[c] += quad(lambda t: gx(float(t))[c], a, b, epsabs=epsabs, epsrel=epsrel, limit=400)[0]
        return out

    def h(u):
        uu = np.array([u], dtype=float)
        with np.errstate(all="ignore"):
            x = x_of(uu)
            dens = np.exp(lp(x, *theta)) * dx(uu)
            v = np.asarray(g((x,)), dtype=float)[0] * dens[0]
        if not (np.isfinite(dens[0]) and dens[0] > 0):
            return np.zeros_like(v)
        return np.where(np.isfinite(v), v, 0.0)

    with np.errstate(all="ignore"):
        ub = sorted({float(u_of(np.float64(b))) for b in breaks if lo < b < hi})
    ub = [u for u in ub if np.isfinite(u)]
    pts = [-np.inf] + ub + [np.inf]

    def hv(u):
        x = x_of(u)
        dens = np.exp(lp(x, *theta)) * dx(u)
        v = np.concatenate([dens[:, None], np.asarray(g((x,)), dtype=float) * dens[:, None]], axis=1)
        ok = np.isfinite(dens) & (dens > 0)
        return np.where(ok[:, None] & np.isfinite(v), v, 0.0)

    de = _de_sum(hv, pts, epsrel, epsabs)
    if de is not None:
        return np.atleast_1d(de)
    total = 0.0
    for a, b in zip(pts[:-1], pts[1:]):
        v, _ = quad_vec(h, a, b, epsrel=epsrel, epsabs=epsabs, norm="max", limit=4000)
        total = total + v
    return np.atleast_1d(total)


def sample_data(model, values: dict, n: int, rng) -> tuple:
    """``n`` draws of the data from the model's sampler at ``values``, as one array per data variable."""
    if model.sampler is None:
        raise NumericUnavailable(f"{model.name}: no sampler (user models are checked by quadrature only)")
    X = np.asarray(model.sampler(rng, values, n), dtype=float)
    if len(model.data) == 1:
        return (X.reshape(n),)
    return tuple(X[:, i] for i in range(len(model.data)))


# -- kept from the first version: scalar expectations ---------------------------------

def _values(model, values: dict) -> list:
    return [values[s.name] for s in model.params + model.constants]


def expect_numeric(model, g, values: dict, *, rtol: float = 1e-10, max_terms: int = 200000) -> float:
    """``E[g(X)]`` for a SymPy expression ``g`` by quadrature or summation, at ``values``.

    >>> from symfisher.families import get_model
    >>> round(expect_numeric(get_model("poisson"), get_model("poisson").data[0], {"lam": 2.5}), 10)
    2.5
    """
    if len(model.data) != 1:
        raise ValueError("numeric expectations need a single data variable")
    gf = NumericFunction.build(g, _args_for(model, model.data, model.params, model.constants))
    theta = [values[n] for n in gf.args[1:]]
    return float(expect_vec(model, values, lambda xs: gf(xs[0], *theta)[..., None], epsrel=rtol)[0])


def integrate_density(model, values: dict) -> float:
    """The total mass of the density at parameter ``values`` (1 for a normalized model)."""
    return expect_numeric(model, sp.S.One, values)
