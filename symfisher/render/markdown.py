r"""Markdown output for GitHub and Jupyter: ``$$ ... $$`` display math, ``$...$`` inline.

Each step's chain is an ``aligned`` block inside ``$$``; check tables are Markdown
tables; prose is escaped except for its (safe) inline ``$...$`` math, and literal dollars
are written ``\$`` so every unescaped dollar belongs to a math delimiter.

>>> md_prose("costs \\$5 & x_1 = $x_1$")
'costs \\$5 &amp; x\\_1 = $x_1$'
"""
from __future__ import annotations

import re
from typing import Sequence

from ..derivation import Check, Derivation
from .document import Section, as_sections
from .latex import equation_rows, latex_of, result_step
from .prose import format_float, markup_math, paragraphs, split_prose, unicode_prose
from .settings import DEFAULT_SETTINGS, RenderSettings
from ..textbook import textbook_derivation
from .notation import textbook_prose

__all__ = ["md_prose", "render_derivation", "render_section", "render_document"]

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|$~#])")
_HTML_CHARS = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def _md_escape(text: str) -> str:
    # markup characters as entities (every Markdown renderer shows them as text, none
    # reads them as a tag), then Markdown's own specials backslash-escaped
    text = re.sub(r"[&<>]", lambda m: _HTML_CHARS[m.group(0)], text)
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_prose(text: str, in_table: bool = False) -> str:
    """Prose -> Markdown inline text: escaped, inline math kept as ``$...$``."""
    out = []
    for kind, s in split_prose(" ".join(text.split())):
        if kind == "math":
            s = markup_math(s)
            if in_table:  # a bar would end the cell: the norm bar \| as \Vert first, then a single bar
                s = s.replace(r"\|", r"\Vert ").replace("|", r"\vert ")
            out.append("$" + s + "$")
        else:
            out.append(_md_escape(s))
    return "".join(out)


def _prose_block(text: str) -> str:
    return "\n\n".join(md_prose(p) for p in paragraphs(text))


def _display(rows) -> str:
    lines = []
    for r in rows:
        lines.append(f"{r.lhs} &{r.rel} {r.rhs}".rstrip() if (r.rel or r.rhs) else r.lhs)
    return "$$\n\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}\n$$"


def _checks_table(checks: Sequence[Check], settings: RenderSettings) -> str:
    dig = settings.float_digits
    out = ["| Check | Value | Target | Error | Tol. | Result |", "|---|---:|---:|---:|---:|---|"]
    for c in checks:
        name = md_prose(textbook_prose(c.name), in_table=True)
        if c.detail:
            name += " (" + md_prose(textbook_prose(c.detail), in_table=True) + ")"
        value = format_float(c.value, dig)
        if c.stderr is not None:
            value += " ± " + format_float(c.stderr, 2)
        out.append(
            "| %s | %s | %s | %s | %s | %s |"
            % (
                name,
                value,
                format_float(c.target, dig),
                format_float(c.error, 3),
                format_float(c.tol, 2),
                "**PASS**" if c.passed else "**FAIL**",
            )
        )
    return "\n".join(out)


def render_derivation(d: Derivation, settings: RenderSettings | None = None, level: int = 3) -> str:
    r"""Markdown for one derivation: title, numbered steps with display math, checks.

    >>> import sympy as sp
    >>> from symfisher.derivation import Step
    >>> p = sp.Symbol("p")
    >>> print(render_derivation(Derivation("s", "Score", steps=(Step("Differentiate", "chain rule", sp.Symbol("s"), (1/p,)),))))
    ### Score
    <BLANKLINE>
    **Step 1.** Differentiate
    <BLANKLINE>
    $$
    \begin{aligned}
    s &= \frac{1}{p}
    \end{aligned}
    $$
    <BLANKLINE>
    *Reason: chain rule*
    """
    settings = settings or DEFAULT_SETTINGS
    d = textbook_derivation(d)
    out = ["%s %s" % ("#" * level, md_prose(d.title))]
    for i, step in enumerate(d.steps, 1):
        out.append("**Step %d.** %s" % (i, md_prose(step.statement)))
        rows = equation_rows(step, settings)
        if rows:
            out.append(_display(rows))
        if settings.include_reasons and step.reason:
            out.append("*Reason: %s*" % md_prose(step.reason))
    if settings.show_result and d.result is not None:
        out.append("**Result.**")
        out.append(_display(equation_rows(result_step(d), settings)))
    if settings.include_failures:
        for f in d.failures:
            out.append("> **Step could not be completed:** %s. %s" % (md_prose(f.step), md_prose(f.reason)))
    if settings.include_checks and d.checks:
        out.append("**Numeric checks.**")
        out.append(_checks_table(d.checks, settings))
    if settings.include_notes:
        for note in d.notes:
            out.append(_prose_block(note))
    return "\n\n".join(out)


def render_section(section: Section, settings: RenderSettings | None = None, number: int | None = None) -> str:
    """Markdown for one sheet section (with an ``<a id="sec-N">`` anchor when numbered)."""
    settings = settings or DEFAULT_SETTINGS
    out = []
    prefix = ""
    if number is not None:
        out.append('<a id="sec-%d"></a>' % number)
        if settings.number_sections:
            prefix = "%d. " % number
    out.append("## %s%s" % (prefix, md_prose(section.title)))
    if section.question:
        out.append("**Question.** " + _prose_block(section.question))
    for d in section.derivations:
        out.append(render_derivation(d, settings, level=3))
    if section.explanation:
        out.append("### Explanation")
        out.append(_prose_block(section.explanation))
    for name, fig in section.figures:
        if fig.png_path:
            # alternative text shows no math: the caption's formulas as unicode (I(p) -> ℐ(p))
            alt = md_prose(unicode_prose(textbook_prose(fig.caption or name)))
            out.append("![%s](%s)" % (alt, fig.png_path.replace(" ", "%20")))
    if settings.include_checks and section.checks:
        out.append("### Numeric checks")
        out.append(_checks_table(section.checks, settings))
    if section.takeaway:
        out.append("> **Takeaway.** " + md_prose(section.takeaway))
    return "\n\n".join(out)


def render_document(
    sections: Sequence[Section] | Section | Derivation,
    title: str | None = None,
    settings: RenderSettings | None = None,
) -> str:
    """A Markdown document: title, contents (more than one section), the sections."""
    settings = settings or DEFAULT_SETTINGS
    secs = as_sections(sections)
    out = ["# " + md_prose(title if title is not None else settings.title)]
    if len(secs) > 1:
        toc = ["## Contents", ""]
        for i, s in enumerate(secs, 1):
            toc.append("%d. [%s](#sec-%d)" % (i, md_prose(s.title), i))
        out.append("\n".join(toc))
    for i, s in enumerate(secs, 1):
        out.append(render_section(s, settings, number=i))
    return "\n\n".join(out) + "\n"
