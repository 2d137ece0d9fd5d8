"""Exact shortcuts of the exponential family's derivation (symfisher/calculus.py,
symfisher/derive/structures/expfam.py, _expfam_forms.py):

* ``derivative(log B(u, w), v)`` and ``derivative(log Gamma(u), v)`` are the logarithmic derivatives
  ``(psi(u) - psi(u + w)) u' + (psi(w) - psi(u + w)) w'`` and ``psi(u) u'``, with no ``B`` or ``Gamma`` left
  over (the quotient rule leaves ``B(k m, k - k m) (...) / B(k m, k - k m)`` in ``m``);
* the exponential family's ``E[T] = J^{-T} grad A`` is solved in the fraction field with the function values
  as generators, so the beta law in mean ``m`` and precision ``k`` has ``E[log X] = psi(k m) - psi(k)`` and
  ``E[log(1 - X)] = psi(k - k m) - psi(k)`` (Johnson, Kotz & Balakrishnan, *Continuous Univariate
  Distributions* vol. 2, 2nd ed., eq. 25.16: ``E[log X] = psi(a) - psi(a + b)`` for Beta(a, b)).

* ``cancel``'s form of a rational entry is taken from the (numerator, denominator) pair, the same expression;
* the two Fisher routes of a one-parameter family agree by the tidied Jacobian already made for its step,
  with no cancellation asked.

The values are checked against SymPy's own ``diff`` (an independent route) and against a quadrature of
``log x`` under the density.
"""
import sympy as sp

from symfisher import from_density
from symfisher.calculus import derivative
from symfisher.derive.structures import find


def test_log_beta_and_log_gamma_derivatives_are_logarithmic_derivatives():
    k, m, a = sp.symbols("k m a", positive=True)
    for e, v in [(sp.log(sp.beta(k * m, k - k * m)), m), (sp.log(sp.beta(k * m, k - k * m)), k),
                 (sp.log(sp.gamma(a / 2)), a), (sp.log(sp.beta(a, 2 * a)), a)]:
        d = derivative(e, v)
        assert not d.has(sp.beta, sp.gamma)
        assert sp.simplify(sp.expand_func(d - sp.diff(e, v))) == 0
    assert sp.expand(derivative(sp.log(sp.beta(k * m, k - k * m)), m)) == \
        k * sp.polygamma(0, k * m) - k * sp.polygamma(0, k - k * m)


def test_beta_mean_precision_mean_of_statistic_has_no_beta_and_matches_quadrature():
    from mpmath import mp, quad, log as mlog, beta as mbeta

    model = from_density("x**(m*k-1)*(1-x)**((1-m)*k-1)/beta(m*k, (1-m)*k)", "x in (0, 1)",
                         ["m in (0, 1)", "k > 0"])
    ef = find(model, "exponential_family")
    assert ef is not None
    mean = ef.mean()
    m, k = model.params
    assert not any(e.has(sp.beta) for e in mean)
    assert sp.expand(mean[0] - (sp.polygamma(0, k * m) - sp.polygamma(0, k))) == 0
    assert sp.expand(mean[1] - (sp.polygamma(0, k - k * m) - sp.polygamma(0, k))) == 0
    mp.dps = 20
    mv, kv = sp.Rational(3, 10), sp.Integer(4)
    a, b = float(mv * kv), float((1 - mv) * kv)
    by_quad = quad(lambda x: mlog(x) * x ** (a - 1) * (1 - x) ** (b - 1) / mbeta(a, b), [0, 1])
    assert abs(float(mean[0].subs({m: mv, k: kv})) - float(by_quad)) < 1e-9


def test_field_forms_cancel_form_is_cancel_of_the_quotient():
    """``_field_forms`` takes cancel's form from the (numerator, denominator) pair: the same expression as
    ``sympy.cancel`` of the quotient, sign and ordering included."""
    from symfisher.derive.structures._expfam_forms import _field_forms

    p, q = sp.symbols("p q", positive=True)
    t = sp.Symbol("t", real=True)
    for e in [1 / (1 / (1 - p) + 1 / p), 1 / (1 - p) + 1 / p, -p * ((1 - p) ** -2 - 1 / p ** 2) + (1 - p) ** -2,
              (p - q) / (q - p) + t / (2 * p - 2), (3 * t ** 2 - 6) / (4 - 2 * t ** 2) + q / (p * q - q)]:
        assert _field_forms(e)[1] == sp.cancel(e)


def test_bernoulli_routes_agree_by_the_tidied_jacobian_without_a_cancellation(monkeypatch):
    """A one-parameter family's ``J`` is tidied for its step; route 1's entry (``J`` times ``dE[T]/dp = 1``)
    is then known to equal route 2's tidied entry, so no cancellation is asked. Literature: ``1/(p (1 - p))``
    (Lehmann & Casella 1998, §2.5); the exact sum of ``f s^2`` over ``{0, 1}`` at ``p = 3/10`` is the witness."""
    from tests._witness import forbid
    from symfisher import fisher_information
    from symfisher.derive.structures import _expfam_forms as F
    from symfisher.derive.structures import expfam as E

    forbid(monkeypatch, "the agreement was already known from the tidied forms", (E, "_difference_cancels"),
           (F, "_difference_cancels"))
    model = from_density("p**x*(1-p)**(1-x)", "x in {0, 1}", ["p in (0, 1)"])
    d = fisher_information(model)
    (p,) = model.params
    assert d.extras["structure"] == "exponential_family" and d.extras["routes_agree"] is True
    assert any(s.statement == "The two routes agree." for s in d.steps)
    assert sp.cancel(d.result[0, 0] - 1 / (p * (1 - p))) == 0
    pv = sp.Rational(3, 10)
    witness = sum((pv ** x * (1 - pv) ** (1 - x)) * (x / pv - (1 - x) / (1 - pv)) ** 2 for x in (0, 1))
    assert d.result[0, 0].subs(p, pv) == witness
