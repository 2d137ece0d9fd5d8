"""The quadrature rules behind :func:`symfisher.numeric.expect_vec`: a Gauss–Hermite tensor rule for a
declared Gaussian form and a Laplace-centred one about the numerically found mode (several data
variables on R^d), exact enumeration of finite and counting supports, and the double-exponential
(tanh-sinh, exp-sinh, sinh-sinh) trapezoid rule with its step halved until two sums agree.
NumPy is imported by the caller's module only (this module is loaded by :mod:`symfisher.numeric`)."""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
import sympy as sp

from .simplify import as_expr


class NumericUnavailable(ValueError):
    """No numeric rule applies (e.g. several data variables outside the normal family)."""


def _num(expr, values) -> float:
    e = as_expr(expr)
    if e.is_number:
        return float(e)
    return float(e.subs({s: values[s.name] for s in e.free_symbols}))


def _gauss_hermite_rule(model, values, order: int | None = None):
    """Nodes and weights of N(mu, Sigma): exact for polynomials of degree < 2*order (12 points per axis
    up to d = 3, 5 beyond, where the tensor grid grows like order^d: every witness integrand of a Gaussian
    form, s s^T, the Hessian and the log-ratio, is a polynomial of degree at most 4 in x). Sigma and mu
    from the declared Gaussian (mvn_mean: the covariance, the mean the parameters; a declared
    :class:`~symfisher.matrix_forms.GaussianCovariance`: its matrix, inverted for a precision)."""
    d = len(model.data)
    Sigma = model.meta_value("covariance")
    form = model.meta_value("gaussian_covariance")
    if Sigma is not None:
        S = np.array([[_num(Sigma[i, j], values) for j in range(d)] for i in range(d)])
        mu = np.array([values[p.name] for p in model.params])
    elif form is not None and tuple(form.x_entries) == tuple(model.data):
        M = np.array([[_num(form.matrix[i, j], values) for j in range(d)] for i in range(d)])
        S = np.linalg.inv(M) if form.kind == "precision" else M
        mu = np.array([_num(m, values) for m in form.mean_entries])
    elif all(s.lo == -sp.oo and s.hi == sp.oo for s in model.support if type(s).__name__ == "IntervalSupport") \
            and all(type(s).__name__ == "IntervalSupport" for s in model.support) and d <= 3:
        return _laplace_rule(model, values)  # (multi) a typed density on R^d: no declared Gaussian
    else:
        return _count_rule(model, values)
    order = order or (12 if d <= 3 else 5)
    z, w = np.polynomial.hermite_e.hermegauss(order)  # weight exp(-z^2/2)
    w = w / math.sqrt(2 * math.pi)
    grids = np.meshgrid(*([z] * d), indexing="ij")
    Z = np.stack([g.ravel() for g in grids], axis=-1)
    W = np.prod(np.stack(np.meshgrid(*([w] * d), indexing="ij"), axis=-1).reshape(-1, d), axis=-1)
    X = mu + Z @ np.linalg.cholesky(S).T
    return tuple(X[:, i] for i in range(d)), W


def _laplace_rule(model, values, order: int = 16):
    """(multi) Nodes and weights for a density on R^d declared by its formula alone: Gauss–Hermite nodes
    ``x = m + L z`` about the mode ``m`` of the lambdified log-density (found by BFGS) with ``L L^T`` the
    inverse of its Hessian there (central differences), each weighted by the density itself over the
    standard normal's ``exp(-|z|^2/2)``; exact for a Gaussian. No closed form is used. A rule that does not
    integrate the density to one within 1e-9 (a heavy or skewed law) is refused, not used."""
    from scipy.optimize import minimize

    d = len(model.data)
    from .numeric import model_functions  # (numeric imports this module)

    mf = model_functions(model)
    theta = [values[n] for n in mf.logpdf.args[d:]]

    def lp(X):
        with np.errstate(all="ignore"):
            return np.asarray(mf.logpdf(*[X[:, i] for i in range(d)], *theta), dtype=float) * np.ones(len(X))

    res = minimize(lambda x: -lp(np.array([x]))[0], np.zeros(d), method="BFGS")
    m = res.x
    if not np.all(np.isfinite(m)):
        raise NumericUnavailable(f"{model.name}: no mode of the density found for a quadrature rule")
    h = 1e-4 * max(1.0, float(np.max(np.abs(m))))
    E = np.eye(d) * h
    H = np.array([[(lp(np.array([m + E[i] + E[j]]))[0] - lp(np.array([m + E[i] - E[j]]))[0]
                    - lp(np.array([m - E[i] + E[j]]))[0] + lp(np.array([m - E[i] - E[j]]))[0]) / (4 * h * h)
                   for j in range(d)] for i in range(d)])
    try:
        L = np.linalg.cholesky(np.linalg.inv(-(H + H.T) / 2))
    except np.linalg.LinAlgError:
        raise NumericUnavailable(f"{model.name}: the log-density is not concave at its mode") from None
    z, w = np.polynomial.hermite_e.hermegauss(order)
    Z = np.stack([g.ravel() for g in np.meshgrid(*([z] * d), indexing="ij")], axis=-1)
    W = np.prod(np.stack(np.meshgrid(*([w] * d), indexing="ij"), axis=-1).reshape(-1, d), axis=-1)
    X = m + Z @ L.T
    weights = W * np.exp(lp(X) + np.sum(Z * Z, axis=1) / 2) * abs(np.linalg.det(L))
    if not (np.all(np.isfinite(weights)) and abs(float(np.sum(weights)) - 1.0) <= 1e-9):
        raise NumericUnavailable(f"{model.name}: a Gauss–Hermite rule about the mode does not integrate the density "
                                 "to one (not close enough to a Gaussian for it)")
    return tuple(X[:, i] for i in range(d)), weights


def _count_rule(model, values, max_points: int = 1 << 18):
    """Several data variables on finite integer supports ``0..n`` (multinomial counts): every point of
    the grid that satisfies the declared data constraints, weighted by its probability (exact)."""
    import itertools

    sups = model.support
    if not all((type(s).__name__ == "IntegerSupport" and s.hi != sp.oo) or type(s).__name__ == "FiniteSupport"
               for s in sups):
        raise NumericUnavailable(f"{model.name}: several data variables and no Gaussian or counting rule")
    ranges = [[_num(v, values) for v in s.values] if type(s).__name__ == "FiniteSupport" else  # (multi) finite sets
              range(int(_num(s.lo, values)), int(_num(s.hi, values)) + 1) for s in sups]
    if math.prod(len(r) for r in ranges) > max_points:
        raise NumericUnavailable(f"{model.name}: too many count vectors to enumerate")
    pts = np.array(list(itertools.product(*ranges)), dtype=float)
    keep = np.ones(len(pts), dtype=bool)
    for c in model.meta_value("data_constraints", ()):
        f = sp.lambdify(model.data, c.subs({s: values[s.name] for s in c.free_symbols - set(model.data)}), "numpy")
        keep &= np.broadcast_to(np.asarray(f(*pts.T), dtype=bool), keep.shape)
    pts = pts[keep]
    from .numeric import model_functions  # (numeric imports this module)

    mf = model_functions(model)
    theta = [values[n] for n in mf.logpdf.args[len(model.data):]]
    xs = tuple(pts[:, i] for i in range(pts.shape[1]))
    with np.errstate(all="ignore"):
        w = np.exp(np.asarray(mf.logpdf(*xs, *theta), dtype=float))
    return xs, np.where(np.isfinite(w), w, 0.0)


def _discrete_rule(model, values, max_terms: int = 1 << 20):
    sup = model.support[0]
    from .numeric import model_functions  # (numeric imports this module)

    mf = model_functions(model)
    theta = [values[n] for n in mf.logpdf.args[1:]]
    if sup.is_finite() or (sup.hi != sp.oo and not sup.hi.is_number):
        sub = sup.subs({s: values[s.name] for s in sup.free_symbols})
        xs = np.array([float(v) for v in sub.points()])
        return (xs,), np.exp(mf.logpdf(xs, *theta))
    lo = int(_num(sup.lo, values))
    n = 256
    while True:
        xs = np.arange(lo, lo + n, dtype=float)
        lp = mf.logpdf(xs, *theta)
        tail = lp[-16:]
        if (np.all(tail < -80) and np.all(np.diff(tail) < 0)) or n >= max_terms:
            break
        n *= 4
    return (xs,), np.exp(lp)


def _continuous_map(sup, values):
    """(x(u), dx/du, u-interval) removing endpoint singularities; breakpoints map through ``u(x)``."""
    lo = -np.inf if sup.lo == -sp.oo else _num(sup.lo, values)
    hi = np.inf if sup.hi == sp.oo else _num(sup.hi, values)
    if np.isfinite(lo) and np.isinf(hi):
        return (lambda u: lo + np.exp(u)), (lambda u: np.exp(u)), (lambda x: np.log(x - lo)), (lo, hi)
    if np.isinf(lo) and np.isfinite(hi):
        return (lambda u: hi - np.exp(u)), (lambda u: np.exp(u)), (lambda x: np.log(hi - x)), (lo, hi)
    if np.isfinite(lo) and np.isfinite(hi):
        w = hi - lo

        def x_of(u):
            return lo + w / (1 + np.exp(-u))

        def dx(u):
            e = 1 / (1 + np.exp(-u))
            return w * e * (1 - e)

        return x_of, dx, (lambda x: np.log((x - lo) / (hi - x))), (lo, hi)
    return (lambda u: u), (lambda u: np.ones_like(u)), (lambda x: x), (lo, hi)


def _de_nodes(a: float, b: float, h: float):
    """Nodes and weights of the double-exponential (tanh-sinh / exp-sinh / sinh-sinh) trapezoid rule of
    step ``h`` on (a, b), either end possibly infinite. Near a finite end the node is written as
    end ∓ distance, the distance computed without cancellation; nodes closer than a few ulps to an end are
    dropped (their weight times an integrable end singularity is below the tolerances used here)."""
    fa, fb = np.isfinite(a), np.isfinite(b)
    tmax = 3.2 if (fa and fb) else 6.5  # exp(pi/2 sinh 6.5) ~ e^520: heavy algebraic tails are covered
    t = np.arange(-tmax, tmax + h / 2, h)
    y = (np.pi / 2) * np.sinh(t)
    dy = (np.pi / 2) * np.cosh(t)
    with np.errstate(all="ignore"):
        if fa and fb:
            r = (b - a) / 2
            d = 2 * r / (1 + np.exp(2 * np.abs(y)))          # distance to the nearer end
            x = np.where(y > 0, b - d, a + d)
            w = h * r * dy / np.cosh(y) ** 2
            keep = d > 4 * np.finfo(float).eps * max(abs(a), abs(b), r)
        elif fa:
            x, w = a + np.exp(y), h * np.exp(y) * dy
            keep = (x > a) & np.isfinite(x)
        elif fb:
            x, w = b - np.exp(y), h * np.exp(y) * dy
            keep = (x < b) & np.isfinite(x)
        else:
            x, w = np.sinh(y), h * np.cosh(y) * dy
            keep = np.isfinite(x) & np.isfinite(w)
    return x[keep], w[keep]


def _de_quad(f: Callable, a: float, b: float, epsrel: float, epsabs: float, max_level: int = 8):
    """∫_a^b f with the step of a double-exponential rule halved until two successive sums agree in every
    component (to epsrel relative or epsabs; the rule converges double-exponentially, so agreement means the
    finer sum is far inside the tolerance); ``f`` maps an array of nodes to an array (nodes, m).
    Returns None when it does not settle (the caller then uses adaptive quadrature)."""
    prev = None
    h = 0.5
    for level in range(max_level):
        x, w = _de_nodes(a, b, h)
        with np.errstate(all="ignore"):
            v = np.asarray(f(x), dtype=float)
        total = np.einsum("n,nm->m", w, v)
        if not np.all(np.isfinite(total)):
            return None
        # from the third level on: the two coarsest rules could agree by both missing a narrow peak
        if level >= 2 and np.all(np.abs(total - prev) <= np.maximum(epsabs, epsrel * np.abs(total))):
            return total
        prev, h = total, h / 2
    return None


def _de_sum(f: Callable, cuts, epsrel: float, epsabs: float):
    """The double-exponential sum over the pieces between ``cuts`` of ``f`` = [density, g·density], returned
    without the density column; None (use adaptive quadrature) if a piece does not settle or the density's
    mass is not 1 to 1e-8 — a peak narrower than every rule's nodes would give a mass near 0, and a density
    that does not normalize is left to the adaptive rule, whose number the normalization check reports."""
    pieces = [_de_quad(f, a, b, epsrel, epsabs) for a, b in zip(cuts[:-1], cuts[1:])]
    if any(p is None for p in pieces):
        return None
    total = np.sum(pieces, axis=0)
    return total[1:] if abs(total[0] - 1.0) <= 1e-8 else None
