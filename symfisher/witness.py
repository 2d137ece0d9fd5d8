"""Independent numeric witnesses of every closed form (DESIGN principle 3).

:func:`verify` checks a model's derived results — or closed forms you pass in — against
numbers computed **without** the symbolic expectation route that produced them, at seeded
points drawn inside the parameter domains (away from the boundaries, joint constraints
such as ``p_1 + p_2 < 1`` respected):

========================  =====================================================================
witness                   how the number is obtained
========================  =====================================================================
normalization, E[s] = 0   quadrature / exact or truncated sums of the lambdified density and score
Fisher, outer product     E[s s^T] by the same rules (the score is ``sympy.diff`` of the log-density)
Fisher, curvature         -E[H] likewise (Dirac masses of the Hessian evaluated at their atom)
Fisher, Monte Carlo       mean of s s^T over seeded draws from the family's sampler, +- standard error
Fisher, KL curvature      symmetric second difference of the numerically integrated KL(theta || theta')
KL (if derived)           KL(theta, theta) = 0; closed form vs integrated KL; its second difference vs I
KL Taylor (if derived)    quadratic term vs 1/2 d^T I d; cubic term vs (KL - quadratic)/t^3 (Richardson)
Jeffreys (if derived)     prior / sqrt(det I) constant across points; propriety and normalizer by quadrature
========================  =====================================================================

The targets are the closed forms (lambdified); every witness can fail: pass a wrong
Fisher matrix and the quadrature, Monte Carlo and KL rows disagree with it.

>>> import sympy as sp
>>> from symfisher.families import get_model
>>> m = get_model("bernoulli"); p = m.params[0]
>>> checks = verify(m, fisher=sp.Matrix([[1/(p*(1-p))]]), mc_samples=20000)
>>> all(c.passed for c in checks)
True
>>> any(not c.passed for c in verify(m, fisher=sp.Matrix([[2/(p*(1-p))]]), mc_samples=20000))
True
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from .derivation import Check
from .simplify import as_expr
from .numeric import (NumericFunction, NumericUnavailable, expect_vec, kl_arguments, model_functions,
                      param_points, sample_data, taylor_part)

__all__ = ["verify", "run_witnesses", "Verification", "DEFAULT_SEED", "format_table", "log_scale_model"]

DEFAULT_SEED = 20261125


@dataclass
class Verification:
    """The checks, and the witnesses that could not run (with the reason)."""

    model: object
    checks: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (witness, reason)

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)


def _fmt_point(v: dict) -> str:
    return ", ".join(f"{k}={x:.4g}" if isinstance(x, float) else f"{k}={x}" for k, x in v.items())


def _check(name, value, target, rel, abs_=0.0, detail="", stderr=None) -> Check:
    """A Check that passes iff |value - target| <= rel*|target| + abs_ (Check scales tol by max(1, |target|))."""
    value, target = float(value), float(target)
    thr = rel * abs(target) + abs_
    return Check(name, value, target, thr / max(1.0, abs(target)) if math.isfinite(target) else thr, detail, stderr)


def _entries(k):
    return [(i, j) for i in range(k) for j in range(i, k)]


def _scale(W, i, j):
    return math.sqrt(abs(W[i, i] * W[j, j])) if W[i, i] * W[j, j] != 0 else max(1e-300, float(np.max(np.abs(W))))


def _steps(model, v, rel):
    return np.array([rel * max(abs(v[s.name]), 0.05) for s in model.params])


def run_witnesses(model, report=None, *, fisher=None, kl=None, kl_taylor=None, jeffreys=None,
                  n_points: int = 2, seed: int = DEFAULT_SEED, mc_samples: int = 100_000,
                  mc_sigmas: float = 6.0, quad_rel: float = 1e-6, fd_rel: float = 1e-4,
                  kl_fd_rel: float = 1e-3) -> Verification:
    """Run every applicable witness; see :func:`verify` for the arguments."""
    if report is None and fisher is None:
        from .derive.report import derive_all

        report = derive_all(model)
    get = (lambda name: report.get(name)) if report is not None else (lambda name: None)
    fisher = fisher if fisher is not None else get("fisher")
    kl = kl if kl is not None else get("kl")
    jeffreys = jeffreys if jeffreys is not None else get("jeffreys")
    taylor = None
    if kl_taylor is not None:
        taylor = kl_taylor
    elif report is not None and report.derivations.get("kl_taylor") is not None:
        d = report.derivations["kl_taylor"]
        if d.result is not None:
            taylor = {p: taylor_part(d, p) for p in ("quadratic", "cubic")}
    out = Verification(model)
    if fisher is None:
        out.skipped.append(("fisher", "no closed-form Fisher information (it could not be derived)"))
        return out
    fisher = sp.Matrix(fisher) if not isinstance(fisher, sp.MatrixBase) else fisher
    k = model.dim
    base_args = tuple(s.name for s in model.params + model.constants)
    F = NumericFunction.build(fisher, base_args)
    points = param_points(model, n_points, seed)
    model = _quadrature_model(model, points[0], quad_rel, out)
    mf = model_functions(model)
    rng = np.random.default_rng(seed)
    quad_fishers = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for pi, v in enumerate(points):
            at = f" @ {_fmt_point(v)}"
            theta = [v[n] for n in mf.score.args[len(model.data):]]
            T = F.at(v)

            def g(xs):
                s = mf.score(*xs, *theta)
                H = mf.hessian(*xs, *theta)
                n = s.shape[0]
                return np.concatenate([np.ones((n, 1)), s, (s[:, :, None] * s[:, None, :]).reshape(n, -1),
                                       -H.reshape(n, -1)], axis=1)

            try:
                r = expect_vec(model, v, g)
            except NumericUnavailable as exc:
                out.skipped.append(("quadrature", str(exc)))
                r = None
            if r is not None:
                mass, Es = r[0], r[1:1 + k]
                A = r[1 + k:1 + k + k * k].reshape(k, k)
                B = r[1 + k + k * k:].reshape(k, k).copy()
                for i, j, dm in mf.deltas:
                    B[i, j] -= float(dm.at(v))
                    if i != j:
                        B[j, i] -= float(dm.at(v))
                quad_fishers.append((v, A))
                out.checks.append(_check("density mass = 1 (quadrature)" + at, mass, 1.0, quad_rel))
                for i in range(k):
                    out.checks.append(_check(f"E[score_{model.params[i]}] = 0 (quadrature)" + at, Es[i], 0.0, 0.0,
                                             quad_rel * math.sqrt(max(A[i, i], 1e-300))))
                for i, j in _entries(k):
                    lab = f"fisher[{model.params[i]},{model.params[j]}]"
                    out.checks.append(_check(f"{lab}: E[s s^T] (quadrature)" + at, A[i, j], T[i, j], quad_rel,
                                             quad_rel * _scale(A, i, j)))
                    out.checks.append(_check(f"{lab}: -E[H] (quadrature)" + at, B[i, j], T[i, j], quad_rel,
                                             quad_rel * _scale(A, i, j)))
            if pi == 0:
                _monte_carlo(out, model, mf, v, T, rng, mc_samples, mc_sigmas, at)
                _integrated_kl_curvature(out, model, mf, v, T, kl_fd_rel, at, quad_fishers[0][1] if quad_fishers else None)
        if kl is not None:
            _kl_witnesses(out, model, mf, kl, F, points, fd_rel, quad_rel,
                          quad_fishers[0][1] if quad_fishers else None)
        else:
            out.skipped.append(("kl", "no closed-form KL in the report"))
        if taylor is not None and any(e is not None for e in taylor.values()):
            _taylor_witnesses(out, model, mf, taylor, F, points[0], seed)
        else:
            out.skipped.append(("kl_taylor", "no Taylor expansion of the KL in the report"))
        if jeffreys is not None:
            _jeffreys_witnesses(out, model, jeffreys, quad_fishers, report)
        else:
            out.skipped.append(("jeffreys", "no Jeffreys prior in the report"))
    return out


def log_scale_model(model):
    """The model of ``Y = log(X - lo)`` (``log(hi - X)``) for a density on ``(lo, oo)`` (``(-oo, hi)``), or None:
    ``log f_Y(y) = log f_X(lo + e^y) + y``. Scores, Hessians, the Fisher information and every KL are the
    same in ``y`` (the Jacobian term is free of the parameters), and a heavy tail in ``x`` that floating
    point cannot hold (the log-Cauchy's mass beyond ``x = 1e308``) is an ordinary algebraic tail in ``y``."""
    from .domains import IntervalSupport

    if len(model.data) != 1 or not isinstance(model.support[0], IntervalSupport):
        return None
    x, sup = model.data[0], model.support[0]
    y = sp.Dummy(f"log_{x.name}", real=True)
    if sup.hi == sp.oo and sup.lo != -sp.oo:
        end, sign = sup.lo, 1
    elif sup.lo == -sp.oo and sup.hi != sp.oo:
        end, sign = sup.hi, -1
    else:
        return None
    ell = model.log_density.subs(x, end + sign * sp.exp(y)) + y
    sampler = None
    if model.sampler is not None:
        def sampler(rng, v, n, _draw=model.sampler):
            e = float(end.subs({c: v[c.name] for c in end.free_symbols})) if end.free_symbols else float(end)
            return np.log(sign * (np.asarray(_draw(rng, v, n), dtype=float) - e))
    return model.with_(name=f"{model.name} in log({x.name} - {end})" if sign > 0 else f"{model.name} in log({end} - {x.name})",
                       data=(y,), log_density=ell, support=(IntervalSupport(-sp.oo, sp.oo),), sampler=sampler,
                       moments=None, power_moments=None, mgf=None, representation=None)


def _quadrature_model(model, v, tol, out):
    """``model``, or its :func:`log_scale_model` when the density's mass by quadrature in ``x`` misses 1 (a tail
    beyond the floating-point range) and in ``y = log(x - lo)`` does not: the witnesses then all run in ``y``."""
    ones = lambda xs: np.ones((np.shape(xs[0])[0], 1))  # noqa: E731
    try:
        mass = float(expect_vec(model, v, ones)[0])
    except NumericUnavailable:
        return model
    if abs(mass - 1.0) <= tol:
        return model
    alt = log_scale_model(model)
    if alt is None:
        return model
    try:
        alt_mass = float(expect_vec(alt, v, ones)[0])
    except NumericUnavailable:
        return model
    if abs(alt_mass - 1.0) <= tol:
        out.skipped.append(("quadrature in " + model.data[0].name,
                            f"its mass came out {mass:.10g}: a tail beyond the floating-point range; every "
                            f"witness integrates in {alt.data[0].name} instead (mass {alt_mass:.12g})"))
        return alt
    return model


def _monte_carlo(out, model, mf, v, T, rng, n, sigmas, at):
    k = model.dim
    try:
        xs = sample_data(model, v, n, rng)
    except NumericUnavailable as exc:
        out.skipped.append(("monte carlo", str(exc)))
        return
    theta = [v[nm] for nm in mf.score.args[len(model.data):]]
    s = mf.score(*xs, *theta)
    for i, j in _entries(k):
        prod = s[:, i] * s[:, j]
        mean, se = float(prod.mean()), float(prod.std(ddof=1) / math.sqrt(n))
        out.checks.append(_check(f"fisher[{model.params[i]},{model.params[j]}]: E[s s^T] (Monte Carlo, n={n})" + at,
                                 mean, T[i, j], 0.0, sigmas * se + 1e-12,
                                 detail=f"+- {se:.3g} (tolerance {sigmas:g} standard errors)", stderr=se))


def _directions(k):
    dirs = [tuple(1.0 if m == i else 0.0 for m in range(k)) for i in range(k)]
    dirs += [tuple(1.0 if m in (i, j) else 0.0 for m in range(k)) for i in range(k) for j in range(i + 1, k)]
    return [np.array(d) for d in dirs]


def _from_quadratic_forms(q, k):
    """I from q(v) = v^T I v on the directions of :func:`_directions`."""
    I = np.zeros((k, k))
    for i in range(k):
        I[i, i] = q[i]
    idx = k
    for i in range(k):
        for j in range(i + 1, k):
            I[i, j] = I[j, i] = (q[idx] - q[i] - q[j]) / 2
            idx += 1
    return I


def _shifted(model, v, delta):
    w = dict(v)
    for s, d in zip(model.params, delta):
        w[s.name] = v[s.name] + d
    return w


def integrated_kl(model, v1: dict, v2s: list) -> np.ndarray:
    """KL(P_v1 || P_v2) for each point of ``v2s``, by quadrature of f1 (log f1 - log f2)."""
    mf = model_functions(model)
    nd = len(model.data)
    names = mf.logpdf.args[nd:]
    th1 = [v1[n] for n in names]
    # every second point in one call: the parameters along a second axis, broadcast against the nodes
    th2 = [np.array([float(w[n]) for w in v2s])[None, :] for n in names]

    def g(xs):
        l1 = mf.logpdf(*xs, *th1)
        return l1[:, None] - mf.logpdf(*[x[:, None] for x in xs], *th2)

    breaks = [float(w[s.name]) for w in v2s for s in model.params if s.is_real and not s.is_integer]
    return expect_vec(model, v1, g, epsabs=1e-15, epsrel=1e-11, breaks=breaks)


def _natural_steps(model, v, rel, A=None):
    """Finite-difference steps: ``rel`` in the statistical scale 1/sqrt(I_ii) of each parameter
    (I from quadrature, never from the closed form under test), else relative to the value."""
    if A is not None and np.all(np.isfinite(np.diag(A))) and np.all(np.diag(A) > 0):
        h = rel / np.sqrt(np.diag(A))
        # stay well inside the domain
        for m, s in enumerate(model.params):
            dom = model.domain(s)
            room = min(abs(v[s.name] - float(dom.lo)) if dom.lo != -sp.oo else np.inf,
                       abs(float(dom.hi) - v[s.name]) if dom.hi != sp.oo else np.inf)
            h[m] = min(h[m], 0.05 * room)
        return h
    return _steps(model, v, rel)


def _second_difference(kl_at, model, v, h):
    """I from symmetric second differences of theta' -> KL(theta || theta'), Richardson-extrapolated
    over steps h and h/2 (which also removes an O(|h|) term where the KL is not C^3, e.g. Laplace)."""
    k = model.dim
    dirs = _directions(k)
    v2s = []
    for hh in (h, h / 2):
        for d in dirs:
            v2s += [_shifted(model, v, hh * d), _shifted(model, v, -hh * d)]
    K = kl_at(v2s)  # both step sizes in one call (one quadrature for the integrated KL)
    est = []
    for r, hh in enumerate((h, h / 2)):
        off = 2 * len(dirs) * r
        q = [(K[off + 2 * m] + K[off + 2 * m + 1]) for m in range(len(dirs))]
        est.append(_from_quadratic_forms(q, k) / np.outer(hh, hh))
    return 2 * est[1] - est[0]


def _integrated_kl_curvature(out, model, mf, v, T, rel, at, A=None):
    h = _natural_steps(model, v, 3e-3, A)
    try:
        I = _second_difference(lambda v2s: integrated_kl(model, v, v2s), model, v, h)
    except NumericUnavailable as exc:
        out.skipped.append(("integrated KL curvature", str(exc)))
        return
    for i, j in _entries(model.dim):
        out.checks.append(_check(f"fisher[{model.params[i]},{model.params[j]}]: 2nd difference of integrated KL" + at,
                                 I[i, j], T[i, j], rel, rel * _scale(I, i, j),
                                 detail=f"steps {np.array2string(h, precision=3)}, Richardson"))


def _kl_numeric(model, kl):
    try:
        return NumericFunction.build(kl, kl_arguments(model, kl))
    except ValueError:
        return None


def _kl_values(model, v1, v2):
    vals = {f"{s.name}_1": v1[s.name] for s in model.params}
    vals.update({f"{s.name}_2": v2[s.name] for s in model.params})
    vals.update({s.name: v1[s.name] for s in model.constants})
    return vals


def _kl_witnesses(out, model, mf, kl, F, points, fd_rel, quad_rel, quad_fisher=None):
    K = _kl_numeric(model, kl)
    if K is None:
        out.skipped.append(("kl", f"the KL's symbols {sorted(str(s) for s in as_expr(kl).free_symbols)} do not "
                                  f"match {kl_arguments(model)}"))
        return
    k = model.dim
    v = points[0]
    at = f" @ {_fmt_point(v)}"
    T = F.at(v)
    out.checks.append(_check("kl(theta, theta) = 0" + at, float(K.at(_kl_values(model, v, v))), 0.0, 0.0, 1e-12))
    # closed form vs integrated KL between two seeded points (constants of the first)
    pairs = []
    for w in points[1:] or [_shifted(model, v, _steps(model, v, 0.1))]:
        w2 = dict(v)
        w2.update({s.name: w[s.name] for s in model.params})
        pairs.append(w2)
    try:
        KN = integrated_kl(model, v, pairs)
        for w2, kn in zip(pairs, KN):
            kc = float(K.at(_kl_values(model, v, w2)))
            out.checks.append(_check("kl closed form vs quadrature" + at + " -> " +
                                     _fmt_point({s.name: w2[s.name] for s in model.params}), kn, kc, quad_rel, 1e-12))
    except NumericUnavailable as exc:
        out.skipped.append(("kl vs quadrature", str(exc)))
    A = quad_fisher if quad_fisher is not None else None
    h = _natural_steps(model, v, 1e-3, A)

    def kl_at(v2s):
        return np.array([float(K.at(_kl_values(model, v, w))) for w in v2s])

    I = _second_difference(kl_at, model, v, h)
    for i, j in _entries(k):
        out.checks.append(_check(f"fisher[{model.params[i]},{model.params[j]}]: 2nd difference of closed-form KL" + at,
                                 I[i, j], T[i, j], fd_rel, fd_rel * _scale(I, i, j)))


def _taylor_symbols(model, expr):
    """The displacement symbols of a Taylor term, in parameter order (matched by name)."""
    known = {s.name for s in model.params + model.constants}
    extra = sorted((s for s in expr.free_symbols if isinstance(s, sp.Symbol) and s.name not in known), key=lambda s: s.name)
    if not extra:  # a term free of the displacement (a zero cubic term) is still checked: any names serve
        return [sp.Symbol(f"delta_{p.name}", real=True) for p in model.params]
    if len(extra) != model.dim:
        return None
    by_param = []
    for p in model.params:
        hits = [s for s in extra if p.name in s.name]
        by_param.append(hits[0] if len(hits) == 1 else None)
    if all(b is not None for b in by_param) and len(set(by_param)) == model.dim:
        return by_param
    return extra  # same count: sorted order (delta_1, delta_2, ...) follows the parameters


def _taylor_witnesses(out, model, mf, taylor, F, v, seed):
    at = f" @ {_fmt_point(v)}"
    rng = np.random.default_rng(seed + 1)
    k = model.dim
    h = _steps(model, v, 1.0)
    direction = rng.uniform(0.5, 1.0, size=k) * rng.choice([-1, 1], size=k) * h
    quad = taylor.get("quadratic")
    cubic = taylor.get("cubic")
    I = None
    try:
        # the witness Fisher: integrated-KL curvature is already checked; use quadrature E[s s^T]
        theta = [v[n] for n in mf.score.args[len(model.data):]]
        r = expect_vec(model, v, lambda xs: (lambda s: (s[:, :, None] * s[:, None, :]).reshape(s.shape[0], -1))(
            mf.score(*xs, *theta)))
        I = r.reshape(k, k)
    except NumericUnavailable as exc:
        out.skipped.append(("kl_taylor", str(exc)))
        return
    for part, expr in (("quadratic", quad), ("cubic", cubic)):
        if expr is None:
            continue
        syms = _taylor_symbols(model, expr)
        if syms is None:
            out.skipped.append((f"kl_taylor {part}", f"cannot tell the displacement symbols of {expr}"))
            continue
        fn = NumericFunction.build(expr, tuple(s.name for s in model.params + model.constants) + tuple(s.name for s in syms))

        def ev(t):
            return float(fn.at({**v, **{s.name: t * d for s, d in zip(syms, direction)}}))

        if part == "quadratic":
            t = 0.01
            target = 0.5 * (t * direction) @ I @ (t * direction)
            out.checks.append(_check("kl_taylor quadratic = 1/2 d^T I d (I by quadrature)" + at, ev(t), target,
                                     1e-6, 1e-15))
        else:
            qfn = None
            if quad is not None and _taylor_symbols(model, quad) is not None:
                qs = _taylor_symbols(model, quad)
                qfn = NumericFunction.build(quad, tuple(s.name for s in model.params + model.constants) + tuple(s.name for s in qs))

            def qv(t):
                if qfn is not None:
                    return float(qfn.at({**v, **{s.name: t * d for s, d in zip(_taylor_symbols(model, quad), direction)}}))
                return 0.5 * (t * direction) @ I @ (t * direction)

            ts = [0.04, 0.02]
            try:
                KN = integrated_kl(model, v, [_shifted(model, v, t * direction) for t in ts])
            except NumericUnavailable as exc:
                out.skipped.append(("kl_taylor cubic", str(exc)))
                continue
            R = [(kn - qv(t)) / t**3 for kn, t in zip(KN, ts)]
            est = 2 * R[1] - R[0]  # Richardson: R(t) = C + D t + O(t^2)
            c1 = ev(1.0)
            out.checks.append(_check("kl_taylor cubic vs (KL - quadratic)/t^3, integrated KL, Richardson" + at,
                                     est, c1, 2e-2, 2e-2 * abs(0.5 * direction @ I @ direction)))


def _jeffreys_witnesses(out, model, prior, quad_fishers, report):
    J = NumericFunction.build(prior, tuple(s.name for s in model.params + model.constants))
    ratios = []
    for v, A in quad_fishers:
        ratios.append((v, float(J.at(v)) / math.sqrt(max(np.linalg.det(A), 1e-300))))
    # the prior is sqrt(det I) up to a factor that may depend on the known constants (n of the
    # binomial), so the ratio is compared between points that share the constants' values
    first = {}
    for v, r in ratios:
        key = tuple(float(v[c.name]) for c in model.constants if c.name in v)
        if key not in first:
            first[key] = r
            continue
        out.checks.append(_check("jeffreys / sqrt(det I_quadrature) is constant" + f" @ {_fmt_point(v)}",
                                 r / first[key], 1.0, 1e-5))
    if report is None:
        return
    if model.dim != 1:
        _jeffreys_slice_witness(out, model, J, report, quad_fishers)
        return
    d = report.derivations.get("jeffreys")
    proper = d.extras.get("proper") if d is not None else None
    normalizer = d.extras.get("normalizer") if d is not None else None
    v = quad_fishers[0][0] if quad_fishers else param_points(model, 1)[0]
    integrals = _truncated_integrals(model, J, v, prior=prior)
    if integrals is None:
        return
    if not all(math.isfinite(x) for x in integrals):
        out.skipped.append(("jeffreys propriety", "the prior's truncated integrals are not finite numbers"))
        return
    inc = [abs(b - a) for a, b in zip(integrals[:-1], integrals[1:])]
    converges = inc[-1] <= 1e-2 * abs(integrals[-1]) and inc[-1] <= 0.5 * inc[-2] + 1e-12
    if proper is not None:
        out.checks.append(Check("jeffreys propriety (truncated integrals " + ", ".join(f"{x:.4g}" for x in integrals) + ")",
                                float(converges), float(bool(proper)), 0.0))
    if normalizer is not None and converges:
        try:
            Z = float(NumericFunction.build(normalizer, tuple(s.name for s in model.constants)).at(v))
        except (ValueError, TypeError):
            return
        from scipy.integrate import quad

        dom = model.domain(model.params[0])
        lo = -np.inf if dom.lo == -sp.oo else float(dom.lo)
        hi = np.inf if dom.hi == sp.oo else float(dom.hi)
        total = quad(J.along(model.params[0].name, v), lo, hi, epsabs=1e-12, epsrel=1e-10, limit=400)[0]
        out.checks.append(_check("jeffreys normalizer (quadrature)", total, Z, 1e-6))


def _jeffreys_slice_witness(out, model, J, report, quad_fishers):
    """An improper prior of several parameters, decided by a divergent end of one coordinate: the
    one-dimensional integral along that coordinate, the others fixed at a seeded point, by truncated
    quadrature (the slice the order test looks at, integrated numerically instead of by limits)."""
    d = report.derivations.get("jeffreys")
    if d is None or d.extras.get("proper") is not False or not d.extras.get("divergent"):
        return
    s, end = d.extras["divergent"][0]
    v = quad_fishers[0][0] if quad_fishers else param_points(model, 1)[0]
    integrals = _truncated_integrals(model, J, v, s, prior=as_expr(report.get("jeffreys")), end=end)
    if integrals is None:
        return
    if not all(math.isfinite(x) for x in integrals):
        out.skipped.append(("jeffreys slice", "the prior's truncated integrals are not finite numbers"))
        return
    inc = [abs(b - a) for a, b in zip(integrals[:-1], integrals[1:])]
    converges = inc[-1] <= 1e-2 * abs(integrals[-1]) and inc[-1] <= 0.5 * inc[-2] + 1e-12
    out.checks.append(Check(f"jeffreys improper: the slice in {s} diverges @ {_fmt_point(v)} (truncated integrals "
                            + ", ".join(f"{x:.4g}" for x in integrals) + ")", float(converges), 0.0, 0.0))


def _robust_along(J, prior, name, v):
    """``t -> prior`` along ``name`` (the others at ``v``) in floating point, and where that is not a finite
    number (cancellation in ``e^t - 1 - t`` near 0, ``e^t`` overflowing far out) with mpmath at 30 digits."""
    f = J.along(name, v)
    if prior is None:
        return f
    import mpmath

    args = [sp.Symbol(n) for n in J.args]
    expr = as_expr(prior).xreplace({s: sp.Symbol(s.name) for s in as_expr(prior).free_symbols})
    g = sp.lambdify(args, expr, modules="mpmath")
    i = J.args.index(name)
    fixed = [mpmath.mpf(float(v[n])) if n != name else None for n in J.args]

    known = {}  # the panels share their ends

    def exact(t):
        if t in known:
            return known[t]
        known[t] = y = _exact(t)
        return y

    def _exact(t):
        with mpmath.workdps(30):
            vals = list(fixed)
            vals[i] = mpmath.mpf(t)
            try:
                y = complex(g(*vals))
            except (ZeroDivisionError, ValueError, TypeError, OverflowError):
                return float("nan")
        return y.real if abs(y.imag) <= 1e-12 * max(1.0, abs(y.real)) else float("nan")

    def robust(t):
        x = f(t)
        if math.isfinite(x):
            return x
        y = exact(t)
        return x if math.isnan(y) else y

    robust.exact = exact  # 30 digits everywhere: for a panel where floating point cancels (finite but wrong)
    robust.plain = f
    return robust


def _panel_function(f, p, q):
    """``f`` on the panel ``[p, q]``, or its 30-digit evaluation (``f.exact``) when floating point disagrees with
    it at the panel's ends or inside (``e^t - 1 - t`` near 0 comes out 0 or noise, finite but wrong, and
    adaptive quadrature then subdivides the noise to its limit)."""
    exact = getattr(f, "exact", None)
    if exact is None:
        return f
    for t in (p, q):  # the error of a cancellation grows towards the point where it cancels: an end
        a, b = f.plain(t), exact(t)
        if math.isfinite(b) and not (math.isfinite(a) and abs(a - b) <= 1e-6 * abs(b)):
            return exact
    return f


def _truncated_integrals(model, J, v, param=None, prior=None, end=None):
    """The prior's integral over the domain of ``param`` (the first parameter; the others fixed at ``v``) cut
    at distance eps from each finite end (and at 1/eps for an infinite one), eps = 1e-3, 1e-6, 1e-9, 1e-12:
    the cut domains are nested, so each integral is the previous one plus the two new shells (log-spaced
    panels, adaptive quadrature on each)."""
    from scipy.integrate import quad

    param = model.params[0] if param is None else param
    dom = model.domain(param)
    if dom.integer:
        return None
    f = _robust_along(J, prior, param.name, v)

    def cut(eps):
        # with ``end`` given, only that end moves (a slice's divergent end); the other stays at the first cut
        e_lo = eps if end is None or end == dom.lo else 1e-3
        e_hi = eps if end is None or end == dom.hi else 1e-3
        lo = -1 / e_lo if dom.lo == -sp.oo else float(dom.lo) + e_lo
        hi = 1 / e_hi if dom.hi == sp.oo else float(dom.hi) - e_hi
        return lo, hi

    def integral(a, b):
        mid = 0.5 * (a + b) if math.isfinite(a + b) else 0.0
        pts = sorted({a, b, mid} | {p for p in (1.0, -1.0, 0.0) if a < p < b})
        total = 0.0
        for c, e in zip(pts[:-1], pts[1:]):
            if e > c:
                # log-spaced panels: the integrand may vary over many decades near an end
                edges = _panels(c, e)
                # growth, not digits, decides propriety (the normalizer is checked by its own quadrature)
                total += sum(quad(_panel_function(f, p, q), p, q, epsabs=0, epsrel=1e-7, limit=200)[0]
                             for p, q in zip(edges[:-1], edges[1:]))
        return total

    lo, hi = cut(1e-3)
    vals = [integral(lo, hi)]
    for eps in (1e-6, 1e-9, 1e-12):
        lo2, hi2 = cut(eps)
        vals.append(vals[-1] + (integral(lo2, lo) if lo2 < lo else 0.0) + (integral(hi, hi2) if hi2 > hi else 0.0))
        lo, hi = lo2, hi2
    return vals


def _panels(a, b):
    if a > 0 and b / a > 100:
        return list(np.geomspace(a, b, int(np.log10(b / a)) + 2))
    if b < 0 and a / b > 100:
        return list(-np.geomspace(-a, -b, int(np.log10(a / b)) + 2))
    return [a, b]


def verify(model, report=None, *, fisher=None, kl=None, kl_taylor=None, jeffreys=None, **options) -> list:
    """The numeric witnesses of ``model``'s closed forms, as a list of :class:`Check` rows.

    ``report`` is a :func:`~symfisher.derive.report.derive_all` report (derived here if
    omitted and no closed form is given). ``fisher``, ``kl`` (in ``p_1``/``p_2`` symbols),
    ``kl_taylor`` (``{"quadratic": expr, "cubic": expr}``) and ``jeffreys`` override the
    report's results, so a hand-derived (or deliberately wrong) closed form is checked.
    Options: ``n_points`` (2), ``seed``, ``mc_samples`` (100000), ``mc_sigmas`` (6),
    ``quad_rel`` (1e-6), ``fd_rel`` (1e-4, closed-form KL), ``kl_fd_rel`` (1e-3, integrated KL).
    """
    return run_witnesses(model, report, fisher=fisher, kl=kl, kl_taylor=kl_taylor, jeffreys=jeffreys,
                         **options).checks


def format_table(checks, skipped=()) -> str:
    """A plain-text PASS/FAIL table: status, name, value, target, error."""
    rows = [("", "check", "value", "target", "error")]
    for c in checks:
        val = f"{c.value:.10g}" + (f" ± {c.stderr:.2g}" if c.stderr is not None else "")
        rows.append(("PASS" if c.passed else "FAIL", c.name, val, f"{c.target:.10g}", f"{c.error:.3g}"))
    w = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(r[i].ljust(w[i]) if i < 2 else r[i].rjust(w[i]) for i in range(5)).rstrip() for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    for what, why in skipped:
        lines.append(f"skipped  {what}: {why}")
    n_fail = sum(not c.passed for c in checks)
    lines.append(f"{len(checks) - n_fail} passed, {n_fail} failed")
    return "\n".join(lines)


# -- one value at one point: the witnesses a sheet's [[check]] names (symfisher.sheets) ------
# Each recomputes a quantity without the symbolic route: finite-difference scores, numeric
# expectations, simulated curvature, numeric integrals.

def fd_score(model, point: dict, h: float = 1e-5) -> list:
    """Central finite differences of the log-density in each parameter, as expressions in the data."""
    base = {s: sp.N(v, 30) for s, v in point.items()}
    out = []
    for th in model.params:
        up = model.log_density.subs({**base, th: base[th] + h})
        dn = model.log_density.subs({**base, th: base[th] - h})
        out.append((up - dn) / (2 * h))
    return out


def fisher_entry_by_fd_scores(model, point: dict, i: int, j: int) -> tuple:
    """``(E[s_i s_j], route)`` with finite-difference scores, by quadrature, exact or truncated
    sums or a Gauss–Hermite rule (``numeric.expect_vec``); ``point`` gives every parameter and constant."""
    from .numeric import lambdify_expr

    g = fd_score(model, point)
    fi = lambdify_expr(g[i] * g[j], model.data)
    values = {s.name: float(v) for s, v in point.items()}

    def integrand(xs):
        with np.errstate(all="ignore"):
            v = np.asarray(fi(*xs), dtype=float)
        return np.broadcast_to(v, np.shape(xs[0]))[:, None]

    val = float(expect_vec(model, values, integrand)[0])
    sup = model.support[0]
    route = ("Gauss–Hermite rule" if len(model.data) > 1 else
             "exact sum over the support" if sup.is_finite() else
             "truncated sum" if type(sup).__name__ == "IntegerSupport" else "quadrature")
    return val, route


def kl_by_expectation(model, base: dict, moved: dict) -> float:
    """KL(P_base ‖ P_moved) = E_base[ℓ(base) − ℓ(moved)], summed or integrated numerically."""
    from .numeric import expect_numeric

    g = model.log_density.subs({k: sp.N(v, 30) for k, v in base.items()}) - \
        model.log_density.subs({k: sp.N(v, 30) for k, v in moved.items()})
    return expect_numeric(model, g, {s.name: float(v) for s, v in base.items()})


def joint_observed_information(model, values: dict, n: int, reps: int, seed: int) -> tuple:
    """``(mean, standard error)`` over ``reps`` seeded replications of minus the second finite
    difference of the joint log-likelihood of ``n`` simulated draws (its expectation is I_n)."""
    from .numeric import lambdify_expr

    th, rest = model.params[0], model.constants
    f = lambdify_expr(model.log_density, model.data + (th,) + rest)
    rng = np.random.default_rng(seed)
    x = np.asarray(model.sampler(rng, values, n * reps), dtype=float).reshape(reps, n)
    t0, h = values[th.name], 1e-4
    cv = [values[c.name] for c in rest]

    def ell(t):
        return np.sum(f(x, t, *cv), axis=1)

    obs = -(ell(t0 + h) - 2 * ell(t0) + ell(t0 - h)) / h**2
    se = float(np.std(obs, ddof=1) / math.sqrt(reps)) if reps > 1 else None
    return float(np.mean(obs)), se


def integral_over_domain(expr, sym, domain) -> tuple:
    """``(value, estimated error)`` of ∫ expr d(sym) over ``domain`` (scipy.integrate.quad)."""
    from scipy import integrate

    from .numeric import lambdify_expr

    f = lambdify_expr(expr, (sym,))
    lo = float(domain.lo) if domain.lo.is_finite else -math.inf
    hi = float(domain.hi) if domain.hi.is_finite else math.inf
    return integrate.quad(lambda t: float(f(t)), lo, hi, limit=400, epsabs=1e-12, epsrel=1e-12)
