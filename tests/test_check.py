"""`symfisher check`: right and wrong hand results, their verdicts and diagnoses; hostile input."""
from __future__ import annotations

import functools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symfisher.check import Verdict, check_answer, parse_quantity
from symfisher.cli import main
from symfisher.families import get_model
from symfisher.model import ModelError
from symfisher.parsing import ParseError


@functools.lru_cache(maxsize=None)
def model(name):
    return get_model(name)


EXPONENTIAL_LOG_RATE = ["exponential", "--reparam", "lam = exp(phi)"]
USER_EXPONENTIAL = ["--density", "t*exp(-t*x)", "--var", "x in (0, oo)", "--param", "t > 0"]

# (MODEL-OPTIONS, QUANTITY, EXPR, latex, equal, words expected in the diagnosis (None: no diagnosis))
TABLE = [
    # bernoulli
    (["bernoulli"], "fisher", "1/(p*(1-p))", False, True, None),
    (["bernoulli"], "fisher", r"\frac{1}{p(1-p)}", True, True, None),
    (["bernoulli"], "fisher", "1/p + 1/(1-p)", False, True, None),
    (["bernoulli"], "fisher", "p*(1-p)", False, False, "reciprocal"),
    (["bernoulli"], "fisher", "-1/(p*(1-p))", False, False, "sign"),
    (["bernoulli"], "fisher", r"\frac{1}{2p(1-p)}", True, False, "factor 1/2"),
    (["bernoulli"], "fisher", "x/p^2 + (1-x)/(1-p)^2", False, False, "observed information"),
    (["bernoulli"], "score", "(x - p)/(p*(1-p))", False, True, None),
    (["bernoulli"], "score", r"\frac{p - x}{p(1-p)}", True, False, "sign"),
    (["bernoulli"], "cramer-rao", "p*(1-p)", False, True, None),
    (["bernoulli"], "cramer-rao", "1/(p*(1-p))", False, False, "reciprocal"),
    (["bernoulli"], "jeffreys", "1/sqrt(p*(1-p))", False, True, None),
    (["bernoulli"], "jeffreys", r"\frac{1}{\pi\sqrt{p(1-p)}}", True, True, None),
    (["bernoulli"], "jeffreys", "1/(p*(1-p))", False, False, "square root"),
    (["bernoulli"], "natural-gradient", "p*(1-p)*g_p", False, True, None),
    (["bernoulli"], "natural-gradient", "g_p/(p*(1-p))", False, False, "inverse"),
    (["bernoulli", "--coords", "logit"], "fisher", "exp(eta)/(1+exp(eta))^2", False, True, None),
    (["bernoulli", "--coords", "logit"], "fisher", "p*(1-p)", False, True, None),
    (["bernoulli", "--coords", "logit"], "fisher", "1/(p*(1-p))", False, False, "Jacobian"),
    # binomial: forgot n
    (["binomial"], "fisher", "n/(p*(1-p))", False, True, None),
    (["binomial"], "fisher", "1/(p*(1-p))", False, False, "forgot n"),
    # poisson
    (["poisson"], "fisher", "1/lam", False, True, None),
    (["poisson"], "fisher", r"\frac{1}{\lambda}", True, True, None),
    (["poisson"], "fisher", "2/lam", False, False, "factor 2"),
    (["poisson"], "fisher", "lam", False, False, "reciprocal"),
    (["poisson"], "kl", "lam_1*log(lam_1/lam_2) - lam_1 + lam_2", False, True, None),
    (["poisson"], "kl", "lam_2*log(lam_2/lam_1) - lam_2 + lam_1", False, False, "swapped"),
    (["poisson"], "kl-quadratic", "delta_lam^2/(2*lam)", False, True, None),
    (["poisson"], "kl-quadratic", "delta_lam^2/lam", False, False, "1/2"),
    # normal
    (["normal"], "fisher", "[[1/sigma^2, 0], [0, 2/sigma^2]]", False, True, None),
    (["normal"], "fisher", r"\begin{pmatrix} \frac{1}{\sigma^2} & 0 \\ 0 & \frac{2}{\sigma^2} \end{pmatrix}", True,
     True, None),
    (["normal"], "fisher", "[[1/sigma^2, 0], [0, 1/sigma^2]]", False, False, "[1,1]"),
    (["normal"], "fisher", "[[2/sigma^2, 0], [0, 1/sigma^2]]", False, False, "order"),
    (["normal"], "fisher", "[[sigma^2, 0], [0, sigma^2/2]]", False, False, "Cramér–Rao"),
    (["normal"], "fisher[1,1]", "2/sigma^2", False, True, None),
    (["normal"], "fisher[sigma,sigma]", "1/sigma^2", False, False, "half"),
    (["normal"], "fisher[mu,sigma]", "0", False, True, None),
    (["normal"], "score[mu]", "(x - mu)/sigma^2", False, True, None),
    (["normal"], "score", "[(x-mu)/sigma^2, -1/sigma + (x-mu)^2/sigma^3]", False, True, None),
    (["normal"], "cramer-rao", "[[sigma^2, 0], [0, sigma^2/2]]", False, True, None),
    (["normal"], "jeffreys", "1/sigma^2", False, True, None),
    (["normal"], "jeffreys", "1/sigma", False, False, "independence"),
    (["normal", "--coords", "log_sigma"], "fisher", "[[exp(-2*tau), 0], [0, 2]]", False, True, None),
    (["normal", "--coords", "log_sigma"], "fisher", "[[exp(-2*tau), 0], [0, 2*exp(-2*tau)]]", False, False,
     "Jacobian"),
    # gamma
    (["gamma"], "fisher", "[[trigamma(a), -1/b], [-1/b, a/b^2]]", False, True, None),
    (["gamma"], "fisher", r"\begin{bmatrix} \psi_1(a) & -\frac{1}{b} \\ -\frac{1}{b} & \frac{a}{b^2} \end{bmatrix}",
     True, True, None),
    (["gamma"], "fisher", "[[trigamma(a), 1/b], [1/b, a/b^2]]", False, False, "sign"),
    (["gamma"], "fisher", "[[trigamma(a), -1/b], [1/b, a/b^2]]", False, False, "not symmetric"),
    (["gamma"], "cramer-rao", "[[1/trigamma(a), -b], [-b, b^2/a]]", False, False, "entry by entry"),
    # exponential through --reparam (log-rate): I_phi = 1
    (EXPONENTIAL_LOG_RATE, "fisher", "1", False, True, None),
    (EXPONENTIAL_LOG_RATE, "fisher", "exp(-2*phi)", False, False, "missing the Jacobian"),
    (EXPONENTIAL_LOG_RATE, "fisher", "exp(-phi)", False, False, "first power"),
    (EXPONENTIAL_LOG_RATE, "fisher", "exp(-4*phi)", False, False, "inverse Jacobian"),
    # a user's density
    (USER_EXPONENTIAL, "fisher", "1/t^2", False, True, None),
    (USER_EXPONENTIAL, "fisher", r"\frac{1}{t}", True, False, "square root"),
    (USER_EXPONENTIAL, "score", "1/t - x", False, True, None),
    (USER_EXPONENTIAL, "cramer-rao", "t^2", False, True, None),
    # equal on part of the domain only
    (["laplace"], "score[mu]", "1/b", False, False, "part of the domain"),
]


def _ids(row):
    return " ".join(row[0][:1] + row[0][1:3]) + f" {row[1]} {row[2][:30]}"


@pytest.mark.parametrize("row", TABLE, ids=[_ids(r) for r in TABLE])
def test_verdicts_and_diagnoses_through_the_cli(row, capsys):
    options, quantity, expr, latex, equal, words = row
    argv = ["check", *options, quantity, expr] + (["--latex"] if latex else [])
    rc = main(argv)
    out = capsys.readouterr()
    assert rc == (0 if equal else 1), (argv, out.out, out.err)
    assert out.out.startswith("equal" if equal else "not equal"), out.out
    if not equal:
        assert "yours = " in out.out and "correct = " in out.out, out.out
    if words is not None:
        assert "diagnosis:" in out.out and words in out.out, (argv, out.out)


def test_api_verdict_fields():
    v = check_answer(model("poisson"), "fisher", "2/lam")
    assert isinstance(v, Verdict) and not v.equal and v.exit_code == 1 and v.up_to_constant is None
    assert "factor 2" in v.diagnosis
    ce = v.counterexample
    assert set(ce) == {"point", "yours", "expected", "entry"} and "lam" in ce["point"]
    v = check_answer(model("poisson"), "fisher", "1/lam")
    assert v.equal and v.proved and v.counterexample is None and v.diagnosis is None


def test_jeffreys_is_up_to_a_constant_and_says_so():
    v = check_answer(model("bernoulli"), "jeffreys", "3/sqrt(p*(1-p))")
    assert v.equal and v.up_to_constant is True and "constant" in v.message
    v = check_answer(model("bernoulli"), "jeffreys", "1/sqrt(p - p^2)")
    assert v.equal and v.up_to_constant is False


def test_natural_gradient_of_the_log_likelihood():
    # without g_ symbols and with the data variable: I^{-1} times the score
    assert check_answer(model("poisson"), "natural-gradient", "x - lam").equal
    assert check_answer(model("poisson"), "natural-gradient", "lam*g_lam").equal


def test_sympy_objects_are_accepted():
    import sympy as sp

    m = model("normal")
    mu, sigma = m.params
    assert check_answer(m, "fisher", sp.Matrix([[1 / sigma**2, 0], [0, 2 / sigma**2]])).equal


def test_quantity_names_and_entries():
    m = model("normal")
    assert parse_quantity("fisher[sigma, mu]", m.params) == ("fisher", (1, 0))
    assert parse_quantity("fisher[1][0]", m.params) == ("fisher", (1, 0))
    assert parse_quantity("natural_gradient[mu]", m.params) == ("natural-gradient", (0,))
    for bad in ("fisher[0]", "fisher[2,0]", "fisher[nu,mu]", "kl[0]", "entropy", "fisher[[0]]", "x" * 400):
        with pytest.raises(ParseError):
            parse_quantity(bad, m.params)


HOSTILE = [
    "__import__('os').system('echo pwned')",
    "p.__class__.__mro__",
    "(lambda: 1)()",
    "open('/etc/passwd').read()",
    "'a' * 10",
    "[x for x in range(10**9)]",
    "9**9**9**9",
    "factorial(10**7)",
    "(" * 200 + "p" + ")" * 200,
    "[" * 100 + "]" * 100,
    "p" + "+p" * 5000,
    "exec('1')",
    "globals()",
    "p if p else 1",
    "p; import os",
    "q + 1",
    "[[p, 1], [2]]",
    "[p, 1]",
    "",
    "1/0",
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_is_refused_with_one_line(text, capsys):
    import time

    t0 = time.monotonic()
    rc = main(["check", "bernoulli", "fisher", text])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.startswith("symfisher: error: ") and err.count("\n") == 1, err
    assert "pwned" not in err and time.monotonic() - t0 < 5


def test_hostile_latex(capsys):
    for text in (r"\input{/etc/passwd}", r"2^{10^{10}}", r"\frac{1}{p}" * 400, r"\begin{pmatrix} p & \end{pmatrix}"):
        rc = main(["check", "bernoulli", "fisher", text, "--latex"])
        err = capsys.readouterr().err
        assert rc == 2 and err.count("\n") == 1, (text, err)


def test_offending_token_is_named(capsys):
    assert main(["check", "bernoulli", "fisher", "1/(q*(1-q))"]) == 2
    assert "'q'" in capsys.readouterr().err
    assert main(["check", "bernoulli", "entropy", "p"]) == 2
    assert "'entropy'" in capsys.readouterr().err
    assert main(["check", "normal", "fisher", "[1, 2]"]) == 2
    assert "2x2" in capsys.readouterr().err


def test_growth_that_would_hang_is_bounded(capsys):
    import time

    t0 = time.monotonic()
    rc = main(["check", "poisson", "fisher", "exp(exp(exp(exp(exp(exp(lam))))))"])
    assert rc == 1 and time.monotonic() - t0 < 20
    capsys.readouterr()


def test_a_leading_minus_is_an_answer_not_an_option(capsys):
    assert main(["check", "poisson", "fisher", "-1/lam"]) == 1
    assert "sign" in capsys.readouterr().out


_ALPHABET = "px()+-*/^.,[]_'\"0123456789 aeilmnorstgq\\{}=<>!@#$%&|~`:;lambdaimport"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=_ALPHABET, max_size=40))
def test_random_text_gives_a_verdict_or_a_clean_error(text):
    import builtins

    calls = []
    real_eval, real_exec = builtins.eval, builtins.exec
    builtins.eval = lambda *a, **k: calls.append(a) or real_eval(*a, **k)
    builtins.exec = lambda *a, **k: calls.append(a) or real_exec(*a, **k)
    try:
        v = check_answer(model("bernoulli"), "fisher", text)
        assert isinstance(v, Verdict) and isinstance(v.equal, bool)
    except (ParseError, ModelError):
        pass
    finally:
        builtins.eval, builtins.exec = real_eval, real_exec
    assert not [c for c in calls if isinstance(c[0], str) and len(text) >= 6 and text in c[0]]


def test_a_constant_too_large_to_evaluate_is_refused_quickly(capsys):
    import time

    for text in ("sin(exp(10**99))", "Abs(exp(10**99))", "1/p + exp(10**99)*0 + sin(exp(10**50))"):
        t0 = time.monotonic()
        rc = main(["check", "bernoulli", "fisher", text])
        err = capsys.readouterr().err
        assert rc == 2 and "too large" in err and err.count("\n") == 1, (text, err)
        assert time.monotonic() - t0 < 20
