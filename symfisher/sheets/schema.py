"""The spec schema: TOML -> validated records (:class:`Spec`, :class:`Part`, requests), errors on one line.

Nothing here derives: parsing checks every key, kind and name against the registries
(:mod:`.registry`, :data:`symfisher.plots.PLOTS`) so a bad spec fails before any work.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sympy as sp

from .paths import ResultPath, parse_path
from .registry import QUANTITIES, WITNESSES

__all__ = ["SpecError", "Spec", "Part", "QuantityRequest", "CheckRequest", "FigureRequest", "parse_spec",
           "load_spec", "find_specs", "default_spec_dir", "model_sizes"]


# ---------------------------------------------------------------- errors


class SpecError(ValueError):
    """A bad spec: the file, the key and the problem, on one line."""

    def __init__(self, path, key: str, problem: str):
        self.path, self.key, self.problem = str(path), key, problem
        super().__init__(f"{self.path}: key {key!r}: {problem}")

    def __reduce__(self):  # raised in a worker process, re-raised in the parent
        return (SpecError, (self.path, self.key, self.problem))


# ---------------------------------------------------------------- TOML


def _toml():
    try:
        import tomllib  # Python 3.11+
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            raise RuntimeError(
                "reading exercise specs needs Python 3.11+ (tomllib) or the 'tomli' package on Python 3.10"
            ) from None
    return tomllib


# ---------------------------------------------------------------- records


@dataclass(frozen=True)
class QuantityRequest:
    """One ``[[derive]]`` entry: a registered quantity and its (converted) arguments."""

    name: str
    args: tuple = ()  # sorted (name, value) pairs

    @property
    def kwargs(self) -> dict:
        return dict(self.args)


@dataclass(frozen=True)
class CheckRequest:
    """One ``[[check]]`` entry: evaluate the value at the typed path ``of``
    (:class:`~symfisher.sheets.paths.ResultPath`) at ``at`` against ``target`` (a number, an
    expression or a matrix) or against a numeric ``witness``."""

    name: str
    of: ResultPath | None = None
    at: tuple = ()
    target: Any = None
    witness: str | None = None
    witness_args: tuple = ()
    tol: float = 1e-8
    detail: str = ""


@dataclass(frozen=True)
class FigureRequest:
    kind: str
    args: tuple = ()
    caption: str = ""


@dataclass(frozen=True)
class Part:
    heading: str
    model: tuple  # sorted (key, value) pairs of the model table; () for model-free parts
    derive: tuple
    checks: tuple
    figures: tuple
    note: str = ""


@dataclass(frozen=True)
class Spec:
    path: str
    name: str  # the file stem, e.g. 01_bernoulli_fisher
    title: str
    question: str
    explanation: str
    takeaway: str
    parts: tuple
    source: str = field(default="", repr=False, compare=False)  # the TOML text (embedded in notebooks)


# ---------------------------------------------------------------- parsing specs

_TOP_KEYS = {"title", "question", "explanation", "takeaway", "model", "derive", "check", "figure", "part", "note"}
_PART_KEYS = {"heading", "model", "derive", "check", "figure", "note"}
_MODEL_KEYS = {"name", "sizes", "density", "logpdf", "var", "params", "consts", "constraints", "coords", "label"}
_CHECK_KEYS = {"name", "of", "at", "target", "witness", "tol", "detail", "witness_args"}
_FIGURE_KEYS = {"kind", "caption"}


def _str(table, key, path, where, required=False, default=""):
    if key not in table:
        if required:
            hint = {"question": " (the exercise's question, in words)", "title": " (the exercise's title)"}.get(key, "")
            raise SpecError(path, where + key, "missing" + hint)
        return default
    v = table[key]
    if not isinstance(v, str):
        raise SpecError(path, where + key, f"expected text, got {type(v).__name__} {v!r}")
    if required and not v.strip():
        raise SpecError(path, where + key, "is empty")
    return v.strip()


def _list_of_tables(table, key, path, where):
    v = table.get(key, [])
    if isinstance(v, dict):
        v = [v]
    if not isinstance(v, list) or not all(isinstance(t, dict) for t in v):
        raise SpecError(path, where + key, "expected a table or an array of tables ([[%s]])" % key)
    return v


def _unknown_keys(table, allowed, path, where):
    extra = sorted(set(table) - allowed)
    if extra:
        import difflib

        close = difflib.get_close_matches(extra[0], sorted(allowed), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f" (expected one of {', '.join(sorted(allowed))})"
        raise SpecError(path, where + extra[0], "unknown key" + hint)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _capped(value, path, key, size=False):
    """Every size or count of a spec is capped by the one rule of the CLI (symfisher.budget.capped)."""
    from ..budget import MAXIMA, BudgetError, capped

    try:
        return capped(key.rsplit(".", 1)[-1], value, MAXIMA["size"] if size else None)
    except BudgetError as exc:
        raise SpecError(path, key, str(exc)) from None


def _convert_arg(kind: str, v, path, key):
    def bad(expected):
        return SpecError(path, key, f"expected {expected}, got {v!r}")

    if kind == "int":
        if not isinstance(v, int) or isinstance(v, bool):
            raise bad("an integer")
        return v
    if kind == "posint":
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            raise bad("a positive integer")
        return _capped(v, path, key)
    if kind == "number":
        if not _is_number(v):
            raise bad("a number")
        return float(v)
    if kind == "expr":
        if not (_is_number(v) or isinstance(v, str)):
            raise bad("a number or an expression in quotes")
        return v
    if kind == "str":
        if not isinstance(v, str):
            raise bad("text")
        return v
    if kind == "bool":
        if not isinstance(v, bool):
            raise bad("true or false")
        return v
    if kind == "point":
        if not isinstance(v, dict) or not all(_is_number(x) or isinstance(x, str) for x in v.values()):
            raise bad("a table of names and values, e.g. {p = 0.2}")
        return tuple(sorted(v.items()))
    if kind == "range":
        if (not isinstance(v, list) or len(v) != 2 or not all(_is_number(x) and math.isfinite(x) for x in v)
                or not v[0] < v[1]):
            raise bad("[low, high], two finite numbers with low < high, e.g. [0.05, 0.95]")
        return (float(v[0]), float(v[1]))
    if kind == "ranges":
        if not isinstance(v, dict):
            raise bad("a table of parameter names and [low, high], e.g. {a = [0.5, 5], b = [0.2, 3]}")
        return tuple(sorted((k, _convert_arg("range", r, path, f"{key}.{k}")) for k, r in v.items()))
    if kind == "vector":
        if not isinstance(v, list) or not v or not all(_is_number(x) for x in v):
            raise bad("a list of numbers, e.g. [1, -3]")
        return tuple(float(x) for x in v)
    if kind == "coords":
        if not isinstance(v, str) or not v.strip():
            raise bad("the name of a coordinate system, e.g. \"logit\"")
        return v.strip()
    if kind == "matrix":
        if (not isinstance(v, list) or not v or not all(isinstance(r, list) and r for r in v)
                or len({len(r) for r in v}) != 1 or not all(_is_number(x) for r in v for x in r)):
            raise bad("a rectangular list of rows of numbers, e.g. [[3, 1], [1, 2]]")
        return tuple(tuple(x for x in r) for r in v)
    raise AssertionError(kind)  # pragma: no cover


def _parse_model(table, path, where):
    if not isinstance(table, dict):
        raise SpecError(path, where + "model", "expected a table, e.g. model = {name = \"bernoulli\"}")
    w = where + "model."
    _unknown_keys(table, _MODEL_KEYS, path, w)
    user = "density" in table or "logpdf" in table
    if user and "name" in table:
        raise SpecError(path, w + "name", "give either a catalog name or a density/logpdf, not both")
    if "density" in table and "logpdf" in table:
        raise SpecError(path, w + "logpdf", "give either density or logpdf, not both")
    if not user and "name" not in table:
        raise SpecError(path, w + "name", "missing (a catalog model, see `symfisher list`, or density/logpdf with var and params)")
    if user:
        for k in ("density", "logpdf", "var"):
            if k in table:
                _str(table, k, path, w, required=True)
        if "var" not in table:
            raise SpecError(path, w + "var", "missing (the data variable and its support, e.g. \"x in (0, oo)\")")
        for k in ("params", "consts", "constraints"):  # (multi) joint constraints, e.g. ["p_1 + p_2 < 1"]
            v = table.get(k, [])
            if isinstance(v, str):
                v = [v]
            if not isinstance(v, list) or not all(isinstance(s, str) for s in v):
                raise SpecError(path, w + k, "expected a list of declarations, e.g. [\"t > 0\"]")
            table = dict(table, **{k: v})
        if not table.get("params"):
            raise SpecError(path, w + "params", "missing (at least one parameter, e.g. [\"t > 0\"])")
    else:
        _str(table, "name", path, w, required=True)
        if "sizes" in table:
            s = table["sizes"]
            if not isinstance(s, dict) or not all(isinstance(x, int) and not isinstance(x, bool) for x in s.values()):
                raise SpecError(path, w + "sizes", "expected a table of integers, e.g. {d = 2}")
            for k, x in s.items():
                _capped(x, path, f"{w}sizes.{k}", size=True)
    if "coords" in table:
        _str(table, "coords", path, w, required=True)
    out = []
    for k, v in sorted(table.items()):
        if isinstance(v, dict):
            v = tuple(sorted(v.items()))
        elif isinstance(v, list):
            v = tuple(v)
        out.append((k, v))
    return tuple(out)


def _parse_derive(tables, path, where):
    out = []
    for i, t in enumerate(tables):
        w = f"{where}derive[{i}]."
        if "quantity" not in t:
            raise SpecError(path, w + "quantity", "missing (what to derive, e.g. quantity = \"fisher\")")
        name = t["quantity"]
        if not isinstance(name, str):
            raise SpecError(path, w + "quantity", f"expected text, got {name!r}")
        if name not in QUANTITIES:
            import difflib

            close = difflib.get_close_matches(name, sorted(QUANTITIES), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise SpecError(path, w + "quantity",
                            f"unknown quantity {name!r}{hint} (known: {', '.join(sorted(QUANTITIES))})")
        if any(r.name == name for r in out):  # a path names a quantity: one derivation of it per part
            raise SpecError(path, w + "quantity", f"{name!r} is already derived in this part (one [[derive]] per "
                            "quantity; another point or value goes in its own [[part]])")
        q = QUANTITIES[name]
        args = []
        for k, v in sorted(t.items()):
            if k == "quantity":
                continue
            if k not in q.args:
                allowed = ", ".join(sorted(q.args)) or "none"
                raise SpecError(path, w + k, f"quantity {name!r} takes no argument {k!r} (arguments: {allowed})")
            args.append((k, _convert_arg(q.args[k], v, path, w + k)))
        missing = [a for a in q.required if a not in t]
        if missing:
            raise SpecError(path, w + missing[0], f"missing: quantity {name!r} needs {', '.join(missing)} "
                            "(an exercise's values are written in its spec)")
        out.append(QuantityRequest(name, tuple(args)))
    return tuple(out)


# the flat value names of specs written before typed paths: only to say what to write now
_RENAMED = {
    "score_raw": "score.raw", "fisher_minimum": "fisher_extremes.minimum", "fisher_argmin": "fisher_extremes.argmin",
    "fisher_maximum": "fisher_extremes.maximum", "fisher_argmax": "fisher_extremes.argmax",
    "fisher_sum": "fisher_expectation_sum", "fisher_sum_terms": "fisher_expectation_sum.terms",
    "fisher_value": "fisher_eigen.value", "fisher_eigenvalues": "fisher_eigen.values",
    "fisher_eigenvectors": "fisher_eigen.vectors", "fisher_times_matrix": "fisher_times", "I_n": "additivity.general",
    "I_n_value": "additivity", "additivity_n": "additivity.n", "fisher_new": "reparam",
    "kl_quadratic": "kl_taylor.quadratic", "kl_cubic": "kl_taylor.cubic", "jeffreys_normalizer": "jeffreys.normalizer",
    "jeffreys_sqrt_det": "jeffreys.sqrt_det", "jeffreys_proper": "jeffreys.proper",
    "jeffreys_density": "jeffreys.density", "ewc_fisher_diag": "ewc.fisher_diag",
    "ewc_empirical_diag": "ewc.empirical_diag", "ewc_penalties": "ewc.penalties",
    "natural_step": "natural_gradient_step.natural", "plain_step": "natural_gradient_step.plain",
    "step_ratio": "natural_gradient_step.ratio",
}


def _check_path(text, derive, path, key) -> ResultPath:
    """A check's ``of`` (or a witness's): a typed path to a value this part derives, checked now."""
    if not isinstance(text, str):
        raise SpecError(path, key, f"expected a path such as \"fisher[0, 1]\", got {text!r}")
    old = text.split("[", 1)[0].strip()
    if old in _RENAMED:
        raise SpecError(path, key, f"{text!r} is the old name of a value: write of = \"{_RENAMED[old]}"
                        f"{text.strip()[len(old):]}\" (docs/specs.md, Paths)")
    try:
        rp = parse_path(text)
    except ValueError as exc:
        raise SpecError(path, key, str(exc)) from None
    derived = [q.name for q in derive]
    if rp.quantity not in derived:
        import difflib

        close = difflib.get_close_matches(rp.quantity, derived, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        known = "" if rp.quantity in QUANTITIES else " and no quantity has that name"
        raise SpecError(path, key, f"{rp.quantity!r} is not derived in this part{known}{hint} "
                        f"(derived: {', '.join(derived)}; add [[derive]] quantity = \"{rp.quantity}\")")
    fields = QUANTITIES[rp.quantity].fields
    if rp.field is not None and rp.field not in fields:
        import difflib

        close = difflib.get_close_matches(rp.field, sorted(fields), n=1)
        hint = f"; did you mean {rp.quantity}.{close[0]}?" if close else ""
        raise SpecError(path, key, f"quantity {rp.quantity!r} has no field {rp.field!r}{hint} "
                        f"(fields: {', '.join(sorted(fields)) or 'none, only the result'})")
    return rp


def _parse_checks(tables, path, where, derive=()):
    out = []
    for i, t in enumerate(tables):
        w = f"{where}check[{i}]."
        if "entry" in t:  # the index is part of the path now
            raise SpecError(path, w + "entry", "the entry is part of the path now: write of = \"NAME[row, column]\", "
                            "e.g. of = \"fisher[0, 1]\"")
        _unknown_keys(t, _CHECK_KEYS, path, w)
        name = _str(t, "name", path, w, required=True)
        of = _str(t, "of", path, w) or None
        if of is not None:
            of = _check_path(of, derive, path, w + "of")
        witness = _str(t, "witness", path, w) or None
        if of is None:
            raise SpecError(path, w + "of", "missing (the derived value to check, a path such as of = \"fisher\" "
                            "or of = \"fisher[0, 1]\")")
        if witness is not None and witness not in WITNESSES:
            raise SpecError(path, w + "witness",
                            f"unknown witness {witness!r} (known: {', '.join(sorted(WITNESSES))})")
        if "target" in t and witness is not None:
            raise SpecError(path, w + "target", "give either a target or a witness, not both")
        if "target" not in t and witness is None:
            raise SpecError(path, w + "target", "missing (a literature value, or witness = \"...\" for a numeric witness)")
        target = None
        if "target" in t:
            v = t["target"]
            if isinstance(v, list):
                target = _convert_arg("matrix", v if v and isinstance(v[0], list) else [v], path, w + "target")
            elif _is_number(v) or isinstance(v, str):
                target = v
            else:
                raise SpecError(path, w + "target", f"expected a number, an expression or a matrix, got {v!r}")
        at = _convert_arg("point", t.get("at", {}), path, w + "at")
        tol = t.get("tol", 1e-8)
        if not _is_number(tol) or not math.isfinite(tol) or not tol > 0:
            raise SpecError(path, w + "tol", f"expected a positive finite number (a tolerance), got {tol!r}")
        wargs = t.get("witness_args", {})
        if not isinstance(wargs, dict):
            raise SpecError(path, w + "witness_args", "expected a table")
        if "of" in wargs:  # a witness of another derived value (the kernel a normalizer integrates)
            wargs = dict(wargs, of=_check_path(wargs["of"], derive, path, w + "witness_args.of"))
        out.append(CheckRequest(name, of, at, target, witness, tuple(sorted(wargs.items())),
                                float(tol), _str(t, "detail", path, w)))
    return tuple(out)


def _parse_figures(tables, path, where):
    from .. import plots

    out = []
    for i, t in enumerate(tables):
        w = f"{where}figure[{i}]."
        kind = t.get("kind")
        if kind is None:
            raise SpecError(path, w + "kind", "missing (e.g. kind = \"fisher_curve\")")
        if kind not in plots.PLOTS:
            raise SpecError(path, w + "kind", f"unknown figure {kind!r} (known: {', '.join(sorted(plots.PLOTS))})")
        args = []
        for k, v in sorted(t.items()):
            if k in _FIGURE_KEYS:
                continue
            kinds = plots.PLOTS[kind].args
            if k not in kinds:
                raise SpecError(path, w + k, f"figure {kind!r} takes no argument {k!r} (arguments: {', '.join(sorted(kinds)) or 'none'})")
            args.append((k, _convert_arg(kinds[k], v, path, w + k)))
        out.append(FigureRequest(kind, tuple(args), _str(t, "caption", path, w)))
    return tuple(out)


def _parse_part(table, path, where, heading=""):
    model = _parse_model(table["model"], path, where) if "model" in table else ()
    derive = _parse_derive(_list_of_tables(table, "derive", path, where), path, where)
    if not derive:
        raise SpecError(path, where + "derive", "missing (at least one [[derive]] with quantity = \"...\")")
    if not model:
        for q in derive:
            if QUANTITIES[q.name].needs_model:
                raise SpecError(path, where + "model", f"missing (quantity {q.name!r} needs a model)")
    checks = _parse_checks(_list_of_tables(table, "check", path, where), path, where, derive)
    figures = _parse_figures(_list_of_tables(table, "figure", path, where), path, where)
    return Part(heading, model, derive, checks, figures, _str(table, "note", path, where))


def parse_spec(text: str, path="<spec>") -> Spec:
    """Parse the TOML text of a spec (``path`` names it in error messages)."""
    tomllib = _toml()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(path, "(toml)", f"not valid TOML: {exc}") from None
    except (RecursionError, MemoryError):
        raise SpecError(path, "(toml)", "nested too deeply to read (a spec needs a few levels of tables)") from None
    _unknown_keys(data, _TOP_KEYS, path, "")
    title = _str(data, "title", path, "", required=True)
    question = _str(data, "question", path, "", required=True)
    explanation = _str(data, "explanation", path, "")
    takeaway = _str(data, "takeaway", path, "")
    parts = []
    if "part" in data:
        for k in ("model", "derive", "check", "figure"):
            if k in data:
                raise SpecError(path, k, "with [[part]] tables, put every model, derive, check and figure inside a part")
        for i, t in enumerate(_list_of_tables(data, "part", path, "")):
            w = f"part[{i}]."
            _unknown_keys(t, _PART_KEYS, path, w)
            parts.append(_parse_part(t, path, w, _str(t, "heading", path, w)))
        if not parts:
            raise SpecError(path, "part", "is empty")
    else:
        parts.append(_parse_part(data, path, ""))
    name = Path(str(path)).stem
    return Spec(str(path), name, title, question, explanation, takeaway, tuple(parts), text)


def load_spec(path) -> Spec:
    """Read and validate one spec file."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{path}: no such spec file")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(path, "(file)", f"not UTF-8 text ({exc.reason})") from None
    return parse_spec(text, str(path))


def default_spec_dir() -> Path | None:
    """``derivations/`` in the current directory, else beside the package (the repository)."""
    for cand in (Path.cwd() / "derivations", Path(__file__).resolve().parent.parent.parent / "derivations"):
        if cand.is_dir():
            return cand
    return None


def find_specs(paths=()) -> list[Path]:
    """The spec files named (directories expand to their ``*.toml``), or all of ``derivations/``."""
    if not paths:
        d = default_spec_dir()
        if d is None:
            raise FileNotFoundError("no SPEC given and no derivations/ directory here or beside the package")
        paths = [d]
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(p.glob("*.toml"))
            if not found:
                raise FileNotFoundError(f"{p}: no *.toml specs in this directory")
            out += found
        elif p.is_file():
            out.append(p)
        else:
            raise FileNotFoundError(f"{p}: no such spec file")
    return out


# ---------------------------------------------------------------- values in specs


def _expr(v, path, key, symbols=None) -> sp.Expr:
    """A number or an expression of a spec as an exact SymPy value (never eval)."""
    if isinstance(v, bool):
        raise SpecError(path, key, f"expected a number, got {v!r}")
    if isinstance(v, int):
        return sp.Integer(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise SpecError(path, key, f"expected a finite number, got {v!r}")
        return sp.Rational(repr(v))  # exact decimal: 0.2 -> 1/5
    if isinstance(v, str):
        try:
            from ..parsing import ParseError, parse_expression
        except ModuleNotFoundError:  # pragma: no cover - the parser ships with the core
            raise SpecError(path, key, "expressions in specs need symfisher.parsing, which is missing") from None
        try:
            e = parse_expression(v, dict(symbols or {}))
        except (ParseError, ValueError) as exc:
            raise SpecError(path, key, f"cannot parse {v!r}: {str(exc).splitlines()[0]}") from None
        return e
    raise SpecError(path, key, f"expected a number or an expression, got {v!r}")


def model_sizes(model_table) -> dict:
    """The ``sizes`` of a catalog model in a spec (``{d = 2}``), the one place they are read."""
    return dict(dict(model_table).get("sizes", ()))
