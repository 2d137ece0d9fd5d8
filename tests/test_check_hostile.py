"""Hostile and careless answers to ``check``, table-driven: each one is judged right, wrong, or refused.

Right answers written very differently (LaTeX variants, unicode operators, pieces that vanish on the domain,
identities) must be *proven* equal; wrong ones that differ only on part of the domain, past a breakpoint
next to an end, past a jump of ``floor``, or by less than any digit of the two sides must be "not equal"
with a counterexample; huge numbers hidden in nested functions and text that is not an expression are
refused as bad input (:class:`~symfisher.parsing.ParseError`, exit 2) before anything is evaluated. The
literature value of each target is Lehmann & Casella, Theory of Point Estimation, Table 2.5.1
(Bernoulli ``1/(p(1-p))``, Poisson ``1/lambda``, exponential ``1/lambda**2``, normal ``diag(1, 2)/sigma**2``).
"""
from __future__ import annotations

import functools

import pytest

from symfisher.check import check_answer
from symfisher.families import get_model
from symfisher.parsing import ParseError

R = "1/(p*(1-p))"


@functools.lru_cache(maxsize=None)
def model(name):
    return get_model(name)


PROVEN = [  # (model, quantity, answer, latex)
    ("bernoulli", "fisher", "exp(-log(p) - log(1-p))", False),
    ("bernoulli", "fisher", f"{R}*(sin(p)**2 + cos(p)**2)", False),
    ("bernoulli", "fisher", f"Abs({R})", False),
    ("bernoulli", "fisher", f"Max({R}, 0)", False),
    ("bernoulli", "fisher", "sqrt(1/(p**2*(1-p)**2))", False),
    ("bernoulli", "fisher", f"{R} + Heaviside(p - 2)", False),
    ("bernoulli", "fisher", f"{R} + Max(0, p - 1)", False),
    ("bernoulli", "fisher", f"{R} + Min(0, p)", False),
    ("bernoulli", "fisher", f"{R} + (Abs(p) - p)", False),
    ("bernoulli", "fisher", f"{R}*sign(p)", False),
    ("bernoulli", "fisher", f"{R} + floor(p)", False),
    ("bernoulli", "fisher", f"{R} + log(exp(p)) - p", False),
    ("bernoulli", "fisher", "1/p - 1/(p - 1)", False),
    ("bernoulli", "fisher", "((((p))))**(-1)*(1-p)**-1", False),
    ("bernoulli", "fisher", f"{R} + sqrt(-1)*0", False),
    ("bernoulli", "fisher", "1/(p·(1−p))", False),  # middle dot, unicode minus
    ("bernoulli", "fisher", "1/(p×(1-p))", False),
    ("bernoulli", "fisher", r"\frac1{p(1-p)}", True),
    ("bernoulli", "fisher", r"\dfrac{1}{p\left(1-p\right)}", True),
    ("bernoulli", "fisher", r"p^{-1}(1-p)^{-1}", True),
    ("bernoulli", "fisher", r"\tfrac{1}{p}+\tfrac{1}{1-p}", True),
    ("bernoulli", "fisher", r"\left[\frac{1}{p(1 - p)}\right]", True),
    ("bernoulli", "fisher", r"e^{-\ln p - \ln(1-p)}", True),
    ("poisson", "fisher", r"\frac{1}{\lambda}", True),
    ("normal", "fisher", r"\begin{bmatrix} \sigma^{-2} & 0 \\ 0 & 2\sigma^{-2} \end{bmatrix}", True),
    ("exponential", "fisher", "lam**-2 + Heaviside(-lam)", False),
    ("normal", "score[mu]", "(x - mu)/sigma**2 + Heaviside(-sigma)", False),
    ("poisson", "kl", "lam_1*log(lam_1) - lam_1*log(lam_2) + lam_2 - lam_1", False),
    ("bernoulli", "jeffreys", "1/sqrt(p*(1-p)) * 7/pi", False),
    # pieces that switch inside the domain: proven case by case (each side of p = 1/2, x = mu)
    ("bernoulli", "fisher", "Max(1/p, 1/(1-p)) + Min(1/p, 1/(1-p))", False),
    ("bernoulli", "jeffreys", "(Max(p, 1-p)*Min(p, 1-p))**(-1/2)", False),
    ("bernoulli", "fisher", f"{R}*(Heaviside(p - 1/3) + Heaviside(1/3 - p))", False),
    ("normal", "score[mu]", "Max(x - mu, 0)/sigma**2 + Min(x - mu, 0)/sigma**2", False),
    ("normal", "score[mu]", "Abs(x - mu)*sign(x - mu)/sigma**2", False),
]


def test_a_case_split_never_proves_a_wrong_answer():
    from symfisher.check.compare import zero_by_cases
    from symfisher.domains import Domain
    from symfisher.parsing import parse_expression

    syms = dict(model("bernoulli").symbols)
    doms = {syms["p"]: Domain.interval(0, 1)}
    right = "Max(1/p, 1/(1-p)) - Min(1/p, 1/(1-p)) - Abs(1/p - 1/(1-p))"
    assert zero_by_cases(parse_expression(right, syms), doms)
    for wrong in ("Max(1/p, 1/(1-p)) - 1/p", "Max(0, p - 1 + 10**-30)", "Heaviside(p - 1/2) - Heaviside(p - 1/2)**2",
                  "Abs(p**5 - p + 1/10) - (p**5 - p + 1/10)"):  # the last switches at a root of a quintic
        assert not zero_by_cases(parse_expression(wrong, syms), doms), wrong


@pytest.mark.parametrize("name,quantity,text,latex", PROVEN, ids=[f"{a}-{c[:40]}" for a, _, c, _ in PROVEN])
def test_right_answers_written_differently_are_proven_equal(name, quantity, text, latex):
    v = check_answer(model(name), quantity, text, latex=latex)
    assert v.equal and v.proved and v.exit_code == 0, (text, v.message)


WRONG = [  # (model, quantity, answer): wrong only on part of the domain, or by less than any digit
    ("exponential", "fisher", "1/lam**2 + Max(0, lam - 10**6)"),
    ("exponential", "fisher", "1/lam**2 + Heaviside(10**-30 - lam)*10**-40"),
    ("poisson", "fisher", "1/lam + Heaviside(lam - 10**9)"),
    ("bernoulli", "fisher", f"{R} + (Abs(p - 1/2) - (p - 1/2))*10**-35"),
    ("bernoulli", "fisher", f"{R} + Heaviside(p**3 - 1/3)*10**-30"),  # irrational breakpoint 3**(-1/3)
    ("bernoulli", "fisher", f"{R}*(1 + Max(0, log(p) + 50))"),  # breakpoint exp(-50)
    ("bernoulli", "fisher", f"{R} + floor(2*p)"),
    ("bernoulli", "fisher", f"{R} + floor(p + 10**-30)"),  # jumps at p = 1 - 1e-30 only
    ("bernoulli", "fisher", f"{R} + ceiling(p - 10**-30) - 1"),  # differs only on p < 1e-30
    ("bernoulli", "fisher", f"Min({R}, 10**20)"),
    ("bernoulli", "fisher", f"{R} + 10**-300*sqrt(2)"),
    ("bernoulli", "fisher", f"{R}*(1 + exp(-10**6/(p*(1-p))))"),  # below 1e-1700000 relative, never 0
    ("exponential", "fisher", "1/lam**2 + floor(lam/10**9)*10**-40"),
    ("normal", "score[mu]", "(x - mu)/sigma**2 + Heaviside(x - 100)*10**-30"),
    ("bernoulli", "jeffreys", "1/sqrt(p*(1-p)) + Max(0, p - 1 + 10**-40)"),
    ("bernoulli", "jeffreys", "1/sqrt(p*(1-p)) + floor(p + 10**-40)"),
    ("bernoulli", "jeffreys", "(1 + Heaviside(p - 1/2))/sqrt(p*(1-p))"),
    ("poisson", "kl", "lam_1*log(lam_1/lam_2) - lam_1 + lam_2 + Max(0, lam_1 - lam_2 - 10**6)"),
    ("gamma", "fisher", "[[polygamma(1,a), 1/b],[1/b, a/b**2]]"),  # off-diagonal sign
]


@pytest.mark.parametrize("name,quantity,text", WRONG, ids=[f"{a}-{c[:40]}" for a, _, c in WRONG])
def test_wrong_answers_are_never_equal(name, quantity, text):
    v = check_answer(model(name), quantity, text)
    assert not v.equal and v.exit_code == 1 and v.message.startswith("not equal"), (text, v.message)
    assert v.counterexample is not None and v.counterexample["point"], v.message
    for value in v.counterexample["point"].values():  # a point next to an end is shown as such, not as the end
        assert value not in ("0", "1"), v.message


REFUSED = [  # (answer, words of the one-line refusal)
    ("log(log(exp(exp(10**5))))", "too large"),
    ("gamma(gamma(gamma(10)))", "too large"),
    ("factorial(factorial(20))", "too large"),
    ("2**2**2**2**2**2", "too large"),
    (f"{R} + p**(10**10)", "too large"),
    ("binomial(10**9, 5*10**8)", "too large"),
    (f"{R} + polygamma(1, 10**12) - polygamma(1, 10**12)", "too large"),
    (f"{R}*exp(sin(exp(10**4)))", "too large"),
    (f"{R} + besseli(0, 10**6)*0", "too large"),
    ("sin(exp(10**99))", "too large"),
    (R + "+0" * 20000, "too long"),
    ("(" * 3000 + R + ")" * 3000, "too long"),
    ("1/(p*(1-p))\u200b", "non-printable"),
    ("\u202e1/(p*(1-p))", "non-printable"),
    (f"{R} # a comment", "'#' is not allowed"),
    (f"Piecewise(({R}, p < 2), (0, True))", "Heaviside"),
    ("__import__('os')", "not allowed"),
    ("[[[[1/(p*(1-p))]]]]", "wrong shape"),
    ("", "empty"),
]


@pytest.mark.parametrize("text,words", REFUSED, ids=[t[:30] for t, _ in REFUSED])
def test_hostile_text_is_refused_as_bad_input(text, words):
    with pytest.raises(ParseError) as info:
        check_answer(model("bernoulli"), "fisher", text)
    assert words in str(info.value) and "\n" not in str(info.value), str(info.value)


@pytest.mark.parametrize("text", [r"\input{/etc/passwd}", r"\def\x{1}\x", r"\frac{1}{p(1-p)"])
def test_hostile_latex_is_refused(text):
    with pytest.raises(ParseError):
        check_answer(model("bernoulli"), "fisher", text, latex=True)
