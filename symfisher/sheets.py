"""Exercise specifications -> derivations -> worked solution sheets.

A *spec* is a declarative TOML file (``derivations/*.toml``; no code in specs): the
prose of an exercise (``title``, ``question``, ``explanation``, ``takeaway``), the model
(a catalog ``name`` with ``sizes``, or a user ``density``/``logpdf`` with ``var``,
``params`` and ``consts``), the quantities to derive (``[[derive]]``), the numeric checks
(``[[check]]``) and optional figures (``[[figure]]``). An exercise with several models
(Jeffreys priors for Bernoulli *and* the exponential rate) lists them as ``[[part]]``
tables, each with its own ``model``, ``derive``, ``check`` and ``figure``.

Every quantity is resolved through :data:`QUANTITIES` (``register_quantity``): a function
``(ctx, **args) -> Derivation`` that calls the engine (``symfisher.derive``, and the
geometry and ML modules when they are installed) and publishes named values in
``ctx.values`` for the checks. Checks are *independent* of the symbolic route: the derived
closed form is evaluated at the spec's point and compared with a literature target
written in the spec or with a numeric witness from :data:`WITNESSES` (quadrature or exact
sums of finite-difference scores, seeded Monte Carlo, numeric integration).

>>> spec = parse_spec('''
... title = "Bernoulli"
... question = "Find $I(p)$."
... [model]
... name = "bernoulli"
... [[derive]]
... quantity = "fisher"
... [[check]]
... name = "I(0.3)"
... of = "fisher"
... at = {p = 0.3}
... target = 4.761904761904762
... ''', "demo.toml")
>>> [q.name for q in spec.parts[0].derive]
['fisher']
>>> sec = build_section(spec)
>>> [(c.name, c.passed) for c in sec.checks]
[('I(0.3)', True)]
>>> parse_spec('title = "x"', "bad.toml")
Traceback (most recent call last):
...
symfisher.sheets.SpecError: bad.toml: key 'question': missing (the exercise's question, in words)
"""
from __future__ import annotations

import math
import os
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

import sympy as sp

from .derivation import Check, Derivation, Step

__all__ = [
    "SpecError",
    "Spec",
    "Part",
    "QuantityRequest",
    "CheckRequest",
    "FigureRequest",
    "QUANTITIES",
    "WITNESSES",
    "register_quantity",
    "register_witness",
    "load_spec",
    "parse_spec",
    "find_specs",
    "default_spec_dir",
    "build_section",
    "build_sections",
    "write_sheets",
    "atomic_write",
    "write_all",
    "OutputError",
]


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
    """One ``[[check]]`` entry: evaluate the value ``of`` at ``at`` against ``target``
    (a number, an expression or a matrix) or against a numeric ``witness``."""

    name: str
    of: str | None = None
    at: tuple = ()
    entry: tuple | None = None
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


# ---------------------------------------------------------------- registries


@dataclass(frozen=True)
class Quantity:
    name: str
    fn: Callable  # (ctx, **args) -> Derivation | list[Derivation] | None
    args: dict  # argument name -> kind (see _convert_arg)
    needs_model: bool = True
    summary: str = ""

    @property
    def required(self) -> tuple:
        """The arguments a spec must give: those of ``fn`` without a default."""
        import inspect

        return tuple(n for n, prm in list(inspect.signature(self.fn).parameters.items())[1:]
                     if prm.default is inspect.Parameter.empty and prm.kind is prm.POSITIONAL_OR_KEYWORD)


QUANTITIES: dict = {}
WITNESSES: dict = {}


def register_quantity(name: str, args: dict | None = None, needs_model: bool = True, summary: str = ""):
    """Register a sheet quantity ``fn(ctx, **args)`` under ``name``.

    ``args`` maps each accepted argument to its kind: ``"int"``, ``"posint"``, ``"number"``,
    ``"expr"`` (a number or expression text), ``"str"``, ``"point"`` (a table name -> value),
    ``"vector"``, ``"matrix"``, ``"bool"``.
    """

    def deco(fn):
        QUANTITIES[name] = Quantity(name, fn, dict(args or {}), needs_model, summary or (fn.__doc__ or "").strip())
        return fn

    return deco


def register_witness(name: str):
    """Register a numeric witness ``fn(ctx, request, point) -> (value, detail, stderr)``."""

    def deco(fn):
        WITNESSES[name] = fn
        return fn

    return deco


# ---------------------------------------------------------------- parsing specs

_TOP_KEYS = {"title", "question", "explanation", "takeaway", "model", "derive", "check", "figure", "part", "note"}
_PART_KEYS = {"heading", "model", "derive", "check", "figure", "note"}
_MODEL_KEYS = {"name", "sizes", "density", "logpdf", "var", "params", "consts", "coords", "label"}
_CHECK_KEYS = {"name", "of", "at", "entry", "target", "witness", "tol", "detail", "witness_args"}
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
        return v
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
            raise bad("a table of names and values, e.g. {p = 0.3}")
        return tuple(sorted(v.items()))
    if kind == "range":
        if (not isinstance(v, list) or len(v) != 2 or not all(_is_number(x) and math.isfinite(x) for x in v)
                or not v[0] < v[1]):
            raise bad("[low, high], two finite numbers with low < high, e.g. [0.05, 0.95]")
        return (float(v[0]), float(v[1]))
    if kind == "vector":
        if not isinstance(v, list) or not v or not all(_is_number(x) for x in v):
            raise bad("a list of numbers, e.g. [2, 2]")
        return tuple(float(x) for x in v)
    if kind == "matrix":
        if (not isinstance(v, list) or not v or not all(isinstance(r, list) and r for r in v)
                or len({len(r) for r in v}) != 1 or not all(_is_number(x) for r in v for x in r)):
            raise bad("a rectangular list of rows of numbers, e.g. [[2, 0.5], [0.5, 1]]")
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
        for k in ("params", "consts"):
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


def _parse_checks(tables, path, where):
    out = []
    for i, t in enumerate(tables):
        w = f"{where}check[{i}]."
        _unknown_keys(t, _CHECK_KEYS, path, w)
        name = _str(t, "name", path, w, required=True)
        of = _str(t, "of", path, w) or None
        witness = _str(t, "witness", path, w) or None
        if of is None and witness is None:
            raise SpecError(path, w + "of", "missing (the derived value to check, e.g. of = \"fisher\")")
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
        entry = None
        if "entry" in t:
            e = t["entry"]
            if not isinstance(e, list) or len(e) != 2 or not all(isinstance(x, int) and x >= 0 for x in e):
                raise SpecError(path, w + "entry", f"expected [row, column] counting from 0, got {e!r}")
            entry = tuple(e)
        tol = t.get("tol", 1e-8)
        if not _is_number(tol) or not math.isfinite(tol) or not tol > 0:
            raise SpecError(path, w + "tol", f"expected a positive finite number (a tolerance), got {tol!r}")
        wargs = t.get("witness_args", {})
        if not isinstance(wargs, dict):
            raise SpecError(path, w + "witness_args", "expected a table")
        out.append(CheckRequest(name, of, at, entry, target, witness, tuple(sorted(wargs.items())),
                                float(tol), _str(t, "detail", path, w)))
    return tuple(out)


def _parse_figures(tables, path, where):
    from . import plots

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
    checks = _parse_checks(_list_of_tables(table, "check", path, where), path, where)
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
    for cand in (Path.cwd() / "derivations", Path(__file__).resolve().parent.parent / "derivations"):
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
        return sp.Rational(repr(v))  # exact decimal: 0.3 -> 3/10
    if isinstance(v, str):
        try:
            from .parsing import ParseError, parse_expression
        except ModuleNotFoundError:  # pragma: no cover - the parser ships with the core
            raise SpecError(path, key, "expressions in specs need symfisher.parsing, which is missing") from None
        try:
            e = parse_expression(v, dict(symbols or {}))
        except (ParseError, ValueError) as exc:
            raise SpecError(path, key, f"cannot parse {v!r}: {str(exc).splitlines()[0]}") from None
        return e
    raise SpecError(path, key, f"expected a number or an expression, got {v!r}")


# ---------------------------------------------------------------- context


@dataclass
class Context:
    """What one part's quantities share: the model, derived records and named values."""

    spec: Spec
    part: Part
    model: Any = None
    derived: dict = field(default_factory=dict)  # quantity name -> Derivation
    values: dict = field(default_factory=dict)  # value name -> SymPy object / number / array
    checks: list = field(default_factory=list)  # checks produced by quantities (ML, witnesses)
    curves: dict = field(default_factory=dict)  # data for figures
    failed: list = field(default_factory=list)  # quantities that could not be derived

    @property
    def path(self):
        return self.spec.path

    def derive(self, name: str, **args) -> Derivation:
        """The derivation of ``name`` (derived now with ``args`` if not already)."""
        if name not in self.derived:
            d = QUANTITIES[name].fn(self, **args)
            if d is not None:
                self.derived[name] = d if isinstance(d, Derivation) else d[0]
        return self.derived.get(name)

    def symbol(self, name: str, extra=()):
        if self.model is not None:
            try:
                return self.model.symbol(name)
            except KeyError:
                pass
        for s in extra:
            if getattr(s, "name", None) == name:
                return s
        return None

    def point(self, at, key, value=None) -> dict:
        """A spec point ``{name: value}`` as ``{Symbol: exact value}``: the model's parameters and
        constants, and any other symbol of ``value`` (``p_1``, ``p_2`` of a KL, ``delta_p`` ...)."""
        extra = sorted(getattr(value, "free_symbols", ()) or (), key=lambda s: s.name)
        out = {}
        for name, v in at:
            s = self.symbol(name, extra)
            if s is None:
                known = sorted(self.model.symbols if self.model is not None else ()) + [e.name for e in extra]
                raise SpecError(self.path, f"{key}.{name}",
                                f"not a parameter or constant of the model, nor a symbol of the checked value "
                                f"(known: {', '.join(known) or 'none'})")
            out[s] = _expr(v, self.path, f"{key}.{name}")
            self._check_in_domain(s, out[s], f"{key}.{name}")
        return out

    def _check_in_domain(self, sym, value, key) -> None:
        """A check point must lie in the parameter's domain: outside it the formula means nothing."""
        dom = None
        if self.model is not None:
            try:
                dom = self.model.domain(sym)
            except KeyError:
                dom = None
        if not value.is_real:
            raise SpecError(self.path, key, f"{value} is not a real number")
        if dom is not None:
            if not dom.contains(value):
                raise SpecError(self.path, key, f"{value} is outside the domain {sym} in {dom}")
            return
        # a symbol of the checked value (p_1 of a KL ...): its assumptions are its domain
        ok = all(getattr(value, "is_" + a) is not False
                 for a in ("positive", "nonnegative", "negative", "nonpositive", "integer")
                 if sym.assumptions0.get(a))
        if not ok:
            facts = ", ".join(a for a in ("positive", "nonnegative", "negative", "nonpositive", "integer")
                              if sym.assumptions0.get(a))
            raise SpecError(self.path, key, f"{value} is outside the domain of {sym} ({facts})")


def _scalar(M):
    return M[0, 0] if isinstance(M, sp.MatrixBase) and M.shape == (1, 1) else M


# ---------------------------------------------------------------- building models


def model_sizes(model_table) -> dict:
    """The ``sizes`` of a catalog model in a spec (``{d = 2}``), the one place they are read."""
    return dict(dict(model_table).get("sizes", ()))


def build_model(spec: Spec, part: Part, index: int):
    from .families import UnknownModel, get_model
    from .model import ModelError

    m = dict(part.model)
    where = (f"part[{index}]." if len(spec.parts) > 1 else "") + "model."
    try:
        if "name" in m:
            sizes = model_sizes(m)
            try:
                model = get_model(m["name"], **sizes)
            except UnknownModel as exc:
                raise SpecError(spec.path, where + "name", str(exc)) from None
            except TypeError:
                raise SpecError(spec.path, where + "sizes", f"model {m['name']!r} does not take sizes {sorted(sizes)}") from None
        else:
            from .usermodel import from_density, from_logpdf

            build = from_density if "density" in m else from_logpdf
            text = m.get("density", m.get("logpdf"))
            model = build(text, m["var"], list(m.get("params", ())), list(m.get("consts", ())),
                          name=m.get("label") or None)
    except SpecError:
        raise
    except (ModelError, ValueError) as exc:
        key = "name" if "name" in m else ("density" if "density" in m else "logpdf")
        raise SpecError(spec.path, where + key, str(exc).strip().splitlines()[0]) from None
    if "coords" in m:
        model = _in_coords(model, m["coords"], spec.path, where + "coords")
    return model


def _in_coords(model, coords, path, key):
    try:
        from .derive import reparam
    except ImportError:
        raise SpecError(path, key, "coordinate systems need symfisher.derive.reparam, which is not installed") from None
    fn = getattr(reparam, "in_coordinates", None) or getattr(reparam, "reparameterize", None)
    if fn is None:
        raise SpecError(path, key, "symfisher.derive.reparam has no in_coordinates/reparameterize")
    try:
        return fn(model, coords)
    except (ValueError, KeyError) as exc:
        raise SpecError(path, key, str(exc).strip().splitlines()[0]) from None


# ---------------------------------------------------------------- quantities: the core engine


@register_quantity("score", summary="the score d/dθ log f")
def _q_score(ctx):
    from .derive import score

    d = score(ctx.model)
    ctx.values["score"] = _scalar(d.result)
    ctx.values["score_raw"] = _scalar(d.extras["raw"])
    return d


@register_quantity("hessian", summary="the Hessian of log f")
def _q_hessian(ctx):
    from .derive import hessian

    d = hessian(ctx.model)
    ctx.values["hessian"] = _scalar(d.result)
    return d


@register_quantity("fisher", summary="the Fisher information by E[s sᵀ] and by −E[H]")
def _q_fisher(ctx):
    from .derive import fisher_information

    d = fisher_information(ctx.model)
    if d.result is not None:
        ctx.values["fisher"] = _scalar(d.result)
    return d


@register_quantity("cramer_rao", summary="the Cramér–Rao bound I(θ)⁻¹")
def _q_cramer_rao(ctx):
    from .derive import cramer_rao

    I = ctx.derive("fisher")
    d = cramer_rao(ctx.model, I.result if I is not None else None)
    if d.result is not None:
        ctx.values["cramer_rao"] = _scalar(d.result)
    return d


@register_quantity("fisher_extremes", summary="where a scalar Fisher information is smallest and how it behaves at the domain's ends")
def _q_fisher_extremes(ctx):
    """Stationary points of I(θ) inside the domain and its limits at the ends."""
    model = ctx.model
    fd = ctx.derive("fisher")
    d = Derivation("fisher_extremes", f"Where the {model.name} model is most and least informative")
    if model.dim != 1:
        return d.fail("fisher_extremes", "defined for one-parameter models")
    if fd is None or fd.result is None:
        return d.fail("fisher_extremes", "the Fisher information is not available")
    th = model.params[0]
    I = fd.result[0, 0]
    Ith = sp.Function("I")(th)
    dI = sp.factor(sp.simplify(sp.diff(I, th)))
    d = d.add(Step(f"Differentiate the Fisher information with respect to {th}.", "quotient rule",
                   sp.Derivative(Ith, th), (dI,)))
    dom = model.domain(th)
    crit = [c for c in sp.solve(sp.numer(sp.together(dI)), th) if c.is_real and dom.contains(float(c))]
    if crit:
        d = d.add(Step("Set the derivative to zero: the only stationary point in the domain is",
                       "the numerator vanishes there", None, tuple(sp.Eq(th, c, evaluate=False) for c in crit)))
        for c in crit:
            val = sp.simplify(I.subs(th, c))
            second = sp.simplify(sp.diff(I, th, 2).subs(th, c))
            kind = "minimum" if second.is_positive else ("maximum" if second.is_negative else "stationary point")
            d = d.add(Step(f"The second derivative there is {'positive' if second.is_positive else 'negative'}, "
                           f"so this is the {kind} of the information.", "second-derivative test",
                           Ith.subs(th, c), (val,)))
            ctx.values[f"fisher_{kind}"] = val
            ctx.values[f"fisher_arg{kind[:3]}"] = c
    limits = []
    for end, direction in ((dom.lo, "+"), (dom.hi, "-")):
        lim = sp.limit(I, th, end, direction)
        limits.append(sp.Eq(sp.Limit(Ith, th, end, direction), lim, evaluate=False))
    d = d.add(Step("At the ends of the parameter domain the information behaves as",
                   "one-sided limits of the closed form", None, tuple(limits)))
    ctx.curves["fisher"] = (th, I, dom)
    if "fisher_minimum" in ctx.values:
        return d.with_result(sp.Eq(Ith.subs(th, ctx.values["fisher_argmin"]), ctx.values["fisher_minimum"], evaluate=False))
    return d.with_result(sp.Tuple(*[lim.rhs for lim in limits]))


@register_quantity("additivity", args={"n": "posint", "at": "point"},
                   summary="I_n(θ) = n·I(θ) for n iid observations, optionally evaluated at given n and constants")
def _q_additivity(ctx, n=None, at=()):
    from .derive import iid_additivity

    fd = ctx.derive("fisher")
    d = iid_additivity(ctx.model, fd.result if fd is not None else None)
    if d.result is None:
        return d
    In = _scalar(d.result)
    ctx.values["I_n"] = In
    nsym = next((s for s in In.free_symbols if s.name == "n"), sp.Symbol("n", integer=True, positive=True))
    if n is not None or at:
        sub = ctx.point(at, "derive.additivity.at")
        if n is not None:
            sub[nsym] = sp.Integer(n)
        val = sp.simplify(In.subs(sub))
        shown = ", ".join(f"{k} = {sp.sstr(v)}" for k, v in sub.items())
        lhs = sp.Function("I_n")(*ctx.model.params)
        d = d.add(Step(f"Evaluate at {shown}.", "substitute the given values", lhs, (In, val)))
        ctx.values["I_n_value"] = val
        d = d.with_result(val)
        ctx.values["additivity_n"] = n
    return d


@register_quantity("fisher_eigen", args={"Sigma": "matrix"},
                   summary="a Gaussian mean's Fisher matrix Σ⁻¹ at a numeric Σ, with its eigen-directions")
def _q_fisher_eigen(ctx, Sigma):
    model = ctx.model
    fd = ctx.derive("fisher")
    d = Derivation("fisher_eigen", "The Fisher matrix at the given covariance, and its eigen-directions")
    cov = model.meta_value("covariance")
    if fd is None or fd.result is None or cov is None:
        return d.fail("fisher_eigen", "needs the Fisher matrix of a Gaussian model with a known covariance (mvn_mean)")
    S = sp.Matrix([[_expr(x, ctx.path, "derive.fisher_eigen.Sigma") for x in row] for row in Sigma])
    if S.shape != cov.shape:
        raise SpecError(ctx.path, "derive.fisher_eigen.Sigma", f"expected a {cov.shape[0]}x{cov.shape[1]} matrix, got {S.shape[0]}x{S.shape[1]}")
    if S != S.T or not all(ev > 0 for ev in S.eigenvals()):
        raise SpecError(ctx.path, "derive.fisher_eigen.Sigma", "expected a symmetric positive definite matrix")
    I = fd.result
    Ssym = sp.Symbol("Sigma")
    inv = sp.simplify(cov.inv() - I)
    d = d.add(Step("The derived Fisher matrix is the inverse covariance.", "compare with the inverse of the symbolic Σ entry by entry",
                   sp.Symbol("I"), (I, sp.Pow(Ssym, -1))))
    if inv != sp.zeros(*inv.shape):
        d = d.fail("fisher_eigen", "the derived Fisher matrix differs from the inverse covariance")
    sub = {cov[i, j]: S[i, j] for i in range(S.rows) for j in range(S.cols) if cov[i, j].is_Symbol}
    In = sp.simplify(I.subs(sub))
    d = d.add(Step("Substitute the given covariance.", "Σ as in the question", sp.Symbol("I"), (In,)))
    prod = sp.simplify(In * S)
    d = d.add(Step("Multiply by Σ: the product is the identity, so I is exactly Σ⁻¹.", "matrix product",
                   sp.MatMul(sp.Symbol("I"), Ssym, evaluate=False), (prod,)))
    import numpy as np

    ctx.values["fisher_value"] = In
    # the check multiplies in floating point, as the notebook does (not the exact product above)
    ctx.values["fisher_times_Sigma"] = (np.array(In.evalf(), dtype=float) @ np.array(S.evalf(), dtype=float))
    ctx.values["Sigma"] = S
    # eigen-directions: Σ v = λ v  <=>  I v = (1/λ) v
    rows = []
    for lam, mult, vecs in sorted(S.eigenvects(), key=lambda t: float(t[0])):
        v = vecs[0]
        v = sp.simplify(v / v.norm())
        rows.append((sp.nsimplify(sp.radsimp(lam)), v))
    eig_S = [sp.radsimp(r[0]) for r in rows]
    eig_I = [sp.radsimp(1 / r[0]) for r in rows]
    d = d.add(Step("Eigenvalues of Σ (variance along each principal direction).", "characteristic polynomial det(Σ − λ·Id) = 0",
                   None, tuple(sp.Eq(sp.Symbol(f"lambda_{k + 1}"), e, evaluate=False) for k, e in enumerate(eig_S))))
    d = d.add(Step("Σ and I = Σ⁻¹ share their eigenvectors; the eigenvalues of I are the reciprocals.",
                   "Σ v = λ v implies Σ⁻¹ v = v/λ",
                   None, tuple(sp.Eq(sp.Symbol(f"kappa_{k + 1}"), e, evaluate=False) for k, e in enumerate(eig_I))))
    d = d.add(Step("Approximately:", "numeric values", None,
                   tuple(sp.Eq(sp.Symbol(f"kappa_{k + 1}"), sp.N(e, 6), evaluate=False) for k, e in enumerate(eig_I))))
    ctx.values["fisher_eigenvalues"] = sp.Matrix([eig_I])
    ctx.values["Sigma_eigenvalues"] = sp.Matrix([eig_S])
    return d.with_result(In)


@register_quantity("fisher_expectation_sum", summary="I = Σₓ f(x) s(x)², written out term by term over a finite support")
def _q_fisher_expectation_sum(ctx):
    model = ctx.model
    d = Derivation("fisher_expectation_sum", f"Fisher information as the expected squared score, outcome by outcome")
    sup = model.support[0]
    if model.dim != 1 or len(model.data) != 1 or not sup.is_finite():
        return d.fail("fisher_expectation_sum", "needs a one-parameter model of one variable with a finite support")
    sd = ctx.derive("score")
    th, x = model.params[0], model.data[0]
    s = sd.result[0, 0]
    f = sp.simplify(model.density)
    terms, probs, scores = [], [], []
    for v in sup.points():
        fv, sv = sp.simplify(f.subs(x, v)), sp.simplify(s.subs(x, v))
        probs.append(sp.Eq(sp.Function("f")(v, th), fv, evaluate=False))
        scores.append(sp.Eq(sp.Function("s")(v, th), sv, evaluate=False))
        terms.append(sp.Mul(fv, sp.Pow(sv, 2, evaluate=False), evaluate=False))
    d = d.add(Step("The probabilities of the outcomes.", "the model", None, tuple(probs)))
    d = d.add(Step("The score at each outcome.", "substitute the outcome into the score", None, tuple(scores)))
    I = sp.Function("I")(th)
    total = sp.Add(*terms, evaluate=False)
    expanded = sp.Add(*[sp.simplify(t) for t in terms], evaluate=False)
    final = sp.factor(sp.simplify(sp.Add(*terms)))
    d = d.add(Step("Average the squared score over the outcomes, weighted by their probabilities.",
                   "I(θ) = E[s(X; θ)²] = Σₓ f(x; θ) s(x; θ)²", I, (total, expanded, final)))
    ctx.values["fisher_sum"] = final
    ctx.values["fisher_sum_terms"] = total
    return d.with_result(final)


@register_quantity("witnesses", args={"n_points": "posint", "mc_samples": "posint", "seed": "int", "only": "str"},
                   summary="the engine's numeric witnesses (symfisher.witness.verify) of what this part derived")
def _q_witnesses(ctx, n_points=1, mc_samples=100_000, seed=None, only=""):
    """Adds the witness rows (quadrature, Monte Carlo, KL curvature, Jeffreys normalizer ...) as checks.

    ``only`` keeps the rows whose name contains one of its comma-separated words.
    """
    from .limits import StepFailed

    try:
        from .witness import DEFAULT_SEED, verify
    except ImportError:
        raise StepFailed("witnesses", "needs symfisher.witness, which is not installed") from None
    kw = {}
    for name in ("fisher", "kl", "jeffreys"):
        d = ctx.derived.get(name)
        if d is not None and d.result is not None:
            kw[name] = d.result
    t = ctx.derived.get("kl_taylor")
    if t is not None and t.result is not None:
        kw["kl_taylor"] = {k: t.extras.get(k) for k in ("quadratic", "cubic")}
    if "fisher" not in kw:
        raise StepFailed("witnesses", "derive the Fisher information first (quantity = \"fisher\")")
    checks = verify(ctx.model, n_points=n_points, mc_samples=mc_samples,
                    seed=DEFAULT_SEED if seed is None else seed, **kw)
    words = [w.strip() for w in only.split(",") if w.strip()]
    if words:
        checks = [c for c in checks if any(w in c.name for w in words)]
    ctx.checks.extend(checks)
    return None


# ---------------------------------------------------------------- quantities: geometry (issue 3)


def _geometry(module: str, attr: str, ctx, label: str):
    import importlib

    from .limits import StepFailed

    try:
        mod = importlib.import_module(f"{__package__}.derive.{module}")
        return getattr(mod, attr)
    except (ModuleNotFoundError, AttributeError):  # shown as a failed step; the rest of the sheet still renders
        raise StepFailed(label, f"needs symfisher.derive.{module}.{attr}, which is not installed") from None


def _keep_values(ctx, d, name: str, extras: tuple = (), prefix: str | None = None) -> None:
    """``d.result`` becomes the value ``name``, and each SymPy ``d.extras[k]`` the value ``{prefix}_{k}``
    (``prefix`` defaults to ``name``)."""
    if d.result is not None:
        ctx.values[name] = d.result
    for k in extras:
        v = d.extras.get(k)
        if isinstance(v, sp.Basic):
            ctx.values[f"{prefix or name}_{k}"] = v


@register_quantity("reparam", args={"coords": "str"}, summary="the transformation law I_φ = Jᵀ I_θ J, and I_φ derived directly")
def _q_reparam(ctx, coords):
    fn = _geometry("reparam", "transformation_law", ctx, "reparam")
    try:
        d = fn(ctx.model, coords)
    except (KeyError, ValueError) as exc:
        raise SpecError(ctx.path, "derive.reparam.coords", str(exc).strip().splitlines()[0]) from None
    if d.result is not None:
        ctx.values["fisher_new"] = _scalar(d.result)
    for k, v in d.extras.items():
        if isinstance(v, (sp.Basic, sp.MatrixBase)):
            ctx.values[f"reparam_{k}"] = _scalar(v)
    return d


@register_quantity("kl", summary="the KL divergence KL(P_θ₁ ‖ P_θ₂) in closed form")
def _q_kl(ctx):
    fn = _geometry("kl", "kl_divergence", ctx, "kl")
    d = fn(ctx.model)
    _keep_values(ctx, d, "kl")
    return d


@register_quantity("kl_taylor", args={"order": "posint", "check_closed_form": "bool"},
                   summary="KL(P_θ ‖ P_θ+δ) = ½ δᵀ I δ + cubic term + …")
def _q_kl_taylor(ctx, order=3, check_closed_form=False):
    """The series term by term. Its optional cross-check against the series of the closed-form
    KL runs under a short wall-clock limit, so whether it finishes depends on the machine's
    load; sheets leave it off by default (principle 7: the same spec renders the same bytes)
    and check the terms numerically against the exact divergence instead."""
    fn = _geometry("taylor", "kl_taylor", ctx, "kl_taylor")
    d = fn(ctx.model, order=order, check_closed_form=check_closed_form)
    _keep_values(ctx, d, "kl_taylor", ("quadratic", "cubic", "exact", "kl"), prefix="kl")
    return d


@register_quantity("jeffreys", summary="the Jeffreys prior √det I(θ): propriety, normalizer and name")
def _q_jeffreys(ctx):
    fn = _geometry("jeffreys", "jeffreys_prior", ctx, "jeffreys")
    d = fn(ctx.model)
    _keep_values(ctx, d, "jeffreys", ("normalizer", "sqrt_det"))
    proper = d.extras.get("proper")
    if proper is not None:
        ctx.values["jeffreys_proper"] = sp.Integer(1 if proper else 0)
        norm = d.extras.get("normalizer")
        if proper and isinstance(norm, sp.Basic) and d.result is not None:
            ctx.values["jeffreys_density"] = _scalar(d.result) / norm
    ctx.curves["jeffreys"] = d
    return d


# ---------------------------------------------------------------- quantities: ML (issue 4)


def _ml(attr: str, ctx, label: str):
    from .limits import StepFailed

    try:
        from . import ml
    except ImportError:
        raise StepFailed(label, "needs symfisher.ml, which is not installed") from None
    return getattr(ml, attr)


def _ml_result(ctx, r, prefix: str, names: dict):
    for key, attr in names.items():
        ctx.values[f"{prefix}{key}"] = getattr(r, attr)
    return r.derivation


@register_quantity("empirical_vs_hessian", args={"n": "posint", "weights": "vector", "seed": "int"}, needs_model=False,
                   summary="logistic regression: empirical Fisher against the observed Hessian on seeded data")
def _q_empirical_vs_hessian(ctx, n, weights, seed):
    r = _ml("empirical_vs_hessian", ctx, "empirical_vs_hessian")(n=n, weights=weights, seed=seed)
    return _ml_result(ctx, r, "", {"empirical_fisher": "empirical_fisher", "observed_hessian": "observed_hessian",
                                   "gap": "gap", "expected_empirical": "expected_empirical", "xtwx": "xtwx"})


@register_quantity("ewc", args={"n": "posint", "weights": "vector", "seed": "int", "moves": "matrix", "kind": "str"},
                   needs_model=False, summary="elastic weight consolidation: diagonal-Fisher importance and penalties")
def _q_ewc(ctx, n, weights, seed, moves, kind="fisher"):
    try:
        r = _ml("ewc_importance", ctx, "ewc")(n=n, task_weights=weights, seed=seed, moves=moves, kind=kind)
    except ValueError as exc:
        raise SpecError(ctx.path, "derive.ewc", str(exc).splitlines()[0]) from None
    return _ml_result(ctx, r, "ewc_", {"fisher_diag": "fisher_diag", "empirical_diag": "empirical_diag",
                                       "penalties": "penalties"})


@register_quantity("natural_gradient_step", args={"g": "vector", "F": "matrix", "eta": "number"}, needs_model=False,
                   summary="the natural step −η F⁻¹ g against the ordinary step −η g")
def _q_natural_gradient_step(ctx, g, F, eta):
    try:
        r = _ml("natural_gradient_step", ctx, "natural_gradient_step")(g=g, F=F, eta=eta)
    except ValueError as exc:
        raise SpecError(ctx.path, "derive.natural_gradient_step", str(exc).splitlines()[0]) from None
    return _ml_result(ctx, r, "", {"natural_step": "natural", "plain_step": "plain", "step_ratio": "ratio"})


# ---------------------------------------------------------------- numeric witnesses (independent of the symbolic route)


def _fd_score(model, point: dict, h: float = 1e-5):
    """Central finite differences of the log-density in each parameter, as expressions in x only."""
    out = []
    base = {s: sp.N(v, 30) for s, v in point.items()}
    for th in model.params:
        up = model.log_density.subs({**base, th: base[th] + h})
        dn = model.log_density.subs({**base, th: base[th] - h})
        out.append((up - dn) / (2 * h))
    return out


@register_witness("fisher_quadrature")
def _w_fisher_quadrature(ctx, req, point):
    """E[∂ᵢℓ ∂ⱼℓ] with central finite-difference scores (no symbolic derivative or expectation),
    by quadrature, exact sums or a Gauss–Hermite rule (``numeric.expect_vec``)."""
    import numpy as np

    from .numeric import expect_vec, lambdify_expr

    model = ctx.model
    wargs = dict(req.witness_args)
    if "coords" in wargs:  # the model rewritten in named coordinates, e.g. logit
        model = _in_coords(model, wargs["coords"], ctx.path, "check.witness_args.coords")
        byname = {s.name: v for s, v in point.items()}
        point = {s: byname[s.name] for s in model.params + model.constants if s.name in byname}
    i, j = req.entry or (0, 0)
    missing = [s.name for s in model.params + model.constants if s not in point]
    if missing:
        raise SpecError(ctx.path, "check.at", f"the witness needs every parameter and constant; {missing[0]} is missing")
    g = _fd_score(model, point)
    fi = lambdify_expr(g[i] * g[j], model.data)
    values = {s.name: float(v) for s, v in point.items()}

    def integrand(xs):
        with np.errstate(all="ignore"):
            v = np.asarray(fi(*xs), dtype=float)
        return np.broadcast_to(v, np.shape(xs[0]))[:, None]

    val = float(expect_vec(model, values, integrand)[0])
    sup = model.support[0]
    route = ("Gauss–Hermite rule" if len(model.data) > 1 else
             "exact sum over the support" if sup.is_finite() else
             "truncated sum" if type(sup).__name__ == "IntegerSupport" else "quadrature")
    return val, f"E[s_i s_j] with central finite-difference scores (h = 1e-5), by {route}", None


@register_witness("kl_quadrature")
def _w_kl_quadrature(ctx, req, point):
    """KL(P_θ ‖ P_θ') = E_θ[ℓ(θ) − ℓ(θ')] by quadrature or exact sums of the log-density
    (no closed form, no expansion). θ is ``p`` or ``p_1`` of the point; θ' is ``p_2``, or
    θ + ``delta_p``, or θ plus the shift in ``witness_args``."""
    from .numeric import expect_numeric

    model = ctx.model
    byname = {s.name: v for s, v in point.items()}
    shift = dict(req.witness_args)
    base, moved = {}, {}
    for s in model.params + model.constants:
        v = byname.get(s.name, byname.get(f"{s.name}_1"))
        if v is None:
            raise SpecError(ctx.path, "check.at", f"the KL witness needs {s.name} (or {s.name}_1)")
        base[s] = v
        if s.name in shift:
            moved[s] = v + _expr(shift[s.name], ctx.path, f"check.witness_args.{s.name}")
        elif f"{s.name}_2" in byname:
            moved[s] = byname[f"{s.name}_2"]
        elif f"delta_{s.name}" in byname:
            moved[s] = v + byname[f"delta_{s.name}"]
        else:
            moved[s] = v
    g = model.log_density.subs({k: sp.N(v, 30) for k, v in base.items()}) - \
        model.log_density.subs({k: sp.N(v, 30) for k, v in moved.items()})
    values = {s.name: float(v) for s, v in base.items()}
    val = expect_numeric(model, g, values)
    moved_s = ", ".join(f"{s} = {float(v):g}" for s, v in moved.items() if s in model.params)
    return val, f"E[log f(X; θ) − log f(X; θ')] at θ' with {moved_s}, summed or integrated numerically", None


@register_witness("joint_observed_information")
def _w_joint_observed(ctx, req, point):
    """Seeded Monte Carlo: the mean over replications of the second finite difference of the
    joint log-likelihood of n simulated observations (its expectation is I_n)."""
    import numpy as np

    from .numeric import lambdify_expr

    model = ctx.model
    args = dict(req.witness_args)
    n = int(args.get("n", ctx.values.get("additivity_n") or 1))
    reps = int(args.get("replications", 2000))
    seed = int(args.get("seed", 0))
    if model.sampler is None or model.dim != 1:
        raise SpecError(ctx.path, "check.witness", "joint_observed_information needs a one-parameter catalog model with a sampler")
    values = {s.name: float(v) for s, v in point.items()}
    th = model.params[0]
    rest = model.constants
    f = lambdify_expr(model.log_density, model.data + (th,) + rest)
    rng = np.random.default_rng(seed)
    x = np.asarray(model.sampler(rng, values, n * reps), dtype=float).reshape(reps, n)
    t0, h = values[th.name], 1e-4
    cv = [values[c.name] for c in rest]

    def ell(t):
        return np.sum(f(x, t, *cv), axis=1)

    obs = -(ell(t0 + h) - 2 * ell(t0) + ell(t0 - h)) / h**2
    se = float(np.std(obs, ddof=1) / math.sqrt(reps)) if reps > 1 else None
    return float(np.mean(obs)), f"{reps} seeded replications (seed {seed}) of n = {n} draws; second finite difference h = 1e-4", se


@register_witness("quadrature_integral")
def _w_quadrature_integral(ctx, req, point):
    """∫ of a derived closed form over the parameter domain, numerically (scipy.integrate.quad)."""
    from scipy import integrate

    from .numeric import lambdify_expr

    args = dict(req.witness_args)
    name = args.get("of", req.of)
    expr = ctx.values.get(name)
    if expr is None:
        raise SpecError(ctx.path, "check.witness_args.of", f"no derived value {name!r}")
    expr = _scalar(expr).subs(point)
    th = ctx.model.params[0]
    dom = ctx.model.domain(th)
    f = lambdify_expr(expr, (th,))
    lo = float(dom.lo) if dom.lo.is_finite else -math.inf
    hi = float(dom.hi) if dom.hi.is_finite else math.inf
    val, err = integrate.quad(lambda t: float(f(t)), lo, hi, limit=400, epsabs=1e-12, epsrel=1e-12)
    return val, f"numerical integral over ({dom.lo}, {dom.hi}) (estimated error {err:.1e})", None


# ---------------------------------------------------------------- evaluating checks


def _evaluate(value, point: dict):
    """A derived value at a point: a float, or a list of lists of floats for a matrix."""
    if isinstance(value, (sp.MatrixBase, sp.Basic)):
        left = sorted(map(str, value.subs(point).free_symbols))
        if left:
            raise ValueError(f"still depends on {', '.join(left)}")
    if isinstance(value, sp.MatrixBase):
        M = value.subs(point)
        return [[complex(sp.N(M[i, j], 30)).real for j in range(M.cols)] for i in range(M.rows)]
    if isinstance(value, sp.Basic):
        v = sp.N(value.subs(point), 30)
        return float(sp.re(v)) if v.is_finite is not False else math.inf
    import numpy as np

    a = np.asarray(value, dtype=float)
    if a.ndim == 1:  # a vector is one row: entry = [0, k]
        return [a.tolist()]
    return a.tolist() if a.ndim else float(a)


def run_check(ctx: Context, req: CheckRequest, key: str) -> Check:
    point = ctx.point(req.at, key + ".at", ctx.values.get(req.of) if req.of else None)
    value = None
    if req.of is not None:
        if req.of not in ctx.values and ctx.failed:  # its quantity failed: the check fails, visibly
            return Check(req.name, math.nan, math.nan, req.tol,
                         detail=f"not derived ({', '.join(ctx.failed)} could not be completed)")
        if req.of not in ctx.values:
            known = ", ".join(sorted(k for k in ctx.values if not k.startswith("_"))) or "none"
            raise SpecError(ctx.path, key + ".of", f"no derived value {req.of!r} (derived here: {known})")
        try:
            value = _evaluate(ctx.values[req.of], point)
        except ValueError as exc:
            raise SpecError(ctx.path, key + ".at", f"{req.of} {exc}: give its value in at = {{...}}") from None
        if req.entry is not None and not isinstance(value, list):
            raise SpecError(ctx.path, key + ".entry", f"{req.of} is a single number: leave entry out")
        if req.entry is not None and isinstance(value, list):
            i, j = req.entry
            try:
                value = value[i][j]
            except IndexError:
                raise SpecError(ctx.path, key + ".entry", f"{req.of} has no entry {list(req.entry)}") from None
        elif isinstance(value, list) and len(value) == 1 and len(value[0]) == 1:
            value = value[0][0]
    stderr = None
    detail = req.detail
    if req.witness is not None:
        if value is None:  # a witness on its own: nothing to compare with
            raise SpecError(ctx.path, key + ".of", "a witness needs the derived value to compare with (of = ...)")
        if isinstance(value, list):
            raise SpecError(ctx.path, key + ".entry",
                            f"{req.of} is a matrix: name the entry to compare, entry = [row, column]")
        target, wdetail, stderr = WITNESSES[req.witness](ctx, req, point)
        detail = detail or wdetail
        return Check(req.name, float(value), float(target), req.tol, detail=detail, stderr=stderr)
    t = req.target
    if isinstance(t, tuple):  # a matrix target
        T = [[float(_expr(x, ctx.path, key + ".target")) for x in row] for row in t]
        V = value if isinstance(value, list) else [[value]]
        if len(T) != len(V) or len(T[0]) != len(V[0]):
            raise SpecError(ctx.path, key + ".target", f"is {len(T)}x{len(T[0])} but {req.of} is {len(V)}x{len(V[0])}")
        err = max(abs(a - b) for ra, rb in zip(V, T) for a, b in zip(ra, rb))
        return Check(req.name, err, 0.0, req.tol, detail=detail or "largest entrywise |value − target|")
    target = float(sp.N(_expr(t, ctx.path, key + ".target"), 30))
    if isinstance(value, list):
        raise SpecError(ctx.path, key + ".entry", f"{req.of} is a matrix: name an entry [row, column] or give a matrix target")
    return Check(req.name, float(value), target, req.tol, detail=detail, stderr=stderr)


# ---------------------------------------------------------------- sections


def textbook_derivation(d: Derivation) -> Derivation:
    """A derivation as a sheet shows it: the engine's ASCII formulas in its texts typeset as
    math (:func:`~symfisher.render.notation.textbook_prose`), and every result whose sign
    reads backwards (``-1/(p(p - 1))``) followed by its own line in conventional form, with
    the sign change as the reason (:func:`~symfisher.textbook.conventional_sign`)."""
    from .derivation import Failure
    from .render.latex import latex_of
    from .render.notation import textbook_prose
    from .textbook import conventional_sign

    def why(flipped):
        return ", ".join("$-(%s) = %s$" % (latex_of(b), latex_of(sp.Add(*[-t for t in b.args]))) for b in flipped)

    steps = []
    for st in d.steps:
        reason = textbook_prose(st.reason)
        forms = st.forms
        # a sign absorbed between two forms of the chain: say so in the reason
        for a, b in zip(forms, forms[1:]):
            if isinstance(a, (sp.Expr, sp.MatrixBase)):
                new, flipped = conventional_sign(a)
                if flipped and new == b:
                    reason = (reason + "; " if reason else "") + why(flipped)
        st = replace(st, statement=textbook_prose(st.statement), reason=reason)
        steps.append(st)
        last = st.expr
        if isinstance(last, (sp.Expr, sp.MatrixBase)):
            new, flipped = conventional_sign(last)
            if flipped:
                steps.append(Step("Absorb the minus sign into a factor:", why(flipped), None, (last, new)))
    result = conventional_sign(d.result)[0] if d.result is not None else None
    failures = tuple(Failure(textbook_prose(f.step), textbook_prose(f.reason)) for f in d.failures)
    return replace(d, title=textbook_prose(d.title), steps=tuple(steps), result=result, failures=failures,
                   notes=tuple(d.notes))


def _run_part(spec: Spec, part: Part, index: int):
    ctx = Context(spec, part)
    where = f"part[{index}]." if len(spec.parts) > 1 else ""
    if part.model:
        ctx.model = build_model(spec, part, index)
    derivations = []
    for k, q in enumerate(part.derive):
        key = f"{where}derive[{k}]"
        try:
            d = QUANTITIES[q.name].fn(ctx, **q.kwargs)
        except SpecError:
            raise
        except Exception as exc:  # a step the engine could not do: shown, not hidden (principle 6)
            from .limits import StepFailed

            if not isinstance(exc, (KeyError, ValueError, StepFailed)):
                raise
            text = str(exc).strip()
            msg = getattr(exc, "reason", None) or (text.splitlines()[0] if text else type(exc).__name__)
            title = QUANTITIES[q.name].summary or q.name
            d = Derivation(q.name, title[:1].upper() + title[1:]).fail(q.name, msg)
            ctx.failed.append(q.name)
        if d is None:
            continue
        ds = [d] if isinstance(d, Derivation) else list(d)
        if any(one.failures for one in ds) and q.name not in ctx.failed:
            ctx.failed.append(q.name)  # a step it could not finish: checks of its values fail visibly
        ctx.derived.setdefault(q.name, ds[0])
        for one in ds:
            ctx.checks.extend(one.checks)
            derivations.append(textbook_derivation(replace(one, checks=(), extras={})))
    checks = list(ctx.checks)
    for k, c in enumerate(part.checks):
        checks.append(run_check(ctx, c, f"{where}check[{k}]"))
    return ctx, derivations, checks


def build_section(spec: Spec, figure_dir: Path | None = None, figure_prefix: str = "figures/") -> "Section":
    """The worked-solution :class:`~symfisher.render.Section` of one spec.

    With ``figure_dir`` the spec's figures are drawn (when matplotlib is installed): SVG
    inline, PDF and PNG written into ``figure_dir`` and referenced as ``figure_prefix + name``.
    """
    from .render import Section

    derivations, checks, figures = [], [], {}
    multi = len(spec.parts) > 1
    for i, part in enumerate(spec.parts):
        ctx, ds, cs = _run_part(spec, part, i)
        if multi and part.heading:
            ds = [replace(d, title=f"{part.heading}: {d.title}") for d in ds]
        if part.note and ds:
            ds[0] = ds[0].note(part.note)
        derivations += ds
        checks += cs
        if part.figures:
            from . import plots

            for k, fr in enumerate(part.figures):
                fname = f"{spec.name}-{i}-{k}-{fr.kind}" if multi else f"{spec.name}-{k}-{fr.kind}"
                fig = plots.draw(fr, ctx, fname, figure_dir, figure_prefix)
                if fig is not None:
                    figures[f"{k if not multi else f'{i}.{k}'} {fr.kind}"] = fig
    return Section(spec.title, question=spec.question, derivations=derivations, explanation=spec.explanation,
                   takeaway=spec.takeaway, checks=checks, figures=figures)


def build_sections(specs, figure_dir=None, figure_prefix="figures/") -> list:
    return [build_section(s, figure_dir, figure_prefix) for s in specs]


# ---------------------------------------------------------------- writing


class OutputError(ValueError):
    """The sheets cannot be written where asked (``--out`` is a file, a name is taken by a
    directory, the disk is full ...): one line, and nothing of this run is left behind."""


def check_out_dir(out_dir) -> Path:
    """``out_dir`` is, or can be created as, a writable directory (checked before any work)."""
    out_dir = Path(out_dir)
    for anc in (out_dir, *out_dir.parents):
        if os.path.lexists(anc):
            if not anc.is_dir():
                where = "" if anc == out_dir else f" ({anc} is a file)"
                raise OutputError(f"--out {out_dir}: not a directory{where}")
            if not os.access(anc, os.W_OK | os.X_OK):
                raise OutputError(f"--out {out_dir}: {anc} is not writable")
            break
    return out_dir


def check_targets(targets) -> None:
    """Every file about to be written may be: nothing there, or a regular file (not a directory)."""
    for t in targets:
        t = Path(t)
        for anc in t.parents:
            if os.path.lexists(anc):
                if not anc.is_dir():
                    raise OutputError(f"cannot write {t}: {anc} is not a directory")
                break
        if os.path.lexists(t) and not t.is_file():
            raise OutputError(f"cannot write {t}: a directory (or other non-file) of that name is in the way")


def write_all(files: dict) -> list[Path]:
    """Write ``{path: str | bytes}`` all or nothing.

    Every file is first written to a temporary file beside its target; only when all of them
    are complete are they renamed into place (``os.replace``). A failure on the way (disk
    full, permissions, an interrupt) removes every temporary file and leaves the old outputs
    as they were; it is reported as one :class:`OutputError` line.
    """
    check_targets(files)
    pending: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            path = Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            raw = data.encode("utf-8") if isinstance(data, str) else data
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            pending.append((tmp, path))
            with os.fdopen(fd, "wb") as fh:
                _write_bytes(fh, raw)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)
    except BaseException as exc:
        for tmp, _ in pending:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {path}: {exc.strerror or exc}; nothing was written") from None
        raise
    done = 0
    try:
        for tmp, path in pending:
            os.replace(tmp, path)
            done += 1
    except BaseException as exc:  # interrupted between renames: each file is old or new, no temp left
        for tmp, _ in pending[done:]:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {pending[done][1]}: {exc.strerror or exc}") from None
        raise
    return [path for _, path in pending]


def _write_bytes(fh, raw: bytes) -> None:  # one seam, so tests can make the disk fill up
    fh.write(raw)


def atomic_write(path: Path, data) -> None:
    """Write one file atomically: readers see the old file or the complete new one."""
    write_all({Path(path): data})


INDEX_TITLE = "Fisher information: ten worked exercises"
EXERCISE_INDEX_TITLE = "Fisher information: ten exercises"
EXT = {"tex": "tex", "html": "html", "md": "md", "json": "json", "txt": "txt", "ipynb": "ipynb"}
#: every format ``sheet --format`` accepts: the document renderers and the notebook
SHEET_FORMATS = ("tex", "html", "md", "json", "txt", "ipynb")
DEFAULT_FORMATS = ("tex", "html", "md", "json", "ipynb")


def output_names(names, formats) -> list[str]:
    """The files a run writes for specs ``names`` (besides figures), in a fixed order.

    For every document format: the solution sheet ``<name>.<ext>``, the exercise sheet
    (questions only, for handing out) ``<name>-exercise.<ext>``, and the combined
    ``index.<ext>`` and ``index-exercise.<ext>``; for ``ipynb`` one notebook per spec.
    """
    out = []
    for fmt in formats:
        if fmt == "ipynb":
            out += [f"{n}.ipynb" for n in names]
            continue
        ext = EXT[fmt]
        for n in list(names) + ["index"]:
            out += [f"{n}.{ext}", f"{n}-exercise.{ext}"]
    return out


def notebook_checks(spec_text: str, name: str = "<spec>") -> list:
    """The numeric checks of a spec, recomputed (what a sheet's notebook runs)."""
    return list(build_section(parse_spec(spec_text, name)).all_checks)


def exercise_section(section):
    """The exercise sheet's section: the title and the question, nothing that gives the answer away."""
    from .render import Section

    return Section(section.title, question=section.question)


# Sections travel from worker processes to the parent as pickles. Plain pickling rebuilds
# every SymPy node through its evaluating constructor, which would turn the unevaluated forms
# of a step (``p*(1/p)**2 + ...``) into their canonical ones; these are rebuilt unevaluated.
_UNEVALUATED = (sp.Add, sp.Mul, sp.Pow, sp.Equality, sp.Unequality)


def _rebuild(cls, args):
    return cls(*args, evaluate=False)


class _SectionPickler(__import__("pickle").Pickler):
    def reducer_override(self, obj):
        if type(obj) in _UNEVALUATED:
            return _rebuild, (type(obj), obj.args)
        return NotImplemented


def _dumps(obj) -> bytes:
    import io

    buf = io.BytesIO()
    _SectionPickler(buf, protocol=5).dump(obj)
    return buf.getvalue()


def _worker(path: str, figure_dir: str | None, figure_prefix: str):
    """One spec -> (pickled section, figure files {name: bytes}); runs in a worker process.

    The serial path goes through the same pickling, so both give the same bytes.
    """
    import tempfile as _tf

    spec = load_spec(path)
    if figure_dir is None:
        return _dumps(build_section(spec, None, figure_prefix)), {}
    with _tf.TemporaryDirectory(prefix="symfisher-fig-") as tmp:
        sec = build_section(spec, Path(tmp), figure_prefix)
        files = {p.name: p.read_bytes() for p in sorted(Path(tmp).iterdir())}
    return _dumps(sec), files


def _render_all(sections, specs, formats, settings, title, exercise_title=EXERCISE_INDEX_TITLE):
    from .render import render_document

    out = {}
    exercises = [exercise_section(sec) for sec in sections]
    for fmt in formats:
        if fmt == "ipynb":
            from .render.notebook import render_notebook

            for spec, sec in zip(specs, sections):
                out[f"{spec.name}.ipynb"] = render_notebook(sec, spec.source, Path(spec.path).name, settings)
            continue
        ext = EXT[fmt]
        for spec, sec, ex in zip(specs, sections, exercises):
            out[f"{spec.name}.{ext}"] = render_document([sec], fmt, title=sec.title, settings=settings)
            out[f"{spec.name}-exercise.{ext}"] = render_document([ex], fmt, title=ex.title, settings=settings)
        out[f"index.{ext}"] = render_document(list(sections), fmt, title=title, settings=settings)
        out[f"index-exercise.{ext}"] = render_document(exercises, fmt, title=exercise_title, settings=settings)
    return out


def write_sheets(paths, out_dir, formats=DEFAULT_FORMATS, *, jobs: int = 2, figures: bool = True,
                 progress=None, title: str = INDEX_TITLE, settings=None) -> list[Path]:
    """Build the sheets of the spec files ``paths`` and write them into ``out_dir``.

    The files are :func:`output_names`: per spec and document format a solution sheet and an
    exercise sheet, plus ``index.<fmt>`` (all sections, with contents) and ``index-exercise.<fmt>``;
    with ``ipynb`` a notebook per spec. Specs and output paths are validated before anything is derived; derivations run in ``jobs`` worker
    processes and are rendered in spec order; every file is written atomically, and only
    after every sheet has been built, so a failed or interrupted run leaves complete files.
    Returns the paths written.
    """
    import pickle

    for fmt in formats:
        if fmt not in SHEET_FORMATS:
            raise ValueError(f"unknown format {fmt!r}; expected some of {', '.join(SHEET_FORMATS)}")
    if "ipynb" in formats:
        try:
            import nbformat  # noqa: F401
        except ImportError:
            raise ValueError("--format ipynb needs the nbformat package (pip install nbformat)") from None
    out_dir = check_out_dir(out_dir)
    specs = [load_spec(p) for p in paths]
    names = [s.name for s in specs]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError(f"two specs are both named {dup[0]!r}: their sheets would overwrite each other")
    if "index" in names:
        raise ValueError("a spec may not be called 'index' (the combined sheet is index.*)")
    targets = output_names(names, formats)
    clash = sorted({t for t in targets if targets.count(t) > 1})
    if clash:
        raise ValueError(f"two outputs would both be called {clash[0]!r}: rename one of the specs")
    check_targets(out_dir / t for t in targets)
    from . import plots

    use_figs = figures and plots.available()
    fig_dir = str(out_dir / "figures") if use_figs else None
    say = progress or (lambda msg: print(msg, file=sys.stderr, flush=True))
    results = [None] * len(specs)
    total = len(specs)
    if jobs > 1 and total > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        ctxm = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
        with ProcessPoolExecutor(max_workers=min(jobs, total), mp_context=ctxm) as pool:
            futs = {pool.submit(_worker, s.path, fig_dir, "figures/"): k for k, s in enumerate(specs)}
            done = 0
            for fut in as_completed(futs):
                k = futs[fut]
                sec, files = fut.result()
                results[k] = (pickle.loads(sec), files)
                done += 1
                say(f"[{done}/{total}] {specs[k].name}: {_summary(results[k][0])}")
    else:
        for k, s in enumerate(specs):
            sec, files = _worker(s.path, fig_dir, "figures/")
            results[k] = (pickle.loads(sec), files)
            say(f"[{k + 1}/{total}] {s.name}: {_summary(results[k][0])}")
    sections = [r[0] for r in results]
    docs = _render_all(sections, specs, formats, settings, title)
    files: dict = {}
    for sec, figs in results:
        for fname, data in figs.items():
            files[out_dir / "figures" / fname] = data
    for fname, text in docs.items():
        files[out_dir / fname] = text
    written = Written(write_all(files))
    for spec, sec in zip(specs, sections):
        written.failed += [(spec.name, c.name) for c in sec.all_checks if not c.passed]
        written.failed += [(spec.name, f"{f.step}: step not completed") for d in sec.derivations for f in d.failures]
    return written


class Written(list):
    """The paths :func:`write_sheets` wrote; ``failed`` lists ``(spec, check)`` of every numeric
    check that failed and every step that could not be completed (``sheet`` then exits 1)."""

    def __init__(self, paths=()):
        super().__init__(paths)
        self.failed: list = []


def _summary(section) -> str:
    checks = section.all_checks
    passed = sum(c.passed for c in checks)
    fails = sum(len(d.failures) for d in section.derivations)
    extra = f", {fails} step(s) not completed" if fails else ""
    return f"{len(section.derivations)} derivation(s), checks {passed}/{len(checks)} pass{extra}"
