"""Renderers: LaTeX compiles, HTML is well-formed XML with MathML (and renders in a
headless browser), Markdown math is balanced, JSON round-trips, all deterministic.

The derivations are built by hand here (the renderers do no math): Bernoulli score and
Fisher information, a Beta 2x2 trigamma Fisher matrix, a failed step, numeric checks
and prose with LaTeX specials and unicode.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
import sympy as sp

from symfisher.derivation import Check, Derivation, Step
from symfisher.render import FORMATS, RenderSettings, Section, render_document
from symfisher.render import html as html_r
from symfisher.render import jsonout, latex, markdown, text
from symfisher.render.prose import split_prose

MATHML = "{http://www.w3.org/1998/Math/MathML}math"
XHTML = "{http://www.w3.org/1999/xhtml}"
NASTY = (
    "Unicode & specials: I(θ) ≈ 1/(p(1−p)) — smallest at p = ½; 5% & x_1 uses $x_1^2$, "
    "{braces} ~tilde ^caret \\backslash #hash, θ², Xᵢ, café, naïve, “quotes”, ∞ ≤ ∇ ∂ ∈ ℝ."
)


def bernoulli() -> Derivation:
    p = sp.Symbol("p", positive=True)
    x = sp.Symbol("x")
    logf = x * sp.log(p) + (1 - x) * sp.log(1 - p)
    score = x / p - (1 - x) / (1 - p)
    I = sp.Function("I")(p)
    d = Derivation("fisher", "Bernoulli score and Fisher information", result=1 / (p * (1 - p)))
    d = d.add(
        Step("The log-density of one observation", "definition of $\\log f(x; p)$",
             sp.log(sp.Function("f")(x, p)), (logf,)),
        Step("The score: differentiate in $p$", "$\\frac{d}{dp}\\log p = 1/p$",
             sp.Symbol("s"), (sp.Derivative(logf, p), score)),
        Step("Fisher information as the expected squared score over $x \\in \\{0, 1\\}$",
             "E[X] = p, and X² = X for a 0/1 variable",
             I,
             (sp.Add(sp.Mul(p, sp.Pow(1 / p, 2, evaluate=False), evaluate=False),
                     sp.Mul(1 - p, sp.Pow(-1 / (1 - p), 2, evaluate=False), evaluate=False), evaluate=False),
              1 / p + 1 / (1 - p), 1 / (p * (1 - p)))),
        Step("Where the information is smallest", "", None, (sp.Eq(sp.Derivative(I, p), 0), sp.Eq(p, sp.S.Half))),
        Step("Is it bounded?", "", sp.Symbol("B"), ("unbounded near p = 0 & p = 1",)),
    )
    d = d.check(
        Check("I(p) at p = 0.3", 4.761904761904762, 1 / 0.21, 1e-8),
        Check("E[score] = 0 (Monte Carlo)", 1.2e-3, 0.0, 1e-2, detail="seed 0, n = 10⁵", stderr=3.1e-3),
        Check("deliberately failing_check", 1.0, 2.0, 1e-8),
    )
    return d.note(NASTY)


def beta_matrix() -> Derivation:
    a, b = sp.symbols("alpha beta", positive=True)
    M = sp.Matrix(
        [[sp.polygamma(1, a) - sp.polygamma(1, a + b), -sp.polygamma(1, a + b)],
         [-sp.polygamma(1, a + b), sp.polygamma(1, b) - sp.polygamma(1, a + b)]]
    )
    d = Derivation("fisher", "Beta(α, β) Fisher matrix", result=M)
    d = d.add(Step("Minus the expected Hessian of $\\log f$", "the Hessian is free of x",
                   sp.Symbol("I"), (M, M.inv()[0, 0] * sp.Matrix([[1]]))))
    return d


def failing() -> Derivation:
    x, m, s = sp.symbols("x mu sigma_1", real=True)
    long = sum(sp.Symbol(f"c_{k}") * x**k * sp.exp(-k * m / s) for k in range(12))
    d = Derivation("kl", "KL divergence & friends: 100% of $\\int$", result=None)
    d = d.add(Step("A long expansion that must break across lines", "Taylor", sp.Symbol("T"), (long,)))
    return d.fail("KL divergence", "integral did not finish within 10 s (Piecewise with 50% & {conditions}) $\\int_0^\\infty$")


def sheet() -> list[Section]:
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" onload="alert(1)">'
           '<script>alert(1)</script><rect x="1" y="1" width="100" height="30" fill="#3a6ea5"/>'
           '<image href="http://example.com/x.png"/></svg>')
    return [
        Section(
            "Exercise 1: Bernoulli Fisher",
            question="X ~ Bernoulli(p). Derive the score and I(p) = $1/(p(1-p))$; where is it largest? " + NASTY,
            derivations=[bernoulli()],
            explanation="The information blows up at the boundaries p → 0 and p → 1.\n\nSecond paragraph & more.",
            takeaway="Bernoulli is most informative near the boundaries; smallest at $p = 1/2$.",
            checks=[Check("sheet-level check", 0.25, 0.25, 1e-8)],
            figures={"curve": {"svg": svg, "caption": "I(p) on (0, 1)"},
                     "plot": {"pdf_path": "figs/missing_plot.pdf", "caption": "not rendered yet"}},
        ),
        Section("Exercise 2: Beta matrix", question="Find the $2 \\times 2$ Fisher matrix.", derivations=[beta_matrix()]),
        Section("Exercise 3: a step that fails", derivations=[failing()], takeaway="Failures are shown, not hidden."),
    ]


@pytest.fixture(scope="module")
def docs() -> dict:
    secs = sheet()
    return {fmt: render(secs, title="Symfisher test sheet — θ & co.") for fmt, render in FORMATS.items()}


# ---------------------------------------------------------------- LaTeX


def test_latex_printer_conventions():
    a, x = sp.symbols("alpha x", positive=True)
    assert latex.latex_of(sp.polygamma(1, a)) == r"\psi'\left(\alpha\right)"
    assert latex.latex_of(sp.polygamma(0, x) ** 2) == r"\left(\psi\left(x\right)\right)^{2}"
    assert latex.latex_of(sp.Matrix([[1, 2], [3, 4]])).startswith(r"\begin{pmatrix}")
    assert latex.latex_of(sp.Symbol("p_1")) == "p_{1}"
    assert latex.latex_of(sp.Symbol("mu")) == r"\mu"
    assert latex.latex_of(sp.pi * sp.Symbol("a&b%")) == r"\pi \text{a\&b\%}"
    named = RenderSettings(symbol_names={"p": r"\varpi"})
    assert latex.latex_of(sp.Symbol("p") ** 2, named) == r"\varpi^{2}"


def test_long_sums_are_split_across_align_lines():
    rows = latex.equation_rows(failing().steps[0], RenderSettings(line_width=80))
    assert len(rows) > 2
    assert all(len(r.rhs) < 120 for r in rows)
    assert all(r.rhs.startswith(r"\quad {}+ ") or r.rhs.startswith(r"\quad {}- ") for r in rows[1:])


def _pdflatex(tmp_path, name: str, source: str):
    tex = tmp_path / f"{name}.tex"
    tex.write_text(source, encoding="utf-8")
    for _ in range(2):  # twice, so the table of contents is filled in
        proc = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", tex.name],
            cwd=tmp_path, capture_output=True, text=True, timeout=60,
        )
        assert proc.returncode == 0, proc.stdout[-3000:]
    pdf = tmp_path / f"{name}.pdf"
    assert pdf.exists() and pdf.stat().st_size > 1000
    log = (tmp_path / f"{name}.log").read_text(errors="replace")
    assert "Undefined control sequence" not in log
    assert "Missing character" not in log


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_latex_document_compiles(docs, tmp_path):
    src = docs["tex"]
    assert src.isascii()
    assert r"\tableofcontents" in src and r"\begin{align*}" in src and r"\toprule" in src
    assert "Step could not be completed" in src
    assert r"\IfFileExists{figs/missing_plot.pdf}" in src  # a missing figure file does not break the build
    _pdflatex(tmp_path, "sheet", src)


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_latex_fragment_compiles_in_a_document(tmp_path):
    frag = latex.render_derivation_fragment(bernoulli())
    assert frag.startswith("$$") and frag.endswith("$$")
    doc = ("\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\begin{document}\n"
           + frag + "\n\\end{document}\n")
    _pdflatex(tmp_path, "fragment", doc)


def test_prose_is_escaped_and_unsafe_math_is_text():
    tex = latex.render_document([Section("S", question=r"see $\input{/etc/passwd}$ and $x^2$ for \$5")])
    assert r"\input{" not in tex and r"\textbackslash{}input" in tex
    assert "$x^2$" in tex and r"\$5" in tex
    assert split_prose(r"a $\def\x{1}$") == [("text", "a "), ("text", r"$\def\x{1}$")]


# ---------------------------------------------------------------- HTML


def _text_nodes(root):
    for el in root.iter():
        if el.tag in (XHTML + "style",):
            continue
        for t in (el.text, el.tail):
            if t:
                yield t


def test_html_is_well_formed_xml_with_mathml(docs):
    page = docs["html"]
    assert page.startswith("<!DOCTYPE html>")
    root = ET.fromstring(page)
    assert root.tag == XHTML + "html"
    maths = root.findall(".//" + MATHML)
    assert len(maths) > 20
    texts = list(_text_nodes(root))
    assert not any("\\frac" in t or "$" in t or "\\text" in t for t in texts), [
        t for t in texts if "\\" in t or "$" in t
    ]
    assert "<script" not in page and "http://example.com" not in page and "onload" not in page
    cells = root.findall(f".//{XHTML}td[@class='fail']")
    assert [c.text for c in cells] == ["FAIL"]
    assert root.findall(f".//{XHTML}nav")  # contents: more than one section
    assert root.findall(".//{http://www.w3.org/2000/svg}rect")


def test_html_fragment_for_jupyter():
    frag = bernoulli()._repr_html_()
    root = ET.fromstring(frag)
    assert root.findall(".//" + MATHML)


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium not installed")
def test_html_renders_in_headless_chromium(docs, tmp_path):
    results = {}
    for ext in ("html", "xhtml"):  # parsed as HTML5, and as XML by the browser
        page = tmp_path / f"sheet.{ext}"
        page.write_text(docs["html"], encoding="utf-8")
        profile = tmp_path / f"profile-{ext}"
        proc = subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=60,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        results[ext] = proc.stdout
    for dom in results.values():
        assert "<math" in dom
        assert "\\frac" not in dom
        assert "Error" not in dom
        assert "parsererror" not in dom and "following errors" not in dom
        assert "Bernoulli score and Fisher information" in dom


# ---------------------------------------------------------------- Markdown, JSON, text


def _unescaped_dollars(s: str) -> int:
    return len(re.findall(r"(?<!\\)\$", s))


def test_markdown_math_is_balanced(docs):
    md = docs["md"]
    assert md.count("\n$$\n") >= 4
    assert _unescaped_dollars(md) % 2 == 0
    for line in md.splitlines():
        if line.strip() != "$$":
            assert _unescaped_dollars(line.replace("$$", "")) % 2 == 0, line
    assert "| Check | Value | Target |" in md and "**FAIL**" in md
    assert "[Exercise 2: Beta matrix](#sec-2)" in md
    assert r"x\_1" in md and "$x_1^2$" in md


def test_json_round_trips_and_is_deterministic(docs):
    data = json.loads(docs["json"])
    assert docs["json"] == FORMATS["json"](sheet(), title="Symfisher test sheet — θ & co.")
    sec = data["sections"][0]
    d = sec["derivations"][0]
    assert d["result"] == "1/(p*(1 - p))"
    assert d["steps"][2]["forms"][-1] == "1/(p*(1 - p))"
    assert d["steps"][2]["forms_latex"][-1] == r"\frac{1}{p \left(1 - p\right)}"
    assert [c["passed"] for c in d["checks"]] == [True, True, False]
    assert set(d["checks"][0]) == {"name", "value", "target", "error", "tol", "passed", "detail", "stderr"}
    assert data["sections"][2]["derivations"][0]["failures"][0]["step"] == "KL divergence"
    assert sp.sympify(d["steps"][1]["forms"][-1]).free_symbols  # str() forms parse back


def test_text_and_derivation_hooks():
    d = bernoulli()
    s = str(d)
    assert s.startswith("Bernoulli score and Fisher information") and "FAIL" in s
    assert d._repr_latex_().startswith("$$")
    assert "Step could not be completed: KL divergence" in text.render_derivation(failing())
    plain = text.render_derivation(d, RenderSettings(text_pretty=False))
    assert "I(p) = p*(1/p)**2 + (-1/(1 - p))**2*(1 - p)" in plain
    assert "  Eq(p, 1/2)" in plain and "= Eq(" not in plain  # relations are not chained with "="
    assert " = 0 = " not in s


def _isolated_child() -> None:  # pragma: no cover - runs in the child between fork and exec
    """A child that inherits nothing of the test process's state: every signal unblocked, the data-memory
    limit back at its hard value, a session of its own."""
    import resource
    import signal

    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    resource.setrlimit(resource.RLIMIT_DATA, (hard, hard))


def test_every_format_is_deterministic_across_processes(docs, tmp_path):
    """Same input, same bytes, whatever the hash seed."""
    import tempfile

    here = os.path.dirname(os.path.abspath(__file__))
    code = (
        "import faulthandler, sys; faulthandler.dump_traceback_later(240, exit=True); "
        "import hashlib; sys.path.insert(0, %r); import test_render as t; "
        "from symfisher.render import FORMATS; "
        "print(*(hashlib.sha256(FORMATS[f](t.sheet(), title='Symfisher test sheet — θ & co.').encode()).hexdigest() "
        "for f in sorted(FORMATS)))" % here
    )
    expected = " ".join(hashlib.sha256(docs[f].encode()).hexdigest() for f in sorted(FORMATS))
    # the child's output goes to files, not pipes (a descendant holding a pipe open cannot keep the test waiting),
    # with no stdin, only the environment it needs and a stack dump of its own if it ever stalls
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "PYTHONPATH", "VIRTUAL_ENV", "TMPDIR")
    for seed in ("1", "2"):
        env = {k: os.environ[k] for k in keep if k in os.environ}
        env.update(PYTHONHASHSEED=seed, SYMFISHER_NO_CACHE="1")
        with tempfile.TemporaryFile(dir=tmp_path) as so, tempfile.TemporaryFile(dir=tmp_path) as se:
            rc = subprocess.run([sys.executable, "-c", code], env=env, stdin=subprocess.DEVNULL, stdout=so, stderr=se,
                                start_new_session=True, preexec_fn=_isolated_child, timeout=300).returncode
            so.seek(0), se.seek(0)
            stdout, stderr = so.read().decode(), se.read().decode(errors="replace")
        assert rc == 0, stderr[-4000:]
        assert stdout.split() == expected.split()
    assert render_document(sheet(), "md", title="T") == markdown.render_document(sheet(), title="T")
    assert jsonout.render_document(sheet()) == jsonout.render_document(sheet())
    assert html_r.render_document(sheet()) == html_r.render_document(sheet())
