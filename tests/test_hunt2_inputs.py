"""A second hunt of bad input through the command line: every one is one line on stderr starting
``symfisher: error:``, exit code 2, nothing on stdout and nothing written. Sheets: an ``--out`` that is an
existing file, a spec key of the wrong type, an unknown key, a check point outside the domain, a reversed
range, an unknown format, broken TOML, bytes that are not UTF-8, sizes past their maxima. Models: towers of
powers (``10**10**10``, ``9**9**9**9``) in the density, the support and the domain, a 100 kB expression,
nested brackets, Cyrillic and full-width look-alikes, empty and reversed domains and supports, a density
negative for part of the domain, supports that move with the parameter behind ``Heaviside``/``Max``/``sign``.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from symfisher.cli import main

SPEC = Path(__file__).resolve().parents[1] / "derivations" / "01_bernoulli_fisher.toml"
EXP = ["--var", "x in (0, oo)", "--param", "t > 0"]
TYPED = 'title = "x"\nquestion = "q"\n[model]\ndensity = "{d}"\nvar = "{v}"\nparams = ["{p}"]\n[[derive]]\nquantity = "fisher"\n'
ONE = 'title = "x"\nquestion = "q"\n[model]\nname = "{m}"\n{extra}[[derive]]\nquantity = "{q}"\n{key}\n'


def _edit(old, new):
    return SPEC.read_text().replace(old, new)


SHEETS = [  # (spec text, words of the one line)
    (_edit('name = "bernoulli"', "name = 3"), "expected text, got int 3"),
    (_edit("[model]", '[model]\ncolour = "red"'), "'model.colour': unknown key"),
    (_edit("tol = 1e-8", 'tol = "tiny"'), "'check[0].tol'"),
    (_edit("at = {p = 0.3}", "at = {p = 1.3}"), "outside the domain"),
    (_edit("at = {p = 0.3}", "at = {q = 0.3}"), "(known: p, x)"),  # p was listed twice
    (_edit("range = [0.02, 0.98]", "range = [0.98, 0.02]"), "low < high"),
    (_edit('quantity = "score"', 'quantity = "scor"'), "did you mean 'score'"),
    (_edit('title = "Bernoulli Fisher information"', "title = 5"), "'title': expected text"),
    ('title = "x"\n[model\nname = "bernoulli"\n', "not valid TOML"),
    (ONE.format(m="bernoulli", extra="", q="additivity", key="n = 10000000000"), "too large"),
    (ONE.format(m="bernoulli", extra="", q="additivity", key="n = 2.5"), "expected a positive integer"),
    (ONE.format(m="mvn_mean", extra="sizes = {d = 1000}\n", q="fisher", key=""), "too large"),
    (ONE.format(m="bernoulli", extra="", q="kl_taylor", key="order = 50"), "too large"),
    (TYPED.format(d="(1+t*x)/2", v="x in (-1, 1)", p="t in (-2, 2)"), "negative"),
    (TYPED.format(d="t*exp(-t*x)*9**9**9**9", v="x in (0, oo)", p="t > 0"), "too large"),
]


def _one_line(rc, cap, words):
    assert rc == 2 and cap.out == "", (rc, cap.out[-300:])
    lines = cap.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("symfisher: error: ") and words in lines[0], cap.err


@pytest.mark.parametrize("text, words", SHEETS, ids=[w for _, w in SHEETS])
def test_a_bad_spec_is_one_line_and_writes_nothing(text, words, tmp_path, capsys):
    spec, out = tmp_path / "spec.toml", tmp_path / "out"
    spec.write_text(text)
    _one_line(main(["sheet", str(spec), "--out", str(out), "--format", "md"]), capsys.readouterr(), words)
    assert not out.exists()


def test_bytes_that_are_not_utf8_are_a_bad_spec(tmp_path, capsys):
    spec, out = tmp_path / "spec.toml", tmp_path / "out"
    spec.write_bytes(b"\xff\xfe title")
    _one_line(main(["sheet", str(spec), "--out", str(out)]), capsys.readouterr(), "not UTF-8")
    assert not out.exists()


@pytest.mark.parametrize("argv_tail, words", [
    (["--format", "md"], "not a directory"),
    (["--format", "pdf"], "unknown format 'pdf'"),
])
def test_an_output_that_cannot_be_written_is_refused_before_any_work(argv_tail, words, tmp_path, capsys):
    target = tmp_path / "existing_file"
    target.write_text("keep me")
    _one_line(main(["sheet", str(SPEC), "--out", str(target), *argv_tail]), capsys.readouterr(), words)
    assert target.read_text() == "keep me"


BAD = [
    (["derive", "--density", "t*exp(-t*x)*10**10**10", *EXP], "too large"),
    (["derive", "--density", "t*exp(-t*x)*9**9**9**9", *EXP], "too large"),
    (["check", "bernoulli", "fisher", "1/(p*(1-p)) + 10**10**10 - 10**10**10"], "too large"),
    (["derive", "--density", "t*exp(-t*x)", "--var", "x in (0, 10**10**10)", "--param", "t > 0"], "too large"),
    (["derive", "--density", "t*exp(-t*x)", "--var", "x in (0, oo)", "--param", "t in (0, 10**10**10)"], "too large"),
    (["derive", "--density", "t*exp(-t*x)" + "*(1+0*x)" * 12000, *EXP], "too long"),  # 96 kB
    (["derive", "--density", "(" * 90 + "t*exp(-t*x)" + ")" * 90, *EXP], "nested too deeply"),
    (["check", "bernoulli", "fisher", "exp(" * 60 + "p" + ")" * 60], "nested too deeply"),
    (["derive", "mvn_mean", "--size", "d=10**9"], "whole number"),
    (["derive", "bernoulli", "--size", "d=3"], "no size 'd'"),
    # look-alikes: a Cyrillic er in the density, in the declaration; a full-width digit in an answer
    (["derive", "--density", "\u0440*exp(-\u0440*x)", "--var", "x in (0, oo)", "--param", "p > 0"], "unknown name"),
    (["derive", "--density", "p*exp(-p*x)", "--var", "x in (0, oo)", "--param", "\u0440 > 0"], "not a valid parameter name"),
    (["check", "bernoulli", "fisher", "\uff11/(p*(1-p))"], "invalid character"),
    (["derive", "--density", "t*exp(-t*x)", "--var", "x in (5, 0)", "--param", "t > 0"], "empty support"),
    (["derive", "--density", "t*exp(-t*x)", "--var", "x in (0, oo)", "--param", "t in (2, 1)"], "empty domain"),
    (["derive", "--density", "p*(1-p)**x", "--var", "x in 5..2", "--param", "p in (0, 1)"], "empty support"),
    (["derive", "--density", "", *EXP], "empty expression"),
    (["derive", "bernoulli", "--only", "fishr"], "unknown quantity 'fishr'"),
    (["derive", "--density", "t*exp(-t*x)", *EXP, "--at", "t=nan"], "must be finite"),
    (["derive", "bernoulli", "--time-limit", "0"], "--time-limit"),
    (["derive", "bernoulli", "--reparam", "p = q = 1"], "cannot parse reparameterization"),
    (["derive", "bernoulli", "--reparam", "p = p**2"], "must not contain 'p' itself"),
    (["derive", "bernoulli", "--reparam", "p = 1/s"], "breaks at"),  # neither s < 0 nor s > 0 maps onto (0, 1)
    # a support that moves with the parameter, written indirectly
    (["derive", "--density", "exp(-x)*Heaviside(t**2 - x)/(1-exp(-t**2))", *EXP], "moves with the parameter"),
    (["derive", "--density", "exp(-Max(x, t) + t)*Heaviside(x - t)", *EXP], "moves with the parameter"),
    (["derive", "--density", "exp(t - x)*(sign(x - t) + 1)/2", *EXP], "moves with the parameter"),
    (["derive", "--density", "1/(pi*sqrt(x*(s-x)))", "--var", "x in (0, s)", "--param", "s > 0"], "depends on the parameter"),
    (["derive", "--density", "exp(-x)*Piecewise((1/(1-exp(-t)), x < t), (0, True))", *EXP], "'Piecewise' is not available"),
]


@pytest.mark.parametrize("argv, words", BAD, ids=[" ".join(a)[:60] for a, _ in BAD])
def test_bad_input_is_one_line_and_exit_2(argv, words, capsys):
    _one_line(main([*argv, "--json"] if argv[0] == "derive" else argv), capsys.readouterr(), words)


def test_a_negative_density_names_a_point_inside_the_domain(capsys):
    """The probe just inside an open end (-2 + 4e-9) was printed ``t = -2``, a point outside ``(-2, 2)``, while
    the line said "inside the declared domain"; the value shown is now one that is inside."""
    rc = main(["derive", "--density", "exp(-x)*(1 + t*sin(x))", "--var", "x in (0, oo)", "--param", "t in (-2, 2)",
               "--json"])
    cap = capsys.readouterr()
    _one_line(rc, cap, "is negative at")
    shown = float(cap.err.split(" t = ")[1].split()[0])
    assert -2 < shown < 2, cap.err
