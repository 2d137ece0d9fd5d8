"""The routes of the expectation engine (:mod:`symfisher.expectation`) for one statistic ``E[t(X)]``:
a family's closed-form hooks (matched in :mod:`symfisher.expectation_hooks`), the law's own transform found once by Euler's integrals, Euler's integral of the
statistic, symmetry, residues, the score identities, the CDF representation, and integration or
summation against the density (the last resort). Each returns ``None`` (or raises
:class:`~symfisher.expectation_base.ExpectationError`) when it does not apply.
"""
from __future__ import annotations

import sympy as sp

from .calculus import derivative
from .limits import StepTimeout, time_limit
from .model import Model
from .series import log_gamma_of_index
from .expectation_base import (
    ExpectationError,
    _CACHE,
    _MISSING,
    _TimedOut,
    _condition_value,
    _freeze_parameter_logs,
    _sub_limit,
    _tidy_logs,
    law_key,
    resolve_piecewise,
    split_statistics,
)
from .expectation_hooks import (
    _derivative_chain,
    _match_power_moments,
    _mellin_point,
    _mgf_moment,
)


def clean_density(ell: sp.Expr) -> sp.Expr:
    """``exp(ell)`` as a product of powers: ``exp(log a - (a+1) log u)`` -> ``a u^(-a-1)``.

    Integrators do far better on ``u**(s - a - 1)`` than on ``exp((-a-1)*log(1 + ...))``.
    """
    L = sp.expand(sp.expand_log(_tidy_logs(ell), force=True))
    return sp.Mul(*[_power_of(term) for term in sp.Add.make_args(L)])


def _plain(e) -> bool:
    """No log, no function but ``exp`` (of a plain argument), every power of a symbol, a sum or a
    rational: what the forced denesting of :func:`_power_of` leaves as it is (it reads ``|z|`` as
    ``z`` and ``4**x`` as ``2**(2 x)``, and joins the logs it meets)."""
    if e.is_Atom:
        return True
    if isinstance(e, sp.exp):
        return _plain(e.args[0])
    if e.is_Pow:
        b = e.base
        return (b.is_Symbol or (b.is_Rational and not b.is_Integer) or b in (2, 3, 5, 7) or (b.is_Add and _plain(b))) \
            and _plain(e.exp)
    return (e.is_Add or e.is_Mul) and all(_plain(a) for a in e.args)


def _power_of(term):
    """``exp(term)`` as a power: ``exp(c log b) = b^c`` and ``exp(u) = exp(u)`` for a plain ``u`` (what
    the forced rewrite below gives for them, without its passes), anything else rewritten."""
    if _plain(term):
        return sp.exp(term)
    logs = [a for a in sp.Mul.make_args(term) if isinstance(a, sp.log)]
    if len(logs) == 1 and len(logs[0].args) == 1:
        b, c = logs[0].args[0], term / logs[0]
        if _plain(b) and not b.is_Number and _plain(c):
            # (powsimp writes (1 - x)**(-a) as (1/(1 - x))**a, a form the kernels downstream expect)
            return sp.powsimp(sp.Pow(b, c), force=True) if b.is_Add else sp.Pow(b, c)
    return sp.exp(term).replace(lambda e: isinstance(e, sp.exp),
                                lambda e: sp.powsimp(sp.powdenest(e.rewrite(sp.Pow), force=True), force=True))


def _finish(v: sp.Expr) -> sp.Expr:
    """Gamma ratios at integer shifts cancel by ``expand_func`` alone (Gamma(a+2)/Gamma(a) is
    a(a+1)); the much slower ``gammasimp`` only for what is left (two Gamma functions)."""
    # an exact series is kept whole: expand_func would write its 1/Gamma(x + 1) as 1/(x Gamma(x)), 0/0 at x = 0
    sums = {s: sp.Dummy("S") for s in v.atoms(sp.Sum)} if v.has(sp.Sum) else {}
    v = v.xreplace(sums)
    if v.has(sp.gamma, sp.polygamma, sp.beta, sp.loggamma):
        v = sp.expand_func(v)
        if len(v.atoms(sp.gamma)) > 1:
            v = sp.expand_func(sp.gammasimp(v))
    return v.xreplace({d: s for s, d in sums.items()}) if sums else v


def _integrate(t: sp.Expr, model: Model, limit: float | None) -> sp.Expr:
    """E[t] by integrating or summing t against the density over the support."""
    key = ("stat", model.key(), sp.srepr(t))
    if key in _CACHE:
        v = _CACHE[key]
        if isinstance(v, ExpectationError):  # a failure is remembered too: never retried
            raise v
        return v
    try:
        v = _integrate_uncached(t, model, limit)
    except ExpectationError as exc:
        _CACHE[key] = exc
        raise
    _CACHE[key] = v
    return v


def _integrate_uncached(t: sp.Expr, model: Model, limit: float | None) -> sp.Expr:
    if len(model.data) != 1:
        raise ExpectationError("expectation", f"no moment rule for E[{t}] over several data variables")
    x = model.data[0]
    sup = model.support[0]
    f = model.density
    integrand = sp.powsimp(sp.expand_log(t * f, force=True))
    step = f"E[{t}]"
    try:
        with time_limit(limit, step):
            if hasattr(sup, "points") and sup.is_finite():
                v = sp.Add(*[(t * f).subs(x, pt) for pt in sup.points()])
            elif type(sup).__name__ == "IntegerSupport":
                v = sp.summation(integrand, (x, sup.lo, sup.hi))
                if v.has(sp.Sum) and not log_gamma_of_index(integrand, x):  # its retry cannot do better
                    v = sp.summation(sp.simplify(integrand), (x, sup.lo, sup.hi))
            else:
                v = sp.integrate(integrand, (x, sup.lo, sup.hi))
                if v.has(sp.Integral):
                    v = sp.integrate(sp.simplify(integrand), (x, sup.lo, sup.hi))
            v = resolve_piecewise(v, model, step)
    except StepTimeout as exc:
        raise ExpectationError(step, f"integrating the statistic {t} against the density: {exc.reason}") from None
    if v.has(sp.Sum):
        # no closed form: the exact series, when its convergence is proven (symfisher/series.py)
        series = _exact_series(t, model, limit)
        if series is not None:
            return series
    if v.has(sp.Integral, sp.Sum):
        raise ExpectationError(step, f"SymPy left the integral of {t} against the density unevaluated")
    if v.has(sp.I) and all(s.is_real for s in integrand.free_symbols):
        # a real integrand cannot have a complex mean: SymPy took a wrong branch (cf. its Gumbel bug)
        raise ExpectationError(step, f"SymPy returned a complex value ({v}) for the real integral of {t}; rejected")
    if v.has(sp.oo, -sp.oo, sp.zoo, sp.nan):
        raise ExpectationError(step, f"E[{t}] diverges (SymPy returned {v})")
    return v


def _exact_series(t: sp.Expr, model: Model, limit: float | None):
    """``E[t]`` as the exact series over an infinite integer support when its convergence is proven
    (:func:`symfisher.series.exact_series`), else ``None``."""
    sup = model.support[0]
    if type(sup).__name__ != "IntegerSupport" or sup.hi != sp.oo:
        return None
    from .series import exact_series

    return exact_series(t * clean_density(model.log_density), model.data[0], sup.lo, model, limit)


# -- the law's transform, found once: E[X^s], E[X^s (1-X)^t] or E[exp(sZ)] ------------------
def _euler_of(ell: sp.Expr, x: sp.Symbol, lo, hi):
    """Euler's integral of ``exp(ell)`` over ``(lo, hi)`` (:func:`symfisher.euler.euler_integral`),
    the logs of the parameters alone kept whole: ``log(-eta)`` with ``eta < 0`` must not become
    ``I pi + log(eta)`` under the forced expansion that makes the kernel a product of powers."""
    from .euler import euler_integral

    g, frozen = _freeze_parameter_logs(ell, (x,))
    if lo == -sp.oo and hi == sp.oo:
        # the whole line is two half-lines; each is cleaned with a positive variable, since
        # clean_density's forced rewriting would read |z| as z (it assumes the data positive)
        if g.is_polynomial(x) and sp.degree(g, x) == 2:
            # Gauss's integral, whole (the kernel reads exp's argument: no evaluated exp of the sum)
            found = euler_integral(sp.exp(g, evaluate=False), x, lo, hi)
        else:
            u = sp.Dummy("u", positive=True)
            plus, minus = g.xreplace({x: u}), g.xreplace({x: -u})
            if sp.expand(plus - minus) == 0:
                found = euler_integral(clean_density(plus), u, 0, sp.oo)
                found = None if found is None else (2 * found[0], found[1])
            else:
                r1 = euler_integral(clean_density(plus), u, 0, sp.oo)
                r2 = euler_integral(clean_density(minus), u, 0, sp.oo)
                found = None if r1 is None or r2 is None else (r1[0] + r2[0], r1[1] + r2[1])
    elif lo.is_nonnegative:
        found = euler_integral(clean_density(g), x, lo, hi)
    else:
        return None
    if found is None:
        return None
    value, conds = found
    return value.xreplace(frozen), [c.xreplace(frozen) if hasattr(c, "xreplace") else c for c in conds]


def _transform(model: Model, limit: float | None):
    """``(hook, conditions)``: the law's joint Mellin transform (a :class:`PowerMoments` in
    ``X`` and, on ``(0, 1)``, ``1 - X``) or, on the whole line, its moment-generating
    function (an :class:`MGF`), as one integral with symbolic exponents by Euler's integrals
    (:mod:`symfisher.euler`); ``None`` when the kernel is not one of them. Cached per law.

    An even law on the line with a binomial base ``b = d + c z^r`` (the t kernel ``nu + z^2``) has a
    power-law tail and no MGF: its transform is ``E[|Z|^s b(Z)^t]`` (bases ``|z|`` and ``b``), twice the
    half-line's Euler integral, with the values of the catalog's t moment table
    (``nu/(nu + Z^2) ~ Beta(nu/2, 1/2)``)."""
    from .euler import even_line_integral
    from .model import MGF, PowerMoments

    key = ("transform", law_key(model))
    seconds = _sub_limit(limit)
    hit = _CACHE.get(key, _MISSING)
    if isinstance(hit, _TimedOut):
        if seconds <= hit.seconds:
            return None
    elif hit is not _MISSING:
        return hit
    _CACHE[key] = None
    x, sup = model.data[0], model.support[0]
    if type(sup).__name__ != "IntervalSupport":
        return None
    lo, hi = sup.lo, sup.hi
    s, t = sp.Dummy("s", real=True), sp.Dummy("t", real=True)
    ell = model.log_density
    if lo == -sp.oo and hi == sp.oo:
        kind, extra = "mgf", s * x
        binomial = _binomial_base(ell, x)
        if binomial is not None and _even(model):
            # a power-law tail ((nu + z^2)^(-(nu+1)/2)): no MGF, and Euler's integrals cannot take
            # exp(s z) times a binomial; an even law's joint transform in |z| and the binomial,
            # E[|Z|^s b(Z)^t] = 2 int_0^oo u^s b(u)^t f(u) du, gives every z^(2j) b^(-m) log(b)^k
            kind, extra = ("mellin2", binomial, sp.Abs(x)), s * sp.log(sp.Abs(x)) + t * sp.log(binomial)
        elif _power_tails(ell, x):
            return None  # no moment-generating function to find (power tails that are not an even binomial)
    elif lo == 0 and hi == 1:
        kind, extra = "mellin2", s * sp.log(x) + t * sp.log(1 - x)
    elif hi == sp.oo and lo.is_nonnegative:
        kind, extra = "mellin", s * sp.log(x)
        binomial = _binomial_base(ell, x) if lo == 0 else None
        if binomial is not None:  # x^(a-1) (1 + x)^(-a-b): the joint transform in x and 1 + x
            kind, extra = ("mellin2", binomial), s * sp.log(x) + t * sp.log(binomial)
    else:
        return None
    try:
        with time_limit(seconds, "the law's transform"):
            if isinstance(kind, tuple) and len(kind) > 2:
                # even (shown above): twice the half-line, read off the log-kernel (no product of powers built)
                g, frozen = _freeze_parameter_logs(ell + extra, (x,))
                found = even_line_integral(g, x)
                if found is not None:
                    found = found[0].xreplace(frozen), [c.xreplace(frozen) if hasattr(c, "xreplace") else c
                                                        for c in found[1]]
            else:
                found = _euler_of(ell + extra, x, lo, hi)
            if found is None:
                return None
            value, conds = found
            # exp(-loggamma(a)) = 1/Gamma(a): Gamma ratios then cancel by expand_func
            # exponents of one base add up (combine="exp"; merging bases with one exponent costs 20x, for nothing here)
            value = sp.powsimp(value.replace(sp.loggamma, lambda a: sp.log(sp.gamma(a))), combine="exp")
    except StepTimeout as exc:
        if exc.step == "the law's transform":
            # its own limit: a verdict for that limit only; a caller with more time tries again
            _CACHE[key] = _TimedOut(seconds)
            return None
        # an enclosing step's limit interrupted it: not a verdict on the law, so not
        # remembered, and the timeout goes on to that step's handler
        _CACHE.pop(key, None)
        raise
    except Exception:
        return None
    conds = tuple(c for c in conds if c is not sp.true and c is not True)
    if kind == "mgf":
        hook = MGF(s, value)
    elif kind == "mellin2":
        hook = PowerMoments((x, 1 - x), (s, t), value)
    elif isinstance(kind, tuple):
        hook = PowerMoments((kind[2] if len(kind) > 2 else x, kind[1]), (s, t), value)
    else:
        hook = PowerMoments((x,), (s,), value)
    _CACHE[key] = (hook, conds)
    return _CACHE[key]


def _power_tails(ell: sp.Expr, x: sp.Symbol) -> bool:
    """Whether ``log f`` is a constant plus multiples of logs of polynomials in ``x``: then ``f`` decays
    like a power of ``|x|`` on the line, so ``E[e^(sX)]`` is infinite for every ``s != 0`` and there is no
    moment-generating function (a cheap necessary condition, before an Euler integral that finds none)."""
    for term in sp.Add.make_args(sp.expand_log(ell, force=True)):
        if not term.has(x):
            continue
        _, rest = term.as_independent(x, as_Add=False)
        if not (isinstance(rest, sp.log) and rest.args[0].is_polynomial(x)):
            return False
    return True


def _euler_direct(t: sp.Expr, model: Model, limit: float | None):
    """``E[t]`` as one of Euler's integrals of ``t`` times the density (``z/(nu + z^2)`` under a
    t kernel: the two half-lines cancel), or ``None``."""
    from .euler import euler_integral

    x, sup = model.data[0], model.support[0]
    if type(sup).__name__ != "IntervalSupport":
        return None
    try:
        with time_limit(_sub_limit(limit), f"E[{t}]"):
            found = _euler_of(model.log_density + sp.log(t), x, sup.lo, sup.hi)
    except (StepTimeout, Exception):
        return None
    if found is None or not _conditions_hold(found[1], {}, model):
        return None
    return found[0]


def _even(model: Model) -> bool:
    """Whether the law on the whole line is symmetric about 0: ``log f(-z) = log f(z)``."""
    key = ("even", law_key(model))
    if key not in _CACHE:
        x, sup = model.data[0], model.support[0]
        whole = type(sup).__name__ == "IntervalSupport" and sup.lo == -sp.oo and sup.hi == sp.oo
        ell = model.log_density
        _CACHE[key] = bool(whole and sp.expand(ell.xreplace({x: -x}) - ell) == 0)
    return _CACHE[key]


_DISCONTINUOUS = (sp.sign, sp.Heaviside, sp.Piecewise, sp.DiracDelta, sp.floor, sp.ceiling, sp.frac)


def _symmetric_abs_sign(t: sp.Expr, model: Model, limit: float | None):
    """``E[t]`` for ``t = c |z|^a sign(z)^b z^k`` or ``c DiracDelta(d z)`` under a law with a density
    symmetric about 0 (the statistics of ``|x - mu|``): ``(value, source)`` or ``None``.

    ``z = |z| sign(z)``, so ``t = c |z|^p sign(z)^q`` with ``p = a + k``, ``q = b + k``; the law has a
    density, so ``sign(z)^2 = 1`` almost surely: ``E[t] = c E|z|^p`` for even ``q``, and ``0`` for odd
    ``q`` once ``E|z|^p`` is finite (symmetry). ``E[DiracDelta(d z)] = f(0)/|d|`` when ``log f`` is made
    of continuous functions and finite at 0. The same rules as the catalog's
    :func:`symfisher.families._base.symmetric_abs_moments`, with ``E|z|^p`` and ``f(0)`` from the density."""
    x = model.data[0]
    if not t.has(sp.Abs, sp.sign, sp.DiracDelta):
        return None
    coeff, factors = t.as_independent(x, as_Add=False)
    factors = sp.Mul.make_args(factors)
    if len(factors) == 1 and isinstance(factors[0], sp.DiracDelta) and len(factors[0].args) == 1:
        # sifting needs no symmetry, only a density continuous at 0 with 0 inside the support (the
        # asymmetric Laplace's kink at its location: SymPy's integral of DiracDelta against exp(-|z|) is 0)
        d = sp.cancel(factors[0].args[0] / x)
        ell, sup = model.log_density, model.support[0]
        inside = type(sup).__name__ == "IntervalSupport" and (sup.lo < 0) is sp.true and (sup.hi > 0) is sp.true
        if d.has(x) or d == 0 or ell.has(*_DISCONTINUOUS) or not inside:
            return None
        at0 = ell.xreplace({x: sp.S.Zero})
        if at0.has(sp.oo, -sp.oo, sp.zoo, sp.nan):
            return None
        return coeff * sp.exp(at0) / sp.Abs(d), "density at 0 (a point mass of the Hessian)"
    if not _even(model):
        return None
    p = q = 0
    for f in factors:
        b, e = f.as_base_exp()
        if not (e.is_Integer and e > 0):
            return None
        if b == x:
            p, q = p + int(e), q + int(e)
        elif b == sp.Abs(x):
            p += int(e)
        elif b == sp.sign(x):
            q += int(e)
        else:
            return None
    if p == 0:
        if q % 2:
            return sp.S.Zero, "symmetry: an odd bounded statistic of a law symmetric about 0"
        return coeff, "sign(z)^2 = 1 almost surely under a density"
    if t == sp.Abs(x) ** p:  # E|z|^p itself: the other routes' question
        return None
    from .expectation import _statistic_value  # the engine's dispatcher (it imports this module)

    sv = _statistic_value(sp.Abs(x) ** p, model, limit, brute=False)
    if sv is None or sv.value.has(sp.oo, -sp.oo, sp.zoo, sp.nan):
        return None
    return (sp.S.Zero if q % 2 else coeff * sv.value), f"symmetry: z = |z| sign(z), from E|z|^{p} ({sv.source})"


def _odd_and_bounded(t: sp.Expr, model: Model) -> bool:
    """Whether ``E[t] = 0`` by symmetry: the law on the whole line is symmetric about 0, ``t`` is odd
    (``t(-z) = -t(z)``) and bounded, so that ``E|t| < oo`` and the two half-lines cancel. Bounded is
    shown for a rational ``t``: no real pole (its denominator has one sign on the line, by the
    symbols' assumptions) and a numerator of no higher degree (``z/(nu + z^2)^2`` under a t kernel).
    An odd statistic that is not shown bounded (``z`` under the Cauchy law has no mean) is left
    to the other routes."""
    x = model.data[0]
    if not t.has(x) or not _even(model):
        return False
    try:
        num, den = sp.fraction(sp.together(t))
        if not (num.is_polynomial(x) and den.is_polynomial(x)) or sp.degree(num, x) > sp.degree(den, x):
            return False
        if sp.expand(num.xreplace({x: -x}) * den + num * den.xreplace({x: -x})) != 0:
            return False  # not odd
        z = sp.Dummy("z", real=True)
        sign = den.xreplace({x: z})
        return bool(sign.is_positive or sign.is_negative or sp.expand(sign).is_positive or sp.expand(sign).is_negative)
    except (sp.PolynomialError, sp.GeneratorsNeeded):
        return False


def _shifted_abs(t: sp.Expr, model: Model, limit: float | None):
    """``E|a Z + c|`` for a law symmetric about 0 (the log-ratio of two location-scale members).

    With ``tau = |c/a|`` (symmetry: ``Z + c/a`` and ``Z + tau`` have the same law of ``|.|``),
    ``|Z + tau| = (Z + tau) + 2 (-(Z + tau))^+``, and reflecting the negative part,
    ``E|Z + tau| = E[Z] + tau + 2 int_tau^oo (u - tau) f(u) du``, one integral on a half-line
    (Euler's, else ``integrate``) in which ``|u|`` has one sign.
    """
    x = model.data[0]
    if not (isinstance(t, sp.Abs) and _even(model)):
        return None
    L = sp.expand(t.args[0])
    if not L.is_polynomial(x) or sp.degree(L, x) != 1:
        return None
    a, c = sp.Poly(L, x).all_coeffs()
    if not (a.is_positive or a.is_negative) or c == 0:
        return None
    tau = sp.Dummy("tau", positive=True)
    u = sp.Dummy("u", positive=True)
    from .euler import euler_integral

    try:
        with time_limit(_sub_limit(limit), f"E[{t}]"):
            from .expectation import _statistic_value  # the engine's dispatcher (it imports this module)

            mean = _statistic_value(x, model, limit)
            f = clean_density(model.log_density.xreplace({x: u}) + sp.log(u - tau))
            found = _euler_of(model.log_density.xreplace({x: u}) + sp.log(u - tau), u, tau, sp.oo)
            if found is not None and _conditions_hold(found[1], {}, model):
                tail = found[0]
            else:
                tail = sp.integrate(f, (u, tau, sp.oo))
                if tail.has(sp.Integral):
                    return None
                tail = resolve_piecewise(tail, model, f"E[{t}]")
    except (StepTimeout, ExpectationError, Exception):
        return None
    v = sp.Abs(a) * (mean.value + tau + 2 * tail)
    if v.has(sp.oo, -sp.oo, sp.zoo, sp.nan):  # no finite mean: E|aZ + c| does not exist
        return None
    return _finish(sp.expand(v)).xreplace({tau: sp.Abs(c / a)})


def _log_quadratic_by_residues(t: sp.Expr, model: Model, limit: float | None):
    """``E[log q(Z)]`` for ``q = A z^2 + B z + C`` positive on the line, under a rational,
    parameter-free density ``f`` on the whole line decaying like ``1/z^2`` (the Cauchy law).

    ``q = A (z - r)(z - conj r)`` with ``Im r > 0``; ``log(z - conj r)`` is analytic in the upper
    half-plane and ``log(z - r)`` in the lower, so closing the contour there,
    ``E log(z - conj r) = 2 pi i sum_{Im p > 0} Res_p f log(p - conj r)`` and
    ``E log(z - r) = -2 pi i sum_{Im p < 0} Res_p f log(p - r)`` (Ahlfors, *Complex Analysis*,
    ch. 4 §5). Conjugate poles with equal real weights pair into ``log |p - conj r|^2``.
    """
    x, sup = model.data[0], model.support[0]
    if not isinstance(t, sp.log) or type(sup).__name__ != "IntervalSupport" or sup.lo != -sp.oo or sup.hi != sp.oo:
        return None
    q = sp.expand(t.args[0])
    if not q.is_polynomial(x) or sp.degree(q, x) != 2:
        return None
    f = sp.together(sp.exp(model.log_density))
    num, den = sp.fraction(f)
    if f.free_symbols - {x} or not (num.is_polynomial(x) and den.is_polynomial(x)):
        return None
    if sp.degree(den, x) < sp.degree(num, x) + 2:
        return None
    A, B, C = sp.Poly(q, x).all_coeffs()
    disc = sp.factor(4 * A * C - B**2)
    if _condition_value(A > 0, model) is not True or _condition_value(disc > 0, model) is not True:
        return None
    try:
        with time_limit(_sub_limit(limit), f"E[{t}]"):
            r = (-B + sp.I * sp.sqrt(disc)) / (2 * A)
            rc = (-B - sp.I * sp.sqrt(disc)) / (2 * A)
            poles = sp.roots(sp.Poly(den, x))
            if sum(poles.values()) != sp.degree(den, x) or any(k != 1 for k in poles.values()):
                return None
            dden = sp.diff(den, x)
            upper = {p: sp.nsimplify(2 * sp.pi * sp.I * num.subs(x, p) / dden.subs(x, p)) for p in poles if sp.im(p) > 0}
            lower = {p: sp.nsimplify(-2 * sp.pi * sp.I * num.subs(x, p) / dden.subs(x, p)) for p in poles if sp.im(p) < 0}
            total = sp.log(A)
            for p, w in upper.items():
                pc = sp.conjugate(p)
                if pc not in lower or sp.simplify(lower[pc] - w) != 0 or not w.is_real:
                    return None
                total += w * sp.log(sp.factor(sp.expand((p - rc) * (pc - r))))
    except (StepTimeout, Exception):
        return None
    return sp.expand_log(total, force=False) if total.is_real is not False else None


def total_mass(model: Model, by_transform: bool = True):
    """The density's integral over the support by Euler's integrals, or ``None``: one step of the
    law's transform (its value at exponent 0), so a typed density's normalization costs no
    separate ``integrate``. ``by_transform=False``: the density's own Euler integral only (no
    symbolic exponent; cheaper when nothing else will ask for the transform)."""
    found = _transform(model, None) if by_transform else None
    if found is None:  # no transform (a t kernel has no MGF): the density's own integral
        x, sup = model.data[0], model.support[0]
        if type(sup).__name__ != "IntervalSupport":
            return None
        found = _euler_of(model.log_density, x, sup.lo, sup.hi)
        if found is None or not _conditions_hold(found[1], {}, model):
            return None
        return found[0]
    hook, conds = found
    exps = (hook.t,) if hasattr(hook, "t") else hook.exponents
    zero = {e: sp.S.Zero for e in exps}
    if not _conditions_hold(conds, zero, model):
        return None
    return hook.value.xreplace(zero)


def _binomial_base(ell: sp.Expr, x: sp.Symbol):
    """The one base ``d + c x^r`` (``d``, ``c`` free of ``x``, ``d != 0``) whose log the
    log-density has with a parameter-dependent coefficient (Lomax, beta-prime, Burr), or ``None``."""
    found = set()
    # in the form the statistics take (:func:`_expand` combines each log's argument first)
    for lg in sp.expand_log(_tidy_logs(ell), force=True).atoms(sp.log):
        b = sp.expand(lg.args[0])
        if b.is_Add and b.has(x):
            d, xs = b.as_independent(x, as_Add=True)
            c, rest = xs.as_independent(x, as_Add=False)
            if d != 0 and (rest == x or (rest.is_Pow and rest.base == x and not rest.exp.has(x))):
                found.add(b)
    return found.pop() if len(found) == 1 else None


def _conditions_hold(conds, sub: dict, model: Model) -> bool:
    for c in conds:
        c = c.xreplace(sub) if hasattr(c, "xreplace") else c
        if _condition_value(c, model) is not True:
            return False
    return True


def _from_transform(t: sp.Expr, model: Model, limit: float | None):
    """``(E[t], source)`` from the law's transform (:func:`_transform`), or ``None``.

    Mellin: ``t = X^a (1-X)^b log(X)^m log(1-X)^n`` is a derivative at ``s = a, t = b``;
    MGF: ``t = Z^k exp(cZ)`` is ``M^(k)(c)``. The integral's conditions must hold at the
    point (else the moment does not exist, and ``None`` leaves it to the next route).
    """
    found = _transform(model, limit)
    if found is None:
        return None
    hook, conds = found
    from .model import MGF, PowerMoments

    if isinstance(hook, MGF):
        x = model.data[0]
        k, c = 0, sp.S.Zero
        for f in sp.Mul.make_args(t):
            b, e = f.as_base_exp()
            if b == x and e.is_Integer and e > 0:
                k += int(e)
            elif isinstance(f, sp.exp):
                cc = sp.expand(f.args[0]) / x
                if cc.has(x):
                    return None
                c += cc
            else:
                return None
        if not _conditions_hold(conds, {hook.t: c}, model):
            return None
        if c == 0:
            v = _mgf_moment(hook, k)
        else:
            v = _derivative_chain(hook.value, hook.t, k).subs(hook.t, c)
        return v, "moment-generating function (found once for the law)"
    x = model.data[0]
    if isinstance(hook.bases[0], sp.Abs):  # (|w| is w itself for a positive w: not this case)
        # the even law's transform in |z|: a statistic of even powers of z and powers of |z| is one of
        # |z| (z^(2j) = |z|^(2j)), matched with z standing for |z|; an odd power is not in this transform
        t = _as_powers_of_abs(t, x)
        if t is None:
            return None
        hook = PowerMoments((x,) + tuple(hook.bases[1:]), hook.exponents, hook.value)
    v = _match_transform(t, hook, conds, model)
    return None if v is None else (v, "Mellin transform (found once for the law)")


def _match_transform(t: sp.Expr, hook, conds, model: Model):
    """``E[t]`` from a joint Mellin transform ``hook`` whose integral holds under ``conds``, or ``None``."""
    v = _match_power_moments(t, hook)
    if v is None:
        rescaled = _rescale_bases(t, hook, model.data[0])
        if rescaled is None:
            return None
        total = sp.S.Zero
        for term in sp.Add.make_args(rescaled):  # not split_statistics: it would recombine the logs
            c, tt = term.as_independent(*model.data, as_Add=False)
            r = sp.S.One if tt == 1 else _match_transform(tt, hook, conds, model)
            if r is None:
                return None
            total += c * r
        return total
    powers = _mellin_point(t, hook)
    if powers is None or not _conditions_hold(conds, dict(zip(hook.exponents, powers)), model):
        return None
    return v


def _as_powers_of_abs(t: sp.Expr, x: sp.Symbol):
    """``t`` with ``|x|`` written ``x`` when every other power of ``x`` in it is even (``z^2/(nu + z^2)``,
    ``|z|^3``, ``log|z|``), so that ``x`` stands for ``|x|``; ``None`` for an odd power or a log of ``x``."""
    for f in sp.Mul.make_args(t):
        b, e = f.as_base_exp()
        if b == x and not (e.is_Integer and e % 2 == 0):
            return None
        arg = b.args[0] if isinstance(b, sp.log) else None
        if arg is not None and arg.has(x) and not arg.has(sp.Abs) and arg.xreplace({x: -x}) != arg:
            return None  # the log of a function of z that is not even: not a statistic of |z|
    return t.xreplace({sp.Abs(x): x})


def _rescale_bases(t: sp.Expr, pm, x: sp.Symbol):
    """``t`` with each log or power of ``k b`` (``b`` a base of the transform, ``k`` free of the
    data) written through ``b``: ``log(l^c + x^c) = c log l + log(1 + x^c/l^c)``; ``None`` if
    nothing is rescaled."""
    bases = [sp.expand(b) for b in pm.bases]
    sub = {}
    for e in t.atoms(sp.log, sp.Pow):
        arg = e.args[0] if isinstance(e, sp.log) else e.base
        if not arg.has(x) or sp.expand(arg) in bases:
            continue
        for b in bases:
            k = sp.cancel(arg / b)
            if not k.has(x):
                sub[e] = sp.log(k) + sp.log(b) if isinstance(e, sp.log) else k**e.exp * b**e.exp
                break
    if not sub:
        return None
    out = sp.expand(t.xreplace(sub))
    return None if _match_power_moments(out, pm) is None and out.is_Mul else out


# -- score identities: E[d ell/dc] = 0 and E[d2 ell/dc2 + (d ell/dc)^2] = 0 --------------
def _score_identities(model: Model, limit: float | None) -> dict:
    """Expectations that follow from differentiating the normalization in each parameter.

    For every parameter or constant ``c`` that the support does not involve,
    ``E[d ell/dc] = 0`` and ``E[d^2 ell/dc^2 + (d ell/dc)^2] = 0``; expanded into statistics
    these are linear equations in the unknown ``E[t]`` (for an exponential family they are
    ``E[T] = grad A`` and ``Var T = Hess A``). Solved once per model; only the expectations
    the equations determine uniquely are kept.
    """
    key = ("identities", model.key())
    if key in _CACHE:
        return _CACHE[key]
    out: dict = {}
    _CACHE[key] = out
    x = model.data[0]
    ell = sp.expand_log(model.log_density, force=True)
    symbols = [c for c in model.params + model.constants
               if c in ell.free_symbols and c not in model.support[0].free_symbols and not c.is_integer]
    unknowns: dict = {}
    equations = []

    def linear(expr):
        total = sp.S.Zero
        for t, c in split_statistics(expr, (x,)).items():
            if t == 1:
                total += c
            else:
                u = unknowns.setdefault(t, sp.Dummy("E"))
                total += c * u
        return total

    try:
        with time_limit(_sub_limit(limit), "score identities"):
            for c in symbols:
                d1 = derivative(ell, c)
                d2 = derivative(d1, c)
                equations.append(linear(d1))
                equations.append(linear(d2 + sp.expand(d1**2)))
            if not unknowns:
                return out
            syms = list(unknowns.values())
            if _nothing_determined(equations, syms, model):
                return out
            sol = sp.linsolve(equations, syms)
            if not sol or sol == sp.S.EmptySet:
                return out
            (values,) = tuple(sol)
            for t, u, v in zip(unknowns, syms, values):
                if not (v.free_symbols & set(syms)):
                    out[t] = _finish(sp.simplify(v))
    except (StepTimeout, Exception):
        pass
    return out


def _nothing_determined(equations: list, unknowns: list, model: Model) -> bool:
    """Whether no unknown of the linear system is determined at two seeded points of the parameter domains (its
    coefficient matrix's null space, by SVD, touches every unknown there): a filter before the exact solve, which
    costs a second where the coefficients hold polygammas (the t law's identities determine nothing). ``False``
    decides nothing: ``linsolve`` does; a point where the numbers are not finite says ``False``."""
    import numpy as np

    from .domain_points import random_points

    A, _ = sp.linear_eq_to_matrix(equations, unknowns)
    free = sorted(A.free_symbols, key=sp.default_sort_key)
    try:
        points = random_points(free, dict(model.domains), 2) if free else [{}]
        for pt in points:
            M = np.array(A.xreplace(pt).evalf(20).tolist(), dtype=float)
            if not np.all(np.isfinite(M)):
                return False
            sv = np.linalg.svd(M, compute_uv=False) if M.size else np.zeros(0)
            if sv.size and sv.max() == 0:
                continue  # nothing constrains anything
            rank = int((sv > 1e-9 * sv.max()).sum()) if sv.size else 0
            V = np.linalg.svd(M)[2]
            null = V[rank:]
            # u_j is determined where every null vector has no component j
            if null.shape[0] == 0 or np.any(np.abs(null).max(axis=0) < 1e-8):
                return False
    except (TypeError, ValueError, np.linalg.LinAlgError):
        return False
    return True


def _single_base_mellin(t: sp.Expr, model: Model, limit: float | None) -> sp.Expr | None:
    """E[t] for ``t = b^a log(b)^m`` from ``M(s) = E[b^s]``, integrated once per base ``b``."""
    x = model.data[0]
    base = None
    power, logs = sp.S.Zero, 0
    for f in sp.Mul.make_args(t):
        b, e = f.as_base_exp()
        if isinstance(b, sp.log):
            b, k = b.args[0], e
            if not (k.is_Integer and k > 0):
                return None
            logs += int(k)
            e = sp.S.Zero
        if e.has(x) or not b.has(x) or (base is not None and sp.expand(b - base) != 0):
            return None
        base = b
        power += e
    if base is None:
        return None
    if not base.is_polynomial(x) or sp.degree(base, x) != 1:  # x, 1 + z, lam + x: linear bases only
        return None
    s = sp.Dummy("s")
    key = ("mellin", model.key(), sp.srepr(base))
    if key not in _CACHE:
        M = None
        c1 = sp.diff(base, x)
        u = sp.Dummy("u", positive=True)
        sup = model.support[0]
        ends = sorted([base.subs(x, sup.lo), base.subs(x, sup.hi)], key=lambda e: e == sp.oo)
        # u = base(x) ranges over a positive half-line or interval: E[u^s] in closed form
        if c1.is_positive or c1.is_negative:
            ell_u = model.log_density.subs(x, (u - (base - c1 * x)) / c1) - sp.log(sp.Abs(c1))
            try:
                with time_limit(_sub_limit(limit), f"E[({base})^s]"):
                    f_u = clean_density(ell_u)
                    lo, hi = (ends[0], ends[1]) if c1.is_positive or ends[1] == sp.oo else (ends[1], ends[0])
                    if lo.is_nonnegative or lo.is_positive:
                        M = sp.integrate(sp.powsimp(u**s * f_u, force=True), (u, lo, hi))
                        if M.has(sp.Integral) and not (isinstance(M, sp.Piecewise) and not M.args[0][0].has(sp.Integral)):
                            M = None
            except (StepTimeout, Exception):
                M = None
        _CACHE[key] = (s, M)
    s, M = _CACHE[key]
    if M is None:
        return None
    v = _derivative_chain(M, s, logs) if logs else M
    v = v.subs(s, power)
    try:
        v = resolve_piecewise(v, model, f"E[{t}]")
    except ExpectationError:
        return None
    if v.has(sp.oo, -sp.oo, sp.zoo, sp.nan, sp.Integral):
        return None
    return v


def _cdf_rep(model: Model, limit):
    if len(model.data) != 1 or model.support[0].is_finite() or type(model.support[0]).__name__ != "IntervalSupport":
        return None
    x = model.data[0]
    if any(isinstance(a, (sp.Abs, sp.sign, sp.Heaviside, sp.Piecewise)) and a.has(x)
           for a in model.log_density.atoms(sp.Function, sp.Piecewise)):
        return None  # a kink in the density: its CDF is piecewise, which the inverse route refuses anyway
    key = ("cdf", model.key())
    if key not in _CACHE:
        from .standardize import cdf_representation

        _CACHE[key] = cdf_representation(model, _sub_limit(limit))
    return _CACHE[key]
