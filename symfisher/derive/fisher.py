"""Scores, Hessians and the Fisher information by two routes; additivity; Cramér–Rao.

For a model ``f(x; theta)`` with log-density ``ell = log f``:

* score ``s(theta) = d ell / d theta`` (a vector), Hessian ``H = d^2 ell / d theta d theta^T``,
  observed information ``J = -H``;
* Fisher information by the outer-product route ``I = E[s s^T]`` and by the curvature
  route ``I = -E[H]``; the two must agree for a regular model, and do so symbolically (or,
  failing that, at seeded numeric points);
* additivity: for ``n`` iid observations the joint log-likelihood is ``sum_i ell(x_i)``
  and its Fisher information is ``n I(theta)``;
* the Cramér–Rao bound ``I(theta)^{-1}`` for unbiased estimators.

Reference: Lehmann & Casella, *Theory of Point Estimation*, 2nd ed., §2.5–2.6.

>>> from symfisher.families import get_model
>>> fisher_information(get_model("bernoulli")).result
Matrix([[1/(p*(1 - p))]])
"""
from __future__ import annotations

import functools

import sympy as sp

from ..calculus import derivative
from ..derivation import Derivation, Step
from ..expectation import ExpectationError, expand_log_density, expectation
from ..limits import StepFailed, StepTimeout, time_limit
from ..model import Model
from ..simplify import cancels, is_zero, tidy
from . import notation as N
from .regularity import model_domains, require_nonsingular
from .structures import dispatch, dispatch_declined

__all__ = [
    "score",
    "hessian",
    "observed_information",
    "fisher_information",
    "iid_additivity",
    "cramer_rao",
]


def _expanded_logf(model: Model) -> sp.Expr:
    return expand_log_density(model.log_density, model.data)


def score(model: Model, textbook: bool = True) -> Derivation:
    """The score vector ``d/dtheta log f(x; theta)``.

    ``textbook=False`` skips the simplification of each component to textbook form (the
    expectations use the raw derivatives anyway): for when the score is only a means."""
    found = dispatch("score", model, textbook=textbook)
    if found is not None:
        return found
    ell = model.log_density
    d = Derivation("score", f"Score of the {model.name} model")
    d = d.add(Step("Write down the log-density.", "the model", N.logf(model), (ell,)))
    expanded = _expanded_logf(model)
    if expanded != ell:
        d = d.add(Step("Expand the logarithm into a sum of simple terms.",
                       "log(ab) = log a + log b on the support", N.logf(model), (expanded,)))
    entries, raws = [], []
    for th in model.params:
        raw = derivative(expanded, th)
        nice = tidy(raw, limit=2.0) if textbook else raw
        entries.append(nice)
        raws.append(raw)
        forms = (raw, nice) if raw != nice else (raw,)
        d = d.add(Step(f"Differentiate with respect to {th}.", "the score is the derivative of the log-density",
                       N.d_logf(model, th), forms))
    s = sp.Matrix(entries)
    if len(entries) > 1:
        d = d.add(Step("Collect the components into the score vector.", "", N.SCORE(*model.params), (s,)))
    d.extras["raw"] = sp.Matrix(raws)  # the unsimplified form, best for expectations
    return d.with_result(s)


def hessian(model: Model, score_vector=None, textbook: bool = True) -> Derivation:
    """The Hessian ``d^2/dtheta dtheta^T log f(x; theta)`` (``textbook``: as in :func:`score`)."""
    found = dispatch("hessian", model, score_vector=score_vector, textbook=textbook)
    if found is not None:
        return found
    s = score_vector if score_vector is not None else score(model, textbook=False).extras["raw"]
    k = model.dim
    H = sp.zeros(k, k)
    raw = sp.zeros(k, k)
    d = Derivation("hessian", f"Hessian of the {model.name} log-density")
    for i, a in enumerate(model.params):
        for j, b in enumerate(model.params):
            if j < i:
                H[i, j] = H[j, i]
                continue
            raw[i, j] = raw[j, i] = derivative(s[i], b)
            H[i, j] = tidy(raw[i, j], limit=2.0) if textbook else raw[i, j]
            d = d.add(Step(f"Differentiate the score component for {a} with respect to {b}.",
                           "second derivative of the log-density",
                           N.d_logf(model, a, b), (H[i, j],)))
    if k > 1:
        d = d.add(Step("Assemble the symmetric Hessian.", "mixed partial derivatives commute",
                       sp.Symbol("H"), (H,)))
    d.extras["raw"] = raw
    return d.with_result(H)


def observed_information(model: Model, H=None) -> Derivation:
    """The observed information ``J(theta; x) = -H``."""
    H = H if H is not None else hessian(model).result
    J = (-H).applyfunc(lambda e: tidy(e, limit=2.0))
    d = Derivation("observed_information", f"Observed information of the {model.name} model")
    d = d.add(Step("The observed information is minus the Hessian of the log-density.",
                   "J = -H", sp.Function("J")(*model.data, *model.params), (J,)))
    return d.with_result(J)


def _transform_line(model, sources):
    """The law's Mellin transform ``E[X^s] = M(s)`` as the first line of a table of moments
    taken from it (so a reader sees which formula each moment is read from), else ``None``."""
    if not any("Mellin" in src for src in sources):
        return None
    pm = model.power_moments
    if pm is None:
        from ..expectation_routes import _transform

        found = _transform(model, None)
        pm = found[0] if found is not None and hasattr(found[0], "exponents") else None
    if pm is None:
        return None
    lhs = N.E(sp.Mul(*[b ** e for b, e in zip(pm.bases, pm.exponents)]))
    return sp.Eq(lhs, _shown_value(pm.value), evaluate=False)


@functools.lru_cache(maxsize=1024)
def _shown_value(v):
    """A statistic's value as its table shows it (``exp(c log b)`` as ``b^c``), once per value: the
    entries of both routes ask for the same statistics."""
    from ..textbook import exp_log_as_power

    return exp_log_as_power(v)


def _statistic_steps(label, entry_expr, ex, model) -> list:
    steps = []
    if ex.route == "statistics" and ex.statistics:
        table = [sp.Eq(N.E(sv.statistic), _shown_value(sv.value), evaluate=False)
                 for sv in ex.statistics if sv.statistic != 1]
        sources = sorted({sv.source for sv in ex.statistics if sv.statistic != 1})
        mellin = _transform_line(model, sources)
        if table:
            steps.append(Step(f"Take expectations term by term in {label}: the statistics needed are",
                              "from the " + ", ".join(sources) + (
                                  r"; the first line is the Mellin transform $E[X^{s}] = M(s)$ of the law, the "
                                  r"others are $M$ at the powers needed (its derivatives in $s$ for the "
                                  "logarithms)" if mellin is not None else ""),
                              None, ((mellin,) if mellin is not None else ()) + tuple(table)))
    elif ex.route == "exact sum":
        terms = ex.extras.get("terms")
        steps.append(Step(f"Sum {label} against the probabilities over the finite support {model.support[0]}.",
                          "the support is finite, so the expectation is an exact sum: "
                          "E[g(X)] = sum over x of P(X = x) g(x)", N.E(entry_expr),
                          (terms, ex.value) if terms is not None and len(sp.Add.make_args(terms)) <= 6 else (ex.value,)))
    elif ex.route == "representation":
        steps.append(Step(f"Standardize: {ex.detail}.", "the expectation then no longer involves the parameters",
                          None, ()))
        inner = ex.extras.get("inner")
        while inner is not None and inner.route == "representation":
            steps.append(Step(f"Represent again: {inner.detail}.", "", None, ()))
            inner = inner.extras.get("inner")
        if inner is not None and inner.statistics:
            table = [sp.Eq(N.E(sv.statistic), sv.value, evaluate=False) for sv in inner.statistics if sv.statistic != 1]
            if table:
                steps.append(Step(f"The standardized statistics needed for {label} are", "from the " + ", ".join(
                    sorted({sv.source for sv in inner.statistics if sv.statistic != 1})), None, tuple(table)))
    return steps


def _route(model, integrands, label, sign, limit, known=None, raw_values=None) -> tuple:
    """Expectation of each upper-triangular entry; returns (matrix or None, steps, failures).

    ``known`` is the other route's simplified matrix: an entry whose raw value cancels
    against it takes that form instead of being simplified again."""
    k = model.dim
    M = sp.zeros(k, k)
    steps, failures = [], []
    for i in range(k):
        for j in range(i, k):
            g = integrands[i, j]
            name = f"E[{label}]" + (f" entry ({model.params[i]}, {model.params[j]})" if k > 1 else "")
            try:
                ex = expectation(g, model, limit=limit)
            except (ExpectationError, StepFailed) as exc:
                failures.append((name, exc.reason))
                continue
            except StepTimeout as exc:  # pragma: no cover - covered by StepFailed
                failures.append((name, exc.reason))
                continue
            raw = sign * ex.value
            if raw_values is not None:  # the expectation as computed, for the step that states the sign
                raw_values[i, j] = raw_values[j, i] = ex.value
            if known is not None and cancels(raw - known[i, j]):
                v = known[i, j]
            else:
                v = tidy(raw, limit=4.0)
            M[i, j] = M[j, i] = v
            steps += _statistic_steps(f"the ({model.params[i]}, {model.params[j]}) entry" if k > 1 else label, g, ex, model)
    return (None if failures else M), steps, failures


# the words of an agreement shown only numerically (evidence, never "equal": docs/architecture.md)
_NUMERIC_AGREEMENT = ("The two routes agree numerically at seeded points of the parameter domain; "
                      "SymPy did not prove their difference zero.")
_NUMERIC_REASON = "numeric evidence only, not a proof"


def fisher_information(model: Model, *, limit: float | None = None, score_vector=None, hessian_matrix=None,
                       score_shown=None) -> Derivation:
    """Fisher information by ``E[s s^T]`` and by ``-E[H]``, with an agreement check.

    The result (``Derivation.result``) is the simplified matrix; ``extras`` holds
    ``outer`` and ``curvature`` (each route's matrix or ``None``) and ``routes_agree``.
    A structure found in the model (:mod:`.structures`: a linear index, an exponential family,
    ...) answers first; the generic route runs when none applies. ``score_shown`` is the score as the sheet shows it (its textbook form): the steps write
    ``E[s s^T]`` with it, while the expectations use the raw ``score_vector``.
    """
    found = dispatch("fisher", model, limit=limit, score_vector=score_vector, hessian_matrix=hessian_matrix,
                     score_shown=score_shown)
    if found is not None:
        return found
    if score_vector is None:
        # nobody shows this score: its raw derivatives serve, unsimplified
        score_vector = score(model, textbook=False).extras["raw"]
    sc = score_vector
    shown = score_shown if score_shown is not None else sc
    H = hessian_matrix if hessian_matrix is not None else hessian(model, sc, textbook=False).extras["raw"]
    d = Derivation("fisher", f"Fisher information of the {model.name} model")
    I_lhs = N.fisher_of(model)
    # entry by entry and unevaluated: sc * sc.T converts to a DomainMatrix first, and an evaluated
    # product of two sums asks SymPy's assumptions about the power (each a few ms for a 1 x 1
    # product); the expectation expands the product anyway
    def outer(v):
        return sp.Matrix(model.dim, model.dim, lambda i, j: sp.Pow(v[i], 2, evaluate=False) if i == j
                         else sp.Mul(v[i], v[j], evaluate=False))

    outer_integrand, outer_shown = outer(sc), outer(shown)
    d = d.add(Step("Route 1: the Fisher information is the expected outer product of the score.",
                   "definition: I = E[s s^T]", I_lhs, (N.E(outer_shown if model.dim > 1 else outer_shown[0, 0]),)))
    A, steps_a, fail_a = _route(model, outer_integrand, "s s^T" if model.dim > 1 else "s^2", 1, limit)
    d = d.add(*steps_a)
    if A is not None:
        d = d.add(Step("Route 1 gives", "the expectation just computed, simplified", I_lhs,
                       (A if model.dim > 1 else A[0, 0],)))
    for name, reason in fail_a:
        d = d.fail(f"fisher (outer product): {name}", reason)
    d = d.add(Step("Route 2: minus the expected Hessian of the log-density.",
                   "the support does not depend on the parameters, so differentiation and expectation commute",
                   I_lhs, (N.E(-H if model.dim > 1 else -H[0, 0]),)))
    EH = sp.zeros(model.dim, model.dim)
    B, steps_b, fail_b = _route(model, H, "H", -1, limit, known=A, raw_values=EH)
    d = d.add(*steps_b)
    if B is not None:
        one = (lambda M: M) if model.dim > 1 else (lambda M: M[0, 0])
        d = d.add(Step("Route 2 gives, taking the minus sign out of the expectation:",
                       "the expectation is linear: $E[-H] = -E[H]$", I_lhs,
                       (sp.Mul(-1, N.E(one(H)), evaluate=False), sp.Mul(-1, one(EH), evaluate=False),
                        one(B))))
    for name, reason in fail_b:
        d = d.fail(f"fisher (curvature): {name}", reason)
    agree = differ = False
    if A is not None and B is not None:
        doms = model_domains(model)
        from ..series import has_series, zero_test

        if has_series(A - B):
            # exact series: proven zero term by term where the summands cancel, else each series summed once
            # per seeded point (series.zero_test), not through evalf's escalating precision
            verdict, proven = zero_test(A - B, doms)
        else:
            verdict = is_zero(A - B, doms)
            proven = bool(verdict) and all(cancels(e) for e in A - B)
        agree = bool(verdict)
        if agree:
            d = d.add(Step("The two routes agree." if proven else _NUMERIC_AGREEMENT,
                           "their difference simplifies to zero" if proven else _NUMERIC_REASON,
                           None, (sp.Eq(I_lhs, B if model.dim > 1 else B[0, 0], evaluate=False),)))
        elif verdict is False:
            differ = True
            d = d.fail("fisher routes", "E[s s^T] and -E[H] differ: the model may not be regular")
        else:  # undecided (the zero test ran out of time): neither agreement nor a difference is claimed
            d = d.note("whether E[s s^T] and -E[H] agree could not be decided within the zero test's time limit")
    result = B if B is not None else A
    if differ:
        # the routes differ: E[s s^T] is the definition, -E[H] equals it only for a regular model, so the
        # definition is the result shown (a kinked density's -E[H] of 0 was shown, its E[s s^T] right)
        result = A
    if result is None or not agree:
        # a structure that declined to be looked for (the generic route was expected to be cheaper) may finish
        late = dispatch_declined("fisher", model, limit=limit, score_vector=score_vector, hessian_matrix=hessian_matrix,
                                 score_shown=score_shown)
        if late is not None and late.result is not None:
            return late
    d = d.with_result(result)
    d.extras.update(outer=A, curvature=B, routes_agree=agree)
    if result is not None and not (agree and result == B):
        d = d.add(Step("The Fisher information in textbook form:", "simplify", I_lhs,
                       (result if model.dim > 1 else result[0, 0],)))
    d.extras.update(outer=A, curvature=B, routes_agree=agree)
    return d


def iid_additivity(model: Model, fisher=None, n=None) -> Derivation:
    """``I_n(theta) = n I(theta)`` from the joint log-likelihood of ``n`` iid observations."""
    if n is None:  # the sample size; N when the model already has an n (the binomial's trials)
        taken = {str(c) for c in (*model.params, *model.constants)}
        n = sp.Symbol("n" if "n" not in taken else "N", integer=True, positive=True)
    I = fisher if fisher is not None else fisher_information(model).result
    i = sp.Idx("i")
    d = Derivation("additivity", f"Fisher information of n iid {model.name} observations")
    if I is None:
        return d.fail("additivity", "the Fisher information of one observation is not available")
    xi = [sp.Indexed(sp.IndexedBase(x.name), i) for x in model.data]
    ell_i = model.log_density.subs(dict(zip(model.data, xi)), simultaneous=True)
    joint = sp.Sum(ell_i, (i, 1, n))
    d = d.add(Step("The joint log-likelihood of n iid observations is a sum.",
                   "independence: the joint density is a product, its logarithm a sum",
                   sp.Function("ell_n")(*model.params), (joint,)))
    th = model.params[0]
    d = d.add(Step("Differentiate term by term: the joint score is the sum of the individual scores.",
                   "differentiation is linear", sp.Derivative(sp.Function("ell_n")(*model.params), th),
                   (sp.Sum(sp.diff(ell_i, th), (i, 1, n)),)))
    d = d.add(Step("The scores of different observations are independent with mean zero, so the cross terms "
                   "vanish and the variances add.",
                   "the variance of a sum of independent terms is the sum of their variances; $E[s] = 0$",
                   sp.Function("I_n")(*model.params), (sp.Sum(N.fisher_of(model), (i, 1, n)), n * I)))
    d.extras["sample_size"] = n
    return d.with_result(n * I)


def _inverse(I):
    """``I^{-1}`` of a Fisher information already shown non-singular: SymPy's elimination, or where its pivot
    test cannot evaluate an entry (``x.equals(0)`` at random complex points, which ``polygamma(1, 1/phi)``
    refuses) the adjugate over the determinant, the same matrix with no pivot to test."""
    from sympy.matrices.exceptions import NonInvertibleMatrixError

    try:
        return I.inv()
    except NonInvertibleMatrixError:
        raise
    except ValueError:
        return I.adjugate(method="berkowitz") / I.det(method="berkowitz")


def cramer_rao(model: Model, fisher=None) -> Derivation:
    """The Cramér–Rao bound ``I(theta)^{-1}`` (the covariance lower bound for unbiased estimators)."""
    I = fisher if fisher is not None else fisher_information(model).result
    d = Derivation("cramer_rao", f"Cramér–Rao bound for the {model.name} model")
    if I is None:
        return d.fail("cramer_rao", "the Fisher information is not available")
    found = dispatch("cramer_rao", model, fisher=I)
    if found is not None:
        return found
    try:  # a singular I has no inverse: a clear failure, never a bound of zoo
        require_nonsingular(I, "cramer_rao", model_domains(model))
    except StepFailed as exc:
        return d.fail(exc.step, exc.reason + "; there is no Cramér–Rao bound")
    try:
        with time_limit(None, "invert the Fisher information"):
            # special functions of the parameters as symbols while inverting: the inverse is rational in the
            # entries, and SymPy's pivot tests evalf polygamma(1, 1/phi) into an error otherwise (_inverse falls
            # back to the adjugate where a pivot test still fails)
            opaque = {f: sp.Dummy("f") for f in I.atoms(sp.Function)}
            J = I.xreplace(opaque)
            inv = (_inverse(J) if I.shape[0] > 1 else sp.Matrix([[1 / J[0, 0]]])).xreplace({v: k for k, v in opaque.items()})
            inv = inv.applyfunc(lambda e: tidy(e, limit=2.0))
    except (StepTimeout, ValueError, ZeroDivisionError) as exc:
        return d.fail("cramer_rao", getattr(exc, "reason", str(exc)))
    d = d.add(Step(r"For any unbiased estimator $\hat{\theta}$ of the parameters, $\operatorname{Cov}(\hat{\theta})$ is at least the "
                   r"inverse Fisher information.",
                   "Cramér–Rao inequality (the model is regular)", sp.Function("CRB")(*model.params),
                   (sp.Pow(N.fisher_of(model), -1), inv if inv.shape[0] > 1 else inv[0, 0])))
    return d.with_result(inv)
