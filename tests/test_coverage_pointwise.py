"""sympy.stats models and the Fisher information at a point by quadrature.

Sources: the gamma law in (shape k, scale theta): Lehmann & Casella (1998), Table 2.5.1 mapped by
b = 1/theta; the skew-normal shape: Azzalini, *Scand. J. Statist.* 12 (1985) — I(alpha) =
E[x^2 phi(alpha x)^2 / Phi(alpha x)^2], here integrated independently with mpmath; the negative
binomial with mean mu and size r: Lawless, *Canad. J. Statist.* 15 (1987), eq. (2.4) —
I_mumu = r/(mu (r + mu)), I_mur = 0, I_rr = psi'(r) - E[psi'(X + r)] - mu/(r (r + mu)), the
expectation a series summed here with mpmath.
"""
import json

import pytest
import sympy as sp

from symfisher.derive import fisher_information
from symfisher.model import ModelError
from symfisher.pointwise import fisher_at, parse_point
from symfisher.sympy_stats import from_sympy_stats
from symfisher.usermodel import from_logpdf


def test_gamma_random_symbol_becomes_a_model():
    from sympy.stats import Gamma

    k, theta = sp.symbols("k theta", positive=True)
    m = from_sympy_stats(Gamma("X", k, theta))
    assert m.params == (k, theta) and str(m.support[0]) == "(0, oo)"
    I = fisher_information(m).result
    target = sp.Matrix([[sp.polygamma(1, k), 1 / theta], [1 / theta, k / theta**2]])
    assert (I - target).applyfunc(sp.simplify).is_zero_matrix


def test_discrete_distribution_and_known_constants():
    from sympy.stats import Binomial, Poisson

    lam = sp.Symbol("lam", positive=True)
    m = from_sympy_stats(Poisson("N", lam))
    assert str(m.support[0]) == "0..oo"
    assert sp.simplify(fisher_information(m).result[0, 0] - 1 / lam) == 0
    from sympy.stats import Normal

    mu, s = sp.Symbol("mu", real=True), sp.Symbol("s", positive=True)
    m = from_sympy_stats(Normal("X", mu, s), params=["mu"])
    assert m.params == (mu,) and m.constants == (s,)
    assert sp.simplify(fisher_information(m).result[0, 0] - 1 / s**2) == 0


def test_a_symbol_without_assumptions_is_refused():
    from sympy.stats import Exponential

    with pytest.raises(ModelError, match="no assumption"):
        from_sympy_stats(Exponential("T", sp.Symbol("lam")))
    with pytest.raises(ModelError, match="not a parameter"):
        from_sympy_stats(Exponential("T", sp.Symbol("lam", positive=True)), params=["mu"])


def _skew_normal():
    x, a = sp.Symbol("x", real=True), sp.Symbol("alpha", real=True)
    from symfisher.domains import REAL, IntervalSupport
    from symfisher.model import Model

    logf = sp.log(2) - x**2 / 2 - sp.log(2 * sp.pi) / 2 + sp.log((1 + sp.erf(a * x / sp.sqrt(2))) / 2)
    return Model("skew_normal", (x,), (a,), logf, (IntervalSupport(-sp.oo, sp.oo),), domains=((a, REAL),))


@pytest.mark.parametrize("alpha", [0.5, 2.0, -3.0])
def test_skew_normal_shape_at_a_point(alpha):
    import mpmath as mp

    r = fisher_at(_skew_normal(), {"alpha": alpha})
    phi = lambda t: mp.exp(-t**2 / 2) / mp.sqrt(2 * mp.pi)  # noqa: E731
    Phi = lambda t: mp.ncdf(t)  # noqa: E731
    lit = mp.quad(lambda x: 2 * phi(x) * Phi(alpha * x) * (x * phi(alpha * x) / Phi(alpha * x)) ** 2, [-mp.inf, 0, mp.inf])
    assert abs(r.matrix[0][0] - float(lit)) < 1e-8
    assert r.error < 1e-6 and r.to_json()["method"].startswith("numeric")


def test_negative_binomial_with_both_parameters_at_a_point():
    import mpmath as mp

    m = from_logpdf("loggamma(x + r) - loggamma(r) - loggamma(x + 1) + r*log(r) + x*log(mu) - (r + x)*log(r + mu)",
                    "x in 0..oo", ["mu > 0", "r > 0"], check=False)
    mu, r = 2.0, 1.5
    res = fisher_at(m, {"mu": mu, "r": r})
    p = lambda k: mp.exp(mp.loggamma(k + r) - mp.loggamma(r) - mp.loggamma(k + 1) + r * mp.log(r / (r + mu))  # noqa: E731
                         + k * mp.log(mu / (r + mu)))
    Irr = mp.psi(1, r) - mp.nsum(lambda k: p(k) * mp.psi(1, k + r), [0, mp.inf]) - mu / (r * (r + mu))
    target = [[r / (mu * (r + mu)), 0.0], [0.0, float(Irr)]]
    for i in range(2):
        for j in range(2):
            assert abs(res.matrix[i][j] - target[i][j]) < 1e-7, (res.matrix, target)


def test_point_text_is_data():
    m = _skew_normal()
    assert parse_point(" alpha = 2 ", m) == {"alpha": 2.0}
    for bad in ("alpha=__import__('os')", "alpha=inf", "beta=1", "alpha=1,alpha=2", "alpha"):
        with pytest.raises(ValueError):
            parse_point(bad, m)


def test_cli_at_json_and_bad_input(capsys):
    from symfisher.cli import main

    assert main(["derive", "poisson", "--at", "lam=2.5", "--json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["closed_form_at_point"] == [[0.4]] and abs(obj["fisher"][0][0] - 0.4) < 1e-9
    assert obj["error_estimate"] < 1e-8
    assert main(["derive", "poisson", "--at", "lam=-1"]) == 2
    err = capsys.readouterr().err
    assert "outside its domain" in err and len(err.strip().splitlines()) == 1
