"""The Taylor expansion of ``KL(P_theta || P_theta+delta)`` in the displacement ``delta``.

Expand the log-ratio under the expectation, term by term (no closed-form KL needed, so it
works for a user's density as well):

    KL(P_theta || P_theta+delta) = E_theta[ell(X; theta) - ell(X; theta + delta)]
                                 = - sum_{k >= 1} sum_{|alpha| = k} delta^alpha / alpha! E_theta[d^alpha ell].

The first-order term is ``-E[s] . delta = 0`` (the score has mean zero), the quadratic term is
``-1/2 delta^T E[H] delta = 1/2 delta^T I(theta) delta``, and the cubic term is
``-1/6 sum E[d^3 ell / d theta_i d theta_j d theta_k] delta_i delta_j delta_k``.
The displacement's components are named ``delta_p``, ``delta_mu``, ...

Reference: Kullback (1959), ch. 2, §6; Amari & Nagaoka, *Methods of Information Geometry*, §3.

>>> from symfisher.families import get_model
>>> kl_taylor(get_model("poisson")).extras["quadratic"]
delta_lam**2/(2*lam)
"""
from __future__ import annotations

import itertools
import math

import sympy as sp

from ..calculus import derivative
from ..derivation import Derivation, Step
from ..expectation import ExpectationError, expectation
from ..limits import StepFailed, StepTimeout, time_limit
from ..model import Model
from ..series import is_zero  # exact series tested without evalf's escalation
from ..simplify import cancels, tidy
from . import notation as N
from .regularity import model_domains
from .report import register_quantity
from .structures import dispatch
from ..expectation import expand_log_density

__all__ = ["kl_taylor", "delta_symbols", "derived_name_clash"]


def delta_symbols(model: Model) -> tuple:
    """The displacement ``(delta_p, ...)``, one real symbol per parameter."""
    return tuple(sp.Symbol(f"delta_{th.name}", real=True) for th in model.params)


# -- hunt: names the KL and its expansion give, against the model's own names (used by commands/_options.py
# and sheets/adapter.py, which refuse such a model as bad input) --------------------------------------------
def derived_name_clash(model: Model) -> str | None:
    """Why a declared name is also a name the derivation gives, or None. The KL names the two distributions'
    parameters ``a_1`` and ``a_2`` (:func:`symfisher.derive.kl.kl_symbols`): a known constant ``a_1`` would be
    the first distribution's ``a`` (the KL of ``a`` beside it mixed the two). The expansion names the step in
    ``a`` ``delta_a`` (:func:`delta_symbols`): a parameter or constant of that name printed
    ``delta_a**2/(2*delta_a)``, which reads back wrong. A parameter ``a_2`` beside ``a`` is the same SymPy
    symbol as the second distribution's ``a`` when their domains' assumptions agree: the KL of
    ``a exp(-a x) a_2 exp(-a_2 y)`` came out as ``log(a_1/a_2_2) - 2 + a_2_2/a_2_1 + a_2_1/a_1``; and data
    variables ``x_1, x_2`` beside a parameter ``x`` made the KL of two normal means 0."""
    from .kl import kl_symbols

    declared = ({x.name: "data variable" for x in model.data} | {c.name: "constant" for c in model.constants}
                | {th.name: "parameter" for th in model.params})
    for k, side in zip(("1", "2"), kl_symbols(model)):
        for th, s in side.items():
            if s.name in declared:
                return (f"the {declared[s.name]} {s.name} has the name the KL divergence gives the parameter "
                        f"{th.name} of distribution {k}: rename the {declared[s.name]}")
    for th, d in zip(model.params, delta_symbols(model)):
        if d.name in declared:
            return f"{d.name} is the name the KL Taylor expansion gives the step in the parameter {th.name}: rename it"
    return None


def _multi_factorial(alpha: tuple) -> int:
    out = 1
    for i in set(alpha):
        out *= math.factorial(alpha.count(i))
    return out


def kl_taylor(model: Model, order: int = 3, *, fisher=None, limit: float | None = None,
              check_closed_form: bool = True) -> Derivation:
    """``KL(P_theta || P_theta+delta)`` to ``order`` in ``delta``, term by term under the expectation.

    ``result`` is the truncated series; ``extras``: ``terms`` (``{k: term}``), ``quadratic``,
    ``cubic`` (``None`` when ``order < 3``), ``delta`` (the symbols), ``quadratic_is_fisher``.
    ``fisher`` (the Fisher matrix, if already derived) is reused for the quadratic check.
    """
    if order < 2:
        raise ValueError(f"the KL Taylor expansion needs order >= 2 to reach the Fisher term, got {order}")
    found = dispatch("kl_taylor", model, order=order, fisher=fisher, limit=limit)
    if found is not None:
        return found
    params = model.params
    delta = delta_symbols(model)
    dvec = sp.Matrix(delta)
    shifted = tuple(th + dl for th, dl in zip(params, delta))
    lhs = N.KL(*params, *shifted)
    ell = expand_log_density(model.log_density, model.data)
    d = Derivation("kl_taylor", f"Taylor expansion of the KL divergence of the {model.name} model")
    d = d.add(Step(r"The divergence of the distribution at $\theta + \delta$ from the one at $\theta$ is the expected "
                   r"log-ratio under $\theta$.", "definition of the Kullback–Leibler divergence; log is the natural logarithm, so it is measured in nats", lhs,
                   (N.E(N.logf(model) - N.LOGF(*model.data, *shifted)),)))
    kk = sp.Symbol("k", integer=True, positive=True)
    d = d.add(Step(r"Expand the log-density at $\theta + \delta$ in a Taylor series in $\delta$ and take the expectation "
                   r"term by term: the term of order $k$ is minus $\delta^{k}/k!$ times the expected $k$-th derivative "
                   r"(with several parameters, the sum over the multi-indices $\alpha$ of size $k$ of "
                   r"$\delta^{\alpha}/\alpha!$ times $E[\partial^{\alpha} \ell]$).",
                   "Taylor's theorem; linearity of the expectation", lhs,
                   # one parameter: the page's own symbols (delta_p, p), not a generic theta beside them
                   (-sp.Sum((delta[0] if len(params) == 1 else sp.Symbol("delta")) ** kk / sp.factorial(kk)
                            * N.E(sp.Derivative(N.logf(model), (params[0] if len(params) == 1 else sp.Symbol("theta"), kk))),
                            (kk, 1, order)),)))
    kinks = [a for a in ell.atoms(sp.Abs, sp.sign, sp.Heaviside, sp.Piecewise, sp.Max, sp.Min) if a.has(*params)]
    smooth_order = order if not kinks else min(order, 2)
    if kinks:
        d = d.add(Step(f"The log-density is not smooth in the parameters (it contains {kinks[0]}): the expectation "
                       "of the second derivative still gives the Fisher information, but beyond order 2 the divergence "
                       r"is not a power series in $\delta$, so the higher terms come from the closed form.",
                       "a kink of the log-density at the data point", None, ()))
    terms: dict = {}
    derivs: dict = {(): ell}
    k_names = {1: "first-order", 2: "quadratic", 3: "cubic"}
    structural = False
    for k in range(1, smooth_order + 1):
        term = sp.S.Zero
        table = []
        failed = None
        for alpha in itertools.combinations_with_replacement(range(len(params)), k):
            g = derivative(derivs[alpha[:-1]], params[alpha[-1]])
            derivs[alpha] = g
            if g == 0:
                continue
            # a structure may know E[d^alpha ell] without an integral (linear in T for an exponential family)
            value = dispatch("expected_log_derivative", model, wrt=tuple(params[i] for i in alpha))
            if value is None:
                try:
                    value = expectation(g, model, limit=limit).value
                except (ExpectationError, StepFailed) as exc:
                    failed = (alpha, exc.reason)
                    break
            else:
                structural = True
            value = _shown(value, -fisher[alpha[0], alpha[1]] if k == 2 and fisher is not None else None,
                           limit=2.0 if k <= 2 else 0.5)
            table.append(sp.Eq(N.E(sp.Derivative(N.logf(model), *[params[i] for i in alpha])), value, evaluate=False))
            mono = sp.Mul(*[delta[i] for i in alpha])
            # the value is tidied already: dividing by alpha! keeps its form (a second tidy only costs time)
            term += -(value / _multi_factorial(alpha)) * mono
        name = k_names.get(k, f"order-{k}")
        if failed is not None:
            alpha, reason = failed
            wrt = ", ".join(str(params[i]) for i in alpha)
            return d.fail(f"kl_taylor {name} term",
                          f"the expectation of the derivative of the log-density in ({wrt}) could not be taken: {reason}")
        if table:
            d = d.add(Step(f"The expected derivatives of order {k} are" if len(table) > 1 else
                           f"The expected derivative of order {k} is",
                           r"linear in the sufficient statistic: $E[\partial^{\alpha} \ell] = \sum_{i} "
                           r"\partial^{\alpha} \eta_{i} \, E[T_{i}] - \partial^{\alpha} A$" if structural
                           else "the expectation engine, statistic by statistic", None, tuple(table)))
        terms[k] = term
        if k == 1:
            d = d.add(Step("The first-order term vanishes: the score has mean zero.", r"$E[s(\theta)] = 0$ (regularity)",
                           sp.Symbol("K_1"), (term,)))
        else:
            d = d.add(Step(f"The {name} term in $\\delta$:",
                           rf"minus $\delta^{{\alpha}}/\alpha!$ times $E[\partial^{{\alpha}} \ell]$, summed over "
                           rf"$|\alpha| = {k}$",
                           sp.Symbol(f"K_{k}"), (term,)))
    quad = terms[2]
    I = fisher
    if I is None:
        from .fisher import fisher_information

        I = fisher_information(model, limit=limit).result
    ok = None
    if I is not None:
        target = sp.expand((dvec.T * I * dvec)[0, 0] / 2)
        ok = is_zero(quad - target, model_domains(model))
        if ok:
            d = d.add(Step(r"The quadratic term is half the Fisher information as a quadratic form in $\delta$.",
                           r"$-E[H] = \mathcal{I}(\theta)$: the curvature route of the Fisher information",
                           sp.Symbol("K_2"),
                           (quad, sp.MatMul(sp.S.Half, dvec.T, N.fisher_of(model), dvec, evaluate=False),
                            sp.factor(target) if len(params) == 1 else target)))
        else:
            d = d.fail("kl_taylor quadratic term", "the quadratic term differs from delta^T I delta / 2")
    else:
        d = d.note("the Fisher information is not available, so the quadratic term is not compared with it")
    if smooth_order < order:
        higher = _closed_form_terms(model, delta, order)
        if higher is None:
            return d.fail("kl_taylor cubic term", f"the log-density has a kink ({kinks[0]}), so the terms beyond "
                          "order 2 cannot be taken under the expectation, and no closed-form KL is registered")
        for k in range(smooth_order + 1, order + 1):
            terms[k] = higher.get(k, sp.S.Zero)
            d = d.add(Step(f"The order-{k} term, from the series of the closed-form divergence along $\\delta$ "
                           r"(one-sided in the kinked parameter: $|t \delta| = t |\delta|$ for $t > 0$):",
                           r"the series of $\mathrm{KL}(\theta, \theta + t \delta)$ in $t$, at $t = 1$", sp.Symbol(f"K_{k}"), (terms[k],)))
    series = sp.Add(*terms.values())
    d = d.add(Step(f"Altogether, to order {order}: the sum of the terms found above.",
                   "the expansion, truncated after the term of order %d" % order, lhs,
                   (sp.Add(*[sp.Symbol(f"K_{k}") for k in terms], evaluate=False), series)))
    if check_closed_form and not kinks:
        d = _compare_with_closed_form(d, model, terms, delta, order)
    d.extras.update(terms=terms, quadratic=quad, cubic=terms.get(3), delta=delta, order=order,
                    quadratic_is_fisher=ok)
    return d.with_result(series)


def _shown(value, known=None, limit: float = 2.0):
    """``value`` in the form shown: ``known`` (an entry of minus the Fisher information, tidied already) when
    their difference is proven zero symbolically — a cancellation is cheaper than tidying the same
    expectation again — else the value tidied, each rewrite under ``limit`` (shorter for the higher
    orders: their tables are many, and a rewrite that needs longer rarely shortens them)."""
    if known is not None:
        try:
            with time_limit(1.0, "E[d^2 ell] = -I"):
                if cancels(value - known):
                    return known
        except StepTimeout:
            pass
    return tidy(value, limit=limit)


def _closed_form_along(model: Model, delta: tuple):
    """``(KL(theta, theta + t delta), t)`` from the registered closed-form KL, or ``None``."""
    from .kl import _closed_form

    t = sp.Symbol("t_", positive=True)
    found = _closed_form(model, {th: th for th in model.params},
                         {th: th + t * dl for th, dl in zip(model.params, delta)})
    return None if found is None else (found[0], t)


def _generic_along(model: Model, delta: tuple):
    """``(KL(theta, theta + t delta), t)`` from the generic route's closed form (bounded), or ``None``."""
    from .kl import generic_kl, kl_symbols

    t = sp.Symbol("t_", positive=True)
    first, second = kl_symbols(model)
    try:
        with time_limit(6.0, "KL (generic route) for its series"):
            kl = generic_kl(model, limit=3.0)[0]
    except (ExpectationError, StepFailed, StepTimeout):
        return None
    at = {first[th]: th for th in model.params} | {second[th]: th + t * dl for th, dl in zip(model.params, delta)}
    return kl.xreplace(at), t


def _closed_form_terms(model: Model, delta: tuple, order: int):
    """``{k: term}`` from the series of the registered closed-form KL along ``delta`` (or ``None``)."""
    # no registered form: the generic route's closed form (a kinked KL needs one)
    found = _closed_form_along(model, delta) or _generic_along(model, delta)
    if found is None:
        return None
    kl, t = found
    try:
        with time_limit(4.0, "series of the closed-form KL"):
            ser = sp.expand(sp.series(kl, t, 0, order + 1).removeO())
            return {k: tidy(ser.coeff(t, k), limit=1.0) for k in range(order + 1)}
    except (StepTimeout, Exception):
        return None


def _series_coefficients(kl, t, order: int) -> dict:
    """``{k: c_k}`` with ``kl = sum_k c_k t^k + O(t^(order + 1))``: ``c_k = f^(k)(0)/k!`` by differentiating in
    ``t`` and setting ``t = 0`` where every such value is a finite number (``KL(theta, theta + t delta)`` is
    smooth in ``t`` there, and a derivative continuous at 0 is its value: Taylor's theorem), else by SymPy's
    ``series`` (a removable singularity at ``t = 0``, 0/0 in the formula). Differentiating costs a fraction
    of ``series``, which looks for leading terms of every factor."""
    out, f = {}, kl
    for k in range(order + 1):
        if k:
            f = sp.diff(f, t)
        c = f.subs(t, 0)
        if c.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            ser = sp.expand(sp.series(kl, t, 0, order + 1).removeO())
            return {j: ser.coeff(t, j) for j in range(order + 1)}
        out[k] = c / math.factorial(k)
    return out


def _compare_with_closed_form(d: Derivation, model: Model, terms: dict, delta: tuple, order: int) -> Derivation:
    """Where a closed-form KL is registered, expand it in ``t`` along ``delta`` and compare (bounded)."""
    found = _closed_form_along(model, delta)
    if found is None:
        return d
    kl, t = found
    try:
        with time_limit(2.0, "series of the closed-form KL"):
            coeffs = _series_coefficients(kl, t, order)
            got = sp.expand(sp.Add(*terms.values()))
            diff = sp.expand(sp.Add(*coeffs.values())) - got
            verdict = is_zero(diff, model_domains(model), limit=1.0)
    except (StepTimeout, Exception):  # a series SymPy cannot finish is simply not shown
        return d.note("the series of the closed-form KL was not computed within its time limit")
    if verdict:
        return d.add(Step(r"Check: the Taylor series of the closed-form divergence $\mathrm{KL}(\theta, \theta + t "
                          r"\delta)$ in $t$, at $t = 1$, gives the same terms.", "series expansion of the closed form", None, ()))
    if verdict is False:
        return d.fail("kl_taylor check", "the series of the closed-form KL differs from the term-by-term expansion")
    return d


@register_quantity("kl_taylor", needs=("fisher",), to_json=lambda d: {
    "order": d.extras["order"], "quadratic": str(d.extras["quadratic"]),
    "cubic": str(d.extras["cubic"]) if d.extras["cubic"] is not None else None},
    args={"order": "posint", "check_closed_form": "bool"},
    fields={"quadratic": "the δ² term ½ δᵀ I δ", "cubic": "the δ³ term", "order": "the order of the series"},
    summary="KL(P_θ ‖ P_θ+δ) = ½ δᵀ I δ + cubic term + …")
def _kl_taylor_quantity(model, report, order=3, check_closed_form=True):
    return kl_taylor(model, order=order, fisher=report.get("fisher"), check_closed_form=check_closed_form)
