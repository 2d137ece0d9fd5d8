"""Models from ``sympy.stats``: a random symbol or a distribution becomes a :class:`~symfisher.model.Model`.

>>> import sympy as sp
>>> from sympy.stats import Gamma
>>> k, theta = sp.symbols("k theta", positive=True)
>>> m = from_sympy_stats(Gamma("X", k, theta))
>>> m.params, str(m.support[0])
((k, theta), '(0, oo)')

The distribution's arguments give the parameters (their free symbols, in order of appearance),
each symbol's assumptions its :class:`~symfisher.domains.Domain` (positive -> (0, oo),
nonnegative -> [0, oo), real -> R; a symbol with no assumption is refused: its domain would be a
guess); ``dist.set`` gives the support (an interval, or the integers for a discrete law) and
``dist.pdf`` the density, whose logarithm is expanded on the support. ``params=`` picks the
unknown parameters among the symbols; the others become known constants. Nothing is parsed: the
objects are SymPy's own. The model then goes through the same engine as any typed density
(``symfisher.usermodel``'s checks: the support must not depend on a parameter, and the density
must normalize).
"""
from __future__ import annotations

import sympy as sp

from .domains import Domain, IntegerSupport, IntervalSupport
from .model import Model, ModelError
from .simplify import as_expr

__all__ = ["from_sympy_stats"]


def _distribution(obj):
    """The distribution object behind a random symbol (or the object itself)."""
    from sympy.stats.rv import RandomSymbol

    if isinstance(obj, RandomSymbol):
        ps = obj.pspace
        dist = getattr(ps, "distribution", None)
        if dist is None:
            raise ModelError(f"{obj} is not a single random variable with a distribution (a joint or compound "
                             "random symbol is not supported)")
        return dist, str(obj)
    if hasattr(obj, "pdf") and hasattr(obj, "set"):
        return obj, type(obj).__name__.replace("Distribution", "")
    raise ModelError(f"{obj!r} is neither a sympy.stats random symbol nor a distribution")


def _domain_of(sym: sp.Symbol) -> Domain:
    if sym.is_integer and sym.is_positive:
        return Domain.integers(1, sp.oo)
    if sym.is_positive:
        return Domain.interval(0, sp.oo)
    if sym.is_nonnegative:
        return Domain.interval(0, sp.oo, left_open=False)
    if sym.is_real:
        return Domain.interval(-sp.oo, sp.oo)
    raise ModelError(f"the parameter {sym} carries no assumption (declare it real=True, positive=True, ...): "
                     "its domain is not guessed")


def _support(dset):
    if isinstance(dset, sp.Interval):
        return IntervalSupport(dset.inf, dset.sup), "continuous"
    if dset == sp.S.Naturals0:
        return IntegerSupport(0, sp.oo), "discrete"
    if dset == sp.S.Naturals:
        return IntegerSupport(1, sp.oo), "discrete"
    if isinstance(dset, sp.Range) and dset.step == 1:
        hi = dset.sup
        return IntegerSupport(dset.inf, hi), "discrete"
    if dset == sp.S.Integers:
        return IntegerSupport(-sp.oo, sp.oo), "discrete"
    raise ModelError(f"the support {dset} is not an interval or a range of integers")


def from_sympy_stats(obj, params=None, name: str | None = None, check: bool = True) -> Model:
    """The model of a ``sympy.stats`` random symbol or distribution.

    ``params`` (symbols or names) are the unknown parameters, by default every free symbol of
    the distribution's arguments; the other symbols are known constants.
    """
    from .derive.regularity import check_normalization, check_support
    from .standardize import standardize

    dist, label = _distribution(obj)
    symbols = []
    for a in dist.args:
        for s in sorted(as_expr(a).free_symbols, key=lambda s: s.name):
            if s not in symbols:
                symbols.append(s)
    if not symbols:
        raise ModelError(f"{label} has no symbolic parameter")
    if params is None:
        chosen = list(symbols)
    else:
        names = {s.name: s for s in symbols}
        chosen = []
        for p in params:
            key = p.name if isinstance(p, sp.Symbol) else str(p)
            if key not in names:
                raise ModelError(f"{key!r} is not a parameter of {label} (its symbols: {', '.join(names)})")
            chosen.append(names[key])
    domains = tuple((s, _domain_of(s)) for s in symbols)
    support, kind = _support(dist.set)
    x = sp.Symbol("x", **support.variable_assumptions())
    pdf = dist.pdf(x)
    if isinstance(pdf, sp.Piecewise):
        # the density on its own support: the branch whose condition holds there
        inside = [e for e, c in pdf.args if c not in (sp.false,) and (c == sp.true or _holds_on(c, x, support))]
        if not inside:
            raise ModelError(f"the density of {label} is piecewise and no branch covers its support")
        pdf = inside[0]
    logf = sp.expand_log(sp.log(pdf), force=True)
    model = Model(
        name or label, (x,), tuple(chosen), logf, (support,), domains=domains,
        constants=tuple(s for s in symbols if s not in chosen),
        parameterization=f"sympy.stats {type(dist).__name__}{tuple(dist.args)}: f = {pdf}",
    )
    check_support(model)
    if check:
        check_normalization(model)
    return standardize(model)


def _holds_on(cond, x, support) -> bool:
    """Whether ``cond`` holds on the whole support (for choosing a Piecewise branch)."""
    try:
        inner = sp.Interval(support.lo, support.hi, left_open=True, right_open=True)
        return bool(sp.solveset(cond, x, sp.S.Reals).is_superset(inner))
    except Exception:  # noqa: BLE001 - an undecidable condition is simply not chosen
        return False
