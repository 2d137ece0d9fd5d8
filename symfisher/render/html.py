"""HTML output: a self-contained XHTML-valid HTML5 page with MathML.

Math is the LaTeX of :mod:`symfisher.render.latex`'s printer converted by
``latex2mathml``; if that fails (or leaves an unknown command behind), SymPy's
presentation-MathML printer is used on the object itself. The page is well-formed XML
(``<html xmlns="http://www.w3.org/1999/xhtml">``, void tags self-closed), has inline CSS
only, no JavaScript and no network references.

>>> import sympy as sp
>>> p = sp.Symbol("p")
>>> mathml(r"\\frac{1}{p}", 1/p).startswith('<math xmlns="http://www.w3.org/1998/Math/MathML"')
True
>>> prose_html("a & b, $x_1$").split("<math")[0]
'a &amp; b, '
"""
from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
from functools import lru_cache
from typing import Any, Sequence
from xml.sax.saxutils import escape, quoteattr

import sympy as sp

from ..derivation import Check, Derivation
from .document import Section, as_sections
from .latex import equation_rows, latex_of, result_step
from .prose import float_parts, markup_math, paragraphs, split_prose
from .settings import DEFAULT_SETTINGS, RenderSettings
from ..textbook import textbook_derivation
from .notation import textbook_prose

__all__ = [
    "mathml",
    "prose_html",
    "render_derivation",
    "render_derivation_fragment",
    "render_section",
    "render_document",
    "scoped_css",
    "CSS",
]

_MATHML_NS = "http://www.w3.org/1998/Math/MathML"

# CSS is emitted raw inside <style>: it must not contain '<', '>' or '&' (it is parsed
# both as HTML raw text and as XML character data).

CSS = """
body { font-family: Georgia, 'Times New Roman', serif; line-height: 1.5; color: #1b1b1b;
       background: #ffffff; margin: 0; }
main { max-width: 52em; margin: 0 auto; padding: 1.5em 1.2em 3em; }
h1 { font-size: 1.9em; margin: 0.4em 0 0.6em; }
h2 { font-size: 1.45em; border-bottom: 1px solid #ccc; padding-bottom: 0.15em; margin-top: 1.8em; }
h3 { font-size: 1.15em; margin-top: 1.3em; }
nav.toc { background: #f6f6f4; border: 1px solid #ddd; padding: 0.5em 1.2em; }
nav.toc h2 { border: none; font-size: 1.1em; margin: 0.3em 0; }
ol.steps li { margin: 0.6em 0 0.9em; }
p.statement { margin: 0.1em 0; }
p.reason { margin: 0.1em 0 0 1.5em; font-style: italic; color: #444; }
table.eq { border-collapse: collapse; margin: 0.35em 0 0.35em 1.5em; }
table.eq td { padding: 0.18em 0.25em; vertical-align: middle; }
table.eq td.lhs { text-align: right; }
table.eq td.rel { text-align: center; }
table.eq td.rhs { text-align: left; }
div.result { margin: 0.6em 0; }
div.failure { border: 2px solid #b3261e; background: #fdf0ef; padding: 0.5em 0.8em; margin: 0.7em 0; }
table.checks { border-collapse: collapse; margin: 0.6em 0; font-size: 0.92em; }
table.checks th { font-variant: small-caps; border-top: 2px solid #333; border-bottom: 1px solid #333; padding: 0.3em 0.6em; text-align: left; }
table.checks td { padding: 0.25em 0.6em; border-bottom: 1px solid #e3e3e3; }
table.checks td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.checks tbody tr:last-child td { border-bottom: 2px solid #333; }
td.pass { color: #11652b; font-weight: bold; }
td.fail { color: #b3261e; font-weight: bold; }
div.takeaway { border-left: 4px solid #3a6ea5; background: #f2f6fb; padding: 0.4em 1em; margin: 1em 0; }
figure { margin: 1em 0; text-align: center; }
figure svg, figure img { max-width: 100%; height: auto; }
code.tex { color: #7a2e00; overflow-wrap: anywhere; }
div.wide { overflow-x: auto; max-width: 100%; }
div.result { overflow-x: auto; max-width: 100%; }
math[display="block"] { overflow-x: auto; max-width: 100%; }
math { font-size: 1.08em; font-family: 'Latin Modern Math', 'STIX Two Math', 'Cambria Math', math; }
"""


# ---------------------------------------------------------------- math


_MATHML_ELEMENTS = frozenset(
    "math mrow mi mn mo ms mtext mspace mfrac msqrt mroot msub msup msubsup munder mover munderover "
    "mtable mtr mtd mstyle mpadded mphantom menclose merror mfenced mmultiscripts mprescripts none "
    "semantics annotation mlabeledtr maligngroup malignmark".split()
)


def _valid_mathml(s: str) -> bool:
    try:
        root = ET.fromstring(s)
    except ET.ParseError:
        return False
    if root.tag != "{%s}math" % _MATHML_NS:
        return False
    # only MathML elements, no attributes that load or run anything: user text inside
    # ``\text{}`` must never become an HTML element (a <script> inside <mtext> would run)
    for el in root.iter():
        ns, _, local = el.tag.rpartition("}")
        if ns != "{" + _MATHML_NS or local not in _MATHML_ELEMENTS:
            return False
        if any(k.lower().startswith("on") or k.lower() in ("href", "src", "xlink:href") or "}" in k
               for k in el.attrib):
            return False
    # an unknown command survives as text such as "\foo": not acceptable
    return not any("\\" in (el.text or "") for el in root.iter())


def _bold_italic(ch: str) -> str:
    """The mathematical bold italic letter of ``ch`` (``x`` -> U+1D499, ``μ`` -> U+1D741), or ``ch``."""
    c = ord(ch)
    for lo, hi, base in ((0x61, 0x7A, 0x1D482), (0x41, 0x5A, 0x1D468), (0x3B1, 0x3C9, 0x1D736), (0x391, 0x3A9, 0x1D71C)):
        if lo <= c <= hi and c != 0x3A2:
            return chr(base + c - lo)
    return ch


def _bold_letters(mathml: str) -> str:
    """Each ``<mi mathvariant="bold-italic">`` of a vector (``\\boldsymbol``) with its letter as the bold
    italic character itself: browsers that implement MathML Core (Chromium) ignore ``mathvariant`` on
    ``mi``, so the attribute alone does not make the vector bold on the page; the attribute stays for
    the renderers that read it."""
    def one(m):
        text = re.sub(r"&#x([0-9A-Fa-f]+);", lambda e: chr(int(e.group(1), 16)), m.group(1))
        return '<mi mathvariant="bold-italic">%s</mi>' % "".join(_bold_italic(c) for c in text)

    mathml = re.sub(r'<mi mathvariant="bold-italic">([^<]*)</mi>', one, mathml)
    # a capital Greek letter is upright, as TeX sets it (Sigma, Gamma): a one-letter <mi> is italic otherwise
    return re.sub(r"<mi>(&#x003(?:9[1-9A-F]|A[0-9]);|[\u0391-\u03A9])</mi>", r'<mi mathvariant="normal">\1</mi>', mathml)


@lru_cache(maxsize=4096)
def _convert(latex: str, display: bool) -> str | None:
    from latex2mathml.converter import convert as _l2m  # only when HTML is written

    from ..limits import StepFailed

    src = (r"\displaystyle " + latex) if display else latex
    try:
        out = _l2m(src)
    except StepFailed:
        # the command's time limit ran out while converting (an alarm is not a property of the LaTeX):
        # it passes, so that no fallback for this string is cached for the rest of the process and the
        # same page renders to the same bytes whatever the load
        raise
    except Exception:  # latex2mathml raises a variety of its own errors
        return None
    out = _bold_letters(out)
    return out if _valid_mathml(out) else None


def _sympy_mathml(obj, display: bool) -> str | None:
    if not isinstance(obj, (sp.Basic, sp.MatrixBase)):
        return None
    from ..limits import StepFailed

    try:
        inner = sp.mathml(obj, printer="presentation")
    except StepFailed:  # a time limit, not a property of the object (see _convert)
        raise
    except Exception:
        return None
    wrap = '<math xmlns="%s" display="inline">%s%s%s</math>' % (
        _MATHML_NS,
        '<mstyle displaystyle="true">' if display else "",
        inner,
        "</mstyle>" if display else "",
    )
    return wrap if _valid_mathml(wrap) else None


def mathml(latex: str, obj: Any = None, display: bool = False) -> str:
    """MathML for LaTeX ``latex`` (printed from ``obj``, if given).

    latex2mathml first; SymPy's presentation printer on ``obj`` if that fails; the
    LaTeX source as escaped ``<code>`` as a last resort.
    """
    if not latex.strip():
        return ""
    out = _convert(latex, display)
    if out is None:
        out = _sympy_mathml(obj, display)
    if out is None:
        out = '<code class="tex">%s</code>' % escape(latex)
    return out


def _math_of(obj: Any, settings: RenderSettings, display: bool = True) -> str:
    if isinstance(obj, str):
        return '<span class="textform">%s</span>' % escape(obj)
    return mathml(latex_of(obj, settings), obj, display)


def prose_html(text: str) -> str:
    """Prose -> HTML inline content: text escaped, ``$...$`` math as inline MathML."""
    out = []
    for kind, s in split_prose(" ".join(text.split())):
        if kind == "math":
            m = _convert(markup_math(s), False)
            out.append(m if m is not None else '<code class="tex">%s</code>' % escape("$" + s + "$"))
        else:
            out.append(escape(s))
    return "".join(out)


def _prose_block(text: str, cls: str | None = None) -> str:
    attr = "" if cls is None else " class=%s" % quoteattr(cls)
    return "\n".join("<p%s>%s</p>" % (attr, prose_html(p)) for p in paragraphs(text))


def _num(x, digits: int) -> str:
    mant, exp = float_parts(x, digits)
    if mant == "nan":
        return "NaN"
    if mant in ("inf", "-inf"):
        return mant.replace("inf", "\u221e").replace("-", "\u2212")
    mant = mant.replace("-", "\u2212")
    if exp is None:
        return mant
    return "%s\u00d710<sup>%s</sup>" % (mant, exp.replace("-", "\u2212"))


# ---------------------------------------------------------------- pieces


def _cell(tex: str, obj: Any) -> str:
    if isinstance(obj, str) and tex.startswith("\\text{"):
        return '<span class="textform">%s</span>' % escape(obj)
    return mathml(tex, obj, True) if tex else ""


def _eq_table(rows, settings: RenderSettings) -> str:
    out = ['<div class="wide"><table class="eq"><tbody>']
    for r in rows:
        lhs = _cell(r.lhs, r.lhs_obj)
        rel = mathml(r.rel, None, True) if r.rel else ""
        rhs = _cell(r.rhs, r.rhs_obj)
        out.append(
            '<tr><td class="lhs">%s</td><td class="rel">%s</td><td class="rhs">%s</td></tr>'
            % (lhs, rel, rhs)
        )
    out.append("</tbody></table></div>")
    return "".join(out)


def _checks_table(checks: Sequence[Check], settings: RenderSettings) -> str:
    dig = settings.float_digits
    out = [
        '<div class="wide"><table class="checks"><thead><tr><th>check</th><th>value</th><th>target</th>'
        "<th>error</th><th>tol.</th><th>result</th></tr></thead><tbody>"
    ]
    for c in checks:
        cls = "pass" if c.passed else "fail"
        name = prose_html(textbook_prose(c.name))
        if c.detail:
            name += ' <small>(%s)</small>' % prose_html(textbook_prose(c.detail))
        value = _num(c.value, dig)
        if c.stderr is not None:
            value += " \u00b1 " + _num(c.stderr, 2)
        out.append(
            '<tr class="%s"><td>%s</td><td class="num">%s</td><td class="num">%s</td>'
            '<td class="num">%s</td><td class="num">%s</td><td class="%s">%s</td></tr>'
            % (cls, name, value, _num(c.target, dig), _num(c.error, 3), _num(c.tol, 2), cls, cls.upper())
        )
    out.append("</tbody></table></div>")
    return "\n".join(out)


def render_derivation(
    d: Derivation, settings: RenderSettings | None = None, level: int = 3, anchor: str | None = None
) -> str:
    """HTML body for one derivation: ``<div class="derivation">`` with an ``h{level}`` title."""
    settings = settings or DEFAULT_SETTINGS
    d = textbook_derivation(d)
    id_attr = "" if anchor is None else " id=%s" % quoteattr(anchor)
    out = ['<div class="derivation"%s>' % id_attr, "<h%d>%s</h%d>" % (level, prose_html(d.title), level)]
    if d.steps:
        out.append('<ol class="steps">')
        for step in d.steps:
            item = ['<li><p class="statement">%s</p>' % prose_html(step.statement)]
            rows = equation_rows(step, settings)
            if rows:
                item.append(_eq_table(rows, settings))
            if settings.include_reasons and step.reason:
                item.append('<p class="reason">%s</p>' % prose_html(step.reason))
            item.append("</li>")
            out.append("".join(item))
        out.append("</ol>")
    if settings.show_result and d.result is not None:
        out.append(
            '<div class="result"><strong>Result.</strong> %s</div>' % _eq_table(equation_rows(result_step(d), settings), settings)
        )
    if settings.include_failures:
        for f in d.failures:
            out.append(
                '<div class="failure"><strong>Step could not be completed:</strong> %s. %s</div>'
                % (prose_html(f.step), prose_html(f.reason))
            )
    if settings.include_checks and d.checks:
        out.append('<p class="checks-title"><strong>Numeric checks.</strong></p>')
        out.append(_checks_table(d.checks, settings))
    if settings.include_notes:
        for note in d.notes:
            out.append(_prose_block(note, "note"))
    out.append("</div>")
    return "\n".join(out)


def scoped_css(scope: str = ".symfisher") -> str:
    """:data:`CSS` with every rule limited to elements inside ``scope`` (page-level
    rules for ``body``/``main`` dropped), so a fragment does not restyle its host page.

    >>> scoped_css().splitlines()[1].startswith(".symfisher h1 {")
    True
    """
    out = []
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", CSS):
        sels = [s.strip() for s in selectors.split(",")]
        sels = [s for s in sels if s not in ("body", "main")]
        if sels:
            out.append("%s {%s}" % (", ".join(f"{scope} {s}" for s in sels), body))
    return "\n" + "\n".join(out) + "\n"


def render_derivation_fragment(d: Derivation, settings: RenderSettings | None = None) -> str:
    """An HTML fragment for Jupyter's ``_repr_html_``: the derivation with scoped CSS.

    >>> import sympy as sp
    >>> from symfisher.derivation import Step
    >>> frag = render_derivation_fragment(Derivation("f", "F", steps=(Step("s", forms=(sp.Symbol("x"),)),)))
    >>> ET.fromstring(frag).tag, "<math" in frag
    ('div', True)
    """
    return '<div class="symfisher"><style>%s</style>\n%s\n</div>' % (
        scoped_css(),
        render_derivation(d, settings),
    )


# ---------------------------------------------------------------- figures

_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"


def _clean_svg(svg: str) -> str | None:
    """A figure's SVG, parsed and cleaned: no scripts, event handlers, metadata or
    external references. None if it is not well-formed SVG."""
    try:
        root = ET.fromstring(svg.strip())
    except ET.ParseError:
        return None
    if root.tag not in ("{%s}svg" % _SVG_NS, "svg"):
        return None
    drop = {"script", "foreignObject", "metadata"}

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    for parent in list(root.iter()):
        for child in list(parent):
            if local(child.tag) in drop:
                parent.remove(child)
    for el in root.iter():
        for key in list(el.attrib):
            lk = local(key)
            val = el.attrib[key].strip()
            if lk.lower().startswith("on"):
                del el.attrib[key]
            elif lk == "href" and not (val.startswith("#") or val.startswith("data:image/")):
                del el.attrib[key]
            elif "url(" in val and not re.fullmatch(r"[^()]*(url\(\s*#[^)]*\)[^()]*)+", val):
                del el.attrib[key]
    for el in root.iter():
        if local(el.tag) == "style" and el.text and ("@import" in el.text or re.search(r"url\(\s*[^#\s]", el.text)):
            el.text = ""
    if root.tag == "svg":  # no namespace: put it in the SVG namespace
        for el in root.iter():
            if "}" not in el.tag:
                el.tag = "{%s}%s" % (_SVG_NS, el.tag)
    ET.register_namespace("", _SVG_NS)
    ET.register_namespace("xlink", _XLINK_NS)
    return ET.tostring(root, encoding="unicode")


def _figure(name: str, fig) -> str | None:
    caption = "<figcaption>%s</figcaption>" % prose_html(textbook_prose(fig.caption or name))
    if fig.svg:
        svg = _clean_svg(fig.svg)
        if svg is not None:
            return "<figure>%s%s</figure>" % (svg, caption)
    if fig.png_path:
        try:
            with open(fig.png_path, "rb") as fh:
                data = base64.b64encode(fh.read()).decode("ascii")
        except OSError:
            return None
        return '<figure><img src=%s alt=%s/>%s</figure>' % (
            quoteattr("data:image/png;base64," + data),
            quoteattr(name),
            caption,
        )
    return None


# ---------------------------------------------------------------- sections, document


def render_section(
    section: Section, settings: RenderSettings | None = None, number: int | None = None
) -> str:
    """HTML ``<section>`` for one sheet section."""
    settings = settings or DEFAULT_SETTINGS
    anchor = "sec-%d" % number if number is not None else None
    prefix = "%d. " % number if (number is not None and settings.number_sections) else ""
    id_attr = "" if anchor is None else " id=%s" % quoteattr(anchor)
    out = ["<section%s>" % id_attr, "<h2>%s%s</h2>" % (prefix, prose_html(section.title))]
    if section.question:
        out.append('<div class="question"><h3>Question</h3>%s</div>' % _prose_block(section.question))
    for i, d in enumerate(section.derivations, 1):
        sub = None if anchor is None else "%s-d%d" % (anchor, i)
        out.append(render_derivation(d, settings, level=3, anchor=sub))
    if section.explanation:
        out.append('<div class="explanation"><h3>Explanation</h3>%s</div>' % _prose_block(section.explanation))
    for name, fig in section.figures:
        f = _figure(name, fig)
        if f:
            out.append(f)
    if settings.include_checks and section.checks:
        out.append("<h3>Numeric checks</h3>")
        out.append(_checks_table(section.checks, settings))
    if section.takeaway:
        out.append(
            '<div class="takeaway"><p><strong>Takeaway.</strong> %s</p></div>'
            % prose_html(section.takeaway)
        )
    out.append("</section>")
    return "\n".join(out)


def render_document(
    sections: Sequence[Section] | Section | Derivation,
    title: str | None = None,
    settings: RenderSettings | None = None,
) -> str:
    """A complete, self-contained HTML5 page that is also well-formed XML.

    >>> page = render_document([Section("One", question="Is $x^2 \\\\ge 0$? Yes & no.")], title="T")
    >>> root = ET.fromstring(page)
    >>> root.tag, len(root.findall(".//{http://www.w3.org/1998/Math/MathML}math"))
    ('{http://www.w3.org/1999/xhtml}html', 1)
    """
    settings = settings or DEFAULT_SETTINGS
    secs = as_sections(sections)
    title = title if title is not None else settings.title
    plain_title = " ".join(title.split())
    out = [
        "<!DOCTYPE html>",
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="en">',
        "<head>",
        '<meta charset="utf-8"/>',
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
        "<title>%s</title>" % escape(plain_title),
        "<style>%s</style>" % CSS,
        "</head>",
        "<body>",
        "<main>",
        "<h1>%s</h1>" % prose_html(title),
    ]
    if len(secs) > 1:
        out.append('<nav class="toc"><h2>Contents</h2><ol>')
        for i, s in enumerate(secs, 1):
            out.append('<li><a href="#sec-%d">%s</a></li>' % (i, prose_html(s.title)))
        out.append("</ol></nav>")
    for i, s in enumerate(secs, 1):
        out.append(render_section(s, settings, number=i))
    out += ["</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"
