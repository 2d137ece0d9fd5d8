"""Worked solution sheets: specs -> derivations -> files.

Most tests render a small subset of the exercise specs; the full ten are rendered once
(module fixture, two workers) and checked in every format: LaTeX compiles with pdflatex,
HTML is well-formed XML with MathML and renders in headless Chromium without raw LaTeX,
Markdown math is balanced, JSON parses. Same input -> same bytes; bad specs -> one-line
errors naming the file and key (exit 2); an interrupted run leaves only complete files.
"""
from __future__ import annotations

import builtins
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from symfisher import sheets
from symfisher.cli import main

ROOT = Path(__file__).resolve().parent.parent
SPEC_DIR = ROOT / "derivations"
SPECS = sorted(SPEC_DIR.glob("*.toml"))
SUBSET = [SPEC_DIR / "01_bernoulli_fisher.toml", SPEC_DIR / "09_fisher_expectation_sum.toml"]
FORMATS = ("tex", "html", "md", "json")
MATHML = "{http://www.w3.org/1998/Math/MathML}math"
XHTML = "{http://www.w3.org/1999/xhtml}"


def _run(capsys, *argv):
    code = main(list(map(str, argv)))
    out, err = capsys.readouterr()
    return code, out, err


def _files(d: Path) -> dict:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- the specs


def test_ten_exercise_specs_parse():
    assert len(SPECS) == 10, [p.name for p in SPECS]
    for p in SPECS:
        spec = sheets.load_spec(p)
        assert spec.title and spec.question and spec.explanation and spec.takeaway, p.name
        assert all(part.derive for part in spec.parts)


def test_default_spec_dir_is_found_from_elsewhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert sheets.default_spec_dir() == SPEC_DIR
    (tmp_path / "derivations").mkdir()
    assert sheets.default_spec_dir() == tmp_path / "derivations"


BAD = {
    "missing_key": ('title = "T"\n[model]\nname = "bernoulli"\n[[derive]]\nquantity = "fisher"\n', "'question'", "missing"),
    "unknown_model": ('title = "T"\nquestion = "Q"\n[model]\nname = "bernouli"\n[[derive]]\nquantity = "fisher"\n',
                      "'model.name'", "unknown model"),
    "unknown_quantity": ('title = "T"\nquestion = "Q"\n[model]\nname = "bernoulli"\n[[derive]]\nquantity = "fishr"\n',
                         "'derive[0].quantity'", "unknown quantity"),
    "bad_toml": ('title = "T\nquestion = \n', "'(toml)'", "not valid TOML"),
    "unknown_key": ('title = "T"\nquestion = "Q"\nexplanaton = "E"\n[model]\nname = "bernoulli"\n'
                    '[[derive]]\nquantity = "fisher"\n', "'explanaton'", "did you mean 'explanation'"),
    "bad_argument": ('title = "T"\nquestion = "Q"\n[model]\nname = "normal_mean"\n[[derive]]\nquantity = "additivity"\n'
                     'n = -3\n', "'derive[0].n'", "positive integer"),
    "bad_check_point": ('title = "T"\nquestion = "Q"\n[model]\nname = "bernoulli"\n[[derive]]\nquantity = "fisher"\n'
                        '[[check]]\nname = "c"\nof = "fisher"\nat = {q = 0.3}\ntarget = 1\n', "'check[0].at.q'",
                        "not a parameter"),
    "typo_in_of": ('title = "T"\nquestion = "Q"\n[model]\nname = "bernoulli"\n[[derive]]\nquantity = "fisher"\n'
                   '[[check]]\nname = "c"\nof = "fisherr"\nat = {p = 0.3}\ntarget = 1\n', "'check[0].of'",
                   "did you mean 'fisher'"),
    "bad_density": ('title = "T"\nquestion = "Q"\n[model]\ndensity = "t*exp(-t*x"\nvar = "x in (0, oo)"\n'
                    'params = ["t > 0"]\n[[derive]]\nquantity = "fisher"\n', "'model.density'", ""),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_spec_is_one_line_naming_file_and_key(case, tmp_path, capsys):
    text, key, words = BAD[case]
    spec = tmp_path / f"{case}.toml"
    spec.write_text(text, encoding="utf-8")
    out_dir = tmp_path / "out"
    code, out, err = _run(capsys, "sheet", spec, "--out", out_dir, "--jobs", "1")
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert str(spec) in lines[0] and key in lines[0] and words in lines[0], lines[0]
    assert not out_dir.exists() or not any(out_dir.rglob("*"))


def test_missing_spec_file(tmp_path, capsys):
    code, _, err = _run(capsys, "sheet", tmp_path / "nope.toml", "--out", tmp_path / "o")
    assert code == 2 and "nope.toml" in err and len(err.strip().splitlines()) == 1


def test_user_density_spec(tmp_path):
    spec = tmp_path / "rayleigh.toml"
    spec.write_text(
        'title = "Rayleigh scale"\nquestion = "Find $I(s)$ for the Rayleigh density."\n'
        'takeaway = "$I(s) = 4/s^2$."\n'
        '[model]\ndensity = "x/s**2*exp(-x**2/(2*s**2))"\nvar = "x in (0, oo)"\nparams = ["s > 0"]\n'
        '[[derive]]\nquantity = "fisher"\n'
        '[[check]]\nname = "I(1.5) = 4/1.5^2"\nof = "fisher"\nat = {s = 1.5}\ntarget = "4/1.5**2"\n'
        '[[check]]\nname = "I(1.5) by quadrature"\nof = "fisher"\nat = {s = 1.5}\nwitness = "fisher_quadrature"\n'
        'tol = 1e-6\n',
        encoding="utf-8")
    sec = sheets.build_section(sheets.load_spec(spec))
    assert [c.passed for c in sec.all_checks] == [True, True]


# ---------------------------------------------------------------- a subset, all formats


@pytest.fixture(scope="module")
def subset_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("subset")
    written = sheets.write_sheets(SUBSET, out, FORMATS, jobs=1, progress=lambda m: None)
    assert written
    return out


def test_one_file_per_spec_and_format_plus_index(subset_out):
    names = {p.name for p in subset_out.iterdir() if p.is_file()}
    want = {f"{s.stem}{kind}.{f}" for s in SUBSET for f in FORMATS for kind in ("", "-exercise")} | \
        {f"index{kind}.{f}" for f in FORMATS for kind in ("", "-exercise")}
    assert names == want
    assert set(sheets.output_names([s.stem for s in SUBSET], FORMATS)) == want
    assert not [p for p in subset_out.rglob("*") if p.name.endswith(".tmp")]


def test_two_runs_identical_bytes_serial_and_parallel(subset_out, tmp_path, capsys):
    code, _, err = _run(capsys, "sheet", *SUBSET, "--out", tmp_path, "--jobs", "2", "--format", ",".join(FORMATS))
    assert code == 0, err
    progress = [l for l in err.splitlines() if l.startswith("[")]
    assert len(progress) == len(SUBSET)
    assert _files(tmp_path) == _files(subset_out)


def test_sheet_reads_as_a_worked_solution(subset_out):
    md = (subset_out / "01_bernoulli_fisher.md").read_text(encoding="utf-8")
    for part in ("**Question.**", "**Step 1.**", "*Reason:", "**Result.**", "### Explanation",
                 "### Numeric checks", "**PASS**", "**Takeaway.**"):
        assert part in md, part
    assert "**FAIL**" not in md
    data = json.loads((subset_out / "index.json").read_text(encoding="utf-8"))
    assert [s["title"] for s in data["sections"]] == [sheets.load_spec(p).title for p in SUBSET]


def test_sheets_render_without_matplotlib(monkeypatch, tmp_path):
    real_import = builtins.__import__

    def no_mpl(name, *args, **kwargs):
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError("No module named 'matplotlib' (test)")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_mpl)
    from symfisher import plots

    assert not plots.available()
    sheets.write_sheets(SUBSET[:1], tmp_path, ("html", "tex", "md"), jobs=1, progress=lambda m: None)
    assert not (tmp_path / "figures").exists()
    html = (tmp_path / "01_bernoulli_fisher.html").read_text(encoding="utf-8")
    ET.fromstring(html)
    assert "<svg" not in html
    assert "includegraphics" not in (tmp_path / "01_bernoulli_fisher.tex").read_text(encoding="utf-8")


@pytest.mark.skipif(not __import__("symfisher.plots").plots.available(), reason="matplotlib not installed")
def test_figures_are_written_and_inlined(subset_out):
    figs = sorted((subset_out / "figures").iterdir())
    assert {p.suffix for p in figs} == {".pdf", ".png"}
    html = (subset_out / "01_bernoulli_fisher.html").read_text(encoding="utf-8")
    assert "<svg" in html
    tex = (subset_out / "01_bernoulli_fisher.tex").read_text(encoding="utf-8")
    assert "figures/01_bernoulli_fisher-0-fisher_curve.pdf" in tex


def test_interrupted_run_leaves_only_complete_files(tmp_path, monkeypatch):
    out = tmp_path / "out"
    sheets.write_sheets(SUBSET[:1], out, ("md", "json"), jobs=1, progress=lambda m: None, figures=False)
    before = _files(out)
    # 1. a failure while rendering: nothing is written, the old files stay as they were
    from symfisher import render

    def boom(*a, **k):
        raise RuntimeError("interrupted while rendering")

    monkeypatch.setattr(render, "render_document", boom)
    with pytest.raises(RuntimeError):
        sheets.write_sheets(SUBSET, out, ("md", "json"), jobs=1, progress=lambda m: None, figures=False)
    assert _files(out) == before
    monkeypatch.undo()
    # 2. an interruption between file replacements: every file is old or new, never partial
    real_replace = os.replace
    calls = []

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    with pytest.raises(KeyboardInterrupt):
        sheets.write_sheets(SUBSET, out, ("md", "json"), jobs=1, progress=lambda m: None, figures=False)
    monkeypatch.undo()
    for p in out.rglob("*"):
        assert not p.name.endswith(".tmp"), p
        if p.suffix == ".json":
            json.loads(p.read_text(encoding="utf-8"))
        if p.suffix == ".md":
            assert p.read_text(encoding="utf-8").rstrip().endswith(".")  # the takeaway closes every sheet


# ---------------------------------------------------------------- the full ten, once


@pytest.fixture(scope="module")
def full_out(rendered_sheets):
    # `symfisher sheet --out DIR --jobs 2` of every spec, run once per session (tests/conftest.py)
    return rendered_sheets


def test_full_run_writes_every_exercise(full_out):
    for spec in SPECS:
        for fmt in FORMATS:
            assert (full_out / f"{spec.stem}.{fmt}").is_file()
            assert (full_out / f"{spec.stem}-exercise.{fmt}").is_file()
        assert (full_out / f"{spec.stem}.ipynb").is_file()
    for fmt in FORMATS:
        assert (full_out / f"index.{fmt}").is_file()
        assert (full_out / f"index-exercise.{fmt}").is_file()


def test_exercise_sheets_hold_the_questions_only(full_out):
    for spec in SPECS:
        s = sheets.load_spec(spec)
        ex = (full_out / f"{spec.stem}-exercise.md").read_text(encoding="utf-8")
        sol = (full_out / f"{spec.stem}.md").read_text(encoding="utf-8")
        assert "**Question.**" in ex and "Step 1." not in ex and "Takeaway" not in ex and "Numeric checks" not in ex
        assert "Explanation" not in ex and "Step 1." in sol and len(ex) < len(sol) / 2
        assert s.title.split()[0] in ex


def test_every_check_of_the_ten_passes(full_out):
    data = json.loads((full_out / "index.json").read_text(encoding="utf-8"))
    assert len(data["sections"]) == 10
    failed = []
    for sec in data["sections"]:
        checks = sec.get("checks", []) + [c for d in sec["derivations"] for c in d.get("checks", [])]
        assert checks, sec["title"]
        failed += [(sec["title"], c["name"]) for c in checks if not c["passed"]]
        failed += [(sec["title"], f["step"]) for d in sec["derivations"] for f in d["failures"]]
    assert not failed


def test_no_step_shows_a_bare_truth_value(full_out):
    """An equation written as a step must stay an equation: Eq(A, B) of two matrices (or of a
    form and itself) evaluates to False/True unless built with evaluate=False."""
    data = json.loads((full_out / "index.json").read_text(encoding="utf-8"))
    bare = [(sec["title"], st["statement"]) for sec in data["sections"] for d in sec["derivations"]
            for st in d["steps"] for f in st.get("forms", []) if f in ("True", "False")]
    assert not bare


def _unescaped_dollars(s: str) -> int:
    return len(re.findall(r"(?<!\\)\$", s))


def test_markdown_math_balanced_and_json_parses(full_out):
    for p in sorted(full_out.glob("*.md")):
        md = p.read_text(encoding="utf-8")
        assert md.count("$$") % 2 == 0, p.name
        for line in md.splitlines():
            if line.strip() != "$$":
                assert _unescaped_dollars(line.replace("$$", "")) % 2 == 0, (p.name, line)
    for p in sorted(full_out.glob("*.json")):
        json.loads(p.read_text(encoding="utf-8"))


def _text_nodes(root):
    for el in root.iter():
        if el.tag == XHTML + "style" or el.tag.startswith("{http://www.w3.org/2000/svg}"):
            continue
        for t in (el.text, el.tail):
            if t:
                yield t


def test_html_well_formed_with_mathml(full_out):
    for p in sorted(full_out.glob("*.html")):
        root = ET.fromstring(p.read_text(encoding="utf-8"))
        assert root.findall(".//" + MATHML), p.name
        raw = [t for t in _text_nodes(root) if "\\frac" in t or "$" in t or "\\left" in t]
        assert not raw, (p.name, raw[:3])


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_every_tex_compiles(full_out, tmp_path):
    work = tmp_path / "tex"
    shutil.copytree(full_out, work)
    for tex in sorted(work.glob("*.tex")):
        runs = 2 if tex.stem == "index" else 1
        for _ in range(runs):
            proc = subprocess.run(
                ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", tex.name],
                cwd=work, capture_output=True, text=True, timeout=120)
            assert proc.returncode == 0, (tex.name, proc.stdout[-3000:])
        log = (work / f"{tex.stem}.log").read_text(errors="replace")
        assert "Undefined control sequence" not in log and "Missing character" not in log, tex.name
        overfull = [l for l in log.splitlines() if l.startswith("Overfull \\hbox")]
        assert not overfull, (tex.name, overfull[:3])
        assert (work / f"{tex.stem}.pdf").stat().st_size > 1000


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium not installed")
def test_html_renders_in_headless_chromium(full_out, tmp_path):
    page = full_out / "index.html"
    proc = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    assert "<math" in dom
    assert "\\frac" not in dom and "\\begin{" not in dom
    assert "parsererror" not in dom and "following errors" not in dom
    for spec in SPECS:
        assert sheets.load_spec(spec).title.replace("&", "&amp;") in dom


_MEASURE = (
    "<script>(function(){var d=document.documentElement;var wide=[];"
    "document.querySelectorAll('body *').forEach(function(e){var r=e.getBoundingClientRect();"
    "if(r.right>d.clientWidth+1&&!e.closest('div.wide,div.result,math'))wide.push(e.tagName+'.'+e.className);});"
    "document.body.setAttribute('data-layout',d.scrollWidth+' '+d.clientWidth+' '+wide.slice(0,5).join(','));})();"
    "</script>"
)


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium not installed")
def test_no_html_page_overflows_horizontally(full_out, tmp_path):
    """Every page, rendered in headless Chromium at a laptop-narrow 800 px: the document is no
    wider than the window (scrollWidth <= clientWidth); wide equations scroll in their own box."""
    pages = sorted(full_out.glob("*.html"))
    assert len(pages) == 2 * (len(SPECS) + 1)
    for page in pages:
        probe = tmp_path / page.name
        probe.write_text(page.read_text(encoding="utf-8").replace("</body>", _MEASURE + "</body>"), encoding="utf-8")
        proc = subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--window-size=800,900",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", probe.as_uri()],
            capture_output=True, text=True, timeout=120)
        m = re.search(r'data-layout="(\d+) (\d+) ([^"]*)"', proc.stdout)
        assert m, (page.name, proc.stderr[-1000:])
        scroll, client, wide = int(m.group(1)), int(m.group(2)), m.group(3)
        assert client > 500 and scroll <= client, (page.name, scroll, client, wide)
        assert not wide, (page.name, wide)


# ---------------------------------------------------------------- figures for every model size

_GAMMA = ('title = "Gamma"\nquestion = "Q"\n[model]\nname = "gamma"\n[[derive]]\nquantity = "fisher"\n'
          '[[derive]]\nquantity = "jeffreys"\n')


@pytest.mark.skipif(not __import__("symfisher.plots", fromlist=["available"]).available(), reason="no matplotlib")
def test_two_parameter_figures_are_maps_and_what_cannot_be_drawn_is_said(tmp_path, capsys):
    spec = tmp_path / "gamma.toml"
    spec.write_text(_GAMMA + '[[figure]]\nkind = "fisher_curve"\nranges = {a = [0.5, 5], b = [0.2, 3]}\n'
                    '[[figure]]\nkind = "jeffreys_density"\n[[figure]]\nkind = "kl_quadratic"\n', encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = _run(capsys, "sheet", spec, "--out", out, "--jobs", "1", "--format", "html,md")
    assert code == 0, err
    figs = sorted(p.name for p in (out / "figures").iterdir())
    assert figs == ["gamma-0-fisher_curve.pdf", "gamma-0-fisher_curve.png",
                    "gamma-1-jeffreys_density.pdf", "gamma-1-jeffreys_density.png"]
    warnings = [l for l in err.splitlines() if "warning" in l]
    assert len(warnings) == 1 and "figure[2] (kl_quadratic) not drawn" in warnings[0], err
    html = (out / "gamma.html").read_text(encoding="utf-8")
    assert html.count("<svg") == 2
    # the map of √det I is the map of the closed form: its colour scale spans the values on the grid
    from matplotlib.image import imread

    img = imread(out / "figures" / "gamma-0-fisher_curve.png")
    assert img.shape[0] > 200 and img[..., :3].std() > 0.05  # drawn, not blank
    code, _, err = _run(capsys, "sheet", spec, "--out", out, "--jobs", "1", "--format", "md", "--no-figures")
    assert code == 0 and "warning" not in err  # asked for no figures: nothing to warn about


def test_figures_that_cannot_be_drawn_are_warnings_not_silence(tmp_path, capsys):
    spec = tmp_path / "three.toml"
    spec.write_text('title = "T"\nquestion = "Q"\n[model]\nname = "logistic_regression"\nsizes = {d = 3}\n'
                    '[[derive]]\nquantity = "fisher"\n[[figure]]\nkind = "fisher_curve"\n'
                    '[[figure]]\nkind = "jeffreys_density"\n', encoding="utf-8")
    code, _, err = _run(capsys, "sheet", spec, "--out", tmp_path / "o", "--jobs", "1", "--format", "md")
    assert code == 0, err
    assert "figure[0] (fisher_curve) not drawn: the Fisher information figure is drawn for one- and " \
           "two-parameter models; this one has 3" in err, err
    assert "figure[1] (jeffreys_density) not drawn: the Jeffreys prior was not derived" in err, err


@pytest.mark.skipif(not __import__("symfisher.plots", fromlist=["available"]).available(), reason="no matplotlib")
def test_two_parameter_maps_of_an_improper_prior_and_a_drawing_error_is_a_warning(tmp_path, capsys, monkeypatch):
    # N(μ, σ): √det I = √2/σ², the Jeffreys prior is improper (its kernel is drawn), both maps are drawn
    spec = tmp_path / "normal.toml"
    spec.write_text('title = "Normal"\nquestion = "Q"\n[model]\nname = "normal"\n[[derive]]\nquantity = "fisher"\n'
                    '[[derive]]\nquantity = "jeffreys"\n[[figure]]\nkind = "fisher_curve"\n'
                    'ranges = {mu = [-2, 2], sigma = [0.5, 3]}\n[[figure]]\nkind = "jeffreys_density"\n'
                    'ranges = {mu = [-2, 2], sigma = [0.5, 3]}\n', encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = _run(capsys, "sheet", spec, "--out", out, "--jobs", "1", "--format", "html")
    assert code == 0 and "warning" not in err, err
    assert (out / "normal.html").read_text(encoding="utf-8").count("<svg") == 2
    from symfisher import plots

    def broken(*a, **k):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(plots, "_heat_map", broken)
    code, _, err = _run(capsys, "sheet", spec, "--out", tmp_path / "out2", "--jobs", "1", "--format", "html")
    warnings = [l for l in err.splitlines() if "warning" in l]
    assert code == 0 and len(warnings) == 2, err
    assert "figure[0] (fisher_curve) not drawn: drawing it failed (ZeroDivisionError: division by zero)" in warnings[0]
    assert (tmp_path / "out2" / "normal.html").read_text(encoding="utf-8").count("<svg") == 0


def _docs_example() -> str:
    doc = (ROOT / "docs" / "specs.md").read_text(encoding="utf-8")
    return doc.split("## Worked example", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]


def _sheet_outside(cwd: Path, *argv):
    """``symfisher sheet`` as a user runs it: its own process, in a directory outside the repository."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "symfisher", "sheet", *map(str, argv)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def test_the_worked_example_of_docs_specs_runs_outside_the_repository(tmp_path):
    """docs/specs.md's exercise written from scratch is a working spec in a user's own directory."""
    assert ROOT not in tmp_path.parents
    example = _docs_example()
    mine = tmp_path / "my_specs"
    mine.mkdir()
    (mine / "poisson_rate.toml").write_text(example, encoding="utf-8")
    r = _sheet_outside(tmp_path, "my_specs", "--out", "my_sheets", "--jobs", "1")
    assert r.returncode == 0, r.stderr
    assert "warning" not in r.stderr, r.stderr
    out = tmp_path / "my_sheets"
    names = {p.name for p in out.iterdir()}
    assert {"poisson_rate.tex", "poisson_rate.ipynb", "poisson_rate-exercise.html", "index.md"} <= names
    assert any((out / "figures").glob("poisson_rate-0-fisher_curve.*"))
    data = json.loads((out / "poisson_rate.json").read_text(encoding="utf-8"))
    checks = [c for sec in data["sections"] for c in sec.get("checks", [])]
    assert len(checks) == example.count("[[check]]") == 5 and all(c["passed"] for c in checks), checks
    # the same spec with one wrong literature value: the sheet is written, shows the failure, exit 1
    wrong = mine / "poisson_wrong.toml"
    wrong.write_text(example.replace('target = "1/2"', 'target = "1/3"'), encoding="utf-8")
    r = _sheet_outside(tmp_path, wrong, "--out", "wrong_sheets", "--jobs", "1", "--format", "md", "--no-figures")
    assert r.returncode == 1 and "I(2) against the literature value 1/2" in r.stderr, r.stderr
    assert "FAIL" in (tmp_path / "wrong_sheets" / "poisson_wrong.md").read_text(encoding="utf-8")


def test_docs_specs_lists_every_quantity_witness_and_figure():
    from symfisher import plots

    doc = (ROOT / "docs" / "specs.md").read_text(encoding="utf-8")
    for name in list(sheets.QUANTITIES) + list(sheets.WITNESSES) + list(plots.PLOTS):
        assert f"`{name}`" in doc, name
    for name, q in sheets.QUANTITIES.items():  # every field, as the path a check writes
        for f in q.fields:
            assert f"`{name}.{f}`" in doc or f"`.{f}`" in doc, f"{name}.{f}"
        for a in q.args:
            assert f"`{a}`" in doc, f"{name}: argument {a}"
    from symfisher.sheets import schema

    for key in schema._TOP_KEYS | schema._MODEL_KEYS | schema._CHECK_KEYS | schema._PART_KEYS:
        assert f"`{key}`" in doc or f"[{key}]" in doc, key
