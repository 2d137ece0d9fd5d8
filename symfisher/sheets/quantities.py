"""The sheet quantities: each calls the engine (``symfisher.derive``, the geometry and ML modules)
and publishes the values its checks address; and the witnesses checks may name.

The numeric work of every witness lives in :mod:`symfisher.witness`; here only the spec's
arguments are read and checked.
"""
from __future__ import annotations


import sympy as sp

from ..derivation import Derivation, Step
from .adapter import _in_coords, _scalar
from .registry import register_quantity, register_witness
from .schema import SpecError, _expr


# ---------------------------------------------------------------- quantities: the core engine


@register_quantity("score", publishes=("score", "score_raw"), summary="the score d/dθ log f")
def _q_score(ctx):
    d = ctx.engine("score")
    ctx.values["score"] = _scalar(d.result)
    ctx.values["score_raw"] = _scalar(d.extras["raw"])
    return d


@register_quantity("hessian", summary="the Hessian of log f")
def _q_hessian(ctx):
    d = ctx.engine("hessian")
    ctx.values["hessian"] = _scalar(d.result)
    return d


@register_quantity("fisher", summary="the Fisher information by E[s sᵀ] and by −E[H]")
def _q_fisher(ctx):
    d = ctx.engine("fisher")
    if d.result is not None:
        ctx.values["fisher"] = _scalar(d.result)
    return d


@register_quantity("cramer_rao", summary="the Cramér–Rao bound I(θ)⁻¹")
def _q_cramer_rao(ctx):
    d = ctx.engine("cramer_rao")
    if d.result is not None:
        ctx.values["cramer_rao"] = _scalar(d.result)
    return d


@register_quantity("fisher_extremes", publishes=("fisher_minimum", "fisher_maximum", "fisher_argmin", "fisher_argmax"), summary="where a scalar Fisher information is smallest and how it behaves at the domain's ends")
def _q_fisher_extremes(ctx):
    """Stationary points of I(θ) inside the domain and its limits at the ends."""
    model = ctx.model
    fd = ctx.derive("fisher")
    d = Derivation("fisher_extremes", f"Where the {model.name} model is most and least informative")
    if model.dim != 1:
        return d.fail("fisher_extremes", "defined for one-parameter models")
    if fd is None or fd.result is None:
        return d.fail("fisher_extremes", "the Fisher information is not available")
    th = model.params[0]
    I = fd.result[0, 0]
    Ith = sp.Function("I")(th)
    dI = sp.factor(sp.simplify(sp.diff(I, th)))
    d = d.add(Step(f"Differentiate the Fisher information with respect to {th}.", "quotient rule",
                   sp.Derivative(Ith, th), (dI,)))
    dom = model.domain(th)
    crit = [c for c in sp.solve(sp.numer(sp.together(dI)), th) if c.is_real and dom.contains(float(c))]
    if crit:
        d = d.add(Step("Set the derivative to zero: the only stationary point in the domain is",
                       "the numerator vanishes there", None, tuple(sp.Eq(th, c, evaluate=False) for c in crit)))
        for c in crit:
            val = sp.simplify(I.subs(th, c))
            second = sp.simplify(sp.diff(I, th, 2).subs(th, c))
            kind = "minimum" if second.is_positive else ("maximum" if second.is_negative else "stationary point")
            d = d.add(Step(f"The second derivative there is {'positive' if second.is_positive else 'negative'}, "
                           f"so this is the {kind} of the information.", "second-derivative test",
                           Ith.subs(th, c), (val,)))
            ctx.values[f"fisher_{kind}"] = val
            ctx.values[f"fisher_arg{kind[:3]}"] = c
    limits = []
    for end, direction in ((dom.lo, "+"), (dom.hi, "-")):
        lim = sp.limit(I, th, end, direction)
        limits.append(sp.Eq(sp.Limit(Ith, th, end, direction), lim, evaluate=False))
    d = d.add(Step("At the ends of the parameter domain the information behaves as",
                   "one-sided limits of the closed form", None, tuple(limits)))
    ctx.curves["fisher"] = (th, I, dom)
    if "fisher_minimum" in ctx.values:
        return d.with_result(sp.Eq(Ith.subs(th, ctx.values["fisher_argmin"]), ctx.values["fisher_minimum"], evaluate=False))
    return d.with_result(sp.Tuple(*[lim.rhs for lim in limits]))


@register_quantity("additivity", publishes=("I_n", "I_n_value", "additivity_n"), args={"n": "posint", "at": "point"},
                   summary="I_n(θ) = n·I(θ) for n iid observations, optionally evaluated at given n and constants")
def _q_additivity(ctx, n=None, at=()):
    from ..derive import iid_additivity

    fd = ctx.derive("fisher")
    d = iid_additivity(ctx.model, fd.result if fd is not None else None)
    if d.result is None:
        return d
    In = _scalar(d.result)
    ctx.values["I_n"] = In
    nsym = next((s for s in In.free_symbols if s.name == "n"), sp.Symbol("n", integer=True, positive=True))
    if n is not None or at:
        sub = ctx.point(at, "derive.additivity.at")
        if n is not None:
            sub[nsym] = sp.Integer(n)
        val = sp.simplify(In.subs(sub))
        shown = ", ".join(f"{k} = {sp.sstr(v)}" for k, v in sub.items())
        lhs = sp.Function("I_n")(*ctx.model.params)
        d = d.add(Step(f"Evaluate at {shown}.", "substitute the given values", lhs, (In, val)))
        ctx.values["I_n_value"] = val
        d = d.with_result(val)
        ctx.values["additivity_n"] = n
    return d


def _fisher_at(ctx, at, key: str):
    """The derived Fisher matrix at a spec point (every symbol it depends on given), or None."""
    fd = ctx.derive("fisher")
    if fd is None or fd.result is None:
        return None, None
    I = sp.Matrix(fd.result)
    point = ctx.point(at, key, I)
    In = sp.simplify(I.subs(point))
    left = sorted(map(str, In.free_symbols))
    if left:
        raise SpecError(ctx.path, key, f"the Fisher information still depends on {', '.join(left)}: give them in at")
    return In, point


@register_quantity("fisher_eigen", publishes=("fisher_value", "fisher_eigenvalues", "fisher_eigenvectors"), args={"at": "point"},
                   summary="the Fisher matrix at a point, its eigenvalues and unit eigenvectors (the directions "
                           "of most and least information)")
def _q_fisher_eigen(ctx, at):
    d = Derivation("fisher_eigen", "The Fisher matrix at the given point, and its eigen-directions")
    In, point = _fisher_at(ctx, at, "derive.fisher_eigen.at")
    if In is None:
        return d.fail("fisher_eigen", "the Fisher information is not available")
    Ilhs = sp.Symbol("I")
    given = ", ".join(f"{s} = {v}" for s, v in point.items())
    d = d.add(Step(f"Substitute {given}.", "the values of the question", Ilhs, (In,)))
    kappa = sp.Symbol("kappa")
    d = d.add(Step("The eigenvalues solve the characteristic equation.", "det(I − κ·Id) = 0", None,
                   (sp.Eq(sp.factor(sp.expand((In - kappa * sp.eye(In.rows)).det())), 0, evaluate=False),)))
    rows = []
    for lam, mult, vecs in sorted(In.eigenvects(), key=lambda t: -float(t[0])):
        for v in vecs:
            rows.append((sp.radsimp(sp.nsimplify(lam)), sp.simplify(v / v.norm())))
    eig = [r[0] for r in rows]
    d = d.add(Step("Eigenvalues, largest first: the information along each principal direction.",
                   "roots of the characteristic polynomial", None,
                   tuple(sp.Eq(sp.Symbol(f"kappa_{k + 1}"), e, evaluate=False) for k, e in enumerate(eig))))
    d = d.add(Step("Unit eigenvectors: the most informative direction first.", "solve (I − κ·Id) v = 0, |v| = 1", None,
                   tuple(sp.Eq(sp.Symbol(f"v_{k + 1}"), r[1], evaluate=False) for k, r in enumerate(rows))))
    d = d.add(Step("Approximately:", "numeric values", None,
                   tuple(sp.Eq(sp.Symbol(f"kappa_{k + 1}"), sp.N(e, 6), evaluate=False) for k, e in enumerate(eig))))
    ctx.values["fisher_value"] = In
    ctx.values["fisher_eigenvalues"] = sp.Matrix([eig])
    ctx.values["fisher_eigenvectors"] = sp.Matrix.hstack(*[r[1] for r in rows])
    return d.with_result(In)


@register_quantity("fisher_times", publishes=("fisher_times_matrix",), args={"at": "point", "matrix": "matrix"},
                   summary="the Fisher matrix at a point multiplied by a given matrix (I·Σ = Id shows I = Σ⁻¹)")
def _q_fisher_times(ctx, at, matrix):
    d = Derivation("fisher_times", "The Fisher matrix times the given matrix")
    In, point = _fisher_at(ctx, at, "derive.fisher_times.at")
    if In is None:
        return d.fail("fisher_times", "the Fisher information is not available")
    M = sp.Matrix([[_expr(x, ctx.path, "derive.fisher_times.matrix") for x in row] for row in matrix])
    if M.rows != In.cols:
        raise SpecError(ctx.path, "derive.fisher_times.matrix",
                        f"expected {In.cols} rows to multiply a {In.rows}x{In.cols} Fisher matrix, got {M.rows}")
    Msym = sp.Symbol("M")
    d = d.add(Step("The given matrix:", "as in the question", Msym, (M,)))
    prod = sp.simplify(In * M)
    d = d.add(Step("Multiply:", "matrix product", sp.MatMul(sp.Symbol("I"), Msym, evaluate=False),
                   (sp.MatMul(In, M, evaluate=False), prod)))
    import numpy as np

    # the check multiplies in floating point, as the notebook does (not the exact product above)
    ctx.values["fisher_times_matrix"] = np.array(In.evalf(), dtype=float) @ np.array(M.evalf(), dtype=float)
    return d.with_result(prod)


@register_quantity("fisher_expectation_sum", publishes=("fisher_sum", "fisher_sum_terms"), summary="I = Σₓ f(x) s(x)², written out term by term over a finite support")
def _q_fisher_expectation_sum(ctx):
    model = ctx.model
    d = Derivation("fisher_expectation_sum", f"Fisher information as the expected squared score, outcome by outcome")
    sup = model.support[0]
    if model.dim != 1 or len(model.data) != 1 or not sup.is_finite():
        return d.fail("fisher_expectation_sum", "needs a one-parameter model of one variable with a finite support")
    sd = ctx.derive("score")
    th, x = model.params[0], model.data[0]
    s = sd.result[0, 0]
    f = sp.simplify(model.density)
    terms, probs, scores = [], [], []
    for v in sup.points():
        fv, sv = sp.simplify(f.subs(x, v)), sp.simplify(s.subs(x, v))
        probs.append(sp.Eq(sp.Function("f")(v, th), fv, evaluate=False))
        scores.append(sp.Eq(sp.Function("s")(v, th), sv, evaluate=False))
        terms.append(sp.Mul(fv, sp.Pow(sv, 2, evaluate=False), evaluate=False))
    d = d.add(Step("The probabilities of the outcomes.", "the model", None, tuple(probs)))
    d = d.add(Step("The score at each outcome.", "substitute the outcome into the score", None, tuple(scores)))
    I = sp.Function("I")(th)
    total = sp.Add(*terms, evaluate=False)
    from ..textbook import conventional_sign

    expanded = sp.Add(*[sp.simplify(t) for t in terms], evaluate=False)
    final = sp.factor(sp.simplify(sp.Add(*terms)))
    common = sp.together(sp.Add(*expanded.args))  # over the common denominator: the form a student writes
    if common.free_symbols == final.free_symbols and sp.count_ops(common) <= sp.count_ops(final):
        final = common
    final = conventional_sign(final)[0]
    d = d.add(Step("Average the squared score over the outcomes, weighted by their probabilities; each term "
                   "simplifies, and the fractions add over their common denominator.",
                   "I(θ) = E[s(X; θ)²] = Σₓ f(x; θ) s(x; θ)²", I, (total, expanded, final)))
    ctx.values["fisher_sum"] = final
    ctx.values["fisher_sum_terms"] = total
    return d.with_result(final)


@register_quantity("witnesses", publishes=("witnesses",), args={"n_points": "posint", "mc_samples": "posint", "seed": "int", "only": "str"},
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
        d = ctx.derived.get(name)
        if d is not None and d.result is not None:
            kw[name] = d.result
    t = ctx.derived.get("kl_taylor")
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


# ---------------------------------------------------------------- quantities: geometry (issue 3)


def _geometry(module: str, attr: str, ctx, label: str):
    import importlib

    from ..limits import StepFailed

    try:
        mod = importlib.import_module(f"symfisher.derive.{module}")
        return getattr(mod, attr)
    except (ModuleNotFoundError, AttributeError):  # shown as a failed step; the rest of the sheet still renders
        raise StepFailed(label, f"needs symfisher.derive.{module}.{attr}, which is not installed") from None


def _keep_values(ctx, d, name: str, extras: tuple = (), prefix: str | None = None) -> None:
    """``d.result`` becomes the value ``name``, and each SymPy ``d.extras[k]`` the value ``{prefix}_{k}``
    (``prefix`` defaults to ``name``)."""
    if d.result is not None:
        ctx.values[name] = d.result
    for k in extras:
        v = d.extras.get(k)
        if isinstance(v, sp.Basic):
            ctx.values[f"{prefix or name}_{k}"] = v


@register_quantity("reparam", publishes=("fisher_new", "reparam_*"), args={"coords": "str"}, summary="the transformation law I_φ = Jᵀ I_θ J, and I_φ derived directly")
def _q_reparam(ctx, coords):
    fn = _geometry("reparam", "transformation_law", ctx, "reparam")
    try:
        d = fn(ctx.model, coords)
    except (KeyError, ValueError) as exc:
        raise SpecError(ctx.path, "derive.reparam.coords", str(exc).strip().splitlines()[0]) from None
    if d.result is not None:
        ctx.values["fisher_new"] = _scalar(d.result)
    for k, v in d.extras.items():
        if isinstance(v, (sp.Basic, sp.MatrixBase)):
            ctx.values[f"reparam_{k}"] = _scalar(v)
    return d


@register_quantity("kl", summary="the KL divergence KL(P_θ₁ ‖ P_θ₂) in closed form")
def _q_kl(ctx):
    d = ctx.engine("kl")
    _keep_values(ctx, d, "kl")
    return d


@register_quantity("kl_taylor", publishes=("kl_taylor", "kl_quadratic", "kl_cubic", "kl_exact", "kl_kl"), args={"order": "posint", "check_closed_form": "bool"},
                   summary="KL(P_θ ‖ P_θ+δ) = ½ δᵀ I δ + cubic term + …")
def _q_kl_taylor(ctx, order=3, check_closed_form=False):
    """The series term by term. Its optional cross-check against the series of the closed-form
    KL runs under a short wall-clock limit, so whether it finishes depends on the machine's
    load; sheets leave it off by default (principle 7: the same spec renders the same bytes)
    and check the terms numerically against the exact divergence instead."""
    fn = _geometry("taylor", "kl_taylor", ctx, "kl_taylor")
    d = fn(ctx.model, order=order, check_closed_form=check_closed_form)
    _keep_values(ctx, d, "kl_taylor", ("quadratic", "cubic", "exact", "kl"), prefix="kl")
    return d


@register_quantity("jeffreys", publishes=("jeffreys", "jeffreys_normalizer", "jeffreys_sqrt_det", "jeffreys_proper", "jeffreys_density"), summary="the Jeffreys prior √det I(θ): propriety, normalizer and name")
def _q_jeffreys(ctx):
    d = ctx.engine("jeffreys")
    _keep_values(ctx, d, "jeffreys", ("normalizer", "sqrt_det"))
    proper = d.extras.get("proper")
    if proper is not None:
        ctx.values["jeffreys_proper"] = sp.Integer(1 if proper else 0)
        norm = d.extras.get("normalizer")
        if proper and isinstance(norm, sp.Basic) and d.result is not None:
            ctx.values["jeffreys_density"] = _scalar(d.result) / norm
    ctx.curves["jeffreys"] = d
    return d


# ---------------------------------------------------------------- quantities: ML (issue 4)


def _ml(attr: str, ctx, label: str):
    from ..limits import StepFailed

    try:
        from .. import ml
    except ImportError:
        raise StepFailed(label, "needs symfisher.ml, which is not installed") from None
    return getattr(ml, attr)


def _ml_result(ctx, r, prefix: str, names: dict):
    for key, attr in names.items():
        ctx.values[f"{prefix}{key}"] = getattr(r, attr)
    return r.derivation


@register_quantity("empirical_vs_hessian", publishes=("empirical_fisher", "observed_hessian", "gap", "expected_empirical", "xtwx"), args={"n": "posint", "weights": "vector", "seed": "int"}, needs_model=False,
                   summary="logistic regression: empirical Fisher against the observed Hessian on seeded data")
def _q_empirical_vs_hessian(ctx, n, weights, seed):
    r = _ml("empirical_vs_hessian", ctx, "empirical_vs_hessian")(n=n, weights=weights, seed=seed)
    return _ml_result(ctx, r, "", {"empirical_fisher": "empirical_fisher", "observed_hessian": "observed_hessian",
                                   "gap": "gap", "expected_empirical": "expected_empirical", "xtwx": "xtwx"})


@register_quantity("ewc", publishes=("ewc_fisher_diag", "ewc_empirical_diag", "ewc_penalties"), args={"n": "posint", "weights": "vector", "seed": "int", "moves": "matrix", "kind": "str"},
                   needs_model=False, summary="elastic weight consolidation: diagonal-Fisher importance and penalties")
def _q_ewc(ctx, n, weights, seed, moves, kind="fisher"):
    try:
        r = _ml("ewc_importance", ctx, "ewc")(n=n, task_weights=weights, seed=seed, moves=moves, kind=kind)
    except ValueError as exc:
        raise SpecError(ctx.path, "derive.ewc", str(exc).splitlines()[0]) from None
    return _ml_result(ctx, r, "ewc_", {"fisher_diag": "fisher_diag", "empirical_diag": "empirical_diag",
                                       "penalties": "penalties"})


@register_quantity("natural_gradient_step", publishes=("natural_step", "plain_step", "step_ratio"), args={"g": "vector", "F": "matrix", "eta": "number"}, needs_model=False,
                   summary="the natural step −η F⁻¹ g against the ordinary step −η g")
def _q_natural_gradient_step(ctx, g, F, eta):
    try:
        r = _ml("natural_gradient_step", ctx, "natural_gradient_step")(g=g, F=F, eta=eta)
    except ValueError as exc:
        raise SpecError(ctx.path, "derive.natural_gradient_step", str(exc).splitlines()[0]) from None
    return _ml_result(ctx, r, "", {"natural_step": "natural", "plain_step": "plain", "step_ratio": "ratio"})


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
    i, j = req.entry or (0, 0)
    missing = [s.name for s in model.params + model.constants if s not in point]
    if missing:
        raise SpecError(ctx.path, "check.at", f"the witness needs every parameter and constant; {missing[0]} is missing")
    val, route = fisher_entry_by_fd_scores(model, point, i, j)
    return val, f"E[s_i s_j] with central finite-difference scores (h = 1e-5), by {route}", None


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
    return val, f"E[log f(X; θ) − log f(X; θ')] at θ' with {moved_s}, summed or integrated numerically", None


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
    n = _count(args.get("n", ctx.values.get("additivity_n") or 1), ctx.path, "check.witness_args.n")
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
    name = args.get("of", req.of)
    expr = ctx.values.get(name)
    if expr is None:
        raise SpecError(ctx.path, "check.witness_args.of", f"no derived value {name!r}")
    expr = _scalar(expr).subs(point)
    th = ctx.model.params[0]
    dom = ctx.model.domain(th)
    val, err = integral_over_domain(expr, th, dom)
    return val, f"numerical integral over ({dom.lo}, {dom.hi}) (estimated error {err:.1e})", None
