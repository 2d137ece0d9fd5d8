"""The Gaussian with an unknown covariance (or precision), in matrix form.

For ``x ~ N_d(mu, Sigma(theta))`` with mu known and ``r = x - mu``::

    log f = -log det(Sigma)/2 - r^T Sigma^{-1} r / 2 + const

matrix calculus (d log det S = tr(S^{-1} dS), d S^{-1} = -S^{-1} dS S^{-1}) gives, with
``D_i = dSigma/dtheta_i`` and ``A_i = Sigma^{-1} D_i Sigma^{-1}``,

* score ``s_i = (r^T A_i r - tr(A_i Sigma))/2``;
* route 1, ``E[s_i s_j] = Cov(r^T A_i r, r^T A_j r)/4 = tr(A_i Sigma A_j Sigma)/2`` by Isserlis'
  theorem for the Gaussian fourth moments (``Cov(r^T A r, r^T B r) = 2 tr(A Sigma B Sigma)``);
* route 2, ``-E[H_ij] = tr(Sigma^{-1} D_i Sigma^{-1} D_j)/2``, the terms with second derivatives
  of Sigma cancelling in expectation (``E[r r^T] = Sigma``).

In the precision ``Lambda(theta)`` the same reading gives ``tr(Lambda^{-1} D_i Lambda^{-1} D_j)/2``
with ``D_i = dLambda/dtheta_i`` (``A_i = -D_i``). Both routes are reduced in matrix algebra
(cyclic traces, ``S^{-1} S = I``) and compared there; the entries are written out once,
``tr(P D_i P D_j)`` summed over the nonzero entries of the D's only (two per entry of a symmetric
matrix), so the cost is about ``m^2`` small sums for ``m = d(d+1)/2`` parameters: polynomial in d.
Beyond d = 3 the entries of the inverse stay opaque ``(M^{-1})_ij``: differentiating them entry by
entry would be wrong (SymPy does not know they depend on the parameters), so there the score and
the Hessian are written here by the same matrix calculus, through ``w = M^{-1} r`` kept unexpanded
(``r^T P D_i P r = sum (D_i)_ce w_c w_e``: O(d) per entry), ``E[s] = 0`` is the trace identity
``tr(Sigma^{-1} D_i Sigma^{-1} Sigma) = tr(Sigma^{-1} D_i)``, and the KL divergence is
``(tr(M_2^{-1} M_1) - d + log det M_2 - log det M_1)/2`` (in Sigma; with M = Lambda the roles of the
two log-determinants and of the trace are those of Lambda^{-1}).

When M is linear in the parameters, ``M(theta + delta) = M + Delta`` exactly and the KL Taylor expansion is
the series of the closed form in the traces of ``A = M^{-1} Delta``: the order-k term is ``c_k tr(A^k)``,
``c_k = (-1)^k (k - 1)/(2k)`` in Sigma and ``(-1)^k/(2k)`` in Lambda (so ``tr(A^2)/4 = delta^T I delta/2``).

Where the parameters are the distinct entries of the matrix themselves (``vech``), the Cramér–Rao
bound is ``C_(ij),(kl) = m_ik m_jl + m_il m_jk`` (the inverse 2 D^+ (M kron M) D^+T of
``D^T (M^{-1} kron M^{-1}) D / 2``, Magnus & Neudecker Thm 3.13), polynomial in M at every d, and the Jeffreys
prior follows from ``det(D^T (A kron A) D) = 2^{d(d-1)/2} det(A)^{d+1}`` (D the duplication
matrix; Magnus & Neudecker 1999, Theorem 3.14): ``det I = 2^{-d} det(M)^{-(d+1)}``, so
``pi ∝ det(M)^{-(d+1)/2}`` (Box & Tiao 1973, §8.2), improper: it is homogeneous of degree
``-d(d+1)/2`` on a cone of dimension ``d(d+1)/2``.

Reference: Magnus & Neudecker, *Matrix Differential Calculus* (1999), §15.3–15.4; Mardia, Kent &
Bibby, *Multivariate Analysis* (1979), §4.2 and appendix A.9; Isserlis, *Biometrika* 12 (1918).
"""
from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from ...derivation import Derivation, Step
from ...matrix_forms import GaussianCovariance
from ...simplify import cancels
from .. import notation as N
from . import Structure, register_structure

__all__ = ["GaussianCovarianceStructure", "covariance_fisher", "trace_form"]


def _canonical(factors: list) -> tuple:
    """A cyclic product of matrix factors with ``X^{-1} X`` and ``X X^{-1}`` removed, rotated to
    its smallest string form: equal tuples are equal traces."""
    out = list(factors)
    changed = True
    while changed and len(out) > 1:
        changed = False
        n = len(out)
        for k in range(n):
            a, b = out[k], out[(k + 1) % n]
            if (isinstance(a, sp.Inverse) and a.arg == b) or (isinstance(b, sp.Inverse) and b.arg == a):
                out = [f for idx, f in enumerate(out) if idx not in (k, (k + 1) % n)]
                changed = True
                break
    if not out:
        return ()
    rots = [tuple(out[k:] + out[:k]) for k in range(len(out))]
    return min(rots, key=lambda t: tuple(str(f) for f in t))


def trace_form(factors: list) -> tuple:
    """The canonical form of ``tr(prod factors)`` (see :func:`_canonical`)."""
    return _canonical(factors)


def _derivative_entries(M, theta) -> dict:
    """The nonzero entries ``{(a, b): dM_ab/dtheta}`` of one parameter's derivative."""
    out = {}
    for a in range(M.rows):
        for b in range(M.cols):
            if theta not in M[a, b].free_symbols:
                continue
            v = sp.diff(M[a, b], theta)
            if v != 0:
                out[(a, b)] = v
    return out


def _trace_pdpd(P, Di: dict, Dj: dict) -> sp.Expr:
    """``tr(P D_i P D_j) = sum P_ab (D_i)_bc P_ce (D_j)_ea`` over the nonzero entries only."""
    return sp.Add(*[P[a, b] * vi * P[c, e] * vj for (b, c), vi in Di.items() for (e, a), vj in Dj.items()])


def covariance_fisher(model, form: GaussianCovariance) -> Derivation:
    d = len(form.x_entries)
    S = form.symbol
    Si = sp.Inverse(S)
    Di, Dj = sp.MatrixSymbol("D_i", d, d), sp.MatrixSymbol("D_j", d, d)
    cov = form.kind == "covariance"
    what = "Sigma" if cov else "Lambda"
    I_lhs = N.fisher_of(model)
    dd = Derivation("fisher", f"Fisher information of the {model.name} model")
    r = sp.MatrixSymbol("r", d, 1)
    quad = sp.Trace(r.T * (Si if cov else S) * r)  # a 1 x 1 trace; indexing would write the inverse out
    logf = (-(sp.log(sp.Determinant(S)) + quad) / 2) if cov else ((sp.log(sp.Determinant(S)) - quad) / 2)
    dd = dd.add(Step(f"Write the log-density in matrix form with r = x - mu (mu known); {what} depends on the "
                     f"parameters, D_i = d{what}/dtheta_i.",
                     "log f = -log det(Sigma)/2 - r^T Sigma^{-1} r/2 + const" if cov else
                     "log f = log det(Lambda)/2 - r^T Lambda r/2 + const", N.logf(model), (logf,)))
    # A_i: the matrix of the quadratic part of the score, s_i = (r^T A_i r - tr(A_i Sigma))/2
    Sigma = S if cov else Si
    A_i = [Si, Di, Si] if cov else [Di]  # up to the sign, which squares away in route 1
    A_j = [Si, Dj, Si] if cov else [Dj]
    score_form = ((sp.Trace(r.T * Si * Di * Si * r) - sp.Trace(Si * Di)) / 2 if cov
                  else (sp.Trace(Si * Di) - sp.Trace(r.T * Di * r)) / 2)
    dd = dd.add(Step("Differentiate: d log det M = tr(M^{-1} dM) and d M^{-1} = -M^{-1} dM M^{-1}.",
                     "matrix calculus (Magnus & Neudecker §8.3–8.4)", sp.Symbol("s_i"), (score_form,)))
    # route 1: Isserlis, Cov(r^T A r, r^T B r) = 2 tr(A Sigma B Sigma)
    sig = [Sigma] if cov else [Si]
    route1 = trace_form(A_i + sig + A_j + sig)
    r1_shown = sp.Trace(sp.MatMul(*(A_i + sig + A_j + sig))) / 2
    dd = dd.add(Step("Route 1: E[s_i s_j] is a covariance of two Gaussian quadratic forms; by Isserlis' theorem "
                     "Cov(r^T A r, r^T B r) = 2 tr(A Sigma B Sigma).",
                     "Gaussian fourth moments (Isserlis 1918)", sp.Symbol("E[s_i s_j]"), (r1_shown,)))
    # route 2: -E[H_ij]; second derivatives of the matrix cancel in expectation
    route2 = trace_form([Si, Di, Si, Dj])
    r2_shown = sp.Trace(sp.MatMul(Si, Di, Si, Dj)) / 2
    dd = dd.add(Step("Route 2: differentiate the score again and take the expectation with E[r r^T] = Sigma; "
                     "the terms in the second derivatives of the matrix cancel.",
                     "E[r^T A r] = tr(A Sigma)", sp.Symbol("-E[H_ij]"), (r2_shown,)))
    agree = route1 == route2
    if agree:
        dd = dd.add(Step("The two routes agree: with the cyclic property of the trace and M^{-1} M = I, both are",
                         "the same trace after cancelling inverse pairs", sp.Symbol("I_ij"),
                         (sp.Trace(sp.MatMul(*route2)) / 2,)))
    else:
        dd = dd.fail("fisher routes", f"route 1 reduces to tr({route1})/2 and route 2 to tr({route2})/2")
    Ds = [_derivative_entries(form.matrix, th) for th in model.params]
    k = len(model.params)
    if d <= 3:
        # M^{-1} = adj(M)/det(M): the entries are polynomials over det(M)^2, no rational simplification
        # polynomial arithmetic in the entries (SymPy's expand of these products is much slower)
        gens = sorted(form.matrix.free_symbols, key=lambda s: s.name)
        adj = form.matrix.adjugate()
        C = [[sp.Poly(adj[a, b], *gens) for b in range(d)] for a in range(d)]
        Dp = [{key: sp.Poly(v, *gens) for key, v in D.items()} for D in Ds]
        det = sp.factor(form.matrix.det())

        def entry(i, j):
            num = sum((C[a][b] * vi * C[c][e] * vj for (b, c), vi in Dp[i].items() for (e, a), vj in Dp[j].items()),
                      sp.Poly(0, *gens))
            return sp.factor(num.as_expr()) / (2 * det**2)
    else:
        def entry(i, j):
            return sp.expand(_trace_pdpd(form.inverse, Ds[i], Ds[j]) / 2)
    I = sp.zeros(k, k)
    for i in range(k):
        for j in range(i, k):
            I[i, j] = I[j, i] = entry(i, j)
    dd = dd.add(Step(f"Entry by entry, over the nonzero entries of each D_i ({what}^{{-1}} "
                     f"{'written out' if d <= 3 else 'kept as its opaque entries'}):",
                     "tr(P D_i P D_j) = sum P_ab (D_i)_bc P_ce (D_j)_ea", I_lhs, (I if k > 1 else I[0, 0],)))
    dd.extras.update(outer=I, curvature=I, routes_agree=agree, traces=(route1, route2))
    return dd.with_result(I)


@register_structure
class GaussianCovarianceStructure(Structure):
    """Found when the model declares a :class:`GaussianCovariance` that reproduces its log-density."""

    name = "gaussian_covariance"
    priority = 30

    def find(self, model):
        form = model.meta_value("gaussian_covariance") if hasattr(model, "meta_value") else None
        if not isinstance(form, GaussianCovariance):
            form = _read_form(model)  # a typed density: its quadratic form read off the log-density
            if form is None:
                return None
            return form if _same_density(model, form) else None
        if tuple(model.data) != tuple(form.x_entries):
            return None
        if any(s in model.params for s in form.mean_entries):
            return None  # the mean is unknown too: not this structure
        if not set(model.params) <= form.matrix.free_symbols:
            return None
        if model.log_density != form.log_density():
            return None
        return form

    def fisher(self, model, form, limit=None, **_):
        return covariance_fisher(model, form)

    # -- beyond d = 3 (the inverse's entries opaque): the matrix calculus written out here --------
    def score(self, model, form, **_):
        if not _opaque(form):
            return None  # explicit entries: SymPy differentiates them correctly
        P, w, Ds, _ = _calculus(model, form)
        cov = form.kind == "covariance"
        s = []
        for D in Ds:
            quad = sp.Add(*[v * w[c] * w[e] for (c, e), v in D.items()]) if cov else \
                sp.Add(*[v * _r(form)[c] * _r(form)[e] for (c, e), v in D.items()])
            tr = sp.Add(*[P[e, c] * v for (c, e), v in D.items()])
            s.append((quad - tr) / 2 if cov else (tr - quad) / 2)
        S = sp.Matrix(s)
        d = Derivation("score", f"Score of the {model.name} model")
        d = d.add(Step("Differentiate the matrix form with d log det M = tr(M^{-1} dM) and d M^{-1} = -M^{-1} dM M^{-1}; "
                       "with w = M^{-1} r (M^{-1} kept as its opaque entries beyond d = 3):",
                       "matrix calculus (Magnus & Neudecker §8.3–8.4)", N.SCORE(*model.params), (S,)))
        d.extras.update(raw=S)
        return d.with_result(S)

    def hessian(self, model, form, **_):
        if not _opaque(form):
            return None
        P, w, Ds, D2 = _calculus(model, form)
        r = _r(form)
        cov = form.kind == "covariance"
        k = len(model.params)
        H = sp.zeros(k, k)

        def pdp(Da, Db):  # r^T P Da P Db P r = sum (Da)_ce (Db)_fg w_c P_ef w_g
            return sp.Add(*[va * vb * w[c] * P[e, f] * w[g] for (c, e), va in Da.items() for (f, g), vb in Db.items()])

        def tr2(Da, Db):  # tr(P Da P Db)
            return sp.Add(*[P[g, c] * va * P[e, f] * vb for (c, e), va in Da.items() for (f, g), vb in Db.items()])

        for i in range(k):
            for j in range(i, k):
                Dij = D2.get((i, j), {})
                if cov:
                    h = (-(pdp(Ds[j], Ds[i]) + pdp(Ds[i], Ds[j])) / 2 + sp.Add(*[v * w[c] * w[e] for (c, e), v in Dij.items()]) / 2
                         + tr2(Ds[j], Ds[i]) / 2 - sp.Add(*[P[e, c] * v for (c, e), v in Dij.items()]) / 2)
                else:
                    h = (-tr2(Ds[j], Ds[i]) + sp.Add(*[P[e, c] * v for (c, e), v in Dij.items()])) / 2 \
                        - sp.Add(*[v * r[c] * r[e] for (c, e), v in Dij.items()]) / 2
                H[i, j] = H[j, i] = h
        d = Derivation("hessian", f"Hessian of the {model.name} log-density")
        d = d.add(Step("Differentiate the score once more, d M^{-1} = -M^{-1} dM M^{-1}, with w = M^{-1} r:",
                       "matrix calculus (Magnus & Neudecker §8.4)", sp.Symbol("H"), (H,)))
        d.extras.update(raw=H)
        return d.with_result(H)

    def expected_score(self, model, form, **_):
        if not _opaque(form):
            return None  # the expectation engine checks E[s] = 0 with the Gaussian moment table
        cov = form.kind == "covariance"
        S = form.symbol
        Si = sp.Inverse(S)
        Di = sp.MatrixSymbol("D_i", S.rows, S.rows)
        # E[r^T A r] = tr(A Sigma): covariance A = Sigma^{-1} D_i Sigma^{-1}, precision A = D_i with Sigma = Lambda^{-1}
        quad = trace_form([Si, Di, Si, S]) if cov else trace_form([Di, Si])
        lin = trace_form([Si, Di])
        ok = quad == lin
        d = Derivation("expected_score", "The score has mean zero")
        d = d.add(Step("The expected score vanishes for every parameter: E[r^T A r] = tr(A Sigma), and after cancelling "
                       "M^{-1} M = I the quadratic part's mean is the trace term." if ok else "The expected score is not zero.",
                       "E[r r^T] = Sigma; the cyclic property of the trace", N.E(sp.Symbol("s_i")),
                       (sp.Trace(sp.MatMul(*lin)) / 2 - sp.Trace(sp.MatMul(*quad)) / 2, sp.S.Zero)))
        if not ok:
            d = d.fail("E[score]", f"tr({quad}) and tr({lin}) differ")
        return d.with_result(ok)

    def kl(self, model, form, first: dict, second: dict, **_):
        if not _opaque(form):
            return None  # the generic route takes it with the Gaussian moment table
        d_ = len(form.x_entries)
        cov = form.kind == "covariance"
        M1, M2 = (sp.MatrixSymbol(f"{form.symbol.name}_{k}", d_, d_) for k in (1, 2))
        E1 = sp.ImmutableMatrix(form.matrix.xreplace(first))
        E2 = sp.ImmutableMatrix(form.matrix.xreplace(second))
        from ...matrix_forms import register_explicit

        register_explicit(M1, E1)
        register_explicit(M2, E2)
        inv = lambda M: sp.Inverse(M)  # noqa: E731
        # covariance: tr(S_2^{-1} S_1); precision: tr(L_2 L_1^{-1})
        if cov:
            tr = sp.Add(*[MatrixElement(inv(M2), min(a, b), max(a, b)) * E1[b, a] for a in range(d_) for b in range(d_)])
            logs = sp.log(sp.Determinant(M2)) - sp.log(sp.Determinant(M1))
        else:
            tr = sp.Add(*[E2[a, b] * MatrixElement(inv(M1), min(a, b), max(a, b)) for a in range(d_) for b in range(d_)])
            logs = sp.log(sp.Determinant(M1)) - sp.log(sp.Determinant(M2))
        value = (tr - d_ + logs) / 2
        lhs = N.KL(*first.values(), *second.values())
        d = Derivation("kl", f"Kullback–Leibler divergence of two {model.name} distributions")
        d = d.add(Step("The log-ratio is a quadratic form in r = x - mu (the mean is shared) plus log-determinants; "
                       "E_1[r^T A r] = tr(A Sigma_1).", "E[r r^T] = Sigma (Kullback 1959, ch. 9)", lhs,
                       ((sp.Trace(sp.MatMul(inv(M2), M1)) if cov else sp.Trace(sp.MatMul(M2, inv(M1)))) / 2 - sp.Rational(d_, 2)
                        + logs / 2, value)))
        d.extras.update(structure="gaussian_covariance")
        return d.with_result(value)

    def cramer_rao(self, model, form, fisher=None, **_):
        """``I^{-1}`` in the distinct entries of M: ``C_(ij),(kl) = m_ik m_jl + m_il m_jk``, polynomial in M."""
        pairs = _vech_pairs(model, form)
        if pairs is None:
            return None  # another parameterization of the matrix: the generic inverse
        M = form.matrix
        k = len(pairs)
        C = sp.Matrix(k, k, lambda a, b: M[pairs[a][0], pairs[b][0]] * M[pairs[a][1], pairs[b][1]]
                      + M[pairs[a][0], pairs[b][1]] * M[pairs[a][1], pairs[b][0]])
        what = "Sigma" if form.kind == "covariance" else "Lambda"
        d_ = len(form.x_entries)
        d = Derivation("cramer_rao", f"Cramér–Rao bound for the {model.name} model")
        how = (f"(D^T (A kron A) D)^(-1) = D^+ (A^(-1) kron A^(-1)) D^+T for the duplication matrix D "
               f"(Magnus & Neudecker Thm 3.13), A = {what}^(-1)")
        if fisher is not None and d_ <= 2:
            if not all(cancels(e) for e in (fisher * C - sp.eye(k))):
                return d.fail("cramer_rao", f"I C - 1 does not cancel for C_(ij),(kl) = m_ik m_jl + m_il m_jk")
            how += "; here I C = 1 checked entry by entry"
        d = d.add(Step(f"For any unbiased estimator theta_hat of the distinct entries of {what}, Cov(theta_hat) is at least the inverse "
                       f"Fisher information; in the entries, I = D^T ({what}^{{-1}} kron {what}^{{-1}}) D / 2 has the "
                       f"inverse 2 D^+ ({what} kron {what}) D^+T, whose entry for (m_ij, m_kl) is m_ik m_jl + m_il m_jk "
                       "(the covariance of a Wishart matrix).", how, sp.Function("CRB")(*model.params),
                       (sp.Pow(N.fisher_of(model), -1), C if k > 1 else C[0, 0])))
        d.extras.update(structure="gaussian_covariance")
        return d.with_result(C)

    def kl_taylor(self, model, form, order: int = 3, fisher=None, **_):
        """``KL(P_theta || P_theta+delta)`` to ``order`` from the closed form, when the declared matrix is
        linear in the parameters (``Delta = M(theta + delta) - M(theta) = sum delta_i D_i`` exactly): with
        ``A = M^{-1} Delta``, ``tr((I + A)^{-1})`` and ``log det(I + A)`` are power series in the traces
        ``tr(A^k)``, and the term of order k is ``c_k tr(A^k)``, ``c_k = (-1)^k (k - 1)/(2k)`` in Sigma and
        ``(-1)^k/(2k)`` in Lambda (``c_1 = 0``: the score has mean zero)."""
        from ..taylor import delta_symbols

        M = form.matrix
        if any(sp.diff(M, a, b) != sp.zeros(*M.shape) for a in model.params for b in model.params):
            if not _opaque(form):
                return None  # a nonlinear parameterization with explicit entries: the generic route
            d = Derivation("kl_taylor", f"Taylor expansion of the KL divergence of the {model.name} model")
            return d.fail("kl_taylor", f"beyond d = 3 the entries of {form.symbol}^{{-1}} are opaque and {form.symbol} is "
                                       "not linear in the parameters: the expected higher derivatives are not written "
                                       "in matrix form here, not derived")
        d_ = len(form.x_entries)
        cov = form.kind == "covariance"
        what = "Sigma" if cov else "Lambda"
        delta = delta_symbols(model)
        Delta = sp.Matrix(d_, d_, lambda a, b: sp.Add(*[dl * sp.diff(M[a, b], th) for th, dl in zip(model.params, delta)]))
        explicit = not _opaque(form)
        if explicit:  # M^{-1} = adj(M)/det(M): the traces are polynomials over det(M)^k, in Poly arithmetic
            det = sp.factor(M.det())
            gens = tuple(delta) + tuple(sorted(M.free_symbols, key=lambda v: v.name))
            adj, Dp = M.adjugate(), Delta
            Q = [[sum((sp.Poly(adj[a, c], *gens) * sp.Poly(Dp[c, b], *gens) for c in range(d_)), sp.Poly(0, *gens))
                  for b in range(d_)] for a in range(d_)]
        else:
            det = sp.S.One
            Q = form.inverse * Delta
        lhs = N.KL(*model.params, *[th + dl for th, dl in zip(model.params, delta)])
        dd = Derivation("kl_taylor", f"Taylor expansion of the KL divergence of the {model.name} model")
        A = sp.MatrixSymbol("A", d_, d_)
        kk = sp.Symbol("k", integer=True, positive=True)
        ck = ((-1) ** kk * (kk - 1) / (2 * kk)) if cov else ((-1) ** kk / (2 * kk))
        dd = dd.add(Step(f"{what} is linear in the parameters, so {what}(theta + delta) = {what} + Delta with "
                         f"Delta = sum_i delta_i d{what}/dtheta_i exactly; with A = {what}^{{-1}} Delta the closed form is "
                         + ("(tr((I + A)^{-1}) - d + log det(I + A))/2" if cov else "(tr(A) - log det(I + A))/2")
                         + ", and tr((I + A)^{-1}) = sum_k (-A)^k traced, log det(I + A) = sum_k (-1)^(k+1) tr(A^k)/k.",
                         "the closed-form KL divergence (Kullback 1959, ch. 9); Neumann and log series of I + A", lhs,
                         (sp.Sum(ck * sp.Trace(A ** kk), (kk, 2, order)),)))
        terms = {1: sp.S.Zero}
        Qk = Q
        nd = len(delta)
        for k in range(2, order + 1):
            c = sp.Rational((-1) ** k * (k - 1), 2 * k) if cov else sp.Rational((-1) ** k, 2 * k)
            if explicit:  # grouped by monomial in delta, each coefficient a polynomial over det^k
                Qk = [[sum((Qk[a][e] * Q[e][b] for e in range(d_)), sp.Poly(0, *gens)) for b in range(d_)]
                      for a in range(d_)]
                tr = sum((Qk[a][a] for a in range(d_)), sp.Poly(0, *gens))
                groups: dict = {}
                for mon, co in tr.terms():
                    groups.setdefault(mon[:nd], []).append(co * sp.Mul(*[g**e for g, e in zip(gens[nd:], mon[nd:])]))
                shape = sp.factor if len(groups) <= 10 else (lambda e: e)  # a few coefficients: factored for reading
                terms[k] = sp.Add(*[c * shape(sp.Add(*cs)) / det**k * sp.Mul(*[dl**e for dl, e in zip(delta, mon)])
                                    for mon, cs in groups.items()])
            else:  # the opaque entries: the trace kept as nested sums (O(d^3) operations), not expanded
                Qk = Qk * Q
                terms[k] = c * sp.Add(*[Qk[a, a] for a in range(d_)])
            dd = dd.add(Step(f"The order-{k} term, {c} tr(A^{k}), written over the nonzero entries of Delta:",
                             f"tr(A^{k}) with A = {what}^{{-1}} Delta", sp.Symbol(f"K_{k}"), (terms[k],)))
        I = fisher if fisher is not None else covariance_fisher(model, form).result
        dv = sp.Matrix(delta)
        target = (dv.T * I * dv)[0, 0] / 2
        if explicit:
            ok = cancels(terms[2] - target)
            how = "the difference cancels"
        else:  # tr(A^2)/4 = sum delta_i delta_j tr(P D_i P D_j)/4 by bilinearity: the entries of I
            ok, how = True, "bilinearity of the trace: tr(A^2)/4 = sum_ij delta_i delta_j tr(P D_i P D_j)/4"
        if ok:
            dd = dd.add(Step("The first-order term is 0 and the quadratic term is half the Fisher information as a "
                             "quadratic form in delta.", how, sp.Symbol("K_2"),
                             (sp.MatMul(sp.S.Half, dv.T, N.fisher_of(model), dv, evaluate=False),)))
        else:
            dd = dd.fail("kl_taylor quadratic term", "the quadratic term differs from delta^T I delta / 2")
        series = sp.Add(*terms.values())
        dd.extras.update(terms=terms, quadratic=terms[2], cubic=terms.get(3), delta=delta, order=order,
                         quadratic_is_fisher=bool(ok), structure="gaussian_covariance")
        return dd.with_result(series)

    def jeffreys(self, model, form, fisher=None, **_):
        """``pi ∝ det(M)^{-(d+1)/2}`` when the parameters are the distinct entries of M."""
        d_ = len(form.x_entries)
        M = form.matrix
        entries = [M[i, j] for i in range(d_) for j in range(i, d_)]
        if _vech_pairs(model, form) is None:
            return None  # another parameterization of the matrix: the generic route
        m = len(entries)
        det_M = M.det() if d_ <= 3 else sp.Determinant(form.symbol)
        what = "Sigma" if form.kind == "covariance" else "Lambda"
        lhs = N.JEFFREYS(*model.params)
        dd = Derivation("jeffreys", f"Jeffreys prior of the {model.name} model")
        target = sp.Rational(1, 2**d_) * det_M ** (-(d_ + 1))
        if d_ <= 2 and fisher is not None:
            proven = cancels(sp.factor(fisher.det()) - target)
            how = "det I computed and compared with 2^{-d} det(M)^{-(d+1)}: the difference cancels"
            if not proven:
                return dd.fail("jeffreys", f"det I = {sp.factor(fisher.det())} is not 2^(-d) det({what})^(-(d+1))")
        else:
            how = "det(D^T (A kron A) D) = 2^{d(d-1)/2} det(A)^{d+1} for the duplication matrix D (Magnus & Neudecker Thm 3.14)"
        dd = dd.add(Step(f"In the distinct entries of {what}, I = D^T ({what}^{{-1}} kron {what}^{{-1}}) D / 2 and its "
                         f"determinant is", how, sp.Function("det")(N.fisher_of(model)), (target,)))
        kernel = det_M ** sp.Rational(-(d_ + 1), 2)
        dd = dd.add(Step("The Jeffreys prior is the square root, constant factors dropped:",
                         "Jeffreys (1946); Box & Tiao (1973) §8.2", lhs, (kernel,)))
        dd = dd.add(Step(f"Improper: the kernel is homogeneous of degree -{m} in {what} (det(t M) = t^{d_} det M) on a cone "
                         f"of dimension {m}, so in the coordinates M = t S the integral contains the factor "
                         "int_0^oo t^(-1) dt, which diverges at both ends.",
                         "scaling of the cone of positive definite matrices", None, ()))
        named = f"det({what})^(-{d_ + 1}/2) (improper)"
        dd.extras.update(proper=False, normalizer=None, named=named, sqrt_det=sp.sqrt(target), divergent=[])
        return dd.with_result(kernel)


def _read_form(model) -> GaussianCovariance | None:
    """The :class:`GaussianCovariance` of a typed density of 2 or 3 data variables on the whole space whose log-density
    is quadratic in the data with a positive definite matrix ``P`` (:func:`symfisher.joint.gauss_parts`), a mean
    ``P^-1 b`` free of the parameters and ``P`` depending on them. The declared matrix is the covariance
    ``P^-1`` when its entries have no parameter in a denominator (``sigma_ij``, ``rho sigma_1 sigma_2``), else the
    precision ``P`` when its entries have none (``lambda_ij``), else the covariance."""
    from ...joint import gauss_parts

    d = len(model.data)
    if not 2 <= d <= 3 or any(type(s).__name__ != "IntervalSupport" for s in model.support):
        return None
    found = gauss_parts(model)
    if found is None:
        return None
    P, inv, b = found
    params = set(model.params)
    mean = tuple(sp.cancel(sp.Add(*[inv[i, j] * b[j] for j in range(d)])) for i in range(d))
    if any(m.free_symbols & params for m in mean) or not params <= P.free_symbols:
        return None

    def clean(M):
        return all(not (sp.fraction(sp.cancel(e))[1].free_symbols & params) for e in M)

    cov = clean(inv) or not clean(P)
    M, Minv = (inv, P) if cov else (P, inv)
    M = sp.ImmutableMatrix(M.applyfunc(sp.cancel))
    if not all(e.is_polynomial(*M.free_symbols) for e in M):
        return None  # (tanh z entries) the traces are written in polynomial arithmetic: the generic route
    symbol = sp.MatrixSymbol("Sigma" if cov else "Lambda", d, d)
    return GaussianCovariance(tuple(model.data), mean, M, sp.ImmutableMatrix(Minv), "covariance" if cov else "precision",
                              symbol)


def _same_density(model, form: GaussianCovariance) -> bool:
    """The form's log-density is the model's: the difference is free of the data once expanded (the quadratic
    forms are one matrix), and the constant ``delta`` left is 0, proven by ``exp(2 delta) = 1`` over one
    denominator (``delta`` is real: both log-densities are)."""
    diff = sp.expand(model.log_density - form.log_density())
    logs = sp.Add(*[t for t in sp.Add.make_args(diff) if t.has(sp.log)])
    diff = sp.cancel(diff - logs) + logs  # the rational part over one denominator: the quadratic forms cancel
    if diff == 0:
        return True
    if diff.has(*model.data):
        return False
    if cancels(diff):
        return True
    return cancels(sp.powsimp(sp.exp(2 * diff), force=True) - 1)


def _vech_pairs(model, form: GaussianCovariance):
    """``[(i, j), ...]`` (i <= j) in the model's parameter order when the parameters are the distinct
    entries of the declared matrix themselves, else ``None``."""
    M = form.matrix
    where = {M[i, j]: (i, j) for i in range(M.rows) for j in range(i, M.rows)}
    if len(where) != M.rows * (M.rows + 1) // 2 or len(model.params) != len(where):
        return None
    if any(p not in where for p in model.params):
        return None
    return [where[p] for p in model.params]


def _opaque(form: GaussianCovariance) -> bool:
    """Whether the inverse is kept as opaque entries (beyond d = 3)."""
    return form.inverse.has(sp.Inverse)


def _r(form):
    return [xi - mi for xi, mi in zip(form.x_entries, form.mean_entries)]


def _calculus(model, form):
    """``(P, w, [D_i], {(i, j): D_ij})``: the inverse's entries, ``w = P r`` (unexpanded sums), the
    nonzero entries of each first and second derivative of the declared matrix."""
    P = form.inverse
    r = _r(form)
    d = len(r)
    w = [sp.Add(*[P[a, b] * r[b] for b in range(d)]) for a in range(d)]
    Ds = [_derivative_entries(form.matrix, th) for th in model.params]
    D2 = {}
    for i in range(len(model.params)):
        for j in range(i, len(model.params)):
            # only the nonzero entries of D_i can have a nonzero derivative (m^2 d^2 diffs otherwise)
            e = {key: v2 for key, v in Ds[i].items() if (v2 := sp.diff(v, model.params[j])) != 0}
            if e:
                D2[(i, j)] = e
    return P, w, Ds, D2
