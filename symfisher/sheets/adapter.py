"""The adapter: a parsed spec -> derivations from the engine -> checks -> a sheet :class:`Section`.

Each part gets a :class:`Context`: its model, and its results, the derivations by quantity
name, exactly as the engine returns them. The engine's quantities of a part are derived
together by one ``derive_all`` call (the pipeline of ``symfisher derive``) with the spec's
arguments; the sheet-only ones (:mod:`.quantities`) add theirs. Checks address results by
typed paths (:mod:`.paths`): :func:`resolve` turns ``fisher_eigen.values[1]`` into the
value, :func:`run_check` compares it at the spec's point with a literature target or a
numeric witness, and :func:`textbook_derivation` turns each derivation into the form a
sheet shows.
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import sympy as sp

from ..derivation import Check, Derivation, Step
from ..textbook import page_letters, random_variables, setting, textbook_derivation  # the one display pass every renderer applies
from .paths import ResultPath, parse_path
from .registry import QUANTITIES, WITNESSES
from .schema import CheckRequest, Part, Spec, SpecError, _expr, model_sizes, parse_spec

__all__ = ["Context", "build_model", "run_check", "resolve", "textbook_derivation", "build_section",
           "build_sections", "notebook_checks", "exercise_section"]

# what a sheet asks of an engine quantity when its spec says nothing: the optional cross-check of
# the KL series runs under a wall-clock limit, so whether it finishes depends on the machine's load;
# a sheet leaves it off (the same spec renders the same bytes) and checks the terms numerically
SHEET_DEFAULTS = {"kl_taylor": {"check_closed_form": False}}


# ---------------------------------------------------------------- context


@dataclass
class Context:
    """What one part's quantities share: the model and the results (quantity name -> Derivation)."""

    spec: Spec
    part: Part
    model: Any = None
    results: dict = field(default_factory=dict)  # quantity name -> Derivation, as derived
    checks: list = field(default_factory=list)  # checks produced by quantities (ML, witnesses)
    failed: list = field(default_factory=list)  # quantities that could not be derived
    report: Any = None  # the engine's Report (symfisher.derive.report) for this part's model
    where: str = ""  # "part[i]." in a spec with several parts

    @property
    def path(self):
        return self.spec.path

    def engine(self, name: str) -> Derivation:
        """The derivation of ``name`` by the engine's own registry (``derive_all``, the pipeline of
        ``symfisher derive``): one report per part, holding every engine quantity the part asks for
        (with the spec's arguments) and what they need, each derived once."""
        from ..derive.report import derive_all

        if self.report is None or name not in self.report.derivations:
            wanted, args = [], {}
            for k, q in enumerate(self.part.derive):
                if QUANTITIES[q.name].engine and q.name not in wanted:
                    wanted.append(q.name)
                    args[q.name] = self.engine_args(q, f"{self.where}derive[{k}]")
            if name not in wanted:
                wanted.append(name)
            self.report = derive_all(self.model, only=tuple(wanted), args=args)
        return self.report.derivations[name]

    def engine_args(self, request, key: str) -> dict:
        """A ``[[derive]]``'s arguments as the engine takes them: points as ``{Symbol: exact value}``
        inside the domain, matrices as exact SymPy matrices, coordinate names the model knows."""
        kinds = QUANTITIES[request.name].args
        out = dict(SHEET_DEFAULTS.get(request.name, {}))
        for name, v in request.args:
            kind, k = kinds.get(name), f"{key}.{name}"
            if kind == "point":
                v = self.point(v, k)
            elif kind == "matrix":
                v = sp.Matrix([[_expr(x, self.path, k) for x in row] for row in v])
            elif kind == "coords":
                from ..derive.reparam import named_coordinates

                try:
                    named_coordinates(self.model, v)
                except (KeyError, ValueError) as exc:
                    raise SpecError(self.path, k, str(exc).strip().strip("'\"").splitlines()[0]) from None
            out[name] = v
        return out

    def derivation(self, name: str):
        """The derivation of ``name``: a result of this part, or one the engine derived on the way."""
        d = self.results.get(name)
        if d is None and self.report is not None:
            d = self.report.derivations.get(name)
        return d

    def value(self, path, default=None):
        """The value at a typed path (text or :class:`ResultPath`), or ``default`` when it was not derived."""
        rp = parse_path(path) if isinstance(path, str) else path
        try:
            return resolve(self, rp)
        except LookupError:
            return default

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
                known = list(dict.fromkeys([*sorted(self.model.symbols if self.model is not None else ()),
                                            *(e.name for e in extra)]))  # p of the model and p of fisher: once
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


def resolve(ctx: Context, rp: ResultPath):
    """The value a path names, without its index: the result or a field (``extras``) of the
    derivation, 1×1 matrices as scalars and yes/no facts as 1/0. ``LookupError`` when it was not
    derived (the quantity failed, or the field does not apply to this model)."""
    d = ctx.derivation(rp.quantity)
    if d is None:
        raise LookupError(f"{rp.quantity} was not derived")
    v = d.result if rp.field is None else d.extras.get(rp.field)
    if v is None:
        raise LookupError(f"{rp.value_name} was not derived" + (f" ({d.failures[0].reason})" if d.failures else ""))
    if isinstance(v, bool):
        return sp.Integer(int(v))
    return _scalar(v)


# ---------------------------------------------------------------- building models


def build_model(spec: Spec, part: Part, index: int):
    from ..families import UnknownModel, get_model
    from ..model import ModelError, ReservedNameError

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
            from ..usermodel import from_density, from_logpdf

            build = from_density if "density" in m else from_logpdf
            text = m.get("density", m.get("logpdf"))
            model = build(text, m["var"], list(m.get("params", ())), list(m.get("consts", ())),
                          name=m.get("label") or None, constraints=list(m.get("constraints", ())))
    except SpecError:
        raise
    except ReservedNameError as exc:  # a constant a_1 or a parameter delta_a: the key that declares it
        raise SpecError(spec.path, where + ("consts" if "consts" in m else "params"), str(exc)) from None
    except (ModelError, ValueError) as exc:
        key = "name" if "name" in m else ("density" if "density" in m else "logpdf")
        raise SpecError(spec.path, where + key, str(exc).strip().splitlines()[0]) from None
    if "coords" in m:
        model = _in_coords(model, m["coords"], spec.path, where + "coords")
    from ..derive.taylor import derived_name_clash  # hunt: a constant a_1 or a parameter delta_a (bad input)

    why = derived_name_clash(model)
    if why:
        raise SpecError(spec.path, where + ("consts" if "consts" in m else "params"), why)
    return model


def _in_coords(model, coords, path, key):
    try:
        from ..derive import reparam
    except ImportError:
        raise SpecError(path, key, "coordinate systems need symfisher.derive.reparam, which is not installed") from None
    fn = getattr(reparam, "in_coordinates", None) or getattr(reparam, "reparameterize", None)
    if fn is None:
        raise SpecError(path, key, "symfisher.derive.reparam has no in_coordinates/reparameterize")
    try:
        return fn(model, coords)
    except (ValueError, KeyError) as exc:
        raise SpecError(path, key, str(exc).strip().splitlines()[0]) from None


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


def _pick(value, rp: ResultPath, path, key):
    """The entry ``rp.index`` of an evaluated value (a float or a list of rows)."""
    if not rp.index:
        if isinstance(value, list) and len(value) == 1 and len(value[0]) == 1:
            return value[0][0]
        return value
    if not isinstance(value, list):
        raise SpecError(path, key, f"{rp.value_name} is a single number: leave the index out")
    rows, cols = len(value), len(value[0])
    if len(rp.index) == 1:
        if rows != 1 and cols != 1:
            raise SpecError(path, key, f"{rp.value_name} is a {rows}x{cols} matrix: address an entry as "
                            f"{rp.value_name}[row, column]")
        k = rp.index[0]
        flat = value[0] if rows == 1 else [r[0] for r in value]
        if k >= len(flat):
            raise SpecError(path, key, f"{rp.value_name} has {len(flat)} entries: no entry [{k}] (counting from 0)")
        return flat[k]
    i, j = rp.index
    if i >= rows or j >= cols:
        raise SpecError(path, key, f"{rp.value_name} is {rows}x{cols}: no entry [{i}, {j}] (counting from 0)")
    return value[i][j]


def run_check(ctx: Context, req: CheckRequest, key: str) -> Check:
    rp = req.of
    try:
        raw = resolve(ctx, rp)
    except LookupError as exc:
        if ctx.failed or ctx.derivation(rp.quantity) is not None:  # its quantity failed: the check fails, visibly
            why = f"{', '.join(ctx.failed)} could not be completed" if ctx.failed else str(exc)
            return Check(req.name, math.nan, math.nan, req.tol, detail=f"not derived ({why})")
        raise SpecError(ctx.path, key + ".of", str(exc)) from None
    point = ctx.point(req.at, key + ".at", raw)
    try:
        value = _evaluate(raw, point)
    except ValueError as exc:
        raise SpecError(ctx.path, key + ".at", f"{rp.value_name} {exc}: give its value in at = {{...}}") from None
    value = _pick(value, rp, ctx.path, key + ".of")
    stderr = None
    detail = req.detail
    if req.witness is not None:
        if isinstance(value, list):
            raise SpecError(ctx.path, key + ".of", f"{rp.value_name} is a matrix: a witness checks one entry, "
                            f"of = \"{rp.value_name}[row, column]\"")
        target, wdetail, stderr = WITNESSES[req.witness](ctx, req, point)
        detail = detail or wdetail
        return Check(req.name, float(value), float(target), req.tol, detail=detail, stderr=stderr)
    t = req.target
    if isinstance(t, tuple):  # a matrix target
        T = [[float(_expr(x, ctx.path, key + ".target")) for x in row] for row in t]
        V = value if isinstance(value, list) else [[value]]
        if len(T) != len(V) or len(T[0]) != len(V[0]):
            raise SpecError(ctx.path, key + ".target", f"is {len(T)}x{len(T[0])} but {rp} is {len(V)}x{len(V[0])}")
        err = max(abs(a - b) for ra, rb in zip(V, T) for a, b in zip(ra, rb))
        return Check(req.name, err, 0.0, req.tol, detail=detail or "largest entrywise |value − target|")
    target = float(sp.N(_expr(t, ctx.path, key + ".target"), 30))
    if isinstance(value, list):
        raise SpecError(ctx.path, key + ".of", f"{rp.value_name} is a matrix: address an entry, "
                        f"of = \"{rp.value_name}[row, column]\", or give a matrix target")
    return Check(req.name, float(value), target, req.tol, detail=detail, stderr=stderr)


# ---------------------------------------------------------------- sections


def _run_part(spec: Spec, part: Part, index: int):
    where = f"part[{index}]." if len(spec.parts) > 1 else ""
    ctx = Context(spec, part, where=where)
    if part.model:
        ctx.model = build_model(spec, part, index)
    derivations = []
    random = random_variables(ctx.model) if ctx.model is not None else ()
    stated = setting(ctx.model) if ctx.model is not None and part.derive else None
    if stated is not None:  # the assumptions, stated before the solution rests on them
        derivations.append(stated)
    for k, q in enumerate(part.derive):
        quantity = QUANTITIES[q.name]
        try:
            d = ctx.engine(q.name) if quantity.engine else quantity.fn(ctx, **q.kwargs)
        except SpecError:
            raise
        except Exception as exc:  # a step the engine could not do: shown, not hidden (principle 6)
            from ..limits import StepFailed

            if not isinstance(exc, (KeyError, ValueError, StepFailed)):
                raise
            text = str(exc).strip()
            msg = getattr(exc, "reason", None) or (text.splitlines()[0] if text else type(exc).__name__)
            title = quantity.summary or q.name
            d = Derivation(q.name, title[:1].upper() + title[1:]).fail(q.name, msg)
            ctx.failed.append(q.name)
        if d is None:
            continue
        ds = [d] if isinstance(d, Derivation) else list(d)
        if any(one.failures for one in ds) and q.name not in ctx.failed:
            ctx.failed.append(q.name)  # a step it could not finish: checks of its values fail visibly
        ctx.results.setdefault(q.name, ds[0])
        for one in ds:
            ctx.checks.extend(one.checks)
            derivations.append(replace(one, checks=(), extras={}))
    letters = page_letters(derivations)  # one letter, one meaning, on the whole page
    derivations = [textbook_derivation(one, random=random, letters=letters) for one in derivations]
    checks = list(ctx.checks)
    for k, c in enumerate(part.checks):
        checks.append(run_check(ctx, c, f"{where}check[{k}]"))
    return ctx, derivations, checks


def build_section(spec: Spec, figure_dir: Path | None = None, figure_prefix: str = "figures/",
                  figures: bool = True) -> "Section":
    """The worked-solution :class:`~symfisher.render.Section` of one spec.

    With ``figure_dir`` the spec's figures are drawn (when matplotlib is installed): SVG
    inline, PDF and PNG written into ``figure_dir`` and referenced as ``figure_prefix + name``.
    """
    from ..render import Section

    derivations, checks, drawn = [], [], {}
    multi = len(spec.parts) > 1
    for i, part in enumerate(spec.parts):
        ctx, ds, cs = _run_part(spec, part, i)
        if multi and part.heading:
            ds = [replace(d, title=f"{part.heading}: {d.title}") for d in ds]
        if part.note and ds:
            ds[0] = ds[0].note(part.note)
        derivations += ds
        checks += cs
        if part.figures and figures:
            from .. import plots

            for k, fr in enumerate(part.figures):
                fname = f"{spec.name}-{i}-{k}-{fr.kind}" if multi else f"{spec.name}-{k}-{fr.kind}"
                try:
                    fig = plots.draw(fr, ctx, fname, figure_dir, figure_prefix)
                except plots.FigureUnavailable as exc:  # said, never silent
                    where = (f"part[{i}]." if multi else "") + f"figure[{k}]"
                    print(f"symfisher: warning: {spec.path}: {where} ({fr.kind}) not drawn: {exc}",
                          file=sys.stderr, flush=True)
                    continue
                drawn[f"{k if not multi else f'{i}.{k}'} {fr.kind}"] = fig
    return Section(spec.title, question=spec.question, derivations=derivations, explanation=spec.explanation,
                   takeaway=spec.takeaway, checks=checks, figures=drawn)


def build_sections(specs, figure_dir=None, figure_prefix="figures/") -> list:
    return [build_section(s, figure_dir, figure_prefix) for s in specs]


def notebook_checks(spec_text: str, name: str = "<spec>") -> list:
    """The numeric checks of a spec, recomputed (what a sheet's notebook runs)."""
    return list(build_section(parse_spec(spec_text, name), figures=False).all_checks)


def exercise_section(section):
    """The exercise sheet's section: the title and the question, nothing that gives the answer away."""
    from ..render import Section

    return Section(section.title, question=section.question)
