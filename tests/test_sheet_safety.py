"""Sheets never run code and never half-write (issue 14 items 3, 5 and 6 for sheets).

Hostile spec prose is rendered in every format: the LaTeX is compiled with
``pdflatex -no-shell-escape`` and must neither read a file (``^^5cinput``) nor write one
(``\\immediate\\openout``); the HTML and Markdown must carry no live ``<script>``. Bad
specs and bad output places are one line on stderr, exit 2, and leave nothing behind.
"""
from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from symfisher import sheets
from symfisher.cli import main
from symfisher.render.prose import is_safe_math, latex_prose

ROOT = Path(__file__).resolve().parent.parent
BERNOULLI = ROOT / "derivations" / "01_bernoulli_fisher.toml"


def _run(capsys, *argv):
    code = main(list(map(str, argv)))
    out, err = capsys.readouterr()
    return code, out, err


def _spec(question: str, extra: str = "") -> str:
    q = question.replace("\\", "\\\\").replace('"', '\\"')
    return (f'title = "Payload"\nquestion = "{q}"\nexplanation = "{q}"\n[model]\nname = "bernoulli"\n'
            f'[[derive]]\nquantity = "fisher"\n{extra}')


def _payloads(secret: Path, written: Path) -> list[str]:
    return [
        "$^^5cinput{/etc/hostname}$",
        f"$^^5cinput{{{secret}}}$",
        f"read ^^5cinput{{{secret}}} and $x^ᵀ5cinput{{{secret}}}$",
        f"$^^5cimmediate^^5copenout5={written}^^5cimmediate^^5cwrite5{{pwned}}^^5cimmediate^^5ccloseout5$",
        f"$\\immediate\\openout5={written}\\immediate\\write5{{pwned}}$",
        f"\\immediate\\openout5={written} \\input{{{secret}}}",
        f"$\\csname input\\endcsname{{{secret}}}$ $\\catcode`\\^^=7$ $\\def\\x{{1}}$ $\\include{{{secret}}}$",
        "$\\text{</math><script>alert(2)</script>}$",
        "$\\text{<script>alert(3)</script>}$ <script>alert(4)</script> & <b>x</b>",
        "$a <script>alert(5)</script> b$ $\\mathrm{<img src=x onerror=alert(6)>}$",
    ]


@pytest.mark.parametrize("src", [
    "^^5cinput{/etc/hostname}", r"\text{</math><script>alert(2)</script>}", r"\immediate\openout5=x",
    r"\csname input\endcsname", r"\catcode`\^^=7", r"\def\x{1}", r"\write18{ls}", r"\input{x}", "a^^M",
    r"\text{<b>}", r"\mathrm{\"}", "\x00",
])
def test_unsafe_prose_math_is_refused(src):
    assert not is_safe_math(src)
    assert "\\input" not in latex_prose(f"${src}$") and "^^" not in latex_prose(f"${src}$")


def test_ordinary_prose_math_still_passes():
    for src in (r"\frac{1}{p(1-p)}", r"a < b", r"\text{for } p \in (0, 1)", r"\Sigma^{-1}", r"x^{\top}"):
        assert is_safe_math(src), src


@pytest.fixture(scope="module")
def hostile_out(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile")
    secret = d / "secret.txt"
    secret.write_text("SECRETCONTENTXYZZY\n")
    written = d / "pwned.txt"
    specs = []
    for k, q in enumerate(_payloads(secret, written)):
        p = d / f"payload{k}.toml"
        p.write_text(_spec(q), encoding="utf-8")
        specs.append(p)
    out = d / "out"
    sheets.write_sheets(specs, out, ("tex", "html", "md", "json"), jobs=1, figures=False, progress=lambda m: None)
    return d, out, secret, written


def test_hostile_markup_has_no_live_html(hostile_out):
    _, out, _, _ = hostile_out
    for f in sorted(out.glob("*.html")) + sorted(out.glob("*.md")):
        text = f.read_text()
        assert "<script" not in text.lower().replace("&lt;script", ""), f
        assert not re.search(r"<(img|b)\b", text), f
    for f in sorted(out.glob("*.html")):
        root = ET.fromstring(f.read_text())  # well-formed: no tag broke out of its <math>
        tags = {el.tag.rpartition("}")[2] for el in root.iter()}
        assert "script" not in tags and "img" not in tags


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_hostile_latex_reads_and_writes_nothing(hostile_out):
    d, out, secret, written = hostile_out
    work = d / "tex"
    work.mkdir()
    for tex in sorted(out.glob("payload*.tex")):
        src = tex.read_text()
        assert "^^" not in src and "\\input" not in src and "\\openout" not in src and "\\csname" not in src
        shutil.copy(tex, work / tex.name)
        before = set(os.listdir(work))
        r = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape",
             r"\pdfcompresslevel=0\pdfobjcompresslevel=0\input{%s}" % tex.name],
            cwd=work, capture_output=True, text=True, timeout=120)
        log = (work / (tex.stem + ".log")).read_text(errors="replace")
        assert r.returncode == 0, log[-2000:]
        assert not written.exists()
        assert "hostname" not in log.replace("/etc/hostname", "") or "(/etc/hostname" not in log
        assert "(/etc/hostname" not in log and f"({secret}" not in log
        pdf = (work / (tex.stem + ".pdf")).read_bytes()
        assert b"SECRETCONTENTXYZZY" not in pdf and b"XYZZY" not in pdf
        new = set(os.listdir(work)) - before
        assert new <= {tex.stem + e for e in (".aux", ".log", ".pdf", ".out", ".toc")}, new


# ---------------------------------------------------------------- bad specs: one line, exit 2

_MAT = ('title = "T"\nquestion = "Q"\n[model]\nname = "mvn_mean"\nsizes = {d = 2}\n[[derive]]\nquantity = "fisher"\n')
_BER = ('title = "T"\nquestion = "Q"\n[model]\nname = "bernoulli"\n[[derive]]\nquantity = "fisher"\n')
BAD = {
    "deep_toml": ("a = " + "[" * 100000 + "]" * 100000 + "\n", "nested too deeply"),
    "deep_tables": ("a = " + "{b = " * 100000 + "1" + "}" * 100000 + "\n", "nested too deeply"),
    "short_range": (_BER + '[[figure]]\nkind = "fisher_curve"\nrange = [0.5]\n', "figure[0].range"),
    "reversed_range": (_BER + '[[figure]]\nkind = "fisher_curve"\nrange = [0.9, 0.1]\n', "low < high"),
    "matrix_without_entry": (_MAT + '[[check]]\nname = "c"\nof = "fisher"\n'
                             'at = {mu_1 = 0, mu_2 = 0, sigma_11 = 2, sigma_12 = 0.5, sigma_22 = 1}\n'
                             'witness = "fisher_quadrature"\n', 'of = "fisher[row, column]"'),
    "matrix_without_entry_target": (_MAT + '[[check]]\nname = "c"\nof = "fisher"\n'
                                    'at = {mu_1 = 0, mu_2 = 0, sigma_11 = 2, sigma_12 = 0.5, sigma_22 = 1}\n'
                                    'target = 1\n', "address an entry"),
    "at_missing_parameter_matrix": (_MAT + '[[check]]\nname = "c"\nof = "fisher[0, 0]"\n'
                                    'at = {mu_1 = 0, mu_2 = 0}\ntarget = 1\n', "still depends on"),
    "at_missing_parameter": (_BER + '[[check]]\nname = "c"\nof = "fisher"\ntarget = 1\n', "still depends on p"),
    "tol_inf": (_BER + '[[check]]\nname = "c"\nof = "fisher"\nat = {p = 0.3}\ntarget = 1\ntol = inf\n', "tol"),
    "tol_nan": (_BER + '[[check]]\nname = "c"\nof = "fisher"\nat = {p = 0.3}\ntarget = 1\ntol = nan\n', "tol"),
    "point_outside_domain": (_BER + '[[check]]\nname = "c"\nof = "fisher"\nat = {p = 1.5}\ntarget = 1\n',
                             "outside the domain"),
    "point_on_boundary": (_BER + '[[check]]\nname = "c"\nof = "fisher"\nat = {p = 0}\ntarget = 1\n',
                          "outside the domain"),
    # typed paths: a value that does not exist is refused before any work, with what does
    "path_unknown_field": (_BER + '[[check]]\nname = "c"\nof = "fisher.curvatur"\nat = {p = 0.3}\ntarget = 1\n',
                           "quantity 'fisher' has no field 'curvatur'; did you mean fisher.curvature?"),
    "path_not_derived": (_BER + '[[check]]\nname = "c"\nof = "kl_taylor.quadratic"\nat = {p = 0.3}\ntarget = 1\n',
                         "'kl_taylor' is not derived in this part (derived: fisher"),
    "path_no_such_quantity": (_BER + '[[check]]\nname = "c"\nof = "fishr"\nat = {p = 0.3}\ntarget = 1\n',
                              "no quantity has that name; did you mean 'fisher'?"),
    "path_malformed": (_BER + '[[check]]\nname = "c"\nof = "fisher[0"\nat = {p = 0.3}\ntarget = 1\n',
                       "'fisher[0' is not a path"),
    "path_index_outside": (_MAT + '[[check]]\nname = "c"\nof = "fisher[2, 0]"\n'
                           'at = {mu_1 = 0, mu_2 = 0, sigma_11 = 2, sigma_12 = 0.5, sigma_22 = 1}\ntarget = 1\n',
                           "fisher is 2x2: no entry [2, 0]"),
    "unknown_coords": (_BER + '[[derive]]\nquantity = "reparam"\ncoords = "logitt"\n',
                       "derive[1].coords': unknown coordinate system 'logitt' for bernoulli (choose from logit"),
    "derived_twice": (_BER + '[[derive]]\nquantity = "fisher"\n', "derive[1].quantity': 'fisher' is already derived"),
    "old_value_name": (_BER + '[[check]]\nname = "c"\nof = "jeffreys_proper"\ntarget = 1\n',
                       "'jeffreys_proper' is the old name of a value: write of = \"jeffreys.proper\""),
    "old_entry_key": (_MAT + '[[check]]\nname = "c"\nof = "fisher"\nentry = [0, 1]\ntarget = 1\n',
                      "check[0].entry': the entry is part of the path now: write of = \"NAME[row, column]\""),
    "path_scalar_indexed": (_BER + '[[check]]\nname = "c"\nof = "fisher[0, 0]"\nat = {p = 0.3}\ntarget = 1\n',
                            "fisher is a single number: leave the index out"),
}


@pytest.mark.parametrize("case", sorted(BAD))
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_bad_spec_one_line_exit_2_nothing_written(case, jobs, tmp_path, capsys):
    text, words = BAD[case]
    spec = tmp_path / f"{case}.toml"
    spec.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = _run(capsys, "sheet", spec, BERNOULLI, "--out", out, "--jobs", jobs)
    lines = [l for l in err.strip().splitlines() if not l.startswith("[")]
    assert code == 2, err
    assert len(lines) == 1 and words in lines[0] and "Traceback" not in err, err
    assert not out.exists() or not any(out.rglob("*"))


def test_out_is_a_file_or_under_a_file(tmp_path, capsys):
    f = tmp_path / "afile"
    f.write_text("keep")
    for out in (f, f / "sub", f / "sub" / "deeper"):
        code, _, err = _run(capsys, "sheet", BERNOULLI, "--out", out, "--no-figures", "--jobs", "1")
        assert code == 2 and len(err.strip().splitlines()) == 1 and "not a directory" in err, err
    assert f.read_text() == "keep"


def test_empty_out_is_refused_and_nothing_lands_in_the_working_directory(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for out in ("", "  "):
        code, _, err = _run(capsys, "sheet", BERNOULLI, "--out", out, "--no-figures", "--jobs", "1")
        assert code == 2 and len(err.strip().splitlines()) == 1 and "--out" in err, err
    assert not any(tmp_path.iterdir())


def test_name_blocked_by_a_directory_is_found_before_anything_is_written(tmp_path, capsys):
    out = tmp_path / "out"
    (out / "index.json").mkdir(parents=True)
    code, _, err = _run(capsys, "sheet", BERNOULLI, "--out", out, "--no-figures", "--jobs", "1")
    assert code == 2 and "index.json" in err and len(err.strip().splitlines()) == 1, err
    assert sorted(p.name for p in out.rglob("*")) == ["index.json"]


def test_disk_full_leaves_nothing(tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.md").write_text("old sheet")
    calls = []

    def full(fh, raw):
        calls.append(1)
        if len(calls) > 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        fh.write(raw)

    monkeypatch.setattr(sheets.writers, "_write_bytes", full)
    code, _, err = _run(capsys, "sheet", BERNOULLI, "--out", out, "--no-figures", "--jobs", "1")
    lines = [l for l in err.strip().splitlines() if not l.startswith("[")]
    assert code == 2 and "No space left on device" in err and len(lines) == 1, err
    assert sorted(p.name for p in out.rglob("*")) == ["index.md"]  # no temporary file, no new file
    assert (out / "index.md").read_text() == "old sheet"


def test_sheet_exits_1_when_a_check_fails(tmp_path, capsys):
    spec = tmp_path / "wrong.toml"
    spec.write_text(_BER + '[[check]]\nname = "I(0.3) against a wrong value"\nof = "fisher"\nat = {p = 0.3}\n'
                    'target = 5\n', encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = _run(capsys, "sheet", spec, "--out", out, "--no-figures", "--jobs", "1", "--format", "md")
    assert code == 1 and "I(0.3) against a wrong value" in err, err
    assert (out / "wrong.md").is_file() and "FAIL" in (out / "wrong.md").read_text()
    code, _, err = _run(capsys, "sheet", BERNOULLI, "--out", out, "--no-figures", "--jobs", "1", "--format", "md")
    assert code == 0, err


def test_sheet_runs_outside_the_repository_on_a_users_spec_directory(tmp_path, capsys, monkeypatch):
    mine = tmp_path / "my_specs"
    mine.mkdir()
    (mine / "rayleigh.toml").write_text(
        'title = "Rayleigh scale"\nquestion = "Find $\\\\mathcal{I}(s)$."\n'
        '[model]\ndensity = "x/s**2*exp(-x**2/(2*s**2))"\nvar = "x in (0, oo)"\nparams = ["s > 0"]\n'
        '[[derive]]\nquantity = "fisher"\n'
        '[[check]]\nname = "I(1.5) = 4/1.5^2"\nof = "fisher"\nat = {s = 1.5}\ntarget = "4/1.5**2"\n',
        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(capsys, "sheet", "my_specs", "--out", "sheets_out", "--no-figures", "--jobs", "1")
    assert code == 0, err
    names = sorted(p.name for p in (tmp_path / "sheets_out").iterdir())
    assert "rayleigh.tex" in names and "rayleigh-exercise.html" in names and "rayleigh.ipynb" in names
