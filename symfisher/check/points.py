"""Where an answer is compared: exact points spread over the *whole* domain, edges included.

A wrong answer that agrees with the right one in the middle of the domain (an extra term that is
tiny, or that switches on only near an end, or past a breakpoint) must still be caught, so the
points are, for every symbol that varies (parameters, known constants, data, deltas, gradients):

* a few "nice" interior values (``1/3``, ``3/2`` ...), which make readable counterexamples;
* each end of the domain approached closely (``1e-3``, ``1e-8``, ``1e-20`` from it), and large and
  small magnitudes on unbounded sides (``1e-20`` ... ``1e6``), one symbol at a time;
* seeded random rationals inside the domain;
* both sides of every breakpoint visible in either expression (the argument of ``Heaviside``,
  ``Abs``, ``sign``, ``floor``, ``Max``/``Min`` differences, ``Piecewise`` conditions) and the
  midpoints between a breakpoint and the ends.

Values are exact rationals, so a rational difference is decided exactly at a point and an
irrational one is evaluated to 50 digits (see :mod:`symfisher.check.compare`).

>>> import sympy as sp
>>> from symfisher.domains import Domain
>>> p = sp.Symbol("p", positive=True)
>>> vals = edge_values(Domain.interval(0, 1))
>>> min(vals) < sp.Rational(1, 10**19) and max(vals) > 1 - sp.Rational(1, 10**19)
True
>>> pts = spread_points([p], {p: Domain.interval(0, 1)}, (), [sp.Heaviside(p - sp.Rational(9, 10))])
>>> any(pt[p] > sp.Rational(9, 10) for pt in pts) and all(0 < pt[p] < 1 for pt in pts)
True
"""
from __future__ import annotations

import itertools

import sympy as sp
from sympy import Rational as R

from ..limits import StepFailed, StepTimeout, share, time_limit
from ..simplify import as_expr

__all__ = ["spread_points", "edge_values", "nice_values", "breakpoints", "breakpoint_points", "sides_of", "N_NICE"]

SEED = 20260611
N_NICE = 4  # nice exact points first (readable counterexamples)
N_RANDOM = 12  # seeded random interior points
N_MIXED = 6  # points with every symbol at an edge value at once
MAX_POINTS = 120
_NEAR = (R(1, 10**3), R(1, 10**8), R(1, 10**20))  # distances to a finite end
_SMALL = (R(1, 10**20), R(1, 10**8), R(1, 10**3), R(1, 10))  # offsets from a finite end of a half-line
_LARGE = (10 + R(1, 7), 1000 + R(1, 7), 10**6 + R(1, 7))  # far along a half-line (not integers: gamma(10**6) is exact)
_NICE = [R(1, 3), R(3, 2), sp.Integer(2), R(3, 4), sp.Integer(3), R(5, 2), R(-2, 3), sp.Integer(-1), R(1, 5),
         sp.Integer(4), R(-5, 2)]
_PIECEWISE = (sp.Heaviside, sp.Abs, sp.sign, sp.floor, sp.ceiling, sp.frac, sp.Max, sp.Min, sp.Piecewise)


def _domain_of(sym, domains):
    from ..domains import Domain

    d = domains.get(sym) if domains is not None else None
    if d is not None:
        return d
    if sym.is_integer:
        return Domain.integers(1 if sym.is_positive else 0)
    if sym.is_positive:
        return Domain.interval(0, sp.oo)
    if sym.is_negative:
        return Domain.interval(-sp.oo, 0)
    return Domain.interval(-sp.oo, sp.oo)


def _inside(dom, v) -> bool:
    """``v`` in ``dom`` (``Domain.contains`` builds a SymPy set each time: too slow for hundreds of values)."""
    v = v if isinstance(v, sp.Basic) else sp.Integer(v)
    if not (v.is_number and v.is_real) or (dom.integer and not v.is_integer):
        return False
    lo_ok = dom.lo == -sp.oo or (v > dom.lo if dom.left_open else v >= dom.lo)
    hi_ok = dom.hi == sp.oo or (v < dom.hi if dom.right_open else v <= dom.hi)
    return bool(lo_ok) and bool(hi_ok)


def nice_values(dom) -> list:
    """Readable exact values well inside ``dom``."""
    if dom.integer:
        lo = int(dom.lo) if dom.lo != -sp.oo else -3
        hi = int(dom.hi) if dom.hi != sp.oo else lo + 6
        return [sp.Integer(v) for v in range(lo + 1, hi + 1) if v != 0][:4] or [sp.Integer(lo)]
    out = [v for v in _NICE if _inside(dom, v) and v != dom.lo and v != dom.hi]
    if not out and dom.lo.is_finite and dom.hi.is_finite:
        out = [(2 * dom.lo + dom.hi) / 3, (dom.lo + 2 * dom.hi) / 3]
    elif not out:
        end = dom.lo if dom.lo.is_finite else dom.hi
        sign = 1 if dom.lo.is_finite else -1
        out = [end + sign * v for v in (R(1, 3), R(3, 2), sp.Integer(2), sp.Integer(3))]
    return out


def edge_values(dom) -> list:
    """Values near each end of ``dom`` (the ends themselves when closed) and at large and small magnitudes."""
    if dom.integer:
        lo = int(dom.lo) if dom.lo != -sp.oo else None
        hi = int(dom.hi) if dom.hi != sp.oo else None
        out = []
        if lo is not None:
            out += [lo + k for k in (0, 1, 2, 3, 7, 20, 50) if hi is None or lo + k <= hi]
        if hi is not None:
            out += [hi - k for k in (0, 1, 2) if lo is None or hi - k >= lo]
        if lo is None and hi is None:
            out = [0, 1, -1, 2, -2, 7, -7, 50, -50]
        return [sp.Integer(v) for v in dict.fromkeys(out)]
    lo, hi = dom.lo, dom.hi
    out = []
    if lo.is_finite and hi.is_finite:
        w = hi - lo
        out += [lo + w * d for d in _NEAR] + [hi - w * d for d in _NEAR]
        out += [lo + w * R(1, 2), lo + w * R(1, 7), lo + w * R(6, 7)]
    elif lo.is_finite:
        out += [lo + d for d in _SMALL] + [lo + 1, lo + R(3, 2)] + [lo + d for d in _LARGE]
    elif hi.is_finite:
        out += [hi - d for d in _SMALL] + [hi - 1, hi - R(3, 2)] + [hi - d for d in _LARGE]
    else:
        out += [sp.Integer(0), R(1, 10**8), -R(1, 10**8), sp.Integer(1), -sp.Integer(1)]
        out += [d for d in _LARGE] + [-d for d in _LARGE]
    if lo.is_finite and not dom.left_open:
        out.append(lo)
    if hi.is_finite and not dom.right_open:
        out.append(hi)
    return [v for v in dict.fromkeys(out) if _inside(dom, v)]


def _off_integer(v, dom):
    """A large integer value of a continuous symbol moved off the integers (``+ 1/7``): SymPy evaluates
    ``polygamma(1, 10**5)`` or ``gamma(10**5)`` exactly, as a sum or product of 10**5 terms."""
    if dom is None or dom.integer or not v.is_Integer or abs(v) <= 100:
        return v
    w = v + R(1, 7)
    return w if _inside(dom, w) else v - R(1, 7)


def _random_value(dom, rng):
    v = float(dom.sample(rng))
    if dom.integer:
        return sp.Integer(int(v))
    q = sp.Rational(int(round(v * 1000)), 1000)
    return q if _inside(dom, q) else sp.Rational(str(round(v, 12)))


def _support_domain(sup, pt):
    """The support of a data variable at ``pt`` (its ends may be known constants) as a Domain, or a list."""
    from ..domains import Domain, FiniteSupport, IntegerSupport

    if isinstance(sup, FiniteSupport):
        return list(sup.points()) if hasattr(sup, "points") else list(sup.values)
    lo, hi = sup.lo.xreplace(pt), sup.hi.xreplace(pt)
    if not (lo.is_number and hi.is_number):
        return None
    if isinstance(sup, IntegerSupport):
        return Domain.integers(lo, hi)
    return Domain.interval(lo, hi)


def _data_values(sup, pt) -> list:
    dom = _support_domain(sup, pt)
    if dom is None:
        return [sp.Integer(1)]
    if isinstance(dom, list):
        return dom
    vals = nice_values(dom) + edge_values(dom)
    return [v for v in dict.fromkeys(vals) if _inside(dom, v)] or [sp.Integer(1)]


def breakpoints(exprs, symbols) -> list:
    """The expressions whose sign switches a piece of ``exprs`` (arguments of Heaviside, Abs, ...)."""
    out = []
    syms = set(symbols)
    for e in exprs:
        if not isinstance(e, sp.Basic):
            continue
        for node in e.atoms(*_PIECEWISE):
            if isinstance(node, (sp.Max, sp.Min)):
                out += [a - b for a, b in itertools.combinations(node.args, 2)]
            elif isinstance(node, sp.Piecewise):
                for _, cond in node.args:
                    if isinstance(cond, sp.Basic):
                        out += [r.lhs - r.rhs for r in cond.atoms(sp.core.relational.Relational)]
            else:
                out.append(node.args[0])
    return [g for g in dict.fromkeys(out) if isinstance(g, sp.Expr) and g.free_symbols & syms]


_STEPS = (sp.floor, sp.ceiling, sp.frac)  # jump where their argument crosses a whole number
MAX_LEVELS = 8  # whole numbers tried near each end of a step function's range


def _levels(g, s, base, dom) -> list:
    """The whole numbers ``k`` that ``g`` (in ``s``, the others at ``base``) may cross on ``dom``: its range is
    estimated at the domain's edge and nice values, and the ``MAX_LEVELS`` whole numbers nearest each end of
    that range are kept (``floor(p + 10**-30)`` jumps at ``p = 1 - 10**-30``, next to the end)."""
    h = g.xreplace({k: v for k, v in base.items() if k != s})
    if h.free_symbols != {s}:
        return []
    vals = []
    for v in edge_values(dom) + nice_values(dom):
        try:
            w = sp.N(h.xreplace({s: v}), 30)
            if w.is_real and w.is_finite:
                vals.append(w)
        except (TypeError, ValueError, ArithmeticError):
            continue
    if not vals:
        return []
    lo, hi = int(sp.floor(min(vals))), int(sp.ceiling(max(vals)))
    ks = list(range(lo, min(hi, lo + MAX_LEVELS) + 1)) + list(range(max(lo, hi - MAX_LEVELS), hi + 1))
    return sorted(set(ks))


def _step_roots(g, s, base, dom) -> list:
    """Where the step function of argument ``g`` jumps in ``s``: the roots of ``g - k`` (:func:`_levels`)."""
    out = []
    for k in _levels(g, s, base, dom):
        out += _exact_roots(g - k, s, base, dom)
    return out


def _switches(exprs, syms, s, base, dom) -> list:
    """Every breakpoint of ``exprs`` in ``s`` inside ``dom`` as ``(rational, exact)``: the sign changes of
    :func:`breakpoints` and the jumps of floor, ceiling and frac."""
    out = []
    for g in breakpoints(exprs, syms):
        if s in g.free_symbols:
            out += _exact_roots(g, s, base, dom)
    for e in exprs:
        if isinstance(e, sp.Basic):
            for node in e.atoms(*_STEPS):
                if s in node.args[0].free_symbols:
                    out += _step_roots(node.args[0], s, base, dom)
    return list(dict.fromkeys(out))


def _roots(g, s, base) -> list:
    """Real roots of ``g`` in ``s`` with the other symbols at ``base``: exact (rational, or algebraic and
    then approximated by a rational to :data:`ROOT_DIGITS` digits), from ``roots`` for polynomials of
    degree <= 4 and ``solveset`` over the reals otherwise (under a short limit; none when it cannot say)."""
    return [q for q, _ in _exact_roots(g, s, base)]


ROOT_DIGITS = 40  # digits of a rational standing for an irrational breakpoint (more when it is near an end)


def _exact_roots(g, s, base, dom=None) -> list:
    """``[(rational, exact)]``: each real root of ``g`` in ``s`` (others at ``base``) inside ``dom``, as a
    rational (the root itself when rational) with the exact root (``sqrt(2)/2``)."""
    h = g.xreplace({k: v for k, v in base.items() if k != s})
    if h.free_symbols != {s}:
        return []
    try:
        with time_limit(share(0.05), "breakpoints"):
            if h.has(sp.floor, sp.ceiling, sp.frac):
                return []
            found = []
            try:
                poly = sp.Poly(h, s)
            except (sp.PolynomialError, sp.GeneratorsNeeded):
                poly = None
            if poly is not None and poly.is_univariate and all(c.is_Rational for c in poly.all_coeffs()):
                if not 1 <= poly.degree() <= 4:
                    return []
                found = sp.roots(poly, filter="R", multiple=True) or []
            else:
                sols = sp.solveset(h, s, domain=sp.S.Reals)
                if not isinstance(sols, sp.FiniteSet):
                    return []
                found = [c for c in sols if c.is_real]
            out = []
            for c in found:
                if dom is not None and not _inside(dom, c):
                    continue
                out.append((c if c.is_Rational else _rational_near(c, dom), c))
            return out
    except (StepTimeout, StepFailed, sp.PolynomialError, sp.GeneratorsNeeded, ValueError, TypeError,
            NotImplementedError, AttributeError, RecursionError):
        return []


def _rational_near(c, dom) -> sp.Rational:
    """A rational within ``10**-(ROOT_DIGITS + k)`` of the real number ``c``, ``k`` the digits of its distance
    to the nearest finite end of ``dom`` (so that the rational is on the right side of that end)."""
    digits = ROOT_DIGITS
    if dom is not None:
        for end in (dom.lo, dom.hi):
            if end.is_finite:
                gap = abs(sp.N(c - end, 20))
                if gap > 0:
                    digits += max(0, int(-sp.log(gap, 10).evalf(5)) + 1)
    return sp.Rational(str(sp.N(c, min(digits, 400))))


_SIDES = (R(1, 10**3), R(1, 10**12), R(1, 10**30))  # relative steps off a breakpoint, on each side


def sides_of(c, dom) -> list:
    """Exact values on both sides of the breakpoint ``c`` inside ``dom``: steps of :data:`_SIDES` (scaled by
    ``max(|c|, 1)``), and values squeezed between ``c`` and each finite end (half-way, and a thousandth and a
    10**-12-th of the way), however close to that end ``c`` is."""
    scale = max(abs(c), sp.Integer(1))
    cands = [c + scale * d for d in _SIDES] + [c - scale * d for d in _SIDES]
    for end, sign in ((dom.hi, 1), (dom.lo, -1)):
        if end.is_finite:
            gap = end - c
            if (gap > 0) == (sign > 0) and gap != 0:
                cands += [c + gap / 2, c + gap * R(1, 10**3), c + gap * R(1, 10**12), c + gap * (1 - R(1, 10**3))]
        else:
            cands += [c + sign, c + sign * 10 * scale]
    return [v for v in dict.fromkeys(cands) if _inside(dom, v)]


def breakpoint_points(expr, domains, base) -> list:
    """Exact points on both sides of every breakpoint of ``expr`` (Heaviside, Abs, sign, Max/Min, Piecewise
    conditions ...) in each symbol of ``domains``, the others at ``base`` (:func:`sides_of`: points squeezed
    between a breakpoint and an end of the domain included). For the difference of two answers, so that a
    term alive only past a breakpoint within 1e-26 of an end is still evaluated there."""
    out = []
    syms = [s for s in (domains or {}) if isinstance(s, sp.Symbol) and s in base]
    for s in sorted(set(syms) & as_expr(expr).free_symbols, key=lambda t: t.name):
        dom = _domain_of(s, domains)
        if dom.integer:
            continue
        for c, _ in _switches([expr], syms, s, base, dom):
            out += [{**base, s: v} for v in sides_of(c, dom)]
    return out


def spread_points(symbols, domains, data, exprs=(), seed: int = SEED) -> list:
    """Exact points ``{symbol: value}`` over the whole domain of ``symbols`` (data drawn over its support).

    ``symbols``: the varying symbols and known constants (not the data variables);
    ``domains``: ``{symbol: Domain}`` (with optional joint ``constraints``); ``data``: pairs
    ``(symbol, support)``; ``exprs``: the expressions compared (their breakpoints get points on both sides).
    Nice interior points come first.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    symbols = [s for s in symbols if s not in {x for x, _ in data}]
    doms = {s: _domain_of(s, domains) for s in symbols}
    constraints = tuple(getattr(domains, "constraints", ()))
    nice = {s: nice_values(doms[s]) for s in symbols}
    edges = {s: edge_values(doms[s]) for s in symbols}
    joint = [(syms, draw) for syms, draw in getattr(domains, "joint", ()) if set(syms) & set(symbols)]
    points: list = []

    def ok(pt) -> bool:
        for c in constraints:
            if c.free_symbols <= set(pt):
                try:
                    if not bool(c.xreplace(pt)):
                        return False
                except TypeError:
                    return False
        return True

    def add(pt):
        pt = {s: _off_integer(v, all_doms.get(s)) for s, v in pt.items()}
        if len(points) < MAX_POINTS and ok(pt) and pt not in points:
            points.append(pt)

    def with_joint(pt):
        for syms, draw in joint:
            for s, v in zip(syms, draw(rng)):
                pt[s] = sp.Rational(str(round(float(v), 6)))
        return pt

    all_doms = dict(doms)  # with the data's continuous supports, once a base point fixes their ends
    bases = []
    for k in range(max(N_NICE, 1) * 10):
        pt = with_joint({s: nice[s][(k + i) % len(nice[s])] for i, s in enumerate(symbols)})
        if ok(pt) and pt not in bases:
            bases.append(pt)
        if len(bases) >= N_NICE:
            break
    if not bases:
        bases = [with_joint({s: _random_value(doms[s], rng) for s in symbols}) for _ in range(50)]
        bases = [b for b in bases if ok(b)][:N_NICE]
    for b in bases:
        add(b)
    base = bases[0] if bases else {}
    # each symbol along its edges, the others at a base point
    for i, s in enumerate(symbols):
        for k, v in enumerate(edges[s]):
            b = bases[(i + k) % len(bases)] if bases else {}
            add({**b, s: v})
    for _ in range(N_RANDOM):
        add(with_joint({s: _random_value(doms[s], rng) for s in symbols}))
    for _ in range(N_MIXED):
        add(with_joint({s: edges[s][int(rng.integers(0, len(edges[s])))] if edges[s] else nice[s][0]
                        for s in symbols}))
    # both sides of each visible breakpoint (data variables included)
    for x, sup in data:
        d = _support_domain(sup, base)
        if d is not None and not isinstance(d, list) and not d.integer:
            all_doms[x] = d
    base_full = dict(base)
    for x, sup in data:
        if x in all_doms:
            base_full[x] = nice_values(all_doms[x])[0]
    extra = []
    free = set().union(*[e.free_symbols for e in exprs if isinstance(e, sp.Basic)]) if exprs else set()
    for s in sorted(free & set(all_doms), key=lambda t: t.name):
        dom = all_doms[s]
        if dom.integer:
            continue
        for c, _ in _switches(exprs, list(all_doms), s, base_full, dom):
            extra += [{**base_full, s: v} for v in sides_of(c, dom)]
    for pt in extra:
        add(pt)
    # data values over their support, cycling (a breakpoint point keeps its own)
    for k, pt in enumerate(points):
        for j, (x, sup) in enumerate(data):
            if x in pt:
                continue
            vals = _data_values(sup, pt)
            pt[x] = vals[(k + 3 * j) % len(vals)]
    return points
