"""Exact series results (symfisher/series.py) and the negative binomial with both parameters unknown.

Literature: Lawless, *Canad. J. Statist.* 15 (1987), 209-225, and Johnson, Kemp & Kotz, *Univariate
Discrete Distributions*, 3rd ed. (2005), §5.8: for C(x + r - 1, x) p^r (1 - p)^x, x = 0, 1, ...,
I_pp = r/(p^2 (1 - p)), I_rp = -1/p (d/dp of the r-score log p - psi(r) + psi(x + r) is 1/p), and
I_rr = psi'(r) - E[psi'(X + r)], a series without closed form. The numeric witnesses below sum the mass
function in mpmath (its own log-gamma form, not the engine's summand) against the exact second
derivative and the outer product of the score.
"""
import json

import mpmath as mp
import pytest
import sympy as sp

from symfisher import get_model
from symfisher.derive.report import derive_all
from symfisher.series import ProvenSum, convergence_proof, has_series, numeric_sums

POINTS = [(1.7, 0.12), (0.4, 0.55), (6.0, 0.8)]


@pytest.fixture(scope="module")
def nb2():
    m = get_model("negative_binomial2")
    return m, derive_all(m, only=["fisher", "cramer_rao"])


def _pmf(r, p):
    return lambda k: mp.exp(mp.loggamma(k + r) - mp.loggamma(r) - mp.loggamma(k + 1) + r * mp.log(p) + k * mp.log(1 - p))


def test_closed_entries_match_the_literature(nb2):
    m, rep = nb2
    r, p = m.params
    I = rep.get("fisher")
    assert sp.simplify(I[1, 1] - r / (p**2 * (1 - p))) == 0
    assert sp.simplify(I[0, 1] + 1 / p) == 0 and I[0, 1] == I[1, 0]
    assert not has_series(I[0, 1]) and not has_series(I[1, 1])
    # the size entry is psi'(r) minus exactly one series of the mass function times psi'(x + r)
    rest = sp.expand(I[0, 0] - sp.polygamma(1, r))
    (s,) = rest.atoms(sp.Sum)
    x = m.data[0]
    assert s.limits == ((x, 0, sp.oo),) and sp.expand(rest + s) == 0
    pmf = sp.binomial(x + r - 1, x) * p**r * (1 - p) ** x
    assert sp.simplify(s.function - pmf * sp.polygamma(1, x + r)) == 0


@pytest.mark.parametrize("rv,pv", POINTS)
def test_series_entry_against_mpmath_summation(nb2, rv, pv):
    m, rep = nb2
    I = rep.get("fisher")
    r, p = m.params
    mp.mp.dps = 30
    f = _pmf(mp.mpf(rv), mp.mpf(pv))
    rr, pp = mp.mpf(rv), mp.mpf(pv)
    curvature = mp.nsum(lambda k: f(k) * (mp.psi(1, rr) - mp.psi(1, k + rr)), [0, mp.inf])
    outer = mp.nsum(lambda k: f(k) * (mp.log(pp) - mp.psi(0, rr) + mp.psi(0, k + rr)) ** 2, [0, mp.inf])
    cross = mp.nsum(lambda k: f(k) * (mp.log(pp) - mp.psi(0, rr) + mp.psi(0, k + rr)) * (rr / pp - k / (1 - pp)),
                    [0, mp.inf])
    sub = {r: sp.Float(rv, 30), p: sp.Float(pv, 30)}
    got = float(I[0, 0].xreplace(sub).evalf(25))  # the series' own term-by-term evaluation
    assert abs(got - float(curvature)) < 1e-12 * abs(float(curvature))
    assert abs(float(outer) - float(curvature)) < 1e-12 * abs(float(curvature))  # the two definitions agree
    assert abs(float(cross) - float(I[0, 1].xreplace(sub))) < 1e-12 * abs(float(cross))  # the sign of I_rp
    # the numeric witnesses' vectorized sum (double precision, log space) agrees too
    fn = sp.lambdify((r, p), numeric_sums(I[0, 0]), modules=["scipy", "numpy"])
    assert abs(float(fn(rv, pv)) - float(curvature)) < 1e-9 * abs(float(curvature))


def test_the_series_is_labelled_with_its_proof(nb2):
    m, rep = nb2
    d = rep.derivations["fisher"]
    reasons = [s.reason for s in d.steps]
    assert any("exact series (no closed form found; it converges by the ratio test" in t and "1 - p" in t
               for t in reasons)
    assert d.extras["routes_agree"] is True and not d.failures
    out = rep.to_json()
    assert out["series"] == ["fisher[0, 0]", "cramer_rao[0, 0]", "cramer_rao[0, 1]", "cramer_rao[1, 0]",
                             "cramer_rao[1, 1]"]
    # every entry is a string SymPy reads back with the listed names and the summation index
    names = {n: sp.Symbol(n) for n in out["params"] + out["data"]}
    back = sp.parse_expr(out["fisher"][0][0], local_dict={**names, "Sum": sp.Sum})
    assert isinstance(back.atoms(sp.Sum).pop(), sp.Sum)
    json.dumps(out)


def test_cramer_rao_is_the_inverse(nb2):
    m, rep = nb2
    I, C = rep.get("fisher"), rep.get("cramer_rao")
    from symfisher.simplify import cancels

    assert all(cancels(e) for e in C * I - sp.eye(2))


def test_unproven_series_are_refused():
    k = sp.Symbol("k", integer=True, nonnegative=True)
    q = sp.Symbol("q", positive=True)
    assert convergence_proof(1 / (k + 1), k, 0, {}) is None  # diverges
    assert convergence_proof(1 / (k + 1) ** 2, k, 0, {}) is None  # converges, but the ratio test cannot tell
    assert convergence_proof(q**k / (k + 1), k, 0, {}) is None  # q > 1 allowed: diverges there
    assert convergence_proof(sp.Rational(1, 2) ** k * sp.polygamma(1, k + 1), k, 0, {}) is not None


def test_series_renders_as_a_sum(nb2):
    from symfisher.render.latex import latex_of

    m, rep = nb2
    tex = latex_of(rep.get("fisher")[0, 0])
    assert r"\sum_{x=0}^{\infty}" in tex and r"\psi'" in tex
    assert str(rep.get("fisher")[0, 0]).count("Sum(") == 1


def test_check_against_a_series_entry(nb2):
    from symfisher.check import check_answer

    m, rep = nb2
    r, p = m.params
    x = m.data[0]
    assert check_answer(m, "fisher[1,1]", "r/(p**2*(1-p))").proved is True
    wrong = check_answer(m, "fisher[0,0]", "polygamma(1, r)")
    assert not wrong.equal
    # the same series with its index shifted by one: equal, but not by a proof SymPy finds
    pmf = sp.binomial(x + r - 1, x) * p**r * (1 - p) ** x
    shifted = sp.polygamma(1, r) - ProvenSum((pmf * sp.polygamma(1, x + r)).subs(x, x - 1), (x, 1, sp.oo))
    v = check_answer(m, "fisher[0,0]", shifted)
    # never "equal: proven" without a proof: SymPy does not reduce the difference, and near the domain's
    # edges (p -> 0) the series cannot be summed within a point's limit, so the domain is not covered
    assert v.proved is not True
    assert v.equal is False and "not shown equal" in v.message and "could not be evaluated" in v.message


def test_typed_twin_derives_the_same_series():
    """Typed first: the user's log-gamma form goes through the same engine and gives the same information
    (the series summed at a point against the catalog's)."""
    from symfisher import from_logpdf

    m = from_logpdf("loggamma(x+r) - loggamma(r) - loggamma(x+1) + r*log(p) + x*log(1-p)", "x in 0..oo",
                    ["r > 0", "p in (0,1)"])
    rep = derive_all(m, only=["fisher"])
    d = rep.derivations["fisher"]
    assert d.extras["routes_agree"] is True and not d.failures
    I = rep.get("fisher")
    r, p = m.params
    assert sp.simplify(I[0, 1] + 1 / p) == 0 and sp.simplify(I[1, 1] - r / (p**2 * (1 - p))) == 0
    assert has_series(I[0, 0]) and rep.to_json()["series"] == ["fisher[0, 0]"]
    mp.mp.dps = 30
    f = _pmf(mp.mpf("1.7"), mp.mpf("0.12"))
    target = mp.nsum(lambda k: f(k) * (mp.psi(1, mp.mpf("1.7")) - mp.psi(1, k + mp.mpf("1.7"))), [0, mp.inf])
    got = I[0, 0].xreplace({r: sp.Rational(17, 10), p: sp.Rational(12, 100)}).evalf(25)
    assert abs(float(got) - float(target)) < 1e-12 * float(target)


def test_series_fields_names_every_series_entry():
    from symfisher.series import series_fields

    out = {"model": "m", "params": ["r", "p"], "score": ["Sum(x, (x, 0, oo))"],  # never an expectation
           "fisher": [["polygamma(1, r) - Sum(p**x, (x, 0, oo))", "-1/p"], ["-1/p", "r"]],
           "cramer_rao": None, "kl": "log(p_1/p_2)",
           "kl_taylor": {"order": 3, "quadratic": "delta_r**2*Sum(p**x, (x, 0, oo))/2", "cubic": "0"},
           "jeffreys": {"prior": "sqrt(Sum(p**x, (x, 0, oo)))", "proper": None}}
    assert series_fields(out) == ["fisher[0, 0]", "kl_taylor.quadratic", "jeffreys.prior"]


def test_list_shows_the_family(capsys):
    from symfisher.cli import main

    assert main(["list"]) == 0
    line = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("negative_binomial2 ")]
    assert line and "(r, p)" in line[0] and "x in 0..oo" in line[0]
