"""The Fisher–Rao distance: closed forms from the literature and a numeric geodesic witness.

Sources: Atkinson & Mitchell, Sankhyā A 43 (1981), Table 1 (Bernoulli/binomial 2|asin sqrt p|,
Poisson 2|sqrt lam|, exponential |log lam|); Costa, Santos & Strapasson, Discrete Appl. Math.
197 (2015), eq. (9): the normal law
d = sqrt(2) arccosh(1 + ((mu_1 - mu_2)^2/2 + (sigma_1 - sigma_2)^2)/(2 sigma_1 sigma_2)).
"""
import math

import pytest
import sympy as sp

from symfisher import get_model
from symfisher.derive import fisher_information
from symfisher.derive.fisher_rao import fisher_rao_distance, numeric_geodesic_length

ONE = [
    ("bernoulli", {"p": sp.Rational(1, 5)}, {"p": sp.Rational(3, 4)},
     lambda a, b: 2 * abs(math.asin(math.sqrt(b["p"])) - math.asin(math.sqrt(a["p"])))),
    ("poisson", {"lam": 1}, {"lam": 4}, lambda a, b: 2 * abs(math.sqrt(b["lam"]) - math.sqrt(a["lam"]))),
    ("exponential", {"lam": 1}, {"lam": 3}, lambda a, b: abs(math.log(b["lam"] / a["lam"]))),
]


@pytest.mark.parametrize("name, a, b, lit", ONE)
def test_one_parameter_distance(name, a, b, lit):
    m = get_model(name)
    d = fisher_rao_distance(m, a, b)
    assert d.result is not None, d.failures
    value = float(d.result)
    assert math.isclose(value, lit({k: float(v) for k, v in a.items()}, {k: float(v) for k, v in b.items()}), rel_tol=1e-12)
    witness = numeric_geodesic_length(fisher_information(m).result, m.params, a, b)
    assert math.isclose(value, witness, rel_tol=1e-8)
    assert not math.isclose(2 * value, witness, rel_tol=1e-3)  # the witness can fail


def _normal_lit(a, b):
    return math.sqrt(2) * math.acosh(1 + ((a["mu"] - b["mu"]) ** 2 / 2 + (a["sigma"] - b["sigma"]) ** 2)
                                     / (2 * a["sigma"] * b["sigma"]))


@pytest.mark.parametrize("name, a, b", [
    ("normal", {"mu": 0, "sigma": 1}, {"mu": 2, "sigma": 3}),
    ("gumbel", {"mu": 0, "sigma": 1}, {"mu": 1, "sigma": 2}),
    ("laplace", {"mu": -1, "b": 0.5}, {"mu": 1, "b": 1.5}),
])
def test_half_plane_distance_against_a_numeric_geodesic(name, a, b):
    m = get_model(name)
    d = fisher_rao_distance(m, a, b)
    assert d.result is not None and d.extras["kind"] == "half-plane", d.failures
    value = float(d.result)
    if name == "normal":
        assert math.isclose(value, _normal_lit(a, b), rel_tol=1e-12)
    witness = numeric_geodesic_length(fisher_information(m).result, m.params, a, b)
    assert math.isclose(value, witness, rel_tol=1e-3), (value, witness)
    # the straight line is longer than the geodesic (the metric is curved)
    straight = numeric_geodesic_length(fisher_information(m).result, m.params, a, b, optimize=False)
    assert straight > value * (1 + 1e-4)


def test_symbolic_endpoints_for_the_normal():
    m = get_model("normal")
    mu1, mu2 = sp.symbols("mu_1 mu_2", real=True)
    s1, s2 = sp.symbols("sigma_1 sigma_2", positive=True)
    d = fisher_rao_distance(m, {"mu": mu1, "sigma": s1}, {"mu": mu2, "sigma": s2})
    target = sp.sqrt(2) * sp.acosh(1 + ((mu1 - mu2) ** 2 / 2 + (s1 - s2) ** 2) / (2 * s1 * s2))
    at = {mu1: sp.Rational(1, 3), mu2: -2, s1: sp.Rational(3, 2), s2: sp.Rational(1, 4)}
    assert abs(float((d.result - target).subs(at))) < 1e-12


def test_no_closed_form_fails_clearly():
    d = fisher_rao_distance(get_model("gamma"), {"a": 1, "b": 1}, {"a": 2, "b": 3})
    assert d.result is None and "no closed form" in d.failures[-1].reason
