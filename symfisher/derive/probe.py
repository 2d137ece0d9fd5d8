"""The numeric probe of the density's sign (:func:`symfisher.derive.regularity.check_density_values`): values
across a declared domain or a support, ends included (an open end: just inside it), and the density at them
as complex numbers (mpmath's arithmetic for one data variable, NumPy's for a grid over several).
"""
from __future__ import annotations

import functools

import sympy as sp


_EDGE = 1e-6  # how close to an open end the probes go (relative to the width)


def _probe_values(dom) -> list:
    """Values across the whole of ``dom``, ends included (an open end: just inside it)."""
    if dom is None:
        return [sp.Rational(-2), sp.Rational(-1, 2), sp.S.Zero, sp.Rational(1, 2), sp.Rational(2)]
    lo, hi = dom.lo, dom.hi
    if dom.integer:
        out = [lo + k for k in (0, 1, 2, 5, 20)]
        return [v for v in out if hi == sp.oo or v <= hi] + ([hi] if hi != sp.oo else [])
    if lo.is_finite and hi.is_finite:
        w = hi - lo
        inside = [lo + w * f for f in (sp.Rational(1, 20), sp.Rational(1, 4), sp.S.Half, sp.Rational(3, 4),
                                       sp.Rational(19, 20))]
        left = lo if not dom.left_open else lo + w * sp.Float(_EDGE)
        right = hi if not dom.right_open else hi - w * sp.Float(_EDGE)
        return [left] + inside + [right]
    if lo.is_finite:
        near = lo if not dom.left_open else lo + sp.Float(_EDGE)
        return [near] + [lo + v for v in (sp.Rational(1, 10), sp.S.Half, sp.S.One, sp.Integer(2), sp.Integer(5),
                                          sp.Integer(20), sp.Integer(100))]
    if hi.is_finite:
        near = hi if not dom.right_open else hi - sp.Float(_EDGE)
        return [near] + [hi - v for v in (sp.Rational(1, 10), sp.S.Half, sp.S.One, sp.Integer(2), sp.Integer(5),
                                          sp.Integer(20), sp.Integer(100))]
    return [sp.Integer(v) for v in (-100, -10, -2, -1)] + [sp.Rational(-1, 2), sp.S.Zero, sp.Rational(1, 2)] + \
        [sp.Integer(v) for v in (1, 2, 10, 100)]


def _support_probes(sup, sub: dict) -> list:
    """Data values across the support at the parameter point ``sub`` (ends just inside)."""
    if sup.is_finite():
        return list(sup.subs(sub).points()) if sup.free_symbols else list(sup.points())
    lo, hi = sup.lo.subs(sub), sup.hi.subs(sub)
    if type(sup).__name__ == "IntegerSupport":
        pts = [lo + k for k in (0, 1, 2, 3, 5, 10, 30, 100)]
        return [v for v in pts if hi == sp.oo or v <= hi] + ([hi] if hi != sp.oo else [])
    from ..domains import Domain

    try:
        return _probe_values(Domain.interval(lo, hi))
    except ValueError:
        return []


def _log_density_function(model, syms):
    from ..numeric import lambdify_expr

    return lambdify_expr(model.log_density, (*model.data, *syms))


def _density_values(model, syms, xs, sub):
    """The density at the data values ``xs`` (numbers; tuples of them for several data variables) for
    the parameter point ``sub``, as complex numbers (``exp`` of the log-density, evaluated with complex
    arithmetic so a negative factor shows)."""
    import numpy as np

    fn = _log_density_function(model, syms)
    args = [complex(sub[s]) for s in syms]
    cols = [np.array([complex(v) for v in xs])] if len(model.data) == 1 else \
        [np.array([complex(p[i]) for p in xs]) for i in range(len(model.data))]
    with np.errstate(all="ignore"):
        try:
            return np.exp(np.asarray(fn(*cols, *args), dtype=complex)) * np.ones(len(xs))
        except (TypeError, ValueError, AttributeError):  # a SciPy function without complex support
            real = [float(np.real(a)) for a in args]
            return np.exp(np.asarray(fn(*[np.real(c) for c in cols], *real), dtype=complex)) * np.ones(len(xs))


def _scalar_log_density(model, syms):
    """The log-density as a function of numbers ``(data..., syms...)`` in mpmath's arithmetic (complex where an
    argument is: a negative factor's log shows as ``i pi``), or ``None`` where it has a function mpmath lacks.
    For one data variable: a few hundred values, where importing NumPy and SciPy costs more than computing them."""
    return _scalar_lambdified(tuple((*model.data, *syms)), model.log_density)


@functools.lru_cache(maxsize=256)
def _scalar_lambdified(args: tuple, expr):
    try:
        return sp.lambdify(args, expr, modules="mpmath")
    except (TypeError, ValueError, NameError, KeyError, AttributeError, NotImplementedError):
        return None


def _scalar_density_values(fn, xs, args) -> list:
    """``exp`` of ``fn`` at each data value of ``xs`` (numbers, or tuples for several data variables) with the
    parameter values ``args``, as complex numbers; ``nan`` where it is not a finite number there. Complex
    arithmetic first; with real numbers where a comparison needs them (a Piecewise, Max), as NumPy's path does.
    A function the generated code lacks raises ``NameError`` (the caller evaluates with NumPy then)."""
    import cmath

    nan = complex(float("nan"), 0.0)
    out = []
    for x in xs:
        point = list(x) if isinstance(x, tuple) else [x]
        try:
            try:
                v = fn(*[complex(c) for c in point], *[complex(a) for a in args])
            except TypeError:
                v = fn(*[float(c) for c in point], *[float(complex(a).real) for a in args])
            out.append(cmath.exp(complex(v)))
        except (ArithmeticError, ValueError, TypeError):  # a pole, a domain error, an overflow: no value here
            out.append(nan)
    return out
