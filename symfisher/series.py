"""Exact series: an expectation over the integers ``lo, lo + 1, ...`` that SymPy cannot sum in closed form.

When ``E[t(X)] = sum_{x >= lo} t(x) f(x)`` has no closed form that SymPy finds but its summand is
explicit, the expectation is the exact infinite sum itself, kept unevaluated as a :class:`ProvenSum` (a
SymPy ``Sum``: ``str()`` prints ``Sum(...)``, LaTeX ``\\sum``), provided its convergence is *proven*:

* the ratio test: ``L = lim_{x -> oo} a(x + 1)/a(x)`` is found by SymPy's ``limit`` (the ratio
  simplified first, Gamma ratios at unit shifts cancelled), is free of ``x``, and ``|L| < 1`` is proven
  on the parameter domains (``1 - L > 0`` and ``1 + L > 0`` by SymPy's assumptions, after each parameter
  is written through a symbol whose assumptions say where it lives, as the normalization check does:
  ``p = u/(1 + u)`` on ``(0, 1)``); a factor ``log(h(x))`` whose ``h(x + 1)/h(x)`` has a finite nonzero
  limit (the log of a binomial, a Gamma function or a power of ``x``) grows at most linearly, so the ratio
  test is applied to ``x`` times the other factors, which dominates the series (no limit of a ratio of
  logarithms, which costs SymPy seconds);
* an unproven series is no result: the caller's step fails as before.

The negative binomial with both parameters unknown needs it: its information in the size is
``psi'(r) - E[psi'(X + r)]``, an infinite sum with no closed form (Lawless, *Canad. J. Statist.* 15
(1987), 209-225). The proof travels with the value (:func:`proof_of`), so a derivation says "exact
series (no closed form found; it converges by the ratio test ...)", and the JSON lists which entries
are series (:func:`series_fields`). Only the ratio test is tried: a series it cannot decide
(``sum 1/(x + 1)^2``, ratio -> 1) is not proven, and stays a failure.

A :class:`ProvenSum` evaluates itself numerically term by term (``evalf``, at any precision), summing
until the remaining terms are below the precision asked for (their ratio then bounds the tail
geometrically); :func:`numeric_sums` turns every series of an expression into a vectorized NumPy
function for the numeric witnesses. Neither is a proof: numbers from them are evidence.

>>> import sympy as sp
>>> k = sp.Symbol("k", integer=True, nonnegative=True)
>>> q = sp.Symbol("q", positive=True)
>>> convergence_proof(q**k / (k + 1)**2, k, 0, {}) is None   # q unrestricted: not proven
True
>>> s = ProvenSum(1 / sp.factorial(k), (k, 0, sp.oo))
>>> str(s), round(float(s.evalf(20)), 12)
('Sum(1/factorial(k), (k, 0, oo))', 2.718281828459)
"""
from __future__ import annotations

import functools
import math
import re

import sympy as sp

__all__ = ["ProvenSum", "exact_series", "convergence_proof", "proof_of", "has_series", "series_fields",
           "numeric_sums", "undefined", "zero_test", "is_zero", "value_at", "SERIES_LABEL", "SERIES_ZERO_TEST_LIMIT",
           "log_gamma_of_index"]

SERIES_LABEL = "exact series (no closed form found)"
SERIES_ZERO_TEST_LIMIT = 20.0  # seconds for a numeric zero test of an entry with series (each point sums them)
MAX_TERMS = 1 << 20  # terms summed numerically before an evaluation gives up (no number, never a guess)

_PROOFS: dict = {}  # ProvenSum -> the sentence that proves its convergence


class ProvenSum(sp.Sum):
    """An infinite ``Sum`` whose convergence is proven (see the module docstring); prints as ``Sum``.

    Its only difference from ``Sum`` is the numeric evaluation: term by term in mpmath, where
    SymPy's Euler–Maclaurin route takes seconds for a summand with a polygamma in it."""

    def _eval_evalf(self, prec):
        try:
            value = _mp_sum(self, prec)
        except (ArithmeticError, ValueError, TypeError):  # a term undefined at this point (r = 0, say)
            value = None
        return value if value is not None else super()._eval_evalf(prec)

    def _eval_simplify(self, **kwargs):
        # only the factors free of the index come out (SymPy's own rebuilds a plain Sum): the ratio of
        # consecutive terms, and so the proof of convergence, is unchanged by a constant factor
        k = self.limits[0][0]
        c, rest = self.function.as_independent(k, as_Add=False)
        if c == 1:
            return self
        out = ProvenSum(rest, *self.limits)
        if self in _PROOFS:
            _PROOFS[out] = _PROOFS[self]
        return c * out


_VALUES: dict = {}  # ProvenSum at a point (exact numbers) -> (bits, value): evalf raises its precision step by step


def _mp_sum(s: sp.Sum, prec: int, floor: int = 640):
    """``s`` (numbers only but the index) summed in mpmath to ``prec`` bits, or ``None``.

    Term by term until the terms settle below the precision, each term from the last by its factors'
    exact shift rules (:func:`_plan`), else evaluated afresh."""
    import mpmath as mp
    from mpmath.libmp import prec_to_dps

    if len(s.limits) != 1 or s.free_symbols:
        return None
    k, lo, hi = s.limits[0]
    if hi != sp.oo or not lo.is_Integer:
        return None
    # keyed by exact values: evalf hands the same point in at each precision as a new Float
    key = s.xreplace({f: sp.Rational(f) for f in s.atoms(sp.Float)})
    hit = _VALUES.get(key)
    if hit is not None and hit[0] >= prec:
        return sp.Float(hit[1], prec_to_dps(prec))
    # evalf raises the precision step by step where terms cancel (a difference that is zero): work at a
    # generous precision at once, kept for the steps that follow
    work = max(prec + 64, floor)  # evalf's escalation where terms cancel reaches ~570 bits at 30 digits asked
    dps = prec_to_dps(work)
    # the numbers of the point become arguments: one plan (decomposition, ratios, lambdified pieces) per
    # series, whatever the point
    numbers = sorted({a for a in s.function.atoms(sp.Rational, sp.Float) if not a.is_Integer}, key=float)
    args = tuple(sp.Dummy(f"c{i}") for i in range(len(numbers)))
    plan = _plan(s.function.xreplace(dict(zip(numbers, args))), k, args, int(lo))
    with mp.workdps(dps + 20):
        total = _settle(plan([mp.mpf(sp.Rational(v).p) / sp.Rational(v).q for v in numbers]), int(lo), dps)
    if total is None:
        return None
    _VALUES[key] = (work, total)
    return sp.Float(total, prec_to_dps(prec))


def _settle(step, lo: int, dps: int):
    """``sum_{n >= lo} step(n)`` in mpmath (at the working precision set by the caller), summed until the
    tail bound is below ``10^-(dps + 5)`` of the total twice in a row, else ``None`` (after MAX_TERMS)."""
    import mpmath as mp

    eps = mp.mpf(10) ** (-(dps + 5))
    total, settled = mp.mpf(0), 0
    n = lo
    while n < lo + MAX_TERMS:
        block = [step(i) for i in range(n, n + 16)]  # the tail test once per block of terms
        n += 16
        total += mp.fsum(block)
        prev, t = block[-2], block[-1]
        q = abs(t / prev) if prev != 0 else mp.mpf(2)
        # the terms shrink at ratio q < 1: the tail is below |t| q / (1 - q)
        if q < 1 and abs(t) * q / (1 - q) <= eps * abs(total):
            settled += 1
            if settled >= 2:
                return total
        else:
            settled = 0
    return None


@functools.lru_cache(maxsize=256)
def _plan(term: sp.Expr, k: sp.Symbol, args: tuple, lo: int):
    """``values -> step``, where ``step(n)`` is ``term(n)`` in mpmath at the numbers ``args = values``, for
    ``n = lo, lo + 1, ...`` called in that order.

    The factors free of ``k`` are one constant; ``polygamma(m, c + k)`` follows
    ``psi^(m)(z + 1) = psi^(m)(z) + (-1)^m m!/z^(m+1)`` (DLMF 5.15.5); the Gamma-like rest ``h`` (powers
    ``b^k``, Gamma functions, factorials, binomials) follows ``h(n + 1) = h(n) R(n)`` with ``R`` its ratio
    (:func:`_shift_ratio`); polynomial factors and anything else are evaluated at each ``n``. Exact
    rules, so each term costs a few operations instead of a special function (a trigamma costs a
    millisecond at 50 digits)."""
    import mpmath as mp

    const, hyper, poly, direct = [], [], [], []
    for f in sp.Mul.make_args(term):
        b, e = f.as_base_exp()
        if not f.has(k):
            const.append(f)
        elif (isinstance(b, sp.polygamma) and b.args[0].is_Integer and b.args[0] >= 0 and e.is_Integer and e > 0
              and not (b.args[1] - k).has(k)):
            poly.append((int(b.args[0]), b.args[1] - k, int(e)))
        elif f.is_polynomial(k):
            direct.append(f)
        else:
            hyper.append(f)
    H = sp.Mul(*hyper)
    n = sp.Dummy("n")
    R = _shift_ratio(H, k, n) if hyper else sp.S.One
    lam = sp.lambdify((k,) + args, term, "mpmath")

    def fresh(i, vals):
        """The term at ``i`` evaluated afresh; where the formula is 0/0 there (``x Gamma(x)`` at 0, after an
        ``expand_func`` somewhere) its limit, which is the term's value."""
        try:
            v = mp.mpmathify(lam(i, *vals))
            if mp.isfinite(v):
                return v
        except (ValueError, ZeroDivisionError):
            pass
        exact = term.xreplace({a: sp.Rational(v.man * 2**v.exp) if v.exp >= 0 else sp.Rational(v.man, 2**-v.exp)
                               for a, v in zip(args, vals)})
        v = sp.limit(exact, k, i)
        if not (v.is_number and v.is_finite):
            raise ValueError(f"the term at {k} = {i} is {v}")
        return mp.mpf(sp.Float(v, mp.mp.dps)._mpf_)

    if R is None:  # no rule for the rest: every term afresh
        return lambda vals: (lambda i: fresh(i, vals))
    c_of = sp.lambdify(args, sp.Mul(*const), "mpmath")
    ratio = sp.lambdify((n,) + args, R, "mpmath")
    rest = sp.lambdify((k,) + args, sp.Mul(*direct), "mpmath")
    h_of = sp.lambdify((k,) + args, H, "mpmath")
    shifts = sp.lambdify(args, [a for _, a, _ in poly], "mpmath")

    weights = [(-1) ** m * math.factorial(m) for m, _, _ in poly]  # psi^(m)(z + 1) - psi^(m)(z) = w/z^(m+1)

    def make(vals):
        c = mp.mpmathify(c_of(*vals))
        z0 = [mp.mpmathify(a) + lo for a in shifts(*vals)]
        state = {"h": mp.mpf(0), "at": None, "z": z0, "psi": []}

        def start(i):
            # the recurrences start where h is a finite non-zero number (1/Gamma(x) is 0 at x = 0)
            try:
                h = mp.mpmathify(h_of(i, *vals))
            except (ValueError, ZeroDivisionError):
                return False
            if not mp.isfinite(h) or h == 0:
                return False
            z = [a + (i - lo) for a in z0]
            state.update(h=h, at=i, z=z, psi=[mp.psi(m, zz) for (m, _, _), zz in zip(poly, z)])
            return True

        def step(i):
            if i != state["at"] and not start(i):
                return fresh(i, vals)
            t = c * state["h"] * (mp.mpmathify(rest(i, *vals)) if direct else 1)
            for (m, _, e), v in zip(poly, state["psi"]):
                t *= v ** e
            state["h"] *= mp.mpmathify(ratio(i, *vals))
            state["psi"] = [v + w / z ** (m + 1) for (m, _, _), w, v, z in zip(poly, weights, state["psi"], state["z"])]
            state["z"] = [z + 1 for z in state["z"]]
            state["at"] = i + 1
            return t

        return step

    return make


def _shift_ratio(h: sp.Expr, k: sp.Symbol, n: sp.Symbol):
    """``h(n + 1)/h(n)`` as a rational function of ``n`` for a product of powers ``b^(u(k))``, ``exp(u(k))``
    and Gamma functions (factorials and binomials through them, DLMF 5.2.1 and 26.3.1) of ``u = m k + c``
    with a positive integer ``m`` (``Gamma(u + m)/Gamma(u)`` is a rising factorial), else ``None``.
    Written out, not by ``gammasimp``: the parameters are numbers by now, and it does not cancel
    Gamma ratios at Float arguments."""
    out = sp.S.One
    for f in sp.Mul.make_args(h.rewrite(sp.gamma)):
        b, e = f.as_base_exp()
        if not f.has(k):
            continue
        if isinstance(f, sp.exp):
            out *= sp.exp(sp.expand(f.args[0].xreplace({k: k + 1}) - f.args[0]))
        elif not b.has(k) and e.is_polynomial(k) and sp.degree(e, k) == 1:
            out *= b ** sp.expand(e.xreplace({k: k + 1}) - e)
        elif isinstance(b, sp.gamma) and not e.has(k):
            u = sp.expand(b.args[0])
            m = u.coeff(k)
            if not (m.is_Integer and m > 0) or (u - m * k).has(k):
                return None
            out *= sp.RisingFactorial(u, m).expand(func=True) ** e
        else:
            return None
    return out.xreplace({k: n})


def _onto(domains_of) -> dict:
    """Each parameter through a symbol whose assumptions say where it lives (``_onto_domains``)."""
    from .derive.signs import _onto_domains

    return _onto_domains(domains_of) if hasattr(domains_of, "domains") else {}


def _positive(e, sub: dict) -> bool:
    e = e.xreplace(sub)
    return bool(e.is_positive or sp.factor(sp.together(e)).is_positive)


_N = sp.Dummy("n", positive=True)  # the index of the ratio test (one symbol, so that its limits are cached)


def _finite_limit(L) -> bool:
    return L is not None and not L.has(_N, sp.Limit, sp.oo, -sp.oo, sp.zoo, sp.nan, sp.AccumBounds) and bool(L.is_finite)


def _ratio_limit(a: sp.Expr) -> sp.Expr:
    """``lim_{n -> oo} a(n + 1)/a(n)`` by SymPy's ``limit``, the ratio simplified first."""
    n = _N
    ratio = sp.gammasimp(sp.combsimp(a.xreplace({n: n + 1}) / a))
    ratio = sp.factor(sp.cancel(ratio)) if not ratio.has(sp.polygamma) else ratio
    return sp.limit(ratio, n, sp.oo)


@functools.lru_cache(maxsize=512)
def _canonical_ratio_limit(a: sp.Expr):
    """The cached verdict of one factor; a timeout is no verdict and propagates (an exception is never cached),
    so the factor is tried again under a longer limit."""
    from .limits import StepTimeout

    try:
        L = _ratio_limit(a)
    except StepTimeout:
        raise
    except Exception:  # noqa: BLE001  (SymPy's limit raises many kinds: no limit found)
        return None
    return L if _finite_limit(L) else None


def _factor_ratio_limit(f: sp.Expr):
    """:func:`_ratio_limit` of one factor, its parameters written as canonical dummies with the same
    assumptions (``log(binomial(n + r_2 - 1, n))`` is ``log(binomial(n + r - 1, n))``'s computation), or
    ``None`` when it is not a finite number."""
    syms = sorted(f.free_symbols - {_N}, key=sp.default_sort_key)
    canon = {s: _canonical_symbol(i, tuple(sorted(s.assumptions0.items()))) for i, s in enumerate(syms)}
    L = _canonical_ratio_limit(f.xreplace(canon))
    return None if L is None else L.xreplace({c: s for s, c in canon.items()})


@functools.lru_cache(maxsize=64)
def _canonical_symbol(i: int, assumptions: tuple) -> sp.Dummy:
    return sp.Dummy(f"c{i}", **dict(assumptions))


def _product_of_limits(a: sp.Expr):
    """``lim a(n + 1)/a(n)`` as the product of each factor's ratio limit, or ``None`` when a factor's limit is
    not a finite number (then the product rule of limits does not apply)."""
    out = sp.S.One
    for f in sp.Mul.make_args(a):
        if not f.has(_N):
            continue
        L = _factor_ratio_limit(f)
        if L is None:
            return None
        out *= L
    return out


def convergence_proof(term: sp.Expr, x: sp.Symbol, lo, model, limit: float | None = None) -> str | None:
    """The sentence proving that ``sum_{x >= lo} term`` converges (absolutely), or ``None``.

    ``model`` supplies the parameter domains (a :class:`~symfisher.model.Model`; anything else
    means no domain is known and only what the symbols' own assumptions say is used)."""
    from .limits import StepTimeout, time_limit

    n = _N
    # a typed density's exp(loggamma(x + r) - ...) as Gamma functions (their arguments are positive in the
    # tail, where the limit is taken), so that the ratio of consecutive terms cancels them
    a = sp.expand_power_exp(term.xreplace({x: n}).replace(sp.loggamma, lambda z: sp.log(sp.gamma(z))))
    try:
        with time_limit(min(10.0, limit) if limit else 10.0, "the ratio test"):
            # a logarithm of a term whose consecutive ratio has a nonzero limit grows at most linearly: the
            # series is dominated by n^k times the rest, and the rest's ratio test decides (no limit of a
            # ratio of logarithms, which costs SymPy seconds)
            logs, k = _linear_logs(a)
            # the other top-level factors (a logarithm's powers dropped; the same logarithm elsewhere stays)
            rest = sp.Mul(*[f for f in sp.Mul.make_args(a) if f.as_base_exp()[0] not in logs]) if logs else a
            # factor by factor first: the limit of a product is the product of the factors' limits when each
            # is a finite number (each found once, whatever its parameters are called); else the whole ratio
            L = _product_of_limits(rest)
            if L is None:
                L = _ratio_limit(rest)
    except (StepTimeout, Exception):
        return None
    if not _finite_limit(L):
        return None
    sub = _onto(model)
    if not (_positive(1 - L, sub) and _positive(1 + L, sub)):
        return None
    tail = (f"tends to {sp.sstr(L)} as {x} -> oo (SymPy's limit), of absolute value below 1 on the whole "
            f"parameter domain")
    if not logs:
        return f"converges by the ratio test: the ratio of consecutive terms {tail}"
    power = x**k
    return (f"converges by the ratio test on a dominating series: the logarithm{'s' if len(logs) > 1 else ''} "
            f"{', '.join(sp.sstr(f.xreplace({n: x})) for f in logs)} of a term whose ratio of consecutive values is "
            f"a rational function of {x} grow{'' if len(logs) > 1 else 's'} at most like a power of {x}, so "
            f"|term| <= C {sp.sstr(power)} |rest| for large {x}, and the ratio of consecutive terms of "
            f"{sp.sstr(power)} times the rest {tail}")


def _linear_logs(a: sp.Expr) -> tuple:
    """``(logs, k)``: the factors ``log(h(n))`` of ``a`` (to positive integer powers ``j``) whose ratio
    ``R(n) = h(n + 1)/h(n)`` is a rational function of ``n`` (:func:`_shift_ratio`: powers, exponentials,
    Gamma functions, factorials and binomials of ``n``), and ``k`` with ``|a(n)| <= C n^k |rest(n)|``.
    ``log|h(n)| = log|h(n0)| + sum_{n0 <= m < n} log|R(m)|`` (and the argument of ``log h`` adds at most
    pi): at most ``C n`` when ``R`` has a finite nonzero limit (numerator and denominator of one degree, its
    leading coefficient proven nonzero), at most ``C n log n <= C n^2`` otherwise (``log|R(m)|`` is
    ``O(log m)``); ``k`` adds ``j`` or ``2 j``."""
    n = _N
    found, k = [], 0
    for f in sp.Mul.make_args(a):
        b, e = f.as_base_exp()
        if not (isinstance(b, sp.log) and b.has(n) and e.is_Integer and e > 0):
            continue
        R = _shift_ratio(b.args[0], n, n)
        if R is None or R == 0 or not R.is_rational_function(n):
            continue
        num, den = sp.fraction(sp.cancel(R))
        linear = sp.degree(num, n) == sp.degree(den, n) \
            and (sp.LC(sp.Poly(num, n)) / sp.LC(sp.Poly(den, n))).is_zero is False
        found.append(b)
        k += int(e) * (1 if linear else 2)
    return found, k


def log_gamma_of_index(term: sp.Expr, x: sp.Symbol) -> bool:
    """Whether ``term`` holds the logarithm of a Gamma function, factorial or binomial of the index ``x``
    (``log(binomial(x + r - 1, x))``, ``loggamma(x + r)``): no hypergeometric term (the ratio of consecutive
    terms is not rational in ``x``), which SymPy's summation rules (Gosper's algorithm, hypergeometric and
    telescoping sums) do not reach, however the summand is rewritten first (the entropy-like sum
    ``sum_x f(x) log Gamma(x + r)`` has no closed form). One summation attempt is made; a second one, of the
    simplified summand, is not."""
    def gamma_of_index(e):
        return isinstance(e, (sp.gamma, sp.factorial, sp.binomial, sp.loggamma)) and e.has(x)

    return any(gamma_of_index(a) for a in term.atoms(sp.loggamma)) or any(
        any(gamma_of_index(g) for g in lg.args[0].atoms(sp.Function)) for lg in term.atoms(sp.log) if lg.has(x))


def exact_series(term: sp.Expr, x: sp.Symbol, lo, model, limit: float | None = None) -> "ProvenSum | None":
    """``Sum(term, (x, lo, oo))`` as a :class:`ProvenSum` when its convergence is proven, else ``None``."""
    term = _plain_summand(term, x)
    proof = convergence_proof(term, x, lo, model, limit)
    if proof is None:
        return None
    s = ProvenSum(term, (x, lo, sp.oo))
    _PROOFS[s] = proof
    return s


def _termwise_zero(expr: sp.Expr) -> bool:
    """Whether ``expr``, linear in its infinite sums, is proven zero before any summation: each sum
    ``Sum(a_i(k), (k, lo, oo))`` with one lower limit for all, ``expr = sum_i c_i Sum(a_i) + R`` with
    ``c_i`` free of the index; zero when ``R`` cancels and so does the one summand ``sum_i c_i a_i(k)``
    (every sum converges, so the sums may be added term by term). A proof, else ``False`` (not decided)."""
    from .simplify import cancels

    sums = sorted(expr.atoms(sp.Sum), key=sp.default_sort_key)
    if not sums or any(len(q.limits) != 1 or q.limits[0][2] != sp.oo for q in sums):
        return False
    lows = {q.limits[0][1] for q in sums}
    if len(lows) != 1:
        return False
    k = sp.Dummy("k", integer=True)
    marks = [sp.Dummy("S") for _ in sums]
    flat = sp.expand(expr.xreplace(dict(zip(sums, marks))))
    rest = flat.xreplace({m: 0 for m in marks})
    coeffs = [flat.coeff(m) for m in marks]
    if any(c.has(*marks) for c in coeffs) or sp.expand(flat - rest - sp.Add(*[c * m for c, m in zip(coeffs, marks)])) != 0:
        return False  # not linear in the sums
    summand = sp.Add(*[c * q.function.xreplace({q.limits[0][0]: k}) for c, q in zip(coeffs, sums)])
    if any(c.has(q.limits[0][0]) for c in coeffs for q in sums):
        return False  # a coefficient holds an index: it is not a constant of the sum
    return cancels(rest) and cancels(summand)


def _point_function(expr: sp.Expr, syms: tuple):
    """``point -> value`` of ``expr`` in mpmath: each infinite sum summed at the point (one :func:`_plan` per
    series, its parameters the plan's arguments, then :func:`_settle`), the rest one lambdified mpmath function of the symbols and the sums' values, evaluated at 50 digits (a fixed
    precision, where ``evalf`` would raise it again and again on a difference that is zero).
    ``ValueError`` where a sum does not settle or the value is not a finite number."""
    import mpmath as mp

    sums = sorted(expr.atoms(sp.Sum), key=sp.default_sort_key)
    if any(len(q.limits) != 1 or q.limits[0][2] != sp.oo or not q.limits[0][1].is_Integer for q in sums):
        raise ValueError("only sums over lo, lo + 1, ... (lo an integer) are summed here")
    marks = tuple(sp.Dummy(f"S{i}") for i in range(len(sums)))
    fn = sp.lambdify(tuple(syms) + marks, expr.xreplace(dict(zip(sums, marks))), "mpmath")
    plans = []  # one plan per series, its parameters the arguments: the same plan at every point
    for q in sums:
        k, lo, _ = q.limits[0]
        names = tuple(sorted(q.function.free_symbols - {k}, key=lambda v: v.name))
        plans.append((k, int(lo), names, _plan(q.function, k, names, int(lo))))

    def mpf(v):
        # the exact binary value of the point, not its decimal digits padded
        return mp.mpf(int(v)) if v.is_Integer else (mp.mpf(v._mpf_) if v.is_Float else mp.mpf(v.p) / v.q)

    def value(sub: dict) -> complex:
        with mp.workdps(_DIGITS):
            at = []
            for q, (k, lo, names, plan) in zip(sums, plans):
                # the point's exact values (a Float point substituted first would round p**r to 30 digits)
                with mp.workdps(_DIGITS + 40):
                    v = _settle(plan([mpf(sub[s]) for s in names]), lo, _DIGITS + 20)
                if v is None:
                    raise ValueError(f"the series {q} did not settle at {sub}")
                at.append(v)
            try:
                v = mp.mpmathify(fn(*[mpf(sub[s]) for s in syms], *at))
            except (ZeroDivisionError, ArithmeticError) as exc:
                raise ValueError(f"not evaluable at {sub}: {exc}") from None
            if not mp.isfinite(v):
                raise ValueError(f"not a finite number at {sub}: {v}")
            return complex(v)

    return value


_DIGITS = 50  # the working digits of a series zero test (the test's tolerance is 1e-9, absolute)


def zero_test(expr, domains, n: int = 8, tol: float = 1e-9, limit: float = SERIES_ZERO_TEST_LIMIT) -> tuple:
    """``(verdict, proven)`` for an expression (or matrix) holding exact series: whether it is zero on the
    domains (``True``, ``False``, ``None`` undecided), and whether ``True`` is a proof.

    Each entry is first proven zero symbolically where it can be (:func:`~symfisher.simplify.cancels`, or
    the sums' summands combined term by term, :func:`_termwise_zero`), with no summation; otherwise it is
    evaluated at the seeded points of :func:`~symfisher.simplify.is_zero` (the same ``n`` points, 30 digits,
    the same absolute tolerance), each series summed once per point to 50 digits: numeric evidence, never a
    proof; a point where an entry is a finite number above the tolerance proves it is not zero (``False``).
    Repeated entries (a symmetric matrix) are tested once."""
    from .limits import StepTimeout, time_limit
    from .domain_points import random_points
    from .simplify import as_expr, cancels

    expr = as_expr(expr)
    entries = list(dict.fromkeys(expr)) if isinstance(expr, sp.MatrixBase) else [expr]
    verdicts = []
    try:
        with time_limit(limit, "zero test (series)"):
            for e in entries:
                if e == 0 or cancels(e) or _termwise_zero(e):
                    verdicts.append("proven")
                    continue
                syms = tuple(sorted(e.free_symbols, key=lambda v: v.name))
                try:
                    pts = random_points(syms, domains, n) if syms else [{}]
                    value = _point_function(e, syms)
                    for pt in pts:  # one point where it is a finite number other than zero is a counterexample
                        if abs(value(pt)) > tol:
                            return False, False
                except (ValueError, TypeError, ArithmeticError):
                    verdicts.append(None)
                    continue
                verdicts.append("numeric")
    except StepTimeout:
        return None, False
    if any(v is None for v in verdicts):
        return None, False
    return True, all(v == "proven" for v in verdicts)


def value_at(expr, point: dict) -> complex:
    """``expr`` at ``point`` (exact or Float values): each exact series summed once at 50 digits
    (:func:`_point_function`), where ``evalf`` would sum it at 190 (its working floor for cancelling terms);
    an expression without series by ``evalf`` at 30 digits. ``ValueError`` where it is not a finite number."""
    from .simplify import as_expr, numeric_value

    expr = as_expr(expr)
    if not has_series(expr):
        return numeric_value(expr, point)
    syms = tuple(sorted(expr.free_symbols, key=lambda v: v.name))
    # a point's values are numbers (SymPy's, or Python floats from a seeded draw), never text
    return _point_function(expr, syms)({s: point[s] if isinstance(point[s], sp.Basic) else sp.Float(point[s], 30)
                                        for s in syms})


def is_zero(expr, domains, n: int = 8, tol: float = 1e-9, limit: float = 4.0) -> bool | None:
    """:func:`symfisher.simplify.is_zero`, with an expression holding exact series tested by :func:`zero_test`
    (the same points and tolerance, each series summed once per point) instead of ``evalf``'s escalation."""
    if has_series(expr):
        return zero_test(expr, domains, n, tol, max(limit, SERIES_ZERO_TEST_LIMIT))[0]
    from .simplify import is_zero as plain

    return plain(expr, domains, n, tol, limit)


def _plain_summand(term: sp.Expr, x: sp.Symbol) -> sp.Expr:
    """The summand as a reader writes it, and defined at every point of the support: ``exp(loggamma(z))``
    of a positive ``z`` as ``Gamma(z)`` (a typed density's form), ``Gamma(x + k)`` for an integer ``k >= 1``
    as ``(x + k - 1)!`` (SymPy's ``expand_func`` would make ``Gamma(x + 1)`` the 0/0 ``x Gamma(x)`` at 0)."""
    if term.has(sp.loggamma):
        term = term.replace(lambda e: isinstance(e, sp.loggamma) and e.args[0].is_positive,
                            lambda e: sp.log(sp.gamma(e.args[0])))
        term = sp.expand_power_exp(term)
    def as_factorial(e):
        k = sp.expand(e.args[0] - x)
        return sp.factorial(x + k - 1) if k.is_Integer and k >= 1 else e

    return term.replace(lambda e: isinstance(e, sp.gamma) and e.has(x), as_factorial)


def proof_of(expr) -> str | None:
    """The label and convergence proofs of the series in ``expr`` (one sentence), or ``None``."""
    found = [_PROOFS.get(s) for s in expr.atoms(sp.Sum)] if isinstance(expr, sp.Basic) else []
    proofs = sorted({p for p in found if p})
    if not proofs:
        return None
    return SERIES_LABEL[:-1] + "; it " + "; ".join(proofs) + ")"


def undefined(expr) -> bool:
    """Whether ``expr`` holds ``nan``, ``zoo`` or an infinity, not counting the upper limit ``oo`` of
    an infinite sum (a series is a finite number once its convergence is proven). ``expr`` is a SymPy
    object or a Python number, never text."""
    if not isinstance(expr, sp.Basic):
        if isinstance(expr, str):
            raise TypeError("series.undefined takes a SymPy expression, not text")
        if isinstance(expr, complex):
            expr = sp.Float(expr.real) + sp.I * sp.Float(expr.imag)
        else:
            expr = sp.Float(expr) if isinstance(expr, float) else sp.Integer(expr)
    sums = expr.atoms(sp.Sum)
    if not sums:
        return expr.has(sp.nan, sp.zoo, sp.oo, -sp.oo)
    if any(s.function.has(sp.nan, sp.zoo, sp.oo, -sp.oo) for s in sums):
        return True
    return expr.xreplace({s: sp.Dummy() for s in sums}).has(sp.nan, sp.zoo, sp.oo, -sp.oo)


def has_series(expr) -> bool:
    """Whether ``expr`` (an expression or matrix) holds an unevaluated infinite sum."""
    if isinstance(expr, sp.MatrixBase):
        return any(has_series(e) for e in expr)
    return isinstance(expr, sp.Basic) and any(s.limits and s.limits[0][2] == sp.oo for s in expr.atoms(sp.Sum))


def series_fields(out: dict) -> list:
    """The paths of the entries of a ``derive --json`` object that are exact series, not closed forms:
    ``fisher[0, 0]``, ``cramer_rao[1, 0]``, ``kl_taylor.quadratic``, ``jeffreys.prior`` ... (matrices
    row-major, counting from 0 as ``check`` does). Read off SymPy's own ``str()`` of each entry: an
    infinite sum prints as ``Sum(..., (x, lo, oo))``. ``score``, ``hessian`` and ``log_density`` are
    functions of the data, never expectations, and are not looked at."""
    found = []

    def walk(v, path):
        if isinstance(v, str):
            if _INFINITE_SUM.search(v):
                found.append(path)
        elif isinstance(v, dict):
            for key in sorted(v):
                walk(v[key], f"{path}.{key}" if path else key)
        elif isinstance(v, list):
            rows = all(isinstance(r, list) for r in v) and v
            for i, r in enumerate(v):
                if rows:
                    for j, e in enumerate(r):
                        walk(e, f"{path}[{i}, {j}]")
                else:
                    walk(r, f"{path}[{i}]")

    for key, v in out.items():
        if key not in ("score", "hessian", "log_density", "failures", "model", "data", "params", "constants"):
            walk(v, key)
    return found


_INFINITE_SUM = re.compile(r"Sum\(.*, oo\)\)")


# -- numeric evaluation for the witnesses ----------------------------------------------------------
def _log_space(term: sp.Expr, k: sp.Symbol) -> sp.Expr:
    """``term`` with its positive fast-growing factors in ``k`` (Gamma, factorials, binomials,
    ``b^k``, ``exp``) gathered into one ``exp`` of their logs: ``gamma(k + r)/k!`` overflows a float
    long before the product does."""
    logs, rest = [], []
    for f in sp.Mul.make_args(term):
        b, e = f.as_base_exp()
        if not f.has(k):
            rest.append(f)
        elif isinstance(f, sp.exp):
            logs.append(f.args[0])
        elif isinstance(b, (sp.gamma, sp.factorial, sp.binomial)) and not e.has(k) and b.is_positive is not False:
            logs.append(e * sp.log(b))
        elif e.has(k) and not b.has(k) and b.is_positive:
            logs.append(e * sp.log(b))
        else:
            rest.append(f)
    if not logs:
        return term
    from .numeric import numeric_form

    # log(binomial), log(gamma), log(k!) as loggamma first: exp(log(y)) would collapse back to y
    return sp.Mul(*rest) * sp.exp(numeric_form(sp.Add(*logs)))


def _vector_sum(fn, lo: int, *arrays):
    import numpy as np

    arrays = [np.asarray(a, dtype=float) for a in arrays]
    shape = np.broadcast_shapes(*(a.shape for a in arrays)) if arrays else ()
    cols = [np.broadcast_to(a, shape)[..., None] for a in arrays]
    n = 256
    while True:
        ks = np.arange(lo, lo + n, dtype=float)
        with np.errstate(all="ignore"):
            t = np.asarray(fn(ks, *cols), dtype=float)
        t = np.broadcast_to(t, shape + (n,))
        total = t.sum(axis=-1)
        tail = np.abs(t[..., -16:]).max(axis=-1)
        if np.all(tail <= 1e-18 * np.maximum(np.abs(total), 1e-300)) or n >= MAX_TERMS:
            ok = tail <= 1e-12 * np.maximum(np.abs(total), 1e-300)
            return np.where(ok & np.isfinite(total), total, np.nan)
        n *= 4


def numeric_sums(expr):
    """``expr`` with each infinite ``Sum`` replaced by a vectorized NumPy function of its parameters
    (a SymPy implemented function, which ``lambdify`` calls): the sum to double precision, ``nan``
    where it has not settled within :data:`MAX_TERMS` terms."""
    from sympy.utilities.lambdify import implemented_function

    def numeric(s):
        k, lo, hi = s.limits[0]
        if len(s.limits) != 1 or hi != sp.oo or not lo.is_Integer:
            return s
        params = tuple(sorted(s.free_symbols, key=lambda v: v.name))
        fn = _term_function(params, k, _log_space(s.function, k))
        impl = functools.partial(_vector_sum, fn, int(lo))
        return implemented_function(sp.Function(f"symfisher_series_{abs(hash(s)) % 10**12}"), impl)(*params)

    return expr.replace(lambda e: isinstance(e, sp.Sum), numeric)


@functools.lru_cache(maxsize=256)
def _term_function(params: tuple, k: sp.Symbol, term: sp.Expr):
    from .numeric import MODULES, numeric_form

    return sp.lambdify((k,) + params, numeric_form(term), modules=MODULES)
