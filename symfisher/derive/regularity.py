"""Regularity is checked, not assumed.

* the support must not depend on a parameter (Uniform(0, theta) is refused: its
  likelihood is not differentiable in theta at the data, differentiation and integration
  do not commute, and the "Fisher information" would be wrong);
* the density must be real and non-negative on the declared domain (proven by SymPy's
  assumptions, else evaluated at points over the whole domain and support, ends included);
* the density must normalize: proven in closed form when SymPy can; refused only on proof
  (a closed-form total proven not to be 1) or on quadrature whose error estimate excludes 1;
  otherwise a warning and the model goes on (a quadrature error is not evidence);
* the score has mean zero;
* a Cramér–Rao bound, natural gradient or Jeffreys prior needs a non-singular Fisher
  information (:func:`require_nonsingular`).
"""
from __future__ import annotations

import sympy as sp

from ..derivation import Derivation, Step
from ..domain_points import random_points
from ..expectation import ExpectationError, expectation, resolve_piecewise
from ..limits import StepFailed, StepTimeout, default_limit, time_limit
from ..model import Model, ModelError
from ..simplify import cancels, is_zero, numeric_value
from . import notation as N
from .probe import (_density_values, _log_density_function, _probe_values, _scalar_density_values,
                    _scalar_log_density, _support_probes)
from .signs import _declared_ends, _onto_domains, _positive_form, _positive_on, _real_by_terms, _real_on

__all__ = ["model_domains", "check_support", "check_normalization", "check_density_values", "expected_score",
           "require_nonsingular", "DomainMap"]


class DomainMap(dict):
    """``{symbol: Domain}`` with the model's joint ``constraints`` attached, and ``joint``
    samplers ``(symbols, rng -> values)`` for symbols drawn together (a covariance matrix)."""

    constraints: tuple = ()
    joint: tuple = ()


def model_domains(model: Model) -> DomainMap:
    m = DomainMap(model.domains)
    m.constraints = tuple(model.meta_value("constraints", ()))
    m.joint = tuple(model.meta_value("joint_samplers", ()))
    return m


def check_support(model: Model) -> None:
    """Refuse a support that depends on a parameter, with the reason."""
    for x, sup in zip(model.data, model.support):
        bad = sorted(sup.free_symbols & set(model.params), key=str)
        if bad:
            names = ", ".join(map(str, bad))
            raise ModelError(
                f"the support of {x}, {sup}, depends on the parameter {names}: the model is not regular "
                f"(the likelihood is not differentiable in {names} at the boundary, so differentiation and "
                f"integration do not commute and the Fisher information is not defined by the usual formulas)"
            )
    _check_moving_jumps(model)


_JUMPS = (sp.Heaviside, sp.sign, sp.floor, sp.ceiling, sp.frac)


def _jump_arguments(expr, x, params) -> list:
    """The arguments of the jump functions of ``expr`` (and the sides of its Piecewise conditions) that
    involve both the data ``x`` and a parameter: where the density may switch at a point that moves."""
    out = [n.args[0] for n in expr.atoms(*_JUMPS)]
    for pw in expr.atoms(sp.Piecewise):
        for _, cond in pw.args:
            if isinstance(cond, sp.Basic):
                out += [r.lhs - r.rhs for r in cond.atoms(sp.core.relational.Relational)]
    return [g for g in dict.fromkeys(out) if isinstance(g, sp.Expr) and g.has(x) and g.free_symbols & params]


def _check_moving_jumps(model: Model) -> None:
    """Refuse a density that jumps at a point moving with a parameter (``t exp(-t (x - t)) Heaviside(x - t)``
    declared on ``(0, oo)``): its support, or a piece of it, depends on the parameter as surely as a declared
    ``(t, oo)`` does, and differentiating under the integral would put a point mass ``DiracDelta(0)`` into the
    Fisher information. Decided at seeded parameter points: each switch point of a jump function (solved
    exactly for ``x``) inside the support where the density's two one-sided values differ. A kink (``Abs``,
    ``Max``, ``Min``: the density continuous) is no jump; a switch point SymPy cannot solve for is left alone."""
    if len(model.data) != 1 or type(model.support[0]).__name__ != "IntervalSupport":
        return
    x, sup, params = model.data[0], model.support[0], set(model.params)
    if not model.log_density.has(*_JUMPS, sp.Piecewise):  # no jump function, no condition: nothing switches
        return
    try:
        with time_limit(min(default_limit(), 2.0), "support: jumps that move with a parameter"):
            gs = _jump_arguments(model.log_density, x, params)
            if not gs:
                return
            f = sp.exp(model.log_density)  # (only for a density that may jump: building it costs 5-8 ms)
            syms = sorted((params | set(model.constants)) & model.log_density.free_symbols, key=str)
            for pt in random_points(syms, model_domains(model), 2):
                lo, hi = sup.lo.xreplace(pt), sup.hi.xreplace(pt)
                fp = f.xreplace(pt)
                for g in gs:
                    roots = sp.solveset(g.xreplace(pt), x, domain=sp.Interval.open(lo, hi))
                    if not isinstance(roots, sp.FiniteSet):
                        continue
                    for r in roots:
                        r = sp.N(r, 30)
                        eps = sp.Float(10, 30) ** -12 * max(1, abs(r))
                        a, b = (complex(sp.N(fp.xreplace({x: r + s * eps}), 20)) for s in (-1, 1))
                        if abs(a - b) > 1e-6 * max(abs(a), abs(b), 1e-300):
                            names = ", ".join(sorted(str(s) for s in g.free_symbols & params))
                            raise ModelError(
                                f"the density jumps at the point where {g} = 0 (x = {sp.N(r, 6)} at "
                                f"{', '.join(f'{k} = {sp.N(v, 6)}' for k, v in pt.items())}), which moves with the "
                                f"parameter {names}: the support, or a piece of it, depends on {names}, so the "
                                f"model is not regular and the Fisher information is not defined by the usual formulas")
    except ModelError:
        raise
    except (StepTimeout, StepFailed, ArithmeticError, ValueError, TypeError, NotImplementedError):
        return


# -- is it a density at all? -----------------------------------------------------------
# A declared domain must be one on which the density is a density: real, non-negative and
# of total one. Each is checked symbolically when SymPy can, otherwise numerically (values at
# points spread over the whole domain, ends included; quadrature with its error estimate).


def _probe_points(model, n_max: int = 48, seed: int = 7) -> list:
    """Parameter points ``{symbol: value}`` over the whole domain, ends included: every
    combination of :func:`~symfisher.derive.probe._probe_values` when there are few, else ``n_max`` seeded ones (with
    the all-middle point); joint constraints are kept."""
    import itertools
    import random

    doms = model_domains(model)
    syms = sorted(set(model.params) | set(model.constants), key=lambda s: s.name)
    values = [_probe_values(doms.get(s)) for s in syms]
    total = 1
    for v in values:
        total *= len(v)
    if total <= n_max:
        combos = list(itertools.product(*values))
    else:  # seeded choices of the values (Python's generator: the probe imports no NumPy)
        rng = random.Random(seed)
        combos = [tuple(v[len(v) // 2] for v in values)]
        combos += [tuple(v[rng.randrange(len(v))] for v in values) for _ in range(n_max - 1)]
    out = []
    for c in dict.fromkeys(combos):
        sub = dict(zip(syms, c))
        try:
            if all(bool(k.subs(sub)) for k in doms.constraints if k.free_symbols <= set(sub)):
                out.append(sub)
        except TypeError:  # a constraint the point does not decide
            continue
    return out


def _fmt(sub: dict) -> str:
    """The point, each value to 6 digits unless that rounds it onto something else (a probe just inside an open
    end, -2 + 4e-9, is not shown as the end -2, which is outside the domain)."""
    def short(v: float) -> str:
        text = f"{v:.6g}"
        return text if abs(float(text) - v) <= 1e-12 * max(1.0, abs(v)) else f"{v:.12g}"

    return ", ".join(f"{k} = {short(float(v))}" for k, v in sub.items())


def check_density_values(model, limit: float | None = None) -> Derivation:
    """Refuse (:class:`ModelError`, with the point and the value) a declared domain on which the
    density is negative or not real somewhere; proven non-negative when SymPy's assumptions
    say so (with the joint constraints' gaps as positive symbols, :func:`symfisher.joint.on_constraints`),
    else evaluated at points over the whole domain and support (the product of the supports for
    several data variables), ends included."""
    from ..joint import on_constraints, real_on_constraints

    d = Derivation("density_values", f"The {model.name} density is real and non-negative")
    if len(model.data) != 1 and model.meta_value("data_constraints", ()):
        # a simplex, not the product of the supports: its last coordinate c - sum x as a positive symbol
        from ..joint import on_simplex

        ell = on_simplex(model.log_density, model)
        if ell is not None and _real_on(ell, _declared_ends(model)):
            return d.add(Step("The density is non-negative: its log-density is real on the declared domain, the last "
                              "coordinate (the bound minus the sum of the data) being positive on the support.",
                              "SymPy's assumptions and interval bounds of the declared domains", None, ()))
        return d.note("several data variables on a constrained support: the sign is not probed")
    limit = min(10.0, default_limit()) if limit is None else limit
    try:
        with time_limit(min(limit, 2.0), "sign of the density"):
            if _real_on(model.log_density, _declared_ends(model)):
                return d.add(Step("The density is non-negative: its log-density is real on the declared domain "
                                  "(each logarithm's argument and each power's base is positive there).",
                                  "SymPy's assumptions and interval bounds of the declared domains", None, ()))
            if model.meta_value("constraints", ()) and real_on_constraints(model):
                return d.add(Step("The density is non-negative: its log-density is real on the declared domain "
                                  "once each joint constraint's gap (the larger side minus the smaller) is written "
                                  "as a positive symbol.", "SymPy's assumptions under the joint constraints", None, ()))
            by_terms = _real_by_terms(model)
            if by_terms == "form":
                return d.add(Step("The density is non-negative by its form.", "SymPy's assumptions", None, ()))
            if by_terms == "domain":
                return d.add(Step("The density is non-negative by its form, once each bounded parameter is written "
                                  "through a positive one (p = u/(1 + u) for p in (0, 1)).",
                                  "SymPy's assumptions after a change of variables onto the domain", None, ()))
            if model.density.is_nonnegative is True:
                return d.add(Step("The density is non-negative by its form.", "SymPy's assumptions", None, ()))
            if len(model.data) == 1 and _positive_form(model).is_nonnegative is True:
                return d.add(Step("The density is non-negative by its form, once each bounded parameter is written "
                                  "through a positive one (p = u/(1 + u) for p in (0, 1)).",
                                  "SymPy's assumptions after a change of variables onto the domain", None, ()))
            if model.meta_value("constraints", ()) and on_constraints(model.density, model).is_nonnegative is True:
                return d.add(Step("The density is non-negative by its form, once each joint constraint's gap "
                                  "(the larger side minus the smaller) is written as a positive symbol.",
                                  "SymPy's assumptions under the joint constraints", None, ()))
    except StepFailed:
        pass
    except Exception:  # noqa: BLE001 - an assumption query that breaks is no proof either way
        pass
    import cmath
    import itertools

    syms = sorted(set(model.params) | set(model.constants), key=lambda s: s.name)
    doms = model_domains(model)
    # one data variable: its few values per point in mpmath's arithmetic (no NumPy); a grid over several: NumPy
    scalar = _scalar_log_density(model, syms) if len(model.data) == 1 else None
    try:
        with time_limit(limit, "sign of the density (numeric)"):
            for sub in _probe_points(model):
                axes = [_support_probes(sup, sub) for sup in model.support]
                if not all(axes):
                    continue
                xs = axes[0] if len(axes) == 1 else list(itertools.product(*axes))
                if len(xs) > _JOINT_PROBES:  # a grid over several supports, thinned evenly
                    xs = xs[:: len(xs) // _JOINT_PROBES + 1]
                vals = None
                if scalar is not None:
                    try:
                        vals = _scalar_density_values(scalar, xs, [sub[s] for s in syms])
                    except (NameError, AttributeError, KeyError):  # a function mpmath lacks: NumPy/SciPy then
                        scalar = None
                if vals is not None and not any(cmath.isfinite(v) for v in vals):
                    vals = None  # no value at all in mpmath's arithmetic: NumPy's path decides (or says it cannot)
                if vals is None:
                    vals = [complex(v) for v in _density_values(model, syms, xs, sub)]
                ok = [cmath.isfinite(v) for v in vals]
                if not any(ok):
                    continue
                scale = max(1.0, max(abs(v) for v, good in zip(vals, ok) if good))
                bad = [good and (abs(v.imag) > 1e-9 * scale or v.real < -1e-9 * scale) for v, good in zip(vals, ok)]
                if not any(bad):
                    continue
                k = bad.index(True)  # the first point where the density is no density: named in the refusal
                v, pt = vals[k], (xs[k],) if len(axes) == 1 else xs[k]
                where = ", ".join(f"{x} = {float(xv):.6g}" for x, xv in zip(model.data, pt)) + \
                    (f" with {_fmt(sub)}" if sub else "")
                domains = "; ".join(f"{s} in {doms[s]}" for s in sub if s in doms)
                if abs(v.imag) > 1e-9 * scale:
                    raise ModelError(f"the density is not real at {where} (value {v:.4g}), inside the declared "
                                     f"domain ({domains}): it is not a density there")
                raise ModelError(f"the density is negative at {where} (value {v.real:.4g}), inside the "
                                 f"declared domain ({domains}): it is not a density there")
    except StepTimeout:
        _warn_once(f"the sign of the density of {model.name!r} could not be checked within {limit:g} s; going on")
        return d.note("the sign of the density could not be checked within the time limit")
    except ModelError:
        raise
    except (ArithmeticError, ValueError, TypeError, NameError, KeyError, AttributeError) as exc:
        # the density could not be evaluated numerically (a function NumPy/SciPy lack): no evidence
        _warn_once(f"the sign of the density of {model.name!r} could not be checked ({type(exc).__name__}); going on")
        return d.note("the sign of the density could not be checked numerically")
    return d.add(Step("The density is real and non-negative at points spread over the whole parameter domain "
                      "and support, ends included (numeric evidence).", "evaluation at probe points", None, ()))


_JOINT_PROBES = 240  # density values per parameter point at most (a grid over the product of several supports)


_WARNED: set = set()


def _warn_once(text: str) -> None:
    """One line on stderr, once per process: a check that could not decide does not stop the run."""
    import sys

    if text not in _WARNED:
        _WARNED.add(text)
        print(f"symfisher: warning: {text}", file=sys.stderr)


_SAFETY = 10.0  # quadrature error estimates are widened by this factor before they count as evidence


def _exp_of_logs_as_powers(f):
    """``exp(x*log(p) - log(x))`` -> ``p**x / x``: the form SymPy's summation recognizes."""
    def rewrite(arg):
        powers, rest = [], []
        for t in sp.Add.make_args(sp.expand(arg)):
            c, logs = t.as_independent(sp.log, as_Add=False)
            if isinstance(logs, sp.log):
                powers.append(sp.Pow(logs.args[0], c))
            else:
                rest.append(t)
        return sp.Mul(*powers) * sp.exp(sp.Add(*rest))

    return f.replace(lambda e: isinstance(e, sp.exp), lambda e: rewrite(e.args[0]))


_SYMBOLIC_TOTAL_LIMIT = 4.0  # seconds for the closed-form total before quadrature takes over


def _series_total(term, x, lo, hi, model):
    """``sum_{x = lo}^{hi} term`` by the power series a pmf is usually made of, or ``None``:
    ``sum r^x / x! = e^r`` (from 0), ``sum r^x = r^lo / (1 - r)`` and ``sum C(x + k - 1, x) r^x =
    (1 - r)^(-k)`` (from 0 to oo), the last two with their convergence condition ``0 < r < 1``
    proven by the assumptions of :func:`_onto_domains` (else ``None``: SymPy's summation decides),
    and the binomial theorem ``sum_{x=0}^{n} C(n, x) r^x = (1 + r)^n``."""
    r, rest, kind, k = sp.S.One, sp.S.One, None, None
    for f in sp.Mul.make_args(term):
        if not f.has(x):
            rest *= f
            continue
        b, e = f.as_base_exp()
        if kind is None and isinstance(b, sp.factorial) and b.args[0] == x and e == -1:
            kind = "exp"
            continue
        if kind is None and isinstance(b, sp.binomial) and e == 1 and b.args == (hi, x) and hi != sp.oo:
            kind = "binomial"
            continue
        if kind is None and isinstance(b, sp.binomial) and e == 1 and b.args[1] == x and not (b.args[0] - x).has(x):
            kind, k = "negbin", b.args[0] - x + 1
            continue
        if b.has(x) or not e.is_polynomial(x) or sp.degree(e, x) != 1:
            return None
        a, c = sp.Poly(e, x).all_coeffs()
        r, rest = r * b**a, rest * b**c
    if (kind is not None and lo != 0) or ((kind == "binomial") != (hi != sp.oo)):
        return None
    if kind == "exp":
        return rest * sp.exp(r)
    if kind == "binomial":
        return rest * (1 + r) ** hi
    ends, sub = _declared_ends(model), None
    for v in (r, 1 - r):
        if _positive_on(v, ends):
            continue
        sub = _onto_domains(model) if sub is None else sub
        if not sp.factor(sp.together(v.xreplace(sub))).is_positive:
            return None
    return rest * (r**lo / (1 - r) if kind is None else (1 - r) ** (-k))


def _symbolic_total(model, limit: float):
    """The total mass in closed form (``None`` if SymPy cannot find it within ``limit``)."""
    x, sup = model.data[0], model.support[0]
    f = model.density
    with time_limit(limit, "normalization"):
        if sup.is_finite():
            total = sp.Add(*[f.subs(x, v) for v in sup.points()])
        elif type(sup).__name__ == "IntegerSupport":
            g = _exp_of_logs_as_powers(sp.powsimp(f))
            coeff, term = g.as_independent(x, as_Add=False)
            series = _series_total(term, x, sup.lo, sup.hi, model)
            if series is not None:
                total = coeff * series
            else:
                total = coeff * sp.summation(term, (x, sup.lo, sup.hi))
                try:  # the branch for the declared domain (log-series: -log(1 - p) when p < 1)
                    total = resolve_piecewise(total, model, "normalization")
                except StepFailed:
                    pass
                if total.has(sp.Sum, sp.nan, sp.Piecewise):
                    total = sp.summation(sp.powsimp(f), (x, sup.lo, sup.hi))
        else:
            total = sp.integrate(sp.powsimp(f), (x, sup.lo, sup.hi))
        total = resolve_piecewise(total, model, "normalization")
        # a total that cancels to 1 needs no simplify (whose first call imports sympy.physics.units)
        total = sp.S.One if cancels(total - 1) else sp.simplify(total)
    if total.has(sp.Integral, sp.Sum, sp.nan, sp.zoo):
        return None
    return total


def _quad_mass(fx, lo: float, hi: float, breaks) -> tuple:
    """``(integral, error)`` of ``fx`` over (lo, hi) by adaptive quadrature, the half-lines split
    into decades (1, 10, 100, ... away from the last break) so a heavy tail is integrated
    piece by piece instead of through one change of variable."""
    import math
    import warnings

    from scipy.integrate import quad

    inner = sorted({b for b in breaks if lo < b < hi}) or ([0.0] if lo < 0.0 < hi else [])
    edges = [lo] + inner + [hi]
    if math.isinf(hi):
        c = inner[-1] if inner else lo
        edges[-1:] = [c + 10.0 ** k for k in range(16)] + [hi]
    if math.isinf(lo):
        c = inner[0] if inner else hi
        edges[:1] = [lo] + [c - 10.0 ** k for k in range(15, -1, -1)]
    edges = [e for i, e in enumerate(edges) if i == 0 or e > edges[i - 1]]
    total = err = 0.0
    masses = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a slowly converging piece shows in its error estimate
        for u, v in zip(edges[:-1], edges[1:]):
            val, e = quad(fx, u, v, limit=200, epsabs=1e-14, epsrel=1e-11)
            total += val
            err += e
            masses.append(abs(val))
    # quad's estimate on a half-line to infinity is not to be trusted for a heavy tail: bound
    # each outermost tail by the decay of the last decades' masses (geometric: a power law)
    for side in ([masses[-3:-1]] if math.isinf(hi) else []) + ([masses[2:0:-1]] if math.isinf(lo) else []):
        prev, last = side
        if last == 0.0:
            continue
        r = last / prev if prev > 0 else 1.0
        err += last * r / (1 - r) if r < 1 - 1e-3 else math.inf
    return total, err + 1e-14 * len(edges)


def _sum_mass(fk, lo: int, hi, max_terms: int = 1 << 21) -> tuple:
    """``(sum, error)`` of the terms ``fk(k)`` for k = lo..hi: exact partial sums, and for an
    infinite range a bound on the tail from the decay of the last terms (geometric ratio, or
    a power law ``k^-s`` with ``s > 1``); an infinite error when the decay does not show."""
    import math

    import numpy as np

    if hi != math.inf and hi - lo + 1 <= max_terms:
        ks = np.arange(lo, hi + 1, dtype=float)
        t = np.nan_to_num(fk(ks), nan=0.0)
        return float(np.sum(t)), 1e-15 * len(ks)
    total, start, n = 0.0, lo, 1024
    while True:
        ks = np.arange(start, start + n, dtype=float)
        t = np.nan_to_num(fk(ks), nan=0.0, posinf=np.inf)
        if not np.all(np.isfinite(t)):
            return math.nan, math.inf
        total += float(np.sum(t))
        start += n
        last, prev = float(t[-1]), float(t[-2])
        if last == 0.0 and prev == 0.0:
            return total, 1e-15 * start
        tail = math.inf
        if 0 < last < prev:
            r = last / prev
            half = float(np.nan_to_num(fk(np.array([float(start // 2)])), nan=0.0)[0])
            s = math.log(half / last) / math.log((start - 1) / (start // 2)) if half > last > 0 else 0.0
            if r < 1 - 1e-3:
                tail = last * r / (1 - r)
            if s > 1.05:
                tail = min(tail, last * (start - 1) / (s - 1))
        if tail < 1e-13 or start >= max_terms:
            return total, tail * _SAFETY
        n *= 2


def _numeric_mass(model, syms, sub, weight=None) -> tuple:
    """The total mass at the parameter point ``sub`` with an error estimate: ``(value, error)``;
    with ``weight`` (a vectorized function of the data values), ``E[weight(X)]`` instead."""
    import math

    import numpy as np

    sup = model.support[0]
    fn = _log_density_function(model, syms)
    args = [complex(sub[s]) for s in syms]

    def dens(x):
        with np.errstate(all="ignore"):
            try:
                v = np.exp(np.asarray(fn(np.asarray(x, dtype=complex), *args), dtype=complex))
            except (TypeError, ValueError, AttributeError):
                v = np.exp(np.asarray(fn(np.asarray(x, dtype=float), *[a.real for a in args]), dtype=complex))
        v = np.real(v) * np.ones(np.shape(x))
        if weight is not None:
            with np.errstate(all="ignore"):
                w = np.asarray(weight(np.asarray(x, dtype=float)), dtype=float)
            v = np.where(v > 0, v * w, 0.0)
        return v

    if sup.is_finite():
        pts = sup.subs(sub).points() if sup.free_symbols else sup.points()
        vals = dens(np.array([float(p) for p in pts]))
        return float(np.sum(vals)), 1e-15 * len(pts)
    lo, hi = sup.lo.subs(sub), sup.hi.subs(sub)
    flo = -math.inf if lo == -sp.oo else float(lo)
    fhi = math.inf if hi == sp.oo else float(hi)
    if type(sup).__name__ == "IntegerSupport":
        return _sum_mass(dens, int(flo), fhi)
    breaks = [float(v) for v in sub.values()] + [0.0, 1.0, -1.0]
    return _quad_mass(lambda t: float(dens(np.array([t]))[0]), flo, fhi, breaks)


def check_normalization(model: Model, limit: float | None = None) -> Derivation:
    """Show that the density integrates (or sums) to one; raise :class:`ModelError` if it does not.

    Refused only on proof (a closed-form total proven different from 1 that quadrature does not
    contradict) or on numeric evidence whose error estimate excludes 1; when neither decides,
    a warning on stderr and the model goes on. The density must also be real and non-negative
    on the declared domain (:func:`check_density_values`).
    """
    d = Derivation("normalization", f"The {model.name} density normalizes")
    limit = min(10.0, default_limit()) if limit is None else limit
    if len(model.data) != 1:
        return _joint_normalization(model, d, limit)
    d = d.extend(check_density_values(model, limit))
    x, sup = model.data[0], model.support[0]
    f = model.density
    try:
        # a closed-form total is a bonus: quadrature decides when SymPy is slow (exp(t cos x) hangs)
        total = _symbolic_total(model, min(limit, _SYMBOLIC_TOTAL_LIMIT))
    except StepFailed:
        total = None
    except Exception:  # noqa: BLE001 - SymPy's integrate/summation raise many kinds; quadrature decides then
        total = None
    doms = model_domains(model)
    closed_off = None  # a point where the closed-form total is proven not to be 1
    if total is not None:
        verdict = is_zero(total - 1, doms)
        if verdict is True:
            return d.add(Step("The density integrates to one over the support.",
                              "integrate over the support" if not sup.is_finite() else "sum over the support",
                              sp.Integral(f, (x, sup.lo, sup.hi)) if hasattr(sup, "lo") and not sup.is_finite() else None,
                              (sp.S.One,)))
        if verdict is False:
            closed_off = _closed_form_off(total, doms)
            if closed_off is not None and sup.is_finite():  # an exact finite sum: nothing to cross-check
                raise ModelError(f"the density does not normalize: its total over {sup} is {total}, not 1"
                                 + (f" (at {_fmt(closed_off[0])} it is {closed_off[1]})" if closed_off[0] else ""))
    # numeric evidence at seeded points (first where the closed form is off), under the time limit
    import math

    syms = sorted(set(model.params) | set(model.constants), key=lambda s: s.name)
    points = random_points(syms, doms, n=4, seed=11)
    if closed_off is not None and closed_off[0]:
        points = [closed_off[0]] + points
    undecided = []
    agrees = []  # the points where quadrature confirms 1
    try:
        with time_limit(limit, "normalization (numeric)"):
            for sub in points:
                try:
                    v, err = _numeric_mass(model, syms, sub)
                except (ArithmeticError, ValueError, TypeError, NameError, KeyError, AttributeError) as exc:
                    undecided.append(f"quadrature failed at {_fmt(sub)} ({type(exc).__name__})")
                    continue
                if not (math.isfinite(v) and math.isfinite(err)):
                    undecided.append(f"the total at {_fmt(sub)} could not be bounded")
                elif abs(v - 1) > _SAFETY * err + 1e-9 * max(1.0, abs(v)):
                    cf = f" (SymPy's closed form of the total is {total})" if total is not None else ""
                    raise ModelError(f"the density does not normalize: it integrates to {v:.10g} ± {err:.2g} "
                                     f"at {_fmt(sub)}, not 1{cf}")
                elif abs(v - 1) > 1e-6:
                    undecided.append(f"the total at {_fmt(sub)} is {v:.6g} ± {err:.2g}, which does not exclude 1")
                else:
                    agrees.append(sub)
    except StepTimeout:
        undecided.append(f"the numeric check ran past its limit of {limit:g} s")
    if closed_off is not None:
        where, value = closed_off
        if not (agrees and (not where or agrees[0] is points[0])):
            # proven by the closed form, and quadrature does not contradict it
            raise ModelError(f"the density does not normalize: its total over {sup} is {total}, not 1"
                             + (f" (at {_fmt(where)} it is {value})" if where else ""))
        # quadrature gives 1 with a tight error where SymPy's closed form says otherwise: the
        # closed form is wrong somewhere; the numbers win, and the user is told
        undecided.insert(0, f"SymPy's closed form of the total, {total}, is not 1, but quadrature gives 1")
    if undecided:
        _warn_once(f"could not confirm that the density of {model.name!r} normalizes ({undecided[0]}); going on")
        return d.note("normalization not confirmed: " + "; ".join(undecided))
    return d.add(Step("The density integrates to one (checked by numerical quadrature at seeded parameter "
                      "points; SymPy could not do the integral in closed form).", "numerical quadrature", None, ()))


# -- several data variables (multi): the normalization over the product of the supports ------------
def _joint_normalization(model, d: Derivation, limit: float | None) -> Derivation:
    """:func:`check_normalization` for several data variables: the total ``M(0)`` of the joint
    transform (Fubini, one variable at a time by Euler's integrals, :mod:`symfisher.joint`), proven
    1 or refused on proof; else numerical cubature at seeded points (two or three variables)."""
    import math

    from ..joint import MULTINOMIAL as _MULTINOMIAL
    from ..joint import joint_total_mass

    constrained = bool(model.meta_value("data_constraints", ()))  # a simplex: its own closed forms, no cubature
    limit = min(10.0, default_limit()) if limit is None else limit
    d = d.extend(check_density_values(model, limit))
    doms = model_domains(model)
    try:
        total, how = joint_total_mass(model, min(limit, _SYMBOLIC_TOTAL_LIMIT)) or (None, None)
    except Exception:  # noqa: BLE001 - no closed form: the numbers decide
        total = None
    integral = sp.Integral(model.density, *[(x, s.lo, s.hi) for x, s in zip(model.data, model.support)]) \
        if all(hasattr(s, "lo") for s in model.support) and not constrained else None
    where = ("over its support (" + ", ".join(map(str, model.meta_value("data_constraints", ()))) + ")" if constrained
             else "over the product of the supports")
    if total is not None:
        verdict = is_zero(total - 1, doms)
        if verdict is True:
            return d.add(Step(f"The density {'sums' if how == _MULTINOMIAL else 'integrates'} to one {where}.", how, integral,
                              (sp.S.One,)))
        if verdict is False:
            off = _closed_form_off(total, doms)
            if off is not None:
                raise ModelError(f"the density does not normalize: its total {where} is "
                                 f"{total}, not 1" + (f" (at {_fmt(off[0])} it is {off[1]})" if off[0] else ""))
    if constrained:
        _warn_once(f"could not confirm that the density of {model.name!r} normalizes on its constrained support; going on")
        return d.note("normalization not confirmed: no closed form of the total over the constrained support")
    if len(model.data) > 3 or not all(type(s).__name__ == "IntervalSupport" for s in model.support):
        _warn_once(f"could not confirm that the density of {model.name!r} normalizes (no closed form); going on")
        return d.note("normalization not confirmed: no closed form of the iterated integral")
    import numpy as np
    from scipy.integrate import nquad

    from ..numeric import lambdify_expr

    syms = sorted(set(model.params) | set(model.constants), key=lambda s: s.name)
    fn = lambdify_expr(model.log_density, (*model.data, *syms))
    undecided, agrees = [], 0
    try:
        with time_limit(limit, "normalization (numeric)"):
            for sub in random_points(syms, doms, n=2, seed=11):
                args = [float(sub[s]) for s in syms]
                ranges = [(float(s.lo.subs(sub)), float(s.hi.subs(sub))) for s in model.support]
                with np.errstate(all="ignore"):
                    v, err = nquad(lambda *xs: float(np.real(np.exp(fn(*xs, *args)))), ranges,
                                   opts={"epsabs": 1e-11, "epsrel": 1e-9, "limit": 100})
                if not (math.isfinite(v) and math.isfinite(err)):
                    undecided.append(f"the total at {_fmt(sub)} could not be bounded")
                elif abs(v - 1) > _SAFETY * err + 1e-7 * max(1.0, abs(v)):
                    raise ModelError(f"the density does not normalize: it integrates to {v:.10g} ± {err:.2g} "
                                     f"at {_fmt(sub)}, not 1")
                elif abs(v - 1) > 1e-6:
                    undecided.append(f"the total at {_fmt(sub)} is {v:.6g} ± {err:.2g}, which does not exclude 1")
                else:
                    agrees += 1
    except StepTimeout:
        undecided.append(f"the numeric check ran past its limit of {limit:g} s")
    except (ArithmeticError, ValueError, TypeError, NameError, KeyError, AttributeError) as exc:
        undecided.append(f"cubature failed ({type(exc).__name__})")
    if undecided or not agrees:
        _warn_once(f"could not confirm that the density of {model.name!r} normalizes "
                   f"({undecided[0] if undecided else 'no point'}); going on")
        return d.note("normalization not confirmed: " + "; ".join(undecided))
    return d.add(Step("The density integrates to one (checked by numerical cubature over the product of the supports "
                      "at seeded parameter points; SymPy could not do the iterated integral in closed form).",
                      "numerical cubature", None, ()))


def _closed_form_off(total, doms):
    """``(point, value)`` where the closed-form ``total`` is proven not to be 1 (exact rational
    parameter values), ``({}, total)`` for a constant total, or ``None``."""
    if not total.free_symbols:
        return ({}, total) if (sp.nsimplify(total) - 1).is_zero is False or sp.simplify(total - 1).is_zero is False \
            else None
    syms = sorted(total.free_symbols, key=lambda s: s.name)
    for sub in random_points(syms, doms, n=4, seed=3):
        exact = {s: (v if v.is_Integer else sp.Rational(str(round(float(v), 6)))) for s, v in sub.items()}
        try:
            with time_limit(2.0, "the total at a point"):
                val = sp.simplify(total.subs(exact))
                if val.is_number and (val - 1).is_zero is False and abs(complex(val) - 1) > 1e-9:
                    return exact, val
        except (StepTimeout, ArithmeticError, TypeError, ValueError):
            continue
    return None


def require_nonsingular(I, step: str, domains=None) -> None:
    """Raise :class:`StepFailed` of ``step`` unless the Fisher information ``I`` is non-singular on
    the domain: ``det I`` proven non-zero by SymPy, or (where it cannot decide) non-zero and finite
    at seeded points of the domain. Identically zero, or zero/undefined at a point of the domain,
    is a failure that says so (a Cramér–Rao bound, natural gradient or Jeffreys prior needs I^-1
    or det I > 0). Large matrices (more than 8 rows) are not expanded and pass."""
    import numpy as np

    I = sp.Matrix(I) if not isinstance(I, sp.MatrixBase) else I
    if I.rows != I.cols:
        raise StepFailed(step, f"the Fisher information is {I.rows} x {I.cols}, not square")
    if I.rows > 8:
        return
    from ..series import undefined  # an exact series' upper limit oo is no infinite entry

    if any(undefined(e) for e in I):
        raise StepFailed(step, "the Fisher information is undefined (it holds an infinite or undefined entry)")
    det = None
    try:
        with time_limit(2.0, "det I"):
            det = I[0, 0] if I.rows == 1 else sp.factor(I.det())
            if cancels(det):
                raise StepFailed(step, "the Fisher information is singular (det I = 0 for every parameter value): "
                                       "the parameters are not identifiable from one observation, so I has no inverse")
            if det.is_zero is False and det.is_finite:
                return
    except StepTimeout:
        det = None
    doms = domains if domains is not None else {}
    syms = sorted(set().union(*(e.free_symbols for e in I)), key=lambda s: s.name)
    try:
        points = random_points(syms, doms, n=4, seed=5)
    except ValueError:
        return
    for sub in points:
        try:
            M = np.array([[numeric_value(e, sub) for e in I.row(i)] for i in range(I.rows)], dtype=complex)
        except ValueError:
            continue
        if not np.all(np.isfinite(M)):
            continue
        s = np.linalg.svd(M, compute_uv=False)
        if s[0] == 0 or s[-1] <= 1e-12 * s[0]:
            raise StepFailed(step, f"the Fisher information is singular at {_fmt(sub)} (det I = 0 there): "
                                   "I has no inverse on the whole domain")


def _zero_form(v):
    """What a vanishing expectation is shown as: 0 when it cancels symbolically; otherwise
    (zero only at the numeric points) its simplified form, not a bare 0."""
    return sp.S.Zero if cancels(v) else sp.simplify(v)


def expected_score(model: Model, score_vector, limit: float | None = None) -> Derivation:
    """``E[s(theta)] = 0``: the first Bartlett identity, checked entry by entry."""
    d = Derivation("expected_score", "The score has mean zero")
    doms = model_domains(model)
    verdicts = []  # each entry's zero test, decided once
    for th, s in zip(model.params, score_vector):
        try:
            ex = expectation(s, model, limit=limit)
        except (ExpectationError, StepFailed) as exc:
            d = d.fail(f"E[score] for {th}", exc.reason)
            continue
        ok = is_zero(ex.value, doms)
        verdicts.append(ok)
        if ok is None:  # undecided (the zero test ran out of time): neither zero nor a non-regular model is claimed
            d = d.note(f"whether E[score] for {th} vanishes could not be decided within the zero test's time limit")
            continue
        d = d.add(Step(f"The expected score for {th} vanishes." if ok else f"The expected score for {th} is not zero.",
                       r"the support does not depend on the parameter, so $E[\partial \ell / \partial \theta] = "
                       r"\partial/\partial \theta \int f \, dx = \partial 1/\partial \theta = 0$",
                       N.E(s), (_zero_form(ex.value) if ok else ex.value,)))
        if not ok:
            d = d.fail(f"E[score] for {th}", f"E[score] = {ex.value}, not 0: the model is not regular")
    return d.with_result(all(verdicts) and not d.failures)
