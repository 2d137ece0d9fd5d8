"""Models from a user's density or log-density text, through the safe parser.

>>> m = from_density("t*exp(-t*x)", var="x in (0, oo)", params=["t > 0"])
>>> m.params, str(m.support[0])
((t,), '(0, oo)')
"""
from __future__ import annotations

import sympy as sp

from .derive.regularity import check_normalization, check_support
from .derive.signs import _real_on
from .limits import StepFailed, StepTimeout, contained
from .model import Deferred, Model, ModelError, ReservedNameError, _DeferredField
from .standardize import standardize, through_log

__all__ = ["from_density", "from_logpdf"]


def _declare(texts, kind: str) -> list:
    from .parsing import parse_declaration

    out = []
    for text in texts or ():
        name, dom = parse_declaration(text)
        out.append((dom.symbol(name), dom))
    names = [s.name for s, _ in out]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise ModelError(f"{kind} {sorted(dup)[0]!r} is declared twice")
    return out


def _variables(var, known: dict) -> tuple:
    """(multi) The data variables and their supports: ``var`` is one declaration (``"x in R"``), a
    comma-separated list of them (``"x_1 in R, x_2 in R"``), or a list of either (``--var`` repeated)."""
    from .parsing import parse_variable, split_top_level

    texts = [var] if isinstance(var, str) else list(var or ())
    decls = [part for text in texts for part in (split_top_level(text) if isinstance(text, str) else [text])]
    if not decls:
        raise ModelError("the data variable and its support are missing (--var \"x in SUPPORT\")")
    xs, supports = [], []
    for text in decls:
        vname, support = parse_variable(text.strip() if isinstance(text, str) else text, known)
        if vname in known:
            raise ModelError(f"{vname!r} is both a data variable and a parameter or constant")
        if any(x.name == vname for x in xs):
            raise ModelError(f"the data variable {vname!r} is declared twice")
        xs.append(sp.Symbol(vname, **support.variable_assumptions()))
        supports.append(support)
    return tuple(xs), tuple(supports)


def _constraints(texts, known: dict, domains, data=(), params=()) -> tuple:
    """(multi) The joint constraints (``"p_1 + p_2 < 1"``) as the model's ``meta``, parsed safely;
    refused when no point of the declared domains satisfies them all. A constraint relating two or
    more data variables (``x_1 + x_2 < 1``, ``x_1 + x_2 <= n``) bounds the joint support (a simplex,
    the cells of a multinomial): it goes to ``data_constraints``, with no parameter in it (a support
    that moves with a parameter has no Fisher information, docs/specs.md)."""
    from .parsing import ParseError, parse_constraint

    if isinstance(texts, str):
        texts = [texts]
    symbols = dict(known, **{x.name: x for x in data})
    rels = tuple(r for text in texts or () for r in parse_constraint(text, symbols, data=data))
    on_data = tuple(r for r in rels if r.free_symbols & set(data))
    rels = tuple(r for r in rels if r not in on_data)
    for r in on_data:
        xs = sorted(x.name for x in r.free_symbols & set(data))
        if len(xs) < 2:
            raise ParseError(f"a constraint relates the parameters and constants, or two or more data variables: "
                             f"{xs[0]!r} is a data variable alone (its support is declared with --var)")
        moving = sorted(s.name for s in r.free_symbols & set(params))
        if moving:
            raise ModelError(f"the constraint {r} on the data involves the parameter {moving[0]}: the support would "
                             "depend on it (no Fisher information); a data constraint may involve known constants only")
    meta = (("data_constraints", on_data),) if on_data else ()
    if not rels:
        return meta
    from .derive.regularity import DomainMap
    from .domain_points import exact_point, random_points

    doms = DomainMap(domains)
    doms.constraints = rels
    syms = sorted(known.values(), key=lambda s: s.name)
    if exact_point(syms, doms):  # an exact point where random_points draws: no draw needed
        return (("constraints", rels),) + meta
    try:
        random_points(syms, doms, n=1, seed=3)
    except ValueError:
        raise ModelError(f"the constraints {', '.join(map(str, rels))} leave (almost) no point of the declared "
                         "domains: declare domains they can hold on") from None
    return (("constraints", rels),) + meta


def _real(e) -> bool:
    """``e`` is real: read off its parts (:func:`~symfisher.derive.signs._real_on` with no domains: the
    symbols' own assumptions), else asked of SymPy (whose first question about a new expression derives
    every fact of it: milliseconds for ``-(x - mu)^2/(2 sigma^2)``)."""
    return _real_on(e, {}) or e.is_extended_real is True


def _forced_log(expr):
    """``expand_log(log(expr), force=True)``, taken factor by factor: the log of a product is the sum
    of its factors' logs, of a power ``b**k`` it is ``k`` times the log of ``b``, of ``exp(u)`` with ``u``
    real it is ``u`` (the rules the forced expansion applies); anything else goes to ``expand_log`` on
    its own (numbers too: log 4 is 2 log 2). The same result, without ``expand_log``'s pass over every
    product of the whole density (``as_numer_denom`` of each, most of its time in a fresh process)."""
    out = []
    args = sp.Mul.make_args(expr)
    negative = [f for f in args if f.is_negative]
    if negative and len(negative) % 2 == 0:  # -x with x < 0: log(-1) + log(x) is log|x| + 2 pi I; flip each sign
        args = [-f if f.is_negative else f for f in args]
    for f in args:
        if f.is_Pow and _real(f.exp) and not f.exp.has(sp.log):  # (logs inside are expanded too)
            out.append(f.exp * _forced_log(f.base))
        elif isinstance(f, sp.exp) and _real(f.args[0]) and not f.args[0].has(sp.log):
            out.append(f.args[0])
        elif f.is_Symbol or f is sp.pi:
            out.append(sp.log(f))
        else:
            e = sp.expand_log(sp.log(f), force=True)
            # a positive factor whose forced expansion goes through logs of negative ones (log(-x), x < 0): kept whole
            out.append(sp.log(f) if e.has(sp.I) and not f.has(sp.I) and f.is_positive else e)
    return sp.Add(*out)


def _log_of_density(parts, x):  # parts: the density's factors (parse_factors); x: the data variable(s)
    """``log f`` expanded (``expand_log(force=True)``), except that a factor of the parameters
    alone is kept in one log when the forced expansion would split it into logs of negative
    factors, which shows as ``I*pi``: ``-2 atanh(2l - 1)/(1 - 2l)`` is positive on (0, 1), but
    ``log(atanh(2l - 1)) - log(1 - 2l) + I pi`` is off by ``2 pi I`` for ``l < 1/2``. Taken part by
    part: the factors of the parts are the factors of the density."""
    logf = sp.Add(*[_forced_log(p) for p in parts])
    if not logf.has(sp.I) or any(p.has(sp.I) for p in parts):
        return logf
    xs = x if isinstance(x, tuple) else (x,)
    factors = [f for p in parts for f in sp.Mul.make_args(p)]
    const = sp.Mul(*[f for f in factors if not f.has(*xs)])
    rest = sp.expand_log(sp.log(sp.Mul(*[f for f in factors if f.has(*xs)])), force=True)
    return logf if rest.has(sp.I) else sp.log(const) + rest


def _build(text: str, is_log: bool, var, params, consts, name, check: bool, constraints=()) -> Model:
    from .parsing import parse_expression, parse_factors

    pdecl = _declare(params, "parameter")
    cdecl = _declare(consts, "constant")
    if not pdecl:
        raise ModelError("a model needs at least one parameter (--param \"NAME in DOMAIN\")")
    # (typedgaps) the score and the Fisher information differentiate in the parameters: one that takes
    # integer values only has neither (its derivatives would be those of an extension it is not)
    whole = [s for s, d in pdecl if d.integer]
    if whole:
        raise ModelError(f"the parameter {whole[0]} is declared integer-valued: the score and the Fisher information "
                         "need a parameter that varies continuously (declare it on an interval, or as a --const)")
    clash = {s.name for s, _ in pdecl} & {s.name for s, _ in cdecl}
    if clash:
        raise ModelError(f"{sorted(clash)[0]!r} is declared both as a parameter and as a constant")
    if var is None:
        raise ModelError("the data variable and its support are missing (--var \"x in SUPPORT\")")
    known = {s.name: s for s, _ in pdecl + cdecl}
    xs, supports = _variables(var, known)  # (multi) one data variable or several
    symbols = dict(known, **{x.name: x for x in xs})
    # a density is taken apart into its log's terms at once: its factors are parsed, their product not built
    parts = (parse_expression(text, symbols),) if is_log else parse_factors(text, symbols)
    params_ = tuple(s for s, _ in pdecl)
    on_support = set().union(*(sup.free_symbols for sup in supports))
    used = set().union(*(p.free_symbols for p in parts))
    missing = [s for s in params_ if s not in used and s not in on_support]
    if missing:
        raise ModelError(f"the parameter {missing[0]} does not appear in the {'log-density' if is_log else 'density'}")
    logf = parts[0] if is_log else _log_of_density(parts, xs if len(xs) > 1 else xs[0])
    model = Model(
        name or ("user density" if not is_log else "user log-density"), xs, params_, logf, supports,
        domains=tuple(pdecl + cdecl), constants=tuple(s for s, _ in cdecl),
        parameterization=("f = " if not is_log else "log f = ") + text.strip(),
        meta=_constraints(constraints, known, pdecl + cdecl, xs, params_),
    )
    # a declared name the KL or its Taylor expansion also gives (a_1, a_2, delta_a) would mix the two
    # (docs/specs.md): bad input through Python as through the CLI
    from .derive.taylor import derived_name_clash

    why = derived_name_clash(model)
    if why:
        raise ReservedNameError(why)
    check_support(model)
    support = supports[0]
    # a textbook kernel's total cancels term by term in logs (no integral, no representation needed)
    by_kernel = check and len(xs) == 1 and (_normalizes_by_kernel(model) or _normalizes_by_finite_sum(model))
    whole_line = getattr(support, "lo", None) == -sp.oo and getattr(support, "hi", None) == sp.oo
    if not by_kernel and (len(xs) > 1 or whole_line or through_log(model)):
        # on the whole line (and for X = exp(Y) with Y on it) the base law's integral is the cheap
        # proof (the density's own splits at 0 and rarely closes for a location family): the
        # representation is found first (several data variables: standardize finds none, and the
        # joint transform proves the total)
        rep = _representation(model)
        std = model.with_(representation=rep) if rep is not None else model
    else:
        # elsewhere the density's own Euler integral is tried first, and X = T(W) is searched for on
        # its first read (an expectation through the base law, a structure asking for it, the
        # normalization below): an exponential family derives its Fisher information without it
        std = model.with_(representation=Deferred(lambda: _representation(model)))
    if check and not by_kernel and not (len(xs) == 1 and _normalizes(std)):
        check_normalization(model)
    return std


def _representation(model: Model):
    """The :class:`Representation` :func:`standardize` finds for ``model``, or ``None``."""
    try:
        with contained("standardize"):
            return standardize(model).representation
    except StepTimeout:
        raise
    except StepFailed:  # SymPy failed while looking for a representation: the model goes on without one
        return None


def _normalizes(model: Model) -> bool:
    """Whether the density provably integrates to 1 by Euler's integrals, with no ``integrate``. X = T(W)
    is a change of variables: the density normalizes iff the base law does. A representation already
    found: the base law first (it has no parameters left, so its integrals are the cheaper ones), then
    the density. One still to be found: the density's own integral first, then the base law's, then the
    density's transform."""
    found = _DeferredField.raw(model, "representation")
    if type(found) is not Deferred:
        laws = (found.base, model) if found is not None else (model,)
        return any(_normalizes_by_transform(law) for law in laws)
    if _normalizes_by_transform(model, (False,)):
        return True
    rep = model.representation
    if rep is not None and _normalizes_by_transform(rep.base):
        return True
    return _normalizes_by_transform(model, (True,))


def _normalizes_by_kernel(model: Model) -> bool:
    """Whether the log of the density's total, read off its log-kernel (:func:`log_total_mass`: Euler's
    integrals with their conditions proven on the domains), is exactly 0 as SymPy adds its terms, or once
    multiplied out, or once each ``log B(u, v)`` and ``loggamma(u)`` (``u, v > 0``) is written in logs of
    Gamma functions: the proof that costs no product of powers and no ``gammasimp``. ``False`` leaves the
    question to :func:`_normalizes_by_transform`."""
    from .kernel_mass import log_total_mass

    total = log_total_mass(model)
    if total is None:
        total = _log_line_mass(model)
    if total is None:
        total = _log_bessel_mass(model)
    if total is None:
        return False
    if total == 0:
        return True
    total = sp.expand(total)
    if total == 0:
        return True
    if not total.has(sp.beta, sp.loggamma):
        return False
    gammas = total.replace(lambda e: isinstance(e, sp.log) and isinstance(e.args[0], sp.beta)
                           and len(e.args[0].args) == 2 and all(a.is_positive for a in e.args[0].args),
                           lambda e: sp.log(sp.gamma(e.args[0].args[0])) + sp.log(sp.gamma(e.args[0].args[1]))
                           - sp.log(sp.gamma(e.args[0].args[0] + e.args[0].args[1])))
    gammas = gammas.replace(lambda e: isinstance(e, sp.loggamma) and e.args[0].is_positive,
                            lambda e: sp.log(sp.gamma(e.args[0])))
    return sp.expand(gammas) == 0


def _line_linear(y, x):
    """``y = a x + b`` with ``a``, ``b`` free of ``x``: ``(a, b)``, else ``None``."""
    b, ax = y.as_independent(x, as_Add=True)
    a, rest = ax.as_independent(x, as_Add=False)
    return (a, b) if rest == x else None


def _log_line_mass(model: Model):
    """``log`` of the density's integral over the whole line for the two location-scale kernels that
    Gauss's integral (:func:`log_total_mass`) does not cover, read off the log-density term by term, or
    ``None``. The integral over R is invariant under the translation ``y = a x + b`` (``dx = dy/|a|``),
    so the location ``b`` drops out and the standard kernel's mass is taken once:

    * ``log f = C + k |a x + b|``: ``int exp(k |y|) dy = 2/(-k)`` for ``k < 0`` (twice Euler's
      ``int_0^oo exp(k y) dy``) -- the Laplace kernel;
    * ``log f = C - q log(d + c (a x + b)^2)``: ``int (d + c y^2)^(-q) dy = d^(1/2 - q) c^(-1/2)
      sqrt(pi) Gamma(q - 1/2)/Gamma(q)`` for ``c, d > 0``, ``q > 1/2`` (``z = sqrt(c/d) y``, then
      ``int (1 + z^2)^(-q) dz = B(1/2, q - 1/2)``, Gradshteyn & Ryzhik 3.251.2) -- the Cauchy and
      Student kernels.

    Every condition (``-k``, ``c``, ``d``, ``q - 1/2`` positive; ``a``, ``b`` real, ``a != 0``) is proven
    on the declared domains (the interval bounds of :mod:`symfisher.derive.signs`, no point evaluated):
    the log-density is then real, the density positive. No integral is attempted."""
    from .derive.signs import _declared_ends, _positive_on
    from .kernel_mass import _log_kernel_parts

    if len(model.data) != 1:
        return None
    x, sup = model.data[0], model.support[0]
    if not (getattr(sup, "lo", None) == -sp.oo and getattr(sup, "hi", None) == sp.oo):
        return None
    parts = _log_kernel_parts(model.log_density, x)
    if parts is None:
        return None
    const, logs, E = parts
    ends = _declared_ends(model)

    def pos(e) -> bool:
        return bool((e.is_positive and e.is_finite) or _positive_on(e, ends))

    def real(e) -> bool:
        return bool((e.is_extended_real and e.is_finite) or _real_on(e, ends))

    def moved(y):  # y = a x + b, a real and nonzero, b real: the translation's Jacobian |a|
        ab = _line_linear(y, x)
        if ab is None or ab[0].is_zero is not False or not (real(ab[0]) and real(ab[1])):
            return None
        return sp.expand_log(sp.log(abs(ab[0]) if ab[0].is_Number else sp.Abs(ab[0])))

    if not logs and E != 0:
        k, u = E.as_independent(x, as_Add=False)
        if not isinstance(u, sp.Abs) or not pos(-k):
            return None
        jac = moved(u.args[0])
        if jac is None:
            return None
        return const + sp.log(2) - jac - sp.expand_log(sp.log(-k))
    if E != 0 or len(logs) != 1:
        return None
    (base, coeff), = logs.items()
    q = -coeff
    d, cu = base.as_independent(x, as_Add=True)
    c, u = cu.as_independent(x, as_Add=False)
    if not (u.is_Pow and u.exp == 2 and pos(d) and pos(c) and pos(q - sp.S.Half)):
        return None
    jac = moved(u.base)
    if jac is None:
        return None
    return (const + (sp.S.Half - q) * sp.expand_log(sp.log(d)) - sp.expand_log(sp.log(c)) / 2 + sp.log(sp.pi) / 2
            + sp.log(sp.gamma(q - sp.S.Half)) - sp.log(sp.gamma(q)) - jac)


def _log_bessel_mass(model: Model):
    """``log`` of the density's integral over ``(0, oo)`` for the inverse Gaussian kernel, read off the
    log-density term by term, or ``None``: ``log f = C + (p - 1) log x - a x - b/x`` with ``p = +-1/2``
    gives ``int = 2 (b/a)^(p/2) K_p(2 sqrt(a b))`` (Gradshteyn & Ryzhik 3.471.9) with
    ``K_(+-1/2)(w) = sqrt(pi/(2 w)) e^(-w)`` (Abramowitz & Stegun 10.2.17), all in logs:
    ``C + log 2 + (p/2)(log b - log a) + (log pi - log 2 - log w)/2 - w``, ``w = 2 sqrt(a b)``.
    ``a, b > 0`` are proven on the declared domains (interval bounds, no point evaluated); the other
    orders are left to :func:`total_mass` (the Bessel function's polynomial factor is no sum of logs)."""
    from .derive.signs import _declared_ends, _positive_on
    from .euler import _monomial
    from .kernel_mass import _log_kernel_parts

    if len(model.data) != 1:
        return None
    x, sup = model.data[0], model.support[0]
    if not (getattr(sup, "lo", None) == 0 and getattr(sup, "hi", None) == sp.oo):
        return None
    parts = _log_kernel_parts(model.log_density, x)
    if parts is None:
        return None
    const, logs, E = parts
    if set(logs) - {x} or E == 0:
        return None
    p = sp.S.One + logs.get(x, sp.S.Zero)
    if p not in (sp.S.Half, -sp.S.Half):
        return None
    free, E = sp.expand(E).as_independent(x, as_Add=True)
    rates = {}
    for t in sp.Add.make_args(E):
        mono = _monomial(t, x)
        if mono is None or mono[1] not in (1, -1):
            return None
        rates[mono[1]] = rates.get(mono[1], sp.S.Zero) - mono[0]
    if set(rates) != {1, -1}:
        return None
    a, b = rates[1], rates[-1]
    ends = _declared_ends(model)
    if not all((e.is_positive and e.is_finite) or _positive_on(e, ends) for e in (a, b)):
        return None
    la, lb = sp.expand_log(sp.log(a)), sp.expand_log(sp.log(b))
    w = 2 * sp.sqrt(a * b)
    log_w = sp.log(2) + (la + lb) / 2
    return const + free + sp.log(2) + p / 2 * (lb - la) + (sp.log(sp.pi) - sp.log(2) - log_w) / 2 - w


_FINITE_SUM_POINTS = 64  # a longer finite support goes to the ordinary check


def _normalizes_by_finite_sum(model: Model) -> bool:
    """Whether a density on a finite support of numbers is proven a probability law term by term: at each
    point the log-density is real on the declared domains (:func:`_real_on`: logs of factors proven
    positive by the interval bounds of :mod:`symfisher.derive.signs`, no point of the parameters
    evaluated), so each value ``exp(log f(v))`` is positive -- a sum of 1 alone would not prove the
    values non-negative -- and the sum of the values is exactly 1 as a rational function of its symbols
    (:func:`~symfisher.simplify.cancels`). ``False`` leaves the question to :func:`check_normalization`."""
    from .derive.signs import _declared_ends
    from .simplify import cancels

    x, sup = model.data[0], model.support[0]
    if type(sup).__name__ != "FiniteSupport" or not sup.is_finite():
        return False
    points = sup.points()
    if len(points) > _FINITE_SUM_POINTS or not all(v.is_number for v in points):
        return False
    ends = _declared_ends(model)
    values = []
    for v in points:
        ell = model.log_density.xreplace({x: v})
        if ell.has(sp.oo, -sp.oo, sp.zoo, sp.nan) or not _real_on(ell, ends):
            return False
        values.append(sp.exp(ell))
    total = sp.Add(*values)
    try:
        return total == 1 or cancels(total - 1)
    except Exception:  # SymPy failed on the sum: the ordinary check decides
        return False


def _normalizes_by_transform(model: Model, routes=(False, True)) -> bool:
    """Whether the law's integral by Euler's integrals (:func:`total_mass`) is provably 1: then the
    normalization needs no ``integrate`` of its own. The density's own Euler integral first (no
    symbolic exponent: 1-9 ms where the transform takes 8-26 ms, and a law whose Fisher information
    comes from its structure never asks for the transform); then the transform at exponent 0."""
    from .expectation import total_mass
    from .simplify import cancels

    for by_transform in routes:
        try:
            total = total_mass(model, by_transform=by_transform)
            if total is None:
                continue
            # the supports and domains make every base positive: powers combine
            total = sp.powsimp(sp.powdenest(sp.expand_power_base(total, force=True), force=True), force=True)
            total = sp.gammasimp(sp.expand_func(total))
            if total == 1 or cancels(total - 1):
                return True
        except Exception:  # a kernel Euler's integrals mis-read: the next route, else the ordinary check
            continue
    return False


def from_density(density: str, var, params, consts=(), name: str | None = None, check: bool = True,
                 constraints=()) -> Model:
    """A model from density text, e.g. ``from_density("t*exp(-t*x)", "x in (0, oo)", ["t > 0"])``.

    ``var`` declares the data variable, or several: ``"x_1 in R, x_2 in R"`` or a list of declarations.
    ``constraints`` are joint relations of the parameters and constants (``["p_1 + p_2 < 1"]``).

    Raises :class:`~symfisher.parsing.ParseError` for text that does not parse and
    :class:`~symfisher.model.ModelError` for a model that is not regular (support depending
    on a parameter, density not normalizing).
    """
    return _build(density, False, var, params, consts, name, check, constraints)


def from_logpdf(logpdf: str, var, params, consts=(), name: str | None = None, check: bool = True,
                constraints=()) -> Model:
    """A model from log-density text (see :func:`from_density`)."""
    return _build(logpdf, True, var, params, consts, name, check, constraints)
