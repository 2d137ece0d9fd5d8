"""Laws of several data variables: the joint moment-generating function, by Fubini.

A density of several data variables ``x_1, ..., x_d`` (a bivariate normal typed as a user
would) has no moment table of its own. Its joint transform

    M(t) = E[exp(t . X)] = int ... int exp(t . x + log f(x)) dx_d ... dx_1

is taken once, one variable at a time from the last (Fubini: the integrand is non-negative),
each inner integral by Euler's integrals (:mod:`symfisher.euler`; Gauss's
``int exp(-a x^2 + b x) dx = sqrt(pi/a) exp(b^2/(4a))`` leaves an exponent that is again
quadratic in the remaining variables), with the conditions of each integral (``a > 0``) decided on
the parameter domains and their joint constraints. Then

* the total mass is ``M(0)`` (the normalization proof of a typed joint density);
* ``E[x_1^k_1 ... x_d^k_d]`` is the mixed derivative of ``M`` at ``t = 0``, so every polynomial
  statistic (the score's outer product, the log-ratio of a KL divergence) needs no integral.

``None`` wherever a step is not one of Euler's integrals: the expectation engine then says that
it has no route. Reference: Billingsley, *Probability and Measure*, 3rd ed. (1995), Theorem 18.3
(Fubini) and §30 (moments from the moment-generating function).
"""
from __future__ import annotations

import sympy as sp

from .expectation_base import _CACHE, _condition_value
from .limits import StepFailed, StepTimeout, time_limit
from .model import Model

__all__ = ["joint_transform", "joint_moment", "joint_total_mass", "multinomial_transform", "gauss_parts", "on_constraints",
           "real_on_constraints", "simplex_power_moments"]

_LIMIT = 6.0  # seconds for the iterated integral, once per law
# how the transform was found (shown in the normalization step)
GAUSS_ND = ("Gauss's integral over the whole space: the log-density is quadratic in the data with a positive "
            "definite matrix (Sylvester's criterion), int exp(-x^T P x/2 + b^T x) dx = (2 pi)^(d/2) "
            "det(P)^(-1/2) exp(b^T P^(-1) b/2)")
FUBINI = "one variable at a time, the last first (Fubini: the density is non-negative), each by Euler's integrals"
GRID = "an exact sum over every point of the product of the finite supports"
_MAX_GRID = 4096  # points of a product of finite supports summed exactly
DIRICHLET = ("Dirichlet's integral over the simplex x_1 + ... + x_m < c: int prod x_k^(a_k - 1) (c - sum x)^(a_K - 1) dx "
             "= c^(a_1 + ... + a_K - 1) prod Gamma(a_k)/Gamma(a_1 + ... + a_K), the log-density being linear in the "
             "log x_k and log(c - sum x) (Whittaker & Watson, A Course of Modern Analysis (1927), §12.5)")
MULTINOMIAL = ("the multinomial theorem over the counts with x_1 + ... + x_m <= n: sum n!/(x_1! ... x_m! (n - sum x)!) "
               "z_1^x_1 ... z_m^x_m = (1 + z_1 + ... + z_m)^n, the log-density being -sum log x_k! - log (n - sum x)! "
               "plus a linear function of the counts")


def _key(model: Model) -> tuple:
    canon = {x: sp.Symbol(f"_x{i}", **x.assumptions0) for i, x in enumerate(model.data)}
    return ("joint transform", sp.srepr(model.log_density.xreplace(canon)), ";".join(map(str, model.support)),
            tuple(map(str, model.meta_value("constraints", ()))))


def joint_transform(model: Model, limit: float | None = None):
    """``(t, log M(t), how)`` for a law of several continuous data variables, ``t`` one real symbol per
    data variable, ``how`` :data:`GAUSS_ND` or :data:`FUBINI`, or ``None`` (a step that is not one of Euler's integrals, or a condition the
    domains do not decide). Found once per law."""
    if len(model.data) < 2:
        return None
    if model.meta_value("data_constraints", ()):
        # the support is not the product of the supports (a simplex): no iterated integral over that product;
        # counts on a simplex whose weights are multinomial coefficients have the multinomial theorem
        found = multinomial_transform(model, limit)
        return found[:3] if found is not None else None
    if any(type(s).__name__ != "IntervalSupport" for s in model.support):
        return None
    key = _key(model)
    if key in _CACHE:
        return _CACHE[key]
    found = None
    try:
        with time_limit(min(_LIMIT, limit) if limit else _LIMIT, "joint moment-generating function"):
            found = _iterated(model)
    except (StepTimeout, StepFailed):
        found = None
    except (ArithmeticError, TypeError, ValueError, NotImplementedError, sp.PolynomialError):
        found = None  # a kernel Euler's integrals mis-read: no transform
    _CACHE[key] = found
    return found


def _cached(key, build, limit=None):
    """``build()`` once per key, ``None`` on a timeout or a kernel it mis-read (remembered too)."""
    if key not in _CACHE:
        try:
            with time_limit(min(_LIMIT, limit) if limit else _LIMIT, "the transform over the simplex"):
                _CACHE[key] = build()
        except (StepTimeout, StepFailed, ArithmeticError, TypeError, ValueError, NotImplementedError,
                sp.PolynomialError):
            _CACHE[key] = None
    return _CACHE[key]


# -- supports on a simplex (a data constraint x_1 + ... + x_m < c or <= c) -----------------------------
def _simplex(model: Model):
    """``(c, L)`` when the declared data constraints are one relation ``x_1 + ... + x_m < c`` (or ``<=``)
    over all the data variables, ``c`` free of the data and the parameters, and every support starts at 0;
    ``L = c - sum x`` (the last coordinate). ``None`` otherwise."""
    cons = model.meta_value("data_constraints", ())
    if len(cons) != 1 or not isinstance(cons[0], sp.core.relational.Relational):
        return None
    r = cons[0]
    small, big = (r.rhs, r.lhs) if isinstance(r, (sp.StrictGreaterThan, sp.GreaterThan)) else (r.lhs, r.rhs)
    xs = tuple(model.data)
    gap = sp.expand(big - small)
    if any(sp.diff(gap, x) != -1 for x in xs):
        return None
    c = sp.expand(gap + sp.Add(*xs))
    if c.has(*xs) or c.free_symbols & set(model.params) or any(getattr(s, "lo", None) != 0 for s in model.support):
        return None
    return c, c - sp.Add(*xs)


def on_simplex(expr: sp.Expr, model: Model) -> sp.Expr | None:
    """``expr`` with the last coordinate ``c - sum x`` of a simplex support (:func:`_simplex`) written as one
    positive symbol (a non-negative integer one for counts), so that SymPy's assumptions see its sign; ``None``
    when the support is not a simplex."""
    found = _simplex(model)
    if found is None:
        return None
    _, L = found
    integer = all(type(s).__name__ == "IntegerSupport" for s in model.support)
    g = sp.Dummy("L", integer=True, nonnegative=True) if integer else sp.Dummy("L", positive=True)
    return expr.replace(lambda e: e.is_Add and e.has(*model.data) and sp.expand(e - L) == 0, lambda e: g)


def _log_atoms(ell, args: list, wrap=lambda a: a):
    """``ell`` with each ``log(wrap(a))`` for ``a`` in ``args`` (compared expanded) as a fresh symbol, and the
    symbols."""
    us = [sp.Dummy(f"u{k}") for k in range(len(args))]
    want = [sp.expand(wrap(a)) for a in args]

    def which(e):
        if not isinstance(e, sp.log):
            return None
        got = sp.expand(e.args[0])
        return next((u for u, w in zip(us, want) if got == w), None)

    return ell.replace(lambda e: which(e) is not None, lambda e: which(e)), us


def simplex_power_moments(model: Model):
    """The joint Mellin transform ``E[prod x_k^s_k (c - sum x)^s_K]`` (a :class:`~symfisher.model.PowerMoments`)
    of a law on the simplex ``x_1 + ... + x_m < c`` whose log-density is ``K + sum e_k log x_k + e_K log(c - sum x)``
    (``K``, ``e_k`` free of the data, each ``e_k + 1 > 0`` on the domains), by Dirichlet's integral
    (:data:`DIRICHLET`); with the total mass, ``(pm, mass)``, or ``None``. Found once per law."""
    if len(model.data) < 2 or any(type(s).__name__ != "IntervalSupport" for s in model.support):
        return None
    return _cached(("dirichlet transform", _key(model)), lambda: _dirichlet(model))


def _dirichlet(model: Model):
    from .model import PowerMoments

    found = _simplex(model)
    if found is None:
        return None
    c, L = found
    if _decided(sp.StrictGreaterThan(c, 0), model) is not True:
        return None
    xs = tuple(model.data)
    lg = [a for a in model.log_density.atoms(sp.log) if sp.expand(a.args[0] - L) == 0]
    base_L = lg[0].args[0] if lg else L  # the last coordinate as the density writes it (the statistics do too)
    E, us = _log_atoms(sp.expand(model.log_density), list(xs) + [L])
    if E.has(*xs):
        return None
    e = [sp.expand(sp.diff(E, u)) for u in us]
    if any(ek.has(*us) for ek in e):
        return None
    K = E.xreplace({u: sp.S.Zero for u in us})
    a = [ek + 1 for ek in e]
    if any(_decided(sp.StrictGreaterThan(ak, 0), model) is not True for ak in a):
        return None
    A = sp.Add(*a)
    # log Gamma(z) = log(Gamma(z)) for z > 0 (the principal branch agrees on the positive axis): the constant then
    # cancels against Dirichlet's Gamma functions
    K = K.replace(lambda e: isinstance(e, sp.loggamma) and _decided(sp.StrictGreaterThan(e.args[0], 0), model) is True,
                  lambda e: sp.log(sp.gamma(e.args[0])))
    mass = _mass(K + (A - 1) * sp.log(c) + sp.Add(*[sp.log(sp.gamma(ak)) for ak in a]) - sp.log(sp.gamma(A)))
    ss = tuple(sp.Dummy(f"s_{k}", real=True) for k in range(len(a)))
    S = sp.Add(*ss)
    value = (mass * c**S * sp.gamma(A) / sp.gamma(A + S)
             * sp.Mul(*[sp.gamma(ak + sk) / sp.gamma(ak) for ak, sk in zip(a, ss)]))
    return PowerMoments(xs + (base_L,), ss, value), mass


def multinomial_transform(model: Model, limit: float | None = None):
    """``(t, log M(t), MULTINOMIAL, (a_k), n)`` (found once per law) for counts on ``x_1 + ... + x_m <= n`` whose log-density is
    ``K + sum a_k x_k - sum log x_k! - log(n - sum x)!`` (``K``, ``a_k`` free of the data): by the multinomial
    theorem ``M(t) = exp(K) (1 + sum exp(a_k + t_k))^n / n!``."""
    if len(model.data) < 2:
        return None
    return _cached(("multinomial transform", _key(model)), lambda: _multinomial(model), limit)


def _multinomial(model: Model):
    found = _simplex(model)
    if found is None or any(type(s).__name__ != "IntegerSupport" for s in model.support):
        return None
    n, L = found
    if not (n.is_integer and n.is_nonnegative):
        return None
    xs = tuple(model.data)
    ell = sp.expand(model.log_density).replace(lambda e: isinstance(e, sp.loggamma),
                                               lambda e: sp.log(sp.factorial(e.args[0] - 1)))
    E, us = _log_atoms(ell, list(xs) + [L], wrap=sp.factorial)
    if any(sp.expand(sp.diff(E, u)) != -1 for u in us):
        return None
    rest = sp.expand(E.xreplace({u: sp.S.Zero for u in us}))
    a = [sp.diff(rest, x) for x in xs]
    if any(ak.has(*xs) for ak in a):
        return None
    K = rest.xreplace({x: sp.S.Zero for x in xs})
    ts = tuple(sp.Dummy(f"t_{x.name}", real=True) for x in xs)
    logM = (K - sp.log(sp.factorial(n))
            + n * sp.log(1 + sp.Add(*[sp.exp(ak + t) for ak, t in zip(a, ts)])))
    return ts, logM, MULTINOMIAL, tuple(a), n


def _iterated(model: Model):
    from .expectation_routes import _euler_of

    ts = tuple(sp.Dummy(f"t_{x.name}", real=True) for x in model.data)
    zero = {t: sp.S.Zero for t in ts}
    E = model.log_density + sp.Add(*[t * x for t, x in zip(ts, model.data)])
    whole = _gauss_nd(ts, model)
    if whole is not None:
        return ts, whole, GAUSS_ND
    for x, sup in reversed(list(zip(model.data, model.support))):
        found = _euler_of(E, x, sup.lo, sup.hi)
        if found is None:
            return None
        value, conds = found
        # the moments are derivatives at t = 0: the integral must exist there (and so near it)
        for c in conds:
            c = c.xreplace(zero) if hasattr(c, "xreplace") else c
            if _decided(c, model) is not True:
                return None
        E = sp.expand(sp.expand_log(sp.log(value), force=True))
        if E.has(sp.Integral, sp.I, sp.nan, sp.zoo):
            return None
        E = _collected(E, [y for y in model.data if y != x and E.has(y)] + list(ts))
    if E.has(*model.data):
        return None
    return ts, E, FUBINI


def _gauss_parts(model: Model, key=None):
    """``(c, b, P^-1, log det P)`` of ``log f = -x^T P x / 2 + b^T x + c`` when the log-density is quadratic in
    all the data on the whole space with ``P`` positive definite (its leading minors positive, Sylvester's
    criterion, decided on the domain and constraints; the last minor is the determinant); ``None`` otherwise.
    Read once per law (the normalization and the transform share it): ``log f + t . x`` has the same ``P``
    and ``c``, and ``b + t``."""
    key = ("gauss parts", _key(model) if key is None else key)
    if key not in _CACHE:
        _CACHE[key] = _read_gauss(model)
    return _CACHE[key]


def gauss_parts(model: Model):
    """``(P, P^-1, b)`` of ``log f = -x^T P x / 2 + b^T x + c`` on the whole space with ``P`` positive definite
    (proven, :func:`_gauss_parts`), or ``None``: the Gaussian structures read their matrix form off it."""
    parts = _gauss_parts(model)
    if parts is None:
        return None
    _, b, inv, _ = parts
    xs = tuple(model.data)
    grad = [sp.diff(model.log_density, x) for x in xs]
    P = sp.Matrix(len(xs), len(xs), lambda i, j: sp.cancel(-sp.diff(grad[i], xs[j])))
    return P, inv, b


def _read_gauss(model: Model):
    xs = tuple(model.data)
    E = model.log_density
    if any(s.lo != -sp.oo or s.hi != sp.oo for s in model.support) or not E.is_polynomial(*xs):
        return None
    zero = {x: sp.S.Zero for x in xs}
    grad = [sp.diff(E, x) for x in xs]
    H = sp.Matrix(len(xs), len(xs), lambda i, j: sp.diff(grad[i], xs[j]))
    if any(h.has(*xs) for h in H):
        return None  # of a higher degree in the data
    P = (-H).applyfunc(sp.cancel)
    minor = None
    for k in range(1, len(xs) + 1):
        minor = sp.cancel(P[:k, :k].det())
        if _decided(sp.StrictGreaterThan(minor, 0), model) is not True:
            return None
    b = sp.Matrix([g.xreplace(zero) for g in grad])
    c = E.xreplace(zero)
    det = sp.factor(minor)  # the last leading minor: det P
    num, den = sp.fraction(det)
    if num.is_number and num.is_negative:  # -1/(s^2 (r - 1)(r + 1)): both sides positive once negated
        num, den = -num, -den
    positive = all(_decided(sp.StrictGreaterThan(v, 0), model) is True for v in (num, den) if not v.is_number)
    logdet = sp.log(num) - sp.log(den) if positive else sp.log(det)  # both positive: the quotient's log splits
    inv = P.adjugate().applyfunc(lambda e: sp.cancel(e / det))
    return c, b, inv, logdet


def _gauss_log_mass(parts, d: int, t=None):
    """``log int_{R^d} exp(-x^T P x / 2 + (b + t)^T x + c) dx = c + (b + t)^T P^-1 (b + t) / 2 + (d/2) log 2 pi
    - log det P / 2`` from :func:`_gauss_parts` (``t`` a vector of symbols, or ``None`` for ``t = 0``)."""
    c, b, inv, logdet = parts
    bt = b if t is None else b + sp.Matrix(t)
    n = len(bt)  # the quadratic form summed out (Matrix products call dotprodsimp on symbolic entries)
    quad = sp.Add(*[bt[i] * inv[i, j] * bt[j] for i in range(n) for j in range(n)]) / 2
    quad = quad if t is None else sp.expand(quad)  # a polynomial in t, for _collected
    return c + quad + sp.Rational(d, 2) * sp.log(2 * sp.pi) - logdet / 2


def _gauss_nd(ts, model: Model):
    """``log int_{R^d} exp(log f + t . x) dx`` when the log-density is quadratic in all the data on the whole
    space (:func:`_gauss_parts`): the iterated Gauss integrals in one step, ``c + (b + t)^T P^-1 (b + t) / 2 +
    (d/2) log 2 pi - log det P / 2``, valid when ``P`` is positive definite; ``None`` otherwise (the integrals
    one by one)."""
    parts = _gauss_parts(model)
    if parts is None:
        return None
    return _collected(_gauss_log_mass(parts, len(model.data), ts), list(ts))


def _collected(E, variables):
    """The exponent as a polynomial in the remaining variables with each coefficient over one
    denominator (``cancel``): Gauss's ``b^2/(4a)`` multiplies the next integral's coefficients out
    into long sums of fractions otherwise. Logs of the parameters alone stay as they are."""
    const, var = E.as_independent(*variables, as_Add=True)
    if not variables or not var.is_polynomial(*variables):
        return E
    terms = {}
    for t in sp.Add.make_args(var):
        c, mono = t.as_independent(*variables, as_Add=False)
        terms[mono] = terms.get(mono, sp.S.Zero) + c
    return const + sp.Add(*[sp.factor(sp.cancel(c)) * mono for mono, c in terms.items()])


def _gaps(model: Model) -> dict:
    """Each strict joint constraint's gap (``b - a`` of ``a < b``), factored and expanded, and its negative,
    -> one positive symbol (minus it): the substitution of :func:`on_constraints`. Found once per set of
    constraints."""
    constraints = tuple(model.meta_value("constraints", ()))
    if not constraints:
        return {}
    key = ("constraint gaps", constraints)
    if key not in _CACHE:
        _CACHE[key] = _gaps_of(constraints)
    return _CACHE[key]


def _gaps_of(constraints) -> dict:
    gaps = {}
    for c in constraints:
        if not isinstance(c, (sp.StrictLessThan, sp.StrictGreaterThan)):
            continue
        g = sp.factor(c.gts - c.lts)
        D = sp.Dummy("D", positive=True)
        gaps.update({g: D, sp.expand(g): D, -g: -D, sp.expand(-g): -D})
    return gaps


def on_constraints(expr: sp.Expr, model: Model) -> sp.Expr:
    """``expr`` with each joint constraint's gap (``b - a`` of ``a < b``: ``sigma_11 sigma_22 - sigma_12^2``
    of ``sigma_12^2 < sigma_11 sigma_22``), as it appears in the factored expression, written as a positive
    symbol: SymPy's assumptions can then read signs the constraints decide (``sigma_11/(2 D) > 0``).
    Sound for a sign: every point of the constrained domain has a positive gap."""
    gaps = _gaps(model)
    if not gaps:
        return expr
    def fac(e):
        return sp.factor(e) if e.is_Add else e

    return sp.factor(expr).replace(lambda e: e.is_Add, fac).xreplace(gaps)


def _gaps_as_typed(expr: sp.Expr, model: Model, gaps: dict | None = None) -> sp.Expr:
    """``expr`` with each sum that is a positive multiple of a joint constraint's gap, as it stands (``log(1 - p_1 -
    p_2)``, ``1/(2 sigma_11 sigma_22 - 2 sigma_12^2)``), written as that multiple of a positive symbol: what
    :func:`on_constraints` does, without factoring ``expr`` first (sound for the same reason)."""
    gaps = {g: D for g, D in (_gaps(model) if gaps is None else gaps).items() if D.is_positive}
    if not gaps:
        return expr
    names = {frozenset(g.free_symbols) for g in gaps}

    def positive(e):
        if frozenset(e.free_symbols) not in names:  # no gap has these symbols
            return e
        c, prim = e.as_content_primitive()
        D = gaps.get(prim)
        if D is None:
            D = gaps.get(sp.expand(prim))
        return c * D if D is not None and c.is_positive else e

    return expr.replace(lambda e: e.is_Add, positive)


def real_on_constraints(model: Model) -> bool:
    """Whether every term of the log-density is real once each joint constraint's gap (or a positive multiple
    of it), where it stands, is a positive symbol (:func:`_gaps_as_typed`): then the density, ``exp`` of a real
    number, is non-negative on the constrained domain. ``False`` when a term is not decided so."""
    gaps = _gaps(model)
    if not gaps:
        return False
    logf = _gaps_as_typed(model.log_density, model, gaps)
    return all(t.is_extended_real is True for t in sp.Add.make_args(logf))


def _decided(cond, model: Model):
    """Whether a condition ``lhs > 0`` (``<``) of an integral holds on the domain: proven by the assumptions once
    the joint constraints are positive symbols (:func:`on_constraints`), or once each bounded parameter is written
    through a positive one (``r = -1 + 2u/(1 + u)`` on (-1, 1): ``1 - r^2 = 4u/(1 + u)^2``,
    :func:`symfisher.derive.signs._positive_form`'s map, onto the domain); else by the domains' points."""
    if isinstance(cond, (sp.StrictGreaterThan, sp.StrictLessThan)):
        try:
            gap = cond.gts - cond.lts
            if gap.is_positive:
                return True
            if model.meta_value("constraints", ()):
                if _gaps_as_typed(gap, model).is_positive or on_constraints(gap, model).is_positive:
                    return True
            elif _positive_onto_domains(gap, model):
                return True
        except (TypeError, ValueError, sp.PolynomialError):
            pass
    return _condition_value(cond, model)


def _positive_onto_domains(e, model: Model) -> bool:
    from .derive.signs import _onto_domains, _readable_signs

    sub = {s: v for s, v in _onto_domains(model).items() if s not in model.data}
    if not (sub and e.free_symbols & set(sub)):
        return False
    g = e.xreplace(sub)
    return _readable_signs(g).is_positive is True or sp.factor(sp.together(g)).is_positive is True


def _grid(model: Model):
    """Every point of a product of finite supports (with numeric values), or ``None``."""
    import itertools

    if len(model.data) < 2 or model.meta_value("data_constraints", ()):
        return None
    if not all(s.is_finite() and not s.free_symbols for s in model.support):
        return None
    sizes = [len(s.points()) for s in model.support]
    if sp.prod(sizes) > _MAX_GRID:
        return None
    return list(itertools.product(*[s.points() for s in model.support]))


def _grid_sum(g, model: Model, grid):
    """``sum_x g(x) f(x)`` over the grid, over one denominator."""
    from .simplify import abstracting_exponents

    f = model.density
    v = sp.Add(*[(g * f).subs(dict(zip(model.data, pt))) for pt in grid])
    return abstracting_exponents(v, lambda e: sp.factor(sp.cancel(sp.together(e))))


def joint_total_mass(model: Model, limit: float | None = None):
    """``(M(0), how)``: the density's integral over the product of the supports, simplified, and how it was
    found; or ``None``."""
    grid = _grid(model)
    if grid is not None:
        try:
            with time_limit(limit or _LIMIT, "the sum over the product of the supports"):
                return _grid_sum(sp.S.One, model, grid), GRID
        except StepTimeout:
            return None
    pm = simplex_power_moments(model)
    if pm is not None:
        return pm[1], DIRICHLET
    key = _key(model)
    if _CACHE.get(key) is None:  # no transform at hand: Gauss's integral at t = 0 alone, when it applies
        try:
            with time_limit(min(_LIMIT, limit) if limit else _LIMIT, "Gauss's integral over the whole space"):
                parts = _gauss_parts(model, key)
        except (StepTimeout, StepFailed, ArithmeticError, TypeError, ValueError, NotImplementedError,
                sp.PolynomialError):
            parts = None
        if parts is not None:
            return _mass(_gauss_log_mass(parts, len(model.data))), GAUSS_ND
    found = joint_transform(model, limit)
    if found is None:
        return None
    ts, E, how = found
    return _mass(E.xreplace({t: sp.S.Zero for t in ts})), how


def _mass(E0):
    """``exp(E0)`` simplified: first the logs with their arguments factored and positive numbers split off
    (``log(2 a) = log 2 + log a`` for ``a`` of any sign on the principal branch), which cancels the
    constants of Gauss's integrals against the density's own; ``simplify`` only if that leaves something.
    The terms free of logs are tried first on their own (over one denominator, the numerator expanded): when
    it vanishes identically and the logs cancel, ``E0`` is 0 with nothing else expanded."""
    def split(lg):
        c, rest = sp.factor(lg.args[0]).as_independent(*lg.free_symbols, as_Add=False)
        return sp.log(c) + sp.log(rest) if c.is_positive and c != 1 else lg

    logs, rational = [], []
    for term in sp.Add.make_args(E0):
        (logs if term.has(sp.log) else rational).append(term)
    if sp.expand(sp.Add(*rational).as_numer_denom()[0]) == 0:  # the numerator vanishes identically
        L = sp.expand_log(sp.Add(*logs).replace(lambda e: isinstance(e, sp.log), split), force=False)
        if L == 0 or sp.expand(L) == 0:
            return sp.S.One
    E1 = sp.expand(sp.expand_log(E0.replace(lambda e: isinstance(e, sp.log), split), force=False))
    if E1 == 0 or sp.cancel(E1) == 0:
        return sp.S.One
    return sp.simplify(sp.powsimp(sp.exp(E0), force=True))


def joint_moment(stat: sp.Expr, model: Model, limit: float | None = None):
    """``E[stat]`` for a polynomial ``stat`` in the data variables, from the joint transform:
    each monomial ``prod x_i^k_i`` is the mixed derivative ``d^k M / dt^k`` at ``t = 0``; any statistic
    on a (small) product of finite supports, exactly summed; ``None`` for any other statistic or a law
    without a joint transform."""
    data = tuple(model.data)
    grid = _grid(model)
    if grid is not None:
        try:
            with time_limit(limit or _LIMIT, f"E[{stat}] summed over the product of the supports"):
                return _grid_sum(stat, model, grid)
        except StepTimeout:
            return None
    pm = simplex_power_moments(model)
    if pm is not None:
        from .expectation_hooks import _match_power_moments
        from .expectation_routes import _finish

        v = _match_power_moments(stat, pm[0])
        return None if v is None else _finish(v)
    if not stat.is_polynomial(*data):
        return None
    found = joint_transform(model, limit)
    if found is None:
        return None
    ts, E, _ = found
    zero = {t: sp.S.Zero for t in ts}
    key = ("joint base", _key(model))
    if key not in _CACHE:
        _CACHE[key] = _mass(E.xreplace(zero))  # M(0), the total mass
    mass = _CACHE[key]
    Q = E - E.xreplace(zero)  # log M(t) - log M(0)
    total = sp.S.Zero
    for monom, coeff in sp.Poly(stat, *data).terms():
        mkey = ("joint moment", _key(model), monom)
        if mkey not in _CACHE:
            g = sp.exp(Q)
            for t, k in zip(ts, monom):
                if k:
                    g = sp.diff(g, t, k)
            _CACHE[mkey] = sp.factor(sp.cancel(g.xreplace(zero)))
        total += coeff * _CACHE[mkey]
    return mass * total
