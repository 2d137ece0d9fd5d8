"""The Kullback–Leibler divergence ``KL(P_theta1 || P_theta2)`` of two members of a model.

Definition: ``KL(P_1 || P_2) = E_1[log f(X; theta_1) - log f(X; theta_2)]``.
The first distribution's parameters carry the suffix ``_1`` (``p_1``), the second's ``_2``
(``p_2``); known constants are shared.

The divergence is derived, and a registered formula is a cross-check, not a substitute:

* the **derived route**: a structure found in the density answers first (an exponential family:
  ``(eta_1 - eta_2) . E_1[T] - A_1 + A_2`` with no integral; an identity with a catalog family
  under a parameter map), else the **generic route**: the log-ratio is expanded into statistics of
  ``X`` and its expectation taken by the expectation engine under ``P_1``. Both need no
  registration and so work for a user's density. A log-ratio that holds the second
  distribution's parameters with the data inside the logarithm of a sum (Student t, logistic,
  Cauchy) is a parametric integral with no closed form in general: there only the routes that
  integrate nothing are tried (the residues of a rational density give the Cauchy law's), and where
  none answers the step fails at once, saying so (a log-Gamma of the data on an infinite support,
  the negative binomial's size, is summed: its KL is kept as the exact series the ratio test proves);
* **closed forms** registered per family with :func:`register_kl` (the ``torch.distributions``
  idiom), written in the textbook form. When both exist their difference must be proven zero
  (then the textbook form is shown); agreement at seeded points only is reported as numeric
  evidence, "not proven". A registered form is the answer only when nothing derives one, and the
  derivation says so (``extras["route"] == "registered"``, ``kl_route`` in the JSON).

A model in new coordinates (:mod:`symfisher.derive.reparam`) reuses its family's closed form
with ``theta_i = theta(phi_i)`` substituted. Where no route reaches a closed form, the
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
from ..series import is_zero  # exact series tested without evalf's escalation
from ..simplify import cancels, tidy
from . import notation as N
from .regularity import DomainMap, model_domains
from .report import register_quantity
from .structures import dispatch
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


def generic_kl(model: Model, limit: float | None = None, integrate: bool = True):
    """``(value in theta_1, theta_2, Expectation)`` by the expectation engine under ``P_1``.

    The log-ratio ``log f(x; theta) - log f(x; theta_2)`` is averaged under the model itself
    (so its moment tables apply) with ``theta_2`` as known constants; ``theta -> theta_1`` last.
    ``integrate=False``: only the routes that integrate no statistic against the density.
    """
    first, second = kl_symbols(model)
    ratio = model.log_density - model.log_density.subs(second, simultaneous=True)
    aug = model.with_(
        constants=model.constants + tuple(second.values()),
        domains=model.domains + tuple((second[th], model.domain(th)) for th in model.params),
    )
    ex = expectation(ratio, aug, limit=limit, integrate=integrate)
    return ex.value.subs(first, simultaneous=True), ex


def _hopeless(model: Model, second: dict):
    """Why the generic route cannot reach a closed form, or ``None``: a statistic of the
    log-ratio that holds the data and the second distribution's parameters inside the logarithm
    of a sum (``log(1 + (x - mu_2)^2/(nu sigma_2^2))``, ``log(1 + exp(-(x - mu_2)/s_2))``) makes
    its expectation a parametric integral with no elementary closed form in general."""
    x = set(model.data)
    theta2 = set(second.values())
    ratio = model.log_density - model.log_density.subs(second, simultaneous=True)
    expanded = expand_log_density(ratio, tuple(model.data))
    for lg in expanded.atoms(sp.log):
        arg = lg.args[0]
        if arg.free_symbols & x and arg.free_symbols & theta2 and isinstance(sp.expand(arg), sp.Add):
            return (f"the log-ratio needs E[{lg}] under the first distribution: the second distribution's parameters "
                    "sit with the data inside the logarithm of a sum, a parametric integral with no elementary closed "
                    "form in general, so it is not attempted by integration")
    return None


def _positive_coordinates(symbols, doms) -> dict:
    """Each symbol written through positive ones, ``u > 0``, so that SymPy knows the sign of every
    factor a log-density takes the logarithm of: ``p = u/(1 + u)`` on (0, 1) (then ``1 - p =
    1/(1 + u)``), ``lo + u`` on (lo, oo); symbols tied by a joint constraint on (0, 1) (the
    simplex ``p_1 + p_2 < 1``) as ``p_i = u_i/(1 + sum u)``. The map is onto the domain, so an
    identity proven in ``u`` holds on the whole domain."""
    out, tied = {}, []
    cons = tuple(getattr(doms, "constraints", ()))
    for s in symbols:
        dom = doms.get(s)
        if dom is None or getattr(dom, "integer", False):
            continue
        lo, hi = dom.lo, dom.hi
        u = sp.Dummy(f"u_{s.name}", positive=True)
        if lo == 0 and hi == 1 and any(c.has(s) for c in cons):
            tied.append((s, u))
        elif lo.is_finite and hi.is_finite:
            out[s] = lo + (hi - lo) * u / (1 + u)
        elif lo.is_finite:
            out[s] = lo + u
        elif hi.is_finite:
            out[s] = hi - u
    groups: dict = {}
    for s, u in tied:  # one simplex per suffix (_1, _2: the two distributions' parameters)
        groups.setdefault(s.name.rsplit("_", 1)[-1], []).append((s, u))
    for members in groups.values():
        total = 1 + sp.Add(*[u for _, u in members])
        out.update({s: u / total for s, u in members})
    return out


def _proven_equal(a, b, doms, limit: float = 3.0) -> bool:
    """Whether ``a - b`` is proven zero: it cancels once every symbol is written through positive
    ones (:func:`_positive_coordinates`) and the logarithms are expanded, which is then valid."""
    try:
        with time_limit(limit, "KL cross-check"):
            f = sp.expand(a - b)
            if f == 0 or cancels(f):
                return True
            f = f.xreplace(_positive_coordinates(sorted(f.free_symbols, key=str), doms))
            f = f.replace(lambda e: isinstance(e, sp.log), lambda e: sp.log(sp.factor(sp.together(e.args[0]))))
            f = sp.expand_log(sp.expand(f))  # no force: every argument is known positive, or it stays
            return bool(f == 0 or cancels(f))
    except (StepTimeout, RecursionError):
        return False


_NUMERIC_POINTS = 8


def kl_divergence(model: Model, *, limit: float | None = None, generic_limit: float = 4.0, open_limit: float = 8.0,
                  shown: bool = True) -> Derivation:
    """``KL(P_theta1 || P_theta2)`` in closed form, derived, with a registered formula as a cross-check.

    The derived route is a structure found in the density (:mod:`.structures`, e.g. an
    exponential family: no integral) or else the generic route (the log-ratio's statistics by the
    expectation engine). A closed form registered with :func:`register_kl` is then a cross-check:
    their difference is proven zero (and the registered textbook form shown), or their agreement
    at seeded points is reported as numeric evidence, never as equality. A registered form is the
    answer only when nothing derives one, and is marked so.

    ``result`` is in ``theta_1``, ``theta_2``; ``extras``: ``route`` (``"derived"``,
    ``"registered"``), ``closed``, ``generic`` (the derived value; either may be ``None``),
    ``routes_agree`` (``True`` proven, ``"numeric"`` evidence only, ``False``, ``None`` if one is
    missing). ``generic_limit`` bounds the generic route when a closed form is registered,
    ``open_limit`` (or ``limit``) when it is the only route. ``shown=False`` (``verify``: no step is shown):
    where a closed form is registered, a structure's derived value is first compared with it untidied; the
    result is then the registered form, as when tidied, and the tidy (only the steps show that form) is not
    paid for. A derived value not proven equal that way is tidied and compared again, as always.
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
                   "definition of the Kullback–Leibler divergence; log is the natural logarithm, so it is measured in nats", lhs,
                   (N.E(ell1 - ell2),)))
    found = _closed_form(model, first, second)
    closed = found[0] if found is not None else None  # registered in textbook form: kept as written
    derived, reason, hopeless, proven = None, None, None, None
    # a structure's value is the result only when nothing is registered: else its tidy is for the steps alone
    untidied = not shown and closed is not None
    structural = dispatch("kl", model, first=first, second=second, limit=limit, **({"tidied": False} if untidied else {}))
    if structural is not None and structural.result is not None and structural.extras.get("route") == "registered":
        # through a family whose own divergence is registered only: registered, here too
        d = d.extend(structural)
        if closed is None:
            closed = structural.result
            found = (closed, "the registered closed form of the identified family, in these coordinates")
        hopeless = "the identified family's own derivation did not reach a closed form"
        structural = None
    if structural is not None and structural.result is not None:
        d = d.extend(structural)
        derived = structural.result
        if untidied and structural.extras.get("tidied") is False:
            if _proven_equal(derived, closed, kl_domains(model)):
                proven = True
            else:  # the tidied form is sometimes the one that cancels: as when shown
                derived = tidy(derived, limit=2.0)
    else:
        ratio = expand_log_density(ell1 - ell2, tuple(x))
        ratio_c = sp.collect(sp.expand(ratio), list(x) + [f for f in ratio.atoms(sp.Function) if f.has(*x)])
        d = d.add(Step("Expand the log-ratio: only a few statistics of X remain.",
                       "log(ab) = log a + log b on the support; collect the terms in X",
                       sp.Function("r")(*x), (ratio_c,)))
        hard = None if hopeless else _hopeless(model, second)
        reason = hopeless
        if reason is None:
            # a log-ratio of the hopeless kind is still tried by the routes that integrate nothing (the
            # residues of a rational density answer the Cauchy law's E[log q(X)]); no integral is attempted
            try:
                with time_limit(generic_limit if closed is not None else (limit or open_limit), "KL (generic route)"):
                    generic, ex = generic_kl(model, limit=limit, integrate=hard is None)
                # proven equal to the registered form, the textbook form is shown: no need to tidy the derived one
                # (else the tidied form is tried again below: it is sometimes the one that cancels)
                proven = True if closed is not None and _proven_equal(generic, closed, kl_domains(model)) else None
                # a divergence holding exact series is kept as derived: simplify spends seconds inside the summands
                # (a mass function times a statistic, as written) and runs out of time with nothing shortened
                derived = generic if proven or generic.has(sp.Sum) else tidy(generic, limit=2.0)
            except (ExpectationError, StepFailed, StepTimeout) as exc:
                reason = exc.reason if hard is None else f"{hard}; {exc.reason}"
        if derived is not None:
            from .fisher import _statistic_steps

            # the expectation was taken in the model's own parameters: write its steps in the first
            # distribution's (p_1), as the rest of the derivation is
            def in_first(st):
                sub = (lambda e: e.xreplace(first) if isinstance(e, (sp.Basic, sp.MatrixBase)) else e)  # plain symbols: subs(simultaneous=True) at a tenth of the cost
                return Step(st.statement, st.reason, sub(st.lhs), tuple(sub(f) for f in st.forms))

            d = d.add(*[in_first(st) for st in _statistic_steps("the log-ratio", ratio, ex, model)])
            d = d.add(Step("Averaging the log-ratio under the first distribution gives",
                           "E[c(theta) t(X)] = c(theta) E[t(X)], term by term", lhs, (derived,)))
    agree, route, result = None, None, None
    if derived is not None:
        route, result = "derived", derived
        if closed is not None:
            if proven or _proven_equal(derived, closed, kl_domains(model)):
                agree, result = True, closed
                d = d.add(Step("The derived divergence equals the registered closed form from the literature "
                               f"({found[1]}), shown in its textbook form.",
                               "their difference cancels (logarithms expanded where their arguments are positive on "
                               "the domain)", lhs, (closed,)))
            else:
                verdict = is_zero(derived - closed, kl_domains(model), n=_NUMERIC_POINTS, limit=0.5)
                if verdict is True:
                    agree = "numeric"
                    d = d.add(Step(f"The derived divergence and the registered closed form ({found[1]}) agree "
                                   f"numerically at {_NUMERIC_POINTS} seeded parameter points, not proven.",
                                   "numeric evidence only: SymPy did not simplify their difference to zero",
                                   None, (closed,)))
                elif verdict is False:
                    agree = False
                    d = d.fail("KL routes", f"the derived divergence {derived} differs from the registered closed "
                                            f"form {closed}")
                else:
                    d = d.note("the agreement of the derived divergence and the registered closed form could not "
                               "be decided")
    elif closed is not None:
        route, result = "registered", closed
        d = d.add(Step(f"No derivation reached a closed form ({reason}); the registered closed form from the "
                       f"literature ({found[1]}) is used, not derived here.",
                       "registered formula (route: registered)", lhs, (closed,)))
    if result is None:
        d = d.fail("kl", f"no closed form is registered for the {model.family or model.name} model and the "
                         f"generic route failed: {reason}")
        d.extras.update(route=None, closed=None, generic=None, routes_agree=None, first=first, second=second)
        return d
    zero = result.subs({first[t]: t for t in model.params}).subs({second[t]: t for t in model.params})
    try:
        with time_limit(2.0, "KL(theta, theta)"):
            zero = sp.S.Zero if cancels(zero) else sp.simplify(zero)  # the cancellation first: it is cheaper
    except StepTimeout:
        pass
    d = d.add(Step("Check: the divergence of a distribution from itself vanishes.",
                   f"set {names2} equal to {names1}", N.KL(*model.params, *model.params), (zero,)))
    d.extras.update(route=route, closed=closed, generic=derived, routes_agree=agree, first=first, second=second)
    return d.with_result(result)


@register_quantity("kl", to_json=lambda d: str(d.result), summary="the KL divergence KL(P_θ₁ ‖ P_θ₂) in closed form")
def _kl_quantity(model, report, shown=True):
    return kl_divergence(model, shown=shown)
