"""The Jeffreys prior ``pi(theta) ∝ sqrt(det I(theta))``, its propriety, normalizer and name.

Propriety is decided by integrating the kernel over the parameter domain (each factor
separately when the kernel factorizes; a factor whose integral diverges makes the prior
improper, and the ends where it diverges are named). Every integral runs under a time limit;
if SymPy cannot decide, the derivation fails with the reason — propriety is never guessed.
Invariance under a change of coordinates is shown with the transformation law
(:func:`jeffreys_invariance`).

Reference: Jeffreys (1946); Robert, *The Bayesian Choice*, §3.5.

>>> from symfisher.families import get_model
>>> d = jeffreys_prior(get_model("bernoulli"))
>>> d.result, d.extras["proper"], d.extras["normalizer"], d.extras["named"]
(1/(sqrt(p)*sqrt(1 - p)), True, pi, 'Beta(1/2, 1/2)')
"""
from __future__ import annotations

import sympy as sp
from sympy import oo

from ..derivation import Derivation, Step
from ..limits import StepFailed, StepTimeout, share, time_limit
from ..model import Model
from ..series import is_zero, value_at  # exact series tested without evalf's escalation
from ..simplify import cancels, tidy
from . import notation as N
from .regularity import model_domains
from .report import register_quantity
from .propriety import decide_propriety
from .structures import dispatch

__all__ = ["jeffreys_prior", "jeffreys_invariance"]


def _kernel(det, params, doms=None):
    """``sqrt(det)`` factor by factor, dropping the factors free of the parameters (constants):
    ``n/(p(1-p))`` -> ``1/(sqrt(p) sqrt(1-p))``. A base negative on the domain is written as its
    positive opposite (``-1/(8 b^3)`` with ``b < 0`` is ``(-b)^(-3/2)`` up to a constant, not
    ``b^(-3/2)``, which is imaginary there); the sign goes with the dropped constants. An even
    power of a base whose sign is not proven has the absolute value as its root
    (``(1 - exp(l))^(-2)`` has the root ``1/|1 - exp(l)|``, not ``1/(1 - exp(l)) < 0``); odd powers
    of bases of unknown sign share one root, whose argument is positive."""
    out, undecided, flips = sp.S.One, [], 1
    for f in sp.Mul.make_args(det):
        if not f.has(*params):
            flips *= -1 if f.is_negative else 1
            continue
        b, e = f.as_base_exp()
        sign = _sign(b, params, doms)
        if sign < 0:
            flips *= -1 if e.is_odd else 1
            b = -b
        elif sign == 0 and (e / 2).is_integer:
            b = sp.Abs(b)
        elif sign == 0:
            undecided.append(f)
            continue
        out *= b ** (e / 2)
    if len(undecided) == 1 and flips == 1:
        b, e = undecided[0].as_base_exp()
        return out * b ** (e / 2)
    if undecided:
        # factors of unknown sign (r^-3 and a sum, both negative for r < 0): one root of their
        # product, which has the sign of det over the other factors, so is positive once that is taken out
        out *= sp.sqrt(flips * sp.Mul(*undecided))
    return out


def _sign(b, params, doms) -> int:
    """``1`` or ``-1`` when the sign of ``b`` on the domain is proven (by the symbols' assumptions,
    for a polynomial in one parameter with no root inside its domain, or with every parameter written
    through positive ones, a map onto the domain), else ``0``."""
    if b.is_positive:
        return 1
    if b.is_negative:
        return -1
    if doms is not None and _negative_on_domain(b, params, doms):
        return -1
    if doms is not None:
        from .kl import _positive_coordinates

        pos = _positive_coordinates(params, doms)
        # (typedgaps) an unevaluated derivative (zeta'(s)) cannot be rewritten in other coordinates
        if pos and not b.has(sp.Derivative):
            c = sp.factor(sp.together(b.xreplace(pos)))
            if c.is_positive:
                return 1
            if c.is_negative:
                return -1
    return 0


def _negative_on_domain(b, params, doms) -> bool:
    """Whether the polynomial ``b`` in one parameter is negative on its whole (open) domain: no real
    root inside the interval, and negative at one inner point."""
    syms = [s for s in params if b.has(s)]
    if len(syms) != 1 or b.free_symbols - {syms[0]} or not b.is_polynomial(syms[0]):
        return False
    s, dom = syms[0], doms[syms[0]]
    lo, hi = dom.lo, dom.hi
    inside = [r for r in sp.Poly(b, s).real_roots() if (lo < r) == True and (r < hi) == True]  # noqa: E712
    if inside:
        return False
    mid = (lo + hi) / 2 if lo.is_finite and hi.is_finite else (lo + 1 if lo.is_finite else (hi - 1 if hi.is_finite else 0))
    return bool(b.subs(s, mid) < 0)


def _one_radical(expr, doms):
    """``expr`` under one radical (``1/sqrt(p(1 - p))``) when that reads differently and is proven
    equal on the domains, else ``None`` (a display form: the derivation goes on with ``expr``)."""
    from ..textbook import one_radical

    new = one_radical(expr)
    if new is None:
        return None
    # equal squares (a rational identity once sqrt(a)^2 = a) and the same sign at one inner point: two
    # continuous functions without zeros inside a connected domain (a Jeffreys kernel is positive there)
    # whose squares agree are equal; else the numeric zero test decides
    try:
        with time_limit(share(0.05), "one radical"):
            if cancels(new.doit() ** 2 - expr**2):
                from ..domain_points import random_points

                pt = random_points(sorted(expr.free_symbols, key=lambda s: s.name), doms, n=1)[0]
                a, b = value_at(new.doit(), pt), value_at(expr, pt)
                if abs(a.imag) <= 1e-12 * abs(a.real) and abs(b.imag) <= 1e-12 * abs(b.real) and a.real * b.real > 0:
                    return new
    except (StepTimeout, ValueError, TypeError):
        pass
    if is_zero(new.doit() - expr, doms, n=3, limit=1.0) is not True:
        return None
    return new


def _domain_text(s, dom) -> str:
    """A parameter's domain as a reader writes it: ``0 < p < 1``, ``lam > 0`` (else ``s in (a, b]``)."""
    if getattr(dom, "integer", False) or not (dom.left_open and dom.right_open):
        return f"{s} in {dom}"
    if dom.lo == -oo and dom.hi == oo:
        return f"all real {s}"
    if dom.hi == oo:
        return f"{s} > {dom.lo}"
    if dom.lo == -oo:
        return f"{s} < {dom.hi}"
    return f"{dom.lo} < {s} < {dom.hi}"


def _integrate(f, s, lo, hi, step):
    with time_limit(share(0.3), step):
        v = sp.integrate(f, (s, lo, hi))
    if v.has(sp.Integral):
        raise StepTimeout(step, "SymPy left the integral unevaluated")
    return v


def _one_factor(f, s, dom):
    """``(value, divergent ends)`` of the integral of ``f`` over ``dom``; value ``oo`` if divergent."""
    lo, hi = dom.lo, dom.hi
    if f.free_symbols - {s}:
        raise StepTimeout("propriety", f"the factor {f} involves other symbols")
    mid = (lo + hi) / 2 if lo.is_finite and hi.is_finite else (
        lo + 1 if lo.is_finite else (hi - 1 if hi.is_finite else sp.S.Zero))
    left = _integrate(f, s, lo, mid, f"integral of {f} near {lo}")
    right = _integrate(f, s, mid, hi, f"integral of {f} near {hi}")
    ends = [e for e, v in ((lo, left), (hi, right)) if v in (oo, -oo, sp.zoo) or v.has(oo)]
    if ends:
        return oo, ends
    return sp.simplify(left + right), []


def _order_steps(order):
    """The order tests that decided, one step each, with the limit that proves it."""
    steps = []
    for e in order.ends:
        if e.converges is None or e.proof is None:
            continue
        steps.append(Step(f"Near {e.param} = {e.end}, put {e.local.lhs} = {e.local.rhs} with $t \\to 0^{{+}}$: {e.why}, so the kernel is "
                          f"{'integrable' if e.converges else 'not integrable'} there.",
                          "comparison with t^(-a) log(1/t)^b near t = 0, decided by a limit", None, (e.proof,)))
    return steps


def _normalizer(factors, params, doms):
    """``(integral of the kernel, why not)``: each factor integrated over its whole domain (the prior is
    known to be proper), each under its share of the time limit."""
    coeff = factors.get("coeff", sp.S.One)
    values = []
    for s in params:
        f = factors.get(s, sp.S.One)
        beta = _beta_integral(f, s, doms[s])
        if beta is not None:
            values.append(beta)
            continue
        try:
            with time_limit(share(0.3), f"normalizer: integral of {f}"):
                v = sp.integrate(f, (s, doms[s].lo, doms[s].hi))
        except StepTimeout as exc:
            return None, exc.reason
        if v.has(sp.Integral) or not v.is_finite:
            return None, "SymPy left the integral unevaluated"
        values.append(v)
    return tidy(coeff * sp.Mul(*values), limit=2.0), ""


def _beta_integral(f, s, dom):
    """Euler's Beta integral, ``int_lo^hi (s - lo)^a (hi - s)^b ds = (hi - lo)^(a + b + 1) B(a + 1, b + 1)``
    (``a, b > -1``), when ``f`` is a constant times that kernel on a finite interval; else None."""
    lo, hi = dom.lo, dom.hi
    if not (lo.is_finite and hi.is_finite):
        return None
    a, b, c = sp.Wild("a", exclude=[s]), sp.Wild("b", exclude=[s]), sp.Wild("c", exclude=[s])
    m = sp.powsimp(f).match(c * (s - lo) ** a * (hi - s) ** b)
    if m is None or not all(m.get(w) is not None for w in (a, b, c)):
        return None
    A, B = m[a] + 1, m[b] + 1
    if not (A.is_positive and B.is_positive) or m[c].has(s):
        return None
    return sp.simplify(m[c] * (hi - lo) ** (A + B - 1) * sp.gamma(A) * sp.gamma(B) / sp.gamma(A + B))


def _by_integration(kernel, params, doms):
    """``(proper, normalizer, divergent ends)`` by integrating each factor near each end (the order tests
    left it open); ``StepTimeout`` when SymPy cannot decide."""
    divergent = []
    parts = sp.separatevars(kernel, symbols=list(params), dict=True) if len(params) > 1 else {params[0]: kernel}
    if not isinstance(parts, dict):
        raise StepTimeout("propriety", "the kernel does not factorize over the parameters and "
                                       "SymPy cannot integrate it over the joint domain")
    coeff = parts.pop("coeff", sp.S.One)
    values, undecided = [], None
    for s in params:  # a divergent factor decides: positive kernels, nonzero integrals
        try:
            v, ends = _one_factor(parts.get(s, sp.S.One), s, doms[s])
        except StepTimeout as exc:
            undecided = exc
            continue
        if ends:
            divergent += [(s, e) for e in ends]
        values.append(v)
    if divergent:
        return False, None, divergent
    if undecided is not None:
        raise undecided
    return True, tidy(coeff * sp.Mul(*values), limit=2.0), []


def _dirichlet_half(kernel, params, doms, constraints) -> bool:
    """Whether ``kernel`` is, up to a constant, the Dirichlet(1/2, ..., 1/2) kernel on the simplex
    ``p_i in (0, 1)``, ``sum p_i < 1``: ``prod p_i^(-1/2) (1 - sum p_i)^(-1/2)``."""
    p = params
    if len(p) < 2 or not any(c.has(*p) for c in constraints):
        return False
    if not all(doms[s].lo == 0 and doms[s].hi == 1 for s in p):
        return False
    target = sp.Mul(*[s ** sp.Rational(-1, 2) for s in p]) * (1 - sp.Add(*p)) ** sp.Rational(-1, 2)
    return bool(sp.simplify(kernel / target).is_number)


def _name(kernel, params, doms, constraints):
    p = params
    if len(p) == 1:
        s, dom = p[0], doms[p[0]]
        if dom.lo == 0 and dom.hi == 1:
            a, b = sp.Wild("a", exclude=[s]), sp.Wild("b", exclude=[s])
            m = sp.powsimp(kernel).match(s**a * (1 - s) ** b)
            if m is not None:
                A, B = m[a] + 1, m[b] + 1
                law = f"Beta({A}, {B})"
                return law if A > 0 and B > 0 else f"improper {law} kernel"
        if dom.lo == 0 and dom.hi == oo:
            a = sp.Wild("a", exclude=[s])
            m = kernel.match(s**a)
            if m is not None and m[a] != 0:
                return f"1/{s} (scale-invariant, improper)" if m[a] == -1 else f"{s}^({m[a]}) (improper power law)"
        if not kernel.has(s):
            return f"flat in {s} on {dom} (improper)"
        return None
    if any(c.has(*p) for c in constraints) and all(doms[s].lo == 0 and doms[s].hi == 1 for s in p):
        if _dirichlet_half(kernel, p, doms, constraints):
            return "Dirichlet(" + ", ".join(["1/2"] * (len(p) + 1)) + ")"
        return None
    parts = sp.separatevars(kernel, symbols=list(p), dict=True)
    if isinstance(parts, dict):
        names = []
        for s in p:
            n = _name(parts.get(s, sp.S.One), (s,), doms, ())
            if n is None:
                return None
            names.append(n)
        return " × ".join(names)
    return None


def jeffreys_prior(model: Model, *, fisher=None, limit: float | None = None) -> Derivation:
    """``pi(theta) ∝ sqrt(det I(theta))`` with propriety, normalizer and named law.

    ``result`` is the kernel (constant factors dropped); ``extras``: ``proper`` (``True``,
    ``False`` or ``None`` with a failure), ``normalizer`` (the integral of the kernel when
    proper), ``named`` (or ``None``), ``sqrt_det`` (with the constants), ``divergent`` (the
    ends where the integral diverges).
    """
    from .fisher import fisher_information

    params = model.params
    I = fisher if fisher is not None else fisher_information(model, limit=limit).result
    d = Derivation("jeffreys", f"Jeffreys prior of the {model.name} model")
    if I is None:
        return d.fail("jeffreys", "the Fisher information is not available")
    lhs = N.JEFFREYS(*params)
    found = dispatch("jeffreys", model, fisher=I, limit=limit)
    if found is not None:
        return found
    constant = I.rows > 3 and not any(e.has(*params) for e in I)
    if constant:
        # no entry depends on the parameters: det I is a positive constant (a covariance-like
        # matrix), which need not be written out (its expansion grows like d!)
        det = sp.Determinant(sp.MatrixSymbol("I", I.rows, I.cols))
    else:
        with time_limit(limit, "det I"):
            det = tidy(sp.factor(I.det()) if I.rows > 1 else I[0, 0], limit=2.0)
    if not constant and is_zero(det, model_domains(model)):
        return d.fail("jeffreys", "det I(theta) = 0: the Fisher information is singular, so sqrt(det I(theta)) is not a prior "
                                  "density (the parameters are not identifiable from one observation)")
    doms = model_domains(model)
    root = tidy(sp.sqrt(det), limit=2.0)
    one = _one_radical(sp.sqrt(det), doms)
    # display: the radical of det I as it reads (SymPy's sqrt splits sqrt(1/(p(1 - p))) into
    # sqrt(1/(1 - p))/sqrt(p)), then one radical over the fraction's parts, proven by _one_radical
    rad = sp.sqrt(det)
    chain = [sp.sqrt(sp.Function("det")(N.fisher_of(model)))]
    if isinstance(det, sp.Expr) and not (isinstance(rad, sp.Pow) and rad.base == det):
        from ..textbook import conventional_sign
        from .notation import Root

        chain.append(Root(conventional_sign(det)[0]))
    chain.append(one if one is not None else rad)
    d = d.add(Step("The Jeffreys prior is proportional to the square root of the determinant of the Fisher "
                   "information.", "Jeffreys (1946): invariant under reparameterization" +
                   (r"; $\sqrt{a/b} = \sqrt{a}/\sqrt{b}$ for $a, b > 0$" if one is not None else ""), lhs,
                   tuple(chain), relation="propto"))
    kernel = _kernel(det, params, doms)
    shown = _one_radical(kernel, doms) or kernel
    d = d.add(Step("Drop the constant factors:", "a prior is defined up to a positive constant", lhs,
                   (kernel,) if shown == kernel else (shown,) if shown == one else (kernel, shown), relation="propto"))
    constraints = doms.constraints
    proper, normalizer, divergent, reason = None, None, [], None
    order, no_normalizer = None, None
    dirichlet = _dirichlet_half(kernel, params, doms, constraints)
    try:
        if dirichlet:
            pass  # the Dirichlet integral below: a theorem, no integration over the simplex needed
        elif any(c.has(*params) for c in constraints):
            proper, normalizer = _simplex_integral(kernel, params, doms)
        else:
            # the order of the kernel at each end decides first (limits, no integral); an integral is tried
            # only for the normalizer of a proper prior, or when the order tests leave propriety open
            order = decide_propriety(kernel, params, doms)
            if order.proper is False:
                proper, divergent = False, order.divergent
            elif order.proper is True:
                proper = True
                normalizer, why = _normalizer(order.factors, params, doms)
                if normalizer is None:
                    no_normalizer = why
            else:
                proper, normalizer, divergent = _by_integration(kernel, params, doms)
    except StepTimeout as exc:
        reason = exc.reason
        if order is not None and order.reason:
            reason = f"order at the ends: {order.reason}; integration: {reason}"
    if no_normalizer is not None and model.meta_value("base_model") is not None:
        # proper here, with no closed normalizer in these coordinates: the original coordinates may have one
        # (the Bernoulli's pi under p = 1/(1 + exp(-phi))), and a change of variables leaves it unchanged
        again, found, how = _from_original_coordinates(model, kernel, limit)
        if again is True and found is not None:
            normalizer, no_normalizer = found, None
            d = d.add(Step(how, r"the Jeffreys prior is invariant: $\pi_{\phi} = \pi_{\theta}(\theta(\phi)) |\det J|$, "
                           "and a change of variables leaves the integral unchanged", None, (normalizer,)))
    if no_normalizer is not None:
        d = d.fail("jeffreys normalizer", f"the prior is proper, but SymPy could not integrate the kernel "
                                          f"in closed form ({no_normalizer})")
    if proper is None and model.meta_value("base_model") is not None:
        proper, normalizer, how = _from_original_coordinates(model, kernel, limit)
        if proper is not None:
            d = d.add(Step(how, r"the Jeffreys prior is invariant: $\pi_{\phi} = \pi_{\theta}(\theta(\phi)) |\det J|$, "
                           "and a change of variables leaves the integral unchanged", None,
                           (normalizer,) if normalizer is not None else ()))
    named = _name(kernel, params, doms, constraints)
    if proper is None and dirichlet:
        # the Dirichlet integral: int over the simplex of prod p_k^(a_k - 1) = prod Gamma(a_k) / Gamma(sum a_k)
        k = len(params) + 1
        proper, normalizer = True, sp.gamma(sp.S.Half) ** k / sp.gamma(sp.Rational(k, 2))
        d = d.add(Step("The kernel is a Dirichlet kernel; its integral over the simplex is the Dirichlet integral.",
                       r"$\int \prod_{k} p_{k}^{a_{k} - 1} \, dp = \prod_{k} \Gamma(a_{k}) / \Gamma(\sum_{k} a_{k})$",
                       None, (normalizer,)))
    dom_text = ", ".join(_domain_text(s, doms[s]) for s in params)
    if proper is None:
        d = d.fail("jeffreys propriety", f"SymPy could not decide whether the integral of the kernel (above) over "
                                         f"{dom_text} is finite ({reason})")
    elif proper:
        if order is not None and order.proper:
            d = d.add(*_order_steps(order))
        integral = sp.Integral(shown, *[(s, doms[s].lo, doms[s].hi) for s in params]) \
            if not any(c.has(*params) for c in constraints) else None
        if normalizer is not None:
            d = d.add(Step(f"The kernel integrates to a finite value over {dom_text}: the prior is proper.",
                           "integrate over the parameter domain", integral, (normalizer,)))
            d = d.add(Step("The normalized Jeffreys prior:", "divide by the normalizer", lhs, (shown / normalizer,)))
        else:
            d = d.add(Step(f"The kernel is integrable at every end of {dom_text}: the prior is proper "
                           "(its normalizer is not found in closed form).", "comparison test at each end", None, ()))
    elif order is not None and order.proper is False:
        d = d.add(*_order_steps(order))
        where = " and ".join(f"at {e} in {s}" if len(params) > 1 else f"at {e}" for s, e in divergent)
        d = d.add(Step(f"So the integral of the kernel over {dom_text} diverges {where}: the prior is improper.",
                       "a nonnegative integrand at least c/t near an end has an infinite integral" +
                       (" (Tonelli over the other coordinates)" if len(params) > 1 else ""), None,
                       (sp.Eq(sp.Integral(kernel, *[(p, doms[p].lo, doms[p].hi) for p in params]), oo, evaluate=False),)))
    else:
        where = " and ".join(f"at {e} in {s}" if len(params) > 1 else f"at {e}" for s, e in divergent)
        d = d.add(Step(f"The integral of the kernel over {dom_text} diverges {where}: the prior is improper.",
                       "integrate over the parameter domain, near each end", None,
                       tuple(sp.Eq(sp.Integral(kernel, (s, doms[s].lo, doms[s].hi)), oo, evaluate=False)
                             for s in dict.fromkeys(s for s, _ in divergent))))
    if named:
        d = d.add(Step(f"This is the {named} law." if proper else
                       f"Its kernel is an {named}." if named.startswith("improper") else f"Its kernel is that of {named}.",
                       "compare with the catalog of named densities", lhs,
                       # the law's density is the normalized prior; an improper kernel is shown as the kernel
                       (shown / normalizer,) if proper and normalizer is not None else (shown,)))
    d.extras.update(proper=proper, normalizer=normalizer, named=named, sqrt_det=root, divergent=divergent,
                    density=kernel / normalizer if proper and normalizer is not None else None)
    return d.with_result(kernel)


def _from_original_coordinates(model, kernel, limit):
    """Propriety (and normalizer) of a reparameterized model's prior, decided in the old coordinates."""
    base, change = model.meta_value("base_model"), model.meta_value("coordinates")
    try:
        old = jeffreys_prior(base, limit=limit)
        proper = old.extras.get("proper")
        if proper is None:
            return None, None, ""
        back = sp.Mul(old.result.subs(change.theta_of_phi_map() if hasattr(change, "theta_of_phi_map")
                                      else dict(zip(change.old, change.theta_of_phi)), simultaneous=True),
                      sp.Abs(change.jacobian().det()))
        ratio = tidy(sp.simplify(kernel / back), limit=2.0)
        if ratio.free_symbols & set(model.params):
            return None, None, ""
        Z = tidy(ratio * old.extras["normalizer"], limit=2.0) if proper else None
        how = (f"In the original coordinates the prior is {'proper' if proper else 'improper'}"
               + (f" with normalizer {old.extras['normalizer']}; here the kernel is {ratio} times the transformed one"
                  if proper else "") + ", and propriety does not depend on the coordinates.")
        return proper, Z, how
    except (StepFailed, StepTimeout, Exception):  # the shortcut is optional: the failure below stands
        return None, None, ""


def _simplex_integral(kernel, params, doms):
    """Integrate over the simplex ``sum(params) < 1`` (categorical probabilities), innermost last."""
    v = kernel
    for i in reversed(range(len(params))):
        s = params[i]
        upper = 1 - sp.Add(*params[:i])
        with time_limit(8.0, "integral over the simplex"):
            v = sp.integrate(v, (s, 0, upper))
        if v.has(sp.Integral):
            raise StepTimeout("propriety", "SymPy left the integral over the simplex unevaluated")
        if v.has(oo):
            return False, None
        v = sp.simplify(v)
    return True, tidy(v, limit=2.0)


def jeffreys_invariance(model: Model, coords, *, fisher=None) -> Derivation:
    """Invariance: ``pi_theta(theta(phi)) |det J|`` equals the Jeffreys prior derived in ``phi``.

    Uses :func:`~symfisher.derive.reparam.transformation_law` for ``J`` and for the Fisher
    information derived from scratch in the new coordinates.
    """
    from .reparam import new_domains, transformation_law

    law = transformation_law(model, coords, fisher=fisher)
    change = law.extras["change"]
    d = Derivation("jeffreys_invariance", f"Invariance of the Jeffreys prior of the {model.name} model "
                                          f"under the coordinates {change.name}")
    d = d.extend(law)
    from .fisher import fisher_information

    I_theta = fisher if fisher is not None else fisher_information(model).result
    direct = law.extras["direct"]
    if direct is None:
        return d.fail("jeffreys invariance", "the Fisher information in the new coordinates is not available")
    sub = {t: e for t, e in zip(change.old, change.theta_of_phi) if t != e}
    J = law.extras["jacobian"]
    moved = tidy(sp.sqrt(I_theta.det()).subs(sub, simultaneous=True) * sp.Abs(J.det()), limit=2.0)
    fresh = tidy(sp.sqrt(direct.det()), limit=2.0)
    ok = is_zero(moved - fresh, new_domains(model, change))
    d = d.add(Step("Transform the Jeffreys density by the Jacobian of the change of coordinates.",
                   r"change of variables: $\pi_{\phi}(\phi) = \pi_{\theta}(\theta(\phi)) |\det J|$",
                   N.JEFFREYS(*change.new),
                   (moved,)))
    d = d.add(Step(r"The Jeffreys prior computed directly in the new coordinates, $\sqrt{\det \mathcal{I}_{\phi}}$:",
                   r"Fisher information derived from scratch in $\phi$", N.JEFFREYS(*change.new), (fresh,)))
    if ok:
        d = d.add(Step("They agree: the Jeffreys prior is invariant.", r"$\det(J^{\mathsf{T}} \mathcal{I} J) = \det(\mathcal{I}) \det(J)^{2}$", None,
                       (sp.Eq(moved, fresh, evaluate=False),)))
    else:
        d = d.fail("jeffreys invariance", f"{moved} differs from {fresh}")
    d.extras.update(transformed=moved, direct=fresh, invariant=ok)
    return d.with_result(fresh)


def _to_json(d):
    e = d.extras
    return {"prior": str(d.result), "proper": e.get("proper"),
            "normalizer": str(e["normalizer"]) if e.get("normalizer") is not None else None,
            "named": e.get("named")}


@register_quantity("jeffreys", needs=("fisher",), to_json=_to_json,
                   fields={"normalizer": "∫ √det I dθ (when proper)", "sqrt_det": "√det I(θ)",
                           "proper": "1 when the prior is proper, 0 when not",
                           "density": "the normalized prior (when proper)"},
                   summary="the Jeffreys prior √det I(θ): propriety, normalizer and name")
def _jeffreys_quantity(model, report):
    return jeffreys_prior(model, fisher=report.get("fisher"))
