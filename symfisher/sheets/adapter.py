"""The adapter: a parsed spec -> derivations from the engine -> checks -> a sheet :class:`Section`.

Each part gets a :class:`Context` (its model, the derivations so far, the values its checks
address); quantities (:mod:`.quantities`) fill it, :func:`run_check` compares a derived value
at the spec's point with a literature target or a numeric witness, and
:func:`textbook_derivation` turns each derivation into the form a sheet shows.
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import sympy as sp

from ..derivation import Check, Derivation, Step
from .registry import QUANTITIES, WITNESSES
from .schema import CheckRequest, Part, Spec, SpecError, _expr, model_sizes, parse_spec

__all__ = ["Context", "build_model", "run_check", "textbook_derivation", "build_section", "build_sections",
           "notebook_checks", "exercise_section"]


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
    report: Any = None  # the engine's Report (symfisher.derive.report) for this part's model

    @property
    def path(self):
        return self.spec.path

    def engine(self, name: str) -> Derivation:
        """The derivation of ``name`` by the engine's own registry (``derive_all``, the pipeline of
        ``symfisher derive``): one report per part, holding every engine quantity the part asks for
        and what they need, each derived once."""
        from ..derive.report import ALL_QUANTITIES, derive_all

        if self.report is None or name not in self.report.derivations:
            wanted = tuple(dict.fromkeys([q.name for q in self.part.derive if q.name in ALL_QUANTITIES] + [name]))
            self.report = derive_all(self.model, only=wanted)
        return self.report.derivations[name]

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


def build_model(spec: Spec, part: Part, index: int):
    from ..families import UnknownModel, get_model
    from ..model import ModelError

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
    from ..derivation import Failure
    from ..render.latex import latex_of
    from ..render.notation import textbook_prose
    from ..textbook import conventional_sign

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
            from ..limits import StepFailed

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
