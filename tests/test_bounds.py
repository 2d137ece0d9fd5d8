"""Bounded in fact: hostile and careless inputs through the real CLI, each in its own process.

Every case either ends as one line on stderr with exit code 2, or works; none runs past the
time limit it was given plus a margin for starting Python on a loaded machine. The clock is the
test's own (``time.monotonic`` around the subprocess), and ``subprocess.run(timeout=...)`` is only
the hang guard.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 3  # --time-limit of every case
MARGIN = 15  # seconds for starting Python and importing SymPy on a loaded machine
EXP_HUGE = "exp(10**99)"


def symfisher(*args, env=None, limit=LIMIT, cwd=None):
    """Run ``python -m symfisher ARGS --time-limit LIMIT``; return (code, stdout, stderr, seconds)."""
    argv = [sys.executable, "-m", "symfisher", *args]
    if limit is not None:
        argv += ["--time-limit", str(limit)]
    environ = {**os.environ, "PYTHONPATH": str(ROOT), "SYMFISHER_NO_CACHE": "1", **(env or {})}
    t0 = time.monotonic()
    proc = subprocess.run(argv, capture_output=True, text=True, env=environ, cwd=cwd or ROOT,
                          timeout=(limit or 20) * 40 + 120)
    return proc.returncode, proc.stdout, proc.stderr, time.monotonic() - t0


def refused(*args, match: str, env=None, limit=LIMIT, cwd=None) -> str:
    """The command ends within its limit as exactly one line on stderr, exit code 2, nothing on stdout."""
    code, out, err, seconds = symfisher(*args, env=env, limit=limit, cwd=cwd)
    assert code == 2, (code, out[-500:], err[-2000:])
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("symfisher: error: ") and "Traceback" not in err
    assert match in lines[0], lines[0]
    assert out == ""
    assert seconds < (limit or 20) + MARGIN, seconds
    return lines[0]


EXPONENTIAL = ["--var", "x in (0, oo)", "--param", "t > 0"]

# -- numbers that SymPy would evaluate forever (issue 14, item 2) -----------------------------
HOSTILE_ANSWERS = [
    f"sign(floor({EXP_HUGE}))",
    f"Abs(floor({EXP_HUGE}))",
    f"Max(floor({EXP_HUGE}), 1)",
    f"exp(floor({EXP_HUGE}))",
    f"log(floor({EXP_HUGE}))",
    f"sin({EXP_HUGE})",
    f"1/exp(-10**99)",
    "2**(10**99*pi)",
]


def test_density_with_a_huge_number_is_refused_in_time():
    refused("derive", "--density", f"floor({EXP_HUGE})*t*exp(-t*x)", *EXPONENTIAL, match="too large a number")


@pytest.mark.parametrize("density, var, match", [
    ("floor(exp(8000))*t*exp(-t*x)", "x in (0, oo)", "cannot evaluate at low precision"),
    ("t*exp(-t*x)", "x in (0, floor(exp(2000)))", "cannot evaluate at low precision"),
    ("t*(1-t)**x", "x in 0..10**99", "too many to sum one by one"),
])
def test_models_that_would_hang_while_being_built_are_refused_in_time(density, var, match):
    refused("derive", "--density", density, "--var", var, "--param", "t in (0, 1)", match=match)


@pytest.mark.parametrize("answer", HOSTILE_ANSWERS)
def test_check_answers_with_huge_numbers_are_refused_in_time(answer):
    refused("check", "bernoulli", "fisher", answer, match="too large")


def test_combinatorial_function_of_an_irrational_number_is_refused_in_time():
    line = refused("check", "bernoulli", "fisher", "binomial(1000*pi, 1000)", match="binomial")
    assert "at most 1000" in line


def test_latex_floor_of_a_huge_number_is_refused_in_time():
    refused("check", "bernoulli", "fisher", r"\lfloor\exp(10^{99})\rfloor", "--latex", match="too large a number")


def test_a_big_but_bounded_number_still_works():
    """exp(8000) is below the cap: the answer is read and judged (not equal), within the budget."""
    code, out, err, seconds = symfisher("check", "bernoulli", "fisher", "exp(8000)*p")
    assert code == 1, err
    assert out.startswith("not equal"), out
    assert seconds < 30 * LIMIT + MARGIN


# -- the time limit and the sizes --------------------------------------------------------------
@pytest.mark.parametrize("value", ["inf", "1e300", "0", "-1", "abc", "nan", "3601"])
def test_bad_time_limits(value):
    refused("derive", "bernoulli", "--only", "fisher", "--time-limit", value, limit=None, match="--time-limit")


@pytest.mark.parametrize("value", [
    "abc",
    "0", "-5", "inf"])
def test_bad_time_limit_in_the_environment(value):
    refused("derive", "bernoulli", "--only", "fisher", env={"SYMFISHER_TIME_LIMIT": value}, limit=None,
            match="SYMFISHER_TIME_LIMIT")


def test_size_beyond_the_cap():
    line = refused("derive", "mvn_mean", "--size", "d=100000", "--only", "fisher", match="d=100000")
    assert "between 1 and 100" in line


@pytest.mark.parametrize("option, value", [("--samples", "100000000000"), ("--samples", "1e11"),
                                           ("--points", "100000000"), ("--points", "1e8")])
def test_verify_counts_beyond_the_cap(option, value):
    refused("verify", "bernoulli", option, value, match=option)


def test_jobs_beyond_the_cap():
    refused("derive", "--all", "--jobs", "100000", match="--jobs")


def _spec_with(tmp_path, source: str, old: str, new: str) -> Path:
    text = (ROOT / "derivations" / source).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / source
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize("source, old, new, key", [
    ("04_gaussian_matrix_fisher.toml", "sizes = {d = 2}", "sizes = {d = 100000}", "model.sizes.d"),
    ("05_kl_curvature.toml", "\norder = 3", "\norder = 100000", "order"),
])
def test_spec_sizes_are_capped_by_the_same_rule(tmp_path, source, old, new, key):
    spec = _spec_with(tmp_path, source, old, new)
    out = tmp_path / "out"
    line = refused("sheet", str(spec), "--out", str(out), limit=None, match=key)
    assert "too large: expected a whole number between 1 and" in line
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("json_out", [False, True])
def test_the_whole_command_runs_under_one_budget(tmp_path, json_out):
    """With the command's budget shrunk to half a second, a full derivation stops as one line, no
    half-written report reaches stdout, and nothing cut short is cached as the model's answer."""
    extra = ", '--json'" if json_out else ""
    code = ("import sys, symfisher.budget as b; b.COMMAND_FACTOR = 0.1\n"
            "from symfisher.cli import main\n"
            f"sys.exit(main(['derive', 'logistic', '--time-limit', '5'{extra}]))")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SYMFISHER_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("SYMFISHER_NO_CACHE", None)
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env)
    assert time.monotonic() - t0 < 0.5 + MARGIN
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "symfisher: error: the derive command ran past its budget of 0.5 s (0.1 x the time limit of 5 s); "
        "give a larger --time-limit"]
    cached = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert not cached, cached


# -- careless inputs (issue 14, items 5 and 6) -------------------------------------------------
def test_density_starting_with_a_minus_is_read():
    """'--density -...' is taken as the option's value, not as an option: the model is read (and is refused
    for what it is, a function that is negative), or derived when it is a density."""
    refused("derive", "--density", "-p**x*(1-p)**(1-x)", "--var", "x in {0, 1}", "--param", "p in (0, 1)",
            match="the density is negative")
    code, out, err, _ = symfisher("derive", "--density", "-(-t*exp(-t*x))", *EXPONENTIAL, "--only", "fisher", "--json")
    assert code == 0, err
    assert json.loads(out)["fisher"] == [["t**(-2)"]]


def test_binomial_size_declared_real_names_the_integer_declaration():
    line = refused("derive", "--density", "binomial(n, x)*p**x*(1-p)**(n-x)", "--var", "x in 0..n",
                   "--param", "p in (0, 1)", "--const", "n > 0", match="must be an integer")
    assert "--const 'n in 1..oo'" in line


@pytest.mark.parametrize("declaration, hint", [("t >= 0", "t > 0"), ("t \u2265 0", "t > 0"), ("t in [0, oo)", "t > 0")])
def test_closed_parameter_domain_is_refused_with_the_reason(declaration, hint):
    line = refused("derive", "--density", "t*exp(-t*x)", "--var", "x in (0, oo)", "--param", declaration,
                   match="open domain")
    assert f"write '{hint}'" in line


def test_hash_in_an_expression_is_refused():
    refused("derive", "--density", "t*exp(-t*x) # times nothing", *EXPONENTIAL, match="'#' is not allowed")


def test_a_report_cut_short_by_the_budget_is_not_cached():
    """derive's cache guard: a report whose failure is the command's budget is not the model's answer."""
    from symfisher.budget import command_step, cut_short
    from symfisher.commands.derive import _Uncut

    stored = {}

    class Cache:
        def get(self, key, quantities):
            return stored.get((key, quantities))

        def put(self, key, quantities, obj):
            stored[(key, quantities)] = obj

    guarded = _Uncut(Cache())
    short = {"failures": [{"step": command_step("derive"), "reason": "out of time"}]}
    timed_out_step = {"failures": [{"step": "fisher", "reason": "SymPy did not finish within the time limit of 3 s"}]}
    assert cut_short(short["failures"]) and not cut_short(timed_out_step["failures"])
    guarded.put("a", ("fisher",), short)
    guarded.put("b", ("fisher",), timed_out_step)
    assert guarded.get("a", ("fisher",)) is None
    assert guarded.get("b", ("fisher",)) is timed_out_step  # a step's own time limit is part of the key: kept


# -- check's own limits follow --time-limit --------------------------------------------------
# a right answer SymPy cannot reduce to 0 quickly: zero factors it does not see (atan(p) + atan(1/p) = pi/2 on
# p > 0, acosh(u) = log(u + sqrt(u**2 - 1))) times long trigonometric and Bessel products; at the default 20 s
# its proof attempts take about 20 s, with fixed sub-limits (2 s, 4 s per attempt) they would ignore a smaller limit
HARD = ("1/(p*(1-p)) + (atan(p)+atan(1/p)-pi/2)*(sin(3*p)**5*cos(7*p)**4+tanh(p)**9)**3*exp(sin(p)) + "
        "(acosh(p+1)-log(p+1+sqrt((p+1)**2-1)))*(besselj(1,p)**3+erf(p)**5)**2")


@pytest.mark.parametrize("how", ["option", "environment"])
def test_check_follows_the_time_limit_the_user_set(how):
    args = ("check", "bernoulli", "fisher", HARD)
    if how == "option":
        code, out, err, seconds = symfisher(*args, limit=1)
    else:
        code, out, err, seconds = symfisher(*args, limit=None, env={"SYMFISHER_TIME_LIMIT": "1"})
    assert seconds < 1 + MARGIN, seconds
    assert "Traceback" not in err
    if code == 2:  # the whole check ran out: one line quoting the limit that was set
        assert err.splitlines() == ["symfisher: error: checking the Fisher information did not finish within the "
                                    "time limit of 1 s (--time-limit); give a larger --time-limit"], err
    else:  # an honest verdict within the limit: never "equal" as if proven
        assert code in (0, 1) and "not proven" in out or "not shown equal" in out, out
    for fixed in ("20 s", "30 s", "4 s", "2 s"):
        assert fixed not in out + err


def test_sub_limits_are_shares_of_the_time_limit():
    from symfisher.limits import share, time_limit

    with time_limit(0.4, "outer"):
        assert share(0.2) <= 0.2  # never more than half of what is left
    assert share(0.1) == pytest.approx(0.1 * __import__("symfisher.limits").limits.default_limit())


def test_a_wrong_shape_is_refused_before_anything_is_derived():
    # deriving the 30x30 Fisher information of mvn_mean takes minutes; the shape is known from the parameters
    refused("check", "mvn_mean", "fisher", "1", "--size", "d=30", match="is a 30x30 matrix", limit=20)


# -- memory: one cap per command ---------------------------------------------------------------
def test_memory_past_the_cap_is_one_line_and_exit_2():
    # ten million draws of a normal sample need a few hundred MB of arrays: past a 400 MiB cap
    line = refused("verify", "normal", "--samples", "10000000", "--memory-limit", "400M", limit=20,
                   match="ran out of its memory limit of 400 MiB")
    assert "--memory-limit" in line
    line = refused("verify", "normal", "--samples", "10000000", limit=20, env={"SYMFISHER_MEMORY_LIMIT": "400M"},
                   match="ran out of its memory limit of 400 MiB")


@pytest.mark.parametrize("value", ["1K", "100T", "-5G", "lots", "nan", "1e400G"])
def test_bad_memory_limits(value):
    refused("check", "bernoulli", "fisher", "1/(p*(1-p))", "--memory-limit", value, match="--memory-limit")
    refused("check", "bernoulli", "fisher", "1/(p*(1-p))", env={"SYMFISHER_MEMORY_LIMIT": value},
            match="SYMFISHER_MEMORY_LIMIT=")


def test_the_memory_cap_leaves_numpy_matplotlib_and_the_kernel_working():
    """Under the default cap (and a small one): NumPy's BLAS threads start, matplotlib draws, and a child
    process (a notebook kernel would be one) inherits the cap and still runs NumPy."""
    code = ("import resource, subprocess, sys\n"
            "from symfisher.budget import memory_cap, DEFAULT_MEMORY\n"
            "before = resource.getrlimit(resource.RLIMIT_DATA)\n"
            "for cap in (DEFAULT_MEMORY, 1024 * 2**20):\n"
            "    with memory_cap(cap):\n"
            "        assert resource.getrlimit(resource.RLIMIT_DATA)[0] <= cap\n"
            "        import numpy as np\n"
            "        a = np.random.default_rng(0).random((400, 400)); assert (a @ a).shape == (400, 400)\n"
            "        import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt\n"
            "        fig = plt.figure(); plt.plot([0, 1]); fig.canvas.draw(); plt.close(fig)\n"
            "        r = subprocess.run([sys.executable, '-c', 'import numpy, sympy; print(numpy.ones(3).sum())'],\n"
            "                           capture_output=True, text=True)\n"
            "        assert r.stdout.strip() == '3.0', r.stderr\n"
            "assert resource.getrlimit(resource.RLIMIT_DATA) == before\n"
            "print('ok')\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "8"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert proc.stdout.strip().endswith("ok"), proc.stderr[-2000:]


def test_an_unreadable_spec_is_one_line():
    refused("sheet", "/proc/self/mem", "--out", "/tmp/symfisher-never-written", match="Input/output error", limit=None)
    assert not os.path.exists("/tmp/symfisher-never-written")


def test_an_argument_echoed_back_is_shortened():
    line = refused("check", "bernoulli", "fisher", "-" * 5000 + "1", match="unrecognized arguments")
    assert len(line) <= 420
