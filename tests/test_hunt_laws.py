"""A fourth batch of held-out typed densities through the command-line contract (docs/specs.md), none an id
or a density of the other typed batches: zero-inflated and hurdle counts and mixtures with a known weight
(which must fail clearly or be right), Burr XII, the exponentiated exponential, the Weibull's rate and the
generalized gamma in the parameter their statistic is exponential or gamma in, the
generalized Pareto shape, a two-piece normal written with Max/Min, laws typed in rearranged forms
(the normal's square expanded, Pareto as ``exp(a log m - ...)``), parameters that enter only through a product
(a singular information), the logistic function by name, hurdle and three-point laws.

Every case runs through ``test_typed_heldout.check_case`` (the independent numeric witness) and
``_witness.literature_matches`` (the cited closed form); the default run keeps the fast cases, the others
are collected only with ``SYMFISHER_SLOW=1``. After the densities: what the same hunt found in ``check``
(a wrong answer below the sides' 50 digits, a wrong "sign error" diagnosis), a constant named like a KL
symbol, several data variables and ``--reparam`` against their own witnesses.
"""
from __future__ import annotations

import json
import math

import pytest
import sympy as sp

import symfisher as sf
from sympy.parsing.sympy_parser import parse_expr

from _witness import (_no_cache, assert_new_and_cited, case_tests, cauchy_scale, exp_rate,  # noqa: F401
                      split, BETA_KL)
from symfisher.cli import main

INF = math.inf
F, K, J = "fisher", "kl", "jeffreys"

# id, density, --var, --param list, --const list, witness support, two parameter points, must, slow
CASES = [
    # -- zero-inflated, hurdle, mixtures with a known weight: no closed form reached today, a named failure --
    ("zip_rate_known_weight", "w*Max(0, 1-x) + (1-w)*lam**x*exp(-lam)/factorial(x)", "x in 0..oo", ["lam > 0"],
     ["w in (0, 1)"], ("count", 0, None), ({"lam": 1.4, "w": 0.3}, {"lam": 0.6, "w": 0.3}), set(), True),
    ("zip_weight_known_rate", "w*Max(0, 1-x) + (1-w)*lam**x*exp(-lam)/factorial(x)", "x in 0..oo", ["w in (0, 1)"],
     ["lam > 0"], ("count", 0, None), ({"w": 0.3, "lam": 1.4}, {"w": 0.6, "lam": 1.4}), set(), True),
    ("hurdle_poisson_zero_prob", "p*Max(0, 1-x) + (1-p)*Min(x, 1)*lam**x*exp(-lam)/(factorial(x)*(1-exp(-lam)))",
     "x in 0..oo", ["p in (0, 1)"], ["lam > 0"], ("count", 0, None), ({"p": 0.3, "lam": 1.4}, {"p": 0.6, "lam": 1.4}),
     set(), True),
    ("hurdle_poisson_rate", "p*Max(0, 1-x) + (1-p)*Min(x, 1)*lam**x*exp(-lam)/(factorial(x)*(1-exp(-lam)))",
     "x in 0..oo", ["lam > 0"], ["p in (0, 1)"], ("count", 0, None), ({"lam": 1.4, "p": 0.3}, {"lam": 0.6, "p": 0.3}),
     set(), True),
    ("normal_mixture_known_weight_mean", "(3*exp(-(x-m)**2/2) + 7*exp(-x**2/2))/(10*sqrt(2*pi))", "x in R",
     ["m real"], [], ("line", -INF, INF), ({"m": 0.8}, {"m": -0.5}), set(), True),
    ("exp_mixture_weight", "w*exp(-x) + 2*(1-w)*exp(-2*x)", "x in (0, oo)", ["w in (0, 1)"], [], ("line", 0, INF),
     ({"w": 0.3}, {"w": 0.7}), set(), True),
    ("linear_mixture_unit", "2*w*x + 2*(1-w)*(1-x)", "x in (0, 1)", ["w in (0, 1)"], [], ("line", 0, 1),
     ({"w": 0.3}, {"w": 0.8}), {F}, True),
    ("gpd_shape_unit_scale", "(1 + xi*x)**(-1/xi - 1)", "x in (0, oo)", ["xi > 0"], [], ("line", 0, INF),
     ({"xi": 0.3}, {"xi": 0.7}), set(), True),
    ("negbin_size_known_p", "gamma(x+r)/(gamma(r)*factorial(x))*p**r*(1-p)**x", "x in 0..oo", ["r > 0"],
     ["p in (0, 1)"], ("count", 0, None), ({"r": 1.4, "p": 0.4}, {"r": 2.6, "p": 0.4}), set(), True),
    # -- a statistic that is exponential (or gamma) in the parameter -------------------------------------------
    ("burr12_k_known_c", "c*k*x**(c-1)*(1+x**c)**(-k-1)", "x in (0, oo)", ["k > 0"], ["c > 0"], ("line", 0, INF),
     ({"k": 1.4, "c": 2.5}, {"k": 0.6, "c": 2.5}), {F, K, J}, False),
    ("exponentiated_exponential_shape", "a*l*exp(-l*x)*(1-exp(-l*x))**(a-1)", "x in (0, oo)", ["a > 0"], ["l > 0"],
     ("line", 0, INF), ({"a": 1.4, "l": 0.8}, {"a": 2.6, "l": 0.8}), {F, K, J}, True),
    ("weibull_rate_known_shape", "k*l*x**(k-1)*exp(-l*x**k)", "x in (0, oo)", ["l > 0"], ["k > 0"], ("line", 0, INF),
     ({"l": 1.4, "k": 1.7}, {"l": 0.6, "k": 1.7}), {F, K, J}, False),
    ("generalized_gamma_scale", "p*x**(d-1)*exp(-(x/a)**p)/(a**d*gamma(d/p))", "x in (0, oo)", ["a > 0"],
     ["d > 0", "p > 0"], ("line", 0, INF), ({"a": 1.4, "d": 2.5, "p": 1.5}, {"a": 0.6, "d": 2.5, "p": 1.5}),
     {F, K, J}, False),
    ("pareto_log_form", "a*exp(a*log(m) - (a+1)*log(x))", "x in (m, oo)", ["a > 0"], ["m > 0"], ("line", 1.5, INF),
     ({"a": 1.4, "m": 1.5}, {"a": 2.6, "m": 1.5}), {F, K, J}, False),
    ("rayleigh_sigma_squared", "x/s*exp(-x**2/(2*s))", "x in (0, oo)", ["s > 0"], [], ("line", 0, INF),
     ({"s": 1.4}, {"s": 0.6}), {F, K, J}, False),
    ("nakagami_sigma_known_m", "2*x**(2*m-1)*exp(-x**2/s**2)/(gamma(m)*s**(2*m))", "x in (0, oo)", ["s > 0"],
     ["m > 0"], ("line", 0, INF), ({"s": 1.4, "m": 1.7}, {"s": 0.6, "m": 1.7}), {F, K, J}, False),
    ("gamma_scale_rational_shape", "x**(3/2)*exp(-x/t)/(gamma(5/2)*t**(5/2))", "x in (0, oo)", ["t > 0"], [],
     ("line", 0, INF), ({"t": 1.4}, {"t": 0.6}), {F, K, J}, False),
    ("half_cauchy_scale_ratio_form", "2/(pi*g*(1+(x/g)**2))", "x in (0, oo)", ["g > 0"], [], ("line", 0, INF),
     ({"g": 1.4}, {"g": 0.6}), {F, K, J}, True),
    ("inverse_gaussian_mean_known_shape", "sqrt(l/(2*pi*x**3))*exp(-l*(x-mu)**2/(2*mu**2*x))", "x in (0, oo)",
     ["mu > 0"], ["l > 0"], ("line", 0, INF), ({"mu": 1.4, "l": 1.3}, {"mu": 0.6, "l": 1.3}), {F, K, J}, False),
    # -- beta-type shapes ----------------------------------------------------------------------------------------
    ("beta_a_two_minus_a", "x**(a-1)*(1-x)**(1-a)/beta(a, 2-a)", "x in (0, 1)", ["a in (0, 2)"], [], ("line", 0, 1),
     ({"a": 0.7}, {"a": 1.4}), {F, K, J}, True),
    ("beta_prime_b2", "x**(a-1)*(1+x)**(-a-2)/beta(a, 2)", "x in (0, oo)", ["a > 0"], [], ("line", 0, INF),
     ({"a": 1.4}, {"a": 2.6}), {F, K, J}, True),
    # -- kinks, rearranged forms, products, names ----------------------------------------------------------------
    ("split_normal_location", "2/(3*sqrt(2*pi))*exp(-Max(x-m, 0)**2/8 - Min(x-m, 0)**2/2)", "x in R", ["m real"],
     [], ("line", -INF, INF), ({"m": 0.3}, {"m": -0.4}), {F, J}, True),
    ("normal_expanded_square", "exp(-x**2/(2*s**2) + x*m/s**2 - m**2/(2*s**2))/sqrt(2*pi*s**2)", "x in R",
     ["m real", "s > 0"], [], ("line", -INF, INF), ({"m": 0.3, "s": 1.3}, {"m": -0.4, "s": 0.7}), {F, K, J}, True),
    # a and b enter only through a*b: I is singular, so Cramér–Rao and Jeffreys are named failures
    ("exp_rate_product", "a*b*exp(-a*b*x)", "x in (0, oo)", ["a > 0", "b > 0"], [], ("line", 0, INF),
     ({"a": 1.4, "b": 1.3}, {"a": 0.6, "b": 0.7}), {F, K}, True),
    ("normal_variance_product", "exp(-(x-m)**2/(2*a*b))/sqrt(2*pi*a*b)", "x in R", ["m real", "a > 0"], ["b > 0"],
     ("line", -INF, INF), ({"m": 0.3, "a": 1.2, "b": 0.5}, {"m": -0.4, "a": 0.7, "b": 0.5}), {F, K, J}, False),
    ("lognormal_location_product", "exp(-(log(x)-a*b)**2/2)/(x*sqrt(2*pi))", "x in (0, oo)", ["a real"], ["b > 0"],
     ("line", 0, INF), ({"a": 0.3, "b": 1.5}, {"a": -0.4, "b": 1.5}), {F, K, J}, False),
    ("student_t4_both", "3/(8*s)*(1+((x-m)/s)**2/4)**(-5/2)", "x in R", ["m real", "s > 0"], [],
     ("line", -INF, INF), ({"m": 0.3, "s": 1.2}, {"m": -0.4, "s": 0.7}), {F, J}, True),
    ("hyperbolic_cosine_besselk", "exp(-a*cosh(x))/(2*besselk(0, a))", "x in R", ["a > 0"], [], ("line", -INF, INF),
     ({"a": 1.4}, {"a": 0.6}), {F, K}, True),
    # the Fisher integral of a linear tilt of Exp(1) is an exponential integral: a named failure, or right
    ("exp_linear_tilt", "exp(-x)*(1 + t*(x-1))", "x in (0, oo)", ["t in (0, 1)"], [], ("line", 0, INF),
     ({"t": 0.3}, {"t": 0.7}), set(), True),
    ("exp_rate_abs_redundant", "t*exp(-Abs(t)*x)", "x in (0, oo)", ["t > 0"], [], ("line", 0, INF),
     ({"t": 1.4}, {"t": 0.6}), {F, K, J}, False),
    ("logistic_sigmoid_form", "sigmoid(x-m)*(1-sigmoid(x-m))", "x in R", ["m real"], [], ("line", -INF, INF),
     ({"m": 0.3}, {"m": -0.4}), {F, J}, True),
    ("bernoulli_expit", "expit(t)**x*(1-expit(t))**(1-x)", "x in {0, 1}", ["t real"], [], ("set", [0, 1]),
     ({"t": 0.4}, {"t": -0.7}), {F, K, J}, False),
    ("truncated_normal_mean_unit_interval", "exp(-(x-m)**2/2)*sqrt(2/pi)/(erf((1-m)/sqrt(2)) + erf(m/sqrt(2)))",
     "x in (0, 1)", ["m real"], [], ("line", 0, 1), ({"m": 0.3}, {"m": -0.4}), {F}, True),
    # -- counts and finite sets ----------------------------------------------------------------------------------
    ("binomial_four_set", "binomial(4, x)*p**x*(1-p)**(4-x)", "x in {0, 1, 2, 3, 4}", ["p in (0, 1)"], [],
     ("set", [0, 1, 2, 3, 4]), ({"p": 0.3}, {"p": 0.65}), {F, K, J}, False),
    ("geometric_base2", "(1 - 2**(-t))*2**(-t*x)", "x in 0..oo", ["t > 0"], [], ("count", 0, None),
     ({"t": 1.4}, {"t": 0.6}), {F, K, J}, False),
    ("three_point_tilt", "exp(t*x)/(1 + 2*cosh(t))", "x in {-1, 0, 1}", ["t real"], [], ("set", [-1, 0, 1]),
     ({"t": 0.4}, {"t": -0.7}), {F, K, J}, True),
]

_ZTP = "(1/(L*(1 - exp(-L))) - exp(-L)/(1 - exp(-L))**2)"  # the zero-truncated Poisson's information in L
_PHI = "exp(-({z})**2/2)/sqrt(2*pi)"
_TN_Z = "((erf((1 - m)/sqrt(2)) + erf(m/sqrt(2)))/2)"

# id -> (Fisher rows, KL or None, source); symbols as in the case, KL in name_1, name_2
LITERATURE = {
    "zip_rate_known_weight": ([["(1 - w)/lam - w*(1 - w)*exp(-lam)/(w + (1 - w)*exp(-lam))"]], None,
                              "Lambert (1992), Technometrics 34:1 (zero-inflated Poisson, the weight known)"),
    "zip_weight_known_rate": ([["(1 - exp(-lam))/((1 - w)*(w + (1 - w)*exp(-lam)))"]], None,
                              "Lambert (1992), Technometrics 34:1 (zero-inflated Poisson, the rate known)"),
    "hurdle_poisson_zero_prob": ([["1/(p*(1 - p))"]], None,
                                 "Mullahy (1986), J. Econometrics 33:341 (hurdle: the zero is a Bernoulli(p))"),
    "hurdle_poisson_rate": ([["(1 - p)*" + _ZTP.replace("L", "lam")]], None,
                            "Mullahy (1986), J. Econometrics 33:341; the positive part is the zero-truncated "
                            "Poisson (Johnson, Kemp & Kotz, Univariate Discrete Distributions (2005), §4.10.1)"),
    "linear_mixture_unit": ([["(2*log(w/(1 - w)) - 4*(2*w - 1))/(2*w - 1)**3"]], None,
                            "Titterington, Smith & Makov, Statistical Analysis of Finite Mixture Distributions (1985), "
                            "§4.3: I(w) = int (f_1 - f_2)^2/f, here with t = 2x - 1, c = 2w - 1: 2 int t^2/(1 + c t) dt"),
    "gpd_shape_unit_scale": ([["2/((1 + xi)*(1 + 2*xi))"]], None,
                             "Smith (1985), Biometrika 72:67, §4 (generalized Pareto, scale known)"),
    "burr12_k_known_c": ([["1/k**2"]], exp_rate("k"), "Burr (1942), Ann. Math. Statist. 13:215: log(1 + X^c) ~ Exp(k)"),
    "exponentiated_exponential_shape": ([["1/a**2"]], exp_rate("a"),
                                        "Gupta & Kundu (1999), Aust. N. Z. J. Stat. 41:173: -log(1 - exp(-l X)) ~ "
                                        "Exp(a)"),
    "weibull_rate_known_shape": ([["1/l**2"]], exp_rate("l"), "Wikipedia, 'Weibull distribution': X^k ~ Exp(l)"),
    "generalized_gamma_scale": ([["d*p/a**2"]], "d*log(a_2/a_1) + d/p*((a_1/a_2)**p - 1)",
                                "Stacy (1962), Ann. Math. Statist. 33:1187: (X/a)^p ~ Gamma(d/p, 1)"),
    "pareto_log_form": ([["1/a**2"]], exp_rate("a"), "Wikipedia, 'Pareto distribution': log(X/m) ~ Exp(a)"),
    "rayleigh_sigma_squared": ([["1/s**2"]], "log(s_2/s_1) + s_1/s_2 - 1",
                               "Wikipedia, 'Rayleigh distribution' with s = sigma^2: X^2 is exponential with mean 2 s"),
    "nakagami_sigma_known_m": ([["4*m/s**2"]], "m*(s_1**2/s_2**2 - 1 - 2*log(s_1/s_2))",
                               "Wikipedia, 'Nakagami distribution' with s^2 = w/m: X^2 ~ Gamma(m, scale s^2)"),
    "gamma_scale_rational_shape": ([["5/(2*t**2)"]], "5*(log(t_2/t_1) + t_1/t_2 - 1)/2",
                                   "Wikipedia, 'Gamma distribution' (shape 5/2, scale t)"),
    "half_cauchy_scale_ratio_form": ([["1/(2*g**2)"]], cauchy_scale("g"),
                                     "Wikipedia, 'Cauchy distribution'; Chyzak & Nielsen (2019), eq. (1)"),
    "inverse_gaussian_mean_known_shape": ([["l/mu**3"]], "l*(mu_1 - mu_2)**2/(2*mu_1*mu_2**2)",
                                          "Tweedie (1957), Ann. Math. Statist. 28:362 (I = l/mu^3)"),
    "beta_a_two_minus_a": ([["polygamma(1, a) + polygamma(1, 2 - a)"]],
                           BETA_KL.format(a1="a_1", b1="(2 - a_1)", a2="a_2", b2="(2 - a_2)"),
                           "Wikipedia, 'Beta distribution' along b = 2 - a (a + b fixed: no trigamma(a + b) term)"),
    "beta_prime_b2": ([["polygamma(1, a) - polygamma(1, a + 2)"]], None,
                      "Wikipedia, 'Beta prime distribution' (X/(1 + X) ~ Beta(a, 2))"),
    "split_normal_location": ([["1/2"]], None,
                              "Wallis (2014), Statistical Science 29:106 (two-piece normal, sigma 1 and 2: "
                              "I_mm = 1/(sigma_1 sigma_2))"),
    "normal_expanded_square": ([["1/s**2", "0"], ["0", "2/s**2"]],
                               "log(s_2/s_1) + (s_1**2 + (m_1 - m_2)**2)/(2*s_2**2) - 1/2",
                               "Wikipedia, 'Normal distribution'"),
    "exp_rate_product": ([["1/a**2", "1/(a*b)"], ["1/(a*b)", "1/b**2"]],
                         "log(a_1*b_1/(a_2*b_2)) + a_2*b_2/(a_1*b_1) - 1",
                         "the exponential law in its rate a b: I = (grad(a b)) (grad(a b))^T/(a b)^2, of rank 1"),
    "normal_variance_product": ([["1/(a*b)", "0"], ["0", "1/(2*a**2)"]],
                                "log(a_2/a_1)/2 + (a_1*b + (m_1 - m_2)**2)/(2*a_2*b) - 1/2",
                                "Wikipedia, 'Normal distribution' (variance a b)"),
    "lognormal_location_product": ([["b**2"]], "b**2*(a_1 - a_2)**2/2",
                                   "Wikipedia, 'Log-normal distribution' (mu = a b, sigma = 1)"),
    "exp_rate_abs_redundant": ([["1/t**2"]], exp_rate("t"), "Wikipedia, 'Exponential distribution'"),
    "logistic_sigmoid_form": ([["1/3"]], None,
                              "Johnson, Kotz & Balakrishnan, Continuous Univariate Distributions vol. 2 (1995), "
                              "ch. 23 (logistic location, s = 1)"),
    "bernoulli_expit": ([["exp(t)/(1 + exp(t))**2"]],
                        "(t_1 - t_2)*exp(t_1)/(1 + exp(t_1)) + log((1 + exp(t_2))/(1 + exp(t_1)))",
                        "McCullagh & Nelder, Generalized Linear Models (1989), §4.3 (logit link: I = p(1 - p))"),
    "truncated_normal_mean_unit_interval": ([[("1 + ((-m)*PA - (1 - m)*PB)/Z - ((PA - PB)/Z)**2")
                                              .replace("PA", _PHI.format(z="-m")).replace("PB", _PHI.format(z="1 - m"))
                                              .replace("Z", _TN_Z)]], None,
                                            "Johnson, Kotz & Balakrishnan vol. 1 (1994), ch. 13: I = Var(X) of the "
                                            "normal truncated to (0, 1)"),
    "binomial_four_set": ([["4/(p*(1 - p))"]],
                          "4*(p_1*log(p_1/p_2) + (1 - p_1)*log((1 - p_1)/(1 - p_2)))", "Wikipedia, 'Binomial distribution'"),
    "geometric_base2": ([["log(2)**2*2**t/(2**t - 1)**2"]],
                        "log((1 - 2**(-t_1))/(1 - 2**(-t_2))) + (t_2 - t_1)*log(2)*2**(-t_1)/(1 - 2**(-t_1))",
                        "Wikipedia, 'Geometric distribution' (failures, q = 2^(-t): I = q'(t)^2/(q (1 - q)^2))"),
    "student_t4_both": ([["5/(7*s**2)", "0"], ["0", "8/(7*s**2)"]], None,
                        "Lange, Little & Taylor (1989), JASA 84:881: (nu + 1)/((nu + 3) s^2) and 2 nu/((nu + 3) s^2) "
                        "at nu = 4"),
    "hyperbolic_cosine_besselk": ([["1 + besselk(1, a)/(a*besselk(0, a)) - besselk(1, a)**2/besselk(0, a)**2"]],
                                  "(a_2 - a_1)*besselk(1, a_1)/besselk(0, a_1) + log(besselk(0, a_2)/besselk(0, a_1))",
                                  "Jørgensen, Statistical Properties of the Generalized Inverse Gaussian Distribution "
                                  "(1982), ch. 2: X = log Y, Y ~ GIG(0, a, a), A(a) = log(2 K_0(a)), "
                                  "E cosh X = K_1(a)/K_0(a), K_1' = -K_0 - K_1/a"),
    "three_point_tilt": ([["2*cosh(t)/(1 + 2*cosh(t)) - 4*sinh(t)**2/(1 + 2*cosh(t))**2"]],
                         "2*(t_1 - t_2)*sinh(t_1)/(1 + 2*cosh(t_1)) + log((1 + 2*cosh(t_2))/(1 + 2*cosh(t_1)))",
                         "an exponential family in X on {-1, 0, 1} with A(t) = log(1 + 2 cosh t): I = A''(t) "
                         "(Lehmann & Casella, Theory of Point Estimation (1998), §1.5)"),
}


def test_fourth_batch_is_new_and_cited():
    from test_hunt_typed import CASES as THIRD
    from test_typed_heldout import HELDOUT
    from test_typed_hunt import HUNT
    from test_typed_textbook import TEXTBOOK

    others = HELDOUT + HUNT + THIRD
    assert_new_and_cited(CASES, LITERATURE, others + [(e[0],) for e in TEXTBOOK], minimum=30)
    seen = {(c[1], tuple(c[3])) for c in others} | {(e[1], tuple(e[3])) for e in TEXTBOOK}
    assert not [c[0] for c in CASES if (c[1], tuple(c[3])) in seen]


FAST, SLOW = split(CASES)
test_hunt_fourth_batch = case_tests(FAST, LITERATURE)
test_hunt_fourth_batch_slow = case_tests(SLOW, LITERATURE)


def _cli(argv, capsys):
    rc = main(argv)
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


# -- check: what the hunt found -------------------------------------------------------------------------------
GAMMA = ["--density", "x**(a-1)*exp(-x/b)/(gamma(a)*b**a)", "--var", "x in (0, oo)", "--param", "a > 0",
         "--param", "b > 0"]


@pytest.mark.parametrize("answer", ["polygamma(1, a) + sin(a)**2*10**-60", "polygamma(1, a) + sin(a)**2*10**-300"])
def test_a_difference_below_the_sides_digits_is_not_equal(answer, capsys):
    """The two sides agree to all their 50 digits at every point, but the difference itself (sin(a)^2 10^-60,
    which SymPy's Add keeps apart from the trigamma) is certified non-zero there: "not equal", exit 1.
    It used to be "equal at 38 points, not proven", exit 0: a 50-digit tie was taken for an exact zero."""
    rc, out, err = _cli(["check", *GAMMA, "fisher[a,a]", answer], capsys)
    assert rc == 1 and out.startswith("not equal"), (out, err)


def test_a_right_answer_sympy_cannot_prove_stays_numeric_evidence(capsys):
    """zeta(2, a) is trigamma(a) (Abramowitz & Stegun 6.4.10): labelled numeric, not refused, not proven."""
    rc, out, err = _cli(["check", *GAMMA, "fisher[a,a]", "zeta(2, a)"], capsys)
    assert rc == 0 and out.startswith("equal at") and "not proven" in out, (out, err)


def test_a_tiny_extra_term_is_not_diagnosed_as_a_sign_error(capsys):
    """yours = trigamma(a) + 10^-20 exp(-1/a): it differs by an extra term; the sign-error slip times the factor
    -1 is the correct answer itself and used to be named ("sign error ...; and off by the factor -1")."""
    rc, out, err = _cli(["check", *GAMMA, "fisher[a,a]", "polygamma(1, a) + exp(-1/a)*10**-20"], capsys)
    assert rc == 1 and out.startswith("not equal")
    assert "sign error" not in out and "factor -1" not in out
    assert "an extra term" in out, out


def test_a_name_the_kl_or_its_taylor_expansion_gives_is_bad_input(capsys):
    """The KL names a's values a_1 and a_2: a constant a_1 was the same symbol as the first distribution's a,
    and the KL came out as log(2 a_1) - log(a_1 + a_2) + ... (mixing them). Now: one line, exit 2."""
    for cmd in (["derive"], ["check"], ["verify"]):
        tail = ["kl", "0"] if cmd == ["check"] else ["--json"] if cmd == ["derive"] else []
        rc, out, err = _cli([*cmd, "--density", "(a + a_1)*exp(-(a + a_1)*x)", "--var", "x in (0, oo)",
                             "--param", "a > 0", "--const", "a_1 > 0", *tail], capsys)
        assert rc == 2 and out == "", (cmd, out)
        assert len(err.strip().splitlines()) == 1 and "a_1" in err and "KL" in err, err
    # the Taylor step in a is delta_a: a parameter of that name printed "delta_a**2/(2*delta_a)" (the step
    # squared over the variance, which reads back as delta_a/2)
    rc, out, err = _cli(["derive", "--density", "exp(-(x-a)**2/(2*delta_a))/sqrt(2*pi*delta_a)", "--var", "x in R",
                         "--param", "a real", "--param", "delta_a > 0", "--json"], capsys)
    assert rc == 2 and out == "" and len(err.strip().splitlines()) == 1 and "delta_a" in err, err
    # a parameter a_2 beside a was the same SymPy symbol as the second distribution's a: the KL of two
    # independent exponentials came out as log(a_1/a_2_2) - 2 + a_2_2/a_2_1 + a_2_1/a_1
    rc, out, err = _cli(["derive", "--density", "a*exp(-a*x)*a_2*exp(-a_2*y)", "--var", "x in (0, oo)", "--var",
                         "y in (0, oo)", "--param", "a > 0", "--param", "a_2 in (0, 1)", "--json"], capsys)
    assert rc == 2 and out == "" and len(err.strip().splitlines()) == 1 and "parameter a_2" in err, err
    # data variables x_1, x_2 beside a parameter x: the KL of two normal means came out as 0
    rc, out, err = _cli(["derive", "--density", "exp(-(x_1-x)**2/2 - (x_2-x)**2/2)/(2*pi)", "--var",
                         "x_1 in R, x_2 in R", "--param", "x real", "--json"], capsys)
    assert rc == 2 and out == "" and len(err.strip().splitlines()) == 1 and "data variable x_1" in err, err
    # renamed, the same model's KL is the sum of the two exponential KLs
    rc, out, err = _cli(["derive", "--density", "a*exp(-a*x)*b*exp(-b*y)", "--var", "x in (0, oo)", "--var",
                         "y in (0, oo)", "--param", "a > 0", "--param", "b in (0, 1)", "--json", "--only", "kl"], capsys)
    assert rc == 0, err
    names = {n: sp.Symbol(n, positive=True) for n in ("a_1", "a_2", "b_1", "b_2")}
    got = parse_expr(json.loads(out)["kl"], local_dict=names)
    want = parse_expr(exp_rate("a") + " + " + exp_rate("b"), local_dict=names)
    for pt in ({"a_1": 1.3, "a_2": 0.4, "b_1": 0.2, "b_2": 0.9}, {"a_1": 0.5, "a_2": 2.5, "b_1": 0.7, "b_2": 0.1}):
        sub = {names[k]: v for k, v in pt.items()}
        assert abs(float(got.subs(sub)) - float(want.subs(sub))) < 1e-12


def test_a_spec_with_a_constant_named_like_a_kl_symbol_writes_nothing(tmp_path, capsys):
    """The same model in a spec: the sheet printed KL = log(2 a_1) - log(a_1 + a_2) + ... and its own witness,
    built on the same mixed symbols, said PASS. Now the spec is bad input: one line naming the key, exit 2."""
    spec = tmp_path / "clash.toml"
    spec.write_text('title = "clash"\nquestion = "KL."\n\n[model]\ndensity = "(a + a_1)*exp(-(a + a_1)*x)"\n'
                    'var = "x in (0, oo)"\nparams = ["a > 0"]\nconsts = ["a_1 > 0"]\n\n[[derive]]\nquantity = "kl"\n')
    out_dir = tmp_path / "out"
    rc, out, err = _cli(["sheet", str(spec), "--out", str(out_dir), "--format", "md", "--no-figures"], capsys)
    assert rc == 2 and len(err.strip().splitlines()) == 1 and "model.consts" in err and "a_1" in err, err
    assert not out_dir.exists() or not any(out_dir.iterdir())


# -- several data variables and --reparam, each against its own numeric witness --------------------------------
def test_two_data_variables_with_a_correlation(capsys):
    """The standard bivariate normal with correlation r: I = (1 + r^2)/(1 - r^2)^2 (Anderson, An Introduction
    to Multivariate Statistical Analysis (2003), §4.2), and the Gaussian KL; both against quadrature on R^2."""
    from scipy.integrate import dblquad

    rc, out, err = _cli(["derive", "--density", "exp(-(x**2 - 2*r*x*y + y**2)/(2*(1-r**2)))/(2*pi*sqrt(1-r**2))",
                         "--var", "x in R", "--var", "y in R", "--param", "r in (-1, 1)", "--json",
                         "--only", "fisher,kl"], capsys)
    assert rc == 0, err
    rep = json.loads(out)
    r, x, y = sp.symbols("r x y", real=True)
    r1, r2 = sp.symbols("r_1 r_2", real=True)
    fisher = parse_expr(rep["fisher"][0][0], local_dict={"r": r})
    kl = parse_expr(rep["kl"], local_dict={"r_1": r1, "r_2": r2})
    logf = -(x**2 - 2*r*x*y + y**2)/(2*(1 - r**2)) - sp.log(2*sp.pi*sp.sqrt(1 - r**2))
    score = sp.diff(logf, r)
    for rv in (0.3, -0.55):
        f = sp.lambdify((x, y), sp.exp(logf.subs(r, rv)))
        s2 = sp.lambdify((x, y), (score**2).subs(r, rv))
        num = dblquad(lambda b, a: f(a, b) * s2(a, b), -12, 12, -12, 12, epsabs=1e-11)[0]
        assert abs(float(fisher.subs(r, rv)) - num) < 1e-6 * num
        assert abs(float(((1 + r**2)/(1 - r**2)**2).subs(r, rv)) - num) < 1e-6 * num
    a, b = 0.3, -0.5
    fa = sp.lambdify((x, y), sp.exp(logf.subs(r, a)))
    ratio = sp.lambdify((x, y), logf.subs(r, a) - logf.subs(r, b))
    num = dblquad(lambda v, u: fa(u, v) * ratio(u, v), -12, 12, -12, 12, epsabs=1e-11)[0]
    assert abs(float(kl.subs({r1: a, r2: b})) - num) < 1e-7
    lit = ((2 - 2*a*b)/(1 - b**2) - 2 + math.log((1 - b**2)/(1 - a**2))) / 2
    assert abs(lit - num) < 1e-7


def test_reparam_logit_of_a_typed_bernoulli(capsys):
    """p = 1/(1 + exp(-phi)) on a typed Bernoulli: I(phi) = p(1 - p) (McCullagh & Nelder (1989), §4.3), against
    the exact sum over {0, 1} of the typed density's score in phi; Jeffreys proper with normalizer pi."""
    rc, out, err = _cli(["derive", "--density", "p**x*(1-p)**(1-x)", "--var", "x in {0, 1}", "--param",
                         "p in (0, 1)", "--reparam", "p = 1/(1+exp(-phi))", "--json"], capsys)
    assert rc == 0, err
    rep = json.loads(out)
    assert rep["params"] == ["phi"] and not [f for f in rep["failures"] if f["step"] in ("fisher", "kl")]
    phi, x = sp.symbols("phi x", real=True)
    p = 1 / (1 + sp.exp(-phi))
    logf = x * sp.log(p) + (1 - x) * sp.log(1 - p)
    witness = sum((sp.exp(logf) * sp.diff(logf, phi)**2).subs(x, k) for k in (0, 1))
    got = parse_expr(rep["fisher"][0][0], local_dict={"phi": phi})
    for v in (0.4, -1.3, 2.2):
        assert abs(float(got.subs(phi, v)) - float(witness.subs(phi, v))) < 1e-12
        assert abs(float(got.subs(phi, v)) - float((p * (1 - p)).subs(phi, v))) < 1e-12
    assert rep["jeffreys"]["proper"] is True and parse_expr(rep["jeffreys"]["normalizer"]) == sp.pi


def test_a_singular_information_names_cramer_rao_and_jeffreys(capsys):
    """a b exp(-a b x): the information has rank 1 (only a b is identified): no inverse, no prior, both named."""
    rc, out, err = _cli(["derive", "--density", "a*b*exp(-a*b*x)", "--var", "x in (0, oo)", "--param", "a > 0",
                         "--param", "b > 0", "--json"], capsys)
    assert rc == 0, err
    rep = json.loads(out)
    assert rep["cramer_rao"] is None and rep["jeffreys"] is None
    steps = {f["step"]: f["reason"] for f in rep["failures"]}
    assert "singular" in steps["cramer_rao"] and "singular" in steps["jeffreys"]


def test_a_name_the_kl_gives_is_refused_through_python_too():
    """from_density itself refuses the clash (the CLI and the spec refused it, Python gave the mixed KL
    log(2 a_1) - log(a_1 + a_2) + ...): one ModelError naming the symbol."""
    from symfisher.model import ModelError

    with pytest.raises(ModelError, match="a_1"):
        sf.from_density("(a + a_1)*exp(-(a + a_1)*x)", var="x in (0, oo)", params=["a > 0"], consts=["a_1 > 0"])
    with pytest.raises(ModelError, match="delta_a"):
        sf.from_density("exp(-(x-a)**2/(2*delta_a))/sqrt(2*pi*delta_a)", var="x in R",
                        params=["a real", "delta_a > 0"])
    # the same law with the constant renamed builds, and its KL is the exponential-rate KL at rates a + c
    m = sf.from_density("(a + c)*exp(-(a + c)*x)", var="x in (0, oo)", params=["a > 0"], consts=["c > 0"])
    got = sf.derive_all(m, only=["kl"]).to_json()["kl"]
    # KL(Exp(r1) || Exp(r2)) = log(r1/r2) + r2/r1 - 1 (the literature form in _witness, rates a_k + c)
    names = {n: sp.Symbol(n, positive=True) for n in ("a_1", "a_2", "c")}
    want = parse_expr(exp_rate("r").replace("r_1", "(a_1 + c)").replace("r_2", "(a_2 + c)"), local_dict=names)
    got = parse_expr(got, local_dict=names)
    for pt in ({"a_1": 1.3, "a_2": 0.4, "c": 0.2}, {"a_1": 0.5, "a_2": 2.5, "c": 1.7}):
        sub = {names[k]: v for k, v in pt.items()}
        assert abs(float(got.subs(sub)) - float(want.subs(sub))) < 1e-12
