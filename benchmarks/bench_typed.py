"""Typed densities: every catalog family typed as a user would, symfisher against plain SymPy, in one run.

Each family is typed as density text with ``--var`` / ``--param`` / ``--const`` (as in the README examples), in
the catalog's coordinates and in one other common parameterization (rate <-> scale, mean <-> natural,
variance <-> sd ...). For each typed model, in the same run:

- symfisher: ``sf.fisher_information(sf.from_density(...))`` in a fresh process (``fresh_symfisher.py``), the
  clock from the end of ``import symfisher`` to the matrix; the catalog family itself,
  ``sf.fisher_information(sf.get_model(NAME))``, the same way (for the typed-vs-catalog target);
- plain SymPy on the *same typed density*: the user's own ``sympify`` of the text with the declared symbols,
  ``expand_log(log f, force=True)``, then ``integrate`` / ``summation`` of f·(−H) (route ``int_hessian``) and of
  f·s sᵀ (route ``int_score``), entry by entry, each attempt in a fresh process under ``--cap`` seconds, the
  clock from the end of ``import sympy`` (parse included).

Every result (both sides) is compared with the literature Fisher matrix (``plain_sympy``'s, carried to the other
coordinates by the chain rule I = Jᵀ I(g(θ)) J) symbolically or numerically at seeded points, so a wrong
answer never counts as fast. Prints the table and the targets with PASS/FAIL.

    python benchmarks/bench_typed.py [--jobs 1] [--cap 20] [--models gamma,beta] [--coords catalog|alt|both]
                                     [--quick] [--clock cpu|wall] [--json out.json] [--plain-from old.json]

Times are each process's CPU time unless --clock wall (on a shared machine the wall clock mostly measures the
wait for a core); the cap is always wall time.
"""
import argparse
import json
import os
import random
import statistics
import sys
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

TARGET_MEDIAN = 5.0
TARGET_SLOW = 20.0        # where plain SymPy needs more than SLOW_PLAIN seconds
SLOW_PLAIN = 1.0
TARGET_VS_CATALOG = 1.5
TARGET_IMPORT = 0.15      # seconds of `import symfisher` over `import sympy`
PLAIN_ROUTES = ("int_hessian", "int_score")
QUICK = ("poisson", "geometric", "exponential", "gamma", "weibull", "rayleigh", "normal", "laplace", "cauchy",
         "gumbel")


@dataclass(frozen=True)
class Typed:
    key: str
    family: str                 # the catalog family (and plain_sympy literature matrix) it is
    coords: str                 # "catalog" or the other parameterization's label
    density: str
    var: str
    params: tuple
    consts: tuple = ()
    old_of_new: dict = field(default_factory=dict)   # catalog parameter -> expression in this model's
    literature_params: tuple | None = None           # submatrix of the literature matrix (plain's params)
    sample: dict = field(default_factory=dict)       # name -> (lo, hi) overriding the declared domain
    constraints: tuple = ()                          # joint constraints (--constraint), e.g. "p_1 + p_2 < 1"


_CAT = "(x-2)*(x-3)/2", "-(x-1)*(x-3)", "(x-1)*(x-2)/2"  # indicators of x = 1, 2, 3 on {1, 2, 3}
_P12 = {"p_1": (0.1, 0.45), "p_2": (0.1, 0.45)}
_STUDENT = "gamma((nu+1)/2)/(sqrt(nu*pi)*sigma*gamma(nu/2))*(1+(x-mu)**2/(nu*sigma**2))**(-(nu+1)/2)"
_SIGMOID_EXP = "exp(y*(w_1*x_1+w_2*x_2))/(1+exp(w_1*x_1+w_2*x_2))"

_TABLE = [
    # family, coords, density, var, params, consts, old_of_new, extra
    ("bernoulli", "catalog", "p**x*(1-p)**(1-x)", "x in {0, 1}", ["p in (0, 1)"], [], {}),
    ("bernoulli", "natural", "exp(t*x)/(1+exp(t))", "x in {0, 1}", ["t real"], [], {"p": "exp(t)/(1+exp(t))"}),
    ("binomial", "catalog", "binomial(n, x)*p**x*(1-p)**(n-x)", "x in 0..n", ["p in (0, 1)"], ["n in 1..oo"], {}),
    ("binomial", "natural", "binomial(n, x)*exp(t*x)/(1+exp(t))**n", "x in 0..n", ["t real"], ["n in 1..oo"],
     {"p": "exp(t)/(1+exp(t))"}),
    ("poisson", "catalog", "lam**x*exp(-lam)/factorial(x)", "x in 0..oo", ["lam > 0"], [], {}),
    ("poisson", "natural", "exp(t*x-exp(t))/factorial(x)", "x in 0..oo", ["t real"], [], {"lam": "exp(t)"}),
    ("geometric", "catalog", "p*(1-p)**(x-1)", "x in 1..oo", ["p in (0, 1)"], [], {}),
    ("geometric", "mean", "(1/m)*(1-1/m)**(x-1)", "x in 1..oo", ["m in (1, oo)"], [], {"p": "1/m"}),
    ("negative_binomial", "catalog", "binomial(x+r-1, x)*p**r*(1-p)**x", "x in 0..oo", ["p in (0, 1)"],
     ["r in 1..oo"], {}),
    ("negative_binomial", "natural", "binomial(x+r-1, x)*(1-exp(t))**r*exp(t*x)", "x in 0..oo", ["t in (-oo, 0)"],
     ["r in 1..oo"], {"p": "1-exp(t)"}),
    ("categorical", "catalog", f"p_1**({_CAT[0]})*p_2**({_CAT[1]})*(1-p_1-p_2)**({_CAT[2]})", "x in {1, 2, 3}",
     ["p_1 in (0, 1)", "p_2 in (0, 1)"], [], {}, {"sample": _P12, "constraints": ("p_1 + p_2 < 1",)}),
    ("categorical", "natural", f"exp(t_1*{_CAT[0]}+t_2*({_CAT[1]}))/(1+exp(t_1)+exp(t_2))", "x in {1, 2, 3}",
     ["t_1 real", "t_2 real"], [], {"p_1": "exp(t_1)/(1+exp(t_1)+exp(t_2))", "p_2": "exp(t_2)/(1+exp(t_1)+exp(t_2))"}),
    ("exponential", "catalog", "lam*exp(-lam*x)", "x in (0, oo)", ["lam > 0"], [], {}),
    ("exponential", "scale", "exp(-x/s)/s", "x in (0, oo)", ["s > 0"], [], {"lam": "1/s"}),
    ("gamma", "catalog", "b**a*x**(a-1)*exp(-b*x)/gamma(a)", "x in (0, oo)", ["a > 0", "b > 0"], [], {}),
    ("gamma", "scale", "x**(a-1)*exp(-x/s)/(gamma(a)*s**a)", "x in (0, oo)", ["a > 0", "s > 0"], [], {"b": "1/s"}),
    ("beta", "catalog", "x**(a-1)*(1-x)**(b-1)/beta(a, b)", "x in (0, 1)", ["a > 0", "b > 0"], [], {}),
    ("beta", "mean-precision", "x**(m*k-1)*(1-x)**((1-m)*k-1)/beta(m*k, (1-m)*k)", "x in (0, 1)",
     ["m in (0, 1)", "k > 0"], [], {"a": "m*k", "b": "(1-m)*k"}),
    ("weibull", "catalog", "k/lam*(x/lam)**(k-1)*exp(-(x/lam)**k)", "x in (0, oo)", ["lam > 0", "k > 0"], [], {}),
    ("weibull", "rate", "k*b*x**(k-1)*exp(-b*x**k)", "x in (0, oo)", ["b > 0", "k > 0"], [], {"lam": "b**(-1/k)"}),
    ("lognormal", "catalog", "exp(-(log(x)-mu)**2/(2*sigma**2))/(x*sigma*sqrt(2*pi))", "x in (0, oo)",
     ["mu real", "sigma > 0"], [], {}),
    ("lognormal", "variance", "exp(-(log(x)-mu)**2/(2*v))/(x*sqrt(2*pi*v))", "x in (0, oo)", ["mu real", "v > 0"],
     [], {"sigma": "sqrt(v)"}),
    ("rayleigh", "catalog", "x/sigma**2*exp(-x**2/(2*sigma**2))", "x in (0, oo)", ["sigma > 0"], [], {}),
    ("rayleigh", "variance", "x/v*exp(-x**2/(2*v))", "x in (0, oo)", ["v > 0"], [], {"sigma": "sqrt(v)"}),
    ("pareto", "catalog", "alpha*xm**alpha/x**(alpha+1)", "x in (xm, oo)", ["alpha > 0"], ["xm > 0"], {}),
    ("pareto", "scale", "xm**(1/c)/(c*x**(1/c+1))", "x in (xm, oo)", ["c > 0"], ["xm > 0"], {"alpha": "1/c"}),
    ("inverse_gaussian", "catalog", "sqrt(lam/(2*pi*x**3))*exp(-lam*(x-mu)**2/(2*mu**2*x))", "x in (0, oo)",
     ["mu > 0", "lam > 0"], [], {}),
    ("inverse_gaussian", "dispersion", "exp(-(x-mu)**2/(2*phi*mu**2*x))/sqrt(2*pi*phi*x**3)", "x in (0, oo)",
     ["mu > 0", "phi > 0"], [], {"lam": "1/phi"}),
    ("normal_mean", "catalog", "exp(-(x-mu)**2/(2*sigma**2))/sqrt(2*pi*sigma**2)", "x in R", ["mu real"],
     ["sigma > 0"], {}),
    ("normal_mean", "natural", "exp(-(x-t*sigma**2)**2/(2*sigma**2))/sqrt(2*pi*sigma**2)", "x in R", ["t real"],
     ["sigma > 0"], {"mu": "t*sigma**2"}),
    ("normal_variance", "catalog", "exp(-(x-mu)**2/(2*v))/sqrt(2*pi*v)", "x in R", ["v > 0"], ["mu real"], {}),
    ("normal_variance", "sd", "exp(-(x-mu)**2/(2*sigma**2))/(sigma*sqrt(2*pi))", "x in R", ["sigma > 0"],
     ["mu real"], {"v": "sigma**2"}),
    ("normal", "catalog", "exp(-(x-mu)**2/(2*sigma**2))/(sigma*sqrt(2*pi))", "x in R", ["mu real", "sigma > 0"],
     [], {}),
    ("normal", "variance", "exp(-(x-mu)**2/(2*v))/sqrt(2*pi*v)", "x in R", ["mu real", "v > 0"], [],
     {"sigma": "sqrt(v)"}),
    ("mvn_mean", "catalog",
     "exp(-(sigma_22*(x_1-mu_1)**2-2*sigma_12*(x_1-mu_1)*(x_2-mu_2)+sigma_11*(x_2-mu_2)**2)"
     "/(2*(sigma_11*sigma_22-sigma_12**2)))/(2*pi*sqrt(sigma_11*sigma_22-sigma_12**2))",
     "x_1 in R, x_2 in R", ["mu_1 real", "mu_2 real"], ["sigma_11 > 0", "sigma_22 > 0", "sigma_12 real"], {},
     {"sample": {"sigma_11": (1.0, 2.0), "sigma_22": (1.0, 2.0), "sigma_12": (-0.5, 0.5)},
      "constraints": ("sigma_12**2 < sigma_11*sigma_22",)}),
    ("laplace", "catalog", "exp(-Abs(x-mu)/b)/(2*b)", "x in R", ["mu real", "b > 0"], [], {}),
    ("laplace", "rate", "t*exp(-t*Abs(x-mu))/2", "x in R", ["mu real", "t > 0"], [], {"b": "1/t"}),
    ("cauchy", "catalog", "sigma/(pi*((x-mu)**2+sigma**2))", "x in R", ["mu real", "sigma > 0"], [], {}),
    ("cauchy", "rate", "t/(pi*(1+t**2*(x-mu)**2))", "x in R", ["mu real", "t > 0"], [], {"sigma": "1/t"}),
    ("student_t", "catalog", _STUDENT, "x in R", ["mu real"], ["nu > 0", "sigma > 0"], {},
     {"literature_params": ("mu",)}),
    ("student_t", "location-scale", _STUDENT, "x in R", ["mu real", "sigma > 0"], ["nu > 0"], {}),
    ("logistic", "catalog", "exp(-(x-mu)/s)/(s*(1+exp(-(x-mu)/s))**2)", "x in R", ["mu real", "s > 0"], [], {}),
    ("logistic", "rate", "t*exp(-t*(x-mu))/(1+exp(-t*(x-mu)))**2", "x in R", ["mu real", "t > 0"], [], {"s": "1/t"}),
    ("gumbel", "catalog", "exp(-(x-mu)/sigma-exp(-(x-mu)/sigma))/sigma", "x in R", ["mu real", "sigma > 0"], [], {}),
    ("gumbel", "rate", "t*exp(-t*(x-mu)-exp(-t*(x-mu)))", "x in R", ["mu real", "t > 0"], [], {"sigma": "1/t"}),
    ("logistic_regression", "catalog", _SIGMOID_EXP, "y in {0, 1}", ["w_1 real", "w_2 real"],
     ["x_1 real", "x_2 real"], {}),
    ("logistic_regression", "sigmoid form",
     "(1/(1+exp(-(w_1*x_1+w_2*x_2))))**y*(1-1/(1+exp(-(w_1*x_1+w_2*x_2))))**(1-y)", "y in {0, 1}",
     ["w_1 real", "w_2 real"], ["x_1 real", "x_2 real"], {}),
]


def _build_models() -> dict:
    out = {}
    for row in _TABLE:
        family, coords, density, var, params, consts, old = row[:7]
        extra = row[7] if len(row) > 7 else {}
        key = family if coords == "catalog" else f"{family}@{coords.replace(' ', '-')}"
        out[key] = Typed(key, family, coords, density, var, tuple(params), tuple(consts), old, **extra)
    return out


MODELS = _build_models()


# --------------------------------------------------------------------------- the plain user's reading

def _decl(spec: str):
    """(name, kind, lo, hi) of a `NAME in DOMAIN` / `NAME > 0` / `NAME real` declaration (benchmark strings only)."""
    spec = spec.strip()
    if spec.endswith(" real"):
        return spec[:-5].strip(), "real", -2.0, 2.0
    if spec.endswith("> 0"):
        return spec.split(">")[0].strip(), "pos", 0.5, 3.0
    name, dom = (s.strip() for s in spec.split(" in ", 1))
    if ".." in dom:
        return name, "int", int(dom.split("..")[0]), 6
    lo, hi = (s.strip() for s in dom.strip("()").split(","))
    if (lo, hi) == ("0", "1"):
        return name, "unit", 0.15, 0.85
    if hi == "0":
        return name, "neg", -3.0, -0.3
    return name, "pos", float(lo) + 0.2, float(lo) + 3.0


def plain_setup(m: Typed):
    """What a plain-SymPy user writes for the typed model: symbols with the assumptions the declarations allow,
    the density (the user's own ``sympify`` of the formula they typed, with those symbols), the summation or
    integration limits of the support, and whether it is discrete."""
    import sympy as sp

    syms = {}
    for spec in m.params + m.consts:
        name, kind, _, _ = _decl(spec)
        syms[name] = sp.Symbol(name, **{"real": {"real": True}, "pos": {"positive": True}, "unit": {"positive": True},
                                        "neg": {"negative": True},
                                        "int": {"integer": True, "positive": True}}[kind])
    if m.var.count(" in ") > 1:  # several data variables, each on R (a multiple integral)
        xs = [sp.Symbol(v.split(" in ")[0].strip(), real=True) for v in m.var.split(",")]
        f = sp.sympify(m.density, locals={**syms, **{str(v): v for v in xs}})
        return syms, xs, f, tuple((v, -sp.oo, sp.oo) for v in xs), False
    xname, support = (s.strip() for s in m.var.split(" in ", 1))
    if support == "R":
        x = sp.Symbol(xname, real=True)
        lim, discrete = (x, -sp.oo, sp.oo), False
    elif support.startswith("("):
        lo, hi = (sp.sympify(s.strip(), locals=syms) for s in support.strip("()").split(","))
        x = sp.Symbol(xname, positive=True) if lo.is_nonnegative else sp.Symbol(xname, real=True)
        lim, discrete = (x, lo, hi), False
    elif support.startswith("{"):
        vals = [int(v) for v in support.strip("{}").split(",")]
        x = sp.Symbol(xname, integer=True, nonnegative=True)
        lim, discrete = (x, min(vals), max(vals)), True
    else:
        lo, hi = (s.strip() for s in support.split(".."))
        x = sp.Symbol(xname, integer=True, nonnegative=True)
        lim, discrete = (x, int(lo), sp.sympify(hi, locals=syms)), True
    f = sp.sympify(m.density, locals={**syms, xname: x})
    return syms, x, f, (lim,), discrete


def literature_fisher(m: Typed):
    """The literature Fisher matrix of the typed model and its symbols (plain_sympy's matrix of the family,
    carried by the chain rule I = Jᵀ I(g(θ)) J to the typed coordinates)."""
    import sympy as sp
    from plain_sympy import MODELS_BY_NAME

    pm = MODELS_BY_NAME[m.family]
    syms = plain_setup(m)[0]
    known = pm.known
    by_name = {str(s): s for s in pm.params + pm.constants}
    if m.literature_params:
        idx = [[str(t) for t in pm.params].index(n) for n in m.literature_params]
        known = known.extract(idx, idx)
    to_typed = {s: syms[n] for n, s in by_name.items() if n in syms and n not in m.old_of_new}
    known = known.xreplace(to_typed)
    if m.old_of_new:
        new = [syms[_decl(p)[0]] for p in m.params]
        old = [t for t in pm.params if not m.literature_params or str(t) in m.literature_params]
        g = [sp.sympify(m.old_of_new.get(str(t), str(t)), locals=syms) for t in old]
        J = sp.Matrix(g).jacobian(new)
        known = J.T * known.xreplace({t: gi for t, gi in zip(old, g) if str(t) in m.old_of_new}) * J
    return known, syms


def _points(m: Typed, syms: dict, n: int = 3, seed: int = 12345):
    import sympy as sp

    rng = random.Random(seed)
    pts = []
    for _ in range(n):
        pt = {}
        for spec in m.params + m.consts:
            name, kind, lo, hi = _decl(spec)
            lo, hi = m.sample.get(name, (lo, hi))
            pt[syms[name]] = sp.Integer(rng.randint(lo, hi)) if kind == "int" else sp.Float(rng.uniform(lo, hi), 20)
        pts.append(pt)
    return pts


def check_against_literature(key: str, matrix) -> tuple:
    """(status, detail) of a Fisher matrix of typed model `key` against the literature (see plain_sympy)."""
    from plain_sympy import compare_matrices

    m = MODELS[key]
    known, syms = literature_fisher(m)
    return compare_matrices(matrix, known, _points(m, syms), syms.values())


def _plain_child(key: str, route: str) -> int:
    import sympy as sp
    from plain_sympy import careful_log, score_hessian, timed_child

    m = MODELS[key]

    def entries():  # the user's parse, expand_log, differentiation and integrals, all inside the clock
        syms, x, f, lim, discrete = plain_setup(m)
        params = [syms[_decl(p)[0]] for p in m.params]
        score, hess = score_hessian(careful_log(f), params)
        op = sp.summation if discrete else sp.integrate
        d = len(params)
        return d, [((i, j), (lambda i=i, j=j: op(f * (-hess[i][j] if route == "int_hessian" else score[i] * score[j]),
                                                 *lim)))
                   for i in range(d) for j in range(i, d)]
    return timed_child(entries, lambda res: check_against_literature(key, res))


# --------------------------------------------------------------------------- the run

def _median_rows(rounds) -> list:
    """One row per (model, route) from repeated fresh-process runs: the median time of the runs (CPU and wall
    separately), and the status of the worst run (a wrong or failed run is never hidden by a good one)."""
    rank = {"ok": 0, "unevaluated": 1, "timeout": 2, "error": 3, "wrong": 4}
    by = {}
    for rows in rounds:
        for r in rows:
            by.setdefault((r["model"], r["route"]), []).append(r)
    out = []
    for runs in by.values():
        worst = max(runs, key=lambda r: rank.get(r["status"], 3))
        row = dict(worst)
        if all(r["status"] == "ok" for r in runs):
            row["seconds"] = statistics.median(r["seconds"] for r in runs)
            if all("cpu" in r for r in runs):
                row["cpu"] = statistics.median(r["cpu"] for r in runs)
        row["runs"] = len(runs)
        out.append(row)
    return out


def run(keys, cap: float, jobs: int, log=None, clock: str = "cpu", plain_rows=None, repeat: int = 3) -> dict:
    from fresh_symfisher import argv as sf_argv
    from fresh_symfisher import import_floors
    from plain_sympy import run_attempts

    os.environ["SYMFISHER_NO_CACHE"] = "1"
    me = os.path.abspath(__file__)
    floors_before = import_floors(3, clock)
    families = list(dict.fromkeys(MODELS[k].family for k in keys))
    rounds = []
    for _ in range(max(1, repeat)):  # interleaved rounds: a busy spell on the machine lands on both sides
        rounds.append(run_attempts([(f, "catalog") for f in families], cap, jobs, log=log, argv=sf_argv("catalog"))
                      + run_attempts([(k, "typed") for k in keys], cap, jobs, log=log, argv=sf_argv("typed")))
    rows = _median_rows(rounds)
    if plain_rows is None:
        rows += run_attempts([(k, r) for k in keys for r in PLAIN_ROUTES], cap, jobs, log=log,
                             argv=lambda k, r: [sys.executable, me, "--child-plain", k, r])
    else:  # plain SymPy does not depend on symfisher's code: its rows from an earlier run (--plain-from)
        rows += [r for r in plain_rows if r["route"] in PLAIN_ROUTES and r["model"] in keys]
    floors_after = import_floors(3, clock)
    runs = {mod: floors_before["runs"][mod] + floors_after["runs"][mod] for mod in ("sympy", "symfisher")}
    floors = {mod: statistics.median(v) for mod, v in runs.items()}
    return {"rows": rows, "floors": floors, "floor_runs": runs, "cap": cap, "jobs": jobs, "keys": list(keys),
            "clock": clock, "repeat": max(1, repeat)}


def _t(r, clock: str) -> float:
    """A row's time by the chosen clock (rows from before the CPU clock existed have only the wall time)."""
    return r.get("cpu", r["seconds"]) if clock == "cpu" else r["seconds"]


def summarize(res: dict) -> dict:
    rows = res["rows"]
    ck = res.get("clock", "wall")
    cat = {r["model"]: r for r in rows if r["route"] == "catalog"}
    typed = {r["model"]: r for r in rows if r["route"] == "typed"}
    plain = {}
    for r in rows:
        if r["route"] in PLAIN_ROUTES:
            plain.setdefault(r["model"], {})[r["route"]] = r
    table, ratios, slow, vs_cat, wrong = [], [], [], [], []
    for k in res["keys"]:
        m, t = MODELS[k], typed.get(k)
        ok_plain = [p for p in plain.get(k, {}).values() if p["status"] == "ok"]
        best = min(ok_plain, key=lambda p: _t(p, ck)) if ok_plain else None
        c = cat.get(m.family)
        row = {"key": k, "family": m.family, "coords": m.coords, "typed": t, "plain": plain.get(k, {}), "best": best,
               "catalog": c, "ratio": None, "vs_catalog": None}
        if t and t["status"] == "wrong":
            wrong.append(f"{k}: {t['detail']}")
        if t and t["status"] == "ok" and best:
            row["ratio"] = _t(best, ck) / max(_t(t, ck), 1e-6)
            ratios.append((k, row["ratio"]))
            if _t(best, ck) > SLOW_PLAIN:
                slow.append((k, row["ratio"]))
        if t and t["status"] == "ok" and c and c["status"] == "ok":
            row["vs_catalog"] = _t(t, ck) / max(_t(c, ck), 1e-6)
            if m.coords == "catalog":
                vs_cat.append((k, row["vs_catalog"]))
        table.append(row)
    fl = res["floors"]
    n_typed_ok = sum(1 for k in res["keys"] if typed.get(k, {}).get("status") == "ok")
    targets = [
        ("every typed result that finishes equals the literature (none wrong)", not wrong,
         f"{n_typed_ok}/{len(res['keys'])} ok" + (f"; WRONG: {'; '.join(wrong)}" if wrong else "")),
        ("never slower than plain SymPy on a model both finish", all(r >= 1 for _, r in ratios),
         "slower on: " + (", ".join(f"{k} {r:.2f}x" for k, r in ratios if r < 1) or "none")),
        (f"median ratio >= {TARGET_MEDIAN:g}x over the models both finish",
         bool(ratios) and statistics.median(r for _, r in ratios) >= TARGET_MEDIAN,
         f"{statistics.median(r for _, r in ratios):.1f}x over {len(ratios)}" if ratios else "no model"),
        (f">= {TARGET_SLOW:g}x where plain SymPy needs > {SLOW_PLAIN:g} s", all(r >= TARGET_SLOW for _, r in slow),
         ", ".join(f"{k} {r:.1f}x" for k, r in slow) or "no such model"),
        (f"typed (catalog coordinates) within {TARGET_VS_CATALOG:g}x of the catalog family",
         all(r <= TARGET_VS_CATALOG for _, r in vs_cat),
         "over: " + (", ".join(f"{k} {r:.1f}x" for k, r in vs_cat if r > TARGET_VS_CATALOG) or "none")
         + f" ({len(vs_cat)} compared)"),
        (f"import symfisher within {TARGET_IMPORT:g} s of import sympy",
         fl["symfisher"] - fl["sympy"] <= TARGET_IMPORT,
         f"{fl['symfisher']:.3f} s vs {fl['sympy']:.3f} s (+{fl['symfisher'] - fl['sympy']:.3f} s; medians of "
         f"{len(res['floor_runs']['sympy'])} fresh processes each)"),
    ]
    return {"table": table, "ratios": ratios, "slow": slow, "vs_catalog": vs_cat, "targets": targets}


_SHORT = {"timeout": "TIMEOUT", "error": "error", "wrong": "WRONG", "unevaluated": "uneval"}


def _cell(r, clock: str) -> str:
    if not r:
        return "-"
    return f"{1000 * _t(r, clock):.0f}" if r["status"] == "ok" else _SHORT.get(r["status"], r["status"])


def format_report(res: dict, s: dict) -> str:
    lines = [f"typed densities, symfisher vs plain SymPy (integrate/summation with expand_log), cap {res['cap']:g} s "
             f"per plain attempt, --jobs {res['jobs']}, load average {os.getloadavg()[0]:.1f}; times in ms of the "
             f"{res.get('clock', 'wall')} clock, net of each process's import; symfisher: median of "
             f"{res.get('repeat', 1)} fresh processes per model"
             + (f"; plain rows from {res['plain_from']}" if res.get("plain_from") else ""), "",
             "| typed model | coords | symfisher typed | catalog | typed/catalog | plain −H | plain s sᵀ | ratio plain/typed |",
             "|---|---|---|---|---|---|---|---|"]
    for row in s["table"]:
        p = row["plain"]
        vc = f"{row['vs_catalog']:.2f}x" if row["vs_catalog"] is not None else "—"
        ra = f"{row['ratio']:.1f}x" if row["ratio"] is not None else "—"
        ck = res.get("clock", "wall")
        lines.append(f"| {row['family']} | {row['coords']} | {_cell(row['typed'], ck)} | {_cell(row['catalog'], ck)} | "
                     f"{vc} | {_cell(p.get('int_hessian'), ck)} | {_cell(p.get('int_score'), ck)} | {ra} |")
    fails = [f"{row['key']}: {row['typed']['status']} {row['typed']['detail'][:120]}" for row in s["table"]
             if row["typed"] and row["typed"]["status"] != "ok"]
    if fails:
        lines += ["", "symfisher typed, not ok:"] + [f"  {f}" for f in fails]
    lines.append("")
    for what, ok, val in s["targets"]:
        lines.append(f"{'PASS' if ok else 'FAIL'}  {what}: {val}")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", type=int, default=1, help="processes at once (default 1: report only --jobs 1 runs)")
    ap.add_argument("--cap", type=float, default=20.0, help="seconds per attempt (default 20)")
    ap.add_argument("--models", help="comma-separated families or typed keys (family@coords), default all")
    ap.add_argument("--coords", choices=("catalog", "alt", "both"), default="both")
    ap.add_argument("--quick", action="store_true", help=f"only {', '.join(QUICK)} at --cap 10")
    ap.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                    help="the times compared: each process's CPU time (default; robust on a shared machine) or wall")
    ap.add_argument("--json", help="write rows, floors and targets to this file")
    ap.add_argument("--plain-from", metavar="JSON",
                    help="take the plain-SymPy rows from an earlier run's --json (same models and cap) instead of "
                         "re-running them; symfisher's sides and the import floors are measured anew")
    ap.add_argument("--repeat", type=int, default=3,
                    help="fresh-process runs of each symfisher side, interleaved; the median is reported (default 3)")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--child-plain", nargs=2, metavar=("KEY", "ROUTE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child_plain:
        return _plain_child(*args.child_plain)
    wanted = set(QUICK) if args.quick else (set(args.models.split(",")) if args.models else None)
    if args.quick and args.cap == 20.0:
        args.cap = 10.0
    keys = [k for k, m in MODELS.items()
            if (wanted is None or k in wanted or m.family in wanted)
            and (args.coords == "both" or (m.coords == "catalog") == (args.coords == "catalog"))]
    if not keys:
        ap.error("no typed model matches --models/--coords")
    log = None if args.quiet else (lambda s: print(s, file=sys.stderr, flush=True))
    plain_rows = None
    if args.plain_from:
        with open(args.plain_from) as fh:
            old = json.load(fh)
        if old.get("cap") != args.cap or not set(keys) <= set(old.get("keys", ())):
            ap.error(f"--plain-from {args.plain_from}: its run had cap {old.get('cap')} and other models")
        plain_rows = old["rows"]
    res = run(keys, args.cap, args.jobs, log=log, clock=args.clock, plain_rows=plain_rows, repeat=args.repeat)
    if args.plain_from:
        res["plain_from"] = args.plain_from
    s = summarize(res)
    print(format_report(res, s))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({**res, "targets": [[w, ok, v] for w, ok, v in s["targets"]]}, fh, indent=1)
    return 0 if all(ok for _, ok, _ in s["targets"]) else 1


if __name__ == "__main__":
    sys.exit(main())
