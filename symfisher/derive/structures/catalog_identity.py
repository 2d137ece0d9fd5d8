"""Identity with a catalog family under a parameter map, found in a typed density.

A typed density ``f(x; theta)`` may be a catalog family ``g(x; phi)`` written in other names or
other coordinates (a gamma in shape and scale, a Weibull with its parameters renamed). The
log-densities are expanded into statistics of x; a catalog family is a candidate only when it has
as many parameters, the same kind of support and the same statistics up to the symbols in them
(``x^k`` and ``x^c`` match, ``x`` and ``log x`` do not) — a cheap test, so nothing is solved when
nothing matches. For a candidate, the catalog parameters (and constants) are solved for as functions
of the typed ones, from the exponents of the statistics and the equations "coefficient of each
statistic equal", and the identification is confirmed: ``log g(x; phi(theta)) - log f(x; theta)``
must cancel identically in x, and ``phi(theta)`` must lie in the catalog's parameter domain.

Then everything the catalog family derives carries over: the Fisher information by the
transformation law ``I_theta = J^T I_phi(phi(theta)) J`` with ``J = d phi / d theta``
(:func:`symfisher.derive.reparam.pull_back`), its two routes transformed alike, ``E[s_theta] =
J^T E[s_phi] = 0``, and the KL divergence, which does not depend on the coordinates:
``KL_theta(theta_1, theta_2) = KL_phi(phi(theta_1), phi(theta_2))``.

This structure has the lowest priority (the exponential family and the others come first) and is
never tried for a catalog family itself (a model with a ``family``) or a catalog family in new
coordinates (which already derives through its family), so it cannot loop.

Reference: Lehmann & Casella (1998), §2.7 (reparameterization); Kullback (1959), ch. 2 (the
invariance of the divergence under a one-to-one change of parameters).
"""
from __future__ import annotations

import sympy as sp

from ...derivation import Derivation, Step
from ...domain_points import random_points
from ...expectation import expand_log_density, split_statistics
from ...families import families, get_model
from ...limits import StepTimeout, time_limit
from ...model import Model
from ...simplify import cancels, split_logs
from .. import notation as N
from ..regularity import model_domains
from ..reparam import CoordinateChange, pull_back
from . import Structure, register_structure

__all__ = ["CatalogIdentity", "identify", "CatalogIdentityStructure"]

_FIND_LIMIT = 3.0
_W = sp.Symbol("W_")


class CatalogIdentity:
    """``f(x; theta) = g(x; phi(theta))`` for the catalog model ``base``; ``constants`` maps the
    catalog's known constants to the typed model's values."""

    def __init__(self, model: Model, base: Model, phi: dict, constants: dict, evidence: str):
        self.model, self.base, self.phi, self.constants, self.evidence = model, base, phi, constants, evidence
        self.change = CoordinateChange(f"as {base.name}", tuple(base.params), tuple(model.params),
                                       tuple(phi[p] for p in base.params), None,
                                       tuple((th, model.domain(th)) for th in model.params),
                                       "; ".join(f"{p} = {phi[p]}" for p in base.params))
        self.sub = {**{p: phi[p] for p in base.params}, **constants}

    def step(self) -> Step:
        eqs = tuple(sp.Eq(p, e, evaluate=False) for p, e in self.sub.items())
        return Step(f"The density is the catalog's {self.base.name} family with "
                    + ", ".join(f"{p} = {e}" for p, e in self.sub.items())
                    + ": the two log-densities agree identically in the data.",
                    "identification with a catalog family by matching the terms of the log-density; "
                    f"log g(x; phi(theta)) - log f(x; theta) cancels ({self.evidence})",
                    N.logf(self.model), (self.base.log_density.xreplace({self.base.data[0]: self.model.data[0]})
                                         .xreplace(self.sub),) + eqs)


def _skeleton(t, x):
    return t.xreplace({s: _W for s in t.free_symbols - {x}})


def _stats(ell, x) -> dict:
    return split_statistics(expand_log_density(ell, (x,)), (x,))


def _match_statistic(target, t, wild: dict):
    """``{wild: value}`` making ``t`` (with the catalog's unknowns) the typed statistic ``target``;
    a one-argument function is also matched on its argument (``Abs(x - w)`` is how SymPy stores
    ``Abs(w - x)``, so ``Abs(m - x)`` matches through ``m - x`` or ``x - m``)."""
    m = target.match(t.xreplace(wild))
    if m is not None:
        return m
    if type(target) is type(t) and isinstance(t, sp.Function) and len(t.args) == 1:
        arg = target.args[0]
        for a in ((arg, -arg) if isinstance(t, sp.Abs) else (arg,)):
            m = a.match(t.args[0].xreplace(wild))
            if m is not None:
                return m
    return None


def _cancels_on_domain(gap) -> bool:
    """``gap`` is zero: it cancels once ``log(gamma(z))`` is ``loggamma(z)`` (for z > 0), or simplifies to 0."""
    gap = gap.replace(lambda e: isinstance(e, sp.log) and isinstance(e.args[0], sp.gamma)
                      and e.args[0].args[0].is_positive, lambda e: sp.loggamma(e.args[0].args[0]))
    if cancels(gap):
        return True
    split = split_logs(gap)  # log(1 + z^2/sigma^2) against log(sigma^2 + z^2): exact rewrites first
    if split != gap and cancels(split):
        return True
    try:
        with time_limit(1.0, "confirm the identification"):
            return sp.simplify(gap) == 0
    except StepTimeout:
        return False


def _same_support(a, b, x_b, eqs: list) -> bool:
    if type(a) is not type(b):
        return False
    if hasattr(a, "points"):
        pa, pb = (a.values if hasattr(a, "values") else None), (b.values if hasattr(b, "values") else None)
        if pa is not None or pb is not None:
            return pa == pb
    for end in ("lo", "hi"):
        ea, eb = getattr(a, end), getattr(b, end)
        if eb.free_symbols:
            eqs.append(sp.Eq(eb, ea))
        elif ea != eb:
            return False
    return True


def _in_domain(value, dom, symbols, doms) -> str | None:
    """``"proven"``, ``"numeric"`` or ``None`` (outside) for ``value`` in ``dom`` on the typed domains."""
    lo, hi = dom.lo, dom.hi
    checks = []
    if lo.is_finite:
        checks.append(value - lo)
    if hi.is_finite:
        checks.append(hi - value)
    if all(c.is_positive for c in checks) and value.is_real:
        return "proven"
    for sub in random_points(sorted(symbols, key=str), doms, n=8, seed=13):
        v = complex(value.subs(sub).evalf(20))
        if abs(v.imag) > 1e-12 or any(complex(c.subs(sub).evalf(20)).real <= 0 for c in checks):
            return None
    return "numeric"


def _try(model: Model, base: Model) -> CatalogIdentity | None:
    x, xb = model.data[0], base.data[0]
    eqs: list = []
    if not _same_support(model.support[0], base.support[0], xb, eqs):
        return None
    ell_b = base.log_density.xreplace({xb: x})
    sm, sb = _stats(model.log_density, x), _stats(ell_b, x)
    by_skeleton: dict = {}
    for t in sm:
        by_skeleton.setdefault(_skeleton(t, x), []).append(t)
    if {_skeleton(t, x) for t in sb if t != 1} != {k for k in by_skeleton if k != 1}:
        return None
    unknowns = list(base.params) + list(base.constants)
    wild = {u: sp.Wild(f"w_{u.name}", exclude=[x]) for u in unknowns}
    found: dict = {}
    for t in sb:  # exponents first: x**k against x**c gives k = c
        if not t.has(*unknowns):
            continue
        cands = by_skeleton.get(_skeleton(t, x), [])
        if len(cands) != 1:
            return None
        m = _match_statistic(cands[0], t, wild)
        if m is None:
            return None
        for u, w in wild.items():
            if w in m:
                found[u] = m[w]
    for t, c in sb.items():
        if t == 1:
            continue
        tt = t.xreplace(found)
        cands = [s for s in sm if s == tt or cancels(s - tt)]
        if len(cands) != 1:
            return None
        eqs.append(sp.Eq(c.xreplace(found), sm[cands[0]]))
    rest = [u for u in unknowns if u not in found]
    sols = [{}]
    if rest:
        eqs = [e.xreplace(found) for e in eqs]
        eqs = [e for e in eqs if e is not sp.true]
        if any(e is sp.false for e in eqs):
            return None
        sols = sp.solve(eqs, rest, dict=True)
    doms = model_domains(model)
    typed_syms = set(model.params) | set(model.constants)
    for sol in sols:
        full = {**found, **sol}
        if set(full) != set(unknowns) or any(v.free_symbols - typed_syms for v in full.values()):
            continue
        if any(full[c].has(*model.params) for c in base.constants):
            continue  # a catalog constant must stay a constant
        gap = expand_log_density(ell_b.xreplace(full) - model.log_density, (x,))
        if not _cancels_on_domain(gap):
            continue
        verdicts = [_in_domain(full[u], base.domain(u), typed_syms, doms) for u in unknowns]
        if any(v is None for v in verdicts):
            continue
        evidence = "the map lies in the catalog's domain" + (
            "" if all(v == "proven" for v in verdicts) else " at seeded parameter points")
        return CatalogIdentity(model, base, {p: full[p] for p in base.params},
                               {c: full[c] for c in base.constants}, evidence)
    return None


def identify(model: Model) -> CatalogIdentity | None:
    """The catalog family ``model``'s density equals under a parameter map, or ``None``."""
    if model.family or model.meta_value("base_model") is not None or len(model.data) != 1 or not model.params:
        return None
    for name in families():
        base = get_model(name)
        if base.dim != model.dim or len(base.data) != 1 or not base.family:
            continue
        got = _try(model, base)
        if got is not None:
            return got
    return None


@register_structure
class CatalogIdentityStructure(Structure):
    """The density is a catalog family under a parameter map: derive through the family."""

    name = "catalog_identity"
    priority = 90
    fallback = True  # a density with a structure of its own derives through it

    def wanted(self, model, hook):
        """A density that standardizes (``X = T(Z)`` with a parameter-free ``Z``, found and confirmed
        when the model was built) has its expectations as moments of ``Z``: its Fisher information and
        E[s] need no search of the catalog (asked again only if that route does not finish). KL and
        the rest still ask here first."""
        return hook not in ("fisher", "expected_score") or model.representation is None

    def find(self, model):
        try:
            with time_limit(_FIND_LIMIT, "identification with a catalog family"):
                return identify(model)
        except (StepTimeout, NotImplementedError, ValueError, TypeError):
            return None

    def fisher(self, model, ci: CatalogIdentity, limit=None, **_):
        from ..fisher import fisher_information

        fd = fisher_information(ci.base, limit=limit)
        d = Derivation("fisher", f"Fisher information of the {model.name} model").add(ci.step())
        if fd.result is None:
            return None
        J = ci.change.jacobian()
        law = pull_back(fd.result, ci.change, J, ci.constants)
        lift = (lambda M: pull_back(M, ci.change, J, ci.constants) if M is not None else None)
        I_phi = N.FISHER(*ci.base.params)
        d = d.add(Step(f"The Fisher information of the {ci.base.name} family (derived in the catalog's "
                       "coordinates, both routes):", "the catalog family's derivation", I_phi,
                       (fd.result if fd.result.rows > 1 else fd.result[0, 0],)),
                  Step("The Jacobian of the parameter map theta -> phi:", "J_ij = d phi_i / d theta_j",
                       sp.Symbol("J"), (J if J.rows > 1 else J[0, 0],)),
                  Step("The transformation law: the score in theta is J^T times the score in phi, so both routes "
                       "transform alike.", "I_theta = J^T I_phi(phi(theta)) J", N.fisher_of(model),
                       (sp.MatMul(J.T, I_phi, J, evaluate=False), law if law.rows > 1 else law[0, 0])))
        for f in fd.failures:
            d = d.fail(f"fisher ({ci.base.name}): {f.step}", f.reason)
        d.extras.update(outer=lift(fd.extras.get("outer")), curvature=lift(fd.extras.get("curvature")),
                        routes_agree=fd.extras.get("routes_agree", False), structure="catalog_identity")
        return d.with_result(law)

    def expected_score(self, model, ci: CatalogIdentity, limit=None, **_):
        from ..fisher import score
        from ..regularity import expected_score
        from . import dispatch

        es = dispatch("expected_score", ci.base, score_vector=score(ci.base, textbook=False).extras["raw"])
        if es is None:
            es = expected_score(ci.base, score(ci.base, textbook=False).extras["raw"], limit=limit)
        d = Derivation("expected_score", "The score has mean zero").add(ci.step())
        d = d.add(Step(f"E[s_phi] = 0 for the {ci.base.name} family: "
                       + ("; ".join(s.statement for s in es.steps) or "derived in its coordinates"),
                       f"the {ci.base.name} family's derivation", None, ()))
        for f in es.failures:
            d = d.fail(f"E[score] ({ci.base.name}): {f.step}", f.reason)
        for th in model.params:
            d = d.add(Step(f"The expected score for {th} vanishes: s_theta = J^T s_phi.",
                           "linearity of expectation", N.E(sp.Derivative(N.logf(model), th)), (sp.S.Zero,)))
        return d.with_result(bool(es.result))

    def kl(self, model, ci: CatalogIdentity, first: dict, second: dict, limit=None, **_):
        from ..kl import kl_divergence, kl_symbols

        kd = kl_divergence(ci.base, limit=limit)
        if kd.result is None:
            return None
        b1, b2 = kl_symbols(ci.base)
        sub = {**{b1[p]: ci.phi[p].xreplace(first) for p in ci.base.params},
               **{b2[p]: ci.phi[p].xreplace(second) for p in ci.base.params}, **ci.constants}
        value = kd.result.xreplace(sub)
        lhs = N.KL(*first.values(), *second.values())
        d = Derivation("kl", f"Kullback–Leibler divergence of two {model.name} distributions").add(ci.step())
        d = d.add(Step(f"The divergence does not depend on the coordinates: it is the {ci.base.name} family's "
                       f"divergence at phi(theta_1), phi(theta_2) (its route: {kd.extras.get('route')}).",
                       "KL is invariant under a one-to-one change of parameters", lhs,
                       (N.KL(*[sub[b1[p]] for p in ci.base.params], *[sub[b2[p]] for p in ci.base.params]), value)))
        d.extras.update(structure="catalog_identity", route=kd.extras.get("route"))
        return d.with_result(value)
