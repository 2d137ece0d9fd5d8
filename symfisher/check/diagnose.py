"""What probably went wrong, and the point that shows it: a tutor's hints for a wrong answer.

Hints are tried in order: a known slip of the quantity (the target's ``mistakes``: observed instead
of expected information, swapped KL arguments, a missing Jacobian ...), a dependence on the data
the quantity does not have, a constant factor (named: ``2``, ``1/2``, a forgotten ``n``), another
entry of the matrix, the reciprocal/square/square root, a known slip times a constant, agreement on
part of the domain only (and where), and finally an additive term (``yours - correct`` when it is
short: a missing or an extra term, however small).

Hints are evidence read off the points (a relative tolerance of 1e-9), never the verdict: the
verdict is :mod:`symfisher.check.compare`'s.
"""
from __future__ import annotations

import itertools

import sympy as sp

from ..limits import StepFailed, StepTimeout, share, time_limit
from ..simplify import as_expr
from .compare import Comparison, evaluate, fine_roots, too_large

__all__ = ["diagnose_scalar", "diagnose_matrix", "counterexample", "coordinate_text", "factor_text", "constant_ratio", "matches",
           "fmt_number", "close"]

REL_TOL = 1e-9  # closeness of a hint (not of the verdict)
RATIO_SHARE = 0.075  # of the time limit, per ratio simplification (1.5 s at the default 20 s)
MAX_TERM = 60  # characters of a difference quoted as "an extra term"


def close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= REL_TOL * max(abs(a), abs(b)) + 1e-25


def fmt_number(v, digits: int = 6) -> str:
    if v is None:
        return "undefined"
    if abs(v.imag) > 1e-12 * max(1.0, abs(v.real)):
        return f"{v.real:.{digits}g}{v.imag:+.{digits}g}i"
    return f"{v.real:.{digits}g}"


def factor_text(c, hints: dict, label: str) -> str:
    c = sp.nsimplify(c) if c.is_Float else c
    for key, text in hints.items():
        if sp.simplify(c - key) == 0:
            return text
    if c == -1:
        return "sign error: your answer is the negative of the correct one"
    if c.is_number and c.is_negative:
        return f"sign error, and off by a factor {-c}: your answer is {c} times the correct one"
    words = {sp.Integer(2): "twice", sp.Rational(1, 2): "half", sp.Integer(3): "three times",
             sp.Rational(1, 3): "a third of", sp.Integer(4): "four times", sp.Rational(1, 4): "a quarter of"}
    if c in words:
        return f"off by a factor {c}: your answer is {words[c]} the correct one"
    if c.is_Rational and abs(c - 1) < sp.Rational(1, 1000):
        return f"off by the factor 1 + ({c - 1}): your answer is a tiny bit {'more' if c > 1 else 'less'} than the " \
               "correct one (relative difference " + f"{float(abs(c - 1)):.1e})"
    return f"off by a constant factor: your answer is {c} times the correct one"


def _symbolic_ratio(u, r, target, points):
    """``u / r`` in closed form when it is free of the varying symbols (checked at the points), else None.

    ``powsimp(force=True)`` may combine roots that are not combinable for negative bases; the numeric
    confirmation at the points inside the domain rules such a ratio out.
    """
    from .compare import domain_substitution

    if fine_roots(u) or fine_roots(r):
        return None  # SymPy's rewrites of a**(10000003/10000000) are slow and never a closed form worth quoting
    varying = set(target.varying)
    sub = domain_substitution(target.domains)
    forms = (lambda q: sp.simplify(sp.cancel(q)),
             lambda q: sp.simplify(sp.cancel(q.xreplace(sub))),
             lambda q: sp.simplify(sp.powsimp(sp.powdenest(sp.cancel(q), force=True), force=True)))
    uv = evaluate(u, points)
    for form in forms:
        try:
            with time_limit(share(RATIO_SHARE), "ratio"):
                q = form(u / r)
        except (StepTimeout, StepFailed, ArithmeticError, ValueError, TypeError, AttributeError, RecursionError,
                NotImplementedError, sp.PolynomialError):
            continue
        if q == 0 or q.free_symbols & varying or not q.free_symbols <= set(target.constants) or \
                q.has(sp.nan, sp.zoo):
            continue
        if all(a is None or b is None or close(a, b) for a, b in zip(uv, evaluate(q * r, points))):
            return q
    return None


def _ratio_may_be_constant(u, r, target, points) -> bool:
    """False when ``u / r`` visibly varies between points that share the known constants' values
    (cheap, at 15 digits: spares the symbolic ratio, which is slow)."""
    groups: dict = {}
    for pt, a, b in zip(points, evaluate(u, points), evaluate(r, points)):
        if a is not None and b is not None and abs(b) > 1e-30:
            groups.setdefault(tuple(pt.get(c) for c in target.constants), []).append(a / b)
    return not any(not close(q, qs[0]) for qs in groups.values() for q in qs)


def constant_ratio(u, r, target, points):
    """``c`` with ``u = c r`` and ``c`` free of the varying symbols, or ``None``."""
    if r == 0 or u == 0 or not _ratio_may_be_constant(u, r, target, points):
        return None
    q = _symbolic_ratio(u, r, target, points)
    if q is not None:
        return q
    if target.constants:
        return None
    qs = []
    for a, b in zip(evaluate(u, points), evaluate(r, points)):
        if a is not None and b is not None and abs(b) > 1e-30:
            qs.append(a / b)
    if len(qs) < 3 or any(not close(q0, qs[0]) for q0 in qs):
        return None
    v = qs[0]
    if abs(v.imag) > 1e-9 * abs(v) or abs(v.real - 1) < 1e-9:
        return None  # the same up to round-off: not a factor worth naming
    c = sp.nsimplify(sp.Float(v.real, 15), [sp.pi, sp.E], tolerance=1e-10, rational=False)
    if len(str(c)) > 24:
        c = sp.Float(v.real, 8)
    return c


def matches(u, cand, points) -> bool:
    cv = evaluate(cand, points)
    uv = evaluate(u, points)
    hits = [close(a, b) for a, b in zip(uv, cv) if b is not None]
    return len(hits) >= 3 and all(hits)


def _nice_threshold(a: float, b: float) -> str:
    if a < 0 <= b or a <= 0 < b:
        return "0"
    for q in (1, 2, 3, 4, 5, 10):
        for p in range(int(a * q) - 1, int(b * q) + 2):
            if a < p / q <= b or a <= p / q < b:
                return str(sp.Rational(p, q))
    return f"{(a + b) / 2:.3g}"


def _partial_region(c: Comparison) -> str | None:
    """Where the answer is right, when it is right at some points and wrong at others."""
    idx = [k for k in range(len(c.points)) if c.agree[k] is not None]
    good = [k for k in idx if c.agree[k]]
    bad = [k for k in idx if not c.agree[k]]
    if len(good) < 3 or len(bad) < 3:
        return None
    syms = sorted({s for pt in c.points for s in pt}, key=lambda s: s.name)
    feats = [(s.name, lambda pt, s=s: pt[s]) for s in syms]
    feats += [(f"{a.name} - {b.name}", lambda pt, a=a, b=b: pt[a] - pt[b])
              for a, b in itertools.permutations(syms, 2) if a.name < b.name]
    for name, f in feats:
        try:  # exact values: points 1e-30 either side of a breakpoint are the same float
            gv = [sp.Rational(f(c.points[k])) for k in good]
            bv = [sp.Rational(f(c.points[k])) for k in bad]
        except (TypeError, KeyError, ValueError):
            continue
        for lo_side, hi_side, rel in ((gv, bv, "<"), (bv, gv, ">")):
            if max(lo_side) < min(hi_side):
                thr = _nice_threshold(float(max(lo_side)), float(min(hi_side)))
                other = ">" if rel == "<" else "<"
                return f"equal only on part of the domain: your answer agrees where {name} {rel} {thr} and differs " \
                       f"where {name} {other} {thr} (at the sampled points)"
    return "equal only on part of the domain: your answer agrees at some points and differs at others"


def _additive_term(c: Comparison) -> str | None:
    """``yours - correct`` when it is a short expression: a missing or an extra term."""
    d = c.u - c.r
    if fine_roots(d):
        return None
    try:
        with time_limit(share(RATIO_SHARE), "the difference"):
            d = sp.cancel(sp.expand(d))
            if len(str(d)) > MAX_TERM:
                d = sp.simplify(d)
    except (StepTimeout, StepFailed, ArithmeticError, ValueError, TypeError, AttributeError, RecursionError,
            NotImplementedError, sp.PolynomialError):
        return None
    if d == 0 or len(str(d)) > MAX_TERM:
        return None
    terms = sp.Add.make_args(sp.expand(c.r))
    if -d in terms and len(terms) > 1:
        return f"a missing term: the correct answer has the term {-d}, yours does not"
    return f"an extra term: yours - correct = {d}"


def _near(c: Comparison) -> bool:
    """Whether yours is within a relative 1e-6 of the correct value at every point where both are defined."""
    pairs = [(a, b) for a, b in zip(c.uv, c.rv) if b is not None]
    return len(pairs) >= 3 and all(a is not None and abs(a - b) <= 1e-6 * max(abs(b), 1.0) for a, b in pairs)


def _undoes(cand, r, points) -> bool:
    """Whether a slip times a factor is the correct answer itself (the sign error times -1, the square of
    the square root): then the factor undoes the slip, and naming both would be a wrong diagnosis of an
    answer that differs from the correct one by something else (a term too small to move 15 digits)."""
    return matches(r, cand, points)


def diagnose_scalar(c: Comparison, target, mistakes: list) -> str | None:
    u, r = c.u, c.r
    mistakes = [(m, text) for m, text in mistakes if not matches(r, m, c.points)]  # a "slip" that is right here
    if _near(c):  # a near miss: no slip of the quantity fits, only a small factor or term
        f = _symbolic_ratio(u, r, target, c.points)
        if f is not None and f != 1:
            return factor_text(f, target.factor_hints, target.label)
        return _additive_term(c) or _partial_region(c) or \
            "your answer is very close to the correct one at every point, but not equal to it"
    data_syms = {x for x, _ in target.data}
    for cand, text in mistakes:
        if matches(u, cand, c.points):
            return text
    if u.free_symbols & data_syms and not r.free_symbols & data_syms:
        xs = ", ".join(sorted(s.name for s in u.free_symbols & data_syms))
        return f"your answer depends on the data ({xs}), but the {target.label} does not: it is an expectation " \
               f"over the data"
    f = constant_ratio(u, r, target, c.points)
    if f is not None and f != 1:
        return factor_text(f, target.factor_hints, target.label)
    for cand, text in target.late:
        if matches(u, cand, c.points):
            return text
    for p, text in ((-1, "reciprocal: your answer is 1 over the correct one"),
                    (2, "your answer is the square of the correct one"),
                    (sp.Rational(1, 2), "your answer is the square root of the correct one")):
        if matches(u, r**p, c.points):
            return text
        g = constant_ratio(u, r**p, target, c.points)
        if g is not None and g != 1 and not _undoes(g * r**p, r, c.points):
            return f"{text}, times the constant {g}"
    for cand, text in mistakes:
        g = constant_ratio(u, cand, target, c.points)
        if g is not None and g != 1 and not _undoes(g * cand, r, c.points):
            return f"{text}; and off by the factor {g}"
    return _partial_region(c) or _additive_term(c)


def diagnose_matrix(target, U, E, comps, mistakes, names, points) -> str | None:
    n_rows, n_cols = U.shape
    vector = n_cols == 1
    params = [p.name for p in (target.varying[:n_rows])]
    for perm in itertools.permutations(range(n_rows)):  # reordered parameters
        if list(perm) == list(range(n_rows)):
            continue
        P = sp.Matrix(n_rows, n_rows, lambda i, j: 1 if perm[i] == j else 0)
        cand = P * E if vector else P * E * P.T
        if cand != E and all(matches(U[k], cand[k], points) for k in range(len(U))):
            order = ", ".join(params[i] for i in perm)
            return f"your entries are in the parameter order ({order}); the order is ({', '.join(params)})"
    if not vector and n_rows == n_cols:  # transposed / asymmetric
        if E != E.T and all(matches(U[k], E.T[k], points) for k in range(len(U))):
            return "transposed: your matrix is the transpose of the correct one"
        if E == E.T:
            asym = [(i, j) for i in range(n_rows) for j in range(i + 1, n_cols)
                    if not matches(U[i, j], U[j, i], points)]
            if asym:
                i, j = asym[0]
                a, b = comps[i * n_cols + j].equal, comps[j * n_cols + i].equal
                which = f"[{i},{j}] is right and [{j},{i}] is not" if a and not b else (
                    f"[{j},{i}] is right and [{i},{j}] is not" if b and not a else "neither is right")
                text = (f"your matrix is not symmetric: entries [{i},{j}] and [{j},{i}] differ, but the "
                        f"{target.label} is symmetric ({which})")
                rest = _per_entry(target, U, comps, mistakes, names, skip={i * n_cols + j, j * n_cols + i})
                return text + ("; " + rest if rest else "")
    factors = []  # one factor for the whole matrix
    for k in range(len(U)):
        if E[k] == 0 and comps[k].equal:
            continue
        factors.append(constant_ratio(U[k], E[k], target, points) if E[k] != 0 else None)
    if factors and all(f is not None for f in factors) and all(sp.simplify(f - factors[0]) == 0 for f in factors) \
            and factors[0] != 1:
        return "the whole " + ("vector" if vector else "matrix") + " is " + \
            factor_text(factors[0], target.factor_hints, target.label)
    return _per_entry(target, U, comps, mistakes, names)


def _per_entry(target, U, comps, mistakes, names, skip=()) -> str | None:
    groups: dict = {}
    for k, c in enumerate(comps):
        if c.equal or k in skip:
            continue
        d = diagnose_scalar(c, target, [(m[k], text) for m, text in mistakes if m.shape == U.shape])
        groups.setdefault(d or "wrong (no simple relation to the correct entry found)", []).append(names[k])
    parts = [("entry " if len(ks) == 1 else "entries ") + ", ".join(ks) + f": {d}" for d, ks in groups.items()]
    right = [names[k].split(" ")[0] for k, c in enumerate(comps) if c.equal]
    if right and parts:
        parts.append("right: " + ", ".join(right))
    return "; ".join(parts) if parts else None


def _exact_text(expr, pt) -> str | None:
    if not all(v.is_Rational for v in pt.values()) or too_large(expr, pt):
        return None
    try:
        with time_limit(share(0.05), "exact value"):
            v = as_expr(expr).xreplace(pt)
            forms = [v]
            if len(str(v)) > 20:  # a short exact value is readable as it is
                try:
                    with time_limit(share(0.025), "simplify the exact value"):
                        forms.append(sp.simplify(v))
                except (StepTimeout, StepFailed):
                    pass
        hyperbolic = (sp.sinh, sp.cosh, sp.tanh)
        forms = [f for f in forms
                 if f.is_number and not f.has(sp.Float) and (v.has(*hyperbolic) or not f.has(*hyperbolic))]
        if forms:
            s = min((str(f) for f in forms), key=len)
            if len(s) <= 40:
                return s
    except (StepTimeout, StepFailed, ArithmeticError, ValueError, TypeError, AttributeError, RecursionError,
            NotImplementedError):
        return None
    return None


def _show_value(v) -> str:
    if v.is_Rational:
        s = str(v)
        return s if len(s) <= 40 else f"{float(v):.3e}"
    return str(sp.Float(v, 3)) if v.is_real else str(sp.N(v, 3))


def _fmt_point_value(v) -> str:
    if v is None:
        return "undefined"
    if v.is_Rational and len(str(v)) <= 24:
        return str(v)
    return str(sp.Float(v, 6)) if v.is_real else str(sp.N(v, 6))


def coordinate_text(v) -> str:
    """A point's coordinate for a message: exact when short, else 6 digits, and a value within 1e-6 of a
    whole number as that number and its offset (``1 - 1e-26``, never a bare ``1`` outside the domain).

    >>> coordinate_text(1 - sp.Rational(1, 10**26)), coordinate_text(sp.Rational(1, 3))
    ('1 - 1e-26', '1/3')
    """
    if v.is_Rational and len(str(v)) <= 30:
        return str(v)
    if v.is_real:
        n = sp.Integer(round(v))
        off = v - n
        if off != 0 and abs(off) < sp.Rational(1, 10**6):
            return f"{n} {'+' if off > 0 else '-'} {float(abs(off)):.6g}" if n != 0 else f"{float(v):.6g}"
    return f"{float(v):.6g}"


def counterexample(c: Comparison, entry: str | None, k: int | None = None) -> tuple:
    """(``{"point", "yours", "expected", "entry"}``, yours - correct as text or None) at the first point where
    ``c`` differs (``k``: at that point instead); ``(None, None)`` when it differs nowhere."""
    if k is None:
        k = c.first_difference()
    if k is None:
        return None, None
    pt = c.points[k]
    show = {}
    relevant = as_expr(c.u).free_symbols | as_expr(c.r).free_symbols
    for s, v in sorted(pt.items(), key=lambda kv: kv[0].name):
        if s in relevant:
            show[s.name] = coordinate_text(v)
    uv, rv, dv = c.uv[k], c.rv[k], c.diffs[k] if c.diffs else None
    digits = 6
    if dv is not None and uv is not None and rv is not None and abs(rv) > 0:
        rel = float(abs(sp.N(dv, 15))) / max(abs(rv), 1e-300)
        if 0 < rel < 1e-5:
            digits = min(17, int(-sp.log(rel, 10).evalf()) + 3)
    yours, expected = fmt_number(uv, digits), fmt_number(rv, digits)
    ey, ee = _exact_text(c.u, pt), _exact_text(c.r, pt)
    if ey is not None and ey != yours:
        yours = f"{ey} ≈ {yours}"
    if ee is not None and ee != expected:
        expected = f"{ee} ≈ {expected}"
    return {"point": show, "yours": yours, "expected": expected, "entry": entry}, \
        (_show_value(dv) if dv is not None else None)
