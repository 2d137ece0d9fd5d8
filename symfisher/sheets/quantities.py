"""The sheet-only quantities and the witnesses checks may name.

Every model quantity (score, Fisher, KL, Jeffreys, where I is extreme, the eigen-directions of
I, I as a sum over outcomes ...) is the engine's, in :data:`symfisher.derive.report.QUANTITIES`;
what is registered here is not a model's derivation: ``witnesses`` (the engine's numeric
witnesses as check rows) and the logistic-regression computations on seeded data
(:mod:`symfisher.ml`, no ``[model]``), whose numbers become the ``extras`` of their derivation
(the fields a path addresses). The numeric work of every witness lives in
:mod:`symfisher.witness`; here only the spec's arguments are read and checked.
"""
from __future__ import annotations

from dataclasses import replace


from .adapter import _in_coords, _scalar
from .registry import register_quantity, register_witness
from .schema import SpecError, _expr


# ---------------------------------------------------------------- the engine's numeric witnesses, as checks


@register_quantity("witnesses", args={"n_points": "posint", "mc_samples": "posint", "seed": "int", "only": "str"},
                   summary="the engine's numeric witnesses (symfisher.witness.verify) of what this part derived")
def _q_witnesses(ctx, n_points=1, mc_samples=100_000, seed=None, only=""):
    """Adds the witness rows (quadrature, Monte Carlo, KL curvature, Jeffreys normalizer ...) as checks.

    ``only`` keeps the rows whose name contains one of its comma-separated words.
    """
    from ..limits import StepFailed

    try:
        from ..witness import DEFAULT_SEED, verify
    except ImportError:
        raise StepFailed("witnesses", "needs symfisher.witness, which is not installed") from None
    kw = {}
    for name in ("fisher", "kl", "jeffreys"):
        d = ctx.derivation(name)
        if d is not None and d.result is not None:
            kw[name] = d.result
    t = ctx.derivation("kl_taylor")
    if t is not None and t.result is not None:
        kw["kl_taylor"] = {k: t.extras.get(k) for k in ("quadratic", "cubic")}
    if "fisher" not in kw:
        raise StepFailed("witnesses", "derive the Fisher information first (quantity = \"fisher\")")
    checks = verify(ctx.model, n_points=n_points, mc_samples=mc_samples,
                    seed=DEFAULT_SEED if seed is None else seed, **kw)
    words = [w.strip() for w in only.split(",") if w.strip()]
    if words:
        checks = [c for c in checks if any(w in c.name for w in words)]
    ctx.checks.extend(checks)
    return None


# ---------------------------------------------------------------- quantities: ML (issue 4)


def _ml(attr: str, ctx, label: str):
    from ..limits import StepFailed

    try:
        from .. import ml
    except ImportError:
        raise StepFailed(label, "needs symfisher.ml, which is not installed") from None
    return getattr(ml, attr)


def _ml_result(r, main: str, fields: dict):
    """The derivation of an ML result, its numbers as typed fields (``extras``); its result is the
    one the derivation shows (``main`` when it shows none)."""
    extras = {key: getattr(r, attr) for key, attr in fields.items()}
    d = r.derivation
    return replace(d, result=d.result if d.result is not None else extras[main], extras=extras)


_EVH = {"empirical_fisher": "the empirical Fisher, mean of g gᵀ", "observed_hessian":
        "minus the mean Hessian (the observed information)", "gap": "their Frobenius difference",
        "expected_empirical": "the empirical Fisher averaged over labels drawn from the model",
        "xtwx": "Xᵀ W X / n", "fisher": "the mean of the derived per-example Fisher information on the data"}
_EWC = {"wstar": "the first task's weights w* (a row)", "fisher_diag": "the diagonal of the Fisher information on the task's data",
        "empirical_diag": "the diagonal of the empirical Fisher", "penalties": "the penalty of each move (a row)"}
_NGS = {"natural": "the natural step −η F⁻¹ g", "plain": "the ordinary step −η g",
        "ratio": "natural over ordinary, coordinate by coordinate"}


@register_quantity("empirical_vs_hessian", fields=_EVH, args={"n": "posint", "weights": "vector", "seed": "int"}, needs_model=False,
                   summary="logistic regression: empirical Fisher against the observed Hessian on seeded data")
def _q_empirical_vs_hessian(ctx, n, weights, seed):
    r = _ml("empirical_vs_hessian", ctx, "empirical_vs_hessian")(n=n, weights=weights, seed=seed)
    return _ml_result(r, "gap", {k: k for k in _EVH})


@register_quantity("ewc", fields=_EWC, args={"n": "posint", "weights": "vector", "seed": "int", "moves": "matrix", "kind": "str"},
                   needs_model=False, summary="elastic weight consolidation: diagonal-Fisher importance and penalties")
def _q_ewc(ctx, n, weights, seed, moves, kind="fisher"):
    try:
        r = _ml("ewc_importance", ctx, "ewc")(n=n, task_weights=weights, seed=seed, moves=moves, kind=kind)
    except ValueError as exc:
        raise SpecError(ctx.path, "derive.ewc", str(exc).splitlines()[0]) from None
    return _ml_result(r, "penalties", {k: "task_weights" if k == "wstar" else k for k in _EWC})


@register_quantity("natural_gradient_step", fields=_NGS, args={"g": "vector", "F": "matrix", "eta": "number"}, needs_model=False,
                   summary="the natural step −η F⁻¹ g against the ordinary step −η g")
def _q_natural_gradient_step(ctx, g, F, eta):
    try:
        r = _ml("natural_gradient_step", ctx, "natural_gradient_step")(g=g, F=F, eta=eta)
    except ValueError as exc:
        raise SpecError(ctx.path, "derive.natural_gradient_step", str(exc).splitlines()[0]) from None
    return _ml_result(r, "natural", {k: k for k in _NGS})


# ---------------------------------------------------------------- numeric witnesses (independent of the symbolic route)
# The numeric work is in symfisher.witness; here the spec's arguments are read and checked.


@register_witness("fisher_quadrature")
def _w_fisher_quadrature(ctx, req, point):
    """E[∂ᵢℓ ∂ⱼℓ] with central finite-difference scores (no symbolic derivative or expectation),
    by quadrature, exact sums or a Gauss–Hermite rule (``numeric.expect_vec``)."""
    from ..witness import fisher_entry_by_fd_scores

    model = ctx.model
    wargs = dict(req.witness_args)
    if "coords" in wargs:  # the model rewritten in named coordinates, e.g. logit
        model = _in_coords(model, wargs["coords"], ctx.path, "check.witness_args.coords")
        byname = {s.name: v for s, v in point.items()}
        point = {s: byname[s.name] for s in model.params + model.constants if s.name in byname}
    i, j = req.of.index if len(req.of.index) == 2 else (0, 0)
    missing = [s.name for s in model.params + model.constants if s not in point]
    if missing:
        raise SpecError(ctx.path, "check.at", f"the witness needs every parameter and constant; {missing[0]} is missing")
    val, route = fisher_entry_by_fd_scores(model, point, i, j)
    # what the check's own name does not already say: the step, and the route only when it is not named
    named = any(w in req.name.lower() for w in ("sum", "quadrature", "gauss", "integral"))
    return val, "central differences with step $h = 10^{-5}$" + ("" if named else f", {route}"), None


@register_witness("kl_quadrature")
def _w_kl_quadrature(ctx, req, point):
    """KL(P_θ ‖ P_θ') = E_θ[ℓ(θ) − ℓ(θ')] by quadrature or exact sums of the log-density
    (no closed form, no expansion). θ is ``p`` or ``p_1`` of the point; θ' is ``p_2``, or
    θ + ``delta_p``, or θ plus the shift in ``witness_args``."""
    from ..witness import kl_by_expectation

    model = ctx.model
    byname = {s.name: v for s, v in point.items()}
    shift = dict(req.witness_args)
    base, moved = {}, {}
    for s in model.params + model.constants:
        v = byname.get(s.name, byname.get(f"{s.name}_1"))
        if v is None:
            raise SpecError(ctx.path, "check.at", f"the KL witness needs {s.name} (or {s.name}_1)")
        base[s] = v
        if s.name in shift:
            moved[s] = v + _expr(shift[s.name], ctx.path, f"check.witness_args.{s.name}")
        elif f"{s.name}_2" in byname:
            moved[s] = byname[f"{s.name}_2"]
        elif f"delta_{s.name}" in byname:
            moved[s] = v + byname[f"delta_{s.name}"]
        else:
            moved[s] = v
    val = kl_by_expectation(model, base, moved)
    moved_s = ", ".join(f"{s} = {float(v):g}" for s, v in moved.items() if s in model.params)
    how = ("summed exactly over the support" if all(sup.is_finite() for sup in model.support)
           else "integrated numerically")
    return val, f"the log-ratio at θ' with {moved_s}, {how}", None


def _count(v, path, key):
    """A count from ``witness_args``: a positive integer, capped by the CLI's one rule."""
    from .schema import _capped

    if not isinstance(v, int) or isinstance(v, bool) or v < 1:
        raise SpecError(path, key, f"expected a positive integer, got {v!r}")
    return _capped(v, path, key)


@register_witness("joint_observed_information")
def _w_joint_observed(ctx, req, point):
    """Seeded Monte Carlo: the mean over replications of the second finite difference of the
    joint log-likelihood of n simulated observations (its expectation is I_n)."""
    from ..witness import joint_observed_information

    model = ctx.model
    args = dict(req.witness_args)
    given = ctx.value("additivity.n")  # the n the spec gave the additivity quantity, if any
    n = _count(args.get("n", int(given) if getattr(given, "is_Integer", False) else 1), ctx.path,
               "check.witness_args.n")
    reps = _count(args.get("replications", 2000), ctx.path, "check.witness_args.replications")
    seed = int(args.get("seed", 0))
    if model.sampler is None or model.dim != 1:
        raise SpecError(ctx.path, "check.witness", "joint_observed_information needs a one-parameter catalog model with a sampler")
    values = {s.name: float(v) for s, v in point.items()}
    mean, se = joint_observed_information(model, values, n, reps, seed)
    return mean, f"{reps} seeded replications (seed {seed}) of n = {n} draws; second finite difference h = 1e-4", se


@register_witness("quadrature_integral")
def _w_quadrature_integral(ctx, req, point):
    """∫ of a derived closed form over the parameter domain, numerically (scipy.integrate.quad)."""
    from ..witness import integral_over_domain

    args = dict(req.witness_args)
    rp = args.get("of", req.of)
    expr = ctx.value(rp)
    if expr is None:
        raise SpecError(ctx.path, "check.witness_args.of", f"{rp.value_name} was not derived")
    expr = _scalar(expr).subs(point)
    th = ctx.model.params[0]
    dom = ctx.model.domain(th)
    val, err = integral_over_domain(expr, th, dom)
    return val, f"numerical integral over ({dom.lo}, {dom.hi}) (estimated error {err:.1e})", None
