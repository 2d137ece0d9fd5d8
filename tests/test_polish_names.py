"""The page's own letters, asserted on rendered output: a letter means one thing (the score of a model
whose parameter is ``s`` is ``U(s)``, the logistic regression's linear index is ``zeta`` beside the
natural parameter ``eta``), the index reads ``w^T x``, a step that only repeats its predecessor is
omitted, a sum of fractions stands over one denominator, a derivative of a symbol or a product has
its operand in parentheses, and the terminal writes e^{-u} in a denominator as LaTeX does. Every
displayed value is proven equal to the literature's form with SymPy."""
from __future__ import annotations

import re

import pytest
import sympy as sp

RAYLEIGH = "x/s**2*exp(-x**2/(2*s**2))"


def _page(model, only):
    from symfisher.derive.report import derive_all
    from symfisher.textbook import page_letters, random_variables, textbook_derivation

    report = derive_all(model, only=only)
    ds = [report.derivations[q] for q in only if report.derivations.get(q) is not None]
    letters = page_letters(ds)
    random = random_variables(report.model)
    return report, letters, [textbook_derivation(d, random=random, letters=letters) for d in ds]


def _lhs_names(d):
    from sympy.core.function import AppliedUndef

    return {type(f).__name__ for st in d.steps if isinstance(st.lhs, sp.Basic) for f in st.lhs.atoms(AppliedUndef)}


@pytest.fixture(scope="module")
def rayleigh():
    from symfisher import from_density

    return _page(from_density(RAYLEIGH, "x in (0, oo)", ["s > 0"]), ("score", "fisher", "jeffreys"))


def test_a_parameter_named_s_leaves_the_score_letter_to_it(rayleigh):
    from symfisher.render.latex import render_derivation as tex
    from symfisher.render.text import render_derivation as text

    report, letters, (score, fisher, jeffreys) = rayleigh
    assert letters == {"s": ("U", "function")}
    page = "\n".join(tex(d) for d in (score, fisher, jeffreys))
    assert r"U\left(s\right)" in page and r"s\left(s\right)" not in page
    terminal = text(fisher)
    assert "U(s)" in terminal and "s(s)" not in terminal
    assert "E[U]" in terminal  # the score in the reasons follows its letter ...
    assert "with respect to s" in text(score)  # ... the parameter in a sentence keeps its own
    s, x = sp.Symbol("s", positive=True), sp.Symbol("x", positive=True)
    # Rayleigh score in the scale s: d/ds log f = x^2/s^3 - 2/s; information 4/s^2 (Johnson, Kotz &
    # Balakrishnan, Continuous Univariate Distributions 1, ch. 18)
    shown = [f for st in fisher.steps if isinstance(st.lhs, sp.Basic) and st.lhs == sp.Function("U")(s)
             for f in st.forms]
    shown = [f[0, 0] if isinstance(f, sp.MatrixBase) else f for f in shown]
    assert shown and all(sp.simplify(f.doit() - (x**2 / s**3 - 2 / s)) == 0 for f in shown)
    info = fisher.result[0, 0] if isinstance(fisher.result, sp.MatrixBase) else fisher.result
    assert sp.simplify(info - 4 / s**2) == 0
    # the renaming reached no value: the engine's own result is the same expression
    assert fisher.result == report.derivations["fisher"].result
    assert abs(float(info.subs(s, 1.7)) - 4 / 1.7**2) < 1e-12


def test_a_constant_is_dropped_in_a_step_and_no_step_repeats_the_line_before(rayleigh):
    from symfisher.render.latex import render_derivation as tex

    jeffreys = rayleigh[2][2]
    s = sp.Symbol("s", positive=True)
    # sqrt(I) = 2/s: the constant 2 is dropped in its own step, to the scale prior 1/s
    drop = [st for st in jeffreys.steps if st.statement.startswith("Drop the constant factors")]
    assert len(drop) == 1 and sp.simplify(drop[0].expr.doit() - 1 / s) == 0
    from symfisher.families import get_model

    _, _, (bern,) = _page(get_model("bernoulli"), ("jeffreys",))
    # sqrt(1/(p(1 - p))) has no constant factor: no line restates the one before
    assert not [st for st in bern.steps if st.statement.startswith("Drop the constant factors")]
    assert "Drop the constant factors" not in tex(bern)
    for a, b in zip(bern.steps, bern.steps[1:]):
        assert not (b.lhs is not None and b.lhs == a.lhs and set(b.forms) <= set(a.forms))


@pytest.fixture(scope="module")
def logistic():
    from symfisher.families import get_model

    return _page(get_model("logistic_regression"), ("score", "fisher"))


def test_the_linear_index_and_the_natural_parameter_have_two_letters(logistic):
    from symfisher.render.latex import render_derivation as tex
    from symfisher.render.text import render_derivation as text

    report, letters, (score, fisher) = logistic
    assert letters["eta"] == ("zeta", "symbol")
    page = tex(score) + tex(fisher)
    assert r"\eta\left(\eta\right)" not in page and r"\eta\left(\zeta\right)" in page
    assert "η(η)" not in text(fisher) and "η(ζ)" in text(fisher)
    assert "linear index ζ" in text(score) and "linear index η" not in text(score) + text(fisher)
    # the index introduced as the inner product, and sigma(w^T x) is the literature's logistic score
    wx = r"\boldsymbol{w}^{\mathsf{T}} \boldsymbol{x}"  # two vectors: bold
    assert rf"\zeta = {wx}" in page or rf"\zeta &= {wx}" in page
    assert rf"\sigma\left({wx}\right)" in page and r"\sigma\left(w_{1} x_{1}" not in page
    assert "exp(-w^T x)" in report.model.parameterization and "+ ... +" not in report.model.parameterization
    w1, w2, x1, x2 = sp.symbols("w_1 w_2 x_1 x_2", real=True)
    y = [v for v in report.model.data if v.name == "y"][0]
    u = w1 * x1 + w2 * x2
    literature = (y - 1 / (1 + sp.exp(-u))) * sp.Matrix([x1, x2])  # (y - sigma(w^T x)) x, e.g. Bishop (4.91)
    last = score.steps[-1].expr
    assert sp.simplify((last.doit() - literature).applyfunc(sp.expand)) == sp.zeros(2, 1)
    at = {w1: 0.3, w2: -1.1, x1: 0.7, x2: 2.0, y: 1}
    assert max(abs(float(a - b)) for a, b in zip(sp.Matrix(last.doit()).subs(at), literature.subs(at))) < 1e-12


def test_a_sum_of_fractions_over_one_denominator():
    from symfisher.render.latex import latex_of
    from symfisher.textbook import simplest_number

    # the eigenvalues of Sigma^{-1} at Sigma = [[2, 1/2], [1/2, 1]]: (6 +- 2 sqrt 2)/7
    S = sp.Matrix([[2, sp.Rational(1, 2)], [sp.Rational(1, 2), 1]]).inv()
    for lam in S.eigenvals():
        shown = simplest_number(lam)
        assert re.fullmatch(r"\\frac\{6 [+-] 2 \\sqrt\{2\}\}\{7\}", latex_of(shown))
        assert sp.expand(shown - lam) == 0 and (shown.doit() - lam).equals(0)
    assert latex_of(simplest_number(1 + sp.sqrt(2) / 2)) == r"1 + \frac{\sqrt{2}}{2}"  # a term that is no fraction


def test_a_derivative_of_a_symbol_or_a_product_has_its_operand_in_parentheses():
    from symfisher.render.latex import latex_of

    p, x = sp.symbols("p x", positive=True)
    assert latex_of(sp.Derivative(p, p, evaluate=False)) == r"\frac{d}{d p} \left(p\right)"
    assert latex_of(sp.Derivative(p * x, p)).endswith(r"\left(p x\right)")
    assert latex_of(sp.Derivative(p + x, p)).endswith(r"\left(p + x\right)")
    assert latex_of(sp.Derivative(sp.Function("f")(p), p)) == r"\frac{d}{d p} f\left(p\right)"  # applied: no


def test_the_terminal_moves_a_negative_exponential_into_the_denominator_as_latex_does():
    from symfisher.render.latex import latex_of
    from symfisher.render.text import TextbookPrettyPrinter

    eta = sp.Symbol("eta", real=True)
    lam, x = sp.symbols("lam x", positive=True)
    pretty = TextbookPrettyPrinter({"use_unicode": True}).doprint
    e = (1 + sp.exp(eta)) ** 2 * sp.exp(-eta)  # 1/Var of the Bernoulli statistic in its natural parameter
    assert latex_of(e) == r"\frac{\left(1 + e^{\eta}\right)^{2}}{e^{\eta}}"
    lines = pretty(e).splitlines()
    bar = next(i for i, line in enumerate(lines) if set(line.strip()) == {"─"})
    assert "ℯ" in lines[bar - 1] and "-" not in "".join(lines) and lines[bar + 1].strip() == "η"
    # a density's lambda e^{-lambda x} stays as written, in both printers
    assert "-" in pretty(lam * sp.exp(-lam * x)) and r"e^{- \lambda x}" in latex_of(lam * sp.exp(-lam * x))


def test_the_kl_quadratic_term_reads_once_from_the_identity_to_the_value():
    from symfisher.families import get_model
    from symfisher.render.latex import render_derivation as tex

    _, _, (taylor,) = _page(get_model("bernoulli"), ("kl_taylor",))
    p = sp.Symbol("p", positive=True)
    d = sp.Symbol("delta_p", real=True)
    quad = [st for st in taylor.steps if st.statement.startswith("The quadratic term is half the Fisher")]
    assert len(quad) == 1
    forms = quad[0].forms
    assert len(forms) == 2 and forms[0] != forms[-1]  # (1/2) d I(p) d, then its value: no return to K_2
    assert forms[0].has(sp.Function("I"))
    # the Bernoulli KL's quadratic term: delta^2 / (2 p (1 - p)) (Kullback 1959, ch. 2)
    value = forms[-1]
    value = value.xreplace({x: d for x in value.free_symbols if x.name == "delta_p"})
    assert sp.simplify(value - d**2 / (2 * p * (1 - p))) == 0
    assert abs(float(value.subs({p: 0.3, d: 0.05})) - 0.05**2 / (2 * 0.3 * 0.7)) < 1e-15
    assert r"K_{2} &= \frac{1}{2} \delta_{p} \mathcal{I}\left(p\right) \delta_{p} \\" in tex(taylor)
