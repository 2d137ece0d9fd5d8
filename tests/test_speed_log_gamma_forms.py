"""Two exact shortcuts that keep Gamma and Beta values out of derived forms (symfisher/calculus.py,
symfisher/derive/structures/expfam.py):

* ``derivative(log B(u, w), v)`` and ``derivative(log Gamma(u), v)`` are the logarithmic derivatives
  ``(psi(u) - psi(u + w)) u' + (psi(w) - psi(u + w)) w'`` and ``psi(u) u'``, with no ``B`` or ``Gamma`` left
  over (the quotient rule leaves ``B(k m, k - k m) (...) / B(k m, k - k m)`` in ``m``);
* the exponential family's ``E[T] = J^{-T} grad A`` is solved in the fraction field with the function values
  as generators, so the beta law in mean ``m`` and precision ``k`` has ``E[log X] = psi(k m) - psi(k)`` and
  ``E[log(1 - X)] = psi(k - k m) - psi(k)`` (Johnson, Kotz & Balakrishnan, *Continuous Univariate
  Distributions* vol. 2, 2nd ed., eq. 25.16: ``E[log X] = psi(a) - psi(a + b)`` for Beta(a, b)).

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
