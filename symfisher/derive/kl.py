"""The Kullback–Leibler divergence ``KL(P_theta1 || P_theta2)`` of two members of a model.

Definition: ``KL(P_1 || P_2) = E_1[log f(X; theta_1) - log f(X; theta_2)]``.
The first distribution's parameters carry the suffix ``_1`` (``p_1``), the second's ``_2``
(``p_2``); known constants are shared.

Two routes, compared when both finish:

* **closed forms** registered per family with :func:`register_kl` (the ``torch.distributions``
  idiom), written in the textbook form;
* the **generic route**: the log-ratio is expanded into statistics of ``X`` and its
  expectation taken by the expectation engine under ``P_1`` (principle 2). It needs no
  registration and so works for a user's density.

A model in new coordinates (:mod:`symfisher.derive.reparam`) reuses its family's closed form
with ``theta_i = theta(phi_i)`` substituted. Where neither route reaches a closed form, the
derivation fails with the reason; nothing is guessed.

References: Kullback (1959); Penny (2001) for the normal and gamma forms; Bauckhage (2013)
for the Weibull; Chyzak & Nielsen (2019) for the Cauchy.

>>> from symfisher.families import get_model
>>> kl_divergence(get_model("poisson")).result
lam_1*log(lam_1/lam_2) - lam_1 + lam_2
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy as sp
from sympy import EulerGamma, log, loggamma, polygamma

from ..derivation import Derivation, Step
from ..expectation import ExpectationError, expectation
from ..limits import StepFailed, StepTimeout, time_limit
from ..model import Model
from ..simplify import is_zero, tidy
from . import notation as N
from .regularity import DomainMap, model_domains
from .report import register_quantity
from ..expectation import expand_log_density

__all__ = ["register_kl", "kl_divergence", "kl_symbols", "kl_domains", "KL_CLOSED_FORMS", "generic_kl"]


@dataclass(frozen=True)
class ClosedForm:
    family: str
    formula: Callable  # (model, first: {name: expr}, second: {name: expr}) -> expr
    reference: str = ""


KL_CLOSED_FORMS: dict = {}


def register_kl(family: str, reference: str = ""):
    """Register ``fn(model, first, second) -> KL`` as the closed form for ``family``.

    ``first`` and ``second`` map each parameter's *name* to its value (a symbol such as
    ``p_1`` or any expression), so a closed form serves every coordinate system.
    """

    def deco(fn):
        KL_CLOSED_FORMS[family] = ClosedForm(family, fn, reference)
        return fn

    return deco


# -- symbols and domains -------------------------------------------------------
def kl_symbols(model: Model) -> tuple:
    """``({theta: theta_1}, {theta: theta_2})``, symbols carrying the parameter's domain."""
    first = {th: model.domain(th).symbol(f"{th.name}_1") for th in model.params}
    second = {th: model.domain(th).symbol(f"{th.name}_2") for th in model.params}
    return first, second


def kl_domains(model: Model) -> DomainMap:
    """Domains of ``theta_1``, ``theta_2`` and the constants, with the joint constraints of both."""
    first, second = kl_symbols(model)
    doms = model_domains(model)
    out = DomainMap({s: d for s, d in doms.items() if s not in model.params})
    for th in model.params:
        out[first[th]] = out[second[th]] = doms[th]
    cons = tuple(doms.constraints)
    out.constraints = tuple(c.subs(first, simultaneous=True) for c in cons) + tuple(
        c.subs(second, simultaneous=True) for c in cons)
    return out


# -- the closed forms ------------------------------------------------------------
def _bernoulli(p1, p2):
    return p1 * log(p1 / p2) + (1 - p1) * log((1 - p1) / (1 - p2))


@register_kl("bernoulli", "Kullback (1959)")
def _kl_bernoulli(m, a, b):
    return _bernoulli(a["p"], b["p"])


@register_kl("binomial", "n independent Bernoulli trials: n times the Bernoulli divergence")
def _kl_binomial(m, a, b):
    return m.symbol("n") * _bernoulli(a["p"], b["p"])


@register_kl("poisson", "Kullback (1959)")
def _kl_poisson(m, a, b):
    l1, l2 = a["lam"], b["lam"]
    return l1 * log(l1 / l2) - l1 + l2


@register_kl("geometric", "E[X - 1] = (1 - p)/p for the trials count")
def _kl_geometric(m, a, b):
    p1, p2 = a["p"], b["p"]
    return log(p1 / p2) + (1 - p1) / p1 * log((1 - p1) / (1 - p2))


@register_kl("negative_binomial", "E[X] = r(1 - p)/p for the failures count")
def _kl_negative_binomial(m, a, b):
    p1, p2, r = a["p"], b["p"], m.symbol("r")
    return r * log(p1 / p2) + r * (1 - p1) / p1 * log((1 - p1) / (1 - p2))


@register_kl("categorical", "sum over the categories of p_1k log(p_1k / p_2k)")
def _kl_categorical(m, a, b):
    names = [th.name for th in m.params]
    q1 = [a[n] for n in names] + [1 - sp.Add(*[a[n] for n in names])]
    q2 = [b[n] for n in names] + [1 - sp.Add(*[b[n] for n in names])]
    return sp.Add(*[u * log(u / v) for u, v in zip(q1, q2)])


def _exponential(l1, l2):
    return log(l1 / l2) + l2 / l1 - 1


@register_kl("exponential", "Kullback (1959)")
def _kl_exponential(m, a, b):
    return _exponential(a["lam"], b["lam"])


@register_kl("gamma", "Penny (2001), shape a and rate b")
def _kl_gamma(m, a, b):
    a1, b1, a2, b2 = a["a"], a["b"], b["a"], b["b"]
    return ((a1 - a2) * polygamma(0, a1) - loggamma(a1) + loggamma(a2)
            + a2 * (log(b1) - log(b2)) + a1 * (b2 - b1) / b1)


@register_kl("beta", "Penny (2001)")
def _kl_beta(m, a, b):
    a1, b1, a2, b2 = a["a"], a["b"], b["a"], b["b"]
    lbeta = lambda u, v: loggamma(u) + loggamma(v) - loggamma(u + v)  # noqa: E731
    return (lbeta(a2, b2) - lbeta(a1, b1) + (a1 - a2) * polygamma(0, a1) + (b1 - b2) * polygamma(0, b1)
            + (a2 - a1 + b2 - b1) * polygamma(0, a1 + b1))


@register_kl("weibull", "Bauckhage (2013), scale lam and shape k (any two shapes)")
def _kl_weibull(m, a, b):
    l1, k1, l2, k2 = a["lam"], a["k"], b["lam"], b["k"]
    return (log(k1) - k1 * log(l1) - log(k2) + k2 * log(l2) + (k1 - k2) * (log(l1) - EulerGamma / k1)
            + (l1 / l2) ** k2 * sp.gamma(k2 / k1 + 1) - 1)


def _normal(mu1, s1, mu2, s2):
    return log(s2 / s1) + (s1**2 + (mu1 - mu2) ** 2) / (2 * s2**2) - sp.S.Half


@register_kl("normal", "Kullback (1959)")
def _kl_normal(m, a, b):
    return _normal(a["mu"], a["sigma"], b["mu"], b["sigma"])


@register_kl("lognormal", "the divergence is invariant under x -> log x: that of the normal law of log X")
def _kl_lognormal(m, a, b):
    return _normal(a["mu"], a["sigma"], b["mu"], b["sigma"])


@register_kl("normal_mean", "the normal divergence with equal variances")
def _kl_normal_mean(m, a, b):
    return (a["mu"] - b["mu"]) ** 2 / (2 * m.symbol("sigma") ** 2)


@register_kl("normal_variance", "the normal divergence with equal means")
def _kl_normal_variance(m, a, b):
    v1, v2 = a["v"], b["v"]
    return (log(v2 / v1) + v1 / v2 - 1) / 2


@register_kl("mvn_mean", "(mu_1 - mu_2)^T Sigma^(-1) (mu_1 - mu_2) / 2 with a shared covariance")
def _kl_mvn_mean(m, a, b):
    Sigma = m.meta_value("covariance")
    r = sp.Matrix([a[th.name] - b[th.name] for th in m.params])
    if Sigma.rows > 3:  # Sigma^{-1} stays in its entries (see families.normal.mvn_mean)
        return sp.expand((r.T * m.meta_value("gaussian").precision * r)[0, 0] / 2)
    return (r.T * Sigma.adjugate() * r)[0, 0] / (2 * Sigma.det())


@register_kl("rayleigh", "E[X^2] = 2 sigma^2")
def _kl_rayleigh(m, a, b):
    s1, s2 = a["sigma"], b["sigma"]
    return 2 * log(s2 / s1) + s1**2 / s2**2 - 1


@register_kl("pareto", "shared known scale xm; E[log(X/xm)] = 1/alpha")
def _kl_pareto(m, a, b):
    return _exponential(a["alpha"], b["alpha"])  # log(X/xm) is exponential with rate alpha


@register_kl("inverse_gaussian", "E[X] = mu, E[1/X] = 1/mu + 1/lam")
def _kl_inverse_gaussian(m, a, b):
    mu1, l1, mu2, l2 = a["mu"], a["lam"], b["mu"], b["lam"]
    return (log(l1 / l2) + l2 / l1 - 1) / 2 + l2 * (mu1 - mu2) ** 2 / (2 * mu1 * mu2**2)


@register_kl("laplace", "location mu, scale b; E|Z + c| = |c| + exp(-|c|) for Z standard Laplace")
def _kl_laplace(m, a, b):
    mu1, b1, mu2, b2 = a["mu"], a["b"], b["mu"], b["b"]
    d = sp.Abs(mu1 - mu2)
    return log(b2 / b1) + d / b2 + b1 / b2 * sp.exp(-d / b1) - 1


@register_kl("cauchy", "Chyzak & Nielsen (2019)")
def _kl_cauchy(m, a, b):
    mu1, s1, mu2, s2 = a["mu"], a["sigma"], b["mu"], b["sigma"]
    return log(((s1 + s2) ** 2 + (mu1 - mu2) ** 2) / (4 * s1 * s2))


@register_kl("gumbel", "X = mu_1 + sigma_1 Z, E[Z] = Euler's gamma, E[exp(-c Z)] = Gamma(1 + c)")
def _kl_gumbel(m, a, b):
    mu1, s1, mu2, s2 = a["mu"], a["sigma"], b["mu"], b["sigma"]
    return (log(s2 / s1) + EulerGamma * (s1 / s2 - 1) + (mu1 - mu2) / s2
            + sp.exp((mu2 - mu1) / s2) * sp.gamma(s1 / s2 + 1) - 1)


@register_kl("logistic_regression", "the Bernoulli divergence at p = sigmoid(w.x), in the logits")
def _kl_logistic_regression(m, a, b):
    eta = m.meta_value("eta")
    e1 = eta.subs({th: a[th.name] for th in m.params}, simultaneous=True)
    e2 = eta.subs({th: b[th.name] for th in m.params}, simultaneous=True)
    # log p = eta - log(1 + e^eta), log(1 - p) = -log(1 + e^eta)
    return (e1 - e2) / (1 + sp.exp(-e1)) - log(1 + sp.exp(e1)) + log(1 + sp.exp(e2))


# -- dispatch ----------------------------------------------------------------------
def _closed_form(model: Model, first: dict, second: dict):
    """``(expr, reference)`` from the registry, or ``None``; ``first``/``second`` map symbols."""
    change = model.meta_value("coordinates")
    base = model.meta_value("base_model")
    if change is not None and base is not None:
        old1 = {th: e.subs(first, simultaneous=True) for th, e in zip(change.old, change.theta_of_phi)}
        old2 = {th: e.subs(second, simultaneous=True) for th, e in zip(change.old, change.theta_of_phi)}
        found = _closed_form(base, old1, old2)
        if found is None:
            return None
        return found[0], f"{found[1]}; in the coordinates {change.name}, theta = theta(phi) substituted"
    cf = KL_CLOSED_FORMS.get(model.family)
    if cf is None or not model.family:
        return None
    a = {th.name: v for th, v in first.items()}
    b = {th.name: v for th, v in second.items()}
    return cf.formula(model, a, b), cf.reference


def generic_kl(model: Model, limit: float | None = None):
    """``(value in theta_1, theta_2, Expectation)`` by the expectation engine under ``P_1``.

    The log-ratio ``log f(x; theta) - log f(x; theta_2)`` is averaged under the model itself
    (so its moment tables apply) with ``theta_2`` as known constants; ``theta -> theta_1`` last.
    """
    first, second = kl_symbols(model)
    ratio = model.log_density - model.log_density.subs(second, simultaneous=True)
    aug = model.with_(
        constants=model.constants + tuple(second.values()),
        domains=model.domains + tuple((second[th], model.domain(th)) for th in model.params),
    )
    ex = expectation(ratio, aug, limit=limit)
    return ex.value.subs(first, simultaneous=True), ex


def kl_divergence(model: Model, *, limit: float | None = None, generic_limit: float = 4.0, open_limit: float = 8.0) -> Derivation:
    """``KL(P_theta1 || P_theta2)`` in closed form, by the registry and by the generic route.

    ``result`` is the closed form in ``theta_1``, ``theta_2`` (textbook form from the registry
    when there is one, else the generic route's simplified value). ``extras``: ``closed``,
    ``generic`` (either may be ``None``) and ``routes_agree`` (``None`` if one is missing).
    ``generic_limit`` bounds the generic route when a closed form is already known,
    ``open_limit`` (or ``limit``) when it is the only route.
    """
    first, second = kl_symbols(model)
    th1, th2 = tuple(first.values()), tuple(second.values())
    lhs = N.KL(*th1, *th2)
    d = Derivation("kl", f"Kullback–Leibler divergence of two {model.name} distributions")
    names1 = ", ".join(map(str, th1))
    names2 = ", ".join(map(str, th2))
    ell1 = model.log_density.subs(first, simultaneous=True)
    ell2 = model.log_density.subs(second, simultaneous=True)
    x = model.data
    d = d.add(Step(f"By definition, the divergence of P({names1}) from P({names2}) is the expected log-ratio "
                   f"of the densities under the first distribution.",
                   "definition of the Kullback–Leibler divergence", lhs,
                   (N.E(ell1 - ell2),)))
    ratio = expand_log_density(ell1 - ell2, tuple(x))
    ratio_c = sp.collect(sp.expand(ratio), list(x) + [f for f in ratio.atoms(sp.Function) if f.has(*x)])
    d = d.add(Step("Expand the log-ratio: only a few statistics of X remain.",
                   "log(ab) = log a + log b on the support; collect the terms in X",
                   sp.Function("r")(*x), (ratio_c,)))
    found = _closed_form(model, first, second)
    closed = None
    if found is not None:
        closed = found[0]  # registered in textbook form: kept as written
    generic, ex, reason = None, None, None
    try:
        with time_limit(generic_limit if closed is not None else (limit or open_limit), "KL (generic route)"):
            generic, ex = generic_kl(model, limit=limit)
            generic = tidy(generic, limit=2.0)
    except (ExpectationError, StepFailed, StepTimeout) as exc:
        reason = exc.reason
    if generic is not None:
        from .fisher import _statistic_steps

        # the expectation was taken in the model's own parameters: write its steps in the first
        # distribution's (p_1), as the rest of the derivation is
        def in_first(st):
            sub = (lambda e: e.subs(first, simultaneous=True) if isinstance(e, (sp.Basic, sp.MatrixBase)) else e)
            return Step(st.statement, st.reason, sub(st.lhs), tuple(sub(f) for f in st.forms))

        d = d.add(*[in_first(st) for st in _statistic_steps("the log-ratio", ratio, ex, model)])
        d = d.add(Step("Averaging the log-ratio under the first distribution gives (generic route)",
                       "E[c(theta) t(X)] = c(theta) E[t(X)], term by term", lhs, (generic,)))
    if closed is not None:
        d = d.add(Step("The closed form from the literature:", found[1], lhs, (closed,)))
    agree = None
    if closed is not None and generic is not None:
        verdict = is_zero(closed - generic, kl_domains(model), limit=2.0)
        agree = verdict
        if verdict is True:
            d = d.add(Step("The generic route and the closed form agree.",
                           "their difference vanishes (symbolically or at seeded random parameter points)",
                           None, (sp.Eq(generic, closed, evaluate=False),)))
        elif verdict is False:
            d = d.fail("KL routes", f"the generic route gives {generic}, which differs from the closed form {closed}")
        else:
            d = d.note("the agreement of the generic route and the closed form could not be decided")
    elif closed is not None:
        d = d.note(f"the generic route did not finish ({reason}); the registered closed form is used")
    result = closed if closed is not None else generic
    if result is None:
        return d.fail("kl", f"no closed form is registered for the {model.family or model.name} model and the "
                            f"generic route failed: {reason}")
    zero = result.subs({first[t]: t for t in model.params}).subs({second[t]: t for t in model.params})
    try:
        with time_limit(2.0, "KL(theta, theta)"):
            zero = sp.simplify(zero)
    except StepTimeout:
        pass
    d = d.add(Step("Check: the divergence of a distribution from itself vanishes.",
                   f"set {names2} equal to {names1}", N.KL(*model.params, *model.params), (zero,)))
    d.extras.update(closed=closed, generic=generic, routes_agree=agree, first=first, second=second)
    return d.with_result(result)


@register_quantity("kl", to_json=lambda d: str(d.result))
def _kl_quantity(model, report):
    return kl_divergence(model)
