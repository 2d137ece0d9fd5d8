"""The inverse Gaussian kernel on (0, oo) proves its normalization off the log-kernel
(:func:`symfisher.usermodel._log_bessel_mass`): ``int x^(p-1) exp(-a x - b/x) dx = 2 (b/a)^(p/2) K_p(2 sqrt(a b))``
(Gradshteyn & Ryzhik 3.471.9) at ``p = -1/2`` with ``K_(1/2)(w) = sqrt(pi/(2 w)) e^(-w)``, in logs; no
integral, no Euler transform. Checked against mpmath quadrature; a kernel that does not normalize is refused.
"""
import pytest
import sympy as sp

import symfisher as sf
import symfisher.usermodel as um
from symfisher.model import ModelError
from _witness import forbid, numeric_total

IG = [
    ("inverse gaussian", "sqrt(lam/(2*pi*x**3))*exp(-lam*(x-mu)**2/(2*mu**2*x))", ["mu > 0", "lam > 0"],
     {"mu": 1.3, "lam": 2.2}),
    ("inverse gaussian dispersion", "exp(-(x-mu)**2/(2*phi*mu**2*x))/sqrt(2*pi*phi*x**3)", ["mu > 0", "phi > 0"],
     {"mu": 0.8, "phi": 0.6}),
]


@pytest.mark.parametrize("label, density, params, point", IG, ids=[k[0] for k in IG])
def test_the_inverse_gaussian_kernel_normalizes_by_its_log_kernel(monkeypatch, label, density, params, point):
    forbid(monkeypatch, f"{label}: no integral, transform or long normalization check at build",
           (um, "check_normalization"), (um, "_normalizes_by_transform"), (sp, "integrate"))
    m = sf.from_density(density, var="x in (0, oo)", params=params)
    total = um._log_bessel_mass(m)
    assert total is not None and sp.expand(total) == 0
    assert abs(numeric_total(m, point, breaks=[1]) - 1) < 1e-9


def test_the_bessel_closed_form_is_the_total_of_a_kernel_that_does_not_normalize():
    # the inverse Gaussian without its sqrt(lam): total lam^(-1/2)
    m = sf.from_density("exp(-lam*(x-mu)**2/(2*mu**2*x))/sqrt(2*pi*x**3)", var="x in (0, oo)",
                        params=["mu > 0", "lam > 0"], check=False)
    lam = m.params[1]
    assert sp.simplify(sp.exp(um._log_bessel_mass(m)) - 1 / sp.sqrt(lam)) == 0
    assert abs(numeric_total(m, {"mu": 1.0, "lam": 4.0}, breaks=[1]) - 0.5) < 1e-9
    with pytest.raises(ModelError, match="does not normalize"):
        sf.from_density("exp(-lam*(x-mu)**2/(2*mu**2*x))/sqrt(2*pi*x**3)", var="x in (0, oo)",
                        params=["mu > 0", "lam > 0"])


def test_an_order_or_a_sign_the_reader_does_not_prove_gives_no_bessel_proof():
    # x^(-5/2): the order p = -3/2, whose K has a polynomial factor: left to the transform
    m = sf.from_density("a*x**(-5/2)*exp(-a*x-1/x)", var="x in (0, oo)", params=["a > 0"], check=False)
    assert um._log_bessel_mass(m) is None
    # b real only: exp(-b/x) does not integrate at 0 for b < 0
    m = sf.from_density("x**(-3/2)*exp(-x-b/x)", var="x in (0, oo)", params=["b real"], check=False)
    assert um._log_bessel_mass(m) is None


def test_the_typed_inverse_gaussian_fisher_information_is_the_literature_value():
    # IG(mu, lam): diag(lam/mu^3, 1/(2 lam^2))
    m = sf.from_density(IG[0][1], var="x in (0, oo)", params=IG[0][2])
    mu, lam = m.params
    fi = sf.fisher_information(m).result
    assert sp.simplify(fi - sp.diag(lam / mu**3, 1 / (2 * lam**2))) == sp.zeros(2, 2)
