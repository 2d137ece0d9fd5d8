"""Points inside a model's domains: seeded random ones (:func:`random_points`, what the numeric zero tests
evaluate at) and an exact one of the joint constraints (:func:`exact_point`, no number drawn).
"""
from __future__ import annotations

import sympy as sp


def random_points(symbols, domains, n: int = 8, seed: int = 20261125) -> list:
    """``n`` seeded random substitutions ``{symbol: value}`` inside the given domains.

    ``domains`` maps symbols to :class:`~symfisher.domains.Domain`; symbols without a
    domain are drawn in (0.5, 2) (positive) or (-2, 2). Joint constraints (a
    ``constraints`` attribute of ``domains``, e.g. ``p_1 + p_2 < 1``) are kept by rejection.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    constraints = getattr(domains, "constraints", ())
    joint = [(syms, draw) for syms, draw in getattr(domains, "joint", ()) if set(syms) & set(symbols)]
    pts = []
    tries = 0
    while len(pts) < n:
        tries += 1
        if tries > 200 * n:
            raise ValueError(f"cannot draw points satisfying {constraints}")
        sub = {}
        for syms, draw in joint:  # drawn together, e.g. the entries of a positive definite matrix
            sub.update({s: sp.Float(float(v), 30) for s, v in zip(syms, draw(rng))})
        for s in symbols:
            if s in sub:
                continue
            d = domains.get(s)
            if d is not None:
                v = d.sample(rng)
                sub[s] = sp.Integer(int(v)) if d.integer else sp.Float(float(v), 30)
            elif s.is_integer:
                sub[s] = sp.Integer(int(rng.integers(1, 8)))
            elif s.is_positive or s.is_nonnegative:
                sub[s] = sp.Float(float(rng.uniform(0.5, 2.0)), 30)
            else:
                sub[s] = sp.Float(float(rng.uniform(-2.0, 2.0)), 30)
        if constraints and not all(bool(c.subs(sub)) for c in constraints if c.free_symbols <= set(sub)):
            continue
        pts.append(sub)
    return pts


_FRACTIONS = tuple(sp.Rational(*f) for f in ((1, 2), (1, 4), (3, 4), (1, 10), (9, 10), (1, 3), (2, 3), (2, 5),
                                             (3, 5), (1, 5), (4, 5)))  # of the middle 80 % of a bounded interval
_OFFSETS = tuple(sp.Rational(*f) for f in ((1, 1), (1, 2), (2, 1), (1, 4), (4, 1), (1, 5), (5, 1)))  # from an end


def _exact_values(d) -> list:
    """Exact numbers in the region :meth:`Domain.sample <symfisher.domains.Domain.sample>` draws from (the middle
    80 % of a bounded interval, ``lo + (0.2, 5)`` on a half-line, ``(-3, 3)`` on the line, ``lo + 1 ..`` on the
    integers), the middle first."""
    lo, hi = d.lo, d.hi
    if d.integer:
        a = int(lo) + (0 if lo > 0 else 1)
        b = int(hi) if hi != sp.oo else a + 12
        return [sp.Integer(v) for v in range(a, max(a, b) + 1)]
    if lo != -sp.oo and hi != sp.oo:
        return [lo + (hi - lo) * (sp.Rational(1, 10) + sp.Rational(4, 5) * f) for f in _FRACTIONS]
    if lo != -sp.oo:
        return [lo + v for v in _OFFSETS]
    if hi != sp.oo:
        return [hi - v for v in _OFFSETS]
    return [sp.S.Zero] + [s * v for v in _OFFSETS[:5] for s in (1, -1)]


def exact_point(symbols, domains, max_tries: int = 400) -> dict | None:
    """A point ``{symbol: exact number}`` of the joint constraints of ``domains`` (its ``constraints``
    attribute) inside the region :func:`random_points` draws from, decided exactly, with no random number
    drawn (nor NumPy imported): only the symbols the constraints name get values (the others are free).
    ``{}`` when there is no constraint; ``None`` when none of the first ``max_tries`` candidates (the middle
    of each domain first) satisfies them all, or a constraint is not decided there (the caller draws then)."""
    import itertools

    constraints = tuple(getattr(domains, "constraints", ()))
    named = set().union(*(c.free_symbols for c in constraints)) if constraints else set()
    syms = [s for s in symbols if s in named]
    if not constraints:
        return {}
    if any(domains.get(s) is None for s in syms) or getattr(domains, "joint", ()):
        return None
    for combo in itertools.islice(itertools.product(*[_exact_values(domains.get(s)) for s in syms]), max_tries):
        sub = dict(zip(syms, combo))
        verdicts = [c.xreplace(sub) for c in constraints if c.free_symbols <= set(sub)]
        if all(v is sp.true for v in verdicts):
            return sub
    return None
