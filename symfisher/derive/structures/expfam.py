"""An exponential family read off the log-density.

The log-density is expanded (``expand_log`` under the domains) and split symbolically into
terms that are a parameter-only factor times a data-only factor,

    log f(x; theta) = sum_i eta_i(theta) T_i(x) + h(x) - A(theta),

with statistics whose coefficients are proportional merged (``x mu/v - x^2/(2v)`` is one
statistic ``x^2 - 2 mu x`` with coefficient ``-1/(2v)``) and, on a finite support, statistics
that are affine in the others there removed (the last category's indicator is one minus the
others). The split is confirmed: it must reproduce ``log f`` exactly (on every support point
for a finite support). It is used when there are as many statistics as parameters and the
Jacobian ``J = d eta / d theta`` is not singular (a full, not a curved, family). Then, with
no integral:

* ``E[T] = J^{-T} grad_theta A`` (the score identity ``E[s] = J^T E[T] - grad A = 0``); where
  the natural parameters have a closed inverse ``theta(eta)`` (by monomials, log-ratios such as
  the softmax, or SymPy's solve; always confirmed ``theta(eta(theta)) = theta``),
  ``E[T] = grad_eta A`` in natural coordinates, which shows ``E[s] = 0`` independently;
* ``Cov(T) J = d E[T] / d theta`` (the second-order identity), in the model's own coordinates:
  no inverse is needed, and no nested ``theta(eta)`` forms are built and simplified;
* the Fisher information by two routes: ``E[s s^T] = J^T Cov(T) J = J^T d E[T] / d theta``, and
  ``-E[H] = Hess_theta A - sum_i E[T_i] Hess_theta eta_i`` (the Hessian is linear in T, so its
  expectation needs ``E[T]`` alone); their agreement is proven by ``cancels`` with the exps of the
  parameters read as generators (``y = e^t``: the derivatives of ``log(1 + e^{t_1} + e^{t_2})`` are
  rational in the ``y``), or, where the natural parameters are linear in theta (``J`` a matrix of
  numbers), exactly: both routes are then ``Hess A`` (``J^T J^{-T} = 1`` in rationals, ``Hess eta = 0``);
  the matrix is tidied once, at the end (a rational entry to ``factor``'s form, computed in the
  parameters' fraction field; a symmetric matrix on and above its diagonal);
* every derivative of the log-density is linear in T, so the expectations in the KL Taylor
  expansion are ``sum_i d^alpha eta_i E[T_i] - d^alpha A``;
* ``KL(theta_1 || theta_2) = (eta(theta_1) - eta(theta_2)) . E_1[T] - A(theta_1) + A(theta_2)``.

Reference: Lehmann & Casella, *Theory of Point Estimation*, 2nd ed. (1998), §1.5 and
Theorem 2.5.4 (moments of T from A); Brown, *Fundamentals of Statistical Exponential Families*
(1986), ch. 2; Amari & Nagaoka, *Methods of Information Geometry* (2000), §2.6 and §3.4
(the KL divergence of an exponential family as a Bregman divergence of A).
"""
from __future__ import annotations

import functools

import sympy as sp

from ...calculus import derivative
from ...derivation import Derivation, Step
from ...expectation import expand_log_density, split_statistics
from ...limits import StepTimeout, time_limit
from ...model import Model
from ...simplify import cancels, is_zero, tidy
from .. import notation as N
from ..regularity import model_domains
from . import Structure, register_structure
from ._expfam_forms import _TIDIED, _difference_cancels, _tidy

__all__ = ["ExponentialFamily", "read_off", "ExponentialFamilyStructure"]

_FIND_LIMIT = 3.0  # the split and its confirmation: cheap, or not an exponential family
_SOLVE_LIMIT = 2.0  # the inverse theta(eta) of the natural parameters
_ENGINE_LIMIT = 2.0  # E[s] = 0 by the expectation engine, when A alone cannot show it


class ExponentialFamily:
    """``log f = eta(theta) . T(x) + h(x) - A(theta)`` as read off one model, with the
    moments of T derived from A on first use (and remembered)."""

    def __init__(self, model: Model, eta: tuple, T: tuple, h, A, J: sp.Matrix):
        self.model, self.eta, self.T, self.h, self.A, self.J = model, eta, T, h, A, J
        self._mean = self._cov = self._natural = self._mean_natural = None
        self._tried_natural = False

    # -- the identification, shown ---------------------------------------------------
    def identification(self) -> Step:
        m = self.model
        k = len(self.eta)
        eta = _fn("eta")(*m.params)
        T = _fn("T")(*m.data)
        vec = (lambda v: v[0]) if k == 1 else (lambda v: sp.Matrix(v))
        return Step(
            r"The log-density is an exponential family: it splits into the natural parameter $\eta$ times the "
            r"sufficient statistic $T$, a term $h$ of the data alone and the log-partition $A$ of the parameters "
            "alone.",
            r"$\ell = \eta(\theta) \cdot T(x) + h(x) - A(\theta)$, and the split reproduces the log-density exactly",
            N.logf(m),
            (sp.Add(sp.Mul(eta, T, evaluate=False), _fn("h")(*m.data), -_fn("A")(*m.params),
                    evaluate=False),
             sp.Eq(eta, vec(self.eta), evaluate=False), sp.Eq(T, vec(self.T), evaluate=False),
             sp.Eq(_fn("h")(*m.data), self.h, evaluate=False),
             sp.Eq(_fn("A")(*m.params), self.A, evaluate=False)))

    # -- moments of T ----------------------------------------------------------------
    def natural(self):
        """``(eta symbols, theta(eta))`` when the natural parameters have a closed inverse, else ``None``."""
        if self._tried_natural:
            return self._natural
        self._tried_natural = True
        m = self.model
        es = tuple(sp.Dummy(f"eta{i + 1}", real=True) for i in range(len(self.eta)))
        try:
            with time_limit(_SOLVE_LIMIT, "the inverse of the natural parameters"):
                # the inverse by monomials first, SymPy's solve only if none is confirmed (solve's check of a
                # solution imports sympy.physics.units, a tenth of a second in a fresh process); every
                # candidate is confirmed below, theta(eta(theta)) = theta
                back = {e: c for e, c in zip(es, self.eta)}

                def confirmed(sols):
                    for sol in sols:
                        if set(sol) != set(m.params) or any(v.has(*m.params) for v in sol.values()):
                            continue
                        # proven, not sampled: an inverse whose composition does not cancel (von Mises:
                        # sqrt(kappa^2 cos^2 + kappa^2 sin^2), an atan) makes the covariance route's
                        # back-substituted entries a costly simplification (8 s); the identity route needs none
                        if all(cancels(sol[th].xreplace(back) - th) for th in m.params):
                            return (es, tuple(sol[th] for th in m.params))
                    return None

                self._natural = confirmed(_monomial_inverses(es, self.eta, m.params)) or confirmed(
                    _log_ratio_inverses(es, self.eta, m.params))
                if self._natural is None:
                    self._natural = confirmed(sp.solve([sp.Eq(e, c) for e, c in zip(es, self.eta)], list(m.params),
                                                       dict=True, check=False))
        except (StepTimeout, NotImplementedError, ValueError, TypeError):
            self._natural = None
        return self._natural

    def mean(self) -> sp.Matrix:
        """``E[T] = J^{-T} grad A`` (the score identity), simplified."""
        if self._mean is None:
            grad = sp.Matrix([derivative(self.A, th) for th in self.model.params])
            self._mean = _tidy(_solve(self.J.T, grad, rational=True))
        return self._mean

    def mean_natural(self):
        """``E[T] = grad_eta A(theta(eta))`` at ``eta = eta(theta)``, or ``None`` without a natural inverse."""
        nat = self.natural()
        if nat is None:
            return None
        if self._mean_natural is None:
            es, theta = nat
            A_eta = self.A.xreplace(dict(zip(self.model.params, theta)))
            back = dict(zip(es, self.eta))
            self._mean_natural = sp.Matrix([tidy(derivative(A_eta, e).xreplace(back), limit=2.0) for e in es])
        return self._mean_natural

    def covariance(self) -> sp.Matrix:
        """``d E[T] / d theta = Cov(T) J``, the derivative of the score identity (the second-order
        identity), in the model's own coordinates: ``J^T Cov(T) J = J^T d E[T] / d theta`` needs no
        inverse ``theta(eta)``, so no nested ``theta(eta)`` forms are built and simplified. Shown as
        differentiated (the derivative of the tidied mean): only the Fisher matrix is tidied."""
        if self._cov is None:
            mean, params = self.mean(), self.model.params
            # by the rules (calculus.derivative), not Matrix.jacobian's sympy.diff: the same forms,
            # without the Derivative machinery (the bernoulli law's one entry: 30 of its 50 ms)
            self._cov = sp.Matrix(len(mean), len(params), lambda i, j: derivative(mean[i], params[j]))
        return self._cov

    def expected_derivative(self, wrt: tuple) -> sp.Expr:
        """``E[d^alpha log f] = sum_i d^alpha eta_i E[T_i] - d^alpha A`` (linear in T)."""
        mean = self.mean()
        out = -_derive(self.A, wrt)
        for e, mt in zip(self.eta, mean):
            out += _derive(e, wrt) * mt
        return out


@functools.lru_cache(maxsize=None)
def _fn(name: str):
    """The undefined function ``name`` of the steps (``T``, ``A``, ``Cov``, ...), made once: each
    ``sp.Function(name)`` builds a new class, a millisecond apiece."""
    return sp.Function(name)


def _monomial_inverses(es, eta, params) -> list:
    """Candidate inverses ``theta(eta)`` of natural parameters that are, one equation at a time, a
    monomial ``c theta^p + d`` in one parameter not yet solved for (``-1/s``; ``mu/sigma^2`` once
    ``sigma`` is known from ``-1/(2 sigma^2)``): ``theta = ((eta - d)/c)^(1/p)``, both signs for an even
    ``p``. Candidates only: the caller confirms ``theta(eta(theta)) = theta``."""
    partial = [{}]
    rest = list(zip(es, eta))
    while rest:
        for k, (e, c) in enumerate(rest):
            c0 = c.xreplace(partial[0]) if partial else c
            left = [th for th in params if th not in partial[0] and c0.has(th)]
            if len(left) == 1:
                break
        else:
            return []
        th = left[0]
        del rest[k]
        grown = []
        for sub in partial:
            roots = _roots_in(sp.expand(c.xreplace(sub)), e, th)
            if not roots:
                return []
            for r in roots:
                grown.append({**{k2: v.xreplace({th: r}) for k2, v in sub.items()}, th: r})
        partial = grown
    return [sol for sol in partial if set(sol) == set(params)]


def _log_ratio_inverses(es, eta, params) -> list:
    """The candidate inverse of log-ratio natural parameters ``eta_i = log theta_i - log r`` with one
    affine ``r = c - sum_j a_j theta_j`` for all ``i`` (the categorical law's ``log(p_i / (1 - p_1 - ...))``):
    ``theta_i = r e^{eta_i}``, so ``r = c / (1 + sum_j a_j e^{eta_j})`` and ``theta_i = c e^{eta_i} / (1 + sum_j
    a_j e^{eta_j})``. A candidate only: the caller confirms ``theta(eta(theta)) = theta``."""
    if len(eta) != len(params) or len(params) < 2:
        return []
    r, order = None, {}
    for i, c in enumerate(eta):
        logs = [t for t in sp.Add.make_args(sp.expand(c)) if t.has(*params)]
        if len(logs) != 2 or len(c.atoms(sp.log)) != 2:
            return []
        pos = [t for t in logs if isinstance(t, sp.log)]
        neg = [-t for t in logs if isinstance(-t, sp.log)]
        if len(pos) != 1 or len(neg) != 1 or pos[0].args[0] not in params:
            return []
        th, ri = pos[0].args[0], neg[0].args[0]
        if r is None:
            r = ri
        if ri != r or th in order.values():
            return []
        order[i] = th
    poly = sp.Poly(r, *params) if r.is_polynomial(*params) else None
    if poly is None or poly.total_degree() != 1:
        return []
    c0 = r.subs({th: 0 for th in params})
    a = {th: -sp.diff(r, th) for th in params}
    den = 1 + sp.Add(*[a[order[i]] * sp.exp(es[i]) for i in order])
    return [{order[i]: c0 * sp.exp(es[i]) / den for i in order}]


def _roots_in(c, y, th) -> list:
    """Candidates for ``th`` with ``c(th) = y``: through a log or exp (``log u = y`` is ``u = e^y``), then
    ``a th^p + d`` (both signs of the root for an even ``p``) or a ratio of two affine forms of ``th``."""
    d, var = c.as_independent(th, as_Add=True)
    if var.is_Add and len(var.atoms(sp.log)) > 1:  # log p - log(1 - p): one log (a candidate, confirmed later)
        var = sp.logcombine(var, force=True)
    coef, core = var.as_independent(th, as_Add=False)
    if isinstance(core, sp.log):
        return _roots_in(core.args[0], sp.exp((y - d) / coef), th)
    if isinstance(core, sp.exp):
        return _roots_in(core.args[0], sp.log((y - d) / coef), th)
    b, p = core.as_base_exp()
    if b == th and p.is_Rational and p != 0:
        root = sp.Pow((y - d) / coef, 1 / p)
        return [root, -root] if p.q == 1 and p.p % 2 == 0 else [root]
    num, den = sp.together(c).as_numer_denom()
    try:
        poly = sp.Poly(sp.expand(num - y * den), th)
    except sp.PolynomialError:
        return []
    if poly.degree() != 1:
        return []
    a1, a0 = poly.all_coeffs()
    return [sp.cancel(-a0 / a1)]


def _derive(e, wrt):
    for v in wrt:
        e = derivative(e, v)
    return e


def _linear_natural(J: sp.Matrix) -> bool:
    """Whether the natural parameters are linear in theta (``J`` a matrix of rational numbers) with
    ``J^T J^{-T} = 1`` checked in exact arithmetic. Then ``d E[T] / d theta = J^{-T} Hess A`` (``E[T] =
    J^{-T} grad A`` with ``J`` constant), route 1's ``J^T d E[T] / d theta`` is ``Hess A``, and route 2's
    ``Hess A - sum_i E[T_i] Hess eta_i`` is ``Hess A`` since ``Hess eta_i = d J / d theta = 0``: the
    agreement is exact, with no cancellation of the (tidied) entries to ask for (four rational
    functions of ``e^{t_1}, e^{t_2}`` for the categorical law's natural coordinates, 30 ms)."""
    if not all(e.is_Rational for e in J):
        return False
    k = J.rows
    return _matmul(J.T, _solve(J.T, sp.eye(k))) == sp.eye(k)


def _solve(M: sp.Matrix, b: sp.Matrix, rational: bool = False) -> sp.Matrix:
    """``M^{-1} b`` for a small square ``M`` (the adjugate over the determinant). ``rational``: where
    every entry is a rational function of its symbols, solved in their fraction field instead, so each
    entry comes out in lowest terms (the categorical law's adjugate over its determinant is a nested
    form whose tidy cost three times the field's solve). The values of functions in the entries
    (``psi(k m)``, ``log b``) are generators of that field, Dummies while solving: the solve is rational
    arithmetic, an identity whatever they stand for (``M``'s determinant, proven nonzero with them in
    place, is a nonzero element), so the beta law in mean and precision gets ``E[T] = (psi(k m) - psi(k),
    psi(k - k m) - psi(k))`` in lowest terms, not an adjugate over ``-k`` that tidy has to expand."""
    if M.rows == 1:
        return b / M[0, 0]
    if rational:
        funcs = set().union(*(e.atoms(sp.Function) for e in (*M, *b)))
        names = {f: sp.Dummy("g") for f in sorted(funcs, key=sp.default_sort_key)}
        Ms, bs = M.xreplace(names), b.xreplace(names)  # (xreplace takes a function's value whole)
        back = {g: f for f, g in names.items()}
    if rational and all(not e.atoms(sp.Function) and e.is_rational_function(*e.free_symbols)
                        for e in (*Ms, *bs)):
        from sympy.polys.matrices import DomainMatrix

        try:
            dM, db = DomainMatrix.from_Matrix(Ms), DomainMatrix.from_Matrix(bs)
            K = dM.domain.unify(db.domain)
            if K.is_Field or K.has_assoc_Field:
                K = K.get_field()
                out = dM.convert_to(K).lu_solve(db.convert_to(K)).to_Matrix()
                return out.xreplace(back) if back else out
        except (sp.PolynomialError, ValueError, NotImplementedError, ZeroDivisionError):
            pass  # (a singular M is refused by the Jacobian's determinant before this)
    from sympy.matrices.utilities import dotprodsimp

    with dotprodsimp(False):
        adj = M.adjugate(method="berkowitz")
    return _matmul(adj, b) / sp.factor(_det(M))


def _det(M: sp.Matrix):
    """``det M`` by Berkowitz's division-free method, its products left as they are: the default Bareiss
    method simplifies every intermediate product, and Berkowitz's result is simplified (``dotprodsimp``,
    a ``cancel`` of the whole: 20 ms for the categorical law's 2 x 2 Jacobian) unless that is switched
    off. The callers test it for zero (a value at a point, or the zero test) or factor it."""
    from sympy.matrices.utilities import dotprodsimp

    with dotprodsimp(False):
        return M.det(method="berkowitz")


def _matmul(A: sp.Matrix, B: sp.Matrix) -> sp.Matrix:
    """``A B`` entry by entry (SymPy's product converts small symbolic matrices to a DomainMatrix
    first, which costs more than the few products of a 1 x 1 or 2 x 2 case)."""
    return sp.Matrix(A.rows, B.cols, lambda i, j: sp.Add(*[A[i, l] * B[l, j] for l in range(A.cols)]))


def _reduce_on_points(eta: list, T: list, A, pts) -> tuple:
    """On a finite support, drop statistics affine in the others there (``sum of indicators = 1``)."""
    while T:
        M = sp.Matrix([[1] + [t.subs(x_, p) for t, x_ in T] for p in pts])
        null = M.nullspace()
        if not null:
            break
        a = null[0]
        i = max(j for j in range(1, len(a)) if a[j] != 0)  # T_i = -(a_0 + sum_j a_j T_j) / a_i
        ei = eta[i - 1]
        for j in range(1, len(a)):
            if j != i and a[j] != 0:
                eta[j - 1] = eta[j - 1] - ei * a[j] / a[i]
        A = A + ei * a[0] / a[i]
        del eta[i - 1], T[i - 1]
    return eta, T, A


def _inner_point(symbols, model: Model, k: int = 0, vary=None):
    """A point ``{symbol: rational}`` inside the domains, different for each symbol (and for each
    ``k``: the symbols in ``vary`` only, when given), with the joint constraints kept; ``None`` when
    there is none such (an integer symbol, a constraint not met)."""
    doms = model_domains(model)
    sub = {}
    for i, s in enumerate(sorted(symbols, key=lambda t: t.name)):
        d = doms.get(s)
        if d is None or d.integer:
            return None
        lo, hi = d.lo, d.hi
        kk = k if vary is None or s in vary else 0
        c = sp.Rational(1 + kk, 5 + 2 * i + 3 * kk)  # an inner point, different for each symbol
        sub[s] = (lo + (hi - lo) * c if hi.is_finite else lo + 1 + c) if lo.is_finite else (
            hi - 1 - c if hi.is_finite else c + 1)
    try:
        if not all(bool(r.subs(sub)) for r in doms.constraints):
            return None
    except TypeError:
        return None
    return sub


def _nonzero_somewhere(e, model: Model) -> bool:
    """``e`` is proven not identically zero by its value at one point inside the domains (a nonzero
    value is a certificate; its 30 digits leave no doubt), with the joint constraints kept; ``False``
    means only "not shown here" (the zero test decides)."""
    sub = _inner_point(e.free_symbols, model)
    if sub is None:
        return False
    try:
        v = complex(e.evalf(30, subs=sub))
    except (TypeError, ValueError, ArithmeticError):
        return False
    return abs(v) > 1e-12 and v == v


def _ratio_varies(c, b, model: Model) -> bool:
    """Whether ``c / b`` is shown to depend on the parameters by its values at two points inside the
    domains (exact for rational values, else 30 digits, as :func:`_nonzero_somewhere` reads a value):
    two different values are a certificate that ``c`` and ``b`` are not proportional, so the ``cancel``
    of their ratio (the costliest step of a split: ``(t_1/2 - t_2)/(4 t_2 - 5 t_1/2)``, 8 ms) is not
    needed. ``False`` means only "not shown" (``cancel`` decides)."""
    syms = (c.free_symbols | b.free_symbols) & set(model.params)
    if not syms:
        return False
    values = []
    for k in (0, 1):
        sub = _inner_point(c.free_symbols | b.free_symbols, model, k, vary=syms)  # the constants kept
        if sub is None:
            return False
        v = (c / b).xreplace(sub)
        if not v.is_number or v.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            return False
        values.append(v)
    if all(v.is_Rational for v in values):
        return values[0] != values[1]
    try:
        gap = complex((values[0] - values[1]).evalf(30))
    except (TypeError, ValueError, ArithmeticError):
        return False
    return gap == gap and abs(gap) > 1e-12


def read_off(model: Model) -> ExponentialFamily | None:
    """The exponential-family split of ``model``'s log-density, confirmed, or ``None``."""
    if len(model.data) != 1 or not model.params:
        return None
    x = model.data[0]
    params = set(model.params)
    sup = model.support[0]
    if sup.free_symbols & params:
        return None  # the support moves with a parameter: not a regular family
    if any(th.is_integer for th in model.params):
        return None  # no derivatives in an integer parameter
    ell = expand_log_density(model.log_density, (x,))
    # cos(x - mu) = cos(mu) cos(x) + sin(mu) sin(x): a parameter inside a circular function splits off
    ell = ell.replace(lambda e: isinstance(e, (sp.cos, sp.sin)) and e.args[0].has(x) and e.args[0].has(*params),
                      lambda e: sp.expand_trig(e))
    stats = split_statistics(ell, (x,))
    h, A, pairs = sp.S.Zero, sp.S.Zero, []
    for t, c in stats.items():
        if t.free_symbols & params or c.has(x):
            return None  # a term mixes data and parameters: not an exponential family
        c = sp.expand(c, log=False, power_base=False, power_exp=False)
        dep = sp.Add(*[a for a in sp.Add.make_args(c) if a.has(*params)])
        free = c - dep
        if t == 1:
            A, h = -dep, h + free
        else:
            h += free * t
            if dep != 0:
                pairs.append((dep, t))
    # statistics with proportional coefficients are one statistic
    basis: list = []
    # (the coefficient with the fewest symbols is the basis: -1/(2v), not mu/v, which would divide by mu)
    for c, t in sorted(pairs, key=lambda p: (len(p[0].free_symbols), sp.default_sort_key(p[1]))):
        for b in basis:
            if _ratio_varies(c, b[0], model):
                continue  # shown not proportional at two points: no cancel needed
            r = sp.cancel(c / b[0])
            if not r.has(*params):
                b[1].append((r, t))
                break
        else:
            basis.append([c, [(sp.S.One, t)]])
    eta = [b[0] for b in basis]
    T = [sp.Add(*[r * t for r, t in b[1]]) for b in basis]
    reduced = False
    if sup.is_finite():
        n = len(T)
        eta, T, A = _reduce_on_points(eta, [(t, x) for t in T], A, sup.points())
        T = [t for t, _ in T]
        reduced = len(T) < n
    if len(eta) != model.dim:
        return None  # a curved family (more statistics than parameters) or a non-identifiable one
    J = sp.Matrix(len(eta), model.dim, lambda i, j: derivative(eta[i], model.params[j]))
    det = _det(J)
    if not _nonzero_somewhere(det, model) and is_zero(det, model_domains(model), limit=1.0):
        return None
    # confirm: the split reproduces log f exactly
    rebuilt = sp.Add(*[e * t for e, t in zip(eta, T)]) + h - A
    gap = rebuilt - ell
    # the statistics are in split_statistics' normal form (log(1 - e^(-x)) as log(e^x - 1) - x,
    # log(sqrt(x/b) + sqrt(b/x)) as log(b + x) - log(b x)/2): the gap in that form, term by term, is
    # the cheap proof (a few coefficients of the parameters); then the gap itself, or on every support
    # point of a finite support (where statistics were reduced by the points' own relations)
    ok = not reduced and all(cancels(c) for c in split_statistics(gap, (x,)).values())
    if not ok:
        ok = all(cancels(gap.subs(x, p)) for p in sup.points()) if sup.is_finite() else cancels(gap)
    if not ok and reduced:
        ok = all(cancels(c) for c in split_statistics(gap, (x,)).values())
    if not ok:
        return None
    return ExponentialFamily(model, tuple(eta), tuple(T), h, A, J)


def _matrix_or_scalar(M):
    return M if M.rows > 1 or M.cols > 1 else M[0, 0]


@register_structure
class ExponentialFamilyStructure(Structure):
    """``log f = eta(theta) . T(x) + h(x) - A(theta)``, read off the density (any family, typed or catalog)."""

    name = "exponential_family"
    priority = 50

    def find(self, model):
        try:
            with time_limit(_FIND_LIMIT, "exponential family split"):
                return read_off(model)
        except StepTimeout:
            return None

    def fisher(self, model, ef: ExponentialFamily, limit=None, **_):
        params = model.params
        k = len(params)
        I_lhs = N.fisher_of(model)
        J = ef.J
        d = Derivation("fisher", f"Fisher information of the {model.name} model")
        d = d.add(ef.identification())
        Tf = _fn("T")(*model.data)
        d = d.add(Step(r"The score is linear in the statistic: differentiate $\eta(\theta) \cdot T(x) - A(\theta)$.",
                       r"$s = J^{\mathsf{T}} T(x) - \nabla_{\theta} A$ with the Jacobian "
                       r"$J = \partial \eta / \partial \theta$", N.SCORE(*params),
                       (_matrix_or_scalar(_matmul(J.T, sp.Matrix(ef.T)) - sp.Matrix([derivative(ef.A, th) for th in params])),),
                       ))
        d = d.add(Step("The Jacobian of the natural parameter:", r"$J_{ij} = \partial \eta_{i} / \partial \theta_{j}$",
                       sp.Symbol("J"),
                       (_matrix_or_scalar(J),)))
        try:
            with time_limit(limit, "Fisher information of the exponential family"):
                mean = ef.mean()
                d = d.add(Step("The mean of the sufficient statistic, from the log-partition (no integral).",
                               r"the score identity $E[s] = J^{\mathsf{T}} E[T] - \nabla_{\theta} A = 0$, so "
                               r"$E[T] = J^{-\mathsf{T}} \nabla_{\theta} A$", N.E(Tf), (_matrix_or_scalar(mean),)))
                M = ef.covariance()
                cov = _fn("Cov")(Tf)
                d = d.add(Step(r"Differentiate $E[T]$ with respect to $\theta$: the derivative is "
                               r"$\operatorname{Cov}(T, s) = \operatorname{Cov}(T) J$, so no inverse of the natural "
                               "parameters is needed.",
                               r"the second-order identity $\partial E[T] / \partial \theta = E[T s^{\mathsf{T}}]$",
                               sp.MatMul(cov, sp.Symbol("J"), evaluate=False) if k > 1 else
                               sp.Mul(_fn("Var")(Tf), sp.Symbol("J"), evaluate=False),
                               (_matrix_or_scalar(M),) if k > 1 else
                               (sp.Derivative(mean[0, 0] if isinstance(mean, sp.MatrixBase) else mean, params[0]),
                                M[0, 0])))
                var = None
                if k == 1:  # the variance itself, the moment a reader expects on the page: Var(T) = (dE[T]/dtheta)/J
                    var = _tidy(M[0, 0] / J[0, 0])
                    d = d.add(Step(r"Divide by the Jacobian: the variance of the sufficient statistic.",
                                   r"$\operatorname{Var}(T) = (\partial E[T] / \partial \theta) / J$",
                                   _fn("Var")(Tf), (sp.Mul(M[0, 0], sp.Pow(_tidy(J[0, 0]), -1, evaluate=False), evaluate=False), var)))
                outer_raw = _matmul(J.T, M)
                curv_raw = sp.Matrix(k, k, lambda i, j: -ef.expected_derivative((params[i], params[j])))
                entries = curv_raw  # display: -E[H] entry by entry, E[T] put in, before simplifying
                # the agreement (exps as generators, exact): route 1's product J^T (Cov(T) J) and route 2's
                # matrix, tidied, cancel identically, so one tidied form serves both
                curv = _tidy(curv_raw)
                # natural parameters linear in theta (J a matrix of numbers): both routes are Hess A exactly;
                # else route 1's entry identical to route 2's as derived is the agreement itself, or its tidied
                # form already made (a 1 x 1 family's J, shown tidied above) is route 2's (tidy's rewrites are
                # exact: factor and cancel of one rational function), or it cancels
                linear = _linear_natural(J)
                proven = linear or all(a == b or a == r or _TIDIED.get(a) == b or _difference_cancels(a, b)
                                       for a, b, r in zip(outer_raw, curv, curv_raw))
                outer = curv if proven else _tidy(outer_raw)
                d = d.add(Step(r"Route 1: $E[s s^{\mathsf{T}}] = J^{\mathsf{T}} \operatorname{Cov}(T) J$, since "
                               r"$s - E[s] = J^{\mathsf{T}}(T - E[T])$; put in $J$ and $\operatorname{Cov}(T) J$ found "
                               "above." if k > 1 else
                               r"Route 1: $E[s^{2}] = J^{2} \operatorname{Var}(T)$, since $s - E[s] = J (T - E[T])$; "
                               r"put in the Jacobian and the variance found above.",
                               r"definition: $\mathcal{I} = E[s s^{\mathsf{T}}]$", I_lhs,
                               (sp.MatMul(J.T, cov, J, evaluate=False), _matrix_or_scalar(outer)) if k > 1 else
                               (J[0, 0] ** 2 * _fn("Var")(Tf), sp.Mul(J[0, 0] ** 2, var, evaluate=False),
                                outer[0, 0])))
                H = sp.Symbol("H")
                d = d.add(Step(r"Route 2: the Hessian is linear in $T$, $H = \sum_{i} T_{i} \nabla^{2}_{\theta} \eta_{i} - "
                               r"\nabla^{2}_{\theta} A$, so its expectation needs $E[T]$ alone; the minus sign comes "
                               "out of the expectation." if k > 1 else
                               r"Route 2: the Hessian is linear in $T$, $H = T \eta''(\theta) - A''(\theta)$, so "
                               r"$E[H] = E[T] \eta''(\theta) - A''(\theta)$ needs $E[T]$ alone; the minus sign comes "
                               "out of the expectation.",
                               r"$-E[H] = \nabla^{2}_{\theta} A - \sum_{i} E[T_{i}] \nabla^{2}_{\theta} \eta_{i}$, "
                               r"entry by entry: $-E[H_{jk}] = \partial_{j} \partial_{k} A - \sum_{i} E[T_{i}] "
                               r"\partial_{j} \partial_{k} \eta_{i}$, with $E[T]$ found above"
                               if k > 1 else r"$E[-H] = -E[H]$, with $E[T]$ from the log-partition",
                               I_lhs, (N.E(-H), -N.E(H), entries, _matrix_or_scalar(curv)) if k > 1 else
                               (N.E(-H), -N.E(H), sp.Mul(-1, ef.expected_derivative((params[0], params[0])), evaluate=False), curv[0, 0])))
        except StepTimeout:
            return None  # too slow here: the generic route decides
        verdict = True if proven else is_zero(outer - curv, model_domains(model))
        if verdict is None:
            return None  # neither proven nor refuted here (the numeric test ran out of time): the generic route decides
        agree = bool(verdict)
        if agree:
            from ..fisher import _NUMERIC_AGREEMENT, _NUMERIC_REASON

            proven = proven or all(cancels(e) for e in outer - curv)
            d = d.add(Step("The two routes agree." if proven else _NUMERIC_AGREEMENT,
                           (r"$J$ is a matrix of numbers, so $J^{\mathsf{T}} \partial E[T] / \partial \theta = "
                            r"J^{\mathsf{T}} J^{-\mathsf{T}} \nabla^{2}_{\theta} A$ with $J^{\mathsf{T}} J^{-\mathsf{T}} = "
                            r"1$ exactly, and $\nabla^{2}_{\theta} \eta = 0$: both routes are $\nabla^{2}_{\theta} A$"
                            if linear else "their difference simplifies to zero") if proven else _NUMERIC_REASON,
                           None, (sp.Eq(I_lhs, _matrix_or_scalar(curv), evaluate=False),)))
        else:
            d = d.fail("fisher routes", r"$J^{\mathsf{T}} \operatorname{Cov}(T) J$ and $-E[H]$ differ: the split or "
                                        "the model is not regular")
        d.extras.update(outer=outer, curvature=curv, routes_agree=agree, structure="exponential_family")
        return d.with_result(curv)

    def expected_score(self, model, ef: ExponentialFamily, **_):
        """``E[s] = J^T grad_eta A - grad_theta A = 0``, with ``E[T]`` from natural coordinates."""
        mean = ef.mean_natural()
        if mean is None:
            return self._expected_score_by_engine(model, ef)
        d = Derivation("expected_score", "The score has mean zero")
        doms = model_domains(model)
        verdicts = []
        for j, th in enumerate(model.params):
            v = sp.Add(*[ef.J[i, j] * mean[i] for i in range(len(ef.eta))]) - derivative(ef.A, th)
            ok = is_zero(v, doms)
            verdicts.append(ok)
            if ok is None:  # undecided (the zero test ran out of time): no claim either way
                d = d.note(f"whether E[score] for {th} vanishes could not be decided within the zero test's time limit")
                continue
            d = d.add(Step(f"The expected score for {th} vanishes." if ok else f"The expected score for {th} is not zero.",
                           r"$E[s] = J^{\mathsf{T}} E[T] - \nabla_{\theta} A$ with $E[T] = \nabla_{\eta} A$ "
                           "(the chain rule)",
                           N.E(sp.Derivative(N.logf(model), th)), (sp.S.Zero if ok else v,)))
            if not ok:
                d = d.fail(f"E[score] for {th}", f"E[score] = {v}, not 0: the model is not regular")
        return d.with_result(all(verdicts) and not d.failures)

    def _expected_score_by_engine(self, model, ef: ExponentialFamily):
        """Without a natural inverse, ``E[T]`` comes from ``E[s] = 0`` itself, so the expectation
        engine checks ``E[s] = 0`` (briefly: each statistic is one integral); if it cannot, the
        step says that ``E[s] = 0`` rests on the regularity identity alone, and no zero is claimed."""
        from ..fisher import score
        from ..regularity import expected_score

        es = expected_score(model, score(model, textbook=False).extras["raw"], limit=_ENGINE_LIMIT)
        if not es.failures:
            return es
        d = Derivation("expected_score", "The score has mean zero")
        d = d.add(Step("$E[s] = 0$ was not computed: the expectation engine did not finish within "
                       f"{_ENGINE_LIMIT:g} s ({es.failures[0].reason}). It follows from the regularity identity "
                       "(the support does not depend on the parameters and the density integrates to one), "
                       r"which $E[T] = J^{-\mathsf{T}} \nabla_{\theta} A$ assumes.",
                       "differentiate the normalization under the integral",
                       None, ()))
        return d.note("E[score] = 0 is assumed (regularity), not checked").with_result(None)

    def expected_log_derivative(self, model, ef: ExponentialFamily, wrt: tuple = (), **_):
        """``E[d^alpha log f]`` as an expression (linear in T), for the KL Taylor expansion."""
        return ef.expected_derivative(tuple(wrt))

    def kl(self, model, ef: ExponentialFamily, first: dict, second: dict, tidied: bool = True, **_):
        """``KL = (eta_1 - eta_2) . E_1[T] - A_1 + A_2``: no integral once A is known (``tidied=False``: left
        as assembled, for a caller that compares it with a registered form before anything is shown)."""
        mean = ef.mean()
        e1 = [e.xreplace(first) for e in ef.eta]
        e2 = [e.xreplace(second) for e in ef.eta]
        m1 = [v.xreplace(first) for v in mean]
        A1, A2 = ef.A.xreplace(first), ef.A.xreplace(second)
        raw = sp.Add(*[(a - b) * m for a, b, m in zip(e1, e2, m1)]) - A1 + A2
        value = tidy(raw, limit=2.0) if tidied else raw
        th1, th2 = tuple(first.values()), tuple(second.values())
        lhs = N.KL(*th1, *th2)
        d = Derivation("kl", f"Kullback–Leibler divergence of two {model.name} distributions")
        d = d.add(ef.identification())
        Tf = _fn("T")(*model.data)
        d = d.add(Step(r"At the parameters of the first distribution, the mean of the statistic is",
                       r"$E_{1}[T] = J^{-\mathsf{T}} \nabla_{\theta} A$ at $\theta_{1}$ (the score identity)",
                       _fn("E_1")(Tf), (m1[0] if len(m1) == 1 else sp.Matrix(m1),)))
        d = d.add(Step(r"The log-ratio is linear in the statistic, $\log f_{1} - \log f_{2} = (\eta_{1} - \eta_{2}) "
                       r"\cdot T - A_{1} + A_{2}$ ($h$ cancels), so its expectation under the first distribution "
                       "needs $E_{1}[T]$ alone.",
                       r"$\mathrm{KL} = (\eta_{1} - \eta_{2}) \cdot E_{1}[T] - A_{1} + A_{2}$ with the values above", lhs,
                       (sp.Add(*[sp.Mul(a - b, m, evaluate=False) for a, b, m in zip(e1, e2, m1)], -A1, A2,
                               evaluate=False), value)))
        d.extras.update(structure="exponential_family", tidied=tidied)
        return d.with_result(value)
