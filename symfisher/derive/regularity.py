"""Regularity is checked, not assumed (DESIGN principle 4).

* the support must not depend on a parameter (Uniform(0, theta) is refused: its
  likelihood is not differentiable in theta at the data, differentiation and integration
  do not commute, and the "Fisher information" would be wrong);
* the density must normalize (symbolically when SymPy can, otherwise by quadrature at
  seeded parameter points);
* the score has mean zero.
"""
from __future__ import annotations

import sympy as sp

from ..derivation import Derivation, Step
from ..expectation import ExpectationError, expectation, resolve_piecewise
from ..limits import StepFailed, StepTimeout, default_limit, time_limit
from ..model import Model, ModelError
from ..simplify import cancels, is_zero, random_points
from . import notation as N

__all__ = ["model_domains", "check_support", "check_normalization", "expected_score", "DomainMap"]


class DomainMap(dict):
    """``{symbol: Domain}`` with the model's joint ``constraints`` attached, and ``joint``
    samplers ``(symbols, rng -> values)`` for symbols drawn together (a covariance matrix)."""

    constraints: tuple = ()
    joint: tuple = ()


def model_domains(model: Model) -> DomainMap:
    m = DomainMap(model.domains)
    m.constraints = tuple(model.meta_value("constraints", ()))
    m.joint = tuple(model.meta_value("joint_samplers", ()))
    return m


def check_support(model: Model) -> None:
    """Refuse a support that depends on a parameter, with the reason."""
    for x, sup in zip(model.data, model.support):
        bad = sorted(sup.free_symbols & set(model.params), key=str)
        if bad:
            names = ", ".join(map(str, bad))
            raise ModelError(
                f"the support of {x}, {sup}, depends on the parameter {names}: the model is not regular "
                f"(the likelihood is not differentiable in {names} at the boundary, so differentiation and "
                f"integration do not commute and the Fisher information is not defined by the usual formulas)"
            )


def _numeric_total(model: Model, sub: dict) -> float:
    from ..numeric import integrate_density

    return integrate_density(model, {k.name: float(v) for k, v in sub.items()})


def check_normalization(model: Model, limit: float | None = None) -> Derivation:
    """Show that the density integrates (or sums) to one; raise :class:`ModelError` if it does not."""
    d = Derivation("normalization", f"The {model.name} density normalizes")
    limit = min(10.0, default_limit()) if limit is None else limit
    if len(model.data) != 1:
        return d.note("several data variables: normalization taken from the family's definition")
    x, sup = model.data[0], model.support[0]
    f = model.density
    total = None
    try:
        with time_limit(limit, "normalization"):
            if sup.is_finite():
                total = sp.simplify(sp.Add(*[f.subs(x, v) for v in sup.points()]))
            elif type(sup).__name__ == "IntegerSupport":
                total = sp.summation(sp.powsimp(f), (x, sup.lo, sup.hi))
            else:
                total = sp.integrate(sp.powsimp(f), (x, sup.lo, sup.hi))
            total = resolve_piecewise(total, model, "normalization")
            total = sp.simplify(total)
        if total.has(sp.Integral, sp.Sum):
            total = None
    except (StepFailed, StepTimeout, Exception):
        total = None
    doms = model_domains(model)
    if total is not None:
        verdict = is_zero(total - 1, doms)
        if verdict is True:
            return d.add(Step("The density integrates to one over the support.",
                              "integrate over the support" if not sup.is_finite() else "sum over the support",
                              sp.Integral(f, (x, sup.lo, sup.hi)) if hasattr(sup, "lo") and not sup.is_finite() else None,
                              (sp.S.One,)))
        if verdict is False:
            raise ModelError(f"the density does not normalize: its total over {sup} is {total}, not 1")
    # numeric fallback at seeded points
    syms = sorted(set(model.params) | set(model.constants), key=lambda s: s.name)
    values = []
    for sub in random_points(syms, doms, n=4, seed=11):
        try:
            values.append((sub, _numeric_total(model, sub)))
        except Exception as exc:  # quadrature failure is a failed check, not a crash
            raise ModelError(f"the density could not be integrated numerically at {sub}: {exc}") from None
    for sub, v in values:
        if not abs(v - 1) < 1e-6:
            pt = ", ".join(f"{k} = {float(val):.4g}" for k, val in sub.items())
            raise ModelError(f"the density does not normalize: it integrates to {v:.6g} at {pt}, not 1")
    return d.add(Step("The density integrates to one (checked by numerical quadrature at seeded parameter "
                      "points; SymPy could not do the integral in closed form).", "numerical quadrature", None, ()))


def _zero_form(v):
    """What a vanishing expectation is shown as: 0 when it cancels symbolically; otherwise
    (zero only at the numeric points) its simplified form, not a bare 0."""
    return sp.S.Zero if cancels(v) else sp.simplify(v)


def expected_score(model: Model, score_vector, limit: float | None = None) -> Derivation:
    """``E[s(theta)] = 0``: the first Bartlett identity, checked entry by entry."""
    d = Derivation("expected_score", "The score has mean zero")
    doms = model_domains(model)
    verdicts = []  # each entry's zero test, decided once
    for th, s in zip(model.params, score_vector):
        try:
            ex = expectation(s, model, limit=limit)
        except (ExpectationError, StepFailed) as exc:
            d = d.fail(f"E[score] for {th}", exc.reason)
            continue
        ok = is_zero(ex.value, doms)
        verdicts.append(ok)
        d = d.add(Step(f"The expected score for {th} vanishes." if ok else f"The expected score for {th} is not zero.",
                       "the support does not depend on the parameter, so E[d ell/d theta] = d/d theta of 1 = 0",
                       N.E(s), (_zero_form(ex.value) if ok else ex.value,)))
        if not ok:
            d = d.fail(f"E[score] for {th}", f"E[score] = {ex.value}, not 0: the model is not regular")
    return d.with_result(all(verdicts) and not d.failures)
