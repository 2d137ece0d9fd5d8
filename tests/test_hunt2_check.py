"""A second held-out hunt of ``check`` answers: near-misses (a tiny constant, a sign in one entry, a KL with
the two laws swapped, a prior off by a factor that is not constant) must be "not equal" with a counterexample,
and right answers in other forms (``log(gamma(a))`` for ``loggamma(a)``, ``Abs(d)**2`` for ``d**2``, shifted
polygammas) must be proven equal, or labelled numeric evidence, never a plain "equal" without a proof.

The correct values are the literature's: Lehmann & Casella, Theory of Point Estimation (1998), Table 2.5.1
(normal, Poisson, exponential, Bernoulli), Wikipedia's 'Gamma distribution' and 'Beta distribution' (Fisher
information, KL), Chyzak & Nielsen (2019), arXiv:1905.10965 (Cauchy KL), Johnson, Kotz & Balakrishnan (1995),
vol. 2, ch. 23 (logistic) and ch. 21 (Weibull), Mardia & Jupp (2000), §5.3 (von Mises); DLMF 5.15.5
(``psi1(a) = psi1(a + n) + sum 1/(a + k)^2``) and 25.11.12 (``zeta(2, a) = psi1(a)``).
"""
from __future__ import annotations

import functools

import pytest

from _witness import slow_enabled
from symfisher.check import check_answer
from symfisher.cli import main
from symfisher.families import get_model

GKL = ("(a_1-a_2)*polygamma(0,a_1) - loggamma(a_1) + loggamma(a_2) + a_2*(log(b_1) - log(b_2))"
       " + a_1*(b_2-b_1)/b_1")
NKL = "log(sigma_2/sigma_1) + (sigma_1**2 + (mu_1-mu_2)**2)/(2*sigma_2**2) - 1/2"


def swapped(text: str) -> str:
    return text.replace("_1", "_X").replace("_2", "_1").replace("_X", "_2")


# (model, quantity, answer, verdict): "E" proven equal, "N" not equal with a counterexample, "n" equal at the
# points and labelled not proven
CASES = [
    ("gamma", "kl", GKL, "E"),
    ("gamma", "kl", swapped(GKL), "N"),
    ("gamma", "kl", GKL.replace("loggamma(a_1)", "log(gamma(a_1))"), "E"),
    # was "not equal (not shown equal)", exit 1: log(gamma(a_2)/gamma(a_1)) is loggamma(a_2) - loggamma(a_1)
    ("gamma", "kl", GKL.replace("- loggamma(a_1) + loggamma(a_2)", "+ log(gamma(a_2)/gamma(a_1))"), "E"),
    ("gamma", "kl", GKL.replace("- loggamma(a_1) + loggamma(a_2)", "+ log(gamma(a_2)/gamma(a_1))") + " + 10**-30",
     "N"),
    ("normal", "kl", swapped(NKL), "N"),
    ("normal", "kl", NKL.replace("(mu_1-mu_2)**2", "(sqrt(mu_1**2) - sqrt(mu_2**2))**2"), "N"),
    ("normal", "kl", NKL.replace("(mu_1-mu_2)**2", "Abs(mu_1-mu_2)**2"), "E"),
    ("normal", "kl", NKL.replace("log(sigma_2/sigma_1)", "log(sigma_2**2/sigma_1**2)/2"), "E"),
    ("normal_mean", "kl", "(mu_1**2-mu_2**2)/(2*sigma**2)", "N"),
    ("normal_mean", "kl", "sqrt((mu_1-mu_2)**2)**2/(2*sigma**2)", "E"),
    ("bernoulli", "kl", "p_2*log(p_2/p_1) + (1-p_2)*log((1-p_2)/(1-p_1))", "N"),
    ("poisson", "kl", "lam_1*log(lam_1/lam_2) - lam_1 + lam_2 + 10**-30", "N"),
    ("cauchy", "kl", "log(((sigma_1+sigma_2)**2 + (mu_1-mu_2)**2)/(4*sigma_1*sigma_2))", "E"),
    ("cauchy", "kl", "log(((sigma_1+sigma_2)**2 + (mu_1+mu_2)**2)/(4*sigma_1*sigma_2))", "N"),
    ("beta", "fisher[a,b]", "-polygamma(1, a+b+1)", "N"),
    ("beta", "fisher[a,b]", "-polygamma(1, a+b+1) - 1/(a+b)**2", "E"),
    ("gamma", "fisher[a,a]", "polygamma(1, a+2) + 1/a**2 + 1/(a+1)**2", "E"),
    ("chi_squared", "fisher", "polygamma(1, k/2)/4", "E"),
    ("chi_squared", "fisher", "polygamma(1, k/2)/2", "N"),
    ("exponential", "fisher", "1/lam**2 + 10**-25", "N"),
    ("normal", "score[mu]", "(x-mu)/sqrt(sigma**4)", "E"),
    ("normal", "hessian", "[[-1/sigma**2, -2*sqrt((x-mu)**2)/sigma**3],"
                          "[-2*sqrt((x-mu)**2)/sigma**3, 1/sigma**2 - 3*(x-mu)**2/sigma**4]]", "N"),
    ("laplace", "score[mu]", "sign(x-mu)/b", "E"),
    ("laplace", "score[mu]", "1/b", "N"),
    ("normal", "kl-quadratic", "delta_mu**2/(2*sigma**2) + delta_sigma**2/sigma**2", "E"),
    ("normal", "kl-quadratic", "delta_mu**2/(2*sigma**2) + delta_sigma**2/(2*sigma**2)", "N"),
    ("logistic", "fisher[mu,mu]", "1/(3*s)", "N"),
    # Jeffreys priors: a constant factor is fine, a factor that varies is not
    ("normal", "jeffreys", "1/sigma**2", "E"),
    ("normal", "jeffreys", "1/sigma", "N"),
    ("gamma", "jeffreys", "3*sqrt(a*polygamma(1,a) - 1)/b", "E"),
    ("gamma", "jeffreys", "sqrt(a*polygamma(1,a))/b", "N"),
    ("bernoulli", "jeffreys", "(1+p)/sqrt(p*(1-p))", "N"),
    ("poisson", "jeffreys", "1/lam", "N"),
]
SLOW = [  # each more than 5 s of proof attempts or 50-digit points
    # was a timeout (exit 2) after 20 s: the near-miss ratio varies at 15 digits, confirmed at two points only
    ("beta", "jeffreys", "sqrt(polygamma(1,a)*polygamma(1,b) - (polygamma(1,a)+polygamma(1,b))*polygamma(1,a+b+1))",
     "N"),
    ("beta", "jeffreys", "sqrt(polygamma(1,a)*polygamma(1,b) - (polygamma(1,a)+polygamma(1,b))*polygamma(1,a+b))",
     "E"),
    ("beta", "fisher", "[[polygamma(1,a)-polygamma(1,a+b), polygamma(1,a+b)],"
                       "[polygamma(1,a+b), polygamma(1,b)-polygamma(1,a+b)]]", "N"),
    ("logistic", "fisher[mu,mu]", "1/(3*s**2)", "E"),
    ("von_mises", "fisher[kappa,kappa]",
     "1 - besseli(1,kappa)/(kappa*besseli(0,kappa)) - besseli(1,kappa)**2/besseli(0,kappa)**2", "E"),
    ("von_mises", "fisher[kappa,kappa]", "1 - besseli(1,kappa)**2/besseli(0,kappa)**2", "N"),
    ("weibull", "fisher[k,k]", "(pi**2/6 + (1-EulerGamma)**2)/k**2", "E"),
    ("weibull", "fisher[k,k]", "(pi**2/6 + (1-EulerGamma)**2 + 10**-40)/k**2", "N"),
    ("gamma", "fisher[a,a]", "zeta(2, a)", "n"),  # DLMF 25.11.12: equal, but SymPy does not prove it
    # equal where both are defined, but undefined at every integer a (sin(pi a) = 0): not the trigamma on a > 0
    ("gamma", "fisher[a,a]", "pi**2/sin(pi*a)**2 - polygamma(1, 1-a)", "N"),
]


@functools.lru_cache(maxsize=None)
def model(name):
    return get_model(name)


@pytest.fixture(autouse=True)
def _no_cache(monkeypatch):
    monkeypatch.setenv("SYMFISHER_NO_CACHE", "1")


def _assert_verdict(name, quantity, text, want):
    v = check_answer(model(name), quantity, text)
    if want == "E":
        assert v.equal and v.proved and v.exit_code == 0, (text, v.message)
    elif want == "n":
        assert v.equal and not v.proved and v.exit_code == 0 and "not proven" in v.message, (text, v.message)
    else:
        assert not v.equal and v.exit_code == 1 and v.message.startswith("not equal"), (text, v.message)
        assert "not shown equal" not in v.message and v.counterexample["point"], (text, v.message)


def _ids(cases):
    return [f"{m}-{q}-{a[:40]}-{w}" for m, q, a, w in cases]


@pytest.mark.parametrize("name,quantity,text,want", CASES, ids=_ids(CASES))
def test_hunt2_check_verdict(name, quantity, text, want):
    _assert_verdict(name, quantity, text, want)


if slow_enabled():
    @pytest.mark.parametrize("name,quantity,text,want", SLOW, ids=_ids(SLOW))
    def test_hunt2_check_verdict_slow(name, quantity, text, want):
        _assert_verdict(name, quantity, text, want)


EXP = ["--density", "t*exp(-t*x)", "--var", "x in (0, oo)", "--param", "t > 0"]


@pytest.mark.parametrize("argv, rc", [
    # t = exp(w): KL(t_1 || t_2) = log(t_1/t_2) + t_2/t_1 - 1 (Lehmann & Casella (1998), Table 2.5.1)
    ([*EXP, "--reparam", "t = exp(w)", "kl", "w_1 - w_2 + exp(w_2 - w_1) - 1"], 0),
    ([*EXP, "--reparam", "t = exp(w)", "kl", "w_2 - w_1 + exp(w_1 - w_2) - 1"], 1),  # the two laws swapped
    ([*EXP, "--reparam", "t = exp(w)", "jeffreys", "7"], 0),  # flat in log t, up to a constant
    # t = 1/s (the scale): I_s = 1/s^2, the Jeffreys prior 1/s; it was refused, "breaks at {0}"
    ([*EXP, "--reparam", "t = 1/s", "fisher", "1/s**2"], 0),
    ([*EXP, "--reparam", "t = 1/s", "jeffreys", "1/s"], 0),
    ([*EXP, "--reparam", "t = 1/s", "jeffreys", "1/s**2"], 1),
    (["--density", "exp(-(x-m)**2/(2*c**2))/(c*sqrt(2*pi))", "--var", "x in R", "--param", "m real", "--const",
      "c > 0", "kl", "(m_1-m_2)**2/(2*c)"], 1),
])
def test_hunt2_check_through_the_command_line(argv, rc, capsys):
    got = main(["check", *argv])
    cap = capsys.readouterr()
    assert got == rc, (cap.out, cap.err)
    assert cap.out.startswith("equal" if rc == 0 else "not equal") and cap.err == "", (cap.out, cap.err)
