"""No crash on a valid model: every failure inside a step is that step's failure.

Each reproduction goes through the command line (a subprocess: the JSON is printed with the
failures listed, the exit code is 0, 1 or 2, never a signal); then a property-based test draws
random valid typed densities from a small grammar of kernels, each with its normalizer, and
checks that deriving never crashes, never runs past its limits, and that every Fisher
information returned in closed form agrees with an independent numeric witness: quadrature
of the squared finite-difference score at a seeded point.
"""
import json
import math
import os
import subprocess
import sys
import time

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symfisher import from_density
from symfisher.derive.report import derive_all
from symfisher.limits import StepFailed
from symfisher.model import ModelError
from symfisher.parsing import parse_expression


def _cli(*args, limit=None, timeout=600):
    env = {**os.environ, "SYMFISHER_NO_CACHE": "1"}
    cmd = [sys.executable, "-m", "symfisher", *args] + (["--time-limit", str(limit)] if limit else [])
    t0 = time.monotonic()
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    return out, time.monotonic() - t0


def _json_run(*args, limit=None):
    out, seconds = _cli(*args, limit=limit)
    assert out.returncode in (0, 1, 2), (out.returncode, out.stderr[-2000:])  # never a signal
    assert "Traceback" not in out.stderr, out.stderr[-2000:]
    assert out.returncode == 0, out.stderr
    obj = json.loads(out.stdout)
    assert all(f["step"] and f["reason"] and "\n" not in f["reason"] for f in obj["failures"])
    return obj, seconds


# -- the reproductions --------------------------------------------------------------------

STUDENT5 = "gamma(3)/(sqrt(5*pi)*gamma(5/2))*(1+(x-mu)**2/5)**(-3)"


def test_student_t_written_out_prints_its_json():
    """mpmath's ZeroDivisionError (evalf of meijerg(..., 1) while SymPy sorts the terms of a sum)
    is the Fisher step's failure, not a traceback. If the Fisher information is derived, it is
    the literature value (nu + 1)/((nu + 3) sigma^2) = 3/4 (Lange, Little & Taylor 1989)."""
    obj, _ = _json_run("derive", "--density", STUDENT5, "--var", "x in R", "--param", "mu real",
                       "--only", "fisher", "--json", limit=2)
    if obj["fisher"] is None:
        assert any(f["step"].startswith("fisher") for f in obj["failures"])
    else:
        mu = sp.Symbol("mu", real=True)
        assert sp.simplify(parse_expression(obj["fisher"][0][0], {"mu": mu}) - sp.Rational(3, 4)) == 0


@pytest.mark.parametrize("domain", ["mu real"])
def test_symmetric_normal_mixture_is_not_killed_by_its_alarm(domain):
    density = "exp(-(x-mu)**2/2)/(2*sqrt(2*pi)) + exp(-(x+mu)**2/2)/(2*sqrt(2*pi))"
    obj, seconds = _json_run("derive", "--density", density, "--var", "x in R", "--param", domain, "--json",
                             limit=2)
    assert obj["score"] is not None
    # a mixture's Fisher information has no closed form: listed as a failure, within the budget
    if obj["fisher"] is None:
        assert any(f["step"].startswith("fisher") for f in obj["failures"])


def test_bernoulli_on_a_domain_where_it_is_negative_is_refused():
    out, _ = _cli("derive", "--density", "p**x*(1-p)**(1-x)", "--var", "x in {0, 1}", "--param", "p in (0, 2)",
                  "--json")
    assert out.returncode == 2 and out.stdout == ""
    (line,) = out.stderr.strip().splitlines()
    assert "negative" in line and "p = " in line


def test_log_series_is_accepted_and_its_fisher_is_the_literature_value():
    """Log-series: Var X = -p (p + log(1-p)) / ((1-p)^2 log(1-p)^2) and I(p) = Var X / p^2
    (Johnson, Kemp & Kotz, *Univariate Discrete Distributions*, 3rd ed., 7.1)."""
    obj, _ = _json_run("derive", "--density", "p**x/(-x*log(1-p))", "--var", "x in 1..oo", "--param", "p in (0, 1)",
                       "--only", "fisher", "--json")
    p = sp.Symbol("p", positive=True)
    got = parse_expression(obj["fisher"][0][0], {"p": p})
    lit = -(p + sp.log(1 - p)) / (p * (1 - p) ** 2 * sp.log(1 - p) ** 2)
    for v in (sp.Rational(1, 10), sp.Rational(1, 2), sp.Rational(9, 10)):
        assert abs(float((got - lit).subs(p, v))) < 1e-12


def test_a_singular_fisher_information_fails_cramer_rao_clearly():
    obj, _ = _json_run("derive", "--density", "exp(-(x-a-b)**2/2)/sqrt(2*pi)", "--var", "x in R",
                       "--param", "a real", "--param", "b real", "--only", "cramer_rao,jeffreys", "--json")
    assert obj["cramer_rao"] is None and obj["jeffreys"] is None
    reasons = {f["step"]: f["reason"] for f in obj["failures"]}
    assert "singular" in reasons["cramer_rao"] and "singular" in reasons["jeffreys"]
    assert "zoo" not in json.dumps(obj)


def test_a_density_that_does_not_normalize_is_refused_with_its_total():
    out, _ = _cli("derive", "--density", "2*t*exp(-t*x)", "--var", "x in (0, oo)", "--param", "t > 0", "--json")
    assert out.returncode == 2 and "does not normalize" in out.stderr and "2" in out.stderr


def test_a_heavy_tail_quadrature_cannot_pin_down_is_not_refused(monkeypatch, capsys):
    """Pareto with a small index: mass 1e15^-0.15 ~ 0.6% lies beyond the last decade that
    quadrature reaches. Without the closed form, the error estimate does not exclude 1, so the
    model goes on with one warning (and the numbers say 1 - a bit, with an error bar)."""
    from symfisher.derive import regularity

    m = from_density("a*x**(-a-1)", "x in (1, oo)", ["a in (1/10, 1/5)"], check=False)
    v, err = regularity._numeric_mass(m, list(m.params), {m.params[0]: 0.15})
    assert abs(v - 1) > 1e-3 and abs(v - 1) <= regularity._SAFETY * err
    monkeypatch.setattr(regularity, "_symbolic_total", lambda model, limit: None)
    regularity._WARNED.clear()
    d = regularity.check_normalization(m)
    assert d.notes and "not confirmed" in d.notes[-1]
    assert capsys.readouterr().err.count("warning") == 1
    # ... while a genuinely wrong total with a tight error bar is refused
    bad = from_density("(3/2)*a*x**(-a-1)", "x in (1, oo)", ["a in (2, 3)"], check=False)
    with pytest.raises(ModelError, match="does not normalize"):
        regularity.check_normalization(bad)


def test_any_exception_inside_a_quantity_is_that_quantity_failure(monkeypatch):
    from symfisher.derive import report as R
    from symfisher.families import get_model

    R._load_extensions()

    def broken(model, report):
        from symfisher.simplify import as_expr

        return as_expr("text is never sympified")  # a TypeError raised inside symfisher: a bug of ours

    monkeypatch.setitem(R.QUANTITIES, "kl", R.Quantity("kl", (), broken, R.QUANTITIES["kl"].to_json))
    rep = derive_all(get_model("poisson"), only=["fisher", "kl"])
    obj = rep.to_json()
    assert obj["fisher"] == [["1/lam"]] and obj["kl"] is None
    (fail,) = [f for f in obj["failures"] if f["step"] == "kl"]
    assert "TypeError in symfisher.simplify" in fail["reason"] and "internal error" in fail["reason"]


# -- the property: random valid typed densities --------------------------------------------
# A kernel is a function of the data expression X (so transforms can substitute it) giving
# the density's text; each carries its normalizer. Parameters: one, named t.

R_HALF = ["1/2", "1", "3/2", "2", "3"]

POSITIVE = {  # on (0, oo), t > 0
    "gamma": lambda X, a: f"t**{a}*({X})**({a}-1)*exp(-t*({X}))/gamma({a})",
    "weibull": lambda X, a: f"{a}*t*({X})**({a}-1)*exp(-t*({X})**{a})",
    "lomax": lambda X, a: f"t*{a}**t*(({X})+{a})**(-t-1)",
    "inverse_gaussian_scale": lambda X, a: f"sqrt(t/(2*pi*({X})**3))*exp(-t*(({X})-{a})**2/(2*{a}**2*({X})))",
}
LINE = {  # on R, t real (a location) -- a fixed scale a
    "normal": lambda X, a: f"exp(-(({X})-t)**2/(2*{a}**2))/({a}*sqrt(2*pi))",
    "logistic": lambda X, a: f"exp(-(({X})-t)/{a})/({a}*(1+exp(-(({X})-t)/{a}))**2)",
    "student": lambda X, a: (f"gamma(({a}+1)/2)/(sqrt({a}*pi)*gamma({a}/2))*(1+(({X})-t)**2/{a})**(-({a}+1)/2)"),
    "mixture_pm": lambda X, a: (f"exp(-(({X})-t)**2/2)/(2*sqrt(2*pi)) + exp(-(({X})+t)**2/2)/(2*sqrt(2*pi))"),
}
COUNTS = {  # discrete: (support, parameter domain, kernel)
    "poisson": ("x in 0..oo", "t > 0", lambda a: "t**x*exp(-t)/factorial(x)"),
    "geometric": ("x in 0..oo", "t in (0, 1)", lambda a: "t*(1-t)**x"),
    "log_series": ("x in 1..oo", "t in (0, 1)", lambda a: "t**x/(-x*log(1-t))"),
    "binomial": ("x in {0, 1, 2, 3}", "t in (0, 1)", lambda a: "binomial(3, x)*t**x*(1-t)**(3-x)"),
}
OTHER = {  # a Bessel normalizer on a bounded support
    "von_mises": ("x in (-pi, pi)", "t > 0", lambda a: "exp(t*cos(x))/(2*pi*besseli(0, t))"),
}


@st.composite
def typed_densities(draw):
    """``(density, var, param)``: a valid density with its normalizer, one parameter ``t``."""
    family = draw(st.sampled_from(["positive", "line", "fixed"]))
    a = "(" + draw(st.sampled_from(R_HALF)) + ")"
    if family == "fixed":
        table = {**COUNTS, **OTHER}
        var, dom, kernel = table[draw(st.sampled_from(sorted(table)))]
        return kernel(a), var, dom
    table = POSITIVE if family == "positive" else LINE
    names = sorted(table)
    first = draw(st.sampled_from(names))
    transform = draw(st.sampled_from(["none", "scale", "power", "mixture"] if family == "positive"
                                     else ["none", "shift_scale", "mixture"]))
    if family == "line" and first == "student":
        a = "(" + draw(st.sampled_from(["1", "3", "5"])) + ")"
    X, jac = "x", ""
    if transform == "scale":  # Y = c X: f(y / c) / c
        c = draw(st.sampled_from(["2", "(1/3)"]))
        X, jac = f"x/{c}", f"/{c}"
    elif transform == "shift_scale":  # Y = c X + b
        c, b = draw(st.sampled_from(["2", "(1/2)"])), draw(st.sampled_from(["1", "-3"]))
        X, jac = f"(x-({b}))/{c}", f"/{c}"
    elif transform == "power":  # Y = X^(1/k): f(y^k) k y^(k-1)
        k = draw(st.sampled_from(["2", "(1/2)"]))
        X, jac = f"x**{k}", f"*{k}*x**({k}-1)"
    text = f"({table[first](X, a)}){jac}"
    if transform == "mixture":
        second = draw(st.sampled_from([n for n in names if n != first]))
        w = draw(st.sampled_from(["(1/3)", "(1/2)"]))
        text = f"{w}*({table[first]('x', a)}) + (1-{w})*({table[second]('x', a)})"
    var, dom = ("x in (0, oo)", "t > 0") if family == "positive" else ("x in R", "t real")
    return text, var, dom


def _numeric_fisher(model, t0: float) -> float:
    """E[(d/dt log f)^2] at t = t0: the score by central finite differences of the lambdified
    log-density, its square integrated (or summed) against the density by the quadrature of
    the normalization check (nothing symbolic is integrated)."""
    from symfisher.derive.regularity import _numeric_mass
    from symfisher.numeric import lambdify_expr

    (t,) = model.params
    lp = lambdify_expr(model.log_density, (model.data[0], t))
    h = 1e-5 * max(1.0, abs(t0))

    def logf(xs, tv):
        try:
            return np.real(lp(xs.astype(complex), complex(tv)))
        except TypeError:  # a SciPy function without complex support
            return np.real(lp(xs, tv))

    def score_squared(xs):
        return ((logf(xs, t0 + h) - logf(xs, t0 - h)) / (2 * h)) ** 2

    value, err = _numeric_mass(model, [t], {t: t0}, weight=score_squared)
    return value


LIMIT = 2.0  # per step; a quantity's budget is 3x this
QUANTITIES = ("score", "hessian", "fisher")


@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(typed_densities())
def test_random_valid_densities_derive_without_crashing_and_match_a_numeric_witness(case):
    from symfisher.limits import default_limit, set_default_limit
    from symfisher.domain_points import random_points
    from symfisher.derive.regularity import model_domains

    text, var, dom = case
    before = default_limit()
    set_default_limit(LIMIT)
    try:
        t0 = time.monotonic()
        model = from_density(text, var, [dom])  # a valid density is never refused
        built = time.monotonic() - t0
        t0 = time.monotonic()
        rep = derive_all(model, only=list(QUANTITIES))
        obj = json.loads(json.dumps(rep.to_json()))
        took = time.monotonic() - t0
    finally:
        set_default_limit(before)
    # bounded: model building (sign, closed form, quadrature: one limit each) and each
    # quantity's budget, plus slack for a loaded machine
    assert built <= 3 * LIMIT + 30, (text, built)
    assert took <= len(QUANTITIES) * 3 * LIMIT + 30, (text, took)
    assert all(f["reason"] for f in obj["failures"])
    fisher = rep.get("fisher")
    if os.environ.get("SYMFISHER_TEST_VERBOSE"):
        print(f"\n{text} [{var}; {dom}] built {built:.1f}s, derived {took:.1f}s:",
              fisher[0, 0] if fisher is not None else obj["failures"])
    if fisher is None:
        assert any(f["step"].startswith(("fisher", "score", "hessian")) for f in obj["failures"]), obj["failures"]
        return
    (t,) = model.params
    (sub,) = random_points([t], model_domains(model), n=1, seed=17)
    t_val = float(sub[t])
    closed = complex(fisher[0, 0].evalf(30, subs={t: sp.Float(t_val, 30)}))
    witness = _numeric_fisher(model, t_val)
    assert abs(closed.imag) < 1e-9 * max(1.0, abs(closed.real)), (text, closed)
    assert math.isfinite(witness) and witness > 0, (text, witness)
    assert abs(closed.real - witness) <= 1e-4 * abs(witness), (text, t_val, closed.real, witness, str(fisher[0, 0]))


@settings(max_examples=2, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(typed_densities())
def test_random_valid_densities_through_the_command_line(case):
    text, var, dom = case
    out, seconds = _cli("derive", f"--density={text}", "--var", var, "--param", dom, "--only", "fisher", "--json",
                        limit=LIMIT, timeout=600)
    assert out.returncode in (0, 1, 2), (text, out.returncode, out.stderr[-1000:])
    assert "Traceback" not in out.stderr, out.stderr[-2000:]
    assert out.returncode == 0, (text, out.stderr)
    obj = json.loads(out.stdout)
    assert obj["fisher"] is not None or obj["failures"]
    assert seconds <= 3 * 3 * LIMIT + 3 * LIMIT + 60, (text, seconds)


def test_step_failed_is_what_model_building_raises_for_an_internal_limit():
    """``contained`` turns an unexpected exception into the step's StepFailed, one line."""
    from symfisher.limits import contained

    with pytest.raises(StepFailed) as info:
        with contained("standardize"):
            raise ZeroDivisionError("mpf division by zero")
    assert info.value.step == "standardize" and "ZeroDivisionError" in info.value.reason
