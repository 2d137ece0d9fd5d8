"""Sheet records: a :class:`Section` is one exercise of a solution sheet.

A section holds prose (question, explanation, takeaway; prose may carry inline
``$...$`` LaTeX), the derivations that answer it, extra numeric checks and optional
figures. Every ``render_document`` takes a list of sections and a title. Records only:
no formatting, no math.

>>> s = Section("Bernoulli Fisher", question="Find $I(p)$.",
...             figures={"curve": {"svg": "<svg/>"}, "a": Figure(png_path="a.png")})
>>> [name for name, _ in s.figures]
['a', 'curve']
>>> s.figures[1][1].svg
'<svg/>'
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..derivation import Check, Derivation

__all__ = ["Figure", "Section", "as_sections"]


@dataclass(frozen=True)
class Figure:
    """An optional figure: inline SVG (HTML) and/or file paths (PDF for LaTeX, PNG).

    ``pdf_path``/``png_path`` are used as given (relative to the output document).
    """

    svg: str | None = None
    pdf_path: str | None = None
    png_path: str | None = None
    caption: str = ""


@dataclass(frozen=True)
class Section:
    """One exercise of a sheet.

    ``derivations`` and ``checks`` accept any iterables and are stored as tuples;
    ``figures`` accepts a dict ``name -> Figure`` (or a dict with the ``Figure``
    fields) and is stored as a tuple of ``(name, Figure)`` pairs sorted by name.
    """

    title: str
    question: str = ""
    derivations: tuple = ()
    explanation: str = ""
    takeaway: str = ""
    checks: tuple = ()
    figures: Any = ()

    def __post_init__(self):
        object.__setattr__(self, "derivations", tuple(self.derivations))
        object.__setattr__(self, "checks", tuple(self.checks))
        for d in self.derivations:
            if not isinstance(d, Derivation):
                raise TypeError(
                    f"Section {self.title!r}: derivations must be Derivation records, "
                    f"got {type(d).__name__}"
                )
        for c in self.checks:
            if not isinstance(c, Check):
                raise TypeError(
                    f"Section {self.title!r}: checks must be Check records, got {type(c).__name__}"
                )
        figs = self.figures
        items = figs.items() if isinstance(figs, dict) else figs
        norm = []
        for name, fig in items:
            if isinstance(fig, dict):
                fig = Figure(**fig)
            elif not isinstance(fig, Figure):
                raise TypeError(
                    f"Section {self.title!r}: figure {name!r} must be a Figure or a dict, "
                    f"got {type(fig).__name__}"
                )
            norm.append((str(name), fig))
        object.__setattr__(self, "figures", tuple(sorted(norm, key=lambda kv: kv[0])))

    @property
    def all_checks(self) -> tuple:
        """The derivations' checks followed by the section's own."""
        return tuple(c for d in self.derivations for c in d.checks) + self.checks


def as_sections(items) -> list[Section]:
    """Normalize what ``render_document`` accepts to a list of sections.

    A :class:`Section` or a :class:`Derivation` on its own, or a sequence mixing them;
    a bare derivation becomes a section titled after it.
    """
    if isinstance(items, (Section, Derivation)):
        items = [items]
    out = []
    for it in items:
        if isinstance(it, Section):
            out.append(it)
        elif isinstance(it, Derivation):
            out.append(Section(it.title, derivations=(it,)))
        else:
            raise TypeError(f"render_document expects Section or Derivation records, got {type(it).__name__}")
    return out
