"""General quantities built on the Fisher information, registered in the engine's registry.

Each is ``fn(model, report, **args) -> Derivation`` in :data:`symfisher.derive.report.QUANTITIES`,
so ``derive_all(model, only=[...], args={...})`` and every sheet spec (``[[derive]]``) reach
them for any model they apply to, not only the exercise that first needed them:

* ``fisher_extremes`` — where a scalar 𝓘(θ) is stationary (minimum / maximum, by the second
  derivative) and its one-sided limits at the ends of the parameter domain;
* ``fisher_expectation_sum`` — 𝓘(θ) = Σₓ f(x; θ) s(x; θ)² written out over a finite support;
* ``fisher_eigen`` — the eigenvalues and unit eigenvectors of 𝓘 (at a point ``at``, or in
  closed form when SymPy can): the directions of most and least information;
* ``fisher_times`` — 𝓘 (at ``at``) times a given matrix (𝓘·Σ = Id shows 𝓘 = Σ⁻¹);
* ``additivity`` — 𝓘ₙ(θ) = n·𝓘(θ) from the joint log-likelihood, optionally at ``n`` and ``at``;
* ``reparam`` — the transformation law 𝓘_φ = Jᵀ 𝓘_θ J in named coordinates (``coords``).

A point ``at`` is ``{Symbol: exact value}``; a ``matrix`` a SymPy matrix. The values a caller
may address besides ``result`` are the ``fields`` of each registration (``extras`` keys).

>>> from symfisher.families import get_model
>>> from symfisher.derive.report import derive_all
>>> r = derive_all(get_model("geometric"), only=["fisher_extremes"])
>>> d = r.derivations["fisher_extremes"]
>>> d.extras["argmin"], d.extras["minimum"]
(2/3, 27/4)
"""
from __future__ import annotations

import sympy as sp

from ..derivation import Derivation, Step
from .report import register_quantity

__all__ = ["fisher_extremes", "fisher_expectation_sum", "fisher_eigen", "fisher_times", "additivity_at"]


def _scalar(M):
    return M[0, 0] if isinstance(M, sp.MatrixBase) and M.shape == (1, 1) else M


def _at(I, at):
    """The Fisher matrix at the point ``at`` (every symbol it depends on given), or unchanged."""
    if not at:
        return sp.Matrix(I), {}
    point = dict(at)
    In = sp.simplify(sp.Matrix(I).subs(point))
    return In, point


def fisher_extremes(model, fisher) -> Derivation:
    """Stationary points of a scalar 𝓘(θ) inside the domain, and its limits at the ends."""
    d = Derivation("fisher_extremes", f"Where the {model.name} model is most and least informative")
    if model.dim != 1:
        return d.fail("fisher_extremes", "defined for one-parameter models")
    if fisher is None:
        return d.fail("fisher_extremes", "the Fisher information is not available")
    th = model.params[0]
    I = _scalar(fisher)
    Ith = sp.Function("I")(th)
    dI = sp.factor(sp.simplify(sp.diff(I, th)))
    d = d.add(Step(f"Differentiate the Fisher information with respect to {th}.", "quotient rule",
                   sp.Derivative(Ith, th), (dI,)))
    dom = model.domain(th)
    crit = [c for c in sp.solve(sp.numer(sp.together(dI)), th)
            if c.is_real and not c.free_symbols and dom.contains(c)]
    found = {}
    if crit:
        d = d.add(Step("Set the derivative to zero: the only stationary point in the domain is" if len(crit) == 1
                       else "Set the derivative to zero: the stationary points in the domain are",
                       "the numerator vanishes there", None, tuple(sp.Eq(th, c, evaluate=False) for c in crit)))
        for c in crit:
            val = sp.simplify(I.subs(th, c))
            second = sp.simplify(sp.diff(I, th, 2).subs(th, c))
            kind = "minimum" if second.is_positive else ("maximum" if second.is_negative else "stationary point")
            d = d.add(Step(f"The second derivative there is {'positive' if second.is_positive else 'negative'}, "
                           f"so this is the {kind} of the information.", "second-derivative test",
                           Ith.subs(th, c), (val,)))
            if kind in ("minimum", "maximum") and kind not in found:
                found[kind] = (c, val)
    limits = []
    for end, direction in ((dom.lo, "+"), (dom.hi, "-")):
        lim = sp.limit(I, th, end, direction)
        limits.append(sp.Eq(sp.Limit(Ith, th, end, direction), lim, evaluate=False))
    d = d.add(Step("At the ends of the parameter domain the information behaves as",
                   "one-sided limits of the closed form", None, tuple(limits)))
    for kind, (c, val) in found.items():
        d.extras[kind] = val
        d.extras["arg" + kind[:3]] = c
    d.extras["limits"] = sp.Matrix([[lim.rhs for lim in limits]])
    if "minimum" in found:
        c, val = found["minimum"]
        return d.with_result(sp.Eq(Ith.subs(th, c), val, evaluate=False))
    return d.with_result(sp.Tuple(*[lim.rhs for lim in limits]))


@register_quantity("fisher_extremes", needs=("fisher",),
                   fields={"minimum": "the smallest value of 𝓘 inside the domain", "argmin": "where it is reached",
                           "maximum": "the largest value of 𝓘 inside the domain", "argmax": "where it is reached",
                           "limits": "the limits of 𝓘 at the lower and the upper end of the domain (a row)"},
                   summary="where a scalar Fisher information is smallest and how it behaves at the domain's ends")
def _q_fisher_extremes(model, report):
    return fisher_extremes(model, report.get("fisher"))


def fisher_expectation_sum(model, score_vector) -> Derivation:
    """𝓘(θ) = Σₓ f(x; θ) s(x; θ)², written out outcome by outcome over a finite support."""
    d = Derivation("fisher_expectation_sum", "Fisher information as the expected squared score, outcome by outcome")
    sup = model.support[0]
    if model.dim != 1 or len(model.data) != 1 or not sup.is_finite():
        return d.fail("fisher_expectation_sum", "needs a one-parameter model of one variable with a finite support")
    th, x = model.params[0], model.data[0]
    s = _scalar(score_vector)
    from ..textbook import conventional_sign, positive_factors
    from .regularity import model_domains

    doms = model_domains(model)
    f = sp.simplify(model.density)
    terms, probs, scores = [], [], []
    for v in sup.points():
        fv, sv = sp.simplify(f.subs(x, v)), sp.simplify(s.subs(x, v))
        sv = positive_factors(sv, model.params, doms)  # 1/(p - 1) read as -1/(1 - p) on 0 < p < 1
        probs.append(sp.Eq(sp.Function("f")(v, th), fv, evaluate=False))
        scores.append(sp.Eq(sp.Function("s")(v, th), sv, evaluate=False))
        terms.append(sp.Mul(fv, sp.Pow(sv, 2, evaluate=False), evaluate=False))
    d = d.add(Step("The probabilities of the outcomes.", "the model", None, tuple(probs)))
    d = d.add(Step("The score at each outcome.", "substitute the outcome into the score", None, tuple(scores)))
    I = sp.Function("I")(th)
    total = sp.Add(*terms, evaluate=False)

    expanded = sp.Add(*[positive_factors(sp.simplify(t), model.params, doms) for t in terms], evaluate=False)
    final = sp.factor(sp.simplify(sp.Add(*terms)))
    common = sp.together(sp.Add(*expanded.args))  # over the common denominator: the form a student writes
    if common.free_symbols == final.free_symbols and sp.count_ops(common) <= sp.count_ops(final):
        final = common
    final = conventional_sign(final)[0]
    d = d.add(Step("Average the squared score over the outcomes, weighted by their probabilities; each term "
                   "simplifies, and the fractions add over their common denominator.",
                   r"$\mathcal{I}(\theta) = E[s(X; \theta)^{2}] = \sum_{x} f(x; \theta)\, s(x; \theta)^{2}$", I,
                   (total, expanded, final)))
    d.extras["terms"] = total
    return d.with_result(final)


@register_quantity("fisher_expectation_sum", needs=("score",),
                   fields={"terms": "the sum Σₓ f(x) s(x)² as written, term by term, before simplifying"},
                   summary="I = Σₓ f(x) s(x)², written out term by term over a finite support")
def _q_fisher_expectation_sum(model, report):
    sd = report.derivations["score"]
    return fisher_expectation_sum(model, sd.result if sd.result is not None else sd.extras["raw"])


def fisher_eigen(model, fisher, at=None) -> Derivation:
    """Eigenvalues (largest first when they are numbers) and unit eigenvectors of 𝓘, at ``at``."""
    d = Derivation("fisher_eigen", "The Fisher matrix at the given point, and its eigen-directions" if at
                   else "The eigen-directions of the Fisher matrix")
    if fisher is None:
        return d.fail("fisher_eigen", "the Fisher information is not available")
    In, point = _at(fisher, at)
    Ilhs = sp.Symbol("I")
    if point:
        given = ", ".join(f"{s} = {v}" for s, v in point.items())
        d = d.add(Step(f"Substitute {given}.", "the values of the question", Ilhs, (In,)))
    # the eigenvalue letter: lambda as textbooks write it, unless the model already uses it
    taken = {s.name for s in model.params + model.constants} if model is not None else set()
    ev, ch = next((n, c) for n, c in (("lambda", "λ"), ("kappa", "κ"), ("nu", "ν"))
                  if not ({n, n[:3]} & taken))
    kappa = sp.Symbol(ev)
    d = d.add(Step("The eigenvalues solve the characteristic equation.", f"det(I − {ch}·Id) = 0", None,
                   (sp.Eq(sp.factor(sp.expand((In - kappa * sp.eye(In.rows)).det())), 0, evaluate=False),)))
    rows = []
    for lam, mult, vecs in In.eigenvects():
        for v in vecs:
            lam = sp.radsimp(sp.nsimplify(lam)) if not lam.free_symbols else sp.simplify(lam)
            rows.append((lam, sp.simplify(v / v.norm())))
    numeric = all(not r[0].free_symbols for r in rows)
    if numeric:
        rows.sort(key=lambda r: -float(r[0]))
    eig = [r[0] for r in rows]
    d = d.add(Step("Eigenvalues, largest first: the information along each principal direction." if numeric
                   else "Eigenvalues: the information along each principal direction.",
                   "roots of the characteristic polynomial", None,
                   tuple(sp.Eq(sp.Symbol(f"{ev}_{k + 1}"), e, evaluate=False) for k, e in enumerate(eig))))
    d = d.add(Step("Unit eigenvectors: the most informative direction first." if numeric else "Unit eigenvectors:",
                   f"solve (I − {ch}·Id) v = 0, |v| = 1", None,
                   tuple(sp.Eq(sp.Symbol(f"v_{k + 1}"), r[1], evaluate=False) for k, r in enumerate(rows))))
    if numeric and any(not e.is_Rational for e in eig):
        d = d.add(Step("Approximately:", "numeric values", None,
                       tuple(sp.Eq(sp.Symbol(f"{ev}_{k + 1}"), sp.N(e, 6), evaluate=False) for k, e in enumerate(eig))))
    d.extras.update(value=In, values=sp.Matrix([eig]), vectors=sp.Matrix.hstack(*[r[1] for r in rows]))
    return d.with_result(In)


@register_quantity("fisher_eigen", needs=("fisher",), args={"at": "point"},
                   fields={"value": "the Fisher matrix at the point", "values": "the eigenvalues, a row, largest first",
                           "vectors": "the unit eigenvectors, as columns in the same order"},
                   summary="the Fisher matrix at a point, its eigenvalues and unit eigenvectors (the directions "
                           "of most and least information)")
def _q_fisher_eigen(model, report, at=None):
    return fisher_eigen(model, report.get("fisher"), at)


def fisher_times(model, fisher, matrix, at=None) -> Derivation:
    """𝓘 at ``at`` times the given matrix."""
    d = Derivation("fisher_times", "The Fisher matrix times the given matrix")
    if fisher is None:
        return d.fail("fisher_times", "the Fisher information is not available")
    In, _ = _at(fisher, at)
    M = sp.Matrix(matrix)
    if M.rows != In.cols:
        raise ValueError(f"expected {In.cols} rows to multiply a {In.rows}x{In.cols} Fisher matrix, got {M.rows}")
    Msym = sp.Symbol("M")
    d = d.add(Step("The given matrix:", "as in the question", Msym, (M,)))
    prod = sp.simplify(In * M)
    d = d.add(Step("Multiply the Fisher matrix" + (" at the given point" if at else "") + " by it:",
                   "matrix product", sp.MatMul(sp.Symbol("I"), Msym, evaluate=False),
                   (sp.MatMul(In, M, evaluate=False), prod)))
    d.extras.update(value=In, matrix=M)
    return d.with_result(prod)


@register_quantity("fisher_times", needs=("fisher",), args={"at": "point", "matrix": "matrix"},
                   fields={"value": "the Fisher matrix at the point", "matrix": "the given matrix"},
                   summary="the Fisher matrix at a point multiplied by a given matrix (I·Σ = Id shows I = Σ⁻¹)")
def _q_fisher_times(model, report, matrix, at=None):
    return fisher_times(model, report.get("fisher"), matrix, at)


def additivity_at(model, fisher, n=None, at=None) -> Derivation:
    """𝓘ₙ(θ) = n·𝓘(θ) (:func:`~symfisher.derive.fisher.iid_additivity`), evaluated at ``n`` and ``at``."""
    from .fisher import iid_additivity

    d = iid_additivity(model, fisher)
    if d.result is None:
        return d
    In = _scalar(d.result)
    nsym = d.extras["sample_size"]
    d.extras.update(general=In, n=sp.Integer(n) if n is not None else nsym)
    d = d.with_result(In)
    if n is not None or at:
        sub = dict(at or {})
        if n is not None:
            sub[nsym] = sp.Integer(n)
        val = sp.simplify(In.subs(sub))
        shown = ", ".join(f"{k} = {sp.sstr(v)}" for k, v in sub.items())
        lhs = sp.Function("I_n")(*model.params)
        d = d.add(Step(f"Evaluate at {shown}.", "substitute the given values", lhs, (In, val)))
        d = d.with_result(val)
    return d


@register_quantity("additivity", needs=("fisher",), args={"n": "posint", "at": "point"},
                   fields={"general": "n·I(θ), before the values are substituted", "n": "the sample size"},
                   summary="I_n(θ) = n·I(θ) for n iid observations, optionally evaluated at given n and constants")
def _q_additivity(model, report, n=None, at=None):
    return additivity_at(model, report.get("fisher"), n, at)


@register_quantity("reparam", args={"coords": "coords"},
                   fields={"law": "Jᵀ I_θ J", "direct": "I_φ derived afresh in the new coordinates",
                           "jacobian": "J = ∂θ/∂φ"},
                   summary="the transformation law I_φ = Jᵀ I_θ J, and I_φ derived directly")
def _q_reparam(model, report, coords):
    from .reparam import transformation_law

    try:
        return transformation_law(model, coords)
    except KeyError as exc:  # an unknown coordinate system: the caller's input, said as such
        raise ValueError(str(exc).strip("'\"")) from None
