"""Models typed as densities that are not in the catalog: the Fisher information must match
the literature (Forbes et al., *Statistical Distributions*, 4th ed.; Mardia & Jupp,
*Directional Statistics*, for von Mises), and bad input must be refused with exit code 2."""
import json

import pytest
import sympy as sp
from sympy import besseli, pi

from symfisher import derive_all, from_density, from_logpdf
from symfisher.cli import main
from symfisher.derive import model_domains
from symfisher.simplify import is_zero

USER = [
    # name, density, var, params, consts, literature Fisher (function of the model's symbols)
    ("maxwell", "sqrt(2/pi)*x**2*exp(-x**2/(2*a**2))/a**3", "x in (0, oo)", ["a > 0"], [],
     lambda s: sp.Matrix([[6 / s["a"] ** 2]])),
    ("nakagami", "2*m**m/(gamma(m)*W**m)*x**(2*m-1)*exp(-m*x**2/W)", "x in (0, oo)", ["W > 0"], ["m > 0"],
     lambda s: sp.Matrix([[s["m"] / s["W"] ** 2]])),
    ("levy", "sqrt(c/(2*pi))*exp(-c/(2*x))/x**(3/2)", "x in (0, oo)", ["c > 0"], [],
     lambda s: sp.Matrix([[1 / (2 * s["c"] ** 2)]])),
    ("lomax", "alpha/lam*(1 + x/lam)**(-(alpha + 1))", "x in (0, oo)", ["alpha > 0", "lam > 0"], [],
     lambda s: (lambda a, l: sp.Matrix([[1 / a**2, -1 / (l * (a + 1))],
                                        [-1 / (l * (a + 1)), a / (l**2 * (a + 2))]]))(s["alpha"], s["lam"])),
    ("loglogistic", "(b/a)*(x/a)**(b-1)/(1 + (x/a)**b)**2", "x in (0, oo)", ["a > 0", "b > 0"], [],
     lambda s: sp.diag(s["b"] ** 2 / (3 * s["a"] ** 2), (3 + pi**2) / (9 * s["b"] ** 2))),
    ("von_mises", "exp(k*cos(x - mu))/(2*pi*besseli(0, k))", "x in (-pi, pi)", ["mu real"], ["k > 0"],
     lambda s: sp.Matrix([[s["k"] * besseli(1, s["k"]) / besseli(0, s["k"])]])),
    ("gumbel_typed", "exp(-(x - m)/s - exp(-(x - m)/s))/s", "x in R", ["m real", "s > 0"], [],
     lambda s: sp.Matrix([[1, sp.EulerGamma - 1], [sp.EulerGamma - 1, (1 - sp.EulerGamma) ** 2 + pi**2 / 6]]) / s["s"] ** 2),
    ("weibull_typed", "(k/l)*(x/l)**(k-1)*exp(-(x/l)**k)", "x in (0, oo)", ["l > 0", "k > 0"], [],
     lambda s: (lambda l, k: sp.Matrix([[k**2 / l**2, (sp.EulerGamma - 1) / l],
                                        [(sp.EulerGamma - 1) / l, ((1 - sp.EulerGamma) ** 2 + pi**2 / 6) / k**2]]))(s["l"], s["k"])),
]


@pytest.mark.parametrize("name,density,var,params,consts,target", USER, ids=[u[0] for u in USER])
def test_user_density_fisher_matches_literature(name, density, var, params, consts, target):
    m = from_density(density, var=var, params=params, consts=consts, name=name)
    rep = derive_all(m, only=["fisher"])
    I = rep.get("fisher")
    assert I is not None, rep.failures
    assert is_zero(I - target(m.symbols), model_domains(m)) is True, I
    assert rep.derivations["fisher"].extras["routes_agree"] is True


def test_logpdf_input_same_as_density():
    m = from_logpdf("log(t) - t*x", var="x in (0, oo)", params=["t > 0"])
    assert derive_all(m, only=["fisher"]).get("fisher") == sp.Matrix([[1 / m.symbol("t") ** 2]])


def test_derive_density_json_through_cli(capsys):
    rc = main(["derive", "--density", "t*exp(-t*x)", "--var", "x in (0, oo)", "--param", "t > 0",
               "--json", "--only", "score,fisher"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["fisher"] == [["t**(-2)"]] and out["fisher_routes_agree"] is True
    assert out["params"] == ["t"] and out["kl"] is None and out["failures"] == []


BAD = [
    (["derive", "no_such_model"], "unknown model"),
    (["derive", "--density", "t*exp(-t*x", "--var", "x in (0, oo)", "--param", "t > 0"], ""),
    (["derive", "--density", "__import__('os').system('echo hi')", "--var", "x in (0, oo)", "--param", "t > 0"], ""),
    (["derive", "--density", "2*t*exp(-t*x)", "--var", "x in (0, oo)", "--param", "t > 0"], "does not normalize"),
    (["derive", "--density", "1/t", "--var", "x in (0, t)", "--param", "t > 0"], "depends on the parameter"),
    (["derive", "--density", "t*exp(-t*x)", "--var", "x in (0, oo)", "--param", "t in (0 1)"], ""),
    (["derive", "--density", "t*exp(-t*x)", "--var", "x in (0, oo)"], "parameter"),
    (["derive", "bernoulli", "--only", "fisher,nonsense"], "nonsense"),
    (["derive"], "no model"),
]


@pytest.mark.parametrize("argv,fragment", BAD)
def test_bad_input_is_one_line_and_exit_2(argv, fragment, capsys):
    assert main(argv) == 2
    cap = capsys.readouterr()
    err = cap.err.strip()
    assert err.startswith("symfisher: error:") and "\n" not in err
    assert fragment in err
    assert "hi" not in cap.out  # nothing executed


def test_jeffreys_propriety_decided_in_the_original_coordinates(capsys):
    """In logit coordinates SymPy cannot integrate exp(phi/2)/(1 + exp(phi)) over R; the prior's
    propriety and normalizer come from Beta(1/2, 1/2) through the change of variables."""
    assert main(["derive", "bernoulli", "--reparam", "p = 1/(1+exp(-phi))", "--json", "--only", "jeffreys"]) == 0
    j = json.loads(capsys.readouterr().out)["jeffreys"]
    assert j["proper"] is True and j["normalizer"] == "pi"
    # an independent check of the normalizer: quadrature of the kernel over the real line
    from scipy.integrate import quad
    import math

    val = quad(lambda t: math.exp(t / 2) / (1 + math.exp(t)), -60, 60)[0]
    assert abs(val - math.pi) < 1e-8
