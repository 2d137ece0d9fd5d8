"""Changes of coordinates as values, and the transformation law of the Fisher information.

A :class:`CoordinateChange` holds both maps between old coordinates ``theta`` and new ones
``phi`` — ``theta_of_phi`` (used to rewrite the model) and ``phi_of_theta`` (the forward map)
— the new parameters' domains and the Jacobian ``J = d theta / d phi``. For natural
coordinates of an exponential family it also carries the sufficient statistic ``T(x)`` and
the log-partition ``A(eta)``, with ``log f = eta . T(x) - A(eta) + log h(x)``.

* :func:`reparameterize` rewrites a model in the new coordinates (a new :class:`Model`);
* :func:`transformation_law` derives ``I_phi = J^T I_theta(theta(phi)) J`` and, separately,
  the Fisher information of the reparameterized model from scratch, and shows they agree
  (for natural coordinates also ``I_eta = Hessian of A``);
* :func:`coordinate_change` builds a change from a user's ``theta = expression in phi``,
  inferring each new parameter's domain (the largest interval where the expression is
  defined) and refusing maps that are not invertible or leave the parameter domain;
* ``COORDINATES`` names the catalog's coordinate systems by family (``logit``, ``natural`` ...).

Reference: Lehmann & Casella (1998), §2.7 (reparameterization); Amari & Nagaoka (2000), §2.

>>> from symfisher.families import get_model
>>> m = get_model("bernoulli")
>>> c = named_coordinates(m, "logit")
>>> c.theta_of_phi, c.jacobian()
((1/(1 + exp(-eta)),), Matrix([[exp(-eta)/(1 + exp(-eta))**2]]))
>>> transformation_law(m, "logit").result
Matrix([[exp(eta)/(exp(eta) + 1)**2]])
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import sympy as sp
from sympy import exp, log, loggamma, oo, sqrt

from ..derivation import Derivation, Step
from ..domains import POSITIVE, REAL, Domain
from ..limits import StepTimeout, time_limit
from ..model import Model, ModelError, PowerMoments, MGF, Representation
from ..simplify import as_expr, is_zero, tidy, tidy_matrix
from . import notation as N
from .regularity import DomainMap, model_domains

__all__ = [
    "CoordinateChange",
    "COORDINATES",
    "register_coordinates",
    "named_coordinates",
    "coordinate_names",
    "coordinate_change",
    "reparameterize",
    "transformation_law",
    "pull_back",
]


@dataclass(frozen=True)
class CoordinateChange:
    """``theta = theta_of_phi(phi)`` and ``phi = phi_of_theta(theta)``, with the new domains."""

    name: str
    old: tuple
    new: tuple
    theta_of_phi: tuple
    phi_of_theta: tuple | None
    domains: tuple  # ((phi_i, Domain), ...)
    description: str = ""
    statistic: tuple = ()  # T(x) for natural coordinates
    log_partition: sp.Expr | None = None  # A(eta)
    notes: tuple = ()

    def __call__(self, theta: dict) -> dict:
        """The forward map: ``{phi_i: value}`` from ``{theta_i: value}``."""
        if self.phi_of_theta is None:
            raise ValueError(f"the coordinates {self.name} have no closed-form forward map")
        return {p: as_expr(e).subs(theta) for p, e in zip(self.new, self.phi_of_theta)}

    def inverse(self, phi: dict) -> dict:
        """``{theta_i: value}`` from ``{phi_i: value}``."""
        return {t: e.subs(phi) for t, e in zip(self.old, self.theta_of_phi)}

    def jacobian(self) -> sp.Matrix:
        """``J[i, j] = d theta_i / d phi_j`` as a function of ``phi``."""
        return sp.Matrix([[sp.diff(t, p) for p in self.new] for t in self.theta_of_phi])

    def equations(self) -> tuple:
        return tuple(sp.Eq(t, e, evaluate=False) for t, e in zip(self.old, self.theta_of_phi) if t != e)


# -- named coordinate systems --------------------------------------------------------
COORDINATES: dict = {}  # family -> {name: factory(model) -> CoordinateChange}


def register_coordinates(family: str, name: str):
    def deco(factory: Callable):
        COORDINATES.setdefault(family, {})[name] = factory
        return factory

    return deco


def coordinate_names(model: Model) -> list:
    return sorted(COORDINATES.get(model.family, {}))


def named_coordinates(model: Model, name: str) -> CoordinateChange:
    """The named coordinate system ``name`` of the model's family (``ModelError`` if unknown)."""
    known = COORDINATES.get(model.family, {})
    if name not in known:
        if not known:
            raise ModelError(f"the {model.name} model has no named coordinate systems"
                             + ("; use --reparam 'PARAM = EXPR'" if True else ""))
        raise ModelError(f"unknown coordinate system {name!r} for {model.name} (choose from {', '.join(sorted(known))})")
    return known[name](model)


def _sym(name, dom: Domain):
    return dom.symbol(name)


def _change(model, name, new_specs, theta_of_phi, phi_of_theta, description, statistic=(), log_partition=None):
    """Build a change; ``new_specs`` is ``((name, Domain) or an existing symbol, ...)``."""
    new, doms = [], []
    for spec in new_specs:
        if isinstance(spec, sp.Symbol):
            new.append(spec)
            doms.append((spec, model.domain(spec)))
        else:
            s = _sym(*spec)
            new.append(s)
            doms.append((s, spec[1]))
    env = {s.name: s for s in new}
    th = tuple(theta_of_phi(**env))
    ph = tuple(phi_of_theta(**{t.name: t for t in model.params}))
    A = log_partition(**env) if log_partition is not None else None
    return CoordinateChange(name, tuple(model.params), tuple(new), th, ph, tuple(doms), description,
                            tuple(statistic), A)


NEG = Domain.interval(-oo, 0)
ABOVE_MINUS_ONE = Domain.interval(-1, oo)


def _x(model):
    return model.data[0]


def _register_logit(family, factor):
    def natural(model, name="natural"):
        n = factor(model)
        return _change(model, name, (("eta", REAL),), lambda eta: (1 / (1 + exp(-eta)),),
                       lambda p: (log(p / (1 - p)),), "log-odds eta = log(p/(1-p))",
                       (_x(model),), lambda eta: n * log(1 + exp(eta)))

    register_coordinates(family, "logit")(lambda m: natural(m, "logit"))
    register_coordinates(family, "natural")(natural)


_register_logit("bernoulli", lambda m: 1)
_register_logit("binomial", lambda m: m.symbol("n"))


@register_coordinates("poisson", "log")
@register_coordinates("poisson", "natural")
def _poisson_log(model):
    return _change(model, "log-rate", (("eta", REAL),), lambda eta: (exp(eta),), lambda lam: (log(lam),),
                   "log-rate eta = log lam", (_x(model),), lambda eta: exp(eta))


@register_coordinates("geometric", "natural")
def _geometric_natural(model):
    return _change(model, "natural", (("eta", NEG),), lambda eta: (1 - exp(eta),), lambda p: (log(1 - p),),
                   "eta = log(1 - p) < 0", (_x(model),), lambda eta: eta - log(1 - exp(eta)))


@register_coordinates("negative_binomial", "natural")
def _negbin_natural(model):
    r = model.symbol("r")
    return _change(model, "natural", (("eta", NEG),), lambda eta: (1 - exp(eta),), lambda p: (log(1 - p),),
                   "eta = log(1 - p) < 0", (_x(model),), lambda eta: -r * log(1 - exp(eta)))


@register_coordinates("categorical", "natural")
def _categorical_natural(model):
    K = model.meta_value("K")
    etas = tuple(REAL.symbol(f"eta_{k}") for k in range(1, K))
    Z = 1 + sp.Add(*[exp(e) for e in etas])
    ps = model.params
    last = 1 - sp.Add(*ps)
    x = _x(model)
    return CoordinateChange(
        "natural", tuple(ps), etas, tuple(exp(e) / Z for e in etas), tuple(log(p / last) for p in ps),
        tuple((e, REAL) for e in etas), f"multinomial logits eta_k = log(p_k/p_{K})",
        tuple(sp.KroneckerDelta(x, k) for k in range(1, K)), log(Z))


@register_coordinates("exponential", "scale")
def _exponential_scale(model):
    return _change(model, "scale", (("theta", POSITIVE),), lambda theta: (1 / theta,), lambda lam: (1 / lam,),
                   "scale (mean) theta = 1/lam")


@register_coordinates("exponential", "natural")
def _exponential_natural(model):
    return _change(model, "natural", (("eta", NEG),), lambda eta: (-eta,), lambda lam: (-lam,),
                   "eta = -lam < 0", (_x(model),), lambda eta: -log(-eta))


@register_coordinates("normal_mean", "natural")
def _normal_mean_natural(model):
    s = model.symbol("sigma")
    return _change(model, "natural", (("eta", REAL),), lambda eta: (s**2 * eta,), lambda mu: (mu / s**2,),
                   "eta = mu/sigma^2", (_x(model),), lambda eta: s**2 * eta**2 / 2)


@register_coordinates("normal_variance", "sd")
def _normal_variance_sd(model):
    return _change(model, "sd", (("sigma", POSITIVE),), lambda sigma: (sigma**2,), lambda v: (sqrt(v),),
                   "standard deviation sigma = sqrt(v)")


@register_coordinates("normal_variance", "precision")
def _normal_variance_precision(model):
    return _change(model, "precision", (("tau", POSITIVE),), lambda tau: (1 / tau,), lambda v: (1 / v,),
                   "precision tau = 1/v")


@register_coordinates("normal_variance", "natural")
def _normal_variance_natural(model):
    mu = model.symbol("mu")
    return _change(model, "natural", (("eta", NEG),), lambda eta: (-1 / (2 * eta),), lambda v: (-1 / (2 * v),),
                   "eta = -1/(2v)", ((_x(model) - mu) ** 2,), lambda eta: -log(-2 * eta) / 2)


def _normal_like(family, stat):
    @register_coordinates(family, "variance")
    def variance(model):
        mu = model.symbol("mu")
        return _change(model, "variance", (mu, ("v", POSITIVE)), lambda mu, v: (mu, sqrt(v)),
                       lambda mu, sigma: (mu, sigma**2), "(mu, v = sigma^2)")

    @register_coordinates(family, "log_sigma")
    def log_sigma(model):
        mu = model.symbol("mu")
        return _change(model, "log_sigma", (mu, ("tau", REAL)), lambda mu, tau: (mu, exp(tau)),
                       lambda mu, sigma: (mu, log(sigma)), "(mu, tau = log sigma)")

    @register_coordinates(family, "precision")
    def precision(model):
        mu = model.symbol("mu")
        return _change(model, "precision", (mu, ("tau", POSITIVE)), lambda mu, tau: (mu, 1 / sqrt(tau)),
                       lambda mu, sigma: (mu, 1 / sigma**2), "(mu, precision tau = 1/sigma^2)")

    @register_coordinates(family, "natural")
    def natural(model):
        return _change(model, "natural", (("eta_1", REAL), ("eta_2", NEG)),
                       lambda eta_1, eta_2: (-eta_1 / (2 * eta_2), 1 / sqrt(-2 * eta_2)),
                       lambda mu, sigma: (mu / sigma**2, -1 / (2 * sigma**2)),
                       "eta_1 = mu/sigma^2, eta_2 = -1/(2 sigma^2)", stat(model),
                       lambda eta_1, eta_2: -eta_1**2 / (4 * eta_2) - log(-2 * eta_2) / 2)


_normal_like("normal", lambda m: (_x(m), _x(m) ** 2))
_normal_like("lognormal", lambda m: (log(_x(m)), log(_x(m)) ** 2))


@register_coordinates("gamma", "scale")
def _gamma_scale(model):
    a = model.symbol("a")
    return _change(model, "scale", (a, ("theta", POSITIVE)), lambda a, theta: (a, 1 / theta),
                   lambda a, b: (a, 1 / b), "(shape a, scale theta = 1/b)")


@register_coordinates("gamma", "natural")
def _gamma_natural(model):
    x = _x(model)
    return _change(model, "natural", (("eta_1", ABOVE_MINUS_ONE), ("eta_2", NEG)),
                   lambda eta_1, eta_2: (eta_1 + 1, -eta_2), lambda a, b: (a - 1, -b),
                   "eta_1 = a - 1, eta_2 = -b", (log(x), x),
                   lambda eta_1, eta_2: loggamma(eta_1 + 1) - (eta_1 + 1) * log(-eta_2))


@register_coordinates("beta", "natural")
def _beta_natural(model):
    x = _x(model)
    return _change(model, "natural", (("eta_1", ABOVE_MINUS_ONE), ("eta_2", ABOVE_MINUS_ONE)),
                   lambda eta_1, eta_2: (eta_1 + 1, eta_2 + 1), lambda a, b: (a - 1, b - 1),
                   "eta_1 = a - 1, eta_2 = b - 1", (log(x), log(1 - x)),
                   lambda eta_1, eta_2: loggamma(eta_1 + 1) + loggamma(eta_2 + 1) - loggamma(eta_1 + eta_2 + 2))


@register_coordinates("rayleigh", "natural")
def _rayleigh_natural(model):
    return _change(model, "natural", (("eta", NEG),), lambda eta: (1 / sqrt(-2 * eta),),
                   lambda sigma: (-1 / (2 * sigma**2),), "eta = -1/(2 sigma^2)", (_x(model) ** 2,),
                   lambda eta: -log(-2 * eta))


@register_coordinates("pareto", "natural")
def _pareto_natural(model):
    xm = model.symbol("xm")
    return _change(model, "natural", (("eta", NEG),), lambda eta: (-eta,), lambda alpha: (-alpha,),
                   "eta = -alpha", (log(_x(model)),), lambda eta: -log(-eta) + eta * log(xm))


@register_coordinates("inverse_gaussian", "natural")
def _ig_natural(model):
    x = _x(model)
    return _change(model, "natural", (("eta_1", NEG), ("eta_2", NEG)),
                   lambda eta_1, eta_2: (sqrt(eta_2 / eta_1), -2 * eta_2),
                   lambda mu, lam: (-lam / (2 * mu**2), -lam / 2),
                   "eta_1 = -lam/(2 mu^2), eta_2 = -lam/2", (x, 1 / x),
                   lambda eta_1, eta_2: -2 * sqrt(eta_1 * eta_2) - log(-2 * eta_2) / 2)


# -- user maps: theta = expression in phi --------------------------------------------------
def _natural_domain(expr, s) -> sp.Set:
    from sympy.calculus.util import continuous_domain

    with time_limit(4.0, f"the domain of {s}"):
        return continuous_domain(expr, s, sp.S.Reals)


def _endpoint(expr, s, at, direction) -> sp.Expr:
    with time_limit(4.0, "limits of the reparameterization"):
        return sp.limit(expr, s, at, direction)


def _one_map(model: Model, old: sp.Symbol, expr: sp.Expr, s: sp.Symbol, text: str):
    """``(new symbol with its domain, Domain, inverse or None)`` or ``ModelError``."""
    dom_old = model.domain(old)
    try:
        dom = _natural_domain(expr, s)
    except (StepTimeout, NotImplementedError, Exception):
        dom = sp.S.Reals
    if isinstance(dom, sp.Union) or not isinstance(dom, sp.Interval) and dom != sp.S.Reals:
        gaps = sp.S.Reals - dom
        broken = ModelError(f"{text}: the right side is not defined for every {s} in one interval "
                            f"(it breaks at {gaps}), so it is not a smooth invertible map")
        pieces = [a for a in dom.args if isinstance(a, sp.Interval)] if isinstance(dom, sp.Union) else []
        if not pieces or len(pieces) != len(dom.args) or len(pieces) > 4:
            raise broken
        # t = 1/s for t > 0: of the intervals where it is defined, the one piece that maps onto t's domain
        fits = []
        for piece in pieces:
            try:
                fits.append(_on_interval(model, old, expr, s, text, piece.inf, piece.sup))
            except ModelError:
                continue
        if len(fits) != 1:
            raise broken
        return fits[0]
    lo, hi = (dom.inf, dom.sup) if dom != sp.S.Reals else (-oo, oo)
    return _on_interval(model, old, expr, s, text, lo, hi)


def _on_interval(model: Model, old: sp.Symbol, expr: sp.Expr, s: sp.Symbol, text: str, lo, hi):
    """:func:`_one_map` with the new symbol on ``(lo, hi)``: monotone there, onto the old parameter's domain."""
    dom_old = model.domain(old)
    if not (lo.is_number and hi.is_number):
        raise ModelError(f"{text}: the domain of {s} depends on other symbols ({dom})")
    new_dom = Domain.interval(lo, hi)
    s2 = new_dom.symbol(s.name)
    e = expr.subs(s, s2)
    deriv = sp.diff(e, s2)
    zeros = None
    try:
        with time_limit(4.0, "zeros of the derivative"):
            zeros = sp.solveset(sp.numer(sp.together(deriv)), s2, new_dom.as_set())
    except (StepTimeout, Exception):
        zeros = None
    if zeros is not None and isinstance(zeros, sp.FiniteSet) and zeros != sp.S.EmptySet:
        z = sorted(zeros, key=lambda v: float(v))[0]
        raise ModelError(f"{text}: not invertible for {s} in {new_dom}: the derivative {deriv} vanishes at {s} = {z} "
                         f"(the map is not monotone)")
    # the image: monotone, so the limits at the two ends
    try:
        a = _endpoint(e, s2, lo, "+")
        b = _endpoint(e, s2, hi, "-")
    except (StepTimeout, Exception):
        raise ModelError(f"{text}: SymPy could not find the values at the ends of {s}'s domain {new_dom}") from None
    import numpy as np

    rng = np.random.default_rng(3)
    grid = sorted(float(v) for v in new_dom.sample(rng, 60))
    # known constants in the map (t = c exp(w)): the monotonicity probe at one value of each
    fixed = {c: sp.Float(model.domain(c).sample(rng, 1)[0], 20) for c in model.constants if c in e.free_symbols}
    try:
        vals = [complex(e.xreplace(fixed).subs(s2, g).evalf()) for g in grid]
    except (TypeError, ValueError, ArithmeticError):
        raise ModelError(f"{text}: the right side could not be evaluated for {s} in {new_dom}") from None
    signs = {np.sign(v2.real - v1.real) for v1, v2 in zip(vals, vals[1:]) if abs(v2 - v1) > 1e-15}
    if any(abs(v.imag) > 1e-12 for v in vals):
        raise ModelError(f"{text}: the right side is not real for every {s} in {new_dom}")
    if len(signs) > 1:
        raise ModelError(f"{text}: not invertible: {old} is not monotone in {s} on {new_dom}")
    try:
        image = sp.Interval(sp.Min(a, b), sp.Max(a, b), True, True)
        inside = image.is_subset(sp.Interval(dom_old.lo, dom_old.hi))
        whole = sp.Interval(dom_old.lo, dom_old.hi, True, True) == image
    except (TypeError, ValueError):
        inside = whole = None
    if inside is None or not isinstance(image, sp.Interval):
        raise ModelError(f"{text}: the values of {old} at the ends of {s}'s domain ({a}, {b}) could not be compared "
                         f"with its domain {dom_old}")
    if not inside:
        raise ModelError(f"{text}: for {s} in {new_dom}, {old} ranges over ({image.inf}, {image.sup}), which leaves its domain {dom_old}")
    if not whole:
        raise ModelError(f"{text}: {old} only ranges over ({image.inf}, {image.sup}), not its whole domain {dom_old}")
    inverse = None
    t = sp.Dummy(old.name, **old.assumptions0)
    try:
        with time_limit(4.0, "inverse of the reparameterization"):
            sols = sp.solve(sp.Eq(t, e), s2)
        good = [v for v in sols if _round_trips(e, s2, v.subs(t, old), old, dom_old)]
        if len(good) == 1:
            inverse = good[0].subs(t, old)
    except (StepTimeout, Exception):
        pass
    return s2, new_dom, inverse


def _round_trips(e, s, inv, old, dom_old) -> bool:
    import numpy as np

    rng = np.random.default_rng(5)
    for v in dom_old.sample(rng, 4):
        w = inv.subs(old, sp.Float(v, 30)).evalf(30)
        if not w.is_real:
            return False
        back = e.subs(s, w).evalf(30)
        if abs(complex(back) - v) > 1e-8 * max(1, abs(v)):
            return False
    return True


def coordinate_change(model: Model, mapping: dict, name: str = "user", texts: dict | None = None) -> CoordinateChange:
    """A change of coordinates from ``{old parameter: expression in one new symbol}``.

    Parameters not in ``mapping`` stay as they are. Each new symbol's domain is the largest
    interval where its expression is defined; the map must be monotone there (its derivative
    never zero) and its image must be exactly the old parameter's domain. Otherwise
    :class:`ModelError` says which condition fails.
    """
    texts = texts or {}
    known = set(model.params) | set(model.constants) | set(model.data)
    new, th, ph, doms, used = [], [], [], [], {}
    for old in model.params:
        if old not in mapping:
            new.append(old)
            th.append(old)
            ph.append(old)
            doms.append((old, model.domain(old)))
            continue
        expr = as_expr(mapping[old])  # a SymPy object built by the safe parser
        text = texts.get(old, f"{old} = {expr}")
        data_names = {str(x) for x in model.data}
        if expr.has(*model.data) or any(str(f) in data_names for f in expr.free_symbols):
            raise ModelError(f"{text}: the new coordinates must not involve the data variable "
                             f"({', '.join(sorted(data_names))})")
        fresh = sorted(expr.free_symbols - known, key=lambda s_: s_.name)
        if expr.free_symbols & set(model.params):
            raise ModelError(f"{text}: the right side involves another old parameter")
        if len(fresh) != 1:
            raise ModelError(f"{text}: each --reparam must introduce exactly one new parameter, found "
                             f"{', '.join(map(str, fresh)) or 'none'}")
        s = fresh[0]
        if s.name in used or s.name in {p.name for p in model.params if p not in mapping}:
            raise ModelError(f"{text}: the new parameter {s} is already used")
        s2, dom, inv = _one_map(model, old, expr, s, text)
        used[s.name] = s2
        new.append(s2)
        th.append(expr.subs(s, s2))
        ph.append(inv)
        doms.append((s2, dom))
    forward = tuple(ph) if all(p is not None for p in ph) else None
    return CoordinateChange(name, tuple(model.params), tuple(new), tuple(th), forward, tuple(doms),
                            "; ".join(f"{o} = {e}" for o, e in zip(model.params, th) if o != e))


# -- the reparameterized model -------------------------------------------------------
def reparameterize(model: Model, change: CoordinateChange | str) -> Model:
    """The model in the new coordinates: ``f(x; theta(phi))`` with the new parameters' domains."""
    if isinstance(change, str):
        change = named_coordinates(model, change)
    sub = {t: e for t, e in zip(change.old, change.theta_of_phi) if t != e}

    def s(e):
        return e.subs(sub, simultaneous=True) if isinstance(e, sp.Basic) else e

    logf = s(model.log_density)
    doms = tuple(change.domains) + tuple((c, model.domain(c)) for c in model.constants)
    pm = model.power_moments
    pm = PowerMoments(pm.bases, pm.exponents, s(pm.value)) if pm is not None else None
    mgf = MGF(model.mgf.t, s(model.mgf.value)) if model.mgf is not None else None
    rep = model.representation
    if rep is not None:
        rep = Representation(rep.base, tuple(s(e) for e in rep.transform), rep.explanation)
    moments = None
    if model.moments is not None:
        base_moments = model.moments

        def moments(t):
            v = base_moments(t)
            return s(v) if v is not None else None

    sampler = None
    if model.sampler is not None:
        base_sampler = model.sampler
        fns = [(t.name, sp.lambdify([p.name for p in change.new] + [c.name for c in model.constants],
                                    e.subs({p: sp.Symbol(p.name) for p in change.new})
                                    .subs({c: sp.Symbol(c.name) for c in model.constants}), "numpy"))
               for t, e in zip(change.old, change.theta_of_phi)]

        def sampler(rng, v, n):
            args = [v[p.name] for p in change.new] + [v[c.name] for c in model.constants]
            w = dict(v)
            w.update({name: float(f(*args)) for name, f in fns})
            return base_sampler(rng, w, n)

    cons = tuple(c.subs(sub, simultaneous=True) for c in model.meta_value("constraints", ()))
    cons = tuple(c for c in cons if c not in (sp.true, True))
    meta = tuple((k, v) for k, v in model.meta if k not in ("constraints", "coordinates", "base_model"))
    meta += (("constraints", cons), ("coordinates", change), ("base_model", model))
    return Model(
        f"{model.name} ({change.name})", model.data, tuple(change.new), logf, model.support,
        domains=doms, constants=model.constants, family="",
        parameterization=f"{model.parameterization}; coordinates {change.description or change.name}",
        moments=moments, power_moments=pm, mgf=mgf, representation=rep, sampler=sampler, meta=meta,
    )


def _resolve(model: Model, coords) -> CoordinateChange:
    return named_coordinates(model, coords) if isinstance(coords, str) else coords


def new_domains(model: Model, change: CoordinateChange) -> DomainMap:
    out = DomainMap(dict(change.domains))
    out.update({c: model.domain(c) for c in model.constants})
    out.constraints = tuple(c.subs({t: e for t, e in zip(change.old, change.theta_of_phi)}, simultaneous=True)
                            for c in model.meta_value("constraints", ()))
    out.constraints = tuple(c for c in out.constraints if c not in (sp.true, True))
    return out


def pull_back(I_theta: sp.Matrix, change: CoordinateChange, J: sp.Matrix | None = None,
              constants: dict | None = None) -> sp.Matrix:
    """The transformation law ``I_phi = J^T I_theta(theta(phi)) J`` (simplified), ``J = d theta / d phi``;
    ``constants`` maps the old model's known constants to their values in the new one."""
    J = change.jacobian() if J is None else J
    sub = {t: e for t, e in zip(change.old, change.theta_of_phi) if t != e}
    sub.update(constants or {})
    I_at = I_theta.subs(sub, simultaneous=True)
    return tidy_matrix(J.T * I_at * J, limit=2.0)


def transformation_law(model: Model, coords, *, fisher=None, limit: float | None = None) -> Derivation:
    """``I_phi`` by the law ``J^T I_theta(theta(phi)) J`` and by a fresh derivation in ``phi``.

    ``result`` is the law's matrix (simplified); ``extras``: ``law``, ``direct``,
    ``routes_agree``, ``jacobian``, ``model`` (the reparameterized model), ``change``, and for
    natural coordinates ``hessian_of_A`` and ``log_partition_agrees``.
    """
    from .fisher import fisher_information

    change = _resolve(model, coords)
    new_model = reparameterize(model, change)
    d = Derivation("transformation_law", f"Fisher information of the {model.name} model in "
                                         + (f"{change.name} coordinates" if change.name.isidentifier()
                                            else f"the coordinates {change.name}"))
    d = d.add(Step(f"Change coordinates: {change.description or change.name}.", "the old parameters as functions "
                   "of the new ones", None, change.equations() + tuple(
                       sp.Contains(p, dom.as_set(), evaluate=False) for p, dom in change.domains if p not in change.old)))
    if change.phi_of_theta is not None:
        d = d.add(Step("The inverse map (the new coordinates in terms of the old):", "solve for the new parameters",
                       None, tuple(sp.Eq(p, e, evaluate=False) for p, e in zip(change.new, change.phi_of_theta) if p != e)))
    J = change.jacobian().applyfunc(lambda e: tidy(e, limit=1.0))
    # the page names the coordinates it uses (eta -> p), not the generic phi -> theta
    one = len(change.new) == 1 and len(change.old) == 1
    phi = str(change.new[0]) if one else "phi"
    theta = str(change.old[0]) if one else "theta"
    named = "" if one else (f" (theta = ({', '.join(map(str, change.old))}), "
                            f"phi = ({', '.join(map(str, change.new))}))")
    d = d.add(Step(f"The Jacobian of the map {phi} -> {theta}{named}:",
                   f"J = d {theta} / d {phi}" if one else "J_ij = d theta_i / d phi_j", sp.Symbol("J"), (J,)))
    I_theta = fisher if fisher is not None else fisher_information(model, limit=limit).result
    if I_theta is None:
        return d.fail("transformation law", f"the Fisher information of the {model.name} model is not available")
    law = pull_back(I_theta, change, J)
    I_phi = N.FISHER(*change.new)
    sub = {t: e for t, e in zip(change.old, change.theta_of_phi) if t != e}
    shown = (sp.MatMul(J.T, N.fisher_of(model), J, evaluate=False),) if law.rows > 1 else (
        sp.Mul(sp.Pow(J[0, 0], 2), N.fisher_of(model), evaluate=False),  # the law, then with the values put in
        sp.Mul(sp.Pow(J[0, 0], 2), tidy(I_theta[0, 0].subs(sub, simultaneous=True), limit=1.0), evaluate=False))
    d = d.add(Step((f"Route 1, the transformation law: the score in {phi} is J times the score in {theta}, so "
                    f"I({phi}) = J^2 I({theta}({phi})); put in the Jacobian and the Fisher information at {theta} "
                    f"written in {phi}.") if one else
                   (r"Route 1, the transformation law: the score in $\phi$ is $J^{\mathsf{T}}$ times the score in "
                    r"$\theta$, so $\mathcal{I}(\phi) = J^{\mathsf{T}} \mathcal{I}(\theta(\phi)) J$; put in the "
                    "Jacobian and the Fisher information at the old parameters written in the new ones."),
                   r"chain rule; $\mathcal{I} = E[s s^{\mathsf{T}}]$", I_phi, shown + (law if law.rows > 1 else law[0, 0],)))
    if change.phi_of_theta is not None and law.rows == 1:
        # the same value in the old coordinates, as the law is usually quoted (I_phi = p(1 - p))
        old_form = tidy(law[0, 0].subs(dict(zip(change.new, change.phi_of_theta)), simultaneous=True), limit=1.0)
        if not old_form.has(*change.new) and old_form.count_ops() < law[0, 0].count_ops():
            d = d.add(Step("Written in the old coordinates:", "substitute the inverse map", I_phi, (old_form,)))
    direct_d = fisher_information(new_model, limit=limit)
    direct = direct_d.result
    d = d.add(Step(f"Route 2: derive the Fisher information of the model rewritten in {', '.join(map(str, change.new))} "
                   "from scratch (score, Hessian, expectations).", f"the two routes of the Fisher information, in {phi}",
                   I_phi, ((direct if direct.rows > 1 else direct[0, 0]) if direct is not None else sp.nan,)))
    for f in direct_d.failures:
        d = d.fail(f"transformation law (direct): {f.step}", f.reason)
    doms = new_domains(model, change)
    agree = None
    if direct is not None:
        agree = is_zero(law - direct, doms)
        if agree:
            d = d.add(Step("The two routes agree.", "their difference vanishes", None,
                           (sp.Eq(I_phi, law if law.rows > 1 else law[0, 0], evaluate=False),)))
        else:
            d = d.fail("transformation law", f"J^T I J = {law} but the direct derivation gives {direct}")
    hess_A, a_ok = None, None
    if change.log_partition is not None:
        d, hess_A, a_ok = _natural_steps(d, new_model, change, law, doms)
    d.extras.update(law=law, direct=direct, routes_agree=agree, jacobian=J, model=new_model, change=change,
                    hessian_of_A=hess_A, log_partition_agrees=a_ok)
    return d.with_result(law)


def _natural_steps(d, new_model, change, law, doms):
    eta = change.new
    A = change.log_partition
    T = sp.Matrix(change.statistic)
    ell = new_model.log_density
    rest = ell - (sp.Matrix(eta).T * T)[0, 0] + A
    sup = new_model.support[0]
    if sup.is_finite():  # KroneckerDelta statistics: check at every point of the support
        x = new_model.data[0]
        rests = [rest.subs(x, v) for v in sup.points()]
    else:
        rests = [rest]
    free = all(sp.simplify(sp.expand_log(sp.diff(r, e), force=True)) == 0 or is_zero(sp.diff(r, e), doms)
               for r in rests for e in eta)
    if not free:
        return d.fail("natural coordinates", "log f - eta.T(x) + A(eta) still depends on eta"), None, None
    d = d.add(Step(r"In the natural coordinates the family is exponential: $\ell = \eta \cdot T(x) + h(x) - A(\eta)$, "
                   "with the sufficient statistic and log-partition",
                   r"$\ell - \eta \cdot T(x) + A(\eta)$ does not depend on $\eta$",
                   None, (sp.Eq(sp.Function("T")(*new_model.data), T if T.rows > 1 else T[0], evaluate=False),
                          sp.Eq(sp.Function("A")(*eta), A, evaluate=False))))
    H = sp.hessian(A, eta).applyfunc(lambda e: tidy(e, limit=1.0))
    ok = is_zero(H - law, doms)
    if ok:
        d = d.add(Step("Route 3: the Fisher information in natural coordinates is the Hessian of the log-partition "
                       "(the covariance of $T(X)$).",
                       r"$\mathcal{I}(\eta) = -E[\partial^{2} \log f / \partial \eta^{2}] = \partial^{2} A / \partial \eta^{2}$, "
                       "free of $x$",
                       N.FISHER(*eta), (H if H.rows > 1 else H[0, 0],)))
    else:
        d = d.fail("natural coordinates", f"the Hessian of A, {H}, differs from the transformation law")
    return d, H, ok
