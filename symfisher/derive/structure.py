"""Derivations that use a model's structure instead of expanding its entries.

**Linear index** (a generalized linear model's predictor). When the parameters enter the
log-density only through ``eta = a_1 theta_1 + ... + a_k theta_k`` (the ``a_i`` free of the
parameters and of the data), ``log f(x; theta) = g(x; eta)`` and the chain rule gives

* score ``s = a g'(eta)``, Hessian ``H = a a^T g''(eta)`` (``eta`` is linear, so
  ``d^2 eta / d theta d theta^T = 0``);
* ``E[s s^T] = a a^T E[g'^2]`` and ``-E[H] = a a^T (-E[g''])``, so
  ``I(theta) = a a^T I_eta(eta)`` — the reparameterization law for a map of rank one.

Every expectation is taken once, in the one-parameter model in ``eta`` (by the generic
engine, both routes and their agreement), and the ``k x k`` matrices are products: the
work grows like ``k^2`` multiplications, not ``k^2`` expectations of ever longer
expressions. For ``k > 1`` the information has rank one, so it is singular: one
observation cannot identify more than the index.

**Gaussian mean in matrix form.** For ``x ~ N_d(mu, Sigma)`` with ``Sigma`` known the
score, Hessian, both Fisher routes, ``E[score] = 0`` and the Cramér–Rao bound are derived
with matrix symbols (``E[(x - mu)(x - mu)^T] = Sigma``), so the cost does not depend on d
until the explicit d x d result is written out.

Reference: McCullagh & Nelder, *Generalized Linear Models*, 2nd ed. (1989), §2.5 (the
information ``X^T W X``); Lehmann & Casella (1998), §2.7 (reparameterization); Mardia,
Kent & Bibby, *Multivariate Analysis* (1979), §4.2.
"""
from __future__ import annotations

import sympy as sp

from ..derivation import Derivation, Step
from ..limits import StepFailed
from ..model import GaussianMean, LinearIndex, Model
from ..simplify import cancels
from . import notation as N

__all__ = ["linear_index", "index_model", "index_score", "index_hessian", "index_fisher",
           "index_expected_score", "gaussian_mean", "gaussian_expectation", "gaussian_score",
           "gaussian_hessian", "gaussian_fisher", "gaussian_expected_score", "gaussian_cramer_rao"]


def linear_index(model: Model) -> LinearIndex | None:
    """The model's declared linear index, if it really is one for this log-density."""
    ix = model.meta_value("index")
    if not isinstance(ix, LinearIndex):
        return None
    params = set(model.params)
    if ix.eta.free_symbols & set(model.data) or ix.reduced.free_symbols & params:
        return None
    grad = [sp.diff(ix.eta, th) for th in model.params]
    if any(g.free_symbols & params for g in grad) or all(g == 0 for g in grad):
        return None
    # a reparameterized or edited model keeps its meta: the index must still produce its log-density
    if ix.reduced.xreplace({ix.symbol: ix.eta}) != model.log_density:
        return None
    return ix


def _gradient(model: Model, ix: LinearIndex) -> sp.Matrix:
    return sp.Matrix([sp.diff(ix.eta, th) for th in model.params])


def index_model(model: Model, ix: LinearIndex) -> Model:
    """The one-parameter model ``g(x; eta)`` (same data and support)."""
    return Model(
        f"{model.name} in its index {ix.symbol}", model.data, (ix.symbol,), ix.reduced, model.support,
        domains=((ix.symbol, ix.domain),), family="",
        parameterization=f"the {model.name} model as a function of its linear index {ix.symbol}",
    )


def _lift(M, back):
    return M.xreplace(back) if M is not None else None


def _index_step(model, ix) -> Step:
    return Step(f"The parameters enter only through the linear index {ix.symbol}, so the log-density is a "
                f"function g of {ix.symbol} alone.",
                "a linear predictor: the chain rule reduces everything to one parameter",
                N.logf(model), (sp.Eq(ix.symbol, ix.eta, evaluate=False), ix.reduced))


def index_score(model: Model, ix: LinearIndex) -> Derivation:
    from .fisher import score

    red = index_model(model, ix)
    sd = score(red)
    a, back = _gradient(model, ix), {ix.symbol: ix.eta}
    d = Derivation("score", f"Score of the {model.name} model")
    d = d.add(Step("Write down the log-density.", "the model", N.logf(model), (model.log_density,)),
              _index_step(model, ix))
    d = d.extend(sd)
    s = (a * sd.result[0, 0]).xreplace(back)
    d = d.add(Step(f"Chain rule: each component is d{ix.symbol}/dtheta_i times the derivative in {ix.symbol}.",
                   f"d log f / d theta_i = (d {ix.symbol} / d theta_i) g'({ix.symbol})",
                   N.SCORE(*model.params), (a * sd.result[0, 0], s)))
    d.extras["raw"] = (a * sd.extras["raw"][0, 0]).xreplace(back)
    d.extras["index"] = (red, sd.extras["raw"])
    return d.with_result(s)


def index_hessian(model: Model, ix: LinearIndex) -> Derivation:
    from .fisher import hessian, score

    red = index_model(model, ix)
    hd = hessian(red, score(red).extras["raw"])
    a, back = _gradient(model, ix), {ix.symbol: ix.eta}
    d = Derivation("hessian", f"Hessian of the {model.name} log-density").extend(hd)
    aaT = a * a.T
    H = (aaT * hd.result[0, 0]).xreplace(back)
    d = d.add(Step(f"Chain rule again; {ix.symbol} is linear in the parameters, so its second derivatives vanish.",
                   f"H = (d{ix.symbol}/dtheta)(d{ix.symbol}/dtheta)^T g''({ix.symbol})", sp.Symbol("H"),
                   (aaT * hd.result[0, 0], H)))
    d.extras["raw"] = (aaT * hd.extras["raw"][0, 0]).xreplace(back)
    return d.with_result(H)


def index_fisher(model: Model, ix: LinearIndex, *, limit: float | None = None) -> Derivation:
    """``I(theta) = a a^T I_eta``, with ``I_eta`` derived by both routes in the index model."""
    from .fisher import fisher_information

    red = index_model(model, ix)
    fd = fisher_information(red, limit=limit)
    a, back = _gradient(model, ix), {ix.symbol: ix.eta}
    aaT = a * a.T
    d = Derivation("fisher", f"Fisher information of the {model.name} model")
    d = d.add(_index_step(model, ix)).extend(fd)
    outer = _lift(aaT * fd.extras["outer"][0, 0] if fd.extras.get("outer") is not None else None, back)
    curv = _lift(aaT * fd.extras["curvature"][0, 0] if fd.extras.get("curvature") is not None else None, back)
    if fd.result is None:
        d = d.with_result(None)
        d.extras.update(outer=outer, curvature=curv, routes_agree=False)
        return d
    I = (aaT * fd.result[0, 0]).xreplace(back)
    I_eta = sp.Function("I")(ix.symbol)
    d = d.add(Step(f"Both routes carry over by the chain rule: E[s s^T] = a a^T E[g'^2] and -E[H] = a a^T (-E[g'']) "
                   f"with a = d{ix.symbol}/dtheta.",
                   "reparameterization law for the linear map theta -> " + str(ix.symbol),
                   N.fisher_of(model), (aaT * I_eta, I) if model.dim > 1 else (I_eta * aaT[0, 0], I[0, 0])))
    if model.dim > 1:
        d = d.note(f"I(theta) = a a^T I({ix.symbol}) has rank one, so it is singular for {model.dim} parameters: "
                   f"one observation informs only the index {ix.symbol}.")
    d.extras.update(outer=outer, curvature=curv, routes_agree=fd.extras.get("routes_agree", False))
    return d.with_result(I)


def index_expected_score(model: Model, ix: LinearIndex, limit: float | None = None) -> Derivation:
    """``E[s] = a E[g'(eta)]``: the first Bartlett identity checked once, in the index."""
    from .fisher import score
    from .regularity import expected_score

    red = index_model(model, ix)
    es = expected_score(red, score(red).extras["raw"], limit=limit)
    d = Derivation("expected_score", "The score has mean zero").extend(es)
    if es.result:
        d = d.add(Step(f"So every component a_i E[g'({ix.symbol})] of the score has mean zero.",
                       "linearity of expectation", N.E(sp.Symbol("s")), (sp.zeros(model.dim, 1),)))
    return d.with_result(es.result)


# -- the Gaussian mean in matrix form ---------------------------------------------------------
#
# For x ~ N_d(mu, Sigma) with Sigma known, log f = -(x - mu)^T Sigma^{-1} (x - mu)/2 + const.
# Matrix calculus gives s = Sigma^{-1}(x - mu) and H = -Sigma^{-1}; with r = x - mu centred,
# E[r] = 0 and E[r r^T] = Sigma, so E[s s^T] = Sigma^{-1} Sigma Sigma^{-1} = Sigma^{-1} = -E[H].
# Nothing is expanded entry by entry: the cost does not grow with d until the final explicit
# d x d matrix is written out (Sigma^{-1} in closed form for d <= 3, its opaque entries beyond).
# Reference: Mardia, Kent & Bibby, *Multivariate Analysis* (1979), §4.2 and appendix A.9.


def gaussian_mean(model: Model) -> GaussianMean | None:
    """The model's Gaussian matrix form, if it describes this very log-density."""
    g = model.meta_value("gaussian")
    if not isinstance(g, GaussianMean):
        return None
    if tuple(model.params) != tuple(g.mean_entries) or tuple(model.data) != tuple(g.x_entries):
        return None
    if model.log_density != g.log_density():
        return None
    return g


def _symmetric(M, g: GaussianMean):
    """Sigma is symmetric: Sigma^T = Sigma (and so (Sigma^{-1})^T = Sigma^{-1})."""
    return M.xreplace({g.cov.T: g.cov, sp.Inverse(g.cov).T: sp.Inverse(g.cov)})


def _explicit(M, g: GaussianMean, extra: dict | None = None) -> sp.Matrix:
    """The explicit entries of a matrix expression in x, mu, Sigma and Sigma^{-1} (and the
    ``extra`` matrix symbols), multiplied out by hand: SymPy's ``doit`` would try to invert
    Sigma entry by entry."""
    leaves = {sp.Inverse(g.cov): sp.Matrix(g.precision), g.cov: sp.Matrix(g.cov_entries),
              g.x: sp.Matrix(g.x_entries), g.mean: sp.Matrix(g.mean_entries), **(extra or {})}

    def ev(e):
        if e in leaves:
            return leaves[e]
        if isinstance(e, sp.MatMul):
            coeff, mats = e.as_coeff_matrices()
            out = ev(mats[0])
            for m in mats[1:]:
                out = _product(out, ev(m))
            return out.applyfunc(lambda e: coeff * e)
        if isinstance(e, sp.MatAdd):
            parts = [ev(a) for a in e.args]
            return sum(parts[1:], parts[0])
        if isinstance(e, sp.Transpose):
            return ev(e.arg).T
        if isinstance(e, sp.Identity):
            return sp.eye(e.shape[0])
        if isinstance(e, sp.ZeroMatrix):
            return sp.zeros(*e.shape)
        raise StepFailed("write out the matrix", f"cannot write {e} entry by entry")

    out = ev(M)
    # Sigma^{-1} written out (d <= 3): factor the rational entries; else polynomials in its entries
    return out.applyfunc(sp.factor) if g.x.shape[0] <= 3 else out.applyfunc(sp.expand)


def _product(A, B) -> sp.Matrix:
    """``A B`` entry by entry as plain sums (SymPy's matrix product may route opaque entries
    through polynomial domains, which is very slow for them)."""
    return sp.Matrix(A.rows, B.cols, lambda i, j: sp.Add(*[A[i, k] * B[k, j] for k in range(A.cols)]))


def _centred(g: GaussianMean):
    return sp.MatrixSymbol("r", g.x.shape[0], 1)


def gaussian_expectation(M, g: GaussianMean):
    """``E[M(x)]`` for a matrix polynomial of degree <= 2 in x: with x = mu + r, the terms
    linear in r vanish, ``A r r^T B -> A Sigma B`` and ``A r^T B r C -> tr(B Sigma) A C``."""
    r = _centred(g)
    e = sp.expand(_symmetric(M, g).xreplace({g.x: g.mean + r}))
    terms = e.args if isinstance(e, sp.MatAdd) else (e,)
    out = []
    for t in terms:
        coeff, mm = t.as_coeff_mmul()
        factors = list(mm.args) if isinstance(mm, sp.MatMul) else [mm]
        at = [i for i, f in enumerate(factors) if f in (r, r.T)]
        if not at:
            out.append(t)
            continue
        if len(at) == 1:
            continue  # E[r] = 0
        if len(at) == 2:
            i, j = at
            if factors[i] == r and factors[j] == r.T and j == i + 1:
                out.append(coeff * sp.MatMul(*factors[:i], g.cov, *factors[j + 1:]))
                continue
            if factors[i] == r.T and factors[j] == r:
                inner = sp.MatMul(*factors[i + 1:j]) if j > i + 1 else sp.Identity(g.x.shape[0])
                rest = factors[:i] + factors[j + 1:]
                scalar = coeff * sp.Trace(inner * g.cov)
                out.append(scalar * (sp.MatMul(*rest) if rest else sp.Identity(1)))
                continue
        raise StepFailed("gaussian expectation", f"E[{t}] needs moments of x beyond the second")
    if not out:
        return sp.ZeroMatrix(*M.shape)
    return sp.MatAdd(*out).doit() if len(out) > 1 else out[0]


def _quadratic_form(g: GaussianMean):
    r = g.x - g.mean
    return -sp.Rational(1, 2) * (r.T * sp.Inverse(g.cov) * r)


def _matrix_score(g: GaussianMean):
    """``Sigma^{-1}(x - mu)`` by matrix calculus on the quadratic form (Sigma symmetric)."""
    return _symmetric(sp.diff(_quadratic_form(g), g.mean), g).doit()


def _matrix_hessian(g: GaussianMean):
    return _symmetric(sp.diff(_matrix_score(g), g.mean), g).doit()


def gaussian_score(model: Model, g: GaussianMean) -> Derivation:
    d = Derivation("score", f"Score of the {model.name} model")
    q = _quadratic_form(g)
    d = d.add(Step("Write the log-density in matrix form; only the quadratic form involves the mean.",
                   "log f = -(x - mu)^T Sigma^{-1} (x - mu)/2 - log det(2 pi Sigma)/2", N.logf(model), (q,)))
    s = _matrix_score(g)
    S = _explicit(s, g)
    d = d.add(Step(f"Differentiate with respect to the vector {g.mean} (Sigma is symmetric).",
                   "d/dmu of (x - mu)^T A (x - mu) = -(A + A^T)(x - mu)", N.SCORE(*model.params), (s, S)))
    d.extras.update(raw=S, matrix=s)
    return d.with_result(S)


def gaussian_hessian(model: Model, g: GaussianMean) -> Derivation:
    s, H = _matrix_score(g), _matrix_hessian(g)
    Hx = _explicit(H, g)
    d = Derivation("hessian", f"Hessian of the {model.name} log-density")
    d = d.add(Step(f"Differentiate the score {s} once more with respect to {g.mean}.",
                   "the score is linear in mu", sp.Symbol("H"), (H, Hx)))
    d.extras.update(raw=Hx, matrix=H)
    return d.with_result(Hx)


def gaussian_fisher(model: Model, g: GaussianMean) -> Derivation:
    s, H = _matrix_score(g), _matrix_hessian(g)
    r, P = _centred(g), sp.Inverse(g.cov)
    I_lhs = N.fisher_of(model)
    d = Derivation("fisher", f"Fisher information of the {model.name} model")
    outer = s * s.T
    d = d.add(Step("Route 1: the Fisher information is the expected outer product of the score, "
                   "s = Sigma^{-1} r with r = x - mu.",
                   "definition: I = E[s s^T]", I_lhs, (sp.MatMul(P, r, r.T, P, evaluate=False),)))
    A = gaussian_expectation(outer, g)
    d = d.add(Step("Take the expectation: E[(x - mu)(x - mu)^T] = Sigma.", "the covariance of x is Sigma",
                   I_lhs, (sp.MatMul(P, g.cov, P, evaluate=False), A)))
    d = d.add(Step("Route 2: minus the expected Hessian; the Hessian does not involve the data.",
                   "a constant matrix is its own expectation", I_lhs, (N.E(-H), -gaussian_expectation(H, g))))
    B = -gaussian_expectation(H, g)
    agree = (A - B).doit() == sp.ZeroMatrix(*A.shape) or A == B
    if agree:
        d = d.add(Step("The two routes agree.", "the two matrix expressions are identical", None,
                       (sp.Eq(A, B, evaluate=False),)))
    else:
        d = d.fail("fisher routes", f"E[s s^T] = {A} and -E[H] = {B} differ")
    Bx = _explicit(B, g)
    Ax = Bx if A == B else _explicit(A, g)
    d = d.add(Step("Entry by entry:", f"{B} written out", I_lhs, (Bx if model.dim > 1 else Bx[0, 0],)))
    d.extras.update(outer=Ax, curvature=Bx, routes_agree=agree, matrix=B)
    return d.with_result(Bx)


def gaussian_expected_score(model: Model, g: GaussianMean) -> Derivation:
    s = _matrix_score(g)
    m = gaussian_expectation(s, g)
    zero = m == sp.ZeroMatrix(*s.shape) or _explicit(m, g).is_zero_matrix
    d = Derivation("expected_score", "The score has mean zero")
    d = d.add(Step(f"The expected score vanishes: E[{s}] = Sigma^{{-1}}(E[x] - mu)." if zero else
                   "The expected score is not zero.", "E[x] = mu", N.E(sp.Symbol("s")), (sp.zeros(model.dim, 1),)))
    if not zero:
        d = d.fail("E[score]", f"E[score] = {m}, not 0")
    return d.with_result(bool(zero))


def gaussian_cramer_rao(model: Model, g: GaussianMean) -> Derivation:
    inv = sp.Inverse(sp.Inverse(g.cov)).doit()
    d = Derivation("cramer_rao", f"Cramér–Rao bound for the {model.name} model")
    C = _explicit(inv, g)
    d = d.add(Step("For any unbiased estimator T of the mean, Cov(T) is at least the inverse Fisher information.",
                   "Cramér–Rao inequality; (Sigma^{-1})^{-1} = Sigma", sp.Function("CRB")(*model.params),
                   (sp.Pow(N.fisher_of(model), -1), inv, C if C.shape[0] > 1 else C[0, 0])))
    return d.with_result(C)


def index_kl_taylor(model: Model, ix: LinearIndex, order: int = 3, limit: float | None = None) -> Derivation:
    """``KL(P_theta || P_theta+delta)`` through the index: a displacement ``delta`` of the
    parameters moves the index by ``a . delta``, so every term is the index model's term at
    ``delta_eta = a . delta`` (one expectation per order instead of ``k^order`` of them)."""
    from .taylor import delta_symbols, kl_taylor

    red = index_model(model, ix)
    td = kl_taylor(red, order, limit=limit)
    a, delta = _gradient(model, ix), delta_symbols(model)
    shift = sp.Add(*[ai * di for ai, di in zip(a, delta)])
    back = {ix.symbol: ix.eta, delta_symbols(red)[0]: shift}
    d = Derivation("kl_taylor", f"Taylor expansion of the KL divergence of the {model.name} model")
    d = d.add(_index_step(model, ix)).extend(td)
    if td.result is None:
        return d
    terms = {k: t.xreplace(back) for k, t in td.extras["terms"].items()}
    series = sp.Add(*terms.values())
    d = d.add(Step(f"A displacement delta of the parameters moves the index by {shift}: substitute it.",
                   f"KL depends on the parameters only through {ix.symbol}", N.KL(*model.params, *[
                       th + dl for th, dl in zip(model.params, delta)]), (series,)))
    d.extras.update(terms=terms, quadratic=terms.get(2), cubic=terms.get(3), delta=delta, order=order,
                    quadratic_is_fisher=td.extras.get("quadratic_is_fisher"))
    return d.with_result(series)


def gaussian_kl_taylor(model: Model, g: GaussianMean, order: int = 3) -> Derivation:
    """``KL(P_mu || P_mu+delta)`` for the Gaussian mean: the log-density is quadratic in mu, so
    the expansion in delta stops at the second order, ``delta^T Sigma^{-1} delta / 2``."""
    from .taylor import delta_symbols

    delta = delta_symbols(model)
    D = sp.MatrixSymbol("delta", g.x.shape[0], 1)
    q0 = _quadratic_form(g)
    gap = sp.expand(_symmetric(q0 - q0.xreplace({g.mean: g.mean + D}), g))
    mean_gap = gaussian_expectation(gap, g)
    lhs = N.KL(*model.params, *[th + dl for th, dl in zip(model.params, delta)])
    d = Derivation("kl_taylor", f"Taylor expansion of the KL divergence of the {model.name} model")
    d = d.add(Step("The log-density is quadratic in mu, so its expansion in delta is exact: "
                   "log f(x; mu) - log f(x; mu + delta) is", "(x - mu - delta)^T A (x - mu - delta) expanded",
                   None, (gap,)))
    d = d.add(Step("Take the expectation under mu: the term linear in x - mu vanishes.", "E[x - mu] = 0",
                   lhs, (mean_gap,)))
    quad = _explicit(mean_gap, g, {D: sp.Matrix(delta)})[0, 0]
    zero = sp.S.Zero
    terms = {1: zero, 2: quad, **{k: zero for k in range(3, order + 1)}}
    dv = sp.Matrix(delta)
    ok = cancels(quad - (dv.T * sp.Matrix(g.precision) * dv)[0, 0] / 2)  # delta^T I delta / 2
    d = d.add(Step("So the first-order term is 0, the quadratic term is half the Fisher information Sigma^{-1} as "
                   "a quadratic form in delta, and every term beyond the second order is 0.",
                   "I(mu) = Sigma^{-1}", sp.Symbol("T_2"), (quad,)))
    d.extras.update(terms=terms, quadratic=quad, cubic=terms.get(3), delta=delta, order=order,
                    quadratic_is_fisher=bool(ok))
    return d.with_result(quad)
