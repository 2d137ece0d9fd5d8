"""Multivariate families declared with their matrix form (symfisher/matrix_forms.py).

Parameters, with their display names:

* ``mvn_covariance`` — x ~ N_d(mu, Sigma), mean mu known, covariance Sigma = (sigma_ij) (σ_ij)
  unknown (parameters the d(d+1)/2 entries sigma_ij, i <= j; size ``d``, default 2). Mardia, Kent &
  Bibby, *Multivariate Analysis* (1979), §4.2; the information ½ tr(Σ⁻¹ ∂ᵢΣ Σ⁻¹ ∂ⱼΣ): Magnus &
  Neudecker, *Matrix Differential Calculus* (1999), §15; its Jeffreys prior det(Σ)^(-(d+1)/2):
  Box & Tiao, *Bayesian Inference in Statistical Analysis* (1973), §8.2.
* ``mvn_precision`` — the same law in its precision Lambda = Sigma^{-1} = (lambda_ij) (λ_ij)
  (the Gaussian graphical model's coordinates; size ``d``): ½ tr(Σ ∂ᵢΛ Σ ∂ⱼΛ). Lauritzen,
  *Graphical Models* (1996), §5.2.
* ``bivariate_normal_corr`` — (x_1, x_2) ~ N_2 with known means mu_1, mu_2 and standard
  deviations sigma_1, sigma_2, correlation rho (ρ) in (-1, 1): I(rho) = (1 + rho^2)/(1 - rho^2)^2
  (Kendall & Stuart, *The Advanced Theory of Statistics* vol. 2, §18; Lehmann & Casella 1998, §2.6).
* ``dirichlet`` — x = (x_1, ..., x_{K-1}) on the simplex (x_K = 1 - sum), concentrations
  alpha_1..alpha_K (α_k; size ``K``, default 3): Gamma(alpha_0)/prod Gamma(alpha_k) prod
  x_k^(alpha_k - 1), alpha_0 = sum; I = diag(psi'(alpha_k)) - psi'(alpha_0) 1 1^T (Kotz,
  Balakrishnan & Johnson, *Continuous Multivariate Distributions* vol. 1 (2000), ch. 49; Minka,
  "Estimating a Dirichlet distribution" (2000)). The joint Mellin transform
  E[prod x_k^(s_k)] = Gamma(alpha_0) prod Gamma(alpha_k + s_k) / (Gamma(alpha_0 + sum s) prod Gamma(alpha_k))
  is declared (KBJ ch. 49, eq. 49.7), as the Beta law's is: it gives E[log x_k] = psi(alpha_k) - psi(alpha_0).
* ``multinomial`` — counts x_1..x_{K-1} (x_K = n - sum) in n known trials, probabilities
  p_1..p_{K-1} (p_k) free and p_K = 1 - sum (size ``K``, default 3): I = n (diag(1/p_k) + 1 1^T / p_K)
  (Lehmann & Casella, §2.6); the moments of the counts from the factorial moments
  E[prod x_k^(j_k) falling] = n^(sum j falling) prod p_k^(j_k) (Johnson, Kotz & Balakrishnan,
  *Discrete Multivariate Distributions* (1997), §35.2).

The Gaussian families declare their moment table (the joint MGF, as ``mvn_mean`` does). They are
derived by the structures in symfisher/derive/structures/ (Gaussian covariance, data-free Hessian,
multinomial counts) and otherwise by the generic engine.
"""
from __future__ import annotations

import sympy as sp
from sympy import log
from sympy.matrices.expressions.matexpr import MatrixElement

from ..domains import POSITIVE, REAL, UNIT, Domain, IntegerSupport, IntervalSupport
from ..matrix_forms import GaussianCovariance, MultinomialCounts
from ..model import Model, PowerMoments
from . import register
from ._base import data_symbol, gaussian_moments, monomial_powers
from .normal import covariance_symbols

LINE = IntervalSupport(-sp.oo, sp.oo)


def _opaque_inverse(S, d):
    inv = sp.Inverse(S)
    return sp.ImmutableMatrix(d, d, lambda i, j: MatrixElement(inv, min(i, j), max(i, j)))


def _gaussian(name, d, matrix, doms, kind, symbol_name, params, constants=(), cdomains=(), parameterization="",
              positive_definite=True):
    xs = tuple(data_symbol(f"x_{i}", LINE) for i in range(1, d + 1))
    ms = tuple(REAL.symbol(f"mu_{i}") for i in range(1, d + 1))  # the known mean
    S = sp.MatrixSymbol(symbol_name, d, d)
    M = sp.ImmutableMatrix(matrix)
    inv = sp.ImmutableMatrix(M.inv()) if d <= 3 else _opaque_inverse(S, d)
    form = GaussianCovariance(xs, ms, M, inv, kind, S)

    def sampler(rng, v, n):
        import numpy as np

        vals = {s: v[s.name] for s in list(params) + list(constants) if s.name in v}
        Mv = np.array(M.subs(vals).evalf(), dtype=float)
        cov = np.linalg.inv(Mv) if form.kind == "precision" else Mv
        return rng.multivariate_normal([v[m.name] for m in ms], cov, size=n)

    return Model(
        name, xs, tuple(params), form.log_density(), (LINE,) * d,
        domains=tuple(doms) + tuple((m, REAL) for m in ms) + tuple(cdomains),
        constants=tuple(constants) + ms, family=name, parameterization=parameterization, sampler=sampler,
        moments=gaussian_moments(xs, ms, form.covariance()),
        meta=(("d", d), ("gaussian_covariance", form),
              ("constraints", tuple(M[:k, :k].det() > 0 for k in range(2, min(d, 3) + 1)) if positive_definite else ())),
    )


@register("mvn_covariance", "N_d(mu, Sigma), mu known, covariance entries sigma_ij")
def mvn_covariance(d: int = 2) -> Model:
    if d < 1:
        raise ValueError(f"mvn_covariance needs d >= 1, got d = {d}")
    Sigma, doms = covariance_symbols(d)
    return _gaussian("mvn_covariance", d, Sigma, doms, "covariance", "Sigma", tuple(s for s, _ in doms),
                     parameterization=f"N_{d}(mu, Sigma), mean mu known, covariance Sigma = (sigma_ij) unknown")


@register("mvn_precision", "N_d(mu, Lambda^-1), mu known, precision entries lambda_ij")
def mvn_precision(d: int = 2) -> Model:
    if d < 1:
        raise ValueError(f"mvn_precision needs d >= 1, got d = {d}")
    # the covariance's symbols renamed: (lambda_ij), lambda_ii > 0, the others real
    Sigma, cov_doms = covariance_symbols(d)
    rename = {c: dom.symbol(c.name.replace("sigma", "lambda")) for c, dom in cov_doms}
    Lam = Sigma.xreplace(rename)
    doms = tuple((rename[c], dom) for c, dom in cov_doms)
    return _gaussian("mvn_precision", d, Lam, doms, "precision", "Lambda", tuple(s for s, _ in doms),
                     parameterization=f"N_{d}(mu, Lambda^(-1)), mean mu known, precision Lambda = (lambda_ij) unknown")


@register("bivariate_normal_corr", "N_2 with known means and sds, correlation rho")
def bivariate_normal_corr() -> Model:
    rho = Domain.interval(-1, 1).symbol("rho")
    s1, s2 = POSITIVE.symbol("sigma_1"), POSITIVE.symbol("sigma_2")
    Sigma = sp.Matrix([[s1**2, rho * s1 * s2], [rho * s1 * s2, s2**2]])
    return _gaussian("bivariate_normal_corr", 2, Sigma, ((rho, Domain.interval(-1, 1)),), "covariance", "Sigma",
                     (rho,), constants=(s1, s2), cdomains=((s1, POSITIVE), (s2, POSITIVE)),
                     parameterization="N_2 with known means mu_i and standard deviations sigma_i, correlation rho",
                     positive_definite=False)  # |rho| < 1 is the domain itself


@register("dirichlet", "K proportions on the simplex, concentrations alpha_k")
def dirichlet(K: int = 3) -> Model:
    if K < 2:
        raise ValueError(f"dirichlet needs K >= 2 components, got K = {K}")
    sup = IntervalSupport(0, 1)
    xs = tuple(data_symbol(f"x_{k}", sup) for k in range(1, K))
    alphas = tuple(POSITIVE.symbol(f"alpha_{k}") for k in range(1, K + 1))
    last = 1 - sp.Add(*xs)
    a0 = sp.Add(*alphas)
    logf = (sp.loggamma(a0) - sp.Add(*[sp.loggamma(a) for a in alphas])
            + sp.Add(*[(a - 1) * log(x) for a, x in zip(alphas, xs)]) + (alphas[-1] - 1) * log(last))

    ss = tuple(sp.Symbol(f"s_{k}_", real=True) for k in range(1, K + 1))
    mellin = (sp.gamma(a0) / sp.gamma(a0 + sp.Add(*ss))
              * sp.Mul(*[sp.gamma(a + s) / sp.gamma(a) for a, s in zip(alphas, ss)]))

    def sampler(rng, v, n):
        draws = rng.dirichlet([v[a.name] for a in alphas], size=n)
        return draws[:, :-1]

    return Model(
        "dirichlet", xs, alphas, logf, (sup,) * (K - 1),
        domains=tuple((a, POSITIVE) for a in alphas), family="dirichlet",
        parameterization=f"Gamma(alpha_0)/prod Gamma(alpha_k) prod x_k^(alpha_k - 1), x_{K} = 1 - (x_1 + ... + x_{K - 1})",
        power_moments=PowerMoments(xs + (last,), ss, mellin),
        sampler=sampler, meta=(("K", K), ("data_constraints", (sp.Add(*xs) < 1,))),
    )


@register("multinomial", "counts in K cells of n known trials, probabilities p_k")
def multinomial(K: int = 3) -> Model:
    if K < 2:
        raise ValueError(f"multinomial needs K >= 2 cells, got K = {K}")
    n = Domain.integers(1, sp.oo).symbol("n")
    sup = IntegerSupport(0, n)
    xs = tuple(data_symbol(f"x_{k}", sup) for k in range(1, K))
    ps = tuple(UNIT.symbol(f"p_{k}") for k in range(1, K))
    form = MultinomialCounts(xs, ps + (1 - sp.Add(*ps),), n)

    def sampler(rng, v, m):
        probs = [v[p.name] for p in ps]
        return rng.multinomial(int(v["n"]), probs + [1 - sum(probs)], size=m)[:, :-1]

    return Model(
        "multinomial", xs, ps, form.log_density(), (sup,) * (K - 1),
        domains=tuple((p, UNIT) for p in ps) + ((n, Domain.integers(1, sp.oo)),), constants=(n,),
        family="multinomial", moments=_multinomial_moments(xs, form.probs[:-1], n),
        parameterization=f"n!/prod x_k! prod p_k^x_k, n known, p_{K} = 1 - (p_1 + ... + p_{K - 1})",
        sampler=sampler, meta=(("K", K), ("multinomial", form), ("constraints", (sp.Add(*ps) < 1,)),
                               ("data_constraints", (sp.Add(*xs) <= n,))),
    )


def _multinomial_moments(xs: tuple, ps: tuple, n):
    """``t -> E[t]`` for monomials ``prod x_k^m_k`` of multinomial counts: ``x^m = sum_j S(m, j) x^(j)``
    (Stirling numbers of the second kind, ``x^(j)`` the falling factorial) and the factorial moments
    ``E[prod x_k^(j_k)] = n^(j_1 + ... falling) prod p_k^j_k``; ``None`` for any other statistic."""
    import itertools

    from sympy.functions.combinatorial.numbers import stirling

    def moments(t):
        powers = monomial_powers(t, xs)
        if powers is None:
            return None
        ms = [powers[x] for x in xs]
        total = sp.S.Zero
        for js in itertools.product(*[range(m + 1) for m in ms]):
            c = sp.Mul(*[stirling(m, j) for m, j in zip(ms, js)])
            if c:
                total += c * sp.ff(n, sum(js)) * sp.Mul(*[p**j for p, j in zip(ps, js)])
        return sp.expand(total)

    return moments
