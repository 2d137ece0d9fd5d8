"""Display objects for derivation steps: SymPy expressions that name quantities.

Steps hold SymPy objects only (principle 1); these helpers build the left-hand sides
(``I(p)``, ``E[...]``, ``d/dp log f(x; p)``) as unevaluated SymPy functions so that every
printer can show them.
"""
from __future__ import annotations

import sympy as sp

LOGF = sp.Function("ell")  # the log-density, printed \ell
E = sp.Function("E")  # expectation under the model
FISHER = sp.Function("I")
SCORE = sp.Function("s")
JEFFREYS = sp.Function("pi")
KL = sp.Function("KL")


def logf(model):
    return LOGF(*model.data, *model.params)


def d_logf(model, *wrt):
    return sp.Derivative(logf(model), *wrt)


def fisher_of(model):
    return FISHER(*model.params)


def vector(entries):
    return sp.Matrix(list(entries))
