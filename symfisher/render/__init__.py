"""Renderers: derivations and sheets -> LaTeX, HTML with MathML, Markdown, JSON, text.

Formatting only, no math (principle 1). Every format module has
``render_document(sections, title=None, settings=None) -> str``; options live in one
:class:`RenderSettings`. Output is deterministic: the same input gives the same bytes.

>>> sorted(FORMATS)
['html', 'json', 'md', 'tex', 'txt']
>>> render_document([Section("Empty")], "json", title="T").startswith("{")
True
"""
from __future__ import annotations

from . import html, jsonout, latex, markdown, text
from .document import Figure, Section, as_sections
from .settings import DEFAULT_SETTINGS, RenderSettings

__all__ = [
    "RenderSettings",
    "DEFAULT_SETTINGS",
    "Section",
    "Figure",
    "as_sections",
    "FORMATS",
    "render_document",
    "latex",
    "html",
    "markdown",
    "jsonout",
    "text",
]

#: format name (as in ``symfisher sheet --format``) -> document renderer
FORMATS = {
    "tex": latex.render_document,
    "html": html.render_document,
    "md": markdown.render_document,
    "json": jsonout.render_document,
    "txt": text.render_document,
}


def render_document(sections, fmt: str, title: str | None = None, settings: RenderSettings | None = None) -> str:
    """Render ``sections`` in the format ``fmt`` (one of :data:`FORMATS`)."""
    try:
        renderer = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(sorted(FORMATS))}") from None
    return renderer(sections, title=title, settings=settings)
