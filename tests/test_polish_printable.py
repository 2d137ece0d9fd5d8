"""ensure_printable: a result holding a numeric special-function term that cannot be printed fails its
step by name; everything else passes without being printed. It walks an expression as a DAG, so the
d = 8 Gaussian covariance's matrices (thousands of shared subexpressions) are cheap to look at."""
import pytest
import sympy as sp

from symfisher.limits import StepFailed
from symfisher.simplify import _numeric_atoms, ensure_printable

x = sp.Symbol("x", real=True)
# printing orders the sum's terms by evaluating them: mpmath divides by zero in this G-function at 1
BAD = sp.Rational(-21, 4) + 48 * sp.meijerg(((-2, sp.S.Half), ()), ((0, sp.S.Half), ()), 1) / (5 * sp.pi)


def test_an_unprintable_term_deep_in_a_matrix_fails_the_step_by_name():
    with pytest.raises(ZeroDivisionError):
        str(BAD)
    shared = sp.expand((x + 1) ** 6)
    M = sp.Matrix(3, 3, lambda i, j: shared * (i + j + 1))
    M[2, 1] = shared + x * BAD
    with pytest.raises(StepFailed) as info:
        ensure_printable("kl", {"steps": [(None, M)]})
    assert info.value.step == "kl" and "meijerg" in info.value.reason and "ZeroDivisionError" in info.value.reason


def test_numeric_exp_and_log_and_symbolic_functions_are_not_risky():
    assert not _numeric_atoms(sp.Matrix([[sp.exp(2) + sp.log(3), sp.gamma(x), sp.polygamma(1, x)]]))
    assert _numeric_atoms(sp.exp(sp.besselk(0, 1)) * x)  # inside exp it is still looked at
    assert _numeric_atoms(sp.Integral(sp.exp(-x ** 2), (x, 0, 1)))
    assert not _numeric_atoms(sp.Integral(sp.exp(-x ** 2 * sp.Symbol("a")), (x, 0, 1)))
    ensure_printable("fisher", sp.Matrix([[1 / x, sp.besselk(0, 1)]]), None, "text")  # printable: passes


def test_the_d8_covariance_derivation_passes_and_keeps_its_matrix_form():
    from symfisher.derive.report import derive_all
    from symfisher.families import get_model

    rep = derive_all(get_model("mvn_covariance", d=8), only=("fisher",))
    assert not rep.to_json()["failures"]
    F = rep.get("fisher")
    assert F.shape == (36, 36)
    # I = 1/2 tr(P dSigma_a P dSigma_b) with P = Sigma^{-1} (Magnus & Neudecker 1988, ch. 9):
    # I(sigma_11, sigma_11) = P_11^2/2, I(sigma_11, sigma_12) = P_11 P_12 (sigma_12 = sigma_21 moves both entries)
    assert [s.name for s in rep.model.params[:2]] == ["sigma_11", "sigma_12"]
    assert str(F[0, 0]) == "(Sigma**(-1))[0, 0]**2/2"
    assert str(F[0, 1]) == "(Sigma**(-1))[0, 0]*(Sigma**(-1))[0, 1]"
