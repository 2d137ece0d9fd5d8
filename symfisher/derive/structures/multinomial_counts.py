"""Multinomial counts in matrix form: the information from the first two moments of the counts.

With counts ``x = (x_1, ..., x_K)`` in n known trials and cell probabilities ``p_k(theta)``
(summing to one), ``log f = c(x) + sum_k x_k log p_k(theta)`` is linear in the counts, so with
``B = [d log p_k / d theta_i]`` (k x K),

* score ``s = B x``; ``E[x] = n p`` gives ``E[s] = n B p = n d(sum p_k)/dtheta = 0``;
* route 1, ``E[s s^T] = B Cov(x) B^T = n B (diag p - p p^T) B^T = n B diag(p) B^T`` (as ``B p = 0``);
* route 2, ``-E[H] = -sum_k E[x_k] d^2 log p_k = -n sum_k p_k d^2 log p_k``.

Both are k x k matrices of sums over K cells — O(k^2 K) terms, polynomial — compared entry by
entry (``cancel`` of the difference). The same two moments give the other quantities without an
integral: ``KL = n sum_k p_k log(p_k/q_k)``, ``E[d^alpha log f] = n sum_k p_k d^alpha log p_k`` (the KL
Taylor expansion), and, in the free probabilities p_1..p_{K-1}, the bound ``I^{-1} = (diag p - p p^T)/n``
and the Jeffreys prior from ``det I = n^(K-1)/(p_1 ... p_K)`` (the matrix determinant lemma): the
Dirichlet(1/2, ..., 1/2) law. Reference: Lehmann & Casella (1998), §2.6 (the multinomial
moments); Agresti, *Categorical Data Analysis* (2002), §14.1.
"""
from __future__ import annotations

import sympy as sp

from ...derivation import Derivation, Step
from ...matrix_forms import MultinomialCounts
from ...simplify import cancels
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
    d = d.add(Step("Route 2: the Hessian is linear in the counts too; E[X_k] = n p_k gives "
                   "-E[H] = -n sum_k p_k d^2 log p_k.", "E[X] = n p", lhs, (curv if k > 1 else curv[0, 0],)))
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
            form = _read_counts(model)  # a typed density: the form read off its log-density
            if form is None:
                return None
        if tuple(model.data) != tuple(form.counts) or form.n not in model.constants:
            return None
        if sp.cancel(sp.Add(*form.probs) - 1) != 0:
            return None
        if model.log_density != form.log_density() and not cancels(
                sp.expand(sp.expand_log(model.log_density - form.log_density(), force=True))):
            return None
        return form

    def fisher(self, model, form, limit=None, **_):
        return multinomial_fisher(model, form)

    def expected_log_derivative(self, model, form, wrt: tuple = (), **_):
        """``E[d^alpha log f] = n sum_k p_k d^alpha log p_k``: the log-density is linear in the counts and
        ``E[x] = n p`` (the KL Taylor expansion asks this before integrating)."""
        if not wrt:
            return None
        return form.n * sp.Add(*[sp.cancel(p * sp.diff(sp.log(p), *wrt)) for p in form.probs])

    def expected_score(self, model, form, **_):
        """``E[s] = n B p = n d(sum_k p_k)/dtheta = 0``: the probabilities sum to one identically."""
        ps, n = form.probs, form.n
        d = Derivation("expected_score", "The score has mean zero")
        total = sp.cancel(sp.Add(*ps))
        vals = [sp.cancel(n * sp.Add(*[sp.diff(p, th) for p in ps])) for th in model.params]
        ok = total == 1 and all(v == 0 for v in vals)
        d = d.add(Step("The expected score vanishes for every parameter: E[s] = B E[X] = n B p, and "
                       "(B p)_i = sum_k d p_k/d theta_i = d(sum_k p_k)/d theta_i = 0 as the cell probabilities sum to one."
                       if ok else "The expected score is not zero.",
                       "E[X] = n p (the multinomial means)", N.E(sp.Symbol("s")),
                       (sp.Matrix(vals) if len(vals) > 1 else vals[0],)))
        if not ok:
            d = d.fail("E[score]", f"n B p = {vals}, not 0")
        return d.with_result(ok)

    def kl(self, model, form, first: dict, second: dict, **_):
        """``KL = n sum_k p_k log(p_k/q_k)``: the log-ratio is linear in the counts, ``E_1[x] = n p``."""
        ps, n, xs = form.probs, form.n, form.all_counts()
        p1 = [sp.cancel(p.xreplace(first)) for p in ps]
        p2 = [sp.cancel(p.xreplace(second)) for p in ps]
        value = n * sp.Add(*[a * sp.log(a / b) for a, b in zip(p1, p2)])
        lhs = N.KL(*first.values(), *second.values())
        d = Derivation("kl", f"Kullback–Leibler divergence of two {model.name} distributions")
        d = d.add(Step("The log-ratio is linear in the counts, log f_1 - log f_2 = sum_k x_k log(p_k/q_k) (the "
                       "multinomial coefficient cancels), and E_1[x_k] = n p_k.",
                       "E[X] = n p (Kullback 1959, ch. 3)", lhs,
                       (sp.Add(*[x * sp.log(a / b) for x, a, b in zip(xs, p1, p2)]), value)))
        d.extras.update(structure="multinomial_counts")
        return d.with_result(value)

    def cramer_rao(self, model, form, fisher=None, **_):
        """In the free probabilities p_1..p_{K-1}: ``I^{-1} = (diag p - p p^T)/n``, the covariance of the
        counts over n^2 (``I = n (diag(1/p) + 1 1^T/p_K)`` times it is the identity, as ``1 - sum p = p_K``)."""
        p = _free_probabilities(model, form)
        if p is None:
            return None
        n, k = form.n, len(p)
        C = sp.Matrix(k, k, lambda i, j: p[i] * (1 - p[i]) / n if i == j else -p[i] * p[j] / n)
        d = Derivation("cramer_rao", f"Cramér–Rao bound for the {model.name} model")
        if fisher is not None and not all(sp.cancel(e) == 0 for e in (fisher * C - sp.eye(k))):
            return d.fail("cramer_rao", "I (diag p - p p^T)/n - 1 does not cancel")
        d = d.add(Step("For any unbiased estimator p_hat of the free probabilities, Cov(p_hat) is at least the inverse Fisher "
                       "information; I = n (diag(1/p) + 1 1^T/p_K) has the inverse (diag p - p p^T)/n, the covariance "
                       "of the cell frequencies x/n (I C = 1 checked entry by entry).",
                       "Cramér–Rao inequality; Sherman–Morrison", sp.Function("CRB")(*model.params),
                       (sp.Pow(N.fisher_of(model), -1), C if k > 1 else C[0, 0])))
        d.extras.update(structure="multinomial_counts")
        return d.with_result(C)

    def jeffreys(self, model, form, fisher=None, **_):
        """In the free probabilities: ``det I = n^(K-1)/(p_1 ... p_K)`` (the matrix determinant lemma), so the
        prior is ``prod_k p_k^(-1/2)``, the Dirichlet(1/2, ..., 1/2) law, proper with the Dirichlet integral."""
        p = _free_probabilities(model, form)
        if p is None:
            return None
        n, ps = form.n, form.probs
        K = len(ps)
        lhs = N.JEFFREYS(*model.params)
        d = Derivation("jeffreys", f"Jeffreys prior of the {model.name} model")
        target = n ** (K - 1) / sp.Mul(*ps)
        how = "det(D + u v^T) = det(D) (1 + v^T D^{-1} u) (the matrix determinant lemma), 1 + (sum_{k<K} p_k)/p_K = 1/p_K"
        if fisher is not None and K <= 4:
            if not cancels(fisher.det() - target):
                return d.fail("jeffreys", f"det I is not n^{K - 1}/(p_1 ... p_{K})")
            how += "; here det I computed and compared: the difference cancels"
        d = d.add(Step("The Jeffreys prior is proportional to the square root of the determinant of the Fisher "
                       "information; with I = n (diag(1/p) + 1 1^T/p_K),", how, sp.Function("det")(N.fisher_of(model)),
                       (target,)))
        kernel = sp.Mul(*[sp.Pow(q, sp.Rational(-1, 2)) for q in ps])
        d = d.add(Step("Drop the constant factors:", "a prior is defined up to a positive constant", lhs, (kernel,)))
        normalizer = sp.gamma(sp.S.Half) ** K / sp.gamma(sp.Rational(K, 2))
        d = d.add(Step("The kernel is a Dirichlet kernel; its integral over the simplex is the Dirichlet integral: "
                       "the prior is proper.",
                       r"$\int \prod_{k} p_{k}^{a_{k} - 1} \, dp = \prod_{k} \Gamma(a_{k}) / \Gamma(\sum_{k} a_{k})$",
                       None, (normalizer,)))
        d = d.add(Step("The normalized Jeffreys prior:", "divide by the normalizer", lhs, (kernel / normalizer,)))
        named = "Dirichlet(" + ", ".join(["1/2"] * K) + ")"
        d = d.add(Step(f"This is the {named} law.", "compare with the catalog of named densities", lhs, (kernel,)))
        d.extras.update(proper=True, normalizer=normalizer, named=named, sqrt_det=sp.sqrt(target), divergent=[],
                        density=kernel / normalizer, structure="multinomial_counts")
        return d.with_result(kernel)


def _free_probabilities(model, form: MultinomialCounts):
    """``(p_1, ..., p_{K-1})`` when the parameters are the first K - 1 cell probabilities themselves and the
    last is ``1 - sum`` of them, else ``None`` (another parameterization: the generic routes)."""
    ps, params = tuple(form.probs), tuple(model.params)
    if ps[:-1] != params or sp.expand(ps[-1] - (1 - sp.Add(*params))) != 0:
        return None
    return params


def _read_counts(model):
    """The :class:`MultinomialCounts` of a typed density on the counts ``x_1 + ... + x_m <= n`` whose log-density is
    ``K + sum a_k x_k - sum log x_k! - log (n - sum x)!`` (:func:`symfisher.joint.multinomial_transform` reads it):
    ``p_K = 1/(1 + sum exp(a_k))`` and ``p_k = exp(a_k) p_K``, which sum to one; ``find`` then confirms that the form
    reproduces the log-density (so that ``K`` is the normalizing ``log n! + n log p_K``)."""
    from ...joint import multinomial_transform

    found = multinomial_transform(model)
    if found is None:
        return None
    a, n = found[3], found[4]
    pK = sp.factor(sp.cancel(1 / (1 + sp.Add(*[sp.exp(ak) for ak in a]))))
    probs = tuple(sp.factor(sp.cancel(sp.exp(ak) * pK)) for ak in a) + (pK,)
    return MultinomialCounts(tuple(model.data), probs, n)
