"""Finding a parameter-free representation of a user's model (DESIGN principle 2).

Catalog families declare their standardization; a density a user types gets one found:

* **location / scale** — a real parameter ``mu`` is a location if ``f(mu + z; mu)`` does not
  involve ``mu`` (on the whole line, or on a full period for a periodic density such as
  von Mises); a positive parameter ``s`` is a scale if ``s^a f(s^a z; s)`` does not involve
  ``s`` for ``a`` in (1, -1, 1/2, -1/2) (``a = -1``: a rate; ``a = 1/2``: a variance-type scale);
* **probability integral transform** — if the CDF ``F`` has a closed form that SymPy can
  invert, ``X = F^{-1}(U)`` with ``U ~ Uniform(0, 1)``, whose statistics
  ``U^a (1-U)^b log(U)^m log(1-U)^n`` all come from the Beta function.

Every candidate is confirmed symbolically (the parameter disappears); nothing is assumed.
"""
from __future__ import annotations

import sympy as sp

from .calculus import derivative
from .domains import IntervalSupport
from .limits import StepTimeout, time_limit
from .model import Model, PowerMoments, Representation
from .simplify import _flip_signs, cancels, split_logs

__all__ = ["standardize", "cdf_representation", "uniform_base", "through_log"]


def uniform_base() -> Model:
    """U ~ Uniform(0, 1): E[U^a (1-U)^b] = B(1 + a, 1 + b)."""
    from .domains import IntervalSupport

    u = sp.Symbol("u", positive=True)
    s, t = sp.Symbol("s_", real=True), sp.Symbol("t_", real=True)
    return Model("uniform(0,1)", (u,), (), sp.S.Zero, (IntervalSupport(0, 1),),
                 power_moments=PowerMoments((u, 1 - u), (s, t), sp.gamma(1 + s) * sp.gamma(1 + t) / sp.gamma(2 + s + t)))


def _cheap_form(expr):
    """``expr`` with its logs expanded and split by :func:`split_logs`: exact rewrites only."""
    e = sp.expand(sp.expand_log(expr, force=True))
    return split_logs(e) if e.has(sp.log) else e


def _free_of(expr, sym) -> bool:
    if sym not in expr.free_symbols:
        return True
    e = _cheap_form(expr)
    if sym not in e.free_symbols:
        return True
    if _varies(e, sym):  # a witness that sym is still there: no simplify needed to say no
        return False
    try:
        with time_limit(3.0, "standardize"):
            return sym not in sp.simplify(e).free_symbols
    except (StepTimeout, Exception):
        return False


def _points(syms, n: int = 3) -> list:
    """``n`` seeded exact points for ``syms``, chosen by their assumptions (integers 2..5, positive
    symbols in (0.3, 1.9), other real ones in (-1.9, 1.9))."""
    import random

    rng = random.Random(13)
    syms = sorted(syms, key=lambda s: s.name)
    out = []
    for _ in range(n):
        pt = {}
        for s in syms:
            if s.is_integer:
                pt[s] = sp.Integer(rng.randint(2, 5))
            elif s.is_positive or s.is_nonnegative:
                pt[s] = sp.Rational(rng.randint(30, 190), 100)
            else:
                pt[s] = sp.Rational(rng.randint(-190, 190), 100)
        out.append(pt)
    return out


def _values(exprs, n: int = 3):
    """The values of ``exprs`` at each of ``n`` seeded points in turn (exact rationals substituted, then
    one 20-digit evaluation each); points where one is not a finite number are left out."""
    syms = set().union(*(e.free_symbols for e in exprs))
    for pt in _points(syms, n):
        try:
            vals = tuple(complex(e.xreplace(pt).evalf(20)) for e in exprs)
        except (TypeError, ValueError):
            continue
        if all(v == v and abs(v) != float("inf") for v in vals):
            yield vals


def _varies(e, sym, n: int = 3) -> bool:
    """Whether ``e`` provably depends on ``sym``: its derivative is nonzero at one of ``n``
    seeded points chosen by the symbols' assumptions (a number, so a proof of dependence)."""
    from .calculus import derivative

    return any(abs(v) > 1e-8 for (v,) in _values([derivative(e, sym)], n))


def _excluded(rate, slope, candidates, enough: int = 0) -> set:
    """The candidates ``c`` for which ``rate + c * slope`` is provably not identically zero: it is
    nonzero at one of the seeded points (the witness :func:`_varies` would find, for all candidates
    at once from two evaluations). ``rate + c * slope`` is the derivative in the parameter of the
    candidate's log-density up to a nonzero factor, so an excluded candidate cannot be free of it.
    The points stop once at most ``enough`` candidates are left (each left one is then confirmed or
    refuted symbolically, by :func:`_free_of`)."""
    out = set()
    for r, q in _values([rate, slope]):
        for c in candidates:
            v = r + complex(c) * q
            if abs(v) > 1e-8 * max(1.0, abs(r), abs(complex(c) * q)):
                out.add(c)
        if len(candidates) - len(out) <= enough:  # no more points needed
            break
    return out


def _clean(expr, sym):
    e = sp.expand(sp.expand_log(expr, force=True))
    if sym in e.free_symbols:
        e = _cheap_form(e)
    if sym in e.free_symbols:
        e = sp.simplify(e)
    return e


def _periodic(model: Model) -> bool:
    """A support of length 2 pi on which the log-density is 2 pi-periodic in x."""
    x, sup = model.data[0], model.support[0]
    if not (sup.lo.is_finite and sup.hi.is_finite and sup.lo.is_number and sup.hi.is_number):
        return False
    if not cancels(sup.hi - sup.lo - 2 * sp.pi):
        return False
    try:
        with time_limit(3.0, "periodicity"):
            gap = model.log_density.subs(x, x + 2 * sp.pi) - model.log_density
            return cancels(gap) or sp.simplify(gap) == 0
    except (StepTimeout, Exception):
        return False


def through_log(model: Model) -> bool:
    """Whether a law on ``(0, oo)`` involves ``x`` only inside logarithms (``X = exp(Y)`` may then
    standardize it: :func:`_log_map`)."""
    x, sup = model.data[0], model.support[0]
    if not (getattr(sup, "lo", None) == 0 and getattr(sup, "hi", None) == sp.oo) or not model.log_density.has(sp.log(x)):
        return False
    # x outside every log stays outside them under the expansion (which rewrites logs only): no log map
    y = sp.Dummy("y", real=True)
    return not model.log_density.replace(lambda e: isinstance(e, sp.log) and e.has(x), lambda e: y).has(x)


def _log_map(model: Model) -> Model | None:
    """``X = exp(Y)`` when the log-density on ``(0, oo)`` involves ``x`` only through ``log x``
    (log-normal, log-Cauchy, log-Laplace ...) and ``Y``'s law standardizes: ``X = exp(T(Z))``."""
    if not through_log(model):
        return None
    x = model.data[0]
    y = sp.Symbol("y", real=True)
    ell_y = sp.expand_log(model.log_density, force=True).xreplace({sp.log(x): y})
    if ell_y.has(x) or not ell_y.has(y):
        return None
    line = IntervalSupport(-sp.oo, sp.oo)
    inner = standardize(model.with_(data=(y,), log_density=ell_y + y, support=(line,), representation=None))
    rep = inner.representation
    if rep is None:
        return None
    transform = sp.exp(rep.transform[0])
    expl = f"X = exp(Y) and {rep.explanation.replace('X =', 'Y =', 1)}"
    return model.with_(representation=Representation(rep.base, (transform,), expl))


def standardize(model: Model) -> Model:
    """The model with a :class:`Representation` ``X = mu + s^a Z`` (or ``X = exp(mu + s Z)``,
    ``X = s W^(1/k)``, ...) when one exists."""
    if model.representation is not None or len(model.data) != 1 or model.support[0].is_finite():
        return model
    if type(model.support[0]).__name__ != "IntervalSupport":
        return model
    logged = _log_map(model)
    if logged is not None:
        return logged
    x, sup = model.data[0], model.support[0]
    z = sp.Symbol("z", **{k: v for k, v in x.assumptions0.items() if k in ("real", "positive", "negative")})
    ell = model.log_density
    loc, scale, power = None, None, None
    whole_line = sup.lo == -sp.oo and sup.hi == sp.oo
    # a known constant can be the location or the scale too (the log-Cauchy with a known s): the
    # parameters are tried first, then the constants, so that the base law is free of both
    candidates = tuple(model.params) + tuple(model.constants)
    if whole_line or _periodic(model):
        dx = derivative(ell, x)
        for mu in candidates:
            if not mu.is_real or mu.is_positive:
                continue
            cand = ell.subs(x, mu + z)
            if mu not in cand.free_symbols:  # (x - mu)^2 is z^2 as it is built: no test needed
                loc, ell = mu, _clean(cand, mu)
                break
            # d/dmu ell(mu + z; mu) = (d_mu ell + d_x ell)(mu + z): nonzero at a point, mu is no location
            if _excluded(derivative(ell, mu) + dx, sp.S.Zero, (1,)):
                continue
            if _free_of(cand, mu):
                loc, ell = mu, _clean(cand, mu)
                break
    half_line = sup.lo == 0 and sup.hi == sp.oo
    if whole_line or half_line:
        var = z if loc is not None else x
        slope = var * derivative(ell, var) + 1
        for s in candidates:
            if not s.is_positive or s == loc:
                continue
            # s * d/ds [ell(s^a z; s) + a log s] = (s d_s ell + a (v d_v ell + 1)) at v = s^a z
            powers = (sp.S.One, -sp.S.One, sp.S.Half, -sp.S.Half)
            ruled_out = _excluded(s * derivative(ell, s), slope, powers, enough=1)
            for a in powers:
                if a in ruled_out:
                    continue
                cand = ell.subs(var, s**a * z) + a * sp.log(s)
                if _free_of(cand, s):
                    scale, power, ell = s, a, _clean(cand, s)
                    break
            if scale is not None:
                break
    # a shape parameter k that acts as a power: Z = W^(1/k) (Weibull, log-logistic, Burr ...)
    shape = None
    if half_line and (scale is not None or loc is None):
        var = z if scale is not None else x
        w = sp.Symbol("w", positive=True)
        slope = -sp.log(var) * (var * derivative(ell, var) + 1)
        for k in model.params:
            if not k.is_positive or k in (loc, scale):
                continue
            # k * d/dk [ell(w^(1/k)) + (1/k - 1) log w - log k] = k d_k ell - log v (v d_v ell + 1) - 1
            # at v = w^(1/k)
            if _excluded(k * derivative(ell, k) - 1, slope, (1,)):
                continue
            cand = ell.subs(var, w ** (1 / k)) + (1 / k - 1) * sp.log(w) - sp.log(k)
            if _free_of(cand, k):
                shape, ell = k, _clean(cand, k)
                break
    # on the whole line, exp(c z) in the density: W = exp(c Z) lives on (0, oo) (Gumbel, logistic)
    expo = None
    if whole_line and shape is None:
        var = z if (loc is not None or scale is not None) else x
        rates = {sp.expand(a.args[0]).as_coefficient(var) for a in ell.atoms(sp.exp) if a.args[0].has(var)}
        if len(rates) == 1 and None not in rates and next(iter(rates)).is_number:
            c = rates.pop()
            w = sp.Symbol("w", positive=True)
            cand = ell.subs(var, sp.log(w) / c) - sp.log(sp.Abs(c) * w)
            # w is the new variable, so it stays: only the exact rewrites of _clean, never simplify
            cand = _cheap_form(sp.powsimp(cand, force=True)) if not cand.has(var) else None
            if cand is not None and not cand.has(var):
                expo, ell = c, cand
    if loc is None and scale is None and shape is None and expo is None:
        return model
    if shape is not None:
        inner = w ** (1 / shape)
        z = w
    elif expo is not None:
        inner = sp.log(w) / expo
        z = w
    else:
        inner = z
    transform = (loc if loc is not None else 0) + (scale**power if scale is not None else 1) * inner
    if loc is not None and scale is None:
        ell = ell  # already in z
    rest = tuple(s for s in model.params + model.constants if s in ell.free_symbols)
    base_support = type(sup)(sup.lo, sup.hi) if not whole_line else sup
    base_support = IntervalSupport(0, sp.oo) if (shape is not None or expo is not None) else base_support
    base = Model(f"standardized {model.name}", (z,), (), ell, (base_support,),
                 domains=tuple((s, d) for s, d in model.domains if s in rest), constants=rest)
    parts = []
    if loc is not None:
        parts.append(f"{loc} is a location parameter")
    if scale is not None:
        parts.append(f"{scale}{'' if power == 1 else '^(' + str(power) + ')'} is a scale")
    if shape is not None:
        parts.append(f"{shape} acts as a power")
    if expo is not None:
        parts.append(f"W = exp({expo} Z) lives on (0, oo)")
    free = ", ".join(str(p) for p in (loc, scale, shape) if p is not None) or "the location and scale"
    expl = f"X = {transform} with {z} free of {free} ({'; '.join(parts)})"
    return model.with_(representation=Representation(base, (transform,), expl))


def _normalize_signs(e):
    """-(a u)/(u - 1) -> a u/(1 - u) inside powers and logarithms (u in (0, 1))."""
    e = e.replace(lambda q: isinstance(q, sp.Pow) and not q.base.is_Atom,
                  lambda q: sp.Pow(_flip_signs(sp.factor(q.base)), q.exp))
    return _flip_signs(sp.factor(e)) if isinstance(e, sp.Mul) else e


def cdf_representation(model: Model, limit: float | None = None) -> Representation | None:
    """``X = F^{-1}(U)`` when the CDF and its inverse have closed forms (else ``None``)."""
    from .expectation import clean_density

    if len(model.data) != 1 or type(model.support[0]).__name__ != "IntervalSupport":
        return None
    x, sup = model.data[0], model.support[0]
    y = sp.Dummy("y", **{k: v for k, v in x.assumptions0.items() if k in ("real", "positive")})
    u = uniform_base().data[0]
    try:
        with time_limit(limit, "closed-form CDF"):
            f = clean_density(model.log_density)
            F = sp.integrate(f.subs(x, y), (y, sup.lo, x))
            if F.has(sp.Integral, sp.Piecewise, sp.oo, -sp.oo, sp.zoo, sp.nan):
                return None  # no closed form, or not a CDF (an improper integral SymPy could not bound)
            F = sp.simplify(F)
            sols = sp.solve(sp.Eq(F, u), x)
    except (StepTimeout, Exception):
        return None
    from .domain_points import random_points

    for sol in sols:
        sol = _normalize_signs(sol)
        pts = random_points(sorted(sol.free_symbols | F.free_symbols - {x}, key=str), dict(model.domains), n=3, seed=5)
        ok = True
        # F(x) = u can have roots outside the support (a quadratic CDF has two): the inverse is
        # the root that maps (0, 1) into the support
        for pt, uv in ((dict(p), v) for p in pts for v in (0.1, 0.3, 0.7, 0.9)):
            pt[u] = sp.Float(uv)
            try:
                xv = complex(sol.evalf(30, subs=pt))
                if abs(xv.imag) > 1e-12:
                    ok = False
                    break
                back = complex(F.evalf(30, subs={**pt, x: xv.real}))
                lo, hi = (float(e.evalf(30, subs=pt)) if isinstance(e, sp.Basic) else float(e) for e in (sup.lo, sup.hi))
                if abs(back - uv) > 1e-9 or not lo < xv.real < hi:
                    ok = False
                    break
            except (TypeError, ValueError):
                ok = False
                break
        if ok:
            return Representation(uniform_base(), (sol,),
                                  f"X = F^(-1)(U) = {sol} with U ~ Uniform(0, 1) (probability integral transform)")
    return None
