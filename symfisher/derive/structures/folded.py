"""A law folded at its centre, found in a typed density: ``X = c + |Y - c|`` for ``Y`` symmetric about ``c``.

A density on a half-line ``(c, oo)`` (or ``(-oo, c)``) with a known end ``c`` that is twice a
density symmetric about ``c``, ``f(x) = 2 g(x)`` with ``g(c + t) = g(c - t)``, is the law of
``c + |Y - c|`` for ``Y ~ g`` on the whole line, which is also ``Y`` truncated at its centre: the
half-normal, half-logistic, half-Cauchy, half-t, half-hyperbolic-secant ... and the normal
folded at its mean. The log-density is then the same expression in ``x`` as ``log g`` up to the
constant ``log 2``, so every function of the data the derivations take expectations of (the
score, the Hessian, a log-ratio ``log f_1 - log f_2``, a derivative of any order in the
parameters) is symmetric about ``c`` too, and

    E_f[h(X)] = int_c^oo 2 g(x) h(x) dx = int_R g(y) h(y) dy = E_g[h(Y)]

(the unfolded law is taken centred, ``Y - c``, so that its own structures meet a density
symmetric about 0; the results depend on the parameters only, not on the data's origin)

(Feller, *An Introduction to Probability Theory and Its Applications* vol. 2 (1971), §II.1, the
law of ``|Y|``; Johnson, Kotz & Balakrishnan, *Continuous Univariate Distributions* vol. 1 (1994),
§13.7.4, the folded normal at mean zero). So the Fisher information (both routes), ``E[s]``, the
KL divergence and its Taylor expansion of the folded model are those of the unfolded one, whose
whole-line structures (a location or scale, ``W = exp(c Y)``, the residues of a rational density)
then answer.

The symmetry is found, never assumed: ``log f(c + t) - log f(c - t)`` is checked at seeded points
(real and zero) and then proven by exact rewrites or by SymPy within a short limit; the end
``c`` must be free of the parameters. Nothing here looks at the model's name.
"""
from __future__ import annotations

import sympy as sp

from ...derivation import Derivation, Step
from ...domains import IntervalSupport
from ...limits import StepTimeout, time_limit
from ...model import Model
from ...simplify import cancels
from .. import notation as N
from . import Structure, register_structure

__all__ = ["Folded", "folded", "FoldedStructure"]

_PROVE_LIMIT = 2.0


class Folded:
    """``model`` is ``base`` (a law on the whole line symmetric about ``centre``) folded at ``centre``."""

    def __init__(self, model: Model, base: Model, centre, evidence: str):
        self.model, self.base, self.centre, self.evidence = model, base, centre, evidence

    def step(self) -> Step:
        x, y, c = self.model.data[0], self.base.data[0], self.centre
        t = sp.Symbol("t", real=True)
        shift = f"{c} + " if c != 0 else ""
        return Step(f"The density is twice a density symmetric about {c}, restricted to {x} on one side of {c}: "
                    f"X = {shift}|Y| with Y ~ g on the whole line, g symmetric about 0 ({self.evidence}). Every "
                    f"function of the data below (score, Hessian, log-ratio) is symmetric about {c} as well, so its "
                    f"expectation under the folded law is its expectation at {shift}Y under g.",
                    "E_f[h(X)] = int 2 g h over the half-line = int g h over R for h symmetric about the centre "
                    "(the law of |Y|, Feller 1971, II.1)",
                    sp.Function("g")(y),
                    (sp.exp(self.base.log_density),
                     sp.Eq(N.logf(self.model).xreplace({x: c + t}) - N.logf(self.model).xreplace({x: c - t}),
                           sp.S.Zero, evaluate=False)))


def _side(sup):
    """The finite end of a half-line support, or ``None``."""
    if type(sup).__name__ != "IntervalSupport":
        return None
    lo, hi = sup.lo, sup.hi
    if lo.is_finite and hi == sp.oo:
        return lo
    if hi.is_finite and lo == -sp.oo:
        return hi
    return None


def _points(syms, model: Model, n: int = 3) -> list:
    """``n`` seeded exact points inside the declared domains (no NumPy: this runs for every
    half-line model, most of which are refused here)."""
    import random

    rng = random.Random(29)
    doms = dict(model.domains)
    pts = []
    for _ in range(n):
        pt = {}
        for s in syms:
            d = doms.get(s)
            u = sp.Rational(rng.randint(15, 85), 100)
            lo, hi = (d.lo, d.hi) if d is not None else (-sp.oo, sp.oo)
            if getattr(d, "integer", False):
                v = (lo if lo.is_finite else 0) + rng.randint(1, 3)
            elif lo.is_finite and hi.is_finite:
                v = lo + (hi - lo) * u
            elif lo.is_finite:
                v = lo + 2 * u
            elif hi.is_finite:
                v = hi - 2 * u
            else:
                v = 4 * u - 2
            pt[s] = v
        pts.append(pt)
    return pts


def _numerically_symmetric(gap, t, model: Model) -> bool:
    """``gap(t)`` is 0 (to 1e-12) at seeded parameter points and values of ``t``: a cheap refusal
    of every density that is not symmetric (most are not), before anything is proven."""
    syms = sorted((gap.free_symbols - {t}), key=str)
    for pt in _points(syms, model):
        for tv in ("0.07", "0.6", "1.7", "4.3", "11.5"):
            try:
                v = complex(gap.evalf(30, subs={**pt, t: sp.Float(tv, 30)}))
            except (TypeError, ValueError, ZeroDivisionError):
                return False
            if not (v == v) or abs(v) > 1e-12:
                return False
    return True


def _proven_symmetric(gap) -> str | None:
    """How ``gap = 0`` is proven (exact rewrites, or SymPy's simplify of ``gap`` or of ``exp(gap)``,
    the ratio of the densities at ``c + t`` and ``c - t``), or ``None``."""
    if cancels(gap):
        return "the two log-densities cancel"
    try:
        with time_limit(_PROVE_LIMIT, "symmetry of the density"):
            if sp.simplify(sp.powsimp(sp.exp(gap))) == 1:
                return "f(c + t)/f(c - t) simplifies to 1"
            if sp.simplify(gap) == 0:
                return "log f(c + t) - log f(c - t) simplifies to 0"
    except (StepTimeout, Exception):
        return None
    return None


def folded(model: Model) -> Folded | None:
    """The unfolded law when ``model`` is a symmetric law folded at its centre, else ``None``."""
    if len(model.data) != 1 or not model.params:
        return None
    c = _side(model.support[0])
    if c is None or c.has(*model.params):
        return None
    x = model.data[0]
    ell = model.log_density
    if not ell.has(x):
        return None
    t = sp.Dummy("t", real=True)
    gap = ell.xreplace({x: c + t}) - ell.xreplace({x: c - t})
    if not _numerically_symmetric(gap, t, model):
        return None
    how = _proven_symmetric(gap)
    if how is None:
        return None
    from ...standardize import standardize

    # the unfolded law centred at 0 (Y - c): its statistics are those of the folded law shifted by the known
    # c, and its derivations then meet a density symmetric about 0 (the residues, a scale, exp(c Y))
    y = sp.Symbol(x.name, real=True)
    base = model.with_(name=f"{model.name} unfolded", data=(y,), log_density=ell.xreplace({x: c + y}) - sp.log(2),
                       support=(IntervalSupport(-sp.oo, sp.oo),), representation=None, family="",
                       power_moments=None, mgf=None, moments=None, sampler=None)
    try:
        with time_limit(_PROVE_LIMIT * 2, "standardize the unfolded law"):
            base = standardize(base)
    except (StepTimeout, Exception):
        pass
    return Folded(model, base, c, how)


@register_structure
class FoldedStructure(Structure):
    """A symmetric law folded at its (known) centre: derive through the unfolded law."""

    name = "folded"
    priority = 60  # after the exponential family (the half-normal's own route), before the catalog identity

    def find(self, model):
        try:
            with time_limit(3 * _PROVE_LIMIT, "a law folded at its centre"):
                return folded(model)
        except (StepTimeout, NotImplementedError, ValueError, TypeError):
            return None

    def fisher(self, model, fo: Folded, limit=None, **_):
        from ..fisher import fisher_information

        fd = fisher_information(fo.base, limit=limit)
        if fd.result is None:
            return None
        d = Derivation("fisher", f"Fisher information of the {model.name} model").add(fo.step())
        d = d.extend(fd)
        d = d.add(Step("The folded law has the Fisher information of the unfolded one.",
                       "E_f[s s^T] = E_g[s s^T] and E_f[H] = E_g[H]: the score and Hessian are symmetric",
                       N.fisher_of(model), (fd.result if fd.result.rows > 1 else fd.result[0, 0],)))
        d.extras.update(outer=fd.extras.get("outer"), curvature=fd.extras.get("curvature"),
                        routes_agree=fd.extras.get("routes_agree", False), structure="folded")
        return d.with_result(fd.result)

    def expected_score(self, model, fo: Folded, limit=None, **_):
        from ..fisher import score
        from ..regularity import expected_score
        from . import dispatch

        raw = score(fo.base, textbook=False).extras["raw"]
        es = dispatch("expected_score", fo.base, score_vector=raw)
        if es is None:
            es = expected_score(fo.base, raw, limit=limit)
        d = Derivation("expected_score", "The score has mean zero").add(fo.step()).extend(es)
        return d.with_result(es.result)

    def kl(self, model, fo: Folded, first: dict, second: dict, limit=None, **_):
        from ..kl import kl_divergence

        kd = kl_divergence(fo.base, limit=limit)
        if kd.result is None:
            return None
        d = Derivation("kl", f"Kullback–Leibler divergence of two {model.name} distributions").add(fo.step())
        d = d.extend(kd)
        d = d.add(Step("The folded laws have the divergence of the unfolded ones: the log-ratio is symmetric about "
                       f"{fo.centre}.", "E_f[log f_1/f_2] = E_g[log g_1/g_2] (the factors 2 cancel)",
                       N.KL(*first.values(), *second.values()), (kd.result,)))
        d.extras.update(structure="folded", route=kd.extras.get("route"))
        return d.with_result(kd.result)

    def kl_taylor(self, model, fo: Folded, order: int = 3, fisher=None, limit=None, **_):
        from ..taylor import kl_taylor

        td = kl_taylor(fo.base, order, fisher=fisher, limit=limit)
        if td.result is None:
            return None
        d = Derivation("kl_taylor", f"Taylor expansion of the KL divergence of the {model.name} model")
        d = d.add(fo.step()).extend(td)
        d.extras.update(td.extras)
        d.extras["structure"] = "folded"
        return d.with_result(td.result)
