"""Textbook notation on the sheets (issue 15 item 1).

Every rendered sheet in ``output/`` is read as a reader sees it (Markdown emphasis and
LaTeX command names removed, HTML as its text) and must not show code names: ``lam``,
``**``, ``np.float64``, ``polygamma``, ``besseli``, ``Sigma`` or an ASCII ``s^T``. The
general pieces behind it are tested on their own: display names, the printers, the sign
normalization and the typesetting of the engine's ASCII formulas.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import sympy as sp

from symfisher.derivation import Derivation, Step
from symfisher.render.latex import latex_of
from symfisher.render.notation import display_latex, display_unicode, textbook_prose
from symfisher.render.prose import is_safe_math
from symfisher.render.text import render_derivation as text_derivation
from symfisher.textbook import conventional_sign

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "output"
SHEETS = sorted(p for ext in ("md", "html", "tex") for p in OUTPUT.glob(f"*.{ext}"))

FORBIDDEN = {
    "lam": re.compile(r"\blam"),
    "**": re.compile(r"\*\*"),
    "np.float64": re.compile(r"np\.float64|float64\("),
    "polygamma": re.compile(r"polygamma"),
    "besseli": re.compile(r"besseli"),
    "Sigma": re.compile(r"\bSigma\b"),
    "s^T": re.compile(r"\bs\s*\\?\^\s*\{?\s*T\b|textasciicircum\s*\{\s*\}\s*T\b"),
    "J^T": re.compile(r"\bJ\s*\\?\^\s*\{?\s*-?T\b|\bJ\s*textasciicircum\s*\{\s*\}\s*T\b"),
    "ASCII ^T": re.compile(r"[A-Za-z0-9_)\]]\s*\^\s*T\b|textasciicircum\s*\{\s*\}\s*T\b"),
    "sqrt(": re.compile(r"\bsqrt\("),
    "grad": re.compile(r"\bgrad\b|\bgrad_"),
    "Hess": re.compile(r"\bHess\b|\bHess_"),
    "eta": re.compile(r"\beta\b|\beta_"),
    "theta": re.compile(r"\btheta\b|\btheta_"),
}
ISSUE_WORDS = ("lam", "**", "np.float64", "polygamma", "besseli", "Sigma", "s^T")
# family names that contain a forbidden word as a word ("the beta model"): names, not symbols
_NAMES = re.compile(r"\b(?:beta|eta|theta)(?= (?:model|log-density|distributions?|law|prime|regression)\b)"
                    r"|\bbeta_prime\b|\bBeta\(")

# a dozen families, catalog and typed, whose terminal output is read as well
TERMINAL = [("bernoulli",), ("poisson",), ("exponential",), ("gamma",), ("beta",), ("normal",), ("weibull",),
            ("von_mises",), ("mvn_mean",), ("logistic_regression",), ("categorical",), ("student_t",),
            ("--density", "t*exp(-t*x)", "--var", "x in (0, oo)", "--param", "t > 0"),
            ("--density", "x/s**2*exp(-x**2/(2*s**2))", "--var", "x in (0, oo)", "--param", "s > 0")]


def reader_text(path: Path) -> str:
    """What a reader of the rendered file sees, as text."""
    src = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":  # the notebook's Markdown cells (code cells are code)
        import json

        cells = json.loads(src)["cells"]
        src = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        src = re.sub(r"\*\*([^*\n]+?)\*\*", r"\1", src)
        return _NAMES.sub(" ", re.sub(r"\\[A-Za-z]+", " ", src))
    if path.suffix == ".html":
        root = ET.fromstring(src)
        for parent in root.iter():
            for child in list(parent):
                if child.tag.rpartition("}")[2] in ("style", "script"):
                    parent.remove(child)
        return _NAMES.sub(" ", " ".join(root.itertext()))
    if path.suffix == ".md":
        src = re.sub(r"\*\*([^*\n]+?)\*\*", r"\1", src)  # **bold** is markup, not text
    # LaTeX command names (\Sigma, \lambda, \mathsf ...) are markup; their arguments stay
    return _NAMES.sub(" ", re.sub(r"\\[A-Za-z]+", " ", src))


def test_the_committed_sheets_exist():
    names = {p.name for p in SHEETS}
    assert {"01_bernoulli_fisher.md", "04_gaussian_matrix_fisher.tex", "index.html"} <= names


@pytest.mark.parametrize("path", SHEETS, ids=lambda p: p.name)
def test_no_code_names_in_reader_facing_text(path):
    # the committed sheets, regenerated with the engine, answer for every forbidden word, as the
    # sheets rendered from this tree (below) do
    text = reader_text(path)
    bad = {k: rx.findall(text)[:3] for k, rx in FORBIDDEN.items() if rx.search(text)}
    assert not bad, f"{path.name}: {bad}"


@pytest.fixture(scope="module")
def fresh_sheets(rendered_sheets):
    """The ten sheets rendered from this tree (every format), not the committed ones: the session's
    one full sheet run (tests/conftest.py)."""
    return rendered_sheets


def test_every_fresh_sheet_shows_textbook_notation(fresh_sheets):
    files = sorted(p for ext in ("md", "html", "tex", "ipynb") for p in fresh_sheets.glob(f"*.{ext}"))
    assert {p.suffix for p in files} == {".md", ".html", ".tex", ".ipynb"} and len(files) >= 40
    bad = {}
    for path in files:
        text = reader_text(path)
        found = {k: rx.findall(text)[:3] for k, rx in FORBIDDEN.items() if rx.search(text)}
        if found:
            bad[path.name] = found
    assert not bad, bad


@pytest.mark.parametrize("argv", TERMINAL, ids=lambda a: a[0] if a[0] != "--density" else a[1])
def test_terminal_derive_output_shows_textbook_notation(argv, capsys):
    from symfisher.cli import main

    assert main(["derive", *argv]) == 0
    out = capsys.readouterr().out
    body = out.split("\n", 1)[1]  # the header line repeats the catalog's own one-line description
    text = _NAMES.sub(" ", body)
    bad = {k: rx.findall(text)[:3] for k, rx in FORBIDDEN.items() if rx.search(text)}
    assert not bad, bad
    # inline math reached the terminal as unicode, not as LaTeX
    assert not re.search(r"\\[A-Za-z]+|\$", body), re.findall(r".{20}(?:\\[A-Za-z]+|\$).{20}", body)[:3]
    assert "ℐ" in body


def test_reader_text_extraction_catches_code_names(tmp_path):
    # the grep above can fail: a sheet with code names is caught in every format
    md = tmp_path / "x.md"
    md.write_text("**Step 1.** $I(lam) = 1/lam**2$ and np.float64(1.4), Sigma, s^T")
    assert all(FORBIDDEN[k].search(reader_text(md)) for k in ISSUE_WORDS if k not in ("polygamma", "besseli"))
    tex = tmp_path / "x.tex"
    tex.write_text(r"\section{x} $\Sigma^{-1} \lambda$ \textbf{ok}")
    assert not any(rx.search(reader_text(tex)) for rx in FORBIDDEN.values())
    tex.write_text(r"$\text{Sigma} + lam$ s\textasciicircum{}T")
    t = reader_text(tex)
    assert FORBIDDEN["Sigma"].search(t) and FORBIDDEN["lam"].search(t)
    assert FORBIDDEN["s^T"].search(tex.read_text())
    md.write_text("*Reason: s = J^T T(x) - grad A, Hess_eta A, eta(theta) . T(x), g\\_i^T, 1/sqrt(n)*")
    assert all(FORBIDDEN[k].search(reader_text(md)) for k in ("J^T", "grad", "Hess", "eta", "theta", "ASCII ^T", "sqrt("))
    md.write_text("Fisher information of the beta model; $\\eta(\\theta)$, $J^{\\mathsf{T}}$, $\\nabla_{\\eta} A$")
    assert not any(rx.search(reader_text(md)) for rx in FORBIDDEN.values())


@pytest.mark.parametrize("name, tex, uni", [
    ("lam", r"\lambda", "λ"), ("sigma", r"\sigma", "σ"), ("mu_1", r"\mu_{1}", "μ₁"), ("alpha", r"\alpha", "α"),
    ("kappa", r"\kappa", "κ"), ("nu", r"\nu", "ν"), ("beta", r"\beta", "β"), ("wstar_1", "w^{*}_{1}", "w*₁"),
    ("w_star", "w^{*}", "w*"), ("sigma_11", r"\sigma_{11}", "σ₁₁"), ("theta0", r"\theta_{0}", "θ₀"),
    ("Sigma", r"\Sigma", "Σ"), ("phat", r"\hat{p}", "p̂"), ("p", "p", "p"), ("lam_2", r"\lambda_{2}", "λ₂"),
    ("F_emp", r"F_{\mathrm{emp}}", "Fₑₘₚ"),
])
def test_display_names(name, tex, uni):
    assert display_latex(name) == tex
    assert display_unicode(name) == uni
    assert latex_of(sp.Symbol(name)) == tex


def test_printers_use_textbook_symbols():
    a, k, lam = sp.Symbol("a", positive=True), sp.Symbol("kappa", positive=True), sp.Symbol("lam", positive=True)
    I = sp.Function("I")
    assert latex_of(sp.polygamma(1, a)) == r"\psi'\left(a\right)"
    assert latex_of(sp.polygamma(0, a)) == r"\psi\left(a\right)"
    assert latex_of(I(lam)) == r"\mathcal{I}\left(\lambda\right)"
    assert latex_of(sp.besseli(0, k)).startswith("I_{0}")  # Bessel I stays I, Fisher is \mathcal{I}
    assert latex_of(1 / sp.Symbol("Sigma")) == r"\Sigma^{-1}"
    assert latex_of(1 / I(a, lam)) == r"\mathcal{I}\left(a, \lambda\right)^{-1}"
    assert latex_of(sp.Matrix([[1 / lam**2]])) == r"\frac{1}{\lambda^{2}}"  # 1 x 1 as a scalar
    assert latex_of(sp.Function("E")(lam**2)) == r"E\left[\lambda^{2}\right]"
    d = Derivation("f", "t", result=sp.polygamma(1, a) + sp.besseli(0, k) / lam).add(
        Step("s", "r", I(a), (sp.polygamma(1, a) * lam,)))
    text = text_derivation(d)
    assert "ψ′(a)" in text and "I₀(κ)" in text and "ℐ(a)" in text and "λ" in text
    assert "polygamma" not in text and "besseli" not in text and "lam" not in text


def test_conventional_sign_forms():
    p, d = sp.symbols("p delta", positive=True)
    assert conventional_sign(-1 / (p * (p - 1))) == (1 / (p * (1 - p)), (p - 1,))
    new, flipped = conventional_sign(-d**2 / (p * (2 * p - 2)))
    assert sp.srepr(new) == sp.srepr(d**2 / (2 * p * (1 - p))) and flipped == (p - 1,)
    assert conventional_sign(1 / (p * (1 - p))) == (1 / (p * (1 - p)), ())
    M, f = conventional_sign(sp.Matrix([[-1 / (p - 1), 0], [0, p]]))
    assert M[0, 0] == 1 / (1 - p) and f == (p - 1,)
    for e in (-1 / (p * (p - 1)), -d**2 / (p * (2 * p - 2)), -(p - 3) ** 3 / p):
        new, _ = conventional_sign(e)
        assert sp.simplify(new - e) == 0


def test_textbook_derivation_writes_the_sign_change_out():
    from symfisher.sheets import textbook_derivation

    p = sp.Symbol("p", positive=True)
    d = Derivation("f", "Fisher information of the bernoulli model", result=sp.Matrix([[-1 / (p * (p - 1))]])).add(
        Step("Sum s^2 over the support.", "definition: I = E[s s^T]", None, (-1 / (p * (p - 1)),)))
    t = textbook_derivation(d)
    assert len(t.steps) == 2
    assert t.steps[0].reason == r"definition: $\mathcal{I} = E[s s^{\mathsf{T}}]$"
    assert t.steps[1].forms == (-1 / (p * (p - 1)), 1 / (p * (1 - p)))
    assert t.steps[1].reason == "$-(p - 1) = 1 - p$"
    assert t.result[0, 0] == 1 / (p * (1 - p))


@pytest.mark.parametrize("src, want", [
    ("definition: I = E[s s^T]", r"definition: $\mathcal{I} = E[s s^{\mathsf{T}}]$"),
    ("Sigma**(-1) written out", r"$\Sigma^{-1}$ written out"),
    ("J = -H", r"$J = -H$"),
    ("a constant matrix is its own expectation", "a constant matrix is its own expectation"),
    ("Fisher information of the mvn_mean model", "Fisher information of the multivariate normal mean model"),
    ("Score of the bernoulli model", "Score of the Bernoulli model"),
    ("Score of the gamma_mean model", "Score of the gamma mean model"),
    ("Fisher information of the von_mises model", "Fisher information of the von Mises model"),
    ("Differentiate with respect to lam.", r"Differentiate with respect to $\lambda$."),
    ("This is the Beta(1/2, 1/2) law.", "This is the Beta(1/2, 1/2) law."),
    ("already $x^2$ math", "already $x^2$ math"),
])
def test_textbook_prose(src, want):
    assert textbook_prose(src) == want


def test_textbook_prose_output_is_always_safe_math():
    for src in ("E[x] = p", r"x = \input{y}", "a^^5c = b", "I(eta) = -E[d^2 log f] = d^2 A / d eta^2"):
        for kind, part in re.findall(r"(\$)([^$]*)\$", textbook_prose(src)):
            assert is_safe_math(part), (src, part)


# ---------------------------------------------------------------- the editing pass (issue 15 items 1-2)


def test_inline_math_reaches_the_terminal_as_unicode():
    from symfisher.render.prose import latex_to_unicode, unicode_prose
    from symfisher.render.text import terminal_prose

    assert latex_to_unicode(r"E[s] = J^{\mathsf{T}} E[T] - \nabla_{\theta} A") == "E[s] = Jᵀ E[T] - ∇_θ A"
    assert latex_to_unicode(r"\frac{1}{p(1-p)} = \mathcal{I}(p), \ \Sigma^{-1}, \psi''(a)") == \
        "1/(p(1-p)) = ℐ(p), Σ⁻¹, ψ″(a)"
    assert unicode_prose(r"costs \$5, $x_{1}^{2}$") == "costs $5, x₁²"
    # ASCII formulas and inline LaTeX read the same in a terminal
    assert terminal_prose("definition: I = E[s s^T]") == terminal_prose(r"definition: $\mathcal{I} = E[s s^{\mathsf{T}}]$")


def test_a_symbol_is_a_value_in_a_chain():
    # SymPy's Symbol is also a Boolean: E[T] = p must not lose its "="
    from symfisher.render.latex import equation_rows

    p = sp.Symbol("p")
    rows = equation_rows(Step("mean", lhs=sp.Function("E")(sp.Symbol("T")), forms=(p,)))
    assert rows[0].rel == "=" and rows[0].rhs == "p"


def test_exponential_family_route_two_writes_the_sign_and_the_values_out():
    from symfisher.derive.fisher import fisher_information
    from symfisher.families import get_model

    p = sp.Symbol("p", positive=True)
    d = fisher_information(get_model("bernoulli"))
    route2 = next(st for st in d.steps if st.statement.startswith("Route 2"))
    E = sp.Function("E")
    H = sp.Symbol("H")
    assert route2.forms[0] == E(-H) and route2.forms[1] == -E(H)
    # the third form is -(E[H] with E[T] put in); it is the result, not yet simplified
    third, last = route2.forms[2], route2.forms[3]
    assert third != last and sp.simplify(third - last) == 0
    assert sp.simplify(last.subs(p, sp.Rational(3, 10)) - sp.Rational(100, 21)) == 0
    route1 = next(st for st in d.steps if st.statement.startswith("Route 1"))
    assert len(route1.forms) == 3 and sp.simplify(route1.forms[1] - route1.forms[2]) == 0
    for st in d.steps:  # every reason is typeset mathematics or plain words
        text = re.sub(r"\\[A-Za-z]+", " ", st.reason + " " + st.statement)  # LaTeX commands are markup
        assert not re.search(r"\bgrad\b|\bHess\b|Hess_|J\^T|\beta\b|\btheta\b", text), st


def test_jeffreys_shows_one_radical_on_its_own_proven_line():
    from symfisher.derive.jeffreys import jeffreys_prior
    from symfisher.derive.notation import Root
    from symfisher.families import get_model
    from symfisher.textbook import textbook_derivation

    p = sp.Symbol("p", positive=True)
    d = jeffreys_prior(get_model("bernoulli"))
    assert d.result == 1 / (sp.sqrt(p) * sp.sqrt(1 - p))  # the derivation keeps SymPy's form
    line = d.steps[0]  # sqrt(det I) = sqrt(1/(p(1 - p))) = 1/sqrt(p(1 - p)): never SymPy's split radicals
    assert line.forms[1] == Root(1 / (p * (1 - p)))
    assert all(abs(float((line.forms[1].doit() - d.result).subs(p, v))) < 1e-12 for v in (0.1, 0.3, 0.9))
    assert line.forms[-1] == 1 / Root(p * (1 - p)) and line.forms[-1].doit() == d.result
    shown = [latex_of(f) for st in textbook_derivation(d).steps for f in st.forms]
    assert not any(r"\sqrt{\frac{1}{1 - p}}" in t for t in shown), shown
    assert latex_of(textbook_derivation(d).result) == r"\frac{1}{\sqrt{p \left(1 - p\right)}}"
    # an identity that does not hold is never shown: sqrt(a) sqrt(b) = sqrt(ab) needs a, b >= 0
    x = sp.Symbol("x", real=True)
    from symfisher.derive.jeffreys import _one_radical
    from symfisher.derive.regularity import model_domains

    assert _one_radical(sp.sqrt(x - 2) * sp.sqrt(x - 3), model_domains(get_model("normal"))) is None


def test_moments_from_a_mellin_transform_start_from_the_transform():
    from symfisher.derive.fisher import fisher_information
    from symfisher.families import get_model

    m = get_model("weibull")
    d = fisher_information(m)
    tables = [st for st in d.steps if "Mellin transform $E[X^{s}] = M(s)$" in st.reason]
    assert tables, [st.reason for st in d.steps]
    first = tables[0].forms[0]
    assert isinstance(first, sp.Equality) and first.lhs.args[0].is_Pow and first.lhs.args[0].exp.is_Dummy
    lam, k = m.params
    E = sp.Function("E")
    x = m.data[0]
    values = {f.lhs: f.rhs for st in tables for f in st.forms}
    assert values[E(x ** k)] == lam ** k  # exp(-k log lam) lam^(2k) written as lam^k
    # the literature value of E[X^k] for the Weibull law with scale lam: lam^k Gamma(2)
    assert sp.simplify(values[E(x ** k)] - lam ** k * sp.gamma(2)) == 0


def test_conventional_sign_of_a_sum_term_by_term():
    p, d = sp.symbols("p delta", positive=True)
    new, flipped = conventional_sign(-d**3 * (1 - 2 * p) / (3 * p**2 * (p - 1) ** 2) - d**2 / (p * (2 * p - 2)))
    assert flipped == (p - 1,) and sp.simplify(new - (-d**3 * (1 - 2 * p) / (3 * p**2 * (p - 1) ** 2)
                                                      - d**2 / (p * (2 * p - 2)))) == 0
    assert d**2 / (2 * p * (1 - p)) in new.args


def test_positive_factors_reads_a_negative_factor_as_minus_its_opposite_only_when_proven():
    from symfisher import get_model
    from symfisher.derive.regularity import model_domains
    from symfisher.textbook import positive_factors

    m = get_model("bernoulli")
    p = m.symbol("p")
    doms = model_domains(m)
    got = positive_factors(1 / (p - 1), m.params, doms)
    assert str(got) == "-1/(1 - p)" and sp.simplify(got - 1 / (p - 1)) == 0
    a, b = sp.symbols("a b", positive=True)  # a - 1 has no proven sign: left alone
    assert positive_factors(b / (a - 1), (a, b), model_domains(get_model("gamma"))) == b / (a - 1)
