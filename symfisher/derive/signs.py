"""Signs proven on the declared domains, with no point evaluated.

* :func:`_bounds` encloses an expression by exact interval arithmetic of the declared domains
  (``1 - p`` on (0, 1), ``1 - exp(t)`` for t < 0);
* :func:`_positive_on` / :func:`_real_on` prove a factor positive, a log-density real, factor by
  factor, else by SymPy's assumptions;
* :func:`_positive_form` writes each bounded parameter through a positive one (``p = u/(1 + u)``)
  so that SymPy's assumptions read the sign.

Used by the regularity checks (:mod:`symfisher.derive.regularity`) and the exact series
(:mod:`symfisher.series`).
"""
from __future__ import annotations

import sympy as sp


def _bounds(e, ends: dict):
    """``(lo, hi, lo_open, hi_open)`` enclosing ``e`` on the declared domains (``ends``: symbol -> its
    interval, numeric ends only), by exact interval arithmetic on sums and multiples; ``None`` else."""
    if e.is_Number:
        return (e, e, False, False) if e.is_finite else None
    if e.is_Symbol:
        return ends.get(e)
    if e.is_Mul:
        c, rest = e.as_coeff_Mul()
        b = _bounds(rest, ends) if c.is_Rational and c != 0 and rest is not e else None
        if b is None:
            return None
        lo, hi, lo_open, hi_open = c * b[0], c * b[1], b[2], b[3]
        return (lo, hi, lo_open, hi_open) if c > 0 else (hi, lo, hi_open, lo_open)
    if isinstance(e, sp.exp):  # increasing
        b = _bounds(e.args[0], ends)
        return None if b is None else (sp.exp(b[0]), sp.exp(b[1]), b[2], b[3])
    if e.is_Pow and e.exp == -1:  # decreasing on (0, oo): 1/m on (1, oo) is (0, 1)
        b = _bounds(e.base, ends)
        if b is None or not (b[0] > 0 or (b[0] == 0 and b[2])):
            return None
        return (sp.S.One / b[1], sp.oo if b[0] == 0 else sp.S.One / b[0], b[3], b[2])
    if e.is_Add:
        parts = [_bounds(a, ends) for a in e.args]
        if any(b is None for b in parts):
            return None
        return (sp.Add(*[b[0] for b in parts]), sp.Add(*[b[1] for b in parts]),
                any(b[2] for b in parts), any(b[3] for b in parts))
    return None


def _positive_on(e, ends: dict) -> bool:
    """``e > 0`` on the declared domains, proven by :func:`_bounds` or factor by factor (a product of
    positive factors, a sum of positive terms, a positive base to a real power, ``exp`` of a real
    number), else by SymPy's assumptions."""
    if e.is_Symbol or e.is_Number:
        return e.is_positive is True
    b = _bounds(e, ends)
    if b is not None and (b[0] > 0 or (b[0] == 0 and b[2])):
        return True
    if e.is_Mul:
        return all(_positive_on(a, ends) for a in e.args)
    if e.is_Add and all(_positive_on(a, ends) for a in e.args):  # 1 + p (1 - p): a sum of positive terms
        return True
    if e.is_Pow:
        return _positive_on(e.base, ends) and _real_on(e.exp, ends)
    if isinstance(e, sp.exp):
        return _real_on(e.args[0], ends)
    if isinstance(e, sp.gamma):
        return _positive_on(e.args[0], ends)
    if isinstance(e, sp.beta) and len(e.args) == 2:
        return all(_positive_on(a, ends) for a in e.args)
    if isinstance(e, sp.factorial):
        return e.args[0].is_integer is True and _nonnegative_on(e.args[0], ends)
    if isinstance(e, sp.binomial):
        n, k = e.args
        return n.is_integer is True and k.is_integer is True and _nonnegative_on(k, ends) \
            and _nonnegative_on(n - k, ends)
    return b is None and e.is_positive is True


def _nonnegative_on(e, ends: dict) -> bool:
    """``e >= 0`` on the declared domains by :func:`_bounds`, or ``e`` is ``hi - x`` for a data
    variable ``x`` whose support ends at ``hi`` (``n - x`` on ``0..n``)."""
    if any(e == top - x for x, top in ends.get("tops", ())):
        return True
    b = _bounds(e, ends)
    return b is not None and bool(b[0] >= 0)


def _real_on(e, ends: dict) -> bool:
    """``e`` real on the declared domains: sums and products of real parts, the log of a positive
    number, a positive base to a real power (:func:`_positive_on`), else SymPy's assumptions."""
    if e.is_Add or e.is_Mul:
        return all(_real_on(a, ends) for a in e.args)
    if isinstance(e, sp.log) and len(e.args) == 1:
        return _positive_on(e.args[0], ends)
    if e.is_Pow and not (e.exp.is_integer and e.exp.is_nonnegative):
        return _positive_on(e.base, ends) and _real_on(e.exp, ends)
    if e.is_Pow:
        return _real_on(e.base, ends)
    return e.is_extended_real is True and e.is_finite is not False


def _declared_ends(model) -> dict:
    """symbol -> ``(lo, hi, lo_open, hi_open)`` of its declared domain or support, numeric ends only."""
    ends = {}
    for sym, dom in model.domains:
        if dom.lo.is_number and dom.hi.is_number:
            ends[sym] = (dom.lo, dom.hi, bool(dom.left_open), bool(dom.right_open))
    x, sup = model.data[0], model.support[0]
    if sup.is_finite() and all(v.is_number for v in sup.points()):
        pts = sup.points()
        ends[x] = (min(pts), max(pts), False, False)
    elif getattr(sup, "lo", None) is not None and sup.lo.is_number and sup.hi.is_number:
        closed = type(sup).__name__ == "IntegerSupport"
        ends[x] = (sup.lo, sup.hi, not closed, not closed or sup.hi == sp.oo)
    elif type(sup).__name__ == "IntegerSupport" and sup.lo.is_number and sup.lo >= 0:
        ends["tops"] = ((x, sup.hi),)  # x in lo..n: n - x >= 0 (and x >= lo >= 0)
        ends[x] = (sup.lo, sp.oo, False, True)
    return ends


def _real_by_terms(model):
    """``"form"`` when every term of the log-density is real by SymPy's assumptions (then the density,
    ``exp`` of a real number, is non-negative: the question ``f.is_nonnegative`` asks, term by term),
    ``"domain"`` when the terms they leave undecided are real once written through the change of
    variables of :func:`_positive_form` (the decided ones are not rebuilt), else ``None``."""
    how, sub = "form", None
    for t in sp.Add.make_args(model.log_density):
        if t.is_extended_real:
            continue
        if sub is None:
            sub = _onto_domains(model)
        if not sub or not _readable_signs(t.xreplace(sub)).is_extended_real:
            return None
        how = "domain"
    return how


def _positive_form(model):
    """The density with every symbol whose domain SymPy's assumptions cannot express written through a
    new one they can: ``lo + (hi - lo) u/(1 + u)`` on an open ``(lo, hi)``, ``lo + u`` on ``(lo, oo)``,
    ``hi - u`` on ``(-oo, hi)`` (u > 0), ``lo + k`` on the integers from ``lo`` (k >= 0), and each
    ``binomial(a, b)`` of integers with ``a - b >= 0`` and ``b >= 0`` (and ``B(a, b)`` with ``a, b > 0``)
    by a positive symbol. The map covers the domain (onto it; more than a finite integer range), so
    the density is non-negative on the domain if this form is for all u > 0 (k >= 0): SymPy's
    assumptions then decide ``1 - p > 0`` with no point evaluated. Joint constraints
    (``p_1 + p_2 < 1``) are not expressible so: the caller's numeric check decides them."""
    return _readable_signs(model.density.xreplace(_onto_domains(model)))


def _readable_signs(g):
    """``g`` after :func:`_onto_domains`' substitution, in the form SymPy's assumptions read."""
    # 1 - u/(1 + u) is 1/(1 + u) once over one denominator: the form the assumptions can read
    # (only where the sign matters: the argument of a log, the base of a power)
    g = g.replace(lambda e: isinstance(e, sp.log) and e.args[0].is_Add,
                  lambda e: sp.log(sp.factor(sp.together(e.args[0]))))
    g = g.replace(lambda e: e.is_Pow and e.base.is_Add, lambda e: sp.Pow(sp.factor(sp.together(e.base)), e.exp))
    g = g.replace(lambda e: isinstance(e, sp.binomial) and all(a.is_integer for a in e.args)
                  and (e.args[0] - e.args[1]).is_nonnegative and e.args[1].is_nonnegative,
                  lambda e: sp.Dummy("C", positive=True))
    # B(a, b) > 0 for a, b > 0 (SymPy's assumptions do not say so)
    return g.replace(lambda e: isinstance(e, sp.beta) and len(e.args) == 2
                     and all(sp.factor(sp.together(a)).is_positive for a in e.args),
                     lambda e: sp.Dummy("B", positive=True))


def _onto_domains(model) -> dict:
    """The substitution of :func:`_positive_form`: each symbol through one whose assumptions say
    where it lives (empty when joint constraints tie the parameters together)."""
    def onto(d, integer, name):
        lo, hi = d.lo, d.hi
        if integer:
            return lo + sp.Dummy(name, integer=True, nonnegative=True) if lo.is_finite else None
        u = sp.Dummy(name, positive=True)
        if lo.is_finite and hi.is_finite:
            return lo + (hi - lo) * u / (1 + u)
        if lo.is_finite:
            return lo + u if lo != 0 else None
        return hi - u if hi.is_finite else None

    if model.meta_value("constraints", ()):  # joint constraints tie the parameters together
        return {}
    sub = {}
    for sym, dom in model.domains:
        if getattr(dom, "left_open", True) is False and dom.lo.is_finite and not dom.integer:
            continue  # a closed end: the open map misses it
        if getattr(dom, "right_open", True) is False and dom.hi.is_finite and not dom.integer:
            continue
        v = onto(dom, dom.integer, sym.name)
        if v is not None:
            sub[sym] = v
    x, sup = model.data[0], model.support[0]
    kind = type(sup).__name__
    if kind in ("IntervalSupport", "IntegerSupport") and sup.lo.is_number and sup.hi.is_number:
        # on integers lo..hi the map lo + k covers more than the support: non-negative there is enough
        v = onto(sup, kind == "IntegerSupport", x.name)
        if v is not None:
            sub[x] = v
    return sub
