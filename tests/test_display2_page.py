"""The last editing pass on the sheets, checked on the rendered text of one shared page.

The page is exercise 4's (``derivations/04_gaussian_matrix_fisher.toml``: the multivariate normal
mean with known covariance, the Fisher matrix times the given covariance, its eigenvectors), built
once for the module and rendered in every format; the other checks need no derivation at all
(a hand-built page, the prose converter, a patched MathML converter).

* vectors bold (``\\boldsymbol``, MathML ``mathvariant="bold-italic"``), their components and the
  matrices not;
* the given matrix named as the matrix it provably is (``I Sigma``, not the placeholder ``M``), and
  left as the placeholder where it is not the page's matrix at the page's point;
* the information at a point in a check name as math (``I(0.3)`` -> ``\\mathcal{I}(0.3)``);
* the failure summary of ``symfisher derive`` in the page's letters (``I(zeta)``, not ``I(eta)``);
* a time limit that runs out inside a renderer's fallback is not swallowed, so no fallback is cached
  for the process (the cause of the cross-process byte-determinism flake).
"""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
import sympy as sp

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def page():
    from symfisher.render import FORMATS
    from symfisher.sheets import parse_spec
    from symfisher.sheets.adapter import build_section

    path = ROOT / "derivations" / "04_gaussian_matrix_fisher.toml"
    section = build_section(parse_spec(path.read_text(), str(path)), figures=False)
    return section, {fmt: FORMATS[fmt]([section], title="t") for fmt in ("md", "tex", "html", "txt")}


def test_vectors_are_bold_and_their_components_are_not(page):
    _, out = page
    md, tex = out["md"], out["tex"]
    for doc in (md, tex):
        # the log-density and the score in matrix form, the functions of the vector mean
        assert (r"\left(\boldsymbol{x} - \boldsymbol{\mu}\right)^{\mathsf{T}} \Sigma^{-1} "
                r"\left(\boldsymbol{x} - \boldsymbol{\mu}\right)") in doc
        assert r"s\left(\boldsymbol{\mu}\right) &= \Sigma^{-1} \left(\boldsymbol{x} - \boldsymbol{\mu}\right)" in doc
        assert r"\mathcal{I}\left(\boldsymbol{\mu}\right)" in doc and r"\mathcal{I}\left(\mu_{1}, \mu_{2}\right)" not in doc
        assert r"\ell\left(\boldsymbol{x}, \boldsymbol{\mu}\right)" in doc
        # the engine's prose follows the formulas: r = x - mu, E[X] = mu, the eigenvectors v
        assert r"$\boldsymbol{r} = \boldsymbol{x} - \boldsymbol{\mu}$" in doc
        assert r"$E[\boldsymbol{X}] = \boldsymbol{\mu}$" in doc
        assert r"\boldsymbol{v}_{1} &= \begin{pmatrix}" in doc and r"|\boldsymbol{v}| = 1" in doc
        # components, matrices and the covariance entries stay as they were
        assert r"x_{1} - \mu_{1}" in doc and r"\boldsymbol{\mu}_{1}" not in doc and r"\boldsymbol{\Sigma}" not in doc
        assert r"\boldsymbol{\sigma" not in doc and r"\boldsymbol{\mathcal" not in doc
        # the question, written by the spec, agrees with the page
        assert r"$\boldsymbol{X} \sim N(\boldsymbol{\mu}, \Sigma)$" in doc
    html = out["html"]
    # bold in the MathML, as the letter itself (Chromium's MathML Core ignores mathvariant on <mi>)
    assert '<mi mathvariant="bold-italic">\U0001D741</mi>' in html and '<mi mathvariant="bold-italic">\U0001D499</mi>' in html
    assert '<mi mathvariant="bold-italic">x</mi>' not in html
    assert "\\boldsymbol" not in re.sub(r"<code[^>]*>.*?</code>", "", html, flags=re.S)  # every formula converted


def test_the_given_matrix_is_named_sigma_not_m(page):
    _, out = page
    md, tex, txt = out["md"], out["tex"], out["txt"]
    for doc in (md, tex):
        assert r"\Sigma &= \begin{pmatrix}2 & \frac{1}{2}\\\frac{1}{2} & 1\end{pmatrix}" in doc
        assert r"\mathcal{I} \Sigma &= \begin{pmatrix}1 & 0\\0 & 1\end{pmatrix}" in doc
        times = doc.split("The Fisher matrix times the given matrix")[1].split("eigen-directions")[0]
        assert "M &=" not in times and r"\mathcal{I} M" not in times and "M =" not in times
    assert "ℐ Σ" in txt or "ℐ⋅Σ" in txt
    # the terminal reads the quadratic form as the LaTeX does: (x - μ)ᵀ Σ⁻¹ (x - μ), not (-μᵀ + xᵀ) Σ^-1 (-μ + x)
    assert "(x - μ)ᵀ⋅Σ⁻¹⋅(x - μ)" in txt and "-μ + x" not in txt


def test_a_given_matrix_that_is_not_the_page_matrix_keeps_its_placeholder(page):
    from symfisher.textbook_letters import given_matrices

    section, _ = page
    fisher = next(d for d in section.derivations if d.quantity == "fisher")
    # the engine's derivation, before the display pass: the placeholder, and the matrix it multiplies
    from symfisher.derive.information import fisher_times

    raw_fisher = sp.Matrix(fisher.result)
    assert raw_fisher.free_symbols  # the symbolic Fisher matrix in sigma_11, sigma_12, sigma_22
    sig = sorted(raw_fisher.free_symbols, key=str)
    at = dict(zip(sig, (2, sp.Rational(1, 2), 1)))
    shown = [d for d in section.derivations if d.quantity in ("score", "fisher")]
    h = sp.Rational(1, 2)
    good = fisher_times(None, raw_fisher, [[2, h], [h, 1]], at)
    assert given_matrices(shown + [good]) == {"M": ("Sigma", "matrix")}
    # Sigma at another point than the one the information was evaluated at: not the page's Sigma there
    other = fisher_times(None, raw_fisher, [[3, h], [h, 1]], at)
    assert given_matrices(shown + [other]) == {}
    # a matrix that no assignment of sigma_ij makes (an entry that should repeat does not)
    skew = fisher_times(None, raw_fisher, [[2, h], [h / 2, 1]], at)
    assert given_matrices(shown + [skew]) == {}


def test_information_at_a_point_in_a_check_name_is_math():
    from symfisher.render.notation import textbook_prose

    assert textbook_prose("I(0.3), derived closed form") == r"$\mathcal{I}(0.3)$, derived closed form"
    assert textbook_prose("quadratic term (1/2) I(0.4) delta^2 against the exact KL(0.4 || 0.41)") == (
        r"quadratic term $(1/2) \mathcal{I}(0.4) \delta^{2}$ against the exact $\mathrm{KL}(0.4 \,\|\, 0.41)$")
    # in a Markdown table the divergence bar \| is \Vert (a bare | would end the cell, \\vert would break the line)
    from symfisher.render.markdown import md_prose

    cell = md_prose(textbook_prose("closed-form KL(0.4 || 0.41) against the sum"), in_table=True)
    assert cell == r"closed-form $\mathrm{KL}(0.4 \,\Vert \, 0.41)$ against the sum"
    # the sheet specs write their check names and captions in that ASCII: on the page no information
    # I(...), square root, half or divergence bar is left outside the math
    for spec in sorted((ROOT / "derivations").glob("*.toml")):
        for name in re.findall(r'^(?:name|caption) = "(.*)"$', spec.read_text(), re.M):
            words = re.sub(r"\$[^$]*\$", "", textbook_prose(name))
            assert not re.search(r"(?<![A-Za-z])I\(|ℐ|𝓘|√|½|‖", words), (spec.name, name)


def test_failure_summary_uses_the_page_letters(monkeypatch, capsys):
    """``symfisher derive`` of a model with a linear index: the summary of the failed steps writes the
    index as the sections above it do (zeta beside the natural parameter eta), never I(eta)."""
    from symfisher import cli
    from symfisher.derive import report as report_mod
    from conftest import derived

    monkeypatch.setattr(report_mod, "derive_all", lambda model, only=None: derived("logistic_regression"))
    assert cli.main(["derive", "logistic_regression"]) == 0
    out = capsys.readouterr().out
    summary = out.split("Steps that could not be completed:")[1]
    assert "ℐ(ζ)" in summary and "ℐ(η)" not in summary and "I(eta)" not in summary
    assert "a = d ζ/d θ" in summary  # the vector a the rank-one information is built from, defined
    assert "  - the Cramér–Rao bound: " in summary and "cramer rao" not in out  # the step by its name, not its key
    sections = out.split("Steps that could not be completed:")[0]
    assert "ℐ(ζ)" in sections and "ℐ(η)" not in sections


def test_a_time_limit_inside_a_renderer_fallback_is_not_swallowed(monkeypatch):
    """An alarm that lands inside latex2mathml (or the pretty printer) is the command's time limit, not a
    property of the formula: it passes, and nothing is cached for the formula, so a later page renders the
    same bytes (the flake of tests/test_render.py::test_every_format_is_deterministic_across_processes)."""
    import latex2mathml.converter as l2m

    from symfisher.limits import StepTimeout
    from symfisher.render import html, text

    tex = r"\frac{1}{q_{display2}}"
    real = l2m.convert

    def alarm(*a, **k):
        raise StepTimeout("render", "the time limit ran out")

    monkeypatch.setattr(l2m, "convert", alarm)
    with pytest.raises(StepTimeout):
        html._convert(tex, False)
    with pytest.raises(StepTimeout):
        html.mathml(tex, sp.Symbol("q"))
    monkeypatch.setattr(l2m, "convert", real)
    good = html._convert(tex, False)
    assert good is not None and "<mfrac>" in good  # the real conversion, not a cached fallback

    class Alarmed(sp.Symbol):
        def _pretty(self, printer):
            raise StepTimeout("render", "the time limit ran out")

    with pytest.raises(StepTimeout):
        text._pretty_form(Alarmed("q"), text.DEFAULT_SETTINGS)


def test_a_list_of_equations_aligns_when_a_right_side_is_a_symbol():
    """``f(0, p) = 1 - p`` and ``f(1, p) = p`` align at their equals signs (SymPy's Symbol is a Boolean
    too, which sent ``f(1, p) = p`` to a line of its own)."""
    from symfisher.derivation import Step
    from symfisher.render.latex import equation_rows

    p, f = sp.Symbol("p"), sp.Function("f")
    rows = equation_rows(Step("The probabilities of the outcomes.", "", None,
                              (sp.Eq(f(0, p), 1 - p, evaluate=False), sp.Eq(f(1, p), p, evaluate=False))))
    assert [tuple(r[:3]) for r in rows] == [(r"f\left(0, p\right)", "=", "1 - p"), (r"f\left(1, p\right)", "=", "p")]
