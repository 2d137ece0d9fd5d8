"""The reader's page, round three: the worked sheets as a lecturer writes them, asserted on the
sheets this tree renders (Markdown and LaTeX of the real specs) and, where a form carries a value,
proven equal to the literature's form with SymPy."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import sympy as sp

ROOT = Path(__file__).resolve().parent.parent
SPECS = ["01_bernoulli_fisher", "02_additivity", "03_reparameterization", "04_gaussian_matrix_fisher",
         "05_kl_curvature", "06_jeffreys_prior"]


@pytest.fixture(scope="module")
def sheets(rendered_sheets):
    # the session's one full sheet run (tests/conftest.py) holds these six specs' Markdown
    return {s: (rendered_sheets / f"{s}.md").read_text(encoding="utf-8") for s in SPECS}


# ---------------------------------------------------------------- 1. Sigma^{-1}(x - mu) entry by entry

def test_bivariate_normal_score_entries_are_sigma_inverse_times_the_residual(sheets):
    md = sheets["04_gaussian_matrix_fisher"]
    first = (r"\frac{\sigma_{22} \left(x_{1} - \mu_{1}\right) - \sigma_{12} \left(x_{2} - \mu_{2}\right)}"
             r"{\sigma_{11} \sigma_{22} - \sigma_{12}^{2}}")
    second = (r"\frac{\sigma_{11} \left(x_{2} - \mu_{2}\right) - \sigma_{12} \left(x_{1} - \mu_{1}\right)}"
              r"{\sigma_{11} \sigma_{22} - \sigma_{12}^{2}}")
    assert md.count(first) == 1 and md.count(second) == 1  # the step's matrix of entries
    # the step's last form and the result: the determinant in front of the grouped numerators
    assert md.count(r"\frac{1}{\sigma_{11} \sigma_{22} - \sigma_{12}^{2}} \begin{pmatrix}\sigma_{22} \left(x_{1} - \mu_{1}\right)"
                    r" - \sigma_{12} \left(x_{2} - \mu_{2}\right)") == 2
    assert r"\mu_{1} \sigma_{22} - \mu_{2} \sigma_{12}" not in md  # the expanded numerator is gone
    # the entries are those of Sigma^{-1} (x - mu), computed here with SymPy's own inverse
    from symfisher.families import get_model
    from symfisher.derive.report import derive_all
    from symfisher.textbook import grouped_numerator

    rep = derive_all(get_model("mvn_mean", d=2), only=("score",))
    m = rep.model
    s = {n.name: n for n in m.symbols.values()} if isinstance(m.symbols, dict) else {n.name: n for n in m.symbols}
    Sigma = sp.Matrix([[s["sigma_11"], s["sigma_12"]], [s["sigma_12"], s["sigma_22"]]])
    r = sp.Matrix([s["x_1"] - s["mu_1"], s["x_2"] - s["mu_2"]])
    shown = grouped_numerator(rep.get("score"))
    assert shown != rep.get("score")
    assert (shown - Sigma.inv() * r).applyfunc(sp.cancel) == sp.zeros(2, 1)


def test_log_density_quadratic_form_reads_x_minus_mu_transposed_and_names_its_constant(sheets):
    md = sheets["04_gaussian_matrix_fisher"]
    r = r"\left(\boldsymbol{x} - \boldsymbol{\mu}\right)"  # vectors bold
    assert (rf"&= - \frac{{1}}{{2}} {r}^{{\mathsf{{T}}}} \Sigma^{{-1}} {r}" in md)
    assert r"x^{\mathsf{T}} - \mu^{\mathsf{T}}" not in md
    assert r"up to the additive constant $-\frac{1}{2} \log \det(2 \pi \Sigma)$" in md


# ---------------------------------------------------------------- 2. the random variable upper case

def test_expectations_are_of_the_random_variable_and_values_stay_lower_case(sheets):
    for name in ("01_bernoulli_fisher", "02_additivity", "03_reparameterization", "06_jeffreys_prior"):
        md = sheets[name]
        assert r"E\left[T\left(X\right)\right]" in md, name
        assert r"\operatorname{Var}\left(T\left(X\right)\right)" in md or r"\operatorname{Cov}\left(T\left(X\right)\right)" in md, name
        assert r"T\left(x\right) = x" in md or r"T\left(x\right) &= x" in md  # the statistic as a function
        assert not re.search(r"(E|Var|Cov)\\left[\[(]T\\left\(x\\right\)", md), name
        assert not re.search(r"E\\left\[\\frac\{\\partial\}\{\\partial [^}]*\} \\ell\\left\(x,", md), name
    md = sheets["04_gaussian_matrix_fisher"]
    r = r"(\boldsymbol{X} - \boldsymbol{\mu})"  # the random vector, bold
    assert rf"$E[{r}{r}^{{\mathsf{{T}}}}] = \Sigma$" in md and r"the covariance of $\boldsymbol{X}$ is $\Sigma$" in md
    assert r"linear in $\boldsymbol{X}$, and $E[\boldsymbol{X}] = \boldsymbol{\mu}$" in md
    kl = sheets["05_kl_curvature"]
    assert r"E\left[X \log{\left(p_{1} \right)} - X \log{\left(p_{2} \right)}" in kl
    assert r"\mathrm{KL}\left(p \,\|\, p + \delta_{p}\right) &= E\left[\ell\left(X, p\right) - \ell\left(X, p + \delta_{p}\right)\right]" in kl


def test_standardized_statistics_are_of_the_upper_case_variable_in_the_terminal(capsys):
    from symfisher.cli import main

    assert main(["derive", "gumbel", "--only", "fisher"]) == 0
    out = capsys.readouterr().out
    assert "Standardize: X = μ + σ Z with Z standard Gumbel." in out
    assert "Z = -log W with W ∼ Exp(1)" in out
    assert "E[W] = 1" in out and "E[log(W)] = -γ" in out
    assert "E[w]" not in out and "E[log(w)]" not in out


def test_upper_case_leaves_a_name_already_taken_alone():
    from symfisher.derivation import Derivation, Step
    from symfisher.derive.notation import E
    from symfisher.textbook import textbook_derivation

    x, X = sp.Symbol("x", real=True), sp.Symbol("X", real=True)
    d = Derivation("t", "t", steps=(Step("s", "", E(x), (X,)),))
    assert textbook_derivation(d, random=(x,)).steps[0].lhs == E(x)  # X is already a symbol of the page
    d = Derivation("t", "t", steps=(Step("s", "", E(x ** 2), (sp.Integer(2), x)),))
    st = textbook_derivation(d, random=(x,)).steps[0]
    assert st.lhs == E(X ** 2) and st.forms[-1] == x  # outside the expectation x is the value


# ---------------------------------------------------------------- 3. the order of a sum's terms

def test_one_plus_exponential_in_every_logit_form(sheets):
    md = sheets["03_reparameterization"]
    assert r"J &= \frac{e^{\eta}}{\left(1 + e^{\eta}\right)^{2}}" in md
    assert r"A\left(\eta\right) &= \log{\left(1 + e^{\eta} \right)}" in md
    assert "e^{\\eta} + 1" not in md
    # J is dp/d eta of p = 1/(1 + e^{-eta})
    eta = sp.Symbol("eta", real=True)
    assert sp.simplify(sp.diff(1 / (1 + sp.exp(-eta)), eta) - sp.exp(eta) / (1 + sp.exp(eta)) ** 2) == 0
    # a linear sum keeps its constant last (x + 1, 2p - 1)
    from symfisher.render.latex import latex_of

    p = sp.Symbol("p", positive=True)
    assert latex_of(2 * p - 1) == "2 p - 1" and latex_of(p + 1) == "p + 1"
    assert latex_of(sp.log(1 + p ** 2)) == r"\log{\left(1 + p^{2} \right)}"


# ---------------------------------------------------------------- the chain's last line over one denominator

def test_a_sum_of_fractions_is_also_written_over_one_denominator(sheets):
    md = sheets["02_additivity"]
    assert ("s\\left(\\mu\\right) &= \\frac{x}{\\sigma^{2}} - \\frac{\\mu}{\\sigma^{2}} \\\\\n"
            " &= \\frac{x - \\mu}{\\sigma^{2}}") in md
    for name in ("01_bernoulli_fisher", "03_reparameterization", "05_kl_curvature", "06_jeffreys_prior"):
        assert ("J &= \\frac{1}{1 - p} + \\frac{1}{p} \\\\\n &= \\frac{1}{p \\left(1 - p\\right)}") in sheets[name], name
    # J = d eta/dp for eta = log(p/(1 - p)) (the Bernoulli natural parameter)
    p = sp.Symbol("p", positive=True)
    assert sp.simplify(sp.diff(sp.log(p / (1 - p)), p) - 1 / (p * (1 - p))) == 0


def test_a_chain_that_comes_back_to_its_first_form_shows_no_sign_step(sheets):
    md = sheets["05_kl_curvature"]
    # from the identity to the value once, not round from K_2's value and back (tests/test_polish_names.py)
    chain = ("K_{2} &= \\frac{1}{2} \\delta_{p} \\mathcal{I}\\left(p\\right) \\delta_{p} \\\\\n"
             " &= \\frac{\\delta_{p}^{2}}{2 p \\left(1 - p\\right)}\n\\end{aligned}")
    assert chain in md
    assert "p - 1\\right)}" not in md.split("### Taylor expansion")[1].split("**Result.**")[0]
    assert "Absorb the minus sign" not in md
    # the terms of the expansion are not named after the sufficient statistic T of the same page
    assert "K_{1} + K_{2} + K_{3}" in md and "T_{2} &=" not in md and "T_{1} + T_{2}" not in md


# ---------------------------------------------------------------- partial derivatives of l(x, theta)

def test_the_score_is_a_partial_derivative_on_every_sheet(sheets):
    for name, md in sheets.items():
        assert not re.search(r"\\frac\{d\}\{d [^}]*\} \\ell\\left\(", md), name
    assert r"\frac{\partial}{\partial p} \ell\left(x, p\right) &= \frac{x}{p} - \frac{1 - x}{1 - p}" in sheets[
        "01_bernoulli_fisher"]
    assert r"\frac{d}{d p} \mathcal{I}\left(p\right)" in sheets["01_bernoulli_fisher"]  # one variable: d


# ---------------------------------------------------------------- propriety: the limit that decides, shown

def test_the_order_test_names_its_substitution_and_shows_the_comparison_factor(sheets):
    md = sheets["06_jeffreys_prior"]
    assert ("Near $p = 0$, put $p = t$ with $t \\to 0^{+}$: the integrand is of order $t^{-1/2}$ with "
            "$1/2 \\lt  1$ ($t^{3/4}$ times it tends to 0), so the kernel is integrable there.") in md
    assert r"\lim_{t \to 0^{+}}\left(t^{\frac{3}{4}} \frac{1}{\sqrt{t} \sqrt{1 - t}}\right) &= 0" in md
    assert ("Near $\\lambda = 0$, put $\\lambda = t$ with $t \\to 0^{+}$: the integrand is at least a constant "
            "times $1/t$ ($t$ times it has a positive limit)") in md
    assert r"\lim_{t \to 0^{+}}\left(t \cdot \frac{1}{t}\right) &= 1" in md
    assert "Eq(" not in md and "-&gt;" not in md
    # the limits are the ones that decide: t^(3/4)/sqrt(t(1 - t)) -> 0 (integrable), t * 1/t -> 1 (1/lambda diverges)
    t = sp.Symbol("t", positive=True)
    assert sp.limit(t ** sp.Rational(3, 4) / sp.sqrt(t * (1 - t)), t, 0, "+") == 0
    assert sp.integrate(1 / sp.sqrt(t * (1 - t)), (t, 0, 1)) == sp.pi


# ---------------------------------------------------------------- the page's own names

def test_the_transformation_law_and_the_kl_series_use_the_sheets_symbols(sheets):
    md = sheets["03_reparameterization"]
    assert "**Step 3.** The Jacobian of the map $\\eta \\to p$:" in md and "*Reason: $J = d p/d \\eta$" in md
    assert ("the score in $\\eta$ is $J$ times the score in $p$, so "
            "$\\mathcal{I}(\\eta) = J^{2} \\mathcal{I}(p(\\eta))$") in md
    assert "\\phi" not in md.split("### Explanation")[0]
    kl = sheets["05_kl_curvature"]
    assert (r"- \sum_{k=1}^{3} \frac{\delta_{p}^{k} E\left[\frac{\partial^{k}}{\partial p^{k}} "
            r"\ell\left(X, p\right)\right]}{k!}") in kl
    assert r"\partial \theta^{k}" not in kl


def test_the_cramer_rao_estimator_is_not_the_sufficient_statistic(sheets):
    md = sheets["01_bernoulli_fisher"]
    assert ("For any unbiased estimator $\\hat{\\theta}$ of the parameters, $\\operatorname{Cov}(\\hat{\\theta})$ "
            "is at least the inverse Fisher information.") in md
    assert "estimator T" not in md and "Cov(T)" not in md


def test_a_decimal_result_is_shown_as_its_step_rounded_it():
    from symfisher.derivation import Derivation, Step
    from symfisher.render.markdown import render_derivation
    from symfisher.textbook import textbook_derivation

    gap = 0.0405185350039596
    d = Derivation("t", "t", result=sp.Float(gap, 15),
                   steps=(Step("Their distance", "", sp.Symbol("Delta"), (sp.Float(gap, 6),)),))
    shown = textbook_derivation(d)
    assert shown.result == sp.Float(gap, 6) and abs(float(shown.result) - gap) < 1e-6
    assert "0.0405185350039596" not in render_derivation(d)


def test_route_one_puts_in_the_jacobian_as_its_step_simplified_it(sheets):
    for name in ("01_bernoulli_fisher", "03_reparameterization", "05_kl_curvature", "06_jeffreys_prior"):
        md = sheets[name]
        # the Jacobian step arrives at 1/(p(1 - p)); route 1 uses that form, not 1/(1 - p) + 1/p again
        assert ("J &= \\frac{1}{1 - p} + \\frac{1}{p} \\\\\n &= \\frac{1}{p \\left(1 - p\\right)}") in md, name
        assert ("\\mathcal{I}\\left(p\\right) &= \\left(\\frac{1}{p \\left(1 - p\\right)}\\right)^{2} "
                "\\operatorname{Var}\\left(T\\left(X\\right)\\right) \\\\\n"
                " &= \\left(\\frac{1}{p \\left(1 - p\\right)}\\right)^{2} p \\left(1 - p\\right) \\\\\n"
                " &= \\frac{1}{p \\left(1 - p\\right)}") in md, name
        assert "\\left(\\frac{1}{1 - p} + \\frac{1}{p}\\right)^{2}" not in md, name
        # the exponential-family score, written as the score the direct derivative gives
        assert ("s\\left(p\\right) &= x \\left(\\frac{1}{1 - p} + \\frac{1}{p}\\right) - \\frac{1}{1 - p} \\\\\n"
                " &= \\frac{x}{p \\left(1 - p\\right)} - \\frac{1}{1 - p} \\\\\n"
                " &= \\frac{x - p}{p \\left(1 - p\\right)}") in md, name
        # route 2 goes to the value without a backwards intermediate
        assert "p \\left(p - 1\\right)} \\\\" not in md, name
    p, x = sp.symbols("p x", positive=True)
    # the Bernoulli score (literature: (x - p)/(p(1 - p))) is the derivative of the log-density
    assert sp.simplify(sp.diff(x * sp.log(p) + (1 - x) * sp.log(1 - p), p) - (x - p) / (p * (1 - p))) == 0


def test_sigma_inverse_is_written_with_its_determinant_in_front(sheets):
    md = sheets["04_gaussian_matrix_fisher"]
    det = r"\frac{1}{\sigma_{11} \sigma_{22} - \sigma_{12}^{2}}"
    assert (r" &= " + det + r" \begin{pmatrix}\sigma_{22} & - \sigma_{12}\\- \sigma_{12} & \sigma_{11}\end{pmatrix}") in md
    assert (r" &= " + det + r" \begin{pmatrix}\sigma_{22} \left(x_{1} - \mu_{1}\right) - \sigma_{12} \left(x_{2} - \mu_{2}\right)"
            r"\\\sigma_{11} \left(x_{2} - \mu_{2}\right) - \sigma_{12} \left(x_{1} - \mu_{1}\right)\end{pmatrix}") in md
    from symfisher.textbook import common_denominator

    a, b, c = sp.symbols("sigma_11 sigma_12 sigma_22", positive=True)
    S = sp.Matrix([[a, b], [b, c]])
    shown = common_denominator(S.inv())
    assert shown is not None and (shown.as_explicit() - S.inv()).applyfunc(sp.cancel) == sp.zeros(2, 2)
    assert common_denominator(sp.Matrix([[1 / a, 0], [0, 1 / c]])) is None  # no shared denominator: unchanged


def test_one_minus_the_variable_and_one_sided_limits_as_textbooks_write_them():
    from symfisher.derivation import Derivation, Step
    from symfisher.render.latex import latex_of
    from symfisher.render.markdown import render_derivation
    from symfisher.textbook import one_minus_first

    y, e = sp.Symbol("y", real=True), sp.Symbol("eta", real=True)
    g = (y + (y - 1) * sp.exp(e)) / (1 + sp.exp(e))  # the logistic score's factor, as SymPy writes it
    new, flipped = one_minus_first(g)
    assert flipped == (y - 1,) and sp.simplify(new - (y - 1 / (1 + sp.exp(-e)))) == 0  # y - sigma(eta)
    assert latex_of(new) == r"\frac{y - \left(1 - y\right) e^{\eta}}{1 + e^{\eta}}"
    md = render_derivation(Derivation("t", "t", steps=(Step("Score", "differentiate", sp.Symbol("g"), (g,)),)))
    assert r"y - \left(1 - y\right) e^{\eta}" in md and "$-(y - 1) = 1 - y$" in md  # the sign change is said
    t = sp.Symbol("t", positive=True)
    assert latex_of(sp.Limit(1 / t, t, 0, "+")) == r"\lim_{t \to 0^{+}} \frac{1}{t}"
    assert latex_of(sp.Limit(1 / t, t, 1, "-")) == r"\lim_{t \to 1^{-}} \frac{1}{t}"
