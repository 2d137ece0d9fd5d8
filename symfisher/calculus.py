"""Differentiation by the rules of calculus on the expression tree.

``derivative(e, v)`` is ``sympy.diff(e, v)`` for the expressions a log-density is made of
(sums, products, powers, ``exp``, ``log`` (of ``gamma`` and ``beta`` by their logarithmic derivatives),
``loggamma``, ``polygamma``, the trigonometric and
hyperbolic functions, ``erf``, ``Abs`` and ``sign`` of real arguments): the sum, product, power
and chain rules applied directly, in the order SymPy's own ``_eval_derivative`` methods apply
them (so the forms are the same), each derivative of a function taken from SymPy's ``fdiff``. Anything else
(``Piecewise``, ``Min``/``Max``, complex ``Abs``, unevaluated objects) goes to ``sympy.diff``.

Why: in a fresh process ``sympy.diff`` spends most of its time in the ``Derivative``
machinery (argument canonicalization and assumption queries), not in building the result:
the normal-variance score takes 13 ms by ``sympy.diff`` and 0.6 ms by the rules. The
numeric witnesses keep ``sympy.diff`` (an independent route).

>>> import sympy as sp
>>> x, v = sp.Symbol("x", real=True), sp.Symbol("v", positive=True)
>>> derivative(-sp.log(2 * sp.pi * v) / 2 - x**2 / (2 * v), v)
-1/(2*v) + x**2/(2*v**2)
"""
from __future__ import annotations

import functools
import operator

import sympy as sp

__all__ = ["derivative"]

# functions whose fdiff is the textbook derivative for every argument we meet
_RULES = (sp.exp, sp.log, sp.loggamma, sp.gamma, sp.polygamma, sp.sin, sp.cos, sp.tan, sp.atan,
          sp.sinh, sp.cosh, sp.tanh, sp.erf, sp.erfc)


def derivative(e: sp.Expr, v: sp.Symbol, n: int = 1) -> sp.Expr:
    """``d^n e / d v^n`` (``n`` successive first derivatives).

    Each first derivative is remembered: a structure's find, its steps and the generic route ask for
    the same ones (the score of the log-partition, in the score step and in the expected Hessian)."""
    for _ in range(n):
        key = (e, v)
        hit = _DONE.get(key)
        if hit is None:
            if len(_DONE) > 4096:
                _DONE.clear()
            hit = _DONE[key] = _d(e, v)
        e = hit
    return e


_DONE: dict = {}


def _d(e, v):
    if not e.has(v):
        return sp.S.Zero
    if e == v:
        return sp.S.One
    if e.is_Add:
        return sp.Add(*[_d(a, v) for a in e.args])
    if e.is_Mul:  # the products built pairwise, as SymPy does, so that the forms agree
        args = list(e.args)
        terms = []
        for i, a in enumerate(args):
            if a.has(v):
                da = _d(a, v)
                if da != 0:
                    terms.append(functools.reduce(operator.mul, args[:i] + [da] + args[i + 1:], sp.S.One))
        return sp.Add(*terms)
    if e.is_Pow:
        b, k = e.args
        return e * (_d(k, v) * sp.log(b) + _d(b, v) * k / b)
    if isinstance(e, sp.log) and isinstance(e.args[0], (sp.gamma, sp.beta)) and len(e.args[0].args) <= 2:
        return _log_gamma_derivative(e.args[0], v)
    if isinstance(e, (sp.Abs, sp.sign)) and e.args[0].is_extended_real:
        # |u|' = sign(u) u' and sign(u)' = 2 delta(u) u' for real u, as SymPy writes them
        u = e.args[0]
        return _d(u, v) * sp.sign(u) if isinstance(e, sp.Abs) else 2 * _d(u, v) * sp.DiracDelta(u)
    if isinstance(e, _RULES) and all(isinstance(a, sp.Expr) for a in e.args):
        terms = []
        for i, a in enumerate(e.args, 1):
            if a.has(v):
                try:
                    f = e.fdiff(i)
                except Exception:  # ArgumentIndexError: no rule for that argument
                    return sp.diff(e, v)
                if f.has(sp.Derivative, sp.Subs):
                    return sp.diff(e, v)
                terms.append(f * _d(a, v))
        return sp.Add(*terms)
    return sp.diff(e, v)


def _log_gamma_derivative(g, v):
    """``d log g / d v`` for ``g = Gamma(u)`` or ``B(u, w)``: the logarithmic derivatives
    ``psi(u) u'`` and ``(psi(u) - psi(u + w)) u' + (psi(w) - psi(u + w)) w'`` (``psi`` the digamma
    function), which are SymPy's own ``fdiff`` of ``g`` divided by ``g``. By the quotient rule SymPy
    cancels ``g`` only where ``u'`` is a number: ``log B(k m, k - k m)`` in ``m`` leaves a sum of
    ``B(k m, k - k m) (...)`` terms over ``B(k m, k - k m)``, which every later step (the mean of an
    exponential family's statistic, both Fisher routes) had to simplify (20-35 ms an entry)."""
    if isinstance(g, sp.gamma):
        (u,) = g.args
        return sp.polygamma(0, u) * _d(u, v)
    u, w = g.args
    s = sp.polygamma(0, u + w)
    return (sp.polygamma(0, u) - s) * _d(u, v) + (sp.polygamma(0, w) - s) * _d(w, v)
