"""The folded structure (symfisher/derive/structures/folded.py): a law on a half-line that is twice a
law symmetric about the half-line's known end derives through the unfolded law.

Found only where the symmetry is proven; the results are checked against the literature (the
half-logistic's scale information is the logistic's, (3 + pi^2)/(9 s^2): Balakrishnan (1985),
J. Statist. Comput. Simul. 20:287; the half-Cauchy's KL is the Cauchy's at a common location,
Chyzak & Nielsen (2019), arXiv:1905.10965, eq. (1)) and against quadrature of the typed density.
"""
from __future__ import annotations

import math

import pytest
import sympy as sp

from symfisher import from_density
from symfisher.derive.fisher import fisher_information
from symfisher.derive.kl import kl_divergence, kl_symbols
from symfisher.derive.structures import find
from symfisher.domains import POSITIVE, IntervalSupport
from symfisher.model import Model


def _quad_fisher(dens: str, s: float, x_lo: float) -> float:
    """E[(d/ds log f)^2] by quadrature, with SymPy's own diff (the test's literal density)."""
    from scipy.integrate import quad

    from sympy.parsing.sympy_parser import parse_expr

    x, t = sp.symbols("x t", positive=True)
    f = parse_expr(dens, local_dict={"x": x, "s": t})  # the test's own literal, not user input
    score = sp.diff(sp.log(f), t)
    g = sp.lambdify(x, (f * score**2).subs(t, s), "math")
    return sum(quad(g, a, b, limit=200)[0] for a, b in ((x_lo, x_lo + 1), (x_lo + 1, x_lo + 30), (x_lo + 30, math.inf)))


def test_half_logistic_is_found_folded_and_has_the_logistic_scale_information():
    dens = "2*exp(-x/s)/(s*(1+exp(-x/s))**2)"
    m = from_density(dens, "x in (0, oo)", ["s > 0"])
    fo = find(m, "folded")
    assert fo is not None and fo.centre == 0
    assert fo.base.support[0] == IntervalSupport(-sp.oo, sp.oo)
    d = fisher_information(m)
    s = m.params[0]
    assert d.extras["structure"] == "folded" and d.extras["routes_agree"] is True
    assert sp.simplify(d.result[0, 0] - (3 + sp.pi**2) / (9 * s**2)) == 0
    assert math.isclose(float(d.result[0, 0].subs(s, 1.3)), _quad_fisher(dens, 1.3, 0.0), rel_tol=1e-8)


def test_half_cauchy_at_a_known_centre_gets_the_cauchy_kl():
    m = from_density("2*g/(pi*(g**2 + (x-c)**2))", "x in (c, oo)", ["g > 0"], ["c > 0"])
    fo = find(m, "folded")
    assert fo is not None and fo.centre == m.constants[0]
    kd = kl_divergence(m)
    first, second = kl_symbols(m)
    g = m.params[0]
    g1, g2 = first[g], second[g]
    assert kd.extras.get("structure") == "folded" or any("folded" in s.statement for s in kd.steps)
    assert sp.simplify(kd.result - sp.log((g1 + g2)**2 / (4 * g1 * g2))) == 0
    # numeric witness: the log-ratio integrated against the first density (c = 1.5, g = 1.4 vs 0.6)
    from scipy.integrate import quad

    def f(x, gv):
        return 2 * gv / (math.pi * (gv**2 + (x - 1.5)**2))

    val = sum(quad(lambda x: f(x, 1.4) * math.log(f(x, 1.4) / f(x, 0.6)), a, b, limit=400)[0]
              for a, b in ((1.5, 2.5), (2.5, 100), (100, math.inf)))
    assert math.isclose(float(kd.result.subs({g1: 1.4, g2: 0.6})), val, rel_tol=1e-7)


def test_the_left_half_line_folds_too():
    m = from_density("sqrt(2/pi)/s*exp(-x**2/(2*s**2))", "x in (-oo, 0)", ["s > 0"])
    assert find(m, "folded") is not None


@pytest.mark.parametrize("dens, var", [
    ("x*exp(-x**2/(2*s**2))/s**2", "x in (0, oo)"),          # Rayleigh: log x is not symmetric
    ("x**(s-1)*exp(-x)/gamma(s)", "x in (0, oo)"),            # gamma
    ("s*exp(-s*x)", "x in (0, oo)"),                          # exponential: exp(-s x) is not even
    ("exp(-x/s)/(s*(1+exp(-x/s))**2)", "x in R"),             # the whole line: nothing to unfold
])
def test_a_law_that_is_not_folded_is_not_found(dens, var):
    m = from_density(dens, var, ["s > 0"])
    assert find(m, "folded") is None


def test_symmetry_about_another_point_is_not_a_fold():
    """exp(-(x - 1)^2/2) on (0, oo) is symmetric about 1, not about the end 0 (and is no density
    there): the numeric refusal comes before any proof."""
    x = sp.Symbol("x", positive=True)
    s = sp.Symbol("s", positive=True)
    m = Model("shifted", (x,), (s,), -(x - 1)**2 / (2 * s**2) - sp.log(s), (IntervalSupport(0, sp.oo),),
              domains=((s, POSITIVE),))
    assert find(m, "folded") is None
