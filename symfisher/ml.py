"""Logistic regression, EWC and the natural gradient: derived symbolically, evaluated on data.

The per-example score, Hessian and Fisher information of logistic regression
(``P(y = 1 | x) = sigma(w.x)``) come from the catalog model ``logistic_regression`` through
symfisher's own :func:`~symfisher.derive.score`, :func:`~symfisher.derive.hessian` and
:func:`~symfisher.derive.fisher_information` (Fisher ``= sigma(w.x)(1 - sigma(w.x)) x x^T``),
then are lambdified and evaluated on NumPy arrays, vectorized over the rows (no Python loop
per example). On top of them (exercises 7, 8 and 10 of the course notebook):

* :func:`empirical_vs_hessian` — empirical Fisher ``mean(g_i g_i^T)`` against the observed
  Hessian ``mean(p_i (1 - p_i) x_i x_i^T)`` on seeded data; they differ on finite data and agree
  in expectation over labels drawn from the model;
* :func:`ewc_importance` and :func:`ewc_penalty` — elastic weight consolidation,
  ``1/2 sum_i F_i (w_i - w*_i)^2`` with the diagonal Fisher of a first task;
* :func:`natural_gradient_step` — ``-eta F^{-1} g`` against ``-eta g``.

Each returns a small dataclass with the arrays, a :class:`~symfisher.derivation.Derivation`
(steps with the formulas and the numbers) and its :class:`~symfisher.derivation.Check` rows.

>>> r = natural_gradient_step([1.0, -3.0], [[4.0, 0.0], [0.0, 0.25]], 0.5)
>>> r.natural.round(6).tolist(), r.plain.round(6).tolist()
([-0.125, 6.0], [-0.5, 1.5])
>>> all(c.passed for c in r.checks)
True
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from .derivation import Check, Derivation, Step
from .numeric import NumericFunction

__all__ = [
    "LogisticFormulas",
    "logistic_formulas",
    "simulate_logistic",
    "per_example_scores",
    "per_example_hessians",
    "per_example_fisher",
    "empirical_fisher",
    "observed_hessian",
    "fisher_on_data",
    "EmpiricalVsHessian",
    "empirical_vs_hessian",
    "EWCResult",
    "ewc_penalty",
    "ewc_importance",
    "NaturalGradientStep",
    "natural_gradient_step",
]


def _matrix(a, digits: int = 6):
    """A NumPy array as a SymPy matrix of Floats (numbers shown in a step)."""
    a = np.atleast_1d(np.asarray(a, dtype=float))
    if a.ndim == 1:
        a = a[:, None]
    return sp.Matrix([[sp.Float(float(v), digits) for v in row] for row in a])


def _flag(name, ok: bool, detail: str) -> Check:
    """A yes/no check: passes when the claim holds."""
    return Check(name, 1.0 if ok else 0.0, 1.0, 0.0, detail)


# -- the derived formulas ---------------------------------------------------------------

@dataclass(frozen=True)
class LogisticFormulas:
    """The derived per-example quantities of logistic regression with ``d`` features.

    ``score`` (d x 1), ``hessian`` (d x d) and ``fisher`` (d x d) are SymPy matrices from
    symfisher's derivations; ``score_fn(y, w..., x...)``, ``hessian_fn(y, w..., x...)`` and
    ``fisher_fn(w..., x...)`` their lambdified forms (:class:`NumericFunction`).
    """

    model: object
    d: int
    score: sp.Matrix
    hessian: sp.Matrix
    fisher: sp.Matrix
    derivations: tuple = field(repr=False, default=())
    score_fn: NumericFunction = field(repr=False, default=None)
    hessian_fn: NumericFunction = field(repr=False, default=None)
    fisher_fn: NumericFunction = field(repr=False, default=None)

    @property
    def weights(self) -> tuple:
        return self.model.params

    @property
    def features(self) -> tuple:
        return self.model.constants


@functools.lru_cache(maxsize=16)
def logistic_formulas(d: int = 2) -> LogisticFormulas:
    """Derive (once per ``d``) the logistic score, Hessian and Fisher, and lambdify them."""
    from .derive import fisher_information, hessian, score
    from .families import get_model

    m = get_model("logistic_regression", d=d)
    sd = score(m)
    hd = hessian(m, sd.extras["raw"])
    fd = fisher_information(m, score_vector=sd.extras["raw"], hessian_matrix=hd.extras["raw"])
    if fd.result is None:  # pragma: no cover - the catalog test guarantees it
        raise RuntimeError(f"the logistic Fisher information could not be derived: {fd.failures}")
    data_args = tuple(s.name for s in m.data + m.params + m.constants)
    base_args = tuple(s.name for s in m.params + m.constants)
    return LogisticFormulas(
        m, d, sd.result, hd.result, fd.result, (sd, hd, fd),
        NumericFunction.build(list(sd.result), data_args),
        NumericFunction.build(hd.result, data_args),
        NumericFunction.build(fd.result, base_args),
    )


def _check_xy(X, y=None, w=None):
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (rows x features), got shape {X.shape}")
    if w is not None:
        w = np.asarray(w, dtype=float).reshape(-1)
        if w.shape[0] != X.shape[1]:
            raise ValueError(f"{X.shape[1]} features but {w.shape[0]} weights")
    if y is not None:
        y = np.asarray(y, dtype=float).reshape(-1)
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"{X.shape[0]} rows but {y.shape[0]} labels")
        if not np.all((y == 0) | (y == 1)):
            raise ValueError("labels must be 0 or 1")
    return X, y, w


def simulate_logistic(n: int, weights, seed: int):
    """``X`` (n x d standard normal) then ``y ~ Bernoulli(sigma(X w))`` from one seeded generator."""
    rng = np.random.default_rng(seed)
    w = np.asarray(weights, dtype=float)
    X = rng.standard_normal((n, w.shape[0]))
    y = rng.binomial(1, 1 / (1 + np.exp(-X @ w))).astype(float)
    return X, y


def per_example_scores(X, y, w) -> np.ndarray:
    """``(n, d)``: the derived score d/dw log f(y_i | x_i; w), row by row (vectorized)."""
    X, y, w = _check_xy(X, y, w)
    L = logistic_formulas(X.shape[1])
    return L.score_fn(y, *w, *X.T)


def per_example_hessians(X, y, w) -> np.ndarray:
    """``(n, d, d)``: the derived Hessian of log f(y_i | x_i; w)."""
    X, y, w = _check_xy(X, y, w)
    L = logistic_formulas(X.shape[1])
    return L.hessian_fn(y, *w, *X.T)


def per_example_fisher(X, w) -> np.ndarray:
    """``(n, d, d)``: the derived Fisher information sigma(1 - sigma) x_i x_i^T of each row."""
    X, _, w = _check_xy(X, None, w)
    L = logistic_formulas(X.shape[1])
    return L.fisher_fn(*w, *X.T)


def empirical_fisher(X, y, w) -> np.ndarray:
    """``mean_i g_i g_i^T`` with ``g_i`` the per-example score (gradient of the log-likelihood)."""
    g = per_example_scores(X, y, w)
    return g.T @ g / g.shape[0]


def observed_hessian(X, y, w) -> np.ndarray:
    """The observed information ``-mean_i H_i`` (= mean p_i (1 - p_i) x_i x_i^T for this model)."""
    return -per_example_hessians(X, y, w).mean(axis=0)


def fisher_on_data(X, w) -> np.ndarray:
    """The Fisher information of the data set, ``mean_i I(w; x_i)``, from the derived formula."""
    return per_example_fisher(X, w).mean(axis=0)


def _xtwx(X, w):
    p = 1 / (1 + np.exp(-X @ w))
    return (X.T * (p * (1 - p))) @ X / X.shape[0]


# -- exercise 7 ---------------------------------------------------------------------------

@dataclass(frozen=True)
class EmpiricalVsHessian:
    X: np.ndarray
    y: np.ndarray
    weights: np.ndarray
    empirical_fisher: np.ndarray
    observed_hessian: np.ndarray
    fisher: np.ndarray  # mean of the derived per-example Fisher
    xtwx: np.ndarray  # X^T W X / n, computed directly
    expected_empirical: np.ndarray  # E_y[empirical Fisher | X], labels from the model (exact sum over y)
    gap: float  # Frobenius norm of empirical - observed
    derivation: Derivation
    checks: tuple

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)


EXPLANATION_7 = (
    "The empirical Fisher averages g_i g_i^T = (y_i - p_i)^2 x_i x_i^T over the observed labels; the Hessian "
    "averages p_i (1 - p_i) x_i x_i^T and does not involve the labels. They are equal only in expectation: "
    "E[(y - p)^2 | x] = p (1 - p) when y is drawn from the model at these weights. On a finite sample the "
    "realized (y_i - p_i)^2 scatter around p_i (1 - p_i), so the two matrices differ; the gap shrinks like "
    "1/sqrt(n) for a well-specified model at the true (or, asymptotically, the optimal) weights, and need not "
    "shrink at all away from them or under misspecification."
)


def empirical_vs_hessian(n: int, weights, seed: int, X=None, y=None) -> EmpiricalVsHessian:
    """Exercise 7: empirical Fisher vs observed Hessian of logistic regression at the true weights.

    Data: ``n`` rows of standard-normal features and labels drawn from the model (seeded),
    unless ``X``, ``y`` are given.
    """
    w = np.asarray(weights, dtype=float)
    if X is None or y is None:
        X, y = simulate_logistic(n, w, seed)
    X, y, w = _check_xy(X, y, w)
    L = logistic_formulas(X.shape[1])
    emp = empirical_fisher(X, y, w)
    hess = observed_hessian(X, y, w)
    fish = fisher_on_data(X, w)
    xtwx = _xtwx(X, w)
    # E_y[g g^T | X]: an exact sum over y in {0, 1} with P(y = 1 | x) = sigma(w.x)
    p = 1 / (1 + np.exp(-X @ w))
    g1 = per_example_scores(X, np.ones(X.shape[0]), w)
    g0 = per_example_scores(X, np.zeros(X.shape[0]), w)
    expected = (np.einsum("n,ni,nj->ij", p, g1, g1) + np.einsum("n,ni,nj->ij", 1 - p, g0, g0)) / X.shape[0]
    gap = float(np.linalg.norm(emp - hess))
    scale = float(np.linalg.norm(hess))
    checks = (
        _flag("empirical Fisher differs from the observed information on finite data", gap > 1e-8 * scale,
              f"Frobenius gap {gap:.6g} (Hessian norm {scale:.6g})"),
        Check("observed information −H = XᵀWX/n (Frobenius norm of the difference)",
              float(np.linalg.norm(hess - xtwx)), 0.0, 1e-12 * max(1.0, scale)),
        Check("derived Fisher information on the data = XᵀWX/n (Frobenius norm of the difference)",
              float(np.linalg.norm(fish - xtwx)), 0.0, 1e-12 * max(1.0, scale)),
        Check("E_y[empirical Fisher | X] = observed information (labels from the model, exact sum)",
              float(np.linalg.norm(expected - hess)), 0.0, 1e-12 * max(1.0, scale)),
    )
    ws, xs = L.weights, L.features
    yv = L.model.data[0]
    d = Derivation("empirical_vs_hessian", "Empirical Fisher versus observed information, minus the Hessian "
                                           "(logistic regression)")
    d = d.add(
        Step("The per-example score of logistic regression, derived from the log-likelihood.",
             r"differentiate $\log f(y \mid x; w)$ in $w$", sp.Function("g")(yv, *ws), (L.score,)),
        Step("The per-example Hessian; it does not involve the label y.", "differentiate the score",
             sp.Function("H")(*ws), (L.hessian,)),
        Step(r"The Fisher information of one example is $E_{y}[g g^{\mathsf{T}}] = -E_{y}[H] = "
             r"\sigma(w^{\mathsf{T}} x)(1 - \sigma(w^{\mathsf{T}} x)) x x^{\mathsf{T}}$.",
             r"$E[(y - p)^{2} \mid x] = p(1 - p)$ with $p = \sigma(w^{\mathsf{T}} x)$", sp.Function("I")(*ws), (L.fisher,)),
        Step(f"On {X.shape[0]} seeded rows at the true weights w = {tuple(float(v) for v in w)}, the empirical "
             "Fisher (mean of g_i g_i^T) is", "evaluate the derived score formula on every row",
             sp.Symbol("F_emp"), (_matrix(emp),)),
        Step("and the observed information, minus the Hessian (mean of p_i (1 - p_i) x_i x_i^T), is",
             "evaluate the derived Hessian formula on every row and change its sign",
             sp.Symbol("J_obs"), (_matrix(hess),)),
        Step("Their Frobenius distance is nonzero on finite data.", r"$\lVert F_{\mathrm{emp}} - J_{\mathrm{obs}} \rVert_{F}$",
             sp.Symbol("Delta"), (sp.Float(gap, 6),)),
        Step("Averaging the empirical Fisher over labels drawn from the model gives the observed information exactly.",
             r"sum over $y \in \{0, 1\}$ with $P(y = 1 \mid x) = \sigma(w^{\mathsf{T}} x)$", sp.Function("E_y")(sp.Symbol("F_emp")),
             (_matrix(expected),)),
    )
    d = d.note(EXPLANATION_7).check(*checks).with_result(sp.Float(gap, 15))
    d.extras.update(empirical=emp, hessian=hess, gap=gap)
    return EmpiricalVsHessian(X, y, w, emp, hess, fish, xtwx, expected, gap, d, checks)


# -- exercise 8 ---------------------------------------------------------------------------

def _point(v) -> str:
    """A numeric vector as a reader writes it: ``(1.5, -0.2)``, never ``np.float64(1.5)``."""
    return "(" + ", ".join(f"{float(x):.6g}" for x in np.ravel(v)) + ")"


def ewc_penalty(w, w_star, fisher_diag) -> np.ndarray:
    """``1/2 sum_i F_i (w_i - w*_i)^2``; ``w`` may be one point or rows of points."""
    w = np.asarray(w, dtype=float)
    w_star = np.asarray(w_star, dtype=float)
    F = np.asarray(fisher_diag, dtype=float)
    if w.shape[-1] != w_star.shape[-1] or F.shape[-1] != w_star.shape[-1]:
        raise ValueError(f"dimension mismatch: w {w.shape}, w* {w_star.shape}, F {F.shape}")
    return 0.5 * np.sum(F * (w - w_star) ** 2, axis=-1)


@dataclass(frozen=True)
class EWCResult:
    X: np.ndarray
    y: np.ndarray
    task_weights: np.ndarray
    fisher_diag: np.ndarray  # diagonal of the derived Fisher on the task data (the importance)
    empirical_diag: np.ndarray  # diagonal of the empirical Fisher (mean squared gradients), for comparison
    moves: tuple  # the new weight vectors
    penalties: np.ndarray  # one per move
    derivation: Derivation
    checks: tuple

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)


def ewc_importance(n: int, task_weights, seed: int, moves, kind: str = "fisher", X=None, y=None) -> EWCResult:
    """Exercise 8: EWC importance from the diagonal Fisher of a first task, and the penalty of moves.

    ``kind`` is ``"fisher"`` (the derived sigma(1 - sigma) x_j^2 averaged over the task's rows)
    or ``"empirical"`` (mean squared per-example gradients). The checks: the larger move (the
    last of ``moves``, by Euclidean length) costs more than the smaller one, and the penalty
    equals the derived quadratic form.
    """
    if kind not in ("fisher", "empirical"):
        raise ValueError(f"kind must be 'fisher' or 'empirical', got {kind!r}")
    w_star = np.asarray(task_weights, dtype=float)
    if X is None or y is None:
        X, y = simulate_logistic(n, w_star, seed)
    X, y, w_star = _check_xy(X, y, w_star)
    F = np.diagonal(fisher_on_data(X, w_star)).copy()
    Femp = np.diagonal(empirical_fisher(X, y, w_star)).copy()
    importance = F if kind == "fisher" else Femp
    mv = np.asarray(moves, dtype=float)
    pen = ewc_penalty(mv, w_star, importance)
    dist = np.linalg.norm(mv - w_star, axis=-1)
    order = np.argsort(dist)
    small, large = int(order[0]), int(order[-1])
    k = w_star.shape[0]
    Fi = sp.symbols(f"F_1:{k + 1}", positive=True)
    wi = sp.symbols(f"w_1:{k + 1}", real=True)
    wsi = sp.symbols(f"wstar_1:{k + 1}", real=True)
    quad = sp.Rational(1, 2) * sp.Add(*[f * (a - b) ** 2 for f, a, b in zip(Fi, wi, wsi)])
    qf = NumericFunction.build(quad, tuple(s.name for s in Fi + wi + wsi))
    pen_sym = np.array([float(qf(*importance, *m, *w_star)) for m in mv])
    checks = (
        _flag("the larger move costs more than the smaller one", bool(pen[large] > pen[small]),
              f"penalty {pen[large]:.6g} for {_point(mv[large])} vs {pen[small]:.6g} for {_point(mv[small])}"),
        Check("penalty from the derived formula ½ Σᵢ Fᵢ (wᵢ − w*ᵢ)² (largest difference)",
              float(np.max(np.abs(pen - pen_sym))), 0.0, 1e-12),
        _flag("the importances are positive", bool(np.all(importance > 0)), f"F = {_point(importance)}"),
    )
    L = logistic_formulas(k)
    d = Derivation("ewc", "Elastic weight consolidation: importance from the diagonal Fisher")
    d = d.add(
        Step("The Fisher information of one example of the first task (derived):", "E_y[g g^T]",
             sp.Function("I")(*L.weights), (L.fisher,)),
        Step(f"Its diagonal averaged over the task's {X.shape[0]} rows at w* = {tuple(float(v) for v in w_star)} "
             "gives each weight's importance.",
             "diagonal Fisher" if kind == "fisher" else "diagonal empirical Fisher (mean squared gradients)",
             sp.Symbol("F"), (_matrix(importance),)),
        Step("The EWC penalty keeps important weights near their first-task values.",
             "a quadratic approximation of the first task's log-likelihood around w*", sp.Symbol("Omega"), (quad,)),
        *[Step(f"Move to w = {tuple(float(v) for v in m)}.", "evaluate the penalty", sp.Symbol("Omega"),
               (sp.Float(float(pv), 6),)) for m, pv in zip(mv, pen)],
    )
    d = d.note("A move along a high-importance coordinate is expensive; the larger move away from w* "
               "costs more than the small one.").check(*checks).with_result(_matrix(pen))
    return EWCResult(X, y, w_star, F, Femp, tuple(map(tuple, mv)), pen, d, checks)


# -- exercise 10 --------------------------------------------------------------------------

@dataclass(frozen=True)
class NaturalGradientStep:
    g: np.ndarray
    F: np.ndarray
    eta: float
    natural: np.ndarray  # -eta F^{-1} g
    plain: np.ndarray  # -eta g
    ratio: np.ndarray  # |natural| / |plain|, coordinate-wise
    derivation: Derivation
    checks: tuple

    @property
    def damped(self) -> np.ndarray:
        return self.ratio < 1

    @property
    def amplified(self) -> np.ndarray:
        return self.ratio > 1

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)


def _exact(v):
    return sp.Rational(repr(float(v))) if float(v) != int(v) else sp.Integer(int(v))


def natural_gradient_step(g, F, eta: float) -> NaturalGradientStep:
    """Exercise 10: the natural step ``-eta F^{-1} g`` against the ordinary ``-eta g``.

    ``F`` is a matrix or the diagonal of one. For a diagonal F the natural step divides
    coordinate i by F_ii: damped where F_ii > 1 (high curvature), amplified where F_ii < 1.
    """
    g = np.asarray(g, dtype=float).reshape(-1)
    F = np.asarray(F, dtype=float)
    if F.ndim == 1:
        F = np.diag(F)
    if F.shape != (g.shape[0], g.shape[0]):
        raise ValueError(f"F must be {g.shape[0]}x{g.shape[0]} (or its diagonal), got shape {F.shape}")
    if eta <= 0:
        raise ValueError(f"the step size eta must be positive, got {eta}")
    natural = -eta * np.linalg.solve(F, g)
    plain = -eta * g
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.abs(natural) / np.abs(plain)
    k = g.shape[0]
    # the same step in exact arithmetic, as the derivation shows it
    Fs, gs, es = sp.Matrix(k, k, lambda i, j: _exact(F[i, j])), sp.Matrix([_exact(v) for v in g]), _exact(eta)
    nat_exact = -es * Fs.inv() * gs
    checks = [Check("natural step = exact -eta F^{-1} g (max difference)",
                    float(np.max(np.abs(natural - np.array([float(v) for v in nat_exact])))), 0.0, 1e-12)]
    diag = np.allclose(F, np.diag(np.diagonal(F)))
    for i in range(k):
        if diag:
            want = "damped" if F[i, i] > 1 else "amplified" if F[i, i] < 1 else "unchanged"
            got = "damped" if ratio[i] < 1 else "amplified" if ratio[i] > 1 else "unchanged"
            checks.append(_flag(f"coordinate {i + 1} is {want} (F_{i + 1}{i + 1} = {F[i, i]:g})", got == want,
                                f"natural {natural[i]:.6g} vs plain {plain[i]:.6g}, ratio {ratio[i]:.6g}"))
            checks.append(Check(f"coordinate {i + 1}: |natural| / |plain| = 1/F_{i + 1}{i + 1}", float(ratio[i]),
                                1 / F[i, i], 1e-12))
    eta_s, Fsym, gsym = sp.Symbol("eta", positive=True), sp.MatrixSymbol("F", k, k), sp.MatrixSymbol("g", k, 1)
    d = Derivation("natural_gradient", "Natural gradient step versus the ordinary gradient step")
    d = d.add(
        Step("The natural gradient preconditions the gradient by the inverse Fisher information.",
             "steepest descent in the Fisher metric", sp.Symbol("Delta_nat"), (-eta_s * Fsym.I * gsym,)),
        Step("The ordinary step:", "steepest descent in the Euclidean metric", sp.Symbol("Delta"), (-eta_s * gsym,)),
        Step("With the given numbers, the natural step is", "substitute g, F and eta",
             sp.Symbol("Delta_nat"), (sp.MatMul(-es, sp.ImmutableMatrix(Fs.inv()), sp.ImmutableMatrix(gs), evaluate=False), nat_exact)),
        Step("and the ordinary step is", "substitute g and eta", sp.Symbol("Delta"), (-es * gs,)),
    )
    d = d.note("High-curvature (large Fisher) coordinates are damped and low-curvature ones amplified: the step is "
               "measured in the model's own geometry, so it moves the distribution by about the same amount in "
               "every direction.").check(*checks).with_result(nat_exact)
    return NaturalGradientStep(g, F, float(eta), natural, plain, ratio, d, tuple(checks))
