"""What a held-out acceptance run would throw at the command line besides typed densities: ``check`` answers
that are wrong only in the last digits or only on part of the domain, densities whose support moves with a
parameter behind a ``Heaviside``, hostile sizes and expressions, and bad input of every kind. Each must end
as a proven verdict, a verdict labelled numeric, or one line on stderr with exit code 2 and nothing written.

The literature values of the targets are Lehmann & Casella, Theory of Point Estimation (1998), Table 2.5.1
(Bernoulli ``1/(p(1-p))``, normal ``diag(1, 2)/sigma**2``, exponential ``1/lambda**2``), the gamma's
information (Wikipedia, 'Gamma distribution': ``[[trigamma(a), -1/b], [-1/b, a/b**2]]``) and the logistic
scale's ``(3 + pi**2)/(9 s**2)`` (Johnson, Kotz & Balakrishnan, Continuous Univariate Distributions vol. 2
(1995), ch. 23).
"""
from __future__ import annotations

import functools

import pytest
import sympy as sp

from symfisher.check import check_answer
from symfisher.cli import main
from symfisher.families import get_model

R = "1/(p*(1-p))"


@functools.lru_cache(maxsize=None)
def model(name):
    return get_model(name)


@pytest.fixture(autouse=True)
def _no_cache(monkeypatch):
    monkeypatch.setenv("SYMFISHER_NO_CACHE", "1")


# -- check: wrong answers a held-out set would try -------------------------------------------------------
WRONG = [  # (model, quantity, answer)
    # below the sides' 50 digits relative to their size, but a certified non-zero difference
    ("bernoulli", "fisher", f"{R} + besseli(0,p)**2 - besseli(0,p)**2*(1+10**-60)"),
    ("bernoulli", "fisher", f"{R}*(1 + 10**-45*besseli(0,p))"),
    ("bernoulli", "fisher", f"{R}*(1 + 10**-45*polygamma(1,p+1))"),
    ("bernoulli", "fisher", f"{R} + erf(p)**2*10**-50 - erf(p)**2*10**-50*(1+10**-30)"),
    # branches: sqrt(x^2) is |x|, not x
    ("normal", "score[mu]", "sqrt((x-mu)**2)/sigma**2"),
    ("normal", "score[mu]", "Abs(x-mu)/sigma**2"),
    ("bernoulli", "fisher", f"{R} + sqrt(p**2 - 2*p + 1) - (p - 1)"),
    ("bernoulli", "fisher", f"{R} + ((p-1)**3)**(1/3) - (p-1)"),
    ("bernoulli", "fisher", f"{R} + asin(sin(10*p)) - 10*p"),
    ("bernoulli", "fisher", f"{R} + atan(tan(2*p)) - 2*p"),
    # equal at many "nice" points only
    ("bernoulli", "fisher", f"{R}*(1 + sin(pi*p*720720)**2)"),
    ("bernoulli", "fisher", f"{R}*(1 + exp(-10**5*(p-1/7)**2))"),
    # matrices permuted or with a sign flipped in one entry
    ("normal", "fisher", "[[2/sigma**2, 0],[0, 1/sigma**2]]"),
    ("gamma", "fisher", "[[a/b**2, -1/b],[-1/b, polygamma(1,a)]]"),
    ("normal", "hessian", "[[-1/sigma**2, -2*(x-mu)/sigma**3],[-2*(mu-x)/sigma**3, 1/sigma**2 - 3*(x-mu)**2/sigma**4]]"),
    ("normal", "cramer-rao", "[[sigma**2/2, 0],[0, sigma**2]]"),
    ("normal", "fisher[0,0]", "2/sigma**2"),
    # near-miss constants
    ("logistic", "fisher[1,1]", "(3+(22/7)**2)/(9*s**2)"),
    ("logistic", "fisher[1,1]", "(3+9.8696044010893586188)/(9*s**2)"),
    ("bernoulli", "fisher", f"{R} + gamma(p)*gamma(1-p) - 22/7/sin(pi*p)"),
    ("bernoulli", "fisher", f"{R} + EulerGamma - 0.5772156649015328606065120900824024310421"),
    # KL with the two distributions swapped
    ("exponential", "kl", "log(lam_2/lam_1) + lam_1/lam_2 - 1"),
]


@pytest.mark.parametrize("name,quantity,text", WRONG, ids=[f"{a}-{c[:40]}" for a, _, c in WRONG])
def test_wrong_answers_are_not_equal(name, quantity, text):
    v = check_answer(model(name), quantity, text)
    assert not v.equal and v.exit_code == 1 and v.message.startswith("not equal"), (text, v.message)


RIGHT = [  # right answers: proven, or (identities SymPy cannot prove) labelled numeric, never a plain "equal"
    ("normal", "fisher", "[[1/sigma**2, 0],[0, 2/sigma**2]]", True),
    ("normal", "fisher[sigma,sigma]", "2/sigma**2", True),
    ("normal", "score[sigma]", "-1/sigma + (x-mu)**2/Abs(sigma)**3", True),
    ("logistic", "fisher[1,1]", "(3+pi**2)/(9*s**2)", True),
    ("bernoulli", "fisher", f"{R} + gamma(p)*gamma(1-p) - pi/sin(pi*p)", True),
    ("bernoulli", "fisher", f"{R} + besseli(2,p) - besseli(0,p) + 2*besseli(1,p)/p", True),
    ("bernoulli", "fisher", f"{R} + asin(sin(p)) - p", False),
    ("bernoulli", "fisher", f"{R} + (atan(p) + atan(1/p) - pi/2)*sin(p)", False),
    ("exponential", "kl", "Abs(log(lam_1/lam_2) + lam_2/lam_1 - 1)", False),  # KL >= 0
]


@pytest.mark.parametrize("name,quantity,text,proved", RIGHT, ids=[f"{a}-{c[:40]}" for a, _, c, _ in RIGHT])
def test_right_answers_are_proven_or_labelled_numeric(name, quantity, text, proved):
    v = check_answer(model(name), quantity, text)
    assert v.equal and v.exit_code == 0, (text, v.message)
    assert v.proved is proved, (text, v.message)
    if not proved:
        assert "not proven" in v.message, v.message


@pytest.mark.parametrize("argv, words", [
    (["check", "bernoulli", "fisher", "1/(q*(1-q))"], "unknown name 'q'"),  # another parameter name
    (["check", "gamma", "fisher", "Matrix([[polygamma(1,a), -1/b],[-1/b, a/b**2]]).T"], "not allowed"),
    (["check", "normal", "fisher", "[[1/sigma**2],[2/sigma**2]]"], "wrong shape"),
    (["check", "normal", "fisher[-1,0]", "1/sigma**2"], "unknown index"),
    (["check", "bernoulli", "fisher[3,3]", "1/p"], "out of range"),
    (["check", "bernoulli", "fisher", "1/(p*(1-p))*x**10**9"], "too large"),
    (["check", "bernoulli", "fisher", "factorial(10**7)"], "too large"),
    (["check", "bernoulli", "fisher", "[" + ",".join(["[1]"] * 5000) + "]"], "too long"),
    (["check", "bernoulli", "fisher", "[" * 200 + "1" + "]" * 200], "nested too deeply"),
])
def test_bad_check_input_is_one_line_and_exit_2(argv, words, capsys):
    rc = main(argv)
    cap = capsys.readouterr()
    assert rc == 2 and cap.out == "", (rc, cap.out[-300:])
    lines = cap.err.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], cap.err


# -- a support that moves with a parameter, hidden in a jump of the density --------------------------------
@pytest.mark.parametrize("density, var, param", [
    ("t*exp(-t*(x-t))*Heaviside(x-t)", "x in (0, oo)", "t > 0"),  # Exp(t) shifted by t: support (t, oo)
    ("t*exp(-t*Max(x-t, 0))*Heaviside(x-t)", "x in (0, oo)", "t > 0"),
    ("Heaviside(x-t)*Heaviside(t+1-x)", "x in R", "t real"),  # Uniform(t, t + 1)
])
def test_a_jump_that_moves_with_a_parameter_is_refused(density, var, param, capsys):
    """Before: ``t exp(-t (x - t)) Heaviside(x - t)`` derived I = -t^2 + 2t DiracDelta(0) - 2 + 1/t^2 with the
    routes "agreeing"; the support (t, oo) is as parameter-dependent as a declared one, so it is bad input."""
    rc = main(["derive", "--density", density, "--var", var, "--param", param, "--json"])
    cap = capsys.readouterr()
    assert rc == 2 and cap.out == ""
    lines = cap.err.strip().splitlines()
    assert len(lines) == 1 and "jumps" in lines[0] and "not regular" in lines[0], cap.err


def test_a_kink_or_a_fixed_jump_is_not_refused():
    """``Abs``/``sign`` kinks keep the density continuous, and ``Heaviside(x)`` jumps at a point that does not
    move: neither is refused (their values are checked in test_hunt_typed)."""
    from symfisher import from_density

    for dens, var, param in [("2/5*exp(-(x-m)*(3/4 + 5/4*sign(x-m)))", "x in R", "m real"),
                             ("t*exp(-t*x)*Heaviside(x)", "x in R", "t > 0"),
                             ("exp(-Abs(x-m) + 0*(x-m)*Heaviside(x-m))/2", "x in R", "m real")]:
        from_density(dens, var=var, params=[param])


# -- the engine's answers where it used to be wrong --------------------------------------------------------
def test_a_point_mass_of_the_hessian_is_sifted_without_symmetry():
    """E[DiracDelta(x - m)] = f(m) needs no symmetry: SymPy's integral of DiracDelta against exp(-|z|) is 0,
    which made -E[H] of the asymmetric Laplace location 0 (Kotz, Kozubowski & Podgórski (2001), ch. 3:
    I = l^2)."""
    from symfisher import fisher_information, from_density

    m = from_density("2*l/5*exp(-l*(3*(x-m)/4 + 5*Abs(x-m)/4))", var="x in R", params=["m real"], consts=["l > 0"])
    d = fisher_information(m)
    l = next(c for c in m.constants if c.name == "l")
    assert sp.simplify(d.result[0, 0] - l**2) == 0
    assert d.extras["routes_agree"] and sp.simplify(d.extras["curvature"][0, 0] - l**2) == 0


def test_routes_that_differ_show_the_definition(monkeypatch):
    """When E[s s^T] and -E[H] differ (a model that is not regular), the Fisher information shown is the
    definition E[s s^T], never -E[H] (the generic route, with the curvature route made wrong on purpose)."""
    from symfisher.derive import fisher as F
    from symfisher import from_density

    m = from_density("exp(-x/t)/t", var="x in (0, oo)", params=["t > 0"])
    real = F._route

    def skewed(model, M, name, *args, **kw):
        out = real(model, M, name, *args, **kw)
        if name == "H" and out[0] is not None:
            return (out[0] * 3, *out[1:])  # a wrong -E[H]
        return out

    monkeypatch.setattr(F, "_route", skewed)
    monkeypatch.setattr(F, "dispatch", lambda *a, **k: None)  # no structure: the two generic routes
    monkeypatch.setattr(F, "dispatch_declined", lambda *a, **k: None)
    d = F.fisher_information(m)
    t = m.params[0]
    assert any(f.step == "fisher routes" for f in d.failures)
    assert sp.simplify(d.result[0, 0] - 1 / t**2) == 0


def test_an_undecided_zero_test_is_not_a_claim_that_the_model_is_not_regular(monkeypatch):
    """``is_zero`` may run out of time (None): the expected score is then not claimed non-zero."""
    from symfisher import from_density
    from symfisher.derive import regularity

    m = from_density("t*exp(-t*x)", var="x in (0, oo)", params=["t > 0"])
    monkeypatch.setattr(regularity, "is_zero", lambda *a, **k: None)
    d = regularity.expected_score(m, [1 / m.params[0] - m.data[0]])
    assert not d.failures and any("could not be decided" in n for n in d.notes)


def test_the_zero_test_sees_gamma_functions_at_integer_shifts():
    """beta(a + 1, 4)/beta(a, 2) and polygamma(0, a + 5) - polygamma(0, a) are rational in a: the beta-binomial
    with n = 3, b = 2 has E[score] = 0 and agreeing Fisher routes, proven without points."""
    from symfisher.domains import Domain
    from symfisher.simplify import is_zero

    a = sp.Symbol("a", positive=True)
    e = (3 * sp.beta(a + 1, 4) * (sp.polygamma(0, a + 1) - sp.polygamma(0, a + 5))
         - 3 * sp.beta(a + 1, 4) * (1 / a - 1 / (a + 2) - 1 / (a + 3) - 1 / (a + 4)))
    assert is_zero(e, {a: Domain.interval(0, sp.oo)}, n=0) is True


# -- bounded and bad input through the command line --------------------------------------------------------
EXP = ["--var", "x in (0, oo)", "--param", "t > 0"]
BAD = [
    (["derive", "--density", "t*exp(-t*x)*x**10**9", *EXP], "too large"),
    (["derive", "--density", "t*exp(-t*x)*factorial(10**7)", *EXP], "too large"),
    (["derive", "--density", "(" * 500 + "t*exp(-t*x)" + ")" * 500, *EXP], "nested too deeply"),
    (["derive", "--density", "t*exp(-t*x)" + "+0*x" * 5000, *EXP], "too long"),
    (["derive", "mvn_mean", "--size", "d=101"], "too large"),
    (["derive", "mvn_mean", "--size", "d=-3"], "whole number"),
    (["verify", "bernoulli", "--points", "100000"], "too large"),
    (["verify", "bernoulli", "--samples", "10000000000"], "too large"),
    (["derive", "--density", "t*exp(-t*x", *EXP], "cannot parse"),
    (["derive", "--density", "2*t*exp(-t*x)", *EXP], "does not normalize"),
    (["derive", "--density", "al*x**(al-1)/b**al", "--var", "x in (0, b)", "--param", "b > 0", "--const", "al > 0"],
     "depends on the parameter"),
    (["derive", "--density", "p**x*(1-p)**(1-x)", "--var", "x in {0, 1}", "--param", "p in (0, 2)"], "negative"),
    (["derive", "--density", "exp(-2*m)*besseli(x, 2*m)", "--var", "x in Z", "--param", "m > 0"], "cannot parse support"),
    (["derive", "--density", "t*exp(-t*x)", *EXP, "--param", "t > 0"], "declared twice"),
    (["derive", "--density", "exp(-x)", *EXP], "does not appear"),
    (["derive", "bernoulli", "--reparam", "p = 2 + exp(phi)"], "leaves its domain"),
    (["derive", "bernoulli", "--time-limit", "nan"], "--time-limit"),
    (["derive", "--density", "t*exp(-t*x)", *EXP, "--at", "t=-1"], "outside its domain"),
    (["sheet", "/nonexistent/spec.toml"], "no such spec file"),
]


@pytest.mark.parametrize("argv, words", BAD, ids=[" ".join(a)[:50] for a, _ in BAD])
def test_bad_input_is_one_line_exit_2_and_nothing_written(argv, words, capsys, tmp_path):
    out = tmp_path / "out"
    if argv[0] == "sheet":
        argv = [*argv, "--out", str(out)]
    rc = main(argv)
    cap = capsys.readouterr()
    assert rc == 2 and cap.out == "", (rc, cap.out[-300:])
    lines = cap.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("symfisher: error: ") and words in lines[0], cap.err
    assert not lines[0].startswith("symfisher: error: symfisher"), lines[0]  # the prefix once
    assert not out.exists()


def test_a_spec_directory_with_one_bad_spec_writes_nothing(tmp_path, capsys):
    src = (__import__("pathlib").Path(__file__).resolve().parents[1] / "derivations" / "01_bernoulli_fisher.toml")
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "01.toml").write_text(src.read_text())
    (specs / "02.toml").write_text(src.read_text().replace('name = "bernoulli"', 'name = "nosuchmodel"'))
    out = tmp_path / "out"
    rc = main(["sheet", str(specs), "--out", str(out), "--format", "md,json"])
    cap = capsys.readouterr()
    assert rc == 2 and len(cap.err.strip().splitlines()) == 1 and "nosuchmodel" in cap.err
    assert not out.exists()


@pytest.mark.parametrize("text", ["-1/lam", "-7/lam"])
def test_a_prior_times_a_negative_constant_is_not_a_prior(text):
    """A prior is defined up to a *positive* factor: -1/lambda is negative everywhere, not the Jeffreys prior."""
    v = check_answer(model("exponential"), "jeffreys", text)
    assert not v.equal and v.exit_code == 1 and "negative factor" in v.message, v.message
    w = check_answer(model("exponential"), "jeffreys", "7/(pi*lam)")
    assert w.equal and w.proved and w.up_to_constant


@pytest.mark.parametrize("reparam, words", [
    ("t = 1/x", "data variable"),  # the new name is the data variable's: not "breaks at {0}"
    ("t = exp(x)", "data variable"),
])
def test_a_reparameterization_in_the_data_variable_is_refused(reparam, words, capsys):
    rc = main(["derive", "--density", "t*exp(-t*x)", *EXP, "--reparam", reparam, "--json"])
    cap = capsys.readouterr()
    assert rc == 2 and cap.out == "" and len(cap.err.strip().splitlines()) == 1 and words in cap.err, cap.err


def test_a_reparameterization_with_a_known_constant(capsys):
    """``t = c exp(w)`` with c a known constant (it was an internal TypeError): I_w = (dt/dw)^2/t^2 = 1 for the
    exponential rate (Lehmann & Casella (1998), §2.7, the information under a change of coordinates)."""
    import json

    rc = main(["derive", "--density", "t*exp(-t*x)", *EXP, "--const", "c > 0", "--reparam", "t = c*exp(w)",
               "--json", "--only", "fisher"])
    cap = capsys.readouterr()
    assert rc == 0, cap.err
    out = json.loads(cap.out)
    assert out["params"] == ["w"] and sp.sympify(out["fisher"][0][0]) == 1
