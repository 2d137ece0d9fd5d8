"""More held-out typed densities, from sources the other typed tests do not use, through the
command-line contract (``symfisher derive --density ... --json``, docs/specs.md): every closed
form must be right, every quantity that does not come out a named failure.

Each case is checked twice, independently of the engine:

* against the literature: the Fisher information (and the KL divergence where the source gives
  one) written here from the cited source, compared with the JSON's closed form at the case's two
  parameter points (these are the test's literal strings, read with SymPy's parser);
* against the numeric witness of ``test_typed_heldout`` (quadrature or exact sums of the typed
  density: normalization, ``E[s s^T]``, the KL log-ratio, the Jeffreys ratio, the Taylor terms,
  the score against ``sympy.diff``).

The case format is ``test_typed_heldout.HELDOUT``'s; ``LITERATURE`` holds the cited values.
Cases marked ``slow`` are collected only with ``SYMFISHER_SLOW=1``.
"""
from __future__ import annotations

import math

from _witness import _no_cache, assert_new_and_cited, case_tests, cauchy_scale, exp_rate, gamma_shape, normal_sd, split  # noqa: F401  (the fixture is autouse)

INF = math.inf
F, K, J = "fisher", "kl", "jeffreys"

# id, density, --var, --param list, --const list, witness support, two parameter points, must, slow
HUNT = [
    # -- symmetric laws folded (truncated) at their centre -----------------------------------------
    ("half_logistic_known_centre", "2*exp(-(x-c)/s)/(s*(1+exp(-(x-c)/s))**2)", "x in (c, oo)", ["s > 0"], ["c > 0"],
     ("line", 1.5, INF), ({"s": 1.4, "c": 1.5}, {"s": 0.6, "c": 1.5}), {F, J}, False),
    ("half_normal_known_centre", "sqrt(2/pi)/s*exp(-(x-c)**2/(2*s**2))", "x in (c, oo)", ["s > 0"], ["c > 0"],
     ("line", 1.5, INF), ({"s": 1.4, "c": 1.5}, {"s": 0.6, "c": 1.5}), {F, K, J}, False),
    ("half_normal_precision", "sqrt(2*t/pi)*exp(-t*x**2/2)", "x in (0, oo)", ["t > 0"], [], ("line", 0, INF),
     ({"t": 1.4}, {"t": 0.6}), {F, K, J}, False),
    ("half_cauchy_known_centre", "2*g/(pi*(g**2 + (x-c)**2))", "x in (c, oo)", ["g > 0"], ["c > 0"],
     ("line", 1.5, INF), ({"g": 1.4, "c": 1.5}, {"g": 0.6, "c": 1.5}), {F, K, J}, False),
    ("half_t", "2*gamma((n+1)/2)/(gamma(n/2)*sqrt(pi*n)*s)*(1 + x**2/(n*s**2))**(-(n+1)/2)", "x in (0, oo)",
     ["s > 0"], ["n > 0"], ("line", 0, INF), ({"s": 1.3, "n": 4.0}, {"s": 0.7, "n": 4.0}), {F, J}, False),
    ("folded_normal_mean", "(exp(-(x-m)**2/2) + exp(-(x+m)**2/2))/sqrt(2*pi)", "x in (0, oo)", ["m > 0"], [],
     ("line", 0, INF), ({"m": 1.3}, {"m": 0.6}), set(), True),
    # -- heavy tails -------------------------------------------------------------------------------
    ("log_cauchy", "s/(pi*x*(s**2 + (log(x)-m)**2))", "x in (0, oo)", ["m real", "s > 0"], [], ("logline", 0, INF),
     ({"m": 0.3, "s": 1.2}, {"m": -0.4, "s": 0.7}), {F, K, J}, False),
    ("log_cauchy_location", "s/(pi*x*(s**2 + (log(x)-m)**2))", "x in (0, oo)", ["m real"], ["s > 0"],
     ("logline", 0, INF), ({"m": 0.3, "s": 1.2}, {"m": -0.4, "s": 1.2}), {F, K, J}, False),
    ("cauchy_both_scaled_form", "1/(pi*g*(1 + ((x-m)/g)**2))", "x in R", ["m real", "g > 0"], [],
     ("line", -INF, INF), ({"m": 0.3, "g": 1.2}, {"m": -0.4, "g": 0.7}), {F, K, J}, False),
    ("lomax_shape", "a/l*(1 + x/l)**(-a-1)", "x in (0, oo)", ["a > 0"], ["l > 0"], ("line", 0, INF),
     ({"a": 2.5, "l": 1.3}, {"a": 1.2, "l": 1.3}), {F, K, J}, False),
    ("generalized_pareto_scale", "(1 + xi*x/s)**(-1/xi - 1)/s", "x in (0, oo)", ["s > 0"], ["xi > 0"],
     ("line", 0, INF), ({"s": 1.4, "xi": 0.3}, {"s": 0.6, "xi": 0.3}), set(), True),
    ("levy_known_location", "sqrt(c/(2*pi))*exp(-c/(2*(x-mu)))/(x-mu)**(3/2)", "x in (mu, oo)", ["c > 0"],
     ["mu > 0"], ("line", 1.5, INF), ({"c": 1.4, "mu": 1.5}, {"c": 0.6, "mu": 1.5}), {F, K, J}, False),
    ("dagum_p", "a*p/x*(x/b)**(a*p)/((x/b)**a + 1)**(p+1)", "x in (0, oo)", ["p > 0"], ["a > 0", "b > 0"],
     ("line", 0, INF), ({"p": 1.4, "a": 2.0, "b": 1.5}, {"p": 0.6, "a": 2.0, "b": 1.5}), {F, K, J}, False),
    ("inverse_exponential", "t/x**2*exp(-t/x)", "x in (0, oo)", ["t > 0"], [], ("line", 0, INF),
     ({"t": 1.4}, {"t": 0.6}), {F, K, J}, False),
    ("inverse_rayleigh", "2*t/x**3*exp(-t/x**2)", "x in (0, oo)", ["t > 0"], [], ("line", 0, INF),
     ({"t": 1.4}, {"t": 0.6}), {F, K, J}, False),
    ("gumbel_type2_b", "a*b*x**(-a-1)*exp(-b*x**(-a))", "x in (0, oo)", ["b > 0"], ["a > 0"], ("line", 0, INF),
     ({"b": 1.4, "a": 2.5}, {"b": 0.6, "a": 2.5}), {F, K, J}, False),
    ("inverse_chi2_dof", "2**(-k/2)/gamma(k/2)*x**(-k/2-1)*exp(-1/(2*x))", "x in (0, oo)", ["k > 0"], [],
     ("line", 0, INF), ({"k": 3.3}, {"k": 1.7}), {F, K, J}, False),
    # -- scales, shapes and locations in textbook form --------------------------------------------
    ("weibull_scale", "k/l*(x/l)**(k-1)*exp(-(x/l)**k)", "x in (0, oo)", ["l > 0"], ["k > 0"], ("line", 0, INF),
     ({"l": 1.4, "k": 1.7}, {"l": 0.6, "k": 1.7}), {F, K, J}, False),
    ("maxwell_rate", "sqrt(2/pi)*t**(3/2)*x**2*exp(-t*x**2/2)", "x in (0, oo)", ["t > 0"], [], ("line", 0, INF),
     ({"t": 1.4}, {"t": 0.6}), {F, K, J}, False),
    ("nakagami_both", "2*m**m/(gamma(m)*w**m)*x**(2*m-1)*exp(-m*x**2/w)", "x in (0, oo)", ["m > 0", "w > 0"], [],
     ("line", 0, INF), ({"m": 1.4, "w": 1.3}, {"m": 2.6, "w": 0.7}), {F, K, J}, False),
    ("lognormal_median", "exp(-log(x/m)**2/(2*s**2))/(x*s*sqrt(2*pi))", "x in (0, oo)", ["m > 0"], ["s > 0"],
     ("line", 0, INF), ({"m": 1.4, "s": 0.8}, {"m": 0.6, "s": 0.8}), {F, K, J}, False),
    ("gumbel_max_both", "exp(-(x-m)/s - exp(-(x-m)/s))/s", "x in R", ["m real", "s > 0"], [], ("line", -INF, INF),
     ({"m": 0.3, "s": 1.2}, {"m": -0.4, "s": 0.7}), {F, K, J}, False),
    ("laplace_both", "exp(-Abs(x-m)/b)/(2*b)", "x in R", ["m real", "b > 0"], [], ("line", -INF, INF),
     ({"m": 0.3, "b": 1.2}, {"m": -0.4, "b": 0.7}), {F, K, J}, False),
    ("log_laplace_location", "exp(-Abs(log(x)-m)/b)/(2*b*x)", "x in (0, oo)", ["m real"], ["b > 0"],
     ("line", 0, INF), ({"m": 0.3, "b": 1.2}, {"m": -0.4, "b": 1.2}), {F, K, J}, False),
    ("type2_generalized_logistic", "a*exp(-a*x)/(1+exp(-x))**(a+1)", "x in R", ["a > 0"], [], ("line", -INF, INF),
     ({"a": 1.4}, {"a": 0.6}), {F, K, J}, False),
    ("type3_generalized_logistic", "exp(-a*x)/(beta(a, a)*(1+exp(-x))**(2*a))", "x in R", ["a > 0"], [],
     ("line", -INF, INF), ({"a": 1.4}, {"a": 2.6}), {F, K, J}, False),
    ("johnson_su_gamma", "d/sqrt(2*pi*(1+x**2))*exp(-(g+d*asinh(x))**2/2)", "x in R", ["g real"], ["d > 0"],
     ("line", -INF, INF), ({"g": 0.3, "d": 1.3}, {"g": -0.4, "d": 1.3}), {F, K, J}, False),
    ("power_function_known_end", "al*x**(al-1)/b**al", "x in (0, b)", ["al > 0"], ["b > 0"], ("line", 0, 2.0),
     ({"al": 1.4, "b": 2.0}, {"al": 0.6, "b": 2.0}), {F, K, J}, False),
    ("kumaraswamy_both", "a*b*x**(a-1)*(1-x**a)**(b-1)", "x in (0, 1)", ["a > 0", "b > 0"], [], ("line", 0, 1),
     ({"a": 1.4, "b": 2.2}, {"a": 2.6, "b": 1.3}), set(), True),
    # -- counts and finite sets --------------------------------------------------------------------
    ("geometric_trials", "p*(1-p)**(x-1)", "x in 1..oo", ["p in (0, 1)"], [], ("count", 1, None),
     ({"p": 0.35}, {"p": 0.6}), {F, K, J}, False),
    ("negbin_p_known_r", "binomial(x+r-1, x)*p**r*(1-p)**x", "x in 0..oo", ["p in (0, 1)"], ["r in 1..oo"],
     ("count", 0, None), ({"p": 0.35, "r": 3}, {"p": 0.6, "r": 3}), {F, K, J}, False),
    ("poisson_log_link", "exp(t*x - exp(t))/factorial(x)", "x in 0..oo", ["t real"], [], ("count", 0, None),
     ({"t": 0.4}, {"t": -0.6}), {F, K, J}, False),
    ("rademacher_bias", "(1 + r*x)/2", "x in {-1, 1}", ["r in (-1, 1)"], [], ("set", [-1, 1]),
     ({"r": 0.4}, {"r": -0.3}), {F, K, J}, False),
    ("zeta", "x**(-s)/zeta(s)", "x in 1..oo", ["s in (1, oo)"], [], ("count", 1, None),
     ({"s": 2.5}, {"s": 3.4}), {F, K, J}, True),
    ("yule_simon", "r*beta(x, r+1)", "x in 1..oo", ["r > 0"], [], ("count", 1, None),
     ({"r": 2.5}, {"r": 1.4}), set(), True),
    ("poisson_lindley", "t**2*(x+t+2)/(t+1)**(x+3)", "x in 0..oo", ["t > 0"], [], ("count", 0, None),
     ({"t": 1.4}, {"t": 0.6}), set(), True),
    ("discrete_weibull", "q**(x**b) - q**((x+1)**b)", "x in 0..oo", ["q in (0, 1)"], ["b > 0"], ("count", 0, None),
     ({"q": 0.4, "b": 1.5}, {"q": 0.7, "b": 1.5}), set(), True),
    ("beta_binomial", "binomial(n, x)*beta(x+a, n-x+b)/beta(a, b)", "x in 0..n", ["a > 0", "b > 0"],
     ["n in 1..oo"], ("count", 0, "n"), ({"a": 1.4, "b": 2.2, "n": 4}, {"a": 2.6, "b": 1.3, "n": 4}), set(), True),
    ("generalized_poisson_theta", "t*(t + l*x)**(x-1)*exp(-t - l*x)/factorial(x)", "x in 0..oo", ["t > 0"],
     ["l in (0, 1)"], ("count", 0, None), ({"t": 1.4, "l": 0.3}, {"t": 0.6, "l": 0.3}), set(), True),
    # -- signs, curved maps, periodic data, known centres, left half-lines --------------------------
    ("normal_negative_sd", "exp(-x**2/(2*s**2))/(sqrt(2*pi)*Abs(s))", "x in R", ["s in (-oo, 0)"], [],
     ("line", -INF, INF), ({"s": -1.3}, {"s": -0.6}), {F, K, J}, False),
    ("exp_rate_square_negative", "t**2*exp(-t**2*x)", "x in (0, oo)", ["t in (-oo, 0)"], [], ("line", 0, INF),
     ({"t": -1.3}, {"t": -0.6}), {F, K, J}, False),
    ("exp_mean_one_plus_square", "exp(-x/(1+t**2))/(1+t**2)", "x in (0, oo)", ["t real"], [], ("line", 0, INF),
     ({"t": 0.7}, {"t": -1.2}), {F, K, J}, False),
    ("binomial_angular", "binomial(n, x)*sin(t)**(2*x)*cos(t)**(2*(n-x))", "x in 0..n", ["t in (0, pi/2)"],
     ["n in 1..oo"], ("count", 0, "n"), ({"t": 0.5, "n": 4}, {"t": 1.1, "n": 4}), {F, K, J}, False),
    ("von_mises_location", "exp(k*cos(x-m))/(2*pi*besseli(0, k))", "x in (-pi, pi)", ["m real"], ["k > 0"],
     ("line", -math.pi, math.pi), ({"m": 0.3, "k": 1.5}, {"m": -0.4, "k": 1.5}), {F, J}, True),
    ("wrapped_cauchy_r", "(1-r**2)/(2*pi*(1+r**2-2*r*cos(x)))", "x in (-pi, pi)", ["r in (0, 1)"], [],
     ("line", -math.pi, math.pi), ({"r": 0.3}, {"r": 0.6}), set(), True),
    ("half_normal_left", "sqrt(2/pi)/s*exp(-x**2/(2*s**2))", "x in (-oo, 0)", ["s > 0"], [], ("line", -INF, 0),
     ({"s": 1.4}, {"s": 0.6}), {F, K, J}, False),
    ("half_logistic_left_rate", "2*r*exp(r*x)/(1+exp(r*x))**2", "x in (-oo, 0)", ["r > 0"], [], ("line", -INF, 0),
     ({"r": 1.4}, {"r": 0.6}), {F, J}, False),
    ("normal_precision_known_centre", "sqrt(t/(2*pi))*exp(-t*(x-c)**2/2)", "x in R", ["t > 0"], ["c real"],
     ("line", -INF, INF), ({"t": 1.4, "c": 0.5}, {"t": 0.6, "c": 0.5}), {F, K, J}, False),
    ("cauchy_scale_known_location", "g/(pi*(g**2+(x-c)**2))", "x in R", ["g > 0"], ["c real"], ("line", -INF, INF),
     ({"g": 1.4, "c": 0.5}, {"g": 0.6, "c": 0.5}), {F, K, J}, False),
    ("probit_bernoulli", "((1+erf(t/sqrt(2)))/2)**x*((1-erf(t/sqrt(2)))/2)**(1-x)", "x in {0, 1}", ["t real"], [],
     ("set", [0, 1]), ({"t": 0.4}, {"t": -0.7}), {F, K, J}, False),
    ("gamma_shape_shifted", "x**t*exp(-x)/gamma(t+1)", "x in (0, oo)", ["t in (-1, oo)"], [], ("line", 0, INF),
     ({"t": 0.5}, {"t": -0.4}), {F, K, J}, False),
    ("logistic_rate", "r*exp(-r*x)/(1+exp(-r*x))**2", "x in R", ["r > 0"], [], ("line", -INF, INF),
     ({"r": 1.4}, {"r": 0.6}), {F, J}, False),
    ("normal_mean_cubed", "exp(-(x-t**3)**2/2)/sqrt(2*pi)", "x in R", ["t real"], [], ("line", -INF, INF),
     ({"t": 0.7}, {"t": -1.1}), {F, K, J}, False),
    ("poisson_rate_cosh", "cosh(t)**x*exp(-cosh(t))/factorial(x)", "x in 0..oo", ["t real"], [], ("count", 0, None),
     ({"t": 0.7}, {"t": -1.1}), {F, K, J}, False),
    ("laplace_sd_form", "exp(-sqrt(2)*Abs(x-m)/s)/(sqrt(2)*s)", "x in R", ["m real", "s > 0"], [],
     ("line", -INF, INF), ({"m": 0.3, "s": 1.2}, {"m": -0.4, "s": 0.7}), {F, K, J}, False),
    # -- a known constant as the scale or location (the standardization tries the constants too) ----
    ("gamma_shape_known_scale", "x**(a-1)*exp(-x/b)/(gamma(a)*b**a)", "x in (0, oo)", ["a > 0"], ["b > 0"],
     ("line", 0, INF), ({"a": 1.4, "b": 1.7}, {"a": 2.6, "b": 1.7}), {F, K, J}, False),
    ("weibull_shape_known_scale", "k/l*(x/l)**(k-1)*exp(-(x/l)**k)", "x in (0, oo)", ["k > 0"], ["l > 0"],
     ("line", 0, INF), ({"k": 1.4, "l": 1.7}, {"k": 2.6, "l": 1.7}), {F, K, J}, False),
    ("lognormal_sigma_known_mu", "exp(-(log(x)-m)**2/(2*s**2))/(x*s*sqrt(2*pi))", "x in (0, oo)", ["s > 0"],
     ["m real"], ("line", 0, INF), ({"s": 1.2, "m": 0.4}, {"s": 0.7, "m": 0.4}), {F, K, J}, False),
    ("normal_sd_known_mean", "exp(-(x-c)**2/(2*s**2))/(s*sqrt(2*pi))", "x in R", ["s > 0"], ["c real"],
     ("line", -INF, INF), ({"s": 1.2, "c": 0.4}, {"s": 0.7, "c": 0.4}), {F, K, J}, False),
    ("gumbel_location_known_scale", "exp(-(x-m)/s - exp(-(x-m)/s))/s", "x in R", ["m real"], ["s > 0"],
     ("line", -INF, INF), ({"m": 0.3, "s": 1.3}, {"m": -0.4, "s": 1.3}), {F, K, J}, False),
    ("logistic_location_known_scale", "exp(-(x-m)/s)/(s*(1+exp(-(x-m)/s))**2)", "x in R", ["m real"], ["s > 0"],
     ("line", -INF, INF), ({"m": 0.3, "s": 1.3}, {"m": -0.4, "s": 1.3}), {F, J}, False),
    ("inverse_gaussian_shape_known_mean", "sqrt(l/(2*pi*x**3))*exp(-l*(x-mu)**2/(2*mu**2*x))", "x in (0, oo)",
     ["l > 0"], ["mu > 0"], ("line", 0, INF), ({"l": 1.4, "mu": 1.3}, {"l": 0.6, "mu": 1.3}), {F, K, J}, False),
    ("nakagami_shape_known_spread", "2*m**m/(gamma(m)*w**m)*x**(2*m-1)*exp(-m*x**2/w)", "x in (0, oo)", ["m > 0"],
     ["w > 0"], ("line", 0, INF), ({"m": 1.4, "w": 1.3}, {"m": 2.6, "w": 1.3}), {F, K, J}, False),
    ("log_gamma_location_shape", "exp(k*(x-m) - exp(x-m))/gamma(k)", "x in R", ["k > 0", "m real"], [],
     ("line", -INF, INF), ({"k": 1.4, "m": 0.3}, {"k": 2.6, "m": -0.4}), {F, K, J}, False),
    ("power_shifted_unit", "(a+1)*x**a", "x in (0, 1)", ["a in (-1, oo)"], [], ("line", 0, 1),
     ({"a": 0.5}, {"a": -0.4}), {F, K, J}, False),
    ("half_laplace_known_centre", "exp(-Abs(x-c)/b)/b", "x in (c, oo)", ["b > 0"], ["c > 0"], ("line", 1.5, INF),
     ({"b": 1.4, "c": 1.5}, {"b": 0.6, "c": 1.5}), {F, K, J}, False),
    ("cauchy_expanded_quadratic", "g/(pi*(g**2 + x**2 - 2*m*x + m**2))", "x in R", ["m real", "g > 0"], [],
     ("line", -INF, INF), ({"m": 0.3, "g": 1.2}, {"m": -0.4, "g": 0.7}), {F, K, J}, False),
    ("student_t3_location", "6*sqrt(3)/(pi*(3+(x-m)**2)**2)", "x in R", ["m real"], [], ("line", -INF, INF),
     ({"m": 0.3}, {"m": -0.4}), {F, J}, False),
    ("student_t3_scale", "6*sqrt(3)*s**3/(pi*(3*s**2+x**2)**2)", "x in R", ["s > 0"], [], ("line", -INF, INF),
     ({"s": 1.3}, {"s": 0.6}), {F, J}, False),
    ("truncated_exp_known_end", "l*exp(-l*x)/(1-exp(-l*b))", "x in (0, b)", ["l > 0"], ["b > 0"], ("line", 0, 2.0),
     ({"l": 1.3, "b": 2.0}, {"l": 0.6, "b": 2.0}), {F, K, J}, False),
    ("bernoulli_odds", "(t/(1+t))**x*(1/(1+t))**(1-x)", "x in {0, 1}", ["t > 0"], [], ("set", [0, 1]),
     ({"t": 1.3}, {"t": 0.6}), {F, K, J}, False),
    ("exp_power_rate_three_quarters", "exp(-Abs(x)**(3/4)/s)/(2*gamma(7/3)*s**(4/3))", "x in R", ["s > 0"], [],
     ("line", -INF, INF), ({"s": 1.3}, {"s": 0.6}), {F, K, J}, False),
    # the location information of exp(-|x - m|^(1/2)) is infinite (the score is ~ |x - m|^(-1/2)): named, not a number
    ("exp_power_location_half", "exp(-sqrt(Abs(x-m)))/4", "x in R", ["m real"], [], ("line", -INF, INF),
     ({"m": 0.3}, {"m": -0.4}), set(), False),
    # -- no closed form reachable: each must be a named failure (slow: the routes run to their limits)
    ("half_hyperbolic_secant", "1/(s*cosh(pi*x/(2*s)))", "x in (0, oo)", ["s > 0"], [], ("line", 0, INF),
     ({"s": 1.4}, {"s": 0.6}), set(), True),
    # -- Bessel and erf kernels: expected to fail clearly -----------------------------------------
    ("rice_sigma", "x/s**2*exp(-(x**2+v**2)/(2*s**2))*besseli(0, x*v/s**2)", "x in (0, oo)", ["s > 0"], ["v > 0"],
     ("line", 0, INF), ({"s": 1.4, "v": 1.0}, {"s": 0.6, "v": 1.0}), set(), True),
    ("exgaussian_rate", "l/2*exp(l/2*(2*m + l*v - 2*x))*erfc((m + l*v - x)/sqrt(2*v))", "x in R", ["l > 0"],
     ["m real", "v > 0"], ("line", -INF, INF), ({"l": 1.4, "m": 0.3, "v": 0.8}, {"l": 0.6, "m": 0.3, "v": 0.8}),
     set(), True),
]

# id -> (Fisher matrix rows as text, KL as text or None, source); symbols as in the case, KL in name_1, name_2
LITERATURE = {}
_LOGISTIC_SCALE = "Balakrishnan (1985), J. Statist. Comput. Simul. 20:287 (half logistic); the logistic scale information (3 + pi^2)/(9 s^2), Johnson, Kotz & Balakrishnan, Continuous Univariate Distributions vol. 2 (1995), ch. 23"
LITERATURE.update({
    "half_logistic_known_centre": ([["(3 + pi**2)/(9*s**2)"]], None, _LOGISTIC_SCALE),
    "half_normal_known_centre": ([["2/s**2"]], normal_sd("s"),
                                 "Wikipedia, 'Half-normal distribution' (Fisher 2/sigma^2); the normal's KL at a common mean"),
    "half_normal_precision": ([["1/(2*t**2)"]], "(" + exp_rate("t") + ")/2",
                              "Wikipedia, 'Half-normal distribution'; t X^2 ~ chi^2_1, a gamma with shape 1/2 and rate t/2"),
    "half_cauchy_known_centre": ([["1/(2*g**2)"]], cauchy_scale("g"),
                                 "Wikipedia, 'Cauchy distribution' (I = 1/(2 gamma^2)); Chyzak & Nielsen (2019), "
                                 "arXiv:1905.10965, eq. (1), at a common location"),
    "half_t": ([["2*n/((n + 3)*s**2)"]], None,
               "Lange, Little & Taylor (1989), JASA 84:881, eq. (A.1): the t scale information 2 nu/((nu + 3) sigma^2)"),
    "log_cauchy": ([["1/(2*s**2)", "0"], ["0", "1/(2*s**2)"]],
                   "log(((s_1 + s_2)**2 + (m_1 - m_2)**2)/(4*s_1*s_2))",
                   "log X ~ Cauchy(m, s): Wikipedia, 'Log-Cauchy distribution'; Chyzak & Nielsen (2019), eq. (1)"),
    "log_cauchy_location": ([["1/(2*s**2)"]], "log(1 + (m_1 - m_2)**2/(4*s**2))",
                            "log X ~ Cauchy(m, s): Wikipedia, 'Log-Cauchy distribution'; Chyzak & Nielsen (2019), eq. (1)"),
    "cauchy_both_scaled_form": ([["1/(2*g**2)", "0"], ["0", "1/(2*g**2)"]],
                                "log(((g_1 + g_2)**2 + (m_1 - m_2)**2)/(4*g_1*g_2))",
                                "Wikipedia, 'Cauchy distribution'; Chyzak & Nielsen (2019), eq. (1)"),
    "lomax_shape": ([["1/a**2"]], exp_rate("a"),
                    "Wikipedia, 'Lomax distribution': log(1 + X/l) ~ Exp(a)"),
    "generalized_pareto_scale": ([["1/((1 + 2*xi)*s**2)"]], None,
                                 "Smith (1985), Biometrika 72:67, §4 (generalized Pareto information, shape known)"),
    "levy_known_location": ([["1/(2*c**2)"]], "(log(c_1/c_2) + c_2/c_1 - 1)/2",
                            "Wikipedia, 'Lévy distribution': c/(X - mu) ~ chi^2_1"),
    "dagum_p": ([["1/p**2"]], exp_rate("p"),
                "Kleiber & Kotz, Statistical Size Distributions (2003), §6.2: F = (1 + (x/b)^(-a))^(-p), so "
                "log(1 + (X/b)^(-a)) ~ Exp(p)"),
    "inverse_exponential": ([["1/t**2"]], exp_rate("t"),
                            "Keller & Kamath (1982), IEEE Trans. Reliab. 31:87: 1/X ~ Exp(t)"),
    "inverse_rayleigh": ([["1/t**2"]], exp_rate("t"),
                         "Voda (1972), Rev. Roumaine Math. Pures Appl. 17:1531 (inverse Rayleigh): X^(-2) ~ Exp(t)"),
    "gumbel_type2_b": ([["1/b**2"]], exp_rate("b"),
                       "Wikipedia, 'Type-2 Gumbel distribution': X^(-a) ~ Exp(b)"),
    "inverse_chi2_dof": ([["polygamma(1, k/2)/4"]], gamma_shape("k", "{}/2"),
                         "Wikipedia, 'Inverse-chi-squared distribution': 1/X ~ chi^2_k, whose information is "
                         "trigamma(k/2)/4 (a gamma in its shape k/2)"),
    "weibull_scale": ([["k**2/l**2"]], "k*log(l_2/l_1) + (l_1/l_2)**k - 1",
                      "Wikipedia, 'Weibull distribution' (information matrix; KL at a common shape)"),
    "maxwell_rate": ([["3/(2*t**2)"]], "3*(log(t_1/t_2) + t_2/t_1 - 1)/2",
                     "Wikipedia, 'Maxwell–Boltzmann distribution': t X^2 ~ chi^2_3 (Fisher 6/a^2 at t = 1/a^2)"),
    "nakagami_both": ([["polygamma(1, m) - 1/m", "0"], ["0", "m/w**2"]],
                      "(m_1 - m_2)*polygamma(0, m_1) - loggamma(m_1) + loggamma(m_2) + m_2*log(m_1*w_2/(w_1*m_2))"
                      " + m_1*(m_2*w_1/(w_2*m_1) - 1)",
                      "Wikipedia, 'Nakagami distribution': X^2 ~ Gamma(m, rate m/w); the gamma's information and "
                      "KL (Penny (2001), 'KL-divergences of normal, gamma, Dirichlet and Wishart densities')"),
    "lognormal_median": ([["1/(m**2*s**2)"]], "log(m_1/m_2)**2/(2*s**2)",
                         "Wikipedia, 'Log-normal distribution': log X ~ N(log m, s^2)"),
    "gumbel_max_both": ([["1/s**2", "(EulerGamma - 1)/s**2"], ["(EulerGamma - 1)/s**2", "((1 - EulerGamma)**2 + pi**2/6)/s**2"]],
                        "log(s_2/s_1) + EulerGamma*(s_1/s_2 - 1) - 1 + (m_1 - m_2)/s_2"
                        " + exp((m_2 - m_1)/s_2)*gamma(1 + s_1/s_2)",
                        "Johnson, Kotz & Balakrishnan, Continuous Univariate Distributions vol. 2 (1995), ch. 22 "
                        "(information); E exp(-c Z) = Gamma(1 + c) for the standard Gumbel gives the KL"),
    "laplace_both": ([["1/b**2", "0"], ["0", "1/b**2"]],
                     "log(b_2/b_1) + Abs(m_1 - m_2)/b_2 + b_1/b_2*exp(-Abs(m_1 - m_2)/b_1) - 1",
                     "Wikipedia, 'Laplace distribution' (information diag(1/b^2, 1/b^2) and KL)"),
    "log_laplace_location": ([["1/b**2"]], "Abs(m_1 - m_2)/b + exp(-Abs(m_1 - m_2)/b) - 1",
                             "log X ~ Laplace(m, b): Wikipedia, 'Laplace distribution'"),
    "type2_generalized_logistic": ([["1/a**2"]], exp_rate("a"),
                                   "Balakrishnan & Leung (1988), Comm. Statist. Simul. 17:25 (type II): "
                                   "log(1 + exp(X)) ~ Exp(a)"),
    "type3_generalized_logistic": ([["2*polygamma(1, a) - 4*polygamma(1, 2*a)"]],
                                   "2*loggamma(a_2) - loggamma(2*a_2) - 2*loggamma(a_1) + loggamma(2*a_1)"
                                   " + 2*(a_1 - a_2)*(polygamma(0, a_1) - polygamma(0, 2*a_1))",
                                   "Balakrishnan & Leung (1988) (type III): 1/(1 + exp(-X)) ~ Beta(a, a); the beta's "
                                   "information and KL (Wikipedia, 'Beta distribution')"),
    "johnson_su_gamma": ([["1"]], "(g_1 - g_2)**2/2",
                         "Johnson (1949), Biometrika 36:149: gamma + delta asinh(X) ~ N(0, 1)"),
    "power_function_known_end": ([["1/al**2"]], exp_rate("al"),
                                 "Johnson, Kotz & Balakrishnan vol. 2, ch. 25: -log(X/b) ~ Exp(al)"),
    "geometric_trials": ([["1/(p**2*(1 - p))"]], "log(p_1/p_2) + (1 - p_1)/p_1*log((1 - p_1)/(1 - p_2))",
                         "Wikipedia, 'Geometric distribution' (number of trials)"),
    "negbin_p_known_r": ([["r/(p**2*(1 - p))"]], "r*(log(p_1/p_2) + (1 - p_1)/p_1*log((1 - p_1)/(1 - p_2)))",
                         "Wikipedia, 'Negative binomial distribution' (r failures known; a sum of r geometric laws)"),
    "poisson_log_link": ([["exp(t)"]], "exp(t_1)*(t_1 - t_2) - exp(t_1) + exp(t_2)",
                         "McCullagh & Nelder, Generalized Linear Models (1989), §6.2: the Poisson in its canonical "
                         "parameter t = log(lambda), I = lambda"),
    "rademacher_bias": ([["1/(1 - r**2)"]],
                        "(1 + r_1)/2*log((1 + r_1)/(1 + r_2)) + (1 - r_1)/2*log((1 - r_1)/(1 - r_2))",
                        "a Bernoulli on {-1, 1} with P(1) = (1 + r)/2 (Cover & Thomas, Elements of Information "
                        "Theory (2006), §2.3 and §11.10)"),
    "zeta": ([["Derivative(zeta(s), (s, 2))/zeta(s) - (Derivative(zeta(s), s)/zeta(s))**2"]],
             "(s_1 - s_2)*Derivative(zeta(s_1), s_1)/zeta(s_1) + log(zeta(s_2)/zeta(s_1))",
             "Wikipedia, 'Zeta distribution': an exponential family in log X with A(s) = log zeta(s)"),
    "normal_negative_sd": ([["2/s**2"]], normal_sd("s"),
                           "Wikipedia, 'Normal distribution' (information 2/sigma^2 in the standard deviation), "
                           "with sigma = |s|"),
    "exp_rate_square_negative": ([["4/t**2"]], "log(t_1**2/t_2**2) + t_2**2/t_1**2 - 1",
                                 "the exponential law in its rate l = t^2: I = (dl/dt)^2/l^2"),
    "exp_mean_one_plus_square": ([["4*t**2/(1 + t**2)**2"]], "log((1 + t_2**2)/(1 + t_1**2)) + (1 + t_1**2)/(1 + t_2**2) - 1",
                                 "the exponential law in its mean mu = 1 + t^2: I = (dmu/dt)^2/mu^2"),
    "binomial_angular": ([["4*n"]], "n*(sin(t_1)**2*log(sin(t_1)**2/sin(t_2)**2) + cos(t_1)**2*log(cos(t_1)**2/cos(t_2)**2))",
                         "Anscombe (1948), Biometrika 35:246: p = sin(t)^2 stabilizes the binomial's variance, I = 4 n"),
    "von_mises_location": ([["k*besseli(1, k)/besseli(0, k)"]], "k*besseli(1, k)/besseli(0, k)*(1 - cos(m_1 - m_2))",
                           "Mardia & Jupp, Directional Statistics (2000), §5.3: E cos(X - m) = A(k) = I_1(k)/I_0(k)"),
    "wrapped_cauchy_r": ([["2/(1 - r**2)**2"]], "log((1 - r_1*r_2)**2/((1 - r_1**2)*(1 - r_2**2)))",
                         "McCullagh (1996), Ann. Statist. 24:787: the wrapped Cauchy is the Cauchy through the Cayley map, "
                         "scale (1 + r)/(1 - r); the Cauchy's I = 1/(2 g^2) and KL (Chyzak & Nielsen (2019), eq. (1))"),
    "half_normal_left": ([["2/s**2"]], normal_sd("s"),
                         "Wikipedia, 'Half-normal distribution' (reflected: -X is half-normal)"),
    "half_logistic_left_rate": ([["(3 + pi**2)/(9*r**2)"]], None, _LOGISTIC_SCALE + ", in the rate r = 1/s, reflected"),
    "normal_precision_known_centre": ([["1/(2*t**2)"]], "(" + exp_rate("t") + ")/2",
                                      "Wikipedia, 'Normal distribution' (precision t = 1/sigma^2, known mean)"),
    "cauchy_scale_known_location": ([["1/(2*g**2)"]], cauchy_scale("g"),
                                    "Wikipedia, 'Cauchy distribution'; Chyzak & Nielsen (2019), eq. (1)"),
    "probit_bernoulli": ([["2*exp(-t**2)/(pi*(1 - erf(t/sqrt(2))**2))"]],
                         "(1 + erf(t_1/sqrt(2)))/2*log((1 + erf(t_1/sqrt(2)))/(1 + erf(t_2/sqrt(2))))"
                         " + (1 - erf(t_1/sqrt(2)))/2*log((1 - erf(t_1/sqrt(2)))/(1 - erf(t_2/sqrt(2))))",
                         "McCullagh & Nelder, Generalized Linear Models (1989), §4.3: a Bernoulli with p = Phi(t), "
                         "I = phi(t)^2/(Phi(t)(1 - Phi(t)))"),
    "gamma_shape_shifted": ([["polygamma(1, t + 1)"]], gamma_shape("t", "{} + 1"),
                            "a gamma law with shape t + 1 and rate 1 (Wikipedia, 'Gamma distribution': information and KL)"),
    "logistic_rate": ([["(3 + pi**2)/(9*r**2)"]], None,
                      "Johnson, Kotz & Balakrishnan vol. 2 (1995), ch. 23: the logistic scale information, in the rate r = 1/s"),
    "normal_mean_cubed": ([["9*t**4"]], "(t_1**3 - t_2**3)**2/2", "the normal mean m = t^3 with unit variance: I = (dm/dt)^2"),
    "poisson_rate_cosh": ([["sinh(t)**2/cosh(t)"]], "cosh(t_1)*log(cosh(t_1)/cosh(t_2)) - cosh(t_1) + cosh(t_2)",
                          "the Poisson law in its rate l = cosh(t): I = (dl/dt)^2/l"),
    "laplace_sd_form": ([["2/s**2", "0"], ["0", "1/s**2"]],
                        "log(s_2/s_1) + sqrt(2)*Abs(m_1 - m_2)/s_2 + s_1/s_2*exp(-sqrt(2)*Abs(m_1 - m_2)/s_1) - 1",
                        "Wikipedia, 'Laplace distribution' with b = s/sqrt(2) (s the standard deviation)"),
    "gamma_shape_known_scale": ([["polygamma(1, a)"]], gamma_shape("a"),
                                "Wikipedia, 'Gamma distribution' (information matrix and KL, at a common scale)"),
    "weibull_shape_known_scale": ([["((1 - EulerGamma)**2 + pi**2/6)/k**2"]],
                                  "log(k_1/k_2) - EulerGamma*(1 - k_2/k_1) + gamma(k_2/k_1 + 1) - 1",
                                  "Wikipedia, 'Weibull distribution' (information matrix; KL at a common scale)"),
    "lognormal_sigma_known_mu": ([["2/s**2"]], normal_sd("s"),
                                 "Wikipedia, 'Log-normal distribution': log X ~ N(m, s^2)"),
    "normal_sd_known_mean": ([["2/s**2"]], normal_sd("s"),
                             "Wikipedia, 'Normal distribution' (information and KL)"),
    "gumbel_location_known_scale": ([["1/s**2"]], "exp((m_2 - m_1)/s) + (m_1 - m_2)/s - 1",
                                    "Johnson, Kotz & Balakrishnan vol. 2 (1995), ch. 22; E exp(-Z) = 1 for the standard Gumbel"),
    "logistic_location_known_scale": ([["1/(3*s**2)"]], None,
                                      "Johnson, Kotz & Balakrishnan vol. 2 (1995), ch. 23 (logistic location information)"),
    "inverse_gaussian_shape_known_mean": ([["1/(2*l**2)"]], "(log(l_1/l_2) + l_2/l_1 - 1)/2",
                                          "Tweedie (1957), Ann. Math. Statist. 28:362: l (X - mu)^2/(mu^2 X) ~ chi^2_1"),
    "nakagami_shape_known_spread": ([["polygamma(1, m) - 1/m"]],
                                    "(m_1 - m_2)*polygamma(0, m_1) - loggamma(m_1) + loggamma(m_2) + m_2*log(m_1/m_2)"
                                    " + m_1*(m_2/m_1 - 1)",
                                    "Wikipedia, 'Nakagami distribution': X^2 ~ Gamma(m, rate m/w); the gamma's KL"),
    "log_gamma_location_shape": ([["polygamma(1, k)", "1"], ["1", "k"]],
                                 "(k_1 - k_2)*polygamma(0, k_1) - k_2*(m_1 - m_2) + k_1*(exp(m_1 - m_2) - 1)"
                                 " - loggamma(k_1) + loggamma(k_2)",
                                 "Prentice (1974), Biometrika 61:539 (log-gamma): exp(X - m) ~ Gamma(k, 1), "
                                 "E[X - m] = digamma(k); VGAM::lgamma3"),
    "power_shifted_unit": ([["1/(a + 1)**2"]], "log((a_1 + 1)/(a_2 + 1)) + (a_2 + 1)/(a_1 + 1) - 1",
                           "Johnson, Kotz & Balakrishnan vol. 2, ch. 25 (Beta(a + 1, 1)): -log X ~ Exp(a + 1)"),
    "half_laplace_known_centre": ([["1/b**2"]], "log(b_2/b_1) + b_1/b_2 - 1",
                                  "X - c ~ Exp(1/b) (Wikipedia, 'Exponential distribution'); the Laplace scale folded"),
    "cauchy_expanded_quadratic": ([["1/(2*g**2)", "0"], ["0", "1/(2*g**2)"]],
                                  "log(((g_1 + g_2)**2 + (m_1 - m_2)**2)/(4*g_1*g_2))",
                                  "Wikipedia, 'Cauchy distribution'; Chyzak & Nielsen (2019), eq. (1)"),
    "student_t3_location": ([["2/3"]], None, "Lange, Little & Taylor (1989), JASA 84:881: (nu + 1)/((nu + 3) sigma^2) at nu = 3"),
    "student_t3_scale": ([["1/s**2"]], None, "Lange, Little & Taylor (1989), JASA 84:881: 2 nu/((nu + 3) sigma^2) at nu = 3"),
    "truncated_exp_known_end": ([["1/l**2 - b**2*exp(-b*l)/(1 - exp(-b*l))**2"]],
                                "log(l_1/l_2) + log((1 - exp(-b*l_2))/(1 - exp(-b*l_1)))"
                                " - (l_1 - l_2)*(1/l_1 - b*exp(-b*l_1)/(1 - exp(-b*l_1)))",
                                "Deemer & Votaw (1955), Ann. Math. Statist. 26:498 (the exponential truncated at b): "
                                "E X = 1/l - b/(exp(b l) - 1)"),
    "bernoulli_odds": ([["1/(t*(1 + t)**2)"]],
                       "t_1/(1 + t_1)*log(t_1*(1 + t_2)/(t_2*(1 + t_1))) + 1/(1 + t_1)*log((1 + t_2)/(1 + t_1))",
                       "a Bernoulli with p = t/(1 + t): I = p'(t)^2/(p(1 - p)) (Cover & Thomas (2006), §11.10)"),
    "exp_power_rate_three_quarters": ([["4/(3*s**2)"]], "4*(log(s_2/s_1) + s_1/s_2 - 1)/3",
                                      "Nadarajah (2005), J. Appl. Stat. 32:685 (generalized normal, I = b/a^2 in the "
                                      "scale a) with a = s^(4/3), b = 3/4: |X|^(3/4)/s ~ Gamma(4/3, 1)"),
})


FAST, SLOW = split(HUNT)


def test_hunt_batch_is_broad_and_cited():
    """30+ densities, none an id of the other typed tests, every one expected to derive cited."""
    from test_typed_heldout import HELDOUT
    from test_typed_textbook import TEXTBOOK

    assert_new_and_cited(HUNT, LITERATURE, HELDOUT + [(e[0],) for e in TEXTBOOK], minimum=30)


test_hunt_typed_density = case_tests(FAST, LITERATURE)
test_hunt_typed_density_slow = case_tests(SLOW, LITERATURE)


def test_an_integer_valued_parameter_is_refused(capsys):
    """The score differentiates in the parameters: an integer-valued one is bad input (one line, exit 2),
    not the Fisher information of its continuous extension."""
    from symfisher.cli import main

    rc = main(["derive", "--density", "lam**x*exp(-lam)/factorial(x)", "--var", "x in 0..oo",
               "--param", "lam in 1..oo", "--json"])
    cap = capsys.readouterr()
    assert rc == 2 and cap.out == ""
    assert len(cap.err.strip().splitlines()) == 1 and "integer-valued" in cap.err
