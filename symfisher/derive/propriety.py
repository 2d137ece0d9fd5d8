"""Whether a prior kernel integrates to a finite value, decided by its order at each end of the domain.

A prior ``pi(theta) >= 0`` continuous inside its domain is integrable near an end ``e`` exactly when it
is, by comparison with a power (and a power of a logarithm) of the distance to ``e``. With ``t -> 0+``
the distance to a finite end (``theta = e + t`` or ``e - t``) or the reciprocal of an infinite one
(``theta = 1/t``, the integrand ``pi(1/t)/t^2``), the integrand ``h(t)`` near ``t = 0`` is tested by
SymPy limits, each a proof:

* ``lim h`` finite: ``h`` is bounded near 0, so integrable there;
* ``lim t h`` positive or infinite: ``h >= c/t`` near 0, so the integral diverges;
* otherwise the order ``p = lim log h / log(1/t)`` (found as a rational guessed from two values of ``h`` in
  mpmath and proven by ``lim t^p h`` finite and positive, else by that limit itself): ``p < 1`` gives ``t^r h -> 0`` for ``r = (1 + p)/2``,
  integrable; ``p = 1`` looks at the logarithm, ``q = lim log(t h) / log(log(1/t))`` (guessed and proven by
  ``lim t h log(1/t)^(-q)`` likewise, which also proves ``p = 1``): ``q < -1`` is
  integrable (``h <= 1/(t log(1/t)^m)``, ``1 < m < -q``), ``q >= -1`` diverges when ``t log(1/t) h`` has a
  positive limit (``h >= c/(t log(1/t))``, whose integral is ``log log(1/t)``).

Before the limits, ``polygamma(m, u)``, ``gamma(u)`` and ``loggamma(u)`` with ``u -> 0`` are written by
their recurrences (``psi'(u) = psi'(u + 1) + 1/u^2``), exact identities that move the pole into a power
SymPy's series can read, and ``|u|`` of a proven sign loses its bars.

Several parameters: when the kernel factorizes, ``int prod f_i = prod int f_i`` (Tonelli, every
factor positive), so one divergent factor makes the prior improper and finite factors make it proper.
When it does not, a slice decides improperness: if for every value of the other coordinates in an
open set the one-dimensional integral in ``theta_i`` diverges (``lim t h = L(others)`` with ``L``
positive there), the whole integral diverges (Tonelli). Positive on an open set is proven either for
every value (SymPy's assumptions) or at one exact point, with ``L`` continuous there. Propriety of a
kernel that does not factorize is left to integration.

Reference: comparison tests for improper integrals, e.g. Apostol, *Mathematical Analysis* (1974), §10.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp
from sympy import oo

from ..limits import StepTimeout, share, time_limit

__all__ = ["EndOrder", "Propriety", "end_order", "decide_propriety", "T"]

T = sp.Symbol("t", positive=True)  # the local variable at an end, t -> 0+


@dataclass(frozen=True)
class EndOrder:
    """The verdict at one end: ``converges`` True/False, or None (undecided); ``why`` one clause;
    ``proof`` the limit that decides it, as ``Eq(Limit(...), value)``."""

    param: sp.Symbol
    end: sp.Expr
    converges: bool | None
    why: str = ""
    proof: sp.Basic | None = None
    local: sp.Basic | None = None  # the substitution, e.g. Eq(p, 1 - t)


@dataclass
class Propriety:
    """``proper`` True/False/None; ``ends`` the verdicts found; ``reason`` why it is undecided;
    ``factors`` the kernel's factors ``{param: factor}`` (with ``coeff``) when it factorizes."""

    proper: bool | None
    ends: list = field(default_factory=list)
    reason: str = ""
    factors: dict | None = None

    @property
    def divergent(self) -> list:
        return [(e.param, e.end) for e in self.ends if e.converges is False]


def _local(f, s, end, upper: bool):
    """The integrand near ``end`` in the local variable ``T -> 0+``."""
    if end == oo:
        h = f.subs(s, 1 / T) / T**2
    elif end == -oo:
        h = f.subs(s, -1 / T) / T**2
    elif upper:
        h = f.subs(s, end - T)
    else:
        h = f.subs(s, end + T)
    return _regular(h)


def _vanishes(u) -> bool:
    """Whether ``u -> 0`` as ``T -> 0+``, read off a polynomial in ``T`` (no limit taken)."""
    return u.has(T) and u.is_polynomial(T) and sp.expand(u).subs(T, 0) == 0


def _regular(h):
    """``h`` with the poles at ``T = 0`` of the gamma family written out by exact recurrences, and
    ``|u|`` of a proven sign written without the bars."""
    def pg(m, u):
        return sp.polygamma(m, u + 1) - (-1) ** m * sp.factorial(m) / u ** (m + 1) if _vanishes(u) else sp.polygamma(m, u)

    h = h.replace(lambda e: isinstance(e, sp.polygamma) and _vanishes(e.args[1]), lambda e: pg(*e.args))
    h = h.replace(lambda e: isinstance(e, sp.gamma) and _vanishes(e.args[0]),
                  lambda e: sp.gamma(e.args[0] + 1) / e.args[0])
    h = h.replace(lambda e: isinstance(e, sp.loggamma) and _vanishes(e.args[0]),
                  lambda e: sp.loggamma(e.args[0] + 1) - sp.log(e.args[0]))
    return h.replace(lambda e: isinstance(e, sp.Abs) and (e.args[0].is_positive or e.args[0].is_negative),
                     lambda e: e.args[0] if e.args[0].is_positive else -e.args[0])


def _limit(expr, what: str):
    """``lim_{T -> 0+} expr``, or None when SymPy cannot find it (unevaluated, not a number, out of time)."""
    try:
        with time_limit(share(0.15), f"limit {what}"):
            v = sp.limit(expr, T, 0, "+")
    except StepTimeout:
        return None
    except (NotImplementedError, ValueError, TypeError, ZeroDivisionError, sp.PoleError, RecursionError):
        return None
    if v.has(sp.Limit, sp.nan, sp.zoo, sp.AccumBounds) or v.has(sp.Order):
        return None
    return v


def _proven_order(g, base, what: str):
    """The exponent ``e`` with ``g * base^e -> c``, ``0 < c < oo``, as ``t -> 0+`` (``base`` is ``t`` or
    ``log(1/t)``), or ``None``: guessed from ``g`` at ``t = 10^-40`` and ``10^-80`` in mpmath (a rational of
    small denominator) and *proven* by that one limit, which gives ``log g / log(base) -> -e`` (what the
    limit of that ratio gives, at a tenth of SymPy's time). A guess the limit does not confirm is no result."""
    import math
    from fractions import Fraction

    import mpmath

    try:
        fn, bn = sp.lambdify(T, g, "mpmath"), sp.lambdify(T, base, "mpmath")
        with mpmath.workdps(260):  # e^t - 1 - t at t = 10^-80 needs its 160 digits
            t1, t2 = mpmath.mpf(10) ** -40, mpmath.mpf(10) ** -80
            est = float(mpmath.log(fn(t1) / fn(t2)) / mpmath.log(bn(t2) / bn(t1)))
    except Exception:  # noqa: BLE001  (a value mpmath cannot take: no guess, the caller's limit decides)
        return None
    if not math.isfinite(est):
        return None
    guess = Fraction(est).limit_denominator(8)
    if abs(float(guess) - est) > 0.05:
        return None
    e = sp.Rational(guess.numerator, guess.denominator)
    if e == 0 and base == T:
        return None  # t^0 h = h: its limit was taken already (infinite, or the end is decided)
    c = _limit(g * base**e, what)
    return e if c is not None and c.is_positive is True and c.is_finite is True else None


def _finite(v) -> bool:
    return v is not None and v.is_finite is True and v.is_extended_real is not False


def _proof(expr, s, end, upper, value):
    return sp.Eq(sp.Limit(expr, T, 0, "+"), value, evaluate=False)


def _substitution(s, end, upper):
    if end in (oo, -oo):
        return sp.Eq(s, (1 if end == oo else -1) / T, evaluate=False)
    return sp.Eq(s, end - T if upper else end + T, evaluate=False)


def end_order(f, s, end, upper: bool, others=None) -> EndOrder:
    """The verdict at ``end`` of ``int f ds`` for ``f >= 0`` (``upper``: ``end`` is the domain's upper end).
    ``others``: for a slice, ``(symbols, domains)`` of the other coordinates, on which a divergence
    must hold on an open set; then only divergence is looked for."""
    from dataclasses import replace

    return replace(_end_order(f, s, end, upper, others), local=_substitution(s, end, upper))


def _end_order(f, s, end, upper: bool, others=None) -> EndOrder:
    h = _local(f, s, end, upper)
    where = f"{s} -> {end}"
    if others is None:
        L0 = _limit(h, f"of the kernel as {where}")
        if _finite(L0):
            return EndOrder(s, end, True, "the integrand stays bounded near this end", _proof(h, s, end, upper, L0))
    L1 = _limit(T * h, f"of t times the kernel as {where}")
    if L1 is not None:
        pos = _positive(L1, others)
        if pos is not None:
            return EndOrder(s, end, False, "the integrand is at least a constant times 1/t" + pos + " ($t$ times it has a positive limit)",
                            _proof(sp.Mul(T, h, evaluate=False), s, end, upper, L1))
    if others is not None or L1 != 0:
        return EndOrder(s, end, None, f"no order found at {where}")
    # the order guessed from two values of h and proven by one limit (t^p h -> c, 0 < c < oo, gives the same p
    # as the limit of log h / log(1/t), which costs SymPy ten times more), else that limit
    p = _proven_order(h, T, f"of t^p times the kernel as {where}")
    q = None
    if p is None:
        # t h ~ c log(1/t)^q, proven, gives p = 1 and q at once
        e = _proven_order(T * h, sp.log(1 / T), f"of t log(1/t)^(-q) times the kernel as {where}")
        p, q = (None, None) if e is None else (sp.S.One, -e)
    if p is None:
        p = _limit(sp.log(h) / sp.log(1 / T), f"of the order as {where}")
    if p is None or not p.is_number or not p.is_real:
        return EndOrder(s, end, None, f"no order found at {where}")
    if p < 1:
        r = (1 + p) / 2
        L = _limit(T**r * h, f"of t^{r} times the kernel as {where}")
        if L == 0:
            return EndOrder(s, end, True, f"the integrand is of order t^(-{p}) with {p} < 1 ($t^{{{r}}}$ times it tends to 0)",
                            _proof(sp.Mul(T**r, h, evaluate=False), s, end, upper, L))
        return EndOrder(s, end, None, f"no order found at {where}")
    if p != 1:
        return EndOrder(s, end, None, f"no order found at {where}")
    if q is None:
        e = _proven_order(T * h, sp.log(1 / T), f"of t log(1/t)^(-q) times the kernel as {where}")
        q = None if e is None else -e
    if q is None:
        q = _limit(sp.log(T * h) / sp.log(sp.log(1 / T)), f"of the logarithmic order as {where}")
    if q is None or not q.is_number or not q.is_real:
        return EndOrder(s, end, None, "the integrand is of order 1/t and its logarithmic factor is not decided")
    if q >= -1:
        g = T * sp.log(1 / T) * h
        L = _limit(g, f"of t log(1/t) times the kernel as {where}")
        if L is not None and L != 0 and _positive(L, None) is not None:
            return EndOrder(s, end, False, f"the integrand is at least a constant times 1/(t log(1/t)), whose integral "
                                           f"diverges", _proof(sp.Mul(T * sp.log(1 / T), h, evaluate=False), s, end, upper, L))
        return EndOrder(s, end, None, f"no order found at {where}")
    m = (1 - q) / 2
    g = T * sp.log(1 / T) ** m * h
    L = _limit(g, f"of t log(1/t)^{m} times the kernel as {where}")
    if L == 0:
        return EndOrder(s, end, True, f"the integrand is at most 1/(t log(1/t)^{m}) with {m} > 1",
                        _proof(g, s, end, upper, L))
    return EndOrder(s, end, None, f"no order found at {where}")


def _point(syms, doms):
    """An exact point inside the domains (1 on (0, oo), 0 on the line, the middle of a finite interval)."""
    out = {}
    for s in syms:
        d = doms[s]
        lo, hi = d.lo, d.hi
        out[s] = (lo + hi) / 2 if lo.is_finite and hi.is_finite else (lo + 1 if lo.is_finite else (hi - 1 if hi.is_finite else sp.S.Zero))
    return out


def _positive(L, others):
    """A clause (perhaps empty) when ``L`` (a limit, perhaps in the other coordinates) is proven positive or
    infinite — for every value of the others, or at one exact point where it is continuous, so on an open
    set — else None."""
    if L == oo:
        return " (the limit is infinite)"
    if L.is_positive:
        return "" if others is None else " for every value of the other parameters"
    if others is None or not (L.free_symbols & set(others[0])):
        return None
    syms, doms = others
    pt = _point([s for s in syms if L.has(s)], doms)
    core = L
    # oo*sign(c) or oo*c: infinite where c > 0
    if core.is_Mul and oo in core.args:
        core = sp.Mul(*[a.args[0] if isinstance(a, sp.sign) else a for a in core.args if a != oo])
    v = core.subs(pt)
    if v.is_positive is True and v.is_finite is True:
        at = ", ".join(f"{k} = {x}" for k, x in pt.items())
        return (f" for the other parameters near {at}, where the limit is positive ({sp.sstr(v)}) and continuous, "
                f"so on an open set")
    return None


def _ends(s, dom):
    return [(dom.lo, False), (dom.hi, True)]


def decide_propriety(kernel, params, doms) -> Propriety:
    """Order tests at every end of the domain of ``kernel >= 0`` (see the module docstring); no integral."""
    params = list(params)
    if len(params) == 1:
        factors = {params[0]: kernel}
    else:
        parts = sp.separatevars(kernel, symbols=params, dict=True)
        factors = parts if isinstance(parts, dict) else None
    if factors is not None:
        return _factorized(factors, params, doms)
    return _sliced(kernel, params, doms)


def _factorized(factors, params, doms) -> Propriety:
    out = Propriety(None, factors=dict(factors))
    found = []
    # the simplest factors first: one divergent factor decides, whatever the others do
    for s in sorted(params, key=lambda s: sp.count_ops(factors.get(s, sp.S.One))):
        f = factors.get(s, sp.S.One)
        if f.free_symbols - {s}:
            out.reason = f"the factor {f} involves other symbols"
            found = None
            continue
        for end, upper in _ends(s, doms[s]):  # both ends of a factor: the sheet names every divergent end
            e = end_order(f, s, end, upper)
            out.ends.append(e)
            if e.converges is None and found is not None:
                found = None
                out.reason = e.why
        if any(e.converges is False for e in out.ends):
            out.proper = False
            return out
    if found is None:
        return out
    # every end converges: proper once the factors are continuous inside their domains
    from sympy.calculus.util import continuous_domain

    for s in params:
        f = factors.get(s, sp.S.One)
        inner = sp.Interval.open(doms[s].lo, doms[s].hi)
        try:
            with time_limit(share(0.05), "continuity of the kernel"):
                ok = not f.has(s) or continuous_domain(f, s, inner) == inner
        except (StepTimeout, NotImplementedError, ValueError, TypeError):
            ok = False
        if not ok:
            out.reason = f"the factor {f} converges at both ends, but its continuity inside {inner} is not proven"
            return out
    out.proper = True
    return out


def _sliced(kernel, params, doms) -> Propriety:
    out = Propriety(None, reason="the kernel does not factorize over the parameters")
    for s in params:
        others = ([o for o in params if o != s], doms)
        for end, upper in _ends(s, doms[s]):
            e = end_order(kernel, s, end, upper, others=others)
            if e.converges is False:
                out.ends.append(e)
                out.proper = False
                return out
    return out
