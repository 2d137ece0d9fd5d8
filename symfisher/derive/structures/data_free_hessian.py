"""A Hessian free of the data: the canonical exponential family, Fisher without an expectation.

If ``d^2 log f / dtheta dtheta^T`` does not involve the data, integrating twice gives
``log f = theta . T(x) + h(x) - A(theta)`` with ``A`` the log-normalizer (the cumulant function of
T): so ``-E[H] = -H = A''(theta)``, and the score ``T - A'(theta)`` has covariance ``Cov(T) = A''``
(the cumulants of T are the derivatives of A). Both routes are the one matrix ``-H``; no
integral is taken, and the cost is the k(k+1)/2 second derivatives, polynomial in k.

The Dirichlet law is the example: ``A(alpha) = sum log Gamma(alpha_k) - log Gamma(alpha_0)`` gives
``I = diag(psi'(alpha_k)) - psi'(alpha_0) 1 1^T`` (the trigamma structure).

Reference: Lehmann & Casella, *Theory of Point Estimation* (1998), Theorem 1.5.10 and §2.6;
Barndorff-Nielsen, *Information and Exponential Families* (1978), §8.1.
"""
from __future__ import annotations

import sympy as sp

from ...calculus import derivative  # sympy.diff by the rules, without its Derivative machinery
from ...derivation import Derivation, Step
from ...simplify import tidy_matrix
from .. import notation as N
from . import Structure, register_structure

__all__ = ["DataFreeHessian", "data_free_hessian"]


def data_free_hessian(model):
    """The Hessian of the log-density in the parameters, if it is free of the data (else ``None``)."""
    from ...expectation import expand_log_density

    params, data = tuple(model.params), set(model.data)
    if not params:
        return None
    # the expanded log-density, as the score differentiates it (the derivatives are remembered, so a
    # Hessian that involves the data is not computed twice), and each score component only when its
    # row is reached: the first entry that involves the data ends the search
    ell = expand_log_density(model.log_density, model.data)
    k = len(params)
    H = sp.zeros(k, k)
    for i in range(k):
        grad = derivative(ell, params[i])
        for j in range(i, k):
            h = derivative(grad, params[j])
            if h.free_symbols & data:
                return None
            H[i, j] = H[j, i] = h
    if H.is_zero_matrix:
        return None
    return sp.ImmutableMatrix(H)


@register_structure
class DataFreeHessian(Structure):
    name = "data_free_hessian"
    priority = 90  # last: the declared matrix forms and any exponential-family structure come first

    def find(self, model):
        if not hasattr(model, "log_density"):
            return None
        return data_free_hessian(model)

    def fisher(self, model, H, limit=None, **_):
        # tidy, not simplify: the entries are sums of trigamma values, which tidy leaves as they are at once
        I = tidy_matrix(-H, limit=2.0) if H.shape[0] <= 3 else sp.Matrix(-H)
        lhs = N.fisher_of(model)
        d = Derivation("fisher", f"Fisher information of the {model.name} model")
        d = d.add(Step("Differentiate the log-density twice in the parameters: the Hessian does not involve the data.",
                       "direct differentiation", sp.Symbol("H"), (sp.Matrix(H) if H.shape[0] > 1 else H[0, 0],)))
        d = d.add(Step("So log f = theta . T(x) + h(x) - A(theta) with A the log-normalizer, and the score is "
                       "T(x) - A'(theta).", "integrate the Hessian twice in theta", N.logf(model), ()))
        d = d.add(Step("Route 2: a constant matrix is its own expectation, -E[H] = -H = A''(theta).",
                       "no integral is needed", lhs, (I if I.rows > 1 else I[0, 0],)))
        d = d.add(Step("Route 1: E[s s^T] = Cov(T) = A''(theta), the cumulants of T being the derivatives of "
                       "its cumulant function A; the two routes are the same matrix.",
                       "Lehmann & Casella (1998), Theorem 1.5.10", lhs, (I if I.rows > 1 else I[0, 0],)))
        d.extras.update(outer=I, curvature=I, routes_agree=True)
        return d.with_result(I)
