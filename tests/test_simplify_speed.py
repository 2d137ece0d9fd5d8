"""The cheap rewrites that replace general machinery in the zero tests, tidy and the statistic split.

Each is checked against an independent witness: numeric values at random points (mpmath through
``evalf``) or SymPy's general routine (``apart``, ``cancel``) on the same input.
"""
import random

import pytest
import sympy as sp

from symfisher.domains import POSITIVE, REAL, UNIT
from symfisher.expectation import _partial_fractions
from symfisher.simplify import (_monomial_part, _nonzero_rational, cancels, exp_logs_as_powers, exps_as_powers,
                                is_zero, shift_polygammas, tidy)

eta = sp.Symbol("eta", real=True)
z = sp.Symbol("z", real=True)
nu = sp.Symbol("nu", positive=True)


def _values_agree(a, b, syms, n=6, seed=3):
    rng = random.Random(seed)
    for _ in range(n):
        pt = {s: sp.Float(rng.uniform(0.3, 2.5), 30) for s in syms}
        va, vb = complex(a.evalf(30, subs=pt)), complex(b.evalf(30, subs=pt))
        if abs(va - vb) > 1e-20 * max(1.0, abs(vb)):
            return False
    return True


def test_exps_as_powers_proves_a_logistic_identity_zero():
    # d/d eta of the logistic mean is the Bernoulli variance: sigma - sigma^2 = e^eta / (1 + e^eta)^2
    sig = sp.exp(eta) / (sp.exp(eta) + 1)
    e = sig - sig**2 - sp.exp(eta) / (sp.exp(eta) + 1) ** 2
    assert not cancels(e) or cancels(exps_as_powers(e))
    assert cancels(exps_as_powers(e))
    assert is_zero(e, {eta: REAL}) is True
    assert _values_agree(e, sp.S.Zero, [eta])


def test_exps_as_powers_proves_nonzero_without_points():
    # exp(2 eta) and exp(eta) are powers of one y = exp(eta): a nonzero rational function of y
    e = sp.exp(2 * eta) / (sp.exp(eta) + 1) ** 2 - sp.exp(eta) / (sp.exp(eta) + 1) ** 2
    y = exps_as_powers(e, {eta: REAL})
    assert y is not None and not y.has(sp.exp)
    assert _nonzero_rational(y, {eta: REAL})
    assert is_zero(e, {eta: REAL}) is False
    assert abs(complex(e.subs(eta, 1))) > 0.1  # the witness: a point where it is not zero


def test_exps_as_powers_half_multiples_and_refusals():
    e = sp.exp(eta / 2) ** 2 - sp.exp(eta)  # SymPy keeps exp(eta/2)**2 as exp(eta): zero
    assert is_zero(e, {eta: REAL}) is True
    mixed = sp.exp(eta / 2) + sp.exp(eta)
    y = exps_as_powers(mixed)
    assert y is not None and sp.Poly(y, *y.free_symbols).total_degree() == 2  # y + y^2 with y = exp(eta/2)
    a, b = sp.symbols("a b", real=True)
    assert exps_as_powers(sp.exp(a) + sp.exp(b)) is None  # two independent exponents: not one y
    k = sp.Symbol("k", integer=True)
    assert exps_as_powers(sp.exp(k) + 1) is None  # y = exp(k) would range over a discrete set
    assert exps_as_powers(sp.exp(sp.Integer(2)) + eta) is None  # exp of a number is a number
    assert exps_as_powers(eta + 1) is None


def test_exp_logs_as_powers_cancels_mellin_leftovers():
    lam, k = sp.symbols("lam k", positive=True)
    assert exp_logs_as_powers(lam**k * sp.exp(-k * sp.log(lam))) == 1
    e = lam ** (2 * k) * sp.exp(-k * sp.log(lam)) + sp.log(lam)
    assert exp_logs_as_powers(e) == lam**k + sp.log(lam)
    assert exp_logs_as_powers(sp.exp(lam)) == sp.exp(lam)  # no log in the exponent: unchanged


@pytest.mark.parametrize("r", [
    z**2 / (z**2 + 1) ** 2, z / (z**2 + 1), z**2 / (z**2 + 1), z / (z**4 + 2 * z**2 + 1),
    z**3 / (z**2 + 1) ** 2, z**4 / (z**2 + 1) ** 2, z**2 / (nu + z**2) ** 2, nu * z**2 / (nu + z**2) ** 3,
    (3 * z**2 + 1) / (nu * z**2 + nu), z**2 / (2 * z**2 + 2) ** 2, (z**5 + 1) / (z**2 + 3),
    1 / (z**2 - 1), z / (1 + z),
])
def test_partial_fractions_match_apart(r):
    got = _partial_fractions(r, z)
    assert got is not None
    assert sp.expand(got) == sp.expand(sp.apart(r, z))  # SymPy's general routine, same terms
    assert _values_agree(got, r, [z, nu])  # and the original function's values


def test_partial_fractions_terms_are_proper():
    got = _partial_fractions(z**4 / (z**2 + 1) ** 2, z)
    assert set(sp.Add.make_args(got)) == {sp.S.One, -2 / (z**2 + 1), (z**2 + 1) ** -2}


def test_monomial_part():
    x1, x2, a, b = sp.symbols("x_1 x_2 a b", real=True)
    m, rest = _monomial_part(x1 * x2 * a + x1**2 * x2 * b)
    assert m == x1 * x2 and rest == a + x1 * b
    m, rest = _monomial_part(a / x1**2 + b / x1**3)
    assert m == x1**-2 and sp.expand(rest - (a + b / x1)) == 0
    assert _monomial_part(a + x1) == (1, a + x1)  # nothing common
    assert _monomial_part(x1 * a - b / x1)[0] == 1  # the powers differ in sign: nothing taken out


def test_tidy_of_nested_bernoulli_variance():
    # the variance of the Bernoulli statistic as a log-partition's second derivative gives, back in p,
    # this nested form; the textbook form is p (1 - p)
    p = UNIT.symbol("p")
    q = p / ((1 - p) * (p / (1 - p) + 1))
    e = q - q**2
    out = tidy(e)
    assert sp.cancel(out - p * (1 - p)) == 0
    assert sp.count_ops(out) <= sp.count_ops(p * (1 - p))
    assert _values_agree(out, e, [p])


def test_tidy_keeps_short_inputs():
    mu, sigma = sp.Symbol("mu", real=True), POSITIVE.symbol("sigma")
    e = mu**2 / sigma**2 + 1
    assert tidy(e) == e  # the cancelled form (mu^2 + sigma^2)/sigma^2 is longer


def test_shift_polygammas_recurrence():
    a = POSITIVE.symbol("a")
    nu = POSITIVE.symbol("nu")
    e = sp.polygamma(1, a + 2) - sp.polygamma(1, a)
    got = shift_polygammas(e)
    assert sp.cancel(got - (-1 / a**2 - 1 / (a + 1) ** 2)) == 0  # psi'(z + 1) = psi'(z) - 1/z^2, twice
    assert _values_agree(got, e, [a])
    half = sp.polygamma(0, (nu + 3) / 2) - sp.polygamma(0, (nu + 1) / 2) - 2 / (nu + 1)
    assert cancels(half)  # the digamma recurrence at (nu + 1)/2
    assert not cancels(sp.polygamma(0, nu / 2) - sp.polygamma(0, (nu + 1) / 2))  # a half step is no shift
    assert shift_polygammas(sp.polygamma(0, nu) + sp.polygamma(1, nu + 1)) is None  # orders differ


def test_student_t3_routes_agree_by_proof():
    # the location-scale-shape t: E[s s^T] has digamma((nu + 1)/2) - digamma((nu + 3)/2) where -E[H]
    # has -2/(nu + 1); the agreement is a proof now, not seeded points
    from symfisher.families import get_model
    from symfisher.derive.fisher import fisher_information

    d = fisher_information(get_model("student_t3"))
    assert d.extras["routes_agree"] is True
    assert all(cancels(e) for e in d.extras["outer"] - d.extras["curvature"])
    (agree,) = [s for s in d.steps if s.statement == "The two routes agree."]
    assert agree.reason == "their difference simplifies to zero"
    I = d.result
    syms = {s.name: s for s in I.free_symbols}
    # Lange, Little & Taylor (1989): I_{sigma nu} = -2 / (sigma (nu + 1) (nu + 3))
    assert sp.cancel(I[1, 2] + 2 / (syms["sigma"] * (syms["nu"] + 1) * (syms["nu"] + 3))) == 0


def test_erfc_and_erf_in_one_zero_test():
    # the probit Fisher information's denominator Phi (1 - Phi) as SymPy writes it, against the textbook's
    e = (2 - sp.erfc(z)) * sp.erfc(z) - (1 - sp.erf(z)) * (1 + sp.erf(z))
    assert cancels(e)
    assert _values_agree(e, sp.S.Zero, [z])
    assert not cancels((2 - sp.erfc(z)) * sp.erfc(z) - (1 - sp.erf(z)) ** 2)


def test_plain_sums_are_left_alone_and_combinable_ones_are_not():
    from symfisher.simplify import _plain_sum

    a, b = POSITIVE.symbol("a"), POSITIVE.symbol("b")
    for e in (sp.polygamma(0, a) - sp.log(b), sp.polygamma(1, a), a * sp.polygamma(1, a) - 1):
        assert _plain_sum(e) and tidy(e) == e
    # these do combine, so they are tidied: a common factor, a shift, numbers under one log
    assert not _plain_sum(a * sp.log(b) + sp.log(b)) and tidy(a * sp.log(b) + sp.log(b)) == (a + 1) * sp.log(b)
    assert not _plain_sum(a**2 * b + a * b**2) and tidy(a**2 * b + a * b**2) == a * b * (a + b)
    assert not _plain_sum(sp.log(2) + sp.log(3))
    assert not _plain_sum(sp.polygamma(0, a + 1) - sp.log(b))
    assert _plain_sum(sp.polygamma(1, a) - sp.polygamma(1, a + b))  # the beta law's Fisher entries
    assert not _plain_sum(sp.gamma(a + b) / sp.gamma(a))  # a ratio: may cancel


def test_log_beta_as_log_gammas_for_positive_arguments():
    a1, a2, b1, b2 = (POSITIVE.symbol(n) for n in ("a_1", "a_2", "b_1", "b_2"))
    P = sp.polygamma
    # the beta law's KL as the exponential family gives it, and as the literature writes it
    kl = ((a1 - a2) * (P(0, a1) - P(0, a1 + b1)) + (b1 - b2) * (P(0, b1) - P(0, a1 + b1))
          - sp.log(sp.beta(a1, b1)) + sp.log(sp.beta(a2, b2)))
    lit = ((a1 - a2) * P(0, a1) + (b1 - b2) * P(0, b1) + (a2 - a1 + b2 - b1) * P(0, a1 + b1)
           - sp.loggamma(a1) + sp.loggamma(a2) - sp.loggamma(b1) + sp.loggamma(b2)
           + sp.loggamma(a1 + b1) - sp.loggamma(a2 + b2))
    assert cancels(kl - lit)
    assert not cancels(kl - lit + sp.log(2))
    assert _values_agree(kl, lit, [a1, a2, b1, b2], n=3)
    x = sp.Symbol("x", real=True)  # not known positive: log B(x, 2) is not rewritten
    assert not cancels(sp.log(sp.beta(x, 2)) - sp.loggamma(x) - sp.loggamma(2) + sp.loggamma(x + 2))
