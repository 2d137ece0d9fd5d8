"""A lecturer's editing pass, asserted as general rules on the rendered sheets (every spec, Markdown and
LaTeX as this tree writes them) and on the display helpers: no fraction inside a fraction, every sign
change between two lines said in the step's reason, results named by their left-hand side, the
assumptions stated first, KL(p1 || p2) in nats, a prior with "proportional to", a rounding with
"approximately", the logistic function where the exponential form repeats itself. Where a displayed
form carries a value it is proven equal to the literature's form with SymPy, and checked at numbers."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import sympy as sp

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted(p.stem for p in (ROOT / "derivations").glob("*.toml"))


@pytest.fixture(scope="module")
def sheets(rendered_sheets):
    # the session's one full sheet run (tests/conftest.py), read here as Markdown and LaTeX
    out = rendered_sheets
    return {s: ((out / f"{s}.md").read_text(encoding="utf-8"), (out / f"{s}.tex").read_text(encoding="utf-8"))
            for s in SPECS}


def _displays(md: str) -> list[str]:
    """The display-math blocks of a Markdown sheet (the derivations, not the spec's prose)."""
    return re.findall(r"\$\$\n(.*?)\n\$\$", md, flags=re.S)


def _steps(md: str):
    """(statement, rows, reason) of every numbered step of a Markdown sheet."""
    out = []
    for chunk in md.split("**Step ")[1:]:
        statement = chunk.split("\n", 1)[0]
        block = re.search(r"\$\$\n(.*?)\n\$\$", chunk, flags=re.S)
        rows = [r.strip() for r in block.group(1).splitlines()
                if r.strip() not in (r"\begin{aligned}", r"\end{aligned}")] if block else []
        reason = re.search(r"\*Reason: (.*?)\*\n", chunk)
        out.append((statement, rows, reason.group(1) if reason else ""))
    return out


def test_the_sheets_cover_every_spec(sheets):
    assert len(SPECS) == 10 and all(md and tex for md, tex in sheets.values())


# ---------------------------------------------------------------- forms a lecturer strikes out


def test_no_fraction_inside_a_fraction_in_any_derivation(sheets):
    from symfisher.textbook_rewrites import _nested_fraction

    assert _nested_fraction(r"\frac{\frac{x^{2}}{s^{2}} - 2}{s}")  # the rule can fail
    assert not _nested_fraction(r"\frac{\partial}{\partial p} \ell + \frac{1}{p}")
    bad = [(name, block[:120]) for name, (md, _) in sheets.items() for block in _displays(md)
           for line in block.splitlines() if _nested_fraction(line)]
    assert not bad


def test_no_code_powers_or_reciprocals_of_negative_powers(sheets):
    for name, (md, tex) in sheets.items():
        for text in (md, tex):
            assert "**-" not in text.replace("**Step", "").replace("**Result", ""), name
            assert not re.search(r"\\frac\{1\}\{[A-Za-z\\_{}0-9]+\^\{-[^{}]*\}\}", text), name  # 1/(x^{-1})
            assert "- -" not in text and "+ -" not in text, name


def test_every_sign_change_between_lines_is_said(sheets):
    """A line written as minus a bracket, followed by a line that no longer opens with that minus
    sign, is a sign change: the step's reason says which rule did it."""
    checked = 0
    for name, (md, _) in sheets.items():
        for statement, rows, reason in _steps(md):
            rhs = [r.split("&=", 1)[1].strip() if "&=" in r else None for r in rows]
            for a, b in zip(rhs, rhs[1:]):
                if a and b and re.match(r"-\s*\\left\(", a) and not b.startswith("-"):
                    checked += 1
                    assert ("minus sign" in reason or "$-(" in reason), (name, statement, a[:60], reason)
    assert checked >= 4  # route 2 of the exponential families: Bernoulli, normal mean, exponential


def test_route_two_distributes_the_minus_sign_and_combines_the_shared_denominator(sheets):
    from symfisher.families import get_model
    from symfisher.derive.fisher import fisher_information
    from symfisher.textbook import random_variables, textbook_derivation

    md = sheets["01_bernoulli_fisher"][0]
    assert (r" &= \frac{1}{\left(1 - p\right)^{2}} + \frac{1}{p} - \frac{p}{\left(1 - p\right)^{2}} \\" "\n"
            r" &= \frac{1}{1 - p} + \frac{1}{p} \\" "\n"
            r" &= \frac{1}{p \left(1 - p\right)}") in md
    m = get_model("bernoulli")
    d = textbook_derivation(fisher_information(m), random=random_variables(m))
    (p,) = m.params
    route2 = [st for st in d.steps if st.statement.startswith("Route 2")][0]
    # every value line of the chain is the literature's 1/(p(1 - p)), proven and at a number
    for f in route2.forms[2:]:
        assert sp.cancel(f - 1 / (p * (1 - p))) == 0
        assert abs(float(f.subs(p, sp.Rational(3, 10))) - 1 / 0.21) < 1e-12


def test_a_later_line_uses_the_simplified_jacobian(sheets):
    md = sheets["01_bernoulli_fisher"][0]
    assert r"\left(\frac{1}{1 - p} + \frac{1}{p}\right)^{2}" not in md
    assert r"\left(\frac{1}{p \left(1 - p\right)}\right)^{2} p \left(1 - p\right)" in md


def test_no_step_opens_with_and_and_peer_relations_are_not_indented(sheets):
    from symfisher.derivation import Step
    from symfisher.render.latex import equation_rows

    for name, (md, _) in sheets.items():
        for statement, _, _ in _steps(md):
            body = statement.split("** ", 1)[-1]
            assert not body.startswith("and "), (name, statement)
    t = sp.Symbol("t")
    peers = equation_rows(Step("limits", forms=(sp.Eq(t, 1, evaluate=False), sp.Eq(t**2, 4, evaluate=False))))
    assert not any(r"\quad" in r.rhs or r"\quad" in r.lhs for r in peers)
    headed = equation_rows(Step("split", lhs=sp.Symbol("l"), forms=(t + 1, sp.Eq(t, 1, evaluate=False))))
    assert headed[1].rhs.startswith(r"\quad")  # a sub-definition under a main line stays indented


# ---------------------------------------------------------------- what a result is, what it rests on


def test_results_are_named_by_their_left_hand_side(sheets):
    unnamed = []
    for name, (md, _) in sheets.items():
        for block in re.findall(r"\*\*Result\.\*\*\n\n\$\$\n\\begin\{aligned\}\n(.*?)\n", md):
            if block.startswith(" &") and re.search(r"[a-z]\\|\\[a-z]+\{", block.replace(r"\begin{pmatrix}", "")
                                                    .replace(r"\end{pmatrix}", "")):
                unnamed.append((name, block[:80]))
    assert not unnamed
    md = sheets["01_bernoulli_fisher"][0]
    assert "**Result.**\n\n$$\n\\begin{aligned}\n\\mathcal{I}\\left(p\\right) &= \\frac{1}{p \\left(1 - p\\right)}" in md
    # the result in the form its step arrived at: Sigma^{-1} with its determinant in front
    md = sheets["04_gaussian_matrix_fisher"][0]
    assert ("**Result.**\n\n$$\n\\begin{aligned}\n\\mathcal{I}\\left(\\boldsymbol{\\mu}\\right) &= "
            "\\frac{1}{\\sigma_{11} \\sigma_{22} - \\sigma_{12}^{2}} \\begin{pmatrix}\\sigma_{22} & - \\sigma_{12}") in md


def test_the_assumptions_are_stated_before_the_solution(sheets):
    md = sheets["01_bernoulli_fisher"][0]
    assert md.index("The model and its assumptions") < md.index("Score of the Bernoulli model")
    assert r"x \in \left\{0, 1\right\}" in md and r"p \in \left(0, 1\right)" in md
    assert "the support does not depend on the parameters (checked)" in md and "natural logarithm" in md
    md = sheets["02_additivity"][0]
    assert r"$\sigma$ is known" in md and r"x \in \mathbb{R}" in md
    md = sheets["04_gaussian_matrix_fisher"][0]  # the covariance must be positive definite
    assert r"\sigma_{11} \sigma_{22} - \sigma_{12}^{2} > 0" in md
    md = sheets["06_jeffreys_prior"][0]
    assert r"\lambda \in \left(0, \infty\right)" in md and r"x \in \left(0, \infty\right)" in md


def test_the_divergence_reads_kl_of_p1_from_p2_in_nats(sheets):
    md = sheets["05_kl_curvature"][0]
    assert r"\mathrm{KL}\left(p_{1} \,\|\, p_{2}\right) &= E\left[" in md
    assert r"\mathrm{KL}\left(p \,\|\, p + \delta_{p}\right) &=" in md
    assert md.count("measured in nats") == 2  # the divergence and its expansion
    assert r"\mathrm{KL}\left(p_{1}, p_{2}\right)" not in md


def test_a_prior_is_proportional_and_a_scalar_information_has_no_determinant(sheets):
    md = sheets["06_jeffreys_prior"][0]
    assert r"\pi\left(p\right) &\propto \sqrt{\mathcal{I}\left(p\right)} \\" in md
    # the chain arrives at 1/lambda itself: no "drop the constant factors" line repeats it (there is none)
    assert re.search(r"\\pi\\left\(\\lambda\\right\) &\\propto \\sqrt\{\\mathcal\{I\}\\left\(\\lambda\\right\)\} \\\\\n"
                     r"[^$]*&= \\frac\{1\}\{\\lambda\}\n\\end\{aligned\}", md)
    assert "Drop the constant factors" not in md
    assert r"\det\left(\mathcal{I}\left(p\right)\right)" not in md
    # the normalized prior is an equation: the Beta(1/2, 1/2) density
    assert r"\pi\left(p\right) &= \frac{1}{\pi \sqrt{p \left(1 - p\right)}}" in md


def test_a_rounded_value_reads_approximately(sheets):
    md = sheets["04_gaussian_matrix_fisher"][0]
    k1 = re.search(r"\\lambda_\{1\} &\\approx ([0-9.]+)", md)
    k2 = re.search(r"\\lambda_\{2\} &\\approx ([0-9.]+)", md)
    assert k1 and k2 and r"\lambda_{1} = 1." not in md
    # the exact eigenvalues of Sigma^{-1} at Sigma = [[2, 1/2], [1/2, 1]]: (6 +- 2 sqrt 2)/7
    assert abs(float(k1.group(1)) - float((6 + 2 * sp.sqrt(2)) / 7)) < 1e-4
    assert abs(float(k2.group(1)) - float((6 - 2 * sp.sqrt(2)) / 7)) < 1e-5
    from symfisher.derive.notation import Approx
    from symfisher.textbook import _approximate

    k = sp.Symbol("k")
    assert isinstance(_approximate(sp.Eq(k, sp.Float(0.5), evaluate=False), {k: sp.Rational(1, 2)}), sp.Equality)
    assert isinstance(_approximate(sp.Eq(k, sp.Float(1.4142), evaluate=False), {k: sp.sqrt(2)}), Approx)


# ---------------------------------------------------------------- the logistic function


def test_logistic_regression_reads_with_sigma(sheets):
    md = sheets["07_empirical_fisher_vs_hessian"][0]
    s = r"\sigma\left(\boldsymbol{w}^{\mathsf{T}} \boldsymbol{x}\right)"  # the linear index as the inner product of two (bold) vectors
    assert rf"&= \left(y - {s}\right) \begin{{pmatrix}}x_{{1}}\\x_{{2}}\end{{pmatrix}}" in md
    assert (rf"&= - {s} \left(1 - {s}\right) \begin{{pmatrix}}x_{{1}}^{{2}} & x_{{1}} x_{{2}}\\"
            rf"x_{{1}} x_{{2}} & x_{{2}}^{{2}}\end{{pmatrix}}") in md
    assert r"\sigma(u) = 1/(1 + e^{-u})" in md  # the symbol is defined where it first appears
    assert r"\sigma(w \cdot x)" not in md and r"\sigma(\boldsymbol{w}^{\mathsf{T}} \boldsymbol{x})" in md
    # no sigma where a symbol is already printed sigma (the normal mean's standard deviation)
    assert r"\sigma\left(" not in sheets["02_additivity"][0]


def test_exp_rational_forms_are_the_literature_values():
    from symfisher.derive.notation import Logistic
    from symfisher.textbook import exp_rational

    u, x, y = sp.symbols("u x y", real=True)
    sig = 1 / (1 + sp.exp(-u))
    cases = [  # (engine form, literature form)
        (x * (y - (1 - y) * sp.exp(u)) / (1 + sp.exp(u)), (y - sig) * x),   # logistic score
        (-x**2 * sp.exp(u) / (1 + sp.exp(u))**2, -sig * (1 - sig) * x**2),   # Hessian entry
        (sp.exp(u) / (1 + sp.exp(u)) - sp.exp(2 * u) / (1 + sp.exp(u))**2, sig * (1 - sig)),  # Var(T)
    ]
    for engine, literature in cases:
        shown = exp_rational(engine)
        assert shown is not None and shown.has(Logistic)
        value = shown.replace(lambda e: isinstance(e, Logistic), lambda e: e.doit())
        assert sp.simplify(value - literature) == 0
        at = {u: sp.Rational(3, 10), x: sp.Rational(-7, 5), y: 1}
        assert abs(complex(value.subs(at)) - complex(literature.subs(at))) < 1e-12
    # the logit's natural-parameter Jacobian the engine writes as five terms is 1
    J = ((sp.exp(u) / (sp.exp(u) + 1) - sp.exp(2 * u) / (sp.exp(u) + 1)**2) * (sp.exp(u) + 1) * sp.exp(-u)
         + sp.exp(u) / (sp.exp(u) + 1))
    assert exp_rational(J) == 1
    assert exp_rational(sp.exp(u) + x) is None  # nothing shorter: left alone


# ---------------------------------------------------------------- a density a user types


def test_a_typed_rayleigh_reads_over_one_denominator_and_without_a_log_of_a_power():
    import symfisher as sf
    from symfisher.render.latex import latex_of
    from symfisher.textbook import result_form, textbook_derivation
    from symfisher.textbook_rewrites import _nested_fraction

    m = sf.from_density("x/s**2*exp(-x**2/(2*s**2))", var="x in (0, oo)", params=["s > 0"])
    (s,) = m.params
    (x,) = m.data
    score = result_form(textbook_derivation(sf.score(m)))
    assert isinstance(score, sp.Equality) and not _nested_fraction(latex_of(score))
    assert sp.cancel(score.rhs - (x**2 / s**3 - 2 / s)) == 0  # literature: d/ds log f
    kl = result_form(textbook_derivation(sf.kl_divergence(m)))
    tex = latex_of(kl)
    assert isinstance(kl, sp.Equality) and r"\log{\left(\left(" not in tex
    s1, s2 = sorted(kl.rhs.free_symbols, key=lambda t: t.name)
    literature = 2 * sp.log(s2 / s1) + s1**2 / s2**2 - 1  # KL of two Rayleigh laws
    assert sp.simplify(sp.expand_log(kl.rhs - literature, force=True)) == 0
    assert abs(float((kl.rhs - literature).subs({s1: 1.3, s2: 0.7}))) < 1e-12
