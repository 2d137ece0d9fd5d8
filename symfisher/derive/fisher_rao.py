"""The Fisher–Rao distance: the length of the shortest path in the metric ds^2 = dtheta^T I(theta) dtheta.

Two closed-form cases, recognised from the Fisher information (never from the model's name):

* **one parameter** — the only path is the interval, so ``d(a, b) = |∫_a^b sqrt(I(t)) dt|``: the
  integral of the Jeffreys kernel (taken by :mod:`.jeffreys`'s own integration, under its time
  limit), e.g. ``2 |asin sqrt(b) - asin sqrt(a)|`` for the Bernoulli law;
* **a half-plane metric** — two parameters ``(m, s)`` with ``s > 0`` and ``I = M/s^2`` for a
  constant positive definite M = [[A, C], [C, B]] (every location–scale family: normal, Laplace,
  Cauchy, logistic, Gumbel, ...). The shear ``v = m + (C/A) s`` makes the metric
  ``(A dv^2 + B' ds^2)/s^2`` with ``B' = B - C^2/A``, and ``u = v sqrt(A/B')`` a multiple ``B'`` of
  the Poincaré half-plane's, so
  ``d = sqrt(B') arccosh(1 + ((u_1 - u_2)^2 + (s_1 - s_2)^2)/(2 s_1 s_2))``; for the normal
  (A = 1, B = 2, C = 0) ``d = sqrt(2) arccosh(1 + ((mu_1 - mu_2)^2/2 + (sigma_1 - sigma_2)^2)/(2 sigma_1 sigma_2))``.

Elsewhere the distance fails clearly (a geodesic ODE has no closed form in general);
:func:`numeric_geodesic_length` is the independent witness: the length of a discretized path
between the two points, minimized by SciPy (an upper bound that converges to the distance).

Reference: Atkinson & Mitchell, *Sankhyā A* 43 (1981); Costa, Santos & Strapasson, *Discrete
Appl. Math.* 197 (2015), §3; Amari, *Information Geometry and Its Applications* (2016), §1.
"""
from __future__ import annotations

import sympy as sp

from ..derivation import Derivation, Step
from ..limits import StepFailed, StepTimeout
from ..model import Model
from ..simplify import as_expr

__all__ = ["fisher_rao_distance", "half_plane_form", "numeric_geodesic_length"]


def half_plane_form(I, params, domains):
    """``(scale parameter s, (A, B, C))`` when ``I = [[A, C], [C, B]]/s^2`` with A, B, C free of
    the parameters and s positive; else ``None``."""
    if I.shape != (2, 2):
        return None
    for k, s in enumerate(params):
        if not (s.is_positive and domains[s].contains(sp.S.Half)):
            continue
        M = (I * s**2).applyfunc(sp.simplify)
        if not any(e.has(*params) for e in M):
            A, C, B = (M[0, 0], M[0, 1], M[1, 1]) if k == 1 else (M[1, 1], M[0, 1], M[0, 0])
            return s, (A, B, C)
    return None


def fisher_rao_distance(model: Model, a: dict, b: dict, *, fisher=None, limit: float | None = None) -> Derivation:
    """The Fisher–Rao distance between the parameter points ``a`` and ``b`` (parameter -> value,
    numbers or symbols inside the domains). ``result`` is the closed form, or ``None`` with a failure."""
    from .fisher import fisher_information
    from .jeffreys import _integrate, _kernel
    from .regularity import model_domains

    params = tuple(model.params)
    d = Derivation("fisher_rao", f"Fisher–Rao distance in the {model.name} model")
    I = fisher if fisher is not None else fisher_information(model, limit=limit).result
    if I is None:
        return d.fail("fisher_rao", "the Fisher information is not available")
    pa = {th: as_expr(a[th] if th in a else a[th.name]) for th in params}  # numbers, never text
    pb = {th: as_expr(b[th] if th in b else b[th.name]) for th in params}
    lhs = sp.Function("d_FR")(*pa.values(), *pb.values())
    d = d.add(Step("The Fisher–Rao distance is the length of the shortest path in the metric of the Fisher information.",
                   "ds^2 = dtheta^T I(theta) dtheta", sp.Symbol("ds^2"),
                   (sp.Add(*[I[i, j] * sp.Symbol(f"d{params[i]}") * sp.Symbol(f"d{params[j]}")
                             for i in range(len(params)) for j in range(len(params))]),)))
    if len(params) == 1:
        th = params[0]
        kernel = _kernel(I[0, 0], params) * sp.sqrt(sp.Mul(*[f for f in sp.Mul.make_args(I[0, 0]) if not f.has(th)]))
        try:
            t = sp.Dummy(th.name, **th.assumptions0)
            F = _integrate(kernel.xreplace({th: t}), t, pa[th], pb[th], f"integral of sqrt(I) from {pa[th]} to {pb[th]}")
        except (StepTimeout, StepFailed) as exc:
            return d.fail("fisher_rao", f"the integral of sqrt(I) could not be taken: {exc.reason}")
        dist = sp.simplify(sp.Abs(F)) if not F.free_symbols else sp.Abs(sp.simplify(F))
        d = d.add(Step("With one parameter the only path is the interval: integrate the Jeffreys kernel sqrt(I).",
                       "d(a, b) = |∫_a^b sqrt(I(t)) dt|", lhs, (sp.Abs(sp.Integral(kernel, (th, pa[th], pb[th]))), dist)))
        d.extras.update(kind="one parameter", kernel=kernel)
        return d.with_result(dist)
    doms = model_domains(model)
    found = half_plane_form(I, params, doms)
    if found is None:
        return d.fail("fisher_rao", "no closed form: the metric is neither one-dimensional nor a constant matrix over "
                                    "the square of a scale parameter (the geodesic equations are not solved here)")
    s, (A, B, C) = found
    m = params[0] if params[1] == s else params[1]
    Bp = sp.simplify(B - C**2 / A)
    u = lambda p: (p[m] + C / A * p[s]) * sp.sqrt(A / Bp)  # noqa: E731
    arg = 1 + ((u(pa) - u(pb)) ** 2 + (pa[s] - pb[s]) ** 2) / (2 * pa[s] * pb[s])
    dist = sp.sqrt(Bp) * sp.acosh(sp.simplify(arg))
    d = d.add(Step(f"The metric is a constant matrix over {s}^2: I = [[A, C], [C, B]]/{s}^2 with "
                   f"A = {A}, B = {B}, C = {C}.", "a location–scale metric", sp.Symbol("M"), (sp.Matrix([[A, C], [C, B]]),)))
    d = d.add(Step(f"Shear and scale: u = ({m} + (C/A) {s}) sqrt(A/B'), B' = B - C^2/A = {Bp}, turn it into B' times "
                   "the Poincaré half-plane metric (du^2 + ds^2)/s^2, whose distance is arccosh(1 + |z_1 - z_2|^2/(2 s_1 s_2)).",
                   "hyperbolic geometry of the upper half-plane (Costa et al. 2015, §3)", lhs, (dist,)))
    d.extras.update(kind="half-plane", scale=s, constants=(A, B, C))
    return d.with_result(dist)


def numeric_geodesic_length(I, params, a: dict, b: dict, values: dict | None = None, nodes: int = 60,
                            optimize: bool = True) -> float:
    """Length of the shortest discretized path from ``a`` to ``b`` in the metric ``I`` (SciPy's
    minimizer over the interior nodes, starting from the straight line): an independent witness.
    ``optimize=False``: the straight line's length."""
    import numpy as np
    from scipy.optimize import minimize

    values = values or {}
    Iv = sp.Matrix(I).xreplace({kk: sp.Float(v) for kk, v in values.items()})
    k = len(params)
    entries = [[sp.lambdify(params, Iv[i, j], ["scipy", "numpy"]) for j in range(k)] for i in range(k)]
    pa = np.array([float(a[t] if t in a else a[t.name]) for t in params])
    pb = np.array([float(b[t] if t in b else b[t.name]) for t in params])

    def f(*p):
        n = np.shape(p[0])
        return np.array([[np.broadcast_to(np.asarray(e(*p), dtype=float), n) for e in row] for row in entries])

    def length(inner):
        pts = np.vstack([pa, inner.reshape(nodes - 1, k), pb])
        mid, dv = (pts[:-1] + pts[1:]) / 2, np.diff(pts, axis=0)
        M = f(*mid.T)  # k x k x segments
        q = np.einsum("si,ijs,sj->s", dv, M, dv)
        return float(np.sqrt(np.maximum(q, 0.0)).sum())

    if k == 1:
        from scipy.integrate import quad

        return abs(quad(lambda t: float(np.sqrt(f(t)[0, 0])), pa[0], pb[0])[0])
    line = np.linspace(0, 1, nodes + 1)[1:-1, None] * (pb - pa) + pa
    if not optimize:
        return length(line.ravel())
    res = minimize(length, line.ravel(), method="L-BFGS-B", options={"maxiter": 2000})
    return float(res.fun)
