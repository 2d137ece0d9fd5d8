"""Multinomial counts in matrix form: the information from the first two moments of the counts.

With counts ``x = (x_1, ..., x_K)`` in n known trials and cell probabilities ``p_k(theta)``
(summing to one), ``log f = c(x) + sum_k x_k log p_k(theta)`` is linear in the counts, so with
``B = [d log p_k / d theta_i]`` (k x K),

* score ``s = B x``; ``E[x] = n p`` gives ``E[s] = n B p = n d(sum p_k)/dtheta = 0``;
* route 1, ``E[s s^T] = B Cov(x) B^T = n B (diag p - p p^T) B^T = n B diag(p) B^T`` (as ``B p = 0``);
* route 2, ``-E[H] = -sum_k E[x_k] d^2 log p_k = -n sum_k p_k d^2 log p_k``.

Both are k x k matrices of sums over K cells — O(k^2 K) terms, polynomial — compared entry by
entry (``cancel`` of the difference). Reference: Lehmann & Casella (1998), §2.6 (the multinomial
moments); Agresti, *Categorical Data Analysis* (2002), §14.1.
"""
from __future__ import annotations

import sympy as sp

from ...derivation import Derivation, Step
from ...matrix_forms import MultinomialCounts
from .. import notation as N
from . import Structure, register_structure

__all__ = ["MultinomialStructure", "multinomial_fisher"]


def multinomial_fisher(model, form: MultinomialCounts) -> Derivation:
    params = tuple(model.params)
    k, ps, n = len(params), form.probs, form.n
    K = len(ps)
    B = sp.Matrix(k, K, lambda i, c: sp.cancel(sp.diff(sp.log(ps[c]), params[i])))
    lhs = N.fisher_of(model)
    d = Derivation("fisher", f"Fisher information of the {model.name} model")
    xs = form.all_counts()
    d = d.add(Step(f"The log-density is linear in the {K} counts (x_{K} = n - the others): "
                   "log f = c(x) + sum_k x_k log p_k.", "the multinomial mass function", N.logf(model),
                   (sp.Add(*[x * sp.log(p) for x, p in zip(xs, ps)]),)))
    d = d.add(Step("So the score is s = B x with B_ik = d log p_k / d theta_i.", "differentiate term by term",
                   sp.Symbol("B"), (B,)))
    outer = sp.Matrix(k, k, lambda i, j: sp.factor(sp.cancel(n * sp.Add(*[B[i, c] * B[j, c] * ps[c] for c in range(K)]))))
    d = d.add(Step("Route 1: Cov(x) = n (diag p - p p^T) and B p = d(sum p_k)/dtheta = 0, so E[s s^T] = n B diag(p) B^T.",
                   "multinomial moments (Lehmann & Casella §2.6)", lhs, (outer if k > 1 else outer[0, 0],)))
    curv = sp.Matrix(k, k, lambda i, j: sp.factor(sp.cancel(-n * sp.Add(*[
        ps[c] * sp.diff(sp.log(ps[c]), params[i], params[j]) for c in range(K)]))))
    d = d.add(Step("Route 2: the Hessian is linear in the counts too; E[x_k] = n p_k gives "
                   "-E[H] = -n sum_k p_k d^2 log p_k.", "E[x] = n p", lhs, (curv if k > 1 else curv[0, 0],)))
    agree = all(sp.cancel(outer[i, j] - curv[i, j]) == 0 for i in range(k) for j in range(i, k))
    if agree:
        d = d.add(Step("The two routes agree.", "their difference cancels entry by entry", None,
                       (sp.Eq(lhs, outer if k > 1 else outer[0, 0], evaluate=False),)))
    else:
        d = d.fail("fisher routes", f"E[s s^T] = {outer} and -E[H] = {curv} differ")
    d.extras.update(outer=outer, curvature=curv, routes_agree=agree)
    return d.with_result(curv)


@register_structure
class MultinomialStructure(Structure):
    """Found when the model declares :class:`MultinomialCounts` that reproduce its log-density."""

    name = "multinomial_counts"
    priority = 30

    def find(self, model):
        form = model.meta_value("multinomial") if hasattr(model, "meta_value") else None
        if not isinstance(form, MultinomialCounts):
            return None
        if tuple(model.data) != tuple(form.counts) or form.n not in model.constants:
            return None
        if sp.cancel(sp.Add(*form.probs) - 1) != 0:
            return None
        if model.log_density != form.log_density():
            return None
        return form

    def fisher(self, model, form, limit=None, **_):
        return multinomial_fisher(model, form)
