"""JSON output: a deterministic, machine-readable form of derivations and sheets.

Expressions appear twice: SymPy's ``str()`` (parseable back, as in the CLI contract)
and LaTeX. Keys are sorted and the indentation fixed, so the same input gives the same
bytes. Non-finite numbers are written as the strings ``"NaN"``, ``"Infinity"``,
``"-Infinity"`` (JSON has no such numbers).

(Named ``jsonout`` so that it never shadows the standard library's ``json``.)

>>> import sympy as sp
>>> from symfisher.derivation import Step
>>> p = sp.Symbol("p")
>>> d = Derivation("fisher", "Fisher", result=1/(p*(1-p)), steps=(Step("I", lhs=sp.Symbol("I"), forms=(1/(p*(1-p)),)),))
>>> data = derivation_to_dict(d)
>>> data["result"], data["steps"][0]["forms_latex"]
('1/(p*(1 - p))', ['\\\\frac{1}{p \\\\left(1 - p\\\\right)}'])
"""
from __future__ import annotations

import json
import math
from typing import Any, Sequence

import sympy as sp

from ..derivation import Check, Derivation
from .document import Section, as_sections
from .latex import _is_numpy, latex_of
from .settings import DEFAULT_SETTINGS, RenderSettings

__all__ = [
    "expr_str",
    "check_to_dict",
    "derivation_to_dict",
    "section_to_dict",
    "document_to_dict",
    "dumps",
    "render_derivation",
    "render_document",
]


def expr_str(obj: Any) -> str | None:
    """SymPy's ``str()`` of an object (``None`` stays ``None``; strings as they are)."""
    if obj is None:
        return None
    if isinstance(obj, str):
        return obj
    if _is_numpy(obj):
        obj = obj.tolist()
    return sp.sstr(obj)


def _latex(obj: Any, settings: RenderSettings) -> str | None:
    return None if obj is None else latex_of(obj, settings)


def _number(x) -> Any:
    if x is None:
        return None
    v = float(x)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def check_to_dict(c: Check) -> dict:
    """``{name, value, target, error, tol, passed, detail, stderr}``."""
    return {
        "name": c.name,
        "value": _number(c.value),
        "target": _number(c.target),
        "error": _number(c.error),
        "tol": _number(c.tol),
        "passed": bool(c.passed),
        "detail": c.detail,
        "stderr": _number(c.stderr),
    }


def derivation_to_dict(d: Derivation, settings: RenderSettings | None = None) -> dict:
    """A derivation as plain data: steps (statement, reason, lhs/forms as str and LaTeX),
    result, failures, checks and notes. ``extras`` is not included."""
    settings = settings or DEFAULT_SETTINGS
    return {
        "quantity": d.quantity,
        "title": d.title,
        "ok": bool(d.ok),
        "result": expr_str(d.result),
        "result_latex": _latex(d.result, settings),
        "steps": [
            {
                "statement": s.statement,
                "reason": s.reason,
                "lhs": expr_str(s.lhs),
                "lhs_latex": _latex(s.lhs, settings),
                "forms": [expr_str(f) for f in s.forms],
                "forms_latex": [latex_of(f, settings) for f in s.forms],
            }
            for s in d.steps
        ],
        "failures": [f.as_dict() for f in d.failures],
        "checks": [check_to_dict(c) for c in d.checks],
        "notes": list(d.notes),
    }


def section_to_dict(section: Section, settings: RenderSettings | None = None) -> dict:
    """A sheet section as plain data (figures by name, caption and paths)."""
    return {
        "title": section.title,
        "question": section.question,
        "derivations": [derivation_to_dict(d, settings) for d in section.derivations],
        "explanation": section.explanation,
        "takeaway": section.takeaway,
        "checks": [check_to_dict(c) for c in section.checks],
        "all_checks_passed": all(c.passed for c in section.all_checks),
        "figures": [
            {
                "name": name,
                "caption": fig.caption,
                "has_svg": bool(fig.svg),
                "pdf_path": fig.pdf_path,
                "png_path": fig.png_path,
            }
            for name, fig in section.figures
        ],
    }


def document_to_dict(sections, title: str | None = None, settings: RenderSettings | None = None) -> dict:
    settings = settings or DEFAULT_SETTINGS
    return {
        "title": title if title is not None else settings.title,
        "sections": [section_to_dict(s, settings) for s in as_sections(sections)],
    }


def dumps(data: Any) -> str:
    """The one JSON spelling: sorted keys, indent 2, UTF-8 text, trailing newline."""
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def render_derivation(d: Derivation, settings: RenderSettings | None = None) -> str:
    return dumps(derivation_to_dict(d, settings))


def render_document(
    sections: Sequence[Section] | Section | Derivation,
    title: str | None = None,
    settings: RenderSettings | None = None,
) -> str:
    """The sheet as JSON: ``{"title": str, "sections": [...]}``."""
    return dumps(document_to_dict(sections, title, settings))
