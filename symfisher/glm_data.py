"""Empirical Fisher against the observed Hessian on data, for any per-example regression model.

The logistic version lives in :mod:`symfisher.ml`; this one takes any model with known features
(its constants) and a sampler — ``poisson_regression``, ``probit_regression``,
``linear_regression``, ``gamma_regression`` — and, on seeded synthetic data (features drawn
once, responses drawn from the model at the true parameters):

* ``empirical`` — ``mean_i g_i g_i^T``, the score's outer product per example;
* ``observed`` — ``-mean_i H_i``, the observed information;
* ``expected`` — ``mean_i I(x_i)``, the derived Fisher information at each example's features.

The per-example score and Hessian are ``sympy.diff`` of the log-density and the expected one
symfisher's derived Fisher information, all lambdified and evaluated vectorized over the rows.
The three differ on finite data and agree as n grows; the checks say whether the empirical and
observed matrices are within a few standard errors of the expected one.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from .derivation import Check

__all__ = ["DataComparison", "empirical_vs_observed"]


@dataclass
class DataComparison:
    model: object
    n: int
    empirical: object
    observed: object
    expected: object
    stderr: object
    checks: list = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)


def empirical_vs_observed(model, params: dict, n: int, seed: int, fisher=None, features=None,
                          z: float = 5.0) -> DataComparison:
    """Compare the three matrices on ``n`` seeded examples at the true ``params`` (names -> values).

    ``features`` is an ``(n, d)`` array of the known features (drawn standard normal if omitted);
    ``fisher`` the model's Fisher information (derived if omitted).
    """
    import numpy as np

    from .derive import fisher_information

    rng = np.random.default_rng(seed)
    feats = model.constants
    X = np.asarray(features, dtype=float) if features is not None else rng.standard_normal((n, len(feats)))
    n = X.shape[0]
    theta = tuple(model.params)
    if fisher is None:
        d = fisher_information(model)
        if d.result is None:
            raise ValueError(f"the Fisher information of {model.name} could not be derived: {d.failures}")
        fisher = d.result
    y = model.data[0]
    args = (y,) + theta + tuple(feats)
    k = len(theta)
    score = [sp.diff(model.log_density, t) for t in theta]
    hess = [[sp.diff(score[i], theta[j]) for j in range(k)] for i in range(k)]
    mods = ["scipy", "numpy"]
    s_fn = [sp.lambdify(args, e, mods) for e in score]
    h_fn = [[sp.lambdify(args, e, mods) for e in row] for row in hess]
    i_fn = [[sp.lambdify(theta + tuple(feats), fisher[i, j], mods) for j in range(k)] for i in range(k)]
    tv = [float(params[t.name]) for t in theta]
    # one response per example, drawn from the model at its own features
    Y = np.empty(n)
    for r in range(n):
        vals = {**params, **{f.name: X[r, c] for c, f in enumerate(feats)}}
        Y[r] = model.sampler(rng, vals, 1)[0]
    cols = [X[:, c] for c in range(len(feats))]

    def ev(fn, *a):
        return np.broadcast_to(np.asarray(fn(*a), dtype=float), (n,))

    G = np.stack([ev(f, Y, *tv, *cols) for f in s_fn], axis=1)
    H = np.stack([np.stack([ev(f, Y, *tv, *cols) for f in row], axis=1) for row in h_fn], axis=1)
    I = np.stack([np.stack([ev(f, *tv, *cols) for f in row], axis=1) for row in i_fn], axis=1)
    outer = G[:, :, None] * G[:, None, :]
    emp, obs, exp_ = outer.mean(axis=0), -H.mean(axis=0), I.mean(axis=0)
    se = np.sqrt(outer.std(axis=0) ** 2 / n + I.std(axis=0) ** 2 / n + H.std(axis=0) ** 2 / n)
    checks = []
    for name, M in (("empirical Fisher", emp), ("observed information", obs)):
        err = float(np.max(np.abs(M - exp_) / (se + 1e-12)))
        checks.append(Check(f"{model.name}: {name} vs mean expected Fisher (n = {n})", err, 0.0, z,
                            f"largest deviation in standard errors (pass below {z})"))
    return DataComparison(model, n, emp, obs, exp_, se, checks)
