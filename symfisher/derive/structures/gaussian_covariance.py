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
Beyond d = 3 the entries of the inverse stay opaque ``(M^{-1})_ij``.

Reference: Magnus & Neudecker, *Matrix Differential Calculus* (1999), §15.3–15.4; Mardia, Kent &
Bibby, *Multivariate Analysis* (1979), §4.2 and appendix A.9; Isserlis, *Biometrika* 12 (1918).
"""
from __future__ import annotations

import sympy as sp

from ...derivation import Derivation, Step
from ...matrix_forms import GaussianCovariance
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
            return None
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
