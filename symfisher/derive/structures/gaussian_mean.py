"""The Gaussian mean in matrix form, found in a model.

For ``x ~ N_d(mu, Sigma)`` with ``Sigma`` known, ``log f = -(x - mu)^T Sigma^{-1} (x - mu)/2 + const``.
Matrix calculus gives ``s = Sigma^{-1}(x - mu)`` and ``H = -Sigma^{-1}``; with ``r = x - mu``
centred, ``E[r] = 0`` and ``E[r r^T] = Sigma``, so ``E[s s^T] = Sigma^{-1} Sigma Sigma^{-1} =
Sigma^{-1} = -E[H]``. Score, Hessian, both Fisher routes, ``E[score] = 0``, the Cramér–Rao
bound and the KL Taylor expansion are derived with matrix symbols, so the cost does not grow
with d until the final explicit d x d matrix is written out (``Sigma^{-1}`` in closed form for
d <= 3, its opaque entries beyond). The matrix score and Hessian are computed once per model.

Reference: Mardia, Kent & Bibby, *Multivariate Analysis* (1979), §4.2 and appendix A.9.
"""
from __future__ import annotations

import sympy as sp

from ...derivation import Derivation, Step
from ...limits import StepFailed
from ...model import GaussianMean, Model
from ...simplify import cancels
from .. import notation as N
from ..taylor import delta_symbols
from . import Structure, register_structure

__all__ = ["gaussian_mean", "gaussian_expectation", "GaussianMeanStructure"]


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


class _Found:
    """The matrix form and its matrix calculus, done once per model: the score
    ``Sigma^{-1}(x - mu)`` (by differentiating the quadratic form, Sigma symmetric), the
    Hessian ``-Sigma^{-1}`` and its explicit entries."""

    def __init__(self, g: GaussianMean):
        self.g = g
        self.score = _symmetric(sp.diff(_quadratic_form(g), g.mean), g).doit()
        self.hessian = _symmetric(sp.diff(self.score, g.mean), g).doit()
        self._explicit = {}

    def explicit(self, M):
        if M not in self._explicit:
            self._explicit[M] = _explicit(M, self.g)
        return self._explicit[M]


@register_structure
class GaussianMeanStructure(Structure):
    """``x ~ N_d(mu, Sigma)``, Sigma known, declared in matrix form and confirmed against the log-density."""

    name = "gaussian_mean"
    priority = 10

    def find(self, model):
        g = gaussian_mean(model)
        return _Found(g) if g is not None else None

    def score(self, model, f: _Found, **_):
        g, s = f.g, f.score
        d = Derivation("score", f"Score of the {model.name} model")
        d = d.add(Step(r"Write the log-density in matrix form, up to the additive constant "
                       r"$-\frac{1}{2} \log \det(2 \pi \Sigma)$, which does not involve the mean:",
                       r"$\log f = -(x - \mu)^{\mathsf{T}} \Sigma^{-1} (x - \mu)/2 - \log \det(2 \pi \Sigma)/2$",
                       N.logf(model),
                       (_quadratic_form(g),)))
        S = f.explicit(s)
        d = d.add(Step(f"Differentiate with respect to the vector {g.mean} (Sigma is symmetric).",
                       r"the derivative of $(x - \mu)^{\mathsf{T}} A (x - \mu)$ in $\mu$ is "
                       r"$-(A + A^{\mathsf{T}})(x - \mu)$", N.SCORE(*model.params), (s, S)))
        d.extras.update(raw=S, matrix=s)
        return d.with_result(S)

    def hessian(self, model, f: _Found, **_):
        H = f.hessian
        Hx = f.explicit(H)
        d = Derivation("hessian", f"Hessian of the {model.name} log-density")
        d = d.add(Step(f"Differentiate the score {f.score} once more with respect to {f.g.mean}.",
                       "the score is linear in mu", sp.Symbol("H"), (H, Hx)))
        d.extras.update(raw=Hx, matrix=H)
        return d.with_result(Hx)

    def fisher(self, model, f: _Found, **_):
        g, s, H = f.g, f.score, f.hessian
        r, P = _centred(g), sp.Inverse(g.cov)
        I_lhs = N.fisher_of(model)
        d = Derivation("fisher", f"Fisher information of the {model.name} model")
        d = d.add(Step(r"Route 1: the Fisher information is the expected outer product of the score, "
                       r"$s = \Sigma^{-1} r$ with $r = x - \mu$.",
                       r"definition: $\mathcal{I} = E[s s^{\mathsf{T}}]$", I_lhs,
                       (N.E(sp.MatMul(P, r, r.T, P, evaluate=False)),)))
        A = gaussian_expectation(s * s.T, g)
        d = d.add(Step(r"Take the expectation: $E[(X - \mu)(X - \mu)^{\mathsf{T}}] = \Sigma$.",
                       r"the covariance of $X$ is $\Sigma$",
                       I_lhs, (sp.MatMul(P, g.cov, P, evaluate=False), A)))
        B = -gaussian_expectation(H, g)
        d = d.add(Step("Route 2: minus the expected Hessian; the Hessian does not involve the data.",
                       r"$-H = \Sigma^{-1}$, and a constant matrix is its own expectation", I_lhs,
                       (N.E(-sp.Symbol("H")), N.E(-H), B)))
        agree = A == B or (A - B).doit() == sp.ZeroMatrix(*A.shape)
        if agree:
            d = d.add(Step("The two routes agree.", "the two matrix expressions are identical", None,
                           (sp.Eq(A, B, evaluate=False),)))
        else:
            d = d.fail("fisher routes", f"E[s s^T] = {A} and -E[H] = {B} differ")
        Bx = f.explicit(B)
        Ax = Bx if A == B else f.explicit(A)
        d = d.add(Step("Entry by entry:", f"{B} written out", I_lhs, (Bx if model.dim > 1 else Bx[0, 0],)))
        d.extras.update(outer=Ax, curvature=Bx, routes_agree=agree, matrix=B)
        return d.with_result(Bx)

    def expected_score(self, model, f: _Found, **_):
        s = f.score
        m = gaussian_expectation(s, f.g)
        zero = m == sp.ZeroMatrix(*s.shape) or _explicit(m, f.g).is_zero_matrix
        d = Derivation("expected_score", "The score has mean zero")
        d = d.add(Step(r"The expected score vanishes: the score is linear in $X$, and $E[X] = \mu$." if zero else
                       "The expected score is not zero.", "E[X] = mu", N.E(sp.Symbol("s")), (sp.zeros(model.dim, 1),)))
        if not zero:
            d = d.fail("E[score]", f"E[score] = {m}, not 0")
        return d.with_result(bool(zero))

    def cramer_rao(self, model, f: _Found, **_):
        g = f.g
        inv = sp.Inverse(sp.Inverse(g.cov)).doit()
        d = Derivation("cramer_rao", f"Cramér–Rao bound for the {model.name} model")
        C = f.explicit(inv)
        d = d.add(Step(r"For any unbiased estimator $\hat{\mu}$ of the mean, $\operatorname{Cov}(\hat{\mu})$ is at least the inverse "
                       r"Fisher information.",
                       r"Cramér–Rao inequality; $(\Sigma^{-1})^{-1} = \Sigma$", sp.Function("CRB")(*model.params),
                       (sp.Pow(N.fisher_of(model), -1), inv, C if C.shape[0] > 1 else C[0, 0])))
        return d.with_result(C)

    def kl_taylor(self, model, f: _Found, order: int = 3, **_):
        """``KL(P_mu || P_mu+delta)``: the log-density is quadratic in mu, so the expansion in
        delta stops at the second order, ``delta^T Sigma^{-1} delta / 2``."""
        g = f.g
        delta = delta_symbols(model)
        D = sp.MatrixSymbol("delta", g.x.shape[0], 1)
        q0 = _quadratic_form(g)
        gap = sp.expand(_symmetric(q0 - q0.xreplace({g.mean: g.mean + D}), g))
        mean_gap = gaussian_expectation(gap, g)
        lhs = N.KL(*model.params, *[th + dl for th, dl in zip(model.params, delta)])
        d = Derivation("kl_taylor", f"Taylor expansion of the KL divergence of the {model.name} model")
        d = d.add(Step(r"The log-density is quadratic in $\mu$, so its expansion in $\delta$ is exact: "
                       r"$\log f(x; \mu) - \log f(x; \mu + \delta)$ is",
                       r"$(x - \mu - \delta)^{\mathsf{T}} A (x - \mu - \delta)$ expanded",
                       None, (gap,)))
        d = d.add(Step(r"Take the expectation under $\mu$: the term linear in $X - \mu$ vanishes.", r"$E[X - \mu] = 0$",
                       lhs, (mean_gap,)))
        quad = _explicit(mean_gap, g, {D: sp.Matrix(delta)})[0, 0]
        zero = sp.S.Zero
        terms = {1: zero, 2: quad, **{k: zero for k in range(3, order + 1)}}
        dv = sp.Matrix(delta)
        ok = cancels(quad - (dv.T * sp.Matrix(g.precision) * dv)[0, 0] / 2)  # delta^T I delta / 2
        d = d.add(Step(r"So the first-order term is 0, the quadratic term is half the Fisher information $\Sigma^{-1}$ "
                       r"as a quadratic form in $\delta$, and every term beyond the second order is 0.",
                       r"$\mathcal{I}(\mu) = \Sigma^{-1}$", sp.Symbol("K_2"), (quad,)))
        d.extras.update(terms=terms, quadratic=quad, cubic=terms.get(3), delta=delta, order=order,
                        quadratic_is_fisher=bool(ok))
        return d.with_result(quad)
