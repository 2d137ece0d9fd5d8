"""Plain-SymPy baseline: Fisher information of the catalog models the way a
competent user would derive it without symfisher.

For every model three naive routes are tried (see /work/shared/PLAIN_SYMPY.md):

``stats_score``        ``sympy.stats.E`` of the outer product of the score, E[s s^T]
``stats_hessian``      ``sympy.stats.E`` of minus the Hessian of log f, -E[H]
``integrate_hessian``  plain ``integrate`` / ``summation`` of density * (-H) over the support

Each (model, route) attempt runs in its own subprocess (this file run with
``--child MODEL ROUTE``) under a wall-clock cap and is killed on timeout.  The
result is compared with the Fisher matrix known from the literature
(``PlainModel.known``): ``simplify`` of the difference under a short time
limit, else numerically at seeded random points inside the parameter domains.

Status of an attempt: ``ok`` (closed form equal to the literature matrix),
``wrong`` (closed form, not equal), ``unevaluated`` (an Integral / Sum /
Expectation is left in the result at points inside the domain), ``timeout``
(killed at the cap), ``error`` (SymPy raised).

Public API (for the symfisher side of the comparison):

``PLAIN_MODELS``                     tuple of PlainModel (name, params, constants, known Fisher, ...)
``MODELS_BY_NAME``                   name -> PlainModel
``ROUTES``                           the three route names
``run_plain(models, cap, jobs)``     run the baseline, returns rows
                                     {model, route, status, seconds, detail, result}
``compare_to_known(name, matrix)``   compare any Fisher matrix with the literature one
                                     -> (status, detail) with status ok / wrong / unevaluated
``verify_literature(models)``        numeric (SciPy quadrature / exact sums) check of the
                                     literature matrices themselves
``format_table(rows)``, ``summarize(rows)``
                                     table model x route and success counts; rows of any
                                     other route name (e.g. "symfisher") get their own column.

CLI::

    python benchmarks/plain_sympy.py [--cap S] [--jobs N] [--models a,b] [--json out.json] [--fresh]
    python benchmarks/plain_sympy.py --verify-literature [--models a,b]
"""
import argparse
import json
import os
import queue
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable

import sympy as sp
from sympy import stats as st

HERE = os.path.dirname(os.path.abspath(__file__))
CACHE_PATH = os.path.join(HERE, ".plain_cache.json")
# Bump when the model table or the routes change, so that cached rows are not reused.
# 3: log f is expanded with expand_log(force=True) before differentiating (a careful user's first step),
#    and the clock starts before the density is built (symfisher's clock includes building its model).
BASELINE_VERSION = 3
ROUTES = ("stats_score", "stats_hessian", "integrate_hessian")
VERIFY_CAP = 8.0  # seconds for the symbolic comparison (simplify) of a finished result
VERIFY_BACKSTOP = 90.0  # parent-side kill if verification of a finished result hangs
_MSG = "@@PLAIN@@ "
_UNEVALUATED = (sp.Integral, sp.Sum, sp.Product, sp.Derivative, sp.Limit,
                st.Expectation, st.Probability)


# --------------------------------------------------------------------------- models

@dataclass(frozen=True)
class Setup:
    """What a user has after typing the model: data symbols, density, RVs, support."""
    x: tuple            # data symbols
    f: sp.Expr          # density or pmf in the data symbols
    rv: tuple           # random variables standing for x in sympy.stats routes
    limits: tuple       # ((x, lo, hi), ...) for integrate / summation
    discrete: bool


@dataclass(frozen=True)
class PlainModel:
    name: str
    params: tuple                      # estimated parameters, in Fisher-matrix order
    constants: tuple                   # known constants (symbolic)
    known: sp.Matrix                   # Fisher information from the literature
    build: Callable[[], Setup]
    domains: dict                      # Symbol -> ("real"|"int", lo, hi) for numeric checks
    joint: Callable[[random.Random], dict] | None = None   # sampler for constrained domains
    note: str = ""

    def sample(self, rng: random.Random) -> dict:
        pt = {}
        for s, (kind, lo, hi) in self.domains.items():
            pt[s] = sp.Integer(rng.randint(lo, hi)) if kind == "int" else \
                sp.Float(rng.uniform(lo, hi), 20)
        if self.joint is not None:
            pt.update(self.joint(rng))
        return pt


def _pos(n):
    return sp.Symbol(n, positive=True)


def _real(n):
    return sp.Symbol(n, real=True)


_POS = ("real", 0.5, 3.0)
_REAL = ("real", -2.0, 2.0)
_UNIT = ("real", 0.15, 0.85)
_EG = sp.EulerGamma


def _continuous(rv, x, lo, hi):
    return Setup((x,), st.density(rv)(x), (rv,), ((x, lo, hi),), False)


def _make_models() -> tuple:
    M = sp.Matrix
    tg = lambda z: sp.polygamma(1, z)  # noqa: E731  trigamma
    models = []

    def add(name, params, constants, known, build, domains, joint=None, note=""):
        models.append(PlainModel(name, tuple(params), tuple(constants), M(known), build,
                                 domains, joint, note))

    # --- discrete ---------------------------------------------------------------
    p = _pos("p")
    xn = sp.Symbol("x", integer=True, nonnegative=True)
    xp = sp.Symbol("x", integer=True, positive=True)

    add("bernoulli", [p], [], [[1 / (p * (1 - p))]],
        lambda: Setup((xn,), p**xn * (1 - p)**(1 - xn), (st.Bernoulli("X", p),),
                      ((xn, 0, 1),), True),
        {p: _UNIT}, note="pmf p**x*(1-p)**(1-x) typed by hand (density(Bernoulli) is a dict)")

    n = sp.Symbol("n", integer=True, positive=True)
    add("binomial", [p], [n], [[n / (p * (1 - p))]],
        lambda: Setup((xn,), sp.binomial(n, xn) * p**xn * (1 - p)**(n - xn),
                      (st.Binomial("X", n, p),), ((xn, 0, n),), True),
        {p: _UNIT, n: ("int", 1, 12)}, note="n a symbolic positive integer")

    lam = _pos("lam")

    def b_poisson():
        X = st.Poisson("X", lam)
        return Setup((xn,), st.density(X)(xn), (X,), ((xn, 0, sp.oo),), True)
    add("poisson", [lam], [], [[1 / lam]], b_poisson, {lam: _POS})

    def b_geometric():
        X = st.Geometric("X", p)
        return Setup((xp,), st.density(X)(xp), (X,), ((xp, 1, sp.oo),), True)
    add("geometric", [p], [], [[1 / (p**2 * (1 - p))]], b_geometric, {p: _UNIT},
        note="support 1..oo, pmf p*(1-p)**(x-1)")

    r = sp.Symbol("r", integer=True, positive=True)

    def b_negbin():
        X = st.NegativeBinomial("X", r, p)
        return Setup((xn,), st.density(X)(xn), (X,), ((xn, 0, sp.oo),), True)
    add("negative_binomial", [p], [r], [[r / (p**2 * (1 - p))]], b_negbin,
        {p: _UNIT, r: ("int", 1, 6)},
        note="SymPy 1.14 / SciPy convention: failures before the r-th success, "
             "pmf binomial(x+r-1, x)*p**r*(1-p)**x")

    p1, p2 = _pos("p_1"), _pos("p_2")
    p3 = 1 - p1 - p2

    def b_categorical():
        f = sp.Piecewise((p1, sp.Eq(xn, 0)), (p2, sp.Eq(xn, 1)), (p3, True))
        X = st.FiniteRV("X", {0: p1, 1: p2, 2: p3})
        return Setup((xn,), f, (X,), ((xn, 0, 2),), True)

    def j_categorical(rng):
        while True:
            e = [rng.expovariate(1.0) for _ in range(3)]
            w = [v / sum(e) for v in e]
            if min(w) > 0.05:
                return {p1: sp.Float(w[0], 20), p2: sp.Float(w[1], 20)}
    add("categorical", [p1, p2], [],
        [[1 / p1 + 1 / p3, 1 / p3], [1 / p3, 1 / p2 + 1 / p3]], b_categorical, {},
        joint=j_categorical, note="K=3, x in {0,1,2}, p3 = 1-p1-p2, pmf as a Piecewise")

    # --- continuous, one or two parameters ---------------------------------------
    xr = sp.Symbol("x", real=True)
    xpos = sp.Symbol("x", positive=True)
    mu, sigma = _real("mu"), _pos("sigma")

    add("exponential", [lam], [], [[1 / lam**2]],
        lambda: _continuous(st.Exponential("X", lam), xpos, 0, sp.oo), {lam: _POS},
        note="rate lam")
    add("normal_mean", [mu], [sigma], [[1 / sigma**2]],
        lambda: _continuous(st.Normal("X", mu, sigma), xr, -sp.oo, sp.oo),
        {mu: _REAL, sigma: _POS})
    v = _pos("v")
    add("normal_variance", [v], [mu], [[1 / (2 * v**2)]],
        lambda: _continuous(st.Normal("X", mu, sp.sqrt(v)), xr, -sp.oo, sp.oo),
        {mu: _REAL, v: _POS}, note="v = sigma**2, mu known")
    add("normal", [mu, sigma], [], [[1 / sigma**2, 0], [0, 2 / sigma**2]],
        lambda: _continuous(st.Normal("X", mu, sigma), xr, -sp.oo, sp.oo),
        {mu: _REAL, sigma: _POS})

    m1, m2 = _real("mu_1"), _real("mu_2")
    s11, s22, s12 = _pos("sigma_11"), _pos("sigma_22"), _real("sigma_12")
    Sig = M([[s11, s12], [s12, s22]])
    x1, x2 = _real("x1"), _real("x2")

    def b_mvn():
        X = st.MultivariateNormal("X", [m1, m2], Sig)
        return Setup((x1, x2), st.density(X)(x1, x2), (X[0], X[1]),
                     ((x1, -sp.oo, sp.oo), (x2, -sp.oo, sp.oo)), False)

    def j_mvn(rng):
        a, b = rng.uniform(0.5, 3.0), rng.uniform(0.5, 3.0)
        rho = rng.uniform(-0.8, 0.8)
        return {s11: sp.Float(a, 20), s22: sp.Float(b, 20),
                s12: sp.Float(rho * (a * b) ** 0.5, 20)}
    add("mvn_mean", [m1, m2], [s11, s12, s22], Sig.inv().applyfunc(sp.simplify), b_mvn,
        {m1: _REAL, m2: _REAL}, joint=j_mvn,
        note="d=2, covariance [[sigma_11, sigma_12], [sigma_12, sigma_22]] known; stats routes via "
             "MultivariateNormal, integrate route a double integral over R^2")

    a, b = _pos("a"), _pos("b")
    add("gamma", [a, b], [], [[tg(a), -1 / b], [-1 / b, a / b**2]],
        lambda: _continuous(st.Gamma("X", a, 1 / b), xpos, 0, sp.oo), {a: _POS, b: _POS},
        note="shape a, rate b")
    add("beta", [a, b], [],
        [[tg(a) - tg(a + b), -tg(a + b)], [-tg(a + b), tg(b) - tg(a + b)]],
        lambda: _continuous(st.Beta("X", a, b), xpos, 0, 1), {a: _POS, b: _POS})
    add("laplace", [mu, b], [], [[1 / b**2, 0], [0, 1 / b**2]],
        lambda: _continuous(st.Laplace("X", mu, b), xr, -sp.oo, sp.oo), {mu: _REAL, b: _POS},
        note="not differentiable at x = mu: the Hessian routes meet DiracDelta")
    k = _pos("k")
    add("weibull", [lam, k], [],
        [[k**2 / lam**2, -(1 - _EG) / lam],
         [-(1 - _EG) / lam, (sp.pi**2 / 6 + (1 - _EG)**2) / k**2]],
        lambda: _continuous(st.Weibull("X", lam, k), xpos, 0, sp.oo), {lam: _POS, k: _POS},
        note="scale lam, shape k")
    add("lognormal", [mu, sigma], [], [[1 / sigma**2, 0], [0, 2 / sigma**2]],
        lambda: _continuous(st.LogNormal("X", mu, sigma), xpos, 0, sp.oo),
        {mu: _REAL, sigma: _POS})
    add("rayleigh", [sigma], [], [[4 / sigma**2]],
        lambda: _continuous(st.Rayleigh("X", sigma), xpos, 0, sp.oo), {sigma: _POS})
    alpha, xm = _pos("alpha"), _pos("xm")
    add("pareto", [alpha], [xm], [[1 / alpha**2]],
        lambda: Setup((xpos,), st.density(st.Pareto("X", xm, alpha))(xpos),
                      (st.Pareto("X", xm, alpha),), ((xpos, xm, sp.oo),), False),
        {alpha: _POS, xm: _POS}, note="shape alpha, scale xm known")
    x0, gam = _real("mu"), _pos("sigma")
    add("cauchy", [x0, gam], [], [[1 / (2 * gam**2), 0], [0, 1 / (2 * gam**2)]],
        lambda: _continuous(st.Cauchy("X", x0, gam), xr, -sp.oo, sp.oo),
        {x0: _REAL, gam: _POS}, note="location mu (x0), scale sigma (gamma)")
    nu = _pos("nu")

    def b_student():
        z = (xr - mu) / sigma
        f = (sp.gamma((nu + 1) / 2) / (sp.sqrt(nu * sp.pi) * sigma * sp.gamma(nu / 2))
             * (1 + z**2 / nu) ** (-(nu + 1) / 2))
        X = st.ContinuousRV(xr, f, set=sp.Interval(-sp.oo, sp.oo))
        return Setup((xr,), f, (X,), ((xr, -sp.oo, sp.oo),), False)
    add("student_t", [mu, sigma], [nu],
        [[(nu + 1) / ((nu + 3) * sigma**2), 0], [0, 2 * nu / ((nu + 3) * sigma**2)]],
        b_student, {mu: _REAL, sigma: _POS, nu: ("real", 0.5, 8.0)},
        note="location mu, scale sigma, nu known symbolic; ContinuousRV (sympy.stats "
             "StudentT has no location/scale)")
    s = _pos("s")
    add("logistic", [mu, s], [],
        [[1 / (3 * s**2), 0], [0, (sp.pi**2 + 3) / (9 * s**2)]],
        lambda: _continuous(st.Logistic("X", mu, s), xr, -sp.oo, sp.oo), {mu: _REAL, s: _POS})
    add("inverse_gaussian", [mu, lam], [], [[lam / mu**3, 0], [0, 1 / (2 * lam**2)]],
        lambda: _continuous(st.GaussianInverse("X", mu, lam), xpos, 0, sp.oo),
        {mu: ("real", 0.5, 3.0), lam: _POS}, note="mean mu, shape lam (mu > 0 here)")
    bet = _pos("sigma")
    add("gumbel", [mu, bet], [],
        [[1 / bet**2, (_EG - 1) / bet**2],
         [(_EG - 1) / bet**2, ((1 - _EG)**2 + sp.pi**2 / 6) / bet**2]],
        lambda: _continuous(st.Gumbel("X", bet, mu), xr, -sp.oo, sp.oo),
        {mu: _REAL, bet: _POS}, note="maximum Gumbel, location mu, scale sigma (beta)")

    # --- logistic regression -------------------------------------------------------
    w1, w2, f1, f2 = _real("w_1"), _real("w_2"), _real("x_1"), _real("x_2")
    yv = sp.Symbol("y", integer=True, nonnegative=True)
    eta = w1 * f1 + w2 * f2
    sig = 1 / (1 + sp.exp(-eta))

    def b_logreg():
        f = sig**yv * (1 - sig)**(1 - yv)
        return Setup((yv,), f, (st.Bernoulli("Y", sig),), ((yv, 0, 1),), True)
    known_lr = sig * (1 - sig) * M([[f1**2, f1 * f2], [f1 * f2, f2**2]])
    add("logistic_regression", [w1, w2], [f1, f2], known_lr, b_logreg,
        {w1: _REAL, w2: _REAL, f1: _REAL, f2: _REAL},
        note="y in {0,1}, P(y=1) = 1/(1+exp(-(w_1*x_1+w_2*x_2))), features x_1, x_2 fixed symbols")
    return tuple(models)


PLAIN_MODELS = _make_models()
MODELS_BY_NAME = {m.name: m for m in PLAIN_MODELS}


# --------------------------------------------------------------------------- routes

def careful_log(f):
    """log f as a careful user writes it before differentiating: logs of products and powers split,
    ``expand_log(log(f), force=True)`` (the step our own literature check takes too)."""
    return sp.expand_log(sp.log(f), force=True)


def score_hessian(logf, params):
    """The score and Hessian of a log-density by plain ``sp.diff``."""
    score = [sp.diff(logf, t) for t in params]
    hess = [[sp.diff(score[i], params[j]) for j in range(len(params))] for i in range(len(params))]
    return score, hess


def _score_hessian(model: PlainModel, setup: Setup):
    return score_hessian(careful_log(setup.f), model.params)


def _to_rv(expr, setup: Setup):
    return expr.subs(dict(zip(setup.x, setup.rv)), simultaneous=True)


def route_entries(model: PlainModel, route: str, setup: Setup):
    """Yield ((i, j), closure) for the upper triangle of the Fisher matrix by `route`."""
    score, hess = _score_hessian(model, setup)
    d = len(model.params)
    for i in range(d):
        for j in range(i, d):
            if route == "stats_score":
                yield (i, j), (lambda i=i, j=j: st.E(_to_rv(score[i] * score[j], setup)))
            elif route == "stats_hessian":
                yield (i, j), (lambda i=i, j=j: st.E(_to_rv(-hess[i][j], setup)))
            elif route == "integrate_hessian":
                op = sp.summation if setup.discrete else sp.integrate
                yield (i, j), (lambda i=i, j=j: op(setup.f * (-hess[i][j]), *setup.limits))
            else:
                raise ValueError(f"unknown route {route!r}")


# --------------------------------------------------------------------------- comparison

class _TimeUp(BaseException):
    """Raised by the alarm; a BaseException so that SymPy's `except Exception` lets it pass."""


class _time_limit:
    def __init__(self, seconds):
        self.seconds = seconds
        self.active = (seconds and threading.current_thread() is threading.main_thread()
                       and hasattr(signal, "setitimer"))

    def _handler(self, *_):
        raise _TimeUp()

    def __enter__(self):
        if self.active:
            self.old = signal.signal(signal.SIGALRM, self._handler)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(self, *exc):
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.old)
        return False


def _num(expr):
    val = sp.N(expr, 30)
    if val.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or val.free_symbols:
        raise ValueError(f"not a finite number: {val}")
    return complex(val)


def compare_to_known(name: str, matrix, symbolic_cap: float = VERIFY_CAP, points: int = 3,
                     seed: int = 12345, params=None) -> tuple:
    """Compare `matrix` (anything sympy.Matrix accepts, in the model's parameter order)
    with the literature Fisher matrix of model `name`.

    Returns (status, detail): status "ok" (equal; detail says "symbolic" or "numeric"),
    "wrong" (detail names the first differing entry) or "unevaluated" (an Integral / Sum /
    Expectation remains at points inside the domain).  Symbols are matched by name, so a
    matrix built with differently-assumed symbols compares correctly.

    params: names of the parameters `matrix` is in, when they are a subset or a reordering
    of the model's (e.g. ["mu"] for a Student-t with sigma known): the matching principal
    submatrix of the literature matrix is used (Fisher information of a subset of the
    parameters with the others known).
    """
    model = MODELS_BY_NAME[name]
    known = model.known
    if params is not None:
        order = [str(t) for t in model.params]
        idx = [order.index(str(t)) for t in params]
        known = known.extract(idx, idx)
    rng = random.Random(seed)
    pts = [model.sample(rng) for _ in range(points)]
    return compare_matrices(matrix, known, pts, set(model.params) | set(model.constants), symbolic_cap)


def compare_matrices(matrix, known, pts, symbols=(), symbolic_cap: float = VERIFY_CAP) -> tuple:
    """(status, detail) of `matrix` against the literature matrix `known` (see `compare_to_known`),
    symbols matched by name; `pts` are the numeric points {Symbol: value} of the domain."""
    known = sp.Matrix(known)
    res = sp.Matrix(matrix)
    if res.shape != known.shape:
        return "wrong", f"shape {res.shape} != {known.shape}"
    by_name = {str(s): s for s in known.free_symbols | set(symbols)}
    res = res.subs({s: by_name[str(s)] for s in res.free_symbols if str(s) in by_name
                    and by_name[str(s)] != s}, simultaneous=True)
    d = known.shape[0]
    cells = [(i, j) for i in range(d) for j in range(d)]
    # unevaluated? (checked at domain points, so Piecewise conditions are resolved)
    uneval = []
    for (i, j) in cells:
        if not res[i, j].has(*_UNEVALUATED):
            continue
        if any(res[i, j].subs(pt).has(*_UNEVALUATED) for pt in pts):
            uneval.append(f"[{i},{j}]")
    if uneval:
        return "unevaluated", "unevaluated entries " + ",".join(uneval)
    pending = list(cells)
    how = "symbolic"
    try:
        with _time_limit(symbolic_cap):
            for c in list(pending):
                if sp.simplify(res[c] - known[c]) == 0:
                    pending.remove(c)
    except _TimeUp:
        pass
    if pending:
        how = "numeric"
    for (i, j) in pending:
        for pt in pts:
            try:
                with _time_limit(symbolic_cap):
                    got = _num(res[i, j].subs(pt))
                    want = _num(known[i, j].subs(pt))
            except _TimeUp:
                return "unevaluated", f"[{i},{j}] could not be evaluated numerically in time"
            except Exception as e:  # noqa: BLE001
                return "wrong", f"[{i},{j}] not numeric at a domain point: {e}"[:300]
            if abs(got - want) > 1e-8 * max(1.0, abs(want)):
                return "wrong", f"[{i},{j}] = {got:.12g} != {want:.12g} at " \
                                f"{ {str(k_): float(v_) for k_, v_ in pt.items()} }"[:400]
    if any(res[c].has(sp.Piecewise) for c in cells):
        how += ", Piecewise (first branch under the domain)"
    return "ok", how


# --------------------------------------------------------------------------- child process

def _emit(**msg):
    sys.stdout.write(_MSG + json.dumps(msg) + "\n")
    sys.stdout.flush()


def timed_child(entries, check) -> int:
    """The child's side of `run_attempts`: ``entries()`` (inside the clock) returns the matrix size d and the
    ((i, j), closure) pairs of its upper triangle; ``check(matrix)`` -> (status, detail) runs after the clock."""
    _emit(ev="start")
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        d, pairs = entries()
        out = [[None] * d for _ in range(d)]
        for (i, j), fn in pairs:
            out[i][j] = out[j][i] = fn()
            _emit(ev="entry", i=i, j=j, t=time.perf_counter() - t0)
    except Exception as e:  # noqa: BLE001
        _emit(ev="error", seconds=time.perf_counter() - t0, detail=f"{type(e).__name__}: {e}"[:400])
        return 0
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    res = sp.Matrix(out)
    _emit(ev="derived", seconds=secs, cpu=cpu, result=str(res.tolist())[:2000])
    try:
        status, detail = check(res)
    except Exception as e:  # noqa: BLE001
        status, detail = "error", f"verification failed: {type(e).__name__}: {e}"[:400]
    _emit(ev="done", status=status, detail=detail)
    return 0


def _child(name: str, route: str) -> int:
    model = MODELS_BY_NAME[name]

    def entries():
        # the density is built and the score and Hessian differentiated inside the clock, as symfisher's are
        return len(model.params), list(route_entries(model, route, model.build()))
    return timed_child(entries, lambda res: compare_to_known(name, res))


# --------------------------------------------------------------------------- parent / pool

@dataclass
class _Attempt:
    model: str
    route: str
    proc: subprocess.Popen | None = None
    errfile: object = None
    spawned: float = 0.0
    started: float | None = None
    deadline: float = 0.0
    derived: dict | None = None
    entries: list = field(default_factory=list)
    row: dict | None = None


def _reader(att: _Attempt, q: queue.Queue):
    for line in att.proc.stdout:
        if line.startswith(_MSG):
            try:
                q.put((att, json.loads(line[len(_MSG):])))
            except json.JSONDecodeError:
                pass
    q.put((att, {"ev": "eof"}))


def _kill(att: _Attempt):
    if att.proc and att.proc.poll() is None:
        try:
            os.killpg(att.proc.pid, signal.SIGKILL)  # the child's own session/group
        except (ProcessLookupError, PermissionError):
            att.proc.kill()
    if att.proc:
        att.proc.wait()


def _stderr_tail(att: _Attempt) -> str:
    try:
        att.errfile.seek(0)
        txt = att.errfile.read().decode(errors="replace").strip().splitlines()
        return " | ".join(txt[-3:])[:400]
    except Exception:  # noqa: BLE001
        return ""


def _finish(att: _Attempt, status: str, seconds: float, detail: str, result=None, extra=None):
    att.row = {"model": att.model, "route": att.route, "status": status,
               "seconds": round(float(seconds), 4), "detail": detail, "result": result, **(extra or {})}


def run_attempts(pairs: list, cap: float, jobs: int, log=None, argv=None) -> list:
    """Run (model, route) attempts, each in its own process under the cap, `jobs` at once.

    argv(model, route) is the child's command line (default: this file with ``--child MODEL ROUTE``);
    the child speaks the `_emit` protocol: ``start`` when its clock starts, ``entry`` per finished entry,
    ``derived`` with the seconds and result, ``done`` with the verdict of the check. Rows come back
    {model, route, status, seconds, detail, result}."""
    argv = argv or (lambda m, r: [sys.executable, os.path.abspath(__file__), "--child", m, r])
    q: queue.Queue = queue.Queue()
    todo = [_Attempt(m, r) for m, r in pairs]
    running: list[_Attempt] = []
    done: list[_Attempt] = []
    while todo or running:
        while todo and len(running) < max(1, jobs):
            att = todo.pop(0)
            att.errfile = tempfile.TemporaryFile()
            att.proc = subprocess.Popen(
                argv(att.model, att.route),
                stdout=subprocess.PIPE, stderr=att.errfile, stdin=subprocess.DEVNULL,
                text=True, start_new_session=True,
                env={**os.environ, "PYTHONHASHSEED": "0"})
            att.spawned = time.monotonic()
            att.deadline = att.spawned + cap + 60.0  # import + setup allowance until "start"
            threading.Thread(target=_reader, args=(att, q), daemon=True).start()
            running.append(att)
        try:
            att, msg = q.get(timeout=0.2)
        except queue.Empty:
            att, msg = None, None
        now = time.monotonic()
        if att is not None and att.row is None:
            ev = msg["ev"]
            if ev == "start":
                att.started = now
                att.deadline = now + cap
            elif ev == "entry":
                att.entries.append(f"[{msg['i']},{msg['j']}] {msg['t']:.2f}s")
            elif ev == "error":
                _finish(att, "error", msg["seconds"], msg["detail"])
            elif ev == "derived":
                att.derived = msg
                att.deadline = now + VERIFY_BACKSTOP
            elif ev == "done":
                extra = dict(msg.get("extra") or {})
                if "cpu" in att.derived:
                    extra["cpu"] = round(float(att.derived["cpu"]), 4)
                _finish(att, msg["status"], att.derived["seconds"], msg["detail"], att.derived["result"], extra)
            elif ev == "eof":
                if att.derived:
                    _finish(att, "error", att.derived["seconds"],
                            "verification crashed: " + _stderr_tail(att),
                            att.derived["result"])
                else:
                    att.proc.wait()
                    _finish(att, "error", now - (att.started or att.spawned),
                            f"child exited {att.proc.returncode}: {_stderr_tail(att)}")
        for a in running:
            if a.row is None and now > a.deadline:
                if a.derived:
                    _finish(a, "error", a.derived["seconds"],
                            "verification of the result did not finish", a.derived["result"])
                elif a.started is None:
                    _finish(a, "error", now - a.spawned, "child did not start")
                else:
                    done_e = "; done: " + ", ".join(a.entries) if a.entries else ""
                    _finish(a, "timeout", cap, f"killed at the {cap:g} s cap{done_e}")
        for a in [a for a in running if a.row is not None]:
            _kill(a)
            a.errfile.close()
            running.remove(a)
            done.append(a)
            if log:
                r = a.row
                log(f"{r['model']:>20} {r['route']:<18} {r['status']:<11} "
                    f"{r['seconds']:8.2f}s  {r['detail'][:90]}")
    return [a.row for a in done]


def _cache_key(cap: float) -> str:
    return f"sympy={sp.__version__};cap={float(cap):g};baseline={BASELINE_VERSION}"


def _load_cache() -> dict:
    try:
        with open(CACHE_PATH) as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return {}


def _save_cache(cache: dict):
    fd, tmp = tempfile.mkstemp(dir=HERE, prefix=".plain_cache.", suffix=".tmp")
    with os.fdopen(fd, "w") as fh:
        json.dump(cache, fh, indent=1, sort_keys=True)
    os.chmod(tmp, 0o644)
    os.replace(tmp, CACHE_PATH)


def run_plain(models: Iterable[str] | None = None, cap: float = 60.0, jobs: int = 2,
              fresh: bool = False, use_cache: bool = True, log=None) -> list[dict]:
    """Run the plain-SymPy baseline.

    models: catalog names (default: all of PLAIN_MODELS); cap: wall-clock seconds per
    (model, route) attempt; jobs: attempts running at once, each in its own process.
    Results are cached in benchmarks/.plain_cache.json under the SymPy version and cap;
    fresh=True recomputes. Returns rows {model, route, status, seconds, detail, result},
    ordered as PLAIN_MODELS x ROUTES.
    """
    names = list(models) if models is not None else [m.name for m in PLAIN_MODELS]
    unknown = [n for n in names if n not in MODELS_BY_NAME]
    if unknown:
        raise KeyError(f"unknown plain models: {unknown}")
    key = _cache_key(cap)
    cache = _load_cache() if use_cache else {}
    bucket = {} if fresh else dict(cache.get(key, {}))
    pairs = [(n, r) for n in names for r in ROUTES if f"{n}/{r}" not in bucket]
    if pairs:
        for row in run_attempts(pairs, cap, jobs, log=log):
            bucket[f"{row['model']}/{row['route']}"] = row
        if use_cache:
            cache = _load_cache()  # merge with anything written meanwhile
            cache.setdefault(key, {}).update(bucket)
            _save_cache(cache)
    return [bucket[f"{n}/{r}"] for n in names for r in ROUTES]


# --------------------------------------------------------------------------- reporting

_SHORT = {"timeout": "TIMEOUT", "error": "error", "wrong": "WRONG", "unevaluated": "uneval"}


def _cell(row) -> str:
    if row is None:
        return "-"
    if row["status"] == "ok":
        return f"{row['seconds']:.2f}s"
    return _SHORT.get(row["status"], row["status"])


def format_table(rows: list[dict], routes: Iterable[str] | None = None) -> str:
    """Markdown table model x route: time of a verified success, else the failure kind."""
    if routes is None:
        routes = list(ROUTES) + sorted({r["route"] for r in rows} - set(ROUTES))
    routes = list(routes)
    models = list(dict.fromkeys(r["model"] for r in rows))
    idx = {(r["model"], r["route"]): r for r in rows}
    head = "| model | " + " | ".join(routes) + " | any |"
    lines = [head, "|" + "---|" * (len(routes) + 2)]
    for m in models:
        cells = [_cell(idx.get((m, r))) for r in routes]
        anyok = any(idx.get((m, r), {}).get("status") == "ok" for r in routes)
        lines.append(f"| {m} | " + " | ".join(cells) + f" | {'yes' if anyok else 'no'} |")
    return "\n".join(lines)


def summarize(rows: list[dict]) -> dict:
    """Success counts per route and overall, median / max success time, failure kinds."""
    routes = list(dict.fromkeys(r["route"] for r in rows))
    models = list(dict.fromkeys(r["model"] for r in rows))
    ok = [r for r in rows if r["status"] == "ok"]
    out = {
        "attempts": len(rows),
        "ok": len(ok),
        "per_route": {rt: sum(1 for r in ok if r["route"] == rt) for rt in routes},
        "models": len(models),
        "models_solved_by_any": sum(1 for m in models if any(r["model"] == m for r in ok)),
        "models_unsolved": [m for m in models if not any(r["model"] == m for r in ok)],
        "status_counts": {s: sum(1 for r in rows if r["status"] == s)
                          for s in ("ok", "wrong", "unevaluated", "timeout", "error")},
        "ok_piecewise": sum(1 for r in ok if "Piecewise" in r["detail"]),
        "median_ok_seconds": statistics.median(r["seconds"] for r in ok) if ok else None,
        "max_ok_seconds": max((r["seconds"] for r in ok), default=None),
        "wrong": [f"{r['model']}/{r['route']}: {r['detail']}" for r in rows
                  if r["status"] == "wrong"],
    }
    return out


def format_summary(rows: list[dict]) -> str:
    s = summarize(rows)
    n_models = s["models"]
    lines = [f"verified successes: {s['ok']} of {s['attempts']} model x route attempts"
             f" ({s['ok_piecewise']} of them only as the first branch of a Piecewise)"]
    for rt, c in s["per_route"].items():
        lines.append(f"  {rt:<18} {c}/{n_models} models")
    lines.append(f"models solved by at least one route: {s['models_solved_by_any']}/{n_models}")
    lines.append("unsolved: " + (", ".join(s["models_unsolved"]) or "none"))
    lines.append("status counts: " + ", ".join(f"{k} {v}" for k, v in s["status_counts"].items()))
    if s["median_ok_seconds"] is not None:
        lines.append(f"success time: median {s['median_ok_seconds']:.2f} s, "
                     f"max {s['max_ok_seconds']:.2f} s")
    for w in s["wrong"]:
        lines.append("wrong: " + w[:200])
    return "\n".join(lines)


# --------------------------------------------------------------------------- literature check

def verify_literature(models: Iterable[str] | None = None, points: int = 3, seed: int = 7,
                      rtol: float = 1e-6) -> list[dict]:
    """Check each literature Fisher matrix numerically, independently of any symbolic
    expectation: the score is differentiated symbolically, then E[s s^T] is computed by
    SciPy quadrature (continuous), exact finite sums (finite supports) or truncated sums
    (infinite discrete supports), at seeded random points of the parameter domain.
    Rows: {model, ok, max_rel_err, points}."""
    import math

    import numpy as np
    from scipy import integrate as si

    names = list(models) if models is not None else [m.name for m in PLAIN_MODELS]
    rng = random.Random(seed)
    rows = []
    for name in names:
        model = MODELS_BY_NAME[name]
        setup = model.build()
        logf = sp.expand_log(sp.log(setup.f), force=True)
        logf = logf.rewrite(sp.gamma).replace(
            lambda e: isinstance(e, sp.log) and isinstance(e.args[0], sp.gamma),
            lambda e: sp.loggamma(e.args[0].args[0]))
        logf = sp.expand_log(logf, force=True)
        score = [sp.diff(logf, t) for t in model.params]
        d = len(model.params)
        worst = 0.0
        for _ in range(points):
            pt = model.sample(rng)
            pt_f = {k_: float(v_) for k_, v_ in pt.items()}
            lf = sp.lambdify(setup.x, logf.subs(pt), modules=["scipy", "numpy"])
            sc = [sp.lambdify(setup.x, s_.subs(pt), modules=["scipy", "numpy"]) for s_ in score]

            def integrand(i, j):
                def g(*xs):
                    with np.errstate(all="ignore"):
                        fv = math.exp(float(lf(*xs)))
                        if fv == 0.0:
                            return 0.0
                        val = fv * float(sc[i](*xs)) * float(sc[j](*xs))
                    return val if math.isfinite(val) else 0.0
                return g

            got = np.zeros((d, d))
            for i in range(d):
                for j in range(i, d):
                    g = integrand(i, j)
                    if setup.discrete:
                        (xs, lo, hi), = setup.limits
                        lo_v = int(lo)
                        hi_v = int(sp.sympify(hi).subs(pt)) if hi is not sp.oo else 3000
                        val = math.fsum(g(xv) for xv in range(lo_v, hi_v + 1))
                    elif len(setup.limits) == 1:
                        (xs, lo, hi), = setup.limits
                        lo_v = float(sp.sympify(lo).subs(pt))
                        hi_v = float(sp.sympify(hi).subs(pt))
                        # split at a few interior points so quad sees the bulk of the mass
                        val = 0.0
                        cuts = [lo_v, hi_v]
                        if math.isinf(lo_v) and math.isinf(hi_v):
                            cuts = [-math.inf, -5.0, 0.0, 5.0, math.inf]
                        elif math.isinf(hi_v):
                            cuts = [lo_v, lo_v + 1.0, lo_v + 10.0, math.inf]
                        for u, w in zip(cuts, cuts[1:]):
                            val += si.quad(g, u, w, limit=400, epsabs=1e-13, epsrel=1e-11)[0]
                    else:
                        val = si.dblquad(lambda y, x_: g(x_, y), -40, 40, -40, 40,
                                         epsabs=1e-11, epsrel=1e-10)[0]
                    got[i, j] = got[j, i] = val
            want = np.array(model.known.subs(pt).evalf(20).tolist(), dtype=float)
            err = float(np.max(np.abs(got - want)) / max(1.0, float(np.max(np.abs(want)))))
            worst = max(worst, err)
        rows.append({"model": name, "ok": worst < rtol, "max_rel_err": worst, "points": points})
    return rows


# --------------------------------------------------------------------------- CLI

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cap", type=float, default=60.0, help="seconds per attempt (default 60)")
    ap.add_argument("--jobs", type=int, default=2, help="attempts at once (default 2)")
    ap.add_argument("--models", help="comma-separated model names (default all)")
    ap.add_argument("--json", help="write the rows and summary to this JSON file")
    ap.add_argument("--fresh", action="store_true", help="ignore cached results")
    ap.add_argument("--quiet", action="store_true", help="no per-attempt progress lines")
    ap.add_argument("--verify-literature", action="store_true",
                    help="check the literature Fisher matrices numerically and exit")
    ap.add_argument("--child", nargs=2, metavar=("MODEL", "ROUTE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return _child(*args.child)
    models = [m.strip() for m in args.models.split(",") if m.strip()] if args.models else None
    if args.verify_literature:
        rows = verify_literature(models)
        for r in rows:
            print(f"{r['model']:>20}  {'PASS' if r['ok'] else 'FAIL'}  "
                  f"max rel err {r['max_rel_err']:.2e}")
        return 0 if all(r["ok"] for r in rows) else 1
    log = None if args.quiet else (lambda s: print(s, file=sys.stderr, flush=True))
    t0 = time.monotonic()
    rows = run_plain(models, cap=args.cap, jobs=args.jobs, fresh=args.fresh, log=log)
    print(f"plain SymPy {sp.__version__}, cap {args.cap:g} s, jobs {args.jobs}, "
          f"wall {time.monotonic() - t0:.0f} s\n")
    print(format_table(rows))
    print()
    print(format_summary(rows))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"sympy": sp.__version__, "cap": args.cap, "rows": rows,
                       "summary": summarize(rows)}, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
