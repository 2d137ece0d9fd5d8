"""Is ``yours - correct`` zero?  Proof first, then exact points, then evidence labelled as such.

For one scalar entry (a matrix is compared entry by entry), :func:`compare` decides:

1. **proved equal**: SymPy reduces the difference to 0 (``cancel``/``together`` of the expansion,
   then, if the points do not already refute it, ``simplify``, logs and special functions expanded,
   ``gammasimp``, Piecewise folded), under the domain assumptions carried by the symbols;
2. **not equal**: the difference is non-zero at a point of the domain, decided exactly when the
   point makes it a rational number and to 50 significant digits otherwise (``evalf(strict=True)``
   fails rather than return a digit it cannot vouch for), however small it is;
   A difference SymPy's assumptions show to be non-zero everywhere (``exp(-1000/p)``) is not equal
   even where it is below the digits: its largest value at the points is the counterexample.
3. **equal at N points, not proven**: SymPy could not reduce the difference to 0, but it vanishes
   to 50 digits at every point (:mod:`symfisher.check.points`: the whole domain, edges and
   breakpoints included). When a point could not be evaluated (a value too large to compute
   safely), the domain is not covered and the comparison is **undecided** (not equal). ``Comparison.timed_out`` says whether a symbolic attempt ran out of time,
   so that no message blames a limit that was not hit.

A point where the correct value is undefined (a boundary) is no evidence either way; a point
where only your answer is undefined is a difference.

>>> import sympy as sp
>>> p = sp.Symbol("p", positive=True)
>>> pts = [{p: sp.Rational(1, 3)}, {p: sp.Rational(1, 10**8)}]
>>> compare(1/p + 1/(1 - p), 1/(p*(1 - p)), pts).status
'proved'
>>> c = compare(1/(p*(1 - p)) + sp.Rational(1, 10**12), 1/(p*(1 - p)), pts)
>>> c.status, c.agree
('differs', [False, False])
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp
from mpmath.libmp.libhyper import NoConvergence
from sympy.core.evalf import PrecisionExhausted

from ..limits import StepFailed, StepTimeout, share, time_limit
from ..simplify import as_expr, cancels

__all__ = ["Comparison", "compare", "value", "evaluate", "too_large", "huge_constant", "symbolic_zero", "DIGITS"]

DIGITS = 50  # significant digits of every numeric evaluation
NOISE = sp.Float(10) ** -40  # |difference| / |value| below this is not a difference (function round-off)
MIN_EVIDENCE = 6  # points with both sides defined before "equal, not proven" may be said
# sub-limits as fractions of the time limit (limits.share: 2, 4 and 2 s at the default 20 s)
CHEAP_SHARE = 0.1  # the cheap symbolic test
SIMPLIFY_SHARE = 0.2  # each further symbolic attempt
POINT_SHARE = 0.1  # one evaluation at one point
MAX_WORKING_DIGITS = 1200  # digits evalf may use to see through cancellation before a point is given up
_EVAL_ERRORS = (ArithmeticError, ValueError, TypeError, AttributeError, RecursionError, NotImplementedError,
                NoConvergence)

MAX_GROWTH_ARGUMENT = 1e4  # exp(a), gamma(a), b**a ... with |a| beyond this are not evaluated
MAX_TINY_ARGUMENT = 1e12  # exp(-a) for a up to this is evaluated (unless the expression rounds to integers)
# (polygamma and loggamma grow slowly: trigamma(10**6) is no risk, and a wrong answer may differ only out there)
_GROWTH = (sp.exp, sp.gamma, sp.factorial, sp.sinh, sp.cosh, sp.besseli, sp.besselk, sp.binomial,
           sp.RisingFactorial, sp.FallingFactorial)


def _risky_nodes(expr) -> list:
    """Subexpressions whose value can explode (exp of exp of ...), innermost first."""
    out = []
    for node in sp.postorder_traversal(expr):
        if isinstance(node, _GROWTH):  # constants too: floor(exp(10**99)) needs 10**99 digits
            out.append((node, node.args[-1]))
        elif isinstance(node, sp.Pow) and not node.exp.is_number:
            out.append((node, node.exp * sp.log(sp.Abs(node.base) + 2)))
    return out


_EXACT_AT_INTEGERS = (sp.polygamma, sp.loggamma, sp.zeta, sp.harmonic)  # polygamma(1, 10**5) is a sum of 10**5 terms
EXACT_TERMS = 64  # beyond this many terms (polygamma(1, 1000) takes 0.5 s to build) a point is evaluated in floats


def _slow_exact(expr, pt) -> bool:
    """Whether substituting ``pt`` exactly would build one of those sums with more than :data:`EXACT_TERMS`
    terms (an integer or half-integer argument)."""
    for node in expr.atoms(*_EXACT_AT_INTEGERS):
        a = node.args[-1].xreplace(pt)
        if a.is_Rational and (2 * a).is_integer and abs(a) > EXACT_TERMS:
            return True
    return False


def too_large(expr, pt, exact: bool = True) -> bool:
    """Whether evaluating ``expr`` at ``pt`` would meet a gigantic number (which mpmath computes in C,
    beyond the reach of the time limit), or (``exact``: the point substituted exactly) an exact sum of as many
    terms (``polygamma(1, n)`` at an integer ``n``): each risky function's argument is checked innermost first."""
    for node in expr.atoms(*_EXACT_AT_INTEGERS) if exact else ():
        a = node.args[-1].xreplace(pt)
        if a.is_Rational and (2 * a).is_integer and abs(a) > 1000:
            return True
    rounds = expr.has(sp.floor, sp.ceiling, sp.frac, sp.Mod)
    for node, arg in _risky_nodes(expr):
        try:
            a = as_expr(arg).xreplace(pt).evalf(15)
            if a.is_number and abs(complex(a)) > MAX_GROWTH_ARGUMENT:
                if (isinstance(node, sp.exp) and a.is_real and a < 0 and a > -MAX_TINY_ARGUMENT
                        and not rounds):
                    continue  # exp(-10**6/p) is tiny, not huge: a float with a large exponent, cheap to evaluate
                return True
        except (OverflowError, ValueError, TypeError, ZeroDivisionError):
            return True
    return False


def huge_constant(expr):
    """A constant subexpression of ``expr`` too large to evaluate (``exp(10**99)``), or None."""
    for node, arg in _risky_nodes(as_expr(expr)):
        if node.is_number and too_large(node, {}):
            return node
    return None


_SKIP = "skip"  # cannot be evaluated safely here: no evidence


def _undefined(e) -> bool:
    """nan, zoo or an infinity in ``e`` (an exact series' upper limit oo does not count: symfisher/series.py)."""
    from ..series import undefined

    return undefined(e)


def _number(expr, pt, digits: int = DIGITS):
    """``expr`` at ``pt``: an exact Rational, a Float of ``digits`` digits (complex allowed), None (undefined),
    or _SKIP."""
    if too_large(expr, pt, exact=False):  # a long exact sum is evaluated in floats below
        return _SKIP
    try:
        with time_limit(share(POINT_SHARE), "evaluate at a point"):
            if fine_roots(expr):  # 3**(3/10**7) exactly is a search for perfect powers: numerically instead
                return _numeric_number(as_expr(expr), pt, digits)
            if _slow_exact(as_expr(expr), pt):  # polygamma(1, 1000): mpmath at 20 guard digits, not an exact sum
                return _numeric_number(as_expr(expr).xreplace({s: sp.Float(v, digits + 20) for s, v in pt.items()}),
                                       {}, digits)
            e = as_expr(expr).xreplace(pt)
            if e.is_Rational:
                return e
            if _undefined(e):
                return None
            if not e.is_number:
                return None
            try:
                v = e.evalf(digits, strict=True, maxn=4 * digits)
            except PrecisionExhausted:  # heavy cancellation (1 - 1/(1 + exp(-1000))): more digits, or no evidence
                try:
                    v = e.evalf(digits, strict=True, maxn=MAX_WORKING_DIGITS)
                except PrecisionExhausted:
                    v = _settled(e, digits)
                    if v is None:
                        return _SKIP
            if not v.is_number or v.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
                return None
            return v
    except StepTimeout:
        return _SKIP
    except _EVAL_ERRORS:
        return None


def _settled(e, digits):
    """``e`` evaluated at two working precisions without ``strict`` when the two agree to ``digits``
    digits and are not 0, else None. A factor that is 0 without SymPy seeing it
    (``(atan(p) + atan(1/p) - pi/2)*sin(p)``) defeats strict evaluation of a product, yet does not
    move a sum that it is a term of; true cancellation (``1 - 1/(1 + exp(-1000))``) gives two
    different or zero values, and no evidence."""
    v1 = e.evalf(digits + 20, maxn=4 * digits)
    v2 = e.evalf(2 * digits + 40, maxn=MAX_WORKING_DIGITS)
    if not (v1.is_number and v2.is_number) or v1.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or \
            v2.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        return None
    scale = abs(sp.N(v2, 15))
    if scale == 0 or abs(sp.N(v1 - v2, 15)) > sp.Float(10) ** -digits * scale:
        return None
    return sp.N(v2, digits)


def fine_roots(expr) -> bool:
    """Whether ``expr`` has a power with a rational exponent of a large denominator (``a**(10000003/10000000)``):
    exact evaluation looks for perfect powers and ``cancel`` builds polynomials of that degree."""
    return any(n.exp.is_Rational and n.exp.q > 64 for n in as_expr(expr).atoms(sp.Pow))


def _numeric_number(expr, pt, digits):
    try:
        v = expr.evalf(digits, subs=pt, strict=True, maxn=MAX_WORKING_DIGITS)
    except PrecisionExhausted:
        return _SKIP
    if not v.is_number or v.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        return None
    return v


def value(expr, pt):
    """``expr`` at the point as a Python complex, or ``None`` when undefined or too large there."""
    return value15(expr, pt)


def _value(expr, pt, digits):
    return _as_complex(_number(expr, pt, digits))


def evaluate(expr, points) -> list:
    return [value(expr, pt) for pt in points]


def _difference(a, b):
    """(vanishes, a - b) for two values at a point: exact when both are exact, else to the digits
    (each side is good to ``DIGITS`` significant digits, so their difference is good to ``NOISE``)."""
    d = a - b
    if a.is_Rational and b.is_Rational:
        return d == 0, d
    scale = max(abs(sp.N(a, 15)), abs(sp.N(b, 15)), sp.Float(1e-300))
    m = abs(sp.N(d, 15))
    if m == 0:  # 0 to the sides' digits, not an exact 0: the difference itself is still to be looked at
        return True, sp.Float(0)
    return bool(m <= NOISE * scale), sp.N(d, 15)


_VALUES: dict = {}  # (expr, point) -> 15-digit value, for the diagnosis's many comparisons


def value15(expr, pt):
    """``expr`` at ``pt`` to 15 digits as a complex (None where undefined), memoized."""
    key = (expr, tuple(sorted(pt.items(), key=lambda kv: kv[0].name)))
    if key not in _VALUES:
        if len(_VALUES) > 20000:
            _VALUES.clear()
        _VALUES[key] = _value(expr, pt, 15)
    return _VALUES[key]


@dataclass
class Comparison:
    """One scalar comparison of ``u`` (yours) with ``r`` (correct) at ``points``.

    ``agree[k]``: True (the difference vanishes there), False (it does not), None (no evidence).
    ``status``: ``"proved"``, ``"differs"``, ``"numeric"`` (vanishes at every point, not proven) or
    ``"undecided"`` (too few points to say anything).
    """

    u: sp.Expr
    r: sp.Expr
    points: list
    uv: list
    rv: list
    agree: list
    diffs: list = field(default_factory=list)  # yours - correct at each point (SymPy number or None)
    proved: bool = False
    timed_out: bool = False
    skipped: int = 0  # points where a side could not be evaluated safely (too large): the domain is not covered

    @property
    def status(self) -> str:
        if any(a is False for a in self.agree):
            return "differs"
        if self.proved:
            return "proved"
        if sum(1 for a in self.agree if a) >= MIN_EVIDENCE and not self.skipped:
            return "numeric"
        return "undecided"

    @property
    def equal(self) -> bool:
        return self.status in ("proved", "numeric")

    @property
    def evidence(self) -> int:
        return sum(1 for a in self.agree if a)

    def first_difference(self):
        return next((k for k, a in enumerate(self.agree) if a is False), None)


def domain_substitution(domains) -> dict:
    """``{symbol: expression in a new positive symbol}`` mapping ``(0, oo)`` onto each bounded or half-bounded
    interval domain: ``p = t/(1 + t)`` for ``(0, 1)``, ``s = lo + t`` for ``(lo, oo)``.

    The symbols carry only the assumptions SymPy can state (``p`` positive, not ``p < 1``); after the
    substitution every factor such as ``1 - p = 1/(1 + t)`` is visibly positive, so roots and logs
    combine. The map is a bijection, so the difference vanishes on the domain iff it vanishes in ``t``.
    """
    out = {}
    for s, d in (domains or {}).items():
        if d is None or d.integer or not isinstance(s, sp.Symbol):
            continue
        t = sp.Dummy(f"{s.name}_t", positive=True)
        if d.lo.is_finite and d.hi.is_finite:
            out[s] = d.lo + (d.hi - d.lo) * t / (1 + t)
        elif d.lo.is_finite and d.lo != 0:
            out[s] = d.lo + t
        elif d.hi.is_finite:
            out[s] = d.hi - t
    return out


def compare(u, r, points, symbolic: bool = True, domains=None) -> Comparison:
    """Compare ``u`` with ``r``: a cheap proof, then every point, then the slower proofs (``domains``: the
    symbols' domains, whose bounds the proofs may use through :func:`domain_substitution`)."""
    u, r = as_expr(u), as_expr(r)
    d = u - r
    proved, timed_out = False, False
    if symbolic:
        proved, timed_out = _cheap_zero(d)
    uv, rv, agree, diffs = [], [], [], []
    skipped = 0
    for pt in points:
        a, b = _number(u, pt), _number(r, pt)
        uv.append(_as_complex(a))
        rv.append(_as_complex(b))
        skipped += a is _SKIP or b is _SKIP
        if b is None or b is _SKIP or a is _SKIP:
            agree.append(None)  # the correct value is undefined there (a boundary), or out of reach
            diffs.append(None)
            continue
        if a is None:
            agree.append(False)  # yours is undefined where the correct value is not
            diffs.append(None)
            continue
        same, dv = _difference(a, b)
        if same and not dv.is_Rational:  # agree to the digits: the difference itself, exactly when it can be
            exact = _exact_at(d, pt)
            if exact is not None:
                same, dv = exact == 0, exact
        agree.append(same)
        diffs.append(dv)
    c = Comparison(u, r, list(points), uv, rv, agree, diffs, proved, timed_out, skipped)
    if symbolic and not proved and c.status != "differs":
        c.proved, slow = symbolic_zero(d, domain_substitution(domains))
        c.timed_out = c.timed_out or slow
        if not c.proved and c.status != "differs":
            c.proved = zero_by_cases(d, domains)
        if not c.proved:
            _breakpoint_pass(c, d, domains)
        if not c.proved and c.status == "numeric":
            _difference_pass(c, d)
        if not c.proved and c.status != "differs" and _nowhere_zero(d):
            _tiniest_difference(c, d)
    return c


_CASED = (sp.Max, sp.Min, sp.Abs, sp.sign, sp.Heaviside)


def zero_by_cases(d, domains) -> bool:
    """Whether ``d`` is 0 on the whole domain, proven case by case: when its pieces (Max, Min, Abs, sign,
    Heaviside, not nested) switch in one symbol only, every switch point inside the domain is found
    exactly (all real roots: ``real_roots`` of a polynomial, or a finite ``solveset``; else no proof),
    ``d`` is 0 at each switch point, and on each interval between them, with every piece replaced by
    the branch it takes there, SymPy reduces ``d`` to 0 (``Max(1/p, 1/(1-p)) + Min(1/p, 1/(1-p))`` is
    ``1/p + 1/(1-p)`` on both sides of ``p = 1/2``)."""
    from .points import _domain_of, _inside, breakpoints

    try:
        with time_limit(share(SIMPLIFY_SHARE), "prove the difference zero case by case"):
            nodes = d.atoms(*_CASED)
            if not nodes or d.has(sp.Piecewise, sp.floor, sp.ceiling, sp.frac):
                return False
            if any(a.has(*_CASED) for n in nodes for a in n.args):
                return False  # nested pieces: not split here
            free = set().union(*(n.free_symbols for n in nodes))
            if len(free) != 1 or not domains or next(iter(free)) not in domains:
                return False
            s = next(iter(free))
            dom = _domain_of(s, domains)
            if dom.integer:
                return False
            cuts = []
            for g in breakpoints([d], [s]):
                roots = _all_real_roots(g, s)
                if roots is None:
                    return False
                cuts += [c for c in roots if _inside(dom, c) and c != dom.lo and c != dom.hi]
            cuts = sorted(dict.fromkeys(cuts), key=lambda c: sp.N(c, 60))
            for c in cuts:  # Heaviside(0) = 1/2, sign(0) = 0: the switch points themselves count
                v = d.xreplace({s: c})
                if not (v == 0 or cancels(v)):
                    return False
            ends = [dom.lo] + cuts + [dom.hi]
            sub = {k: e for k, e in domain_substitution(domains).items() if k == s}
            for a, b in zip(ends, ends[1:]):
                q = _interior(a, b)
                if q is None:
                    return False
                piece = d.xreplace({n: _branch(n, s, q) for n in nodes})
                if not (cancels(piece) or (sub and cancels(piece.xreplace(sub)))):
                    return False
            return True
    except (StepTimeout, StepFailed) + _EVAL_ERRORS + (sp.PolynomialError,):
        return False


def _all_real_roots(g, s):
    """Every real root of ``g`` in ``s`` (exact), or None when SymPy cannot say it found them all."""
    try:
        poly = sp.Poly(g, s)
        if poly.is_univariate and all(c.is_Rational for c in poly.all_coeffs()):
            return [] if poly.degree() < 1 else list(dict.fromkeys(sp.real_roots(poly)))
    except (sp.PolynomialError, sp.GeneratorsNeeded):
        pass
    sols = sp.solveset(g, s, domain=sp.S.Reals)
    if not isinstance(sols, sp.FiniteSet):
        return None
    return [c for c in sols if c.is_real]


def _interior(a, b):
    """A rational strictly between ``a`` and ``b`` (infinite ends allowed), or None."""
    if a == -sp.oo and b == sp.oo:
        return sp.Integer(0)
    if a == -sp.oo:
        q = sp.floor(b) - 1
    elif b == sp.oo:
        q = sp.ceiling(a) + 1
    else:
        q = sp.Rational(str(sp.N((a + b) / 2, 60)))
    return q if bool(q > a) and bool(q < b) else None


def _branch(node, s, q):
    """The branch ``node`` takes at ``s = q`` (where none of its switches is)."""
    at = lambda e: sp.N(e.xreplace({s: q}), 60)  # noqa: E731
    if isinstance(node, (sp.Max, sp.Min)):
        vals = [(at(a), a) for a in node.args]
        pick = max if isinstance(node, sp.Max) else min
        return pick(vals, key=lambda t: t[0])[1]
    g = node.args[0]
    positive = bool(at(g) > 0)
    if isinstance(node, sp.Abs):
        return g if positive else -g
    if isinstance(node, sp.sign):
        return sp.Integer(1) if positive else sp.Integer(-1)
    return sp.Integer(1) if positive else sp.Integer(0)  # Heaviside


def _exact_at(d, pt):
    """The difference ``d`` at ``pt`` as an exact Rational when SymPy's automatic evaluation gives one
    (``Max(0, p - c)/10`` past ``c``, the roots of a rational combining), else None."""
    if too_large(d, pt):
        return None
    try:
        with time_limit(share(POINT_SHARE), "evaluate the difference at a point"):
            e = d.xreplace(pt)
            return e if e.is_Rational else None
    except (StepTimeout, StepFailed) + _EVAL_ERRORS:
        return None


def _difference_at(d, pt):
    """``d`` at ``pt``: an exact Rational, a Float whose 15 digits are right however small it is relative to
    the two sides (evalf works in as many digits as the cancellation needs, up to MAX_WORKING_DIGITS),
    0 when it vanishes to that many digits, or None (undefined or out of reach)."""
    if too_large(d, pt):
        return None
    try:
        with time_limit(share(POINT_SHARE), "evaluate the difference at a point"):
            e = d.xreplace(pt)
            if e.is_Rational:
                return e
            if not e.is_number or _undefined(e):
                return None
            try:
                v = e.evalf(15, strict=True, maxn=MAX_WORKING_DIGITS)
            except PrecisionExhausted:
                return sp.Integer(0)
            return v if v.is_number and not v.has(sp.nan, sp.zoo, sp.oo, -sp.oo) else None
    except (StepTimeout, StepFailed) + _EVAL_ERRORS:
        return None


def _breakpoint_pass(c: Comparison, d, domains) -> None:
    """Evaluate the difference itself on both sides of each breakpoint of ``d`` (solved exactly,
    :func:`symfisher.check.points.breakpoint_points`), points squeezed next to a domain end included;
    a non-zero value there is a difference however small it is next to the two sides."""
    from .points import breakpoint_points

    if not c.points or not d.has(sp.Heaviside, sp.Abs, sp.sign, sp.Max, sp.Min, sp.Piecewise, sp.floor,
                                             sp.ceiling, sp.frac):
        return
    for pt in breakpoint_points(d, domains, c.points[0]):
        if remaining_share() <= 0:
            return
        dv = _difference_at(d, pt)
        if dv is None or dv == 0:
            continue
        b = _number(c.r, pt)
        if b is None or b is _SKIP:
            continue  # the correct value is undefined there: no evidence
        a = _number(c.u, pt)
        c.points.append(pt)
        c.uv.append(_as_complex(a))
        c.rv.append(_as_complex(b))
        c.agree.append(False)
        c.diffs.append(dv)
        return


def _difference_pass(c: Comparison, d) -> None:
    """Before "equal, not proven" is said: the difference itself at each point where the two sides agreed to
    their digits, evaluated to its own 15 digits (:func:`_difference_at`). A relative difference below
    ``NOISE`` (``10**-60*besseli(0, p)**2``) is below the sides' digits but not below the difference's: a
    non-zero certified value is a difference; a true zero (``asin(sin(p)) - p``) has no certified digit and
    stays evidence of agreement."""
    for k, a in enumerate(c.agree):
        if not a or (c.diffs[k] is not None and c.diffs[k].is_Rational):
            continue
        if remaining_share() <= 0:
            return
        dv = _difference_at(d, c.points[k])
        if dv is not None and dv != 0 and not dv.is_Rational:
            c.agree[k] = False
            c.diffs[k] = dv
            return


def remaining_share() -> float:
    """Seconds left for further evaluations (the whole time limit when no limit is active)."""
    from ..limits import default_limit, remaining

    left = remaining()
    return default_limit() if left is None else left - 0.05


def _nowhere_zero(d) -> bool:
    """Whether SymPy's assumptions show ``d`` is non-zero for every value of its symbols (``exp(-1000/p)``:
    a difference too small to see at any point is still a difference)."""
    try:
        with time_limit(share(CHEAP_SHARE), "is the difference non-zero"):
            return d.is_zero is False or sp.factor_terms(sp.cancel(d)).is_zero is False
    except StepTimeout:
        return False
    except (StepFailed, ArithmeticError, ValueError, TypeError, AttributeError, NotImplementedError,
            RecursionError, sp.PolynomialError):
        return False


def _tiniest_difference(c: Comparison, d) -> None:
    """Mark the point where the (provably non-zero) difference is largest relative to the values as the
    counterexample, with the difference evaluated directly (to its own 50 digits)."""
    best = None
    for k, a in enumerate(c.agree):
        if not a:
            continue
        v = _number(d, c.points[k])
        if isinstance(v, sp.Basic) and v.is_number and v != 0:
            rel = abs(sp.N(v, 15)) / max(abs(c.rv[k] or 0), 1e-300)
            if best is None or rel > best[0]:
                best = (rel, k, v)
    if best is not None:
        c.agree[best[1]] = False
        c.diffs[best[1]] = best[2]


def _as_complex(v):
    """A value of :func:`_number` as a Python complex (None: undefined, out of reach, or beyond floats)."""
    if v is None or v is _SKIP:
        return None
    try:
        c = complex(v)
    except (TypeError, ValueError, OverflowError):
        return None
    return None if c != c or abs(c) == float("inf") else c


def _cheap_zero(d) -> tuple:
    if d == 0:
        return True, False
    if fine_roots(d):
        return False, False  # cancel would build polynomials of a huge degree: the points decide first
    try:
        with time_limit(share(CHEAP_SHARE), "simplify the difference"):
            return bool(cancels(d)), False
    except StepTimeout:
        return False, True
    except (StepFailed, ArithmeticError, ValueError, TypeError, AttributeError, NotImplementedError,
            RecursionError, sp.PolynomialError):
        return False, False


def _loggamma_form(e):
    """``e`` with its logs split where SymPy proves the arguments positive and each ``log(gamma(z))`` of a
    positive ``z`` written ``loggamma(z)`` (equal there: DLMF 5.4.E1's real branch), so that an answer with
    ``log(gamma(a_2)/gamma(a_1))`` meets a reference in ``loggamma``."""
    def positive_gamma(n):
        return isinstance(n, sp.log) and isinstance(n.args[0], sp.gamma) and n.args[0].args[0].is_positive is True

    e = sp.expand_log(e, force=False)
    return e.replace(positive_gamma, lambda n: sp.loggamma(n.args[0].args[0]))


def _attempts(d) -> list:
    out = [lambda e: sp.cancel(sp.together(sp.expand_log(e, force=False)))]
    if d.has(sp.gamma) and d.has(sp.log):
        out.append(lambda e: sp.cancel(sp.together(_loggamma_form(e))))
    if d.has(sp.gamma, sp.polygamma, sp.beta, sp.loggamma, sp.factorial, sp.binomial):
        out.append(lambda e: sp.simplify(sp.expand_log(sp.expand_func(sp.gammasimp(e)))))
    if d.has(sp.Heaviside, sp.Abs, sp.sign, sp.Max, sp.Min, sp.Piecewise):
        out.append(lambda e: sp.simplify(sp.piecewise_fold(e.rewrite(sp.Piecewise))))
    out += [sp.simplify, lambda e: sp.simplify(sp.expand_log(sp.expand_func(e)))]
    if d.has(sp.sinh, sp.cosh, sp.tanh, sp.sin, sp.cos, sp.tan):
        out.append(lambda e: sp.simplify(e.rewrite(sp.exp)))
    return out


def symbolic_zero(d, substitution=None) -> tuple:
    """(SymPy reduces ``d`` to 0, some attempt ran out of time), each attempt under a time limit;
    ``substitution`` (:func:`domain_substitution`) makes the domains' bounds visible to SymPy."""
    d = as_expr(d)
    if d == 0:
        return True, False
    timed_out = False
    attempts = list(_attempts(d))
    sub = {s: e for s, e in (substitution or {}).items() if s in d.free_symbols}
    if sub:  # first the cheap test on the substituted form, then SymPy's rewrites on it
        attempts.insert(0, lambda e: sp.Integer(0) if cancels(e.xreplace(sub)) else e)
        attempts.insert(2, lambda e: sp.simplify(e.xreplace(sub)))
    for f in attempts:
        try:
            with time_limit(share(SIMPLIFY_SHARE), "simplify the difference"):
                if f(d) == 0:
                    return True, timed_out
        except StepTimeout:
            timed_out = True
        except (StepFailed, ArithmeticError, ValueError, TypeError, AttributeError, NotImplementedError,
                RecursionError, sp.PolynomialError):
            continue
    return False, timed_out
