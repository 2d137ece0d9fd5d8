"""Per-example logistic regression.

* ``logistic_regression`` — one example with d known features x_1..x_d and label
  y in {0, 1}: P(Y = 1 | x) = sigmoid(w.x) = 1/(1 + exp(-w.x)); parameters w_1..w_d.
  The Fisher information is conditional on the features: E_y[s s^T | x].
"""
from __future__ import annotations

import sympy as sp
from sympy import exp, log

from ..domains import REAL, FiniteSupport
from ..model import LinearIndex, Model
from . import register
from ._base import data_symbol


def sigmoid(eta):
    return 1 / (1 + exp(-eta))


@register("logistic_regression", "label y in {0,1} given d known features, weights w")
def logistic_regression(d: int = 2) -> Model:
    if d < 1:
        raise ValueError(f"logistic_regression needs d >= 1, got d = {d}")
    sup = FiniteSupport((0, 1))
    y = data_symbol("y", sup)
    ws = tuple(REAL.symbol(f"w_{i}") for i in range(1, d + 1))
    xs = tuple(REAL.symbol(f"x_{i}") for i in range(1, d + 1))
    eta = sp.Add(*[w * x for w, x in zip(ws, xs)])
    e = REAL.symbol("eta")
    g = y * log(sigmoid(e)) + (1 - y) * log(1 - sigmoid(e))  # the Bernoulli log-likelihood in the logit e
    logf = g.xreplace({e: eta})

    def sampler(rng, v, n):
        import numpy as np

        e = sum(v[w.name] * v[x.name] for w, x in zip(ws, xs))
        return rng.binomial(1, 1 / (1 + np.exp(-e)), size=n)

    return Model(
        "logistic_regression", (y,), ws, logf, (sup,),
        domains=tuple((w, REAL) for w in ws) + tuple((x, REAL) for x in xs), constants=xs,
        family="logistic_regression",
        parameterization="P(y = 1 | x) = 1/(1 + exp(-w^T x)), " + (
            "w^T x = " + " + ".join(f"w_{i} x_{i}" for i in range(1, d + 1)) + ", features known" if d <= 3
            else f"features x_1, ..., x_{d} known"),
        sampler=sampler, meta=(("d", d), ("eta", eta), ("index", LinearIndex(e, g, eta, REAL))),
    )
