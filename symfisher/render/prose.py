r"""Prose handling shared by the renderers: inline math, escaping, numbers.

Prose (statements, reasons, questions, explanations) is user text. It may carry simple
inline math written as LaTeX between dollars, ``"I(p) = $1/(p(1-p))$"``; everything
else is escaped for the target format. ``\$`` is a literal dollar. Math between
dollars is passed on only if it is *safe*: balanced braces, a whitelist of control
sequences and environments (no ``\input``, ``\def``, ``\write`` ...), no comment
characters. Unsafe math is shown as escaped text (principle 5: user text is data).

>>> split_prose(r"I(p) = $1/(p(1-p))$ costs \$5")
[('text', 'I(p) = '), ('math', '1/(p(1-p))'), ('text', ' costs $5')]
>>> split_prose(r"bad $\input{/etc/passwd}$")
[('text', 'bad '), ('text', '$\\input{/etc/passwd}$')]
>>> latex_escape_text("50% & x_1 ~ θ ≈ 2²")
'50\\% \\& x\\_1 \\ensuremath{\\sim} \\ensuremath{\\theta} \\ensuremath{\\approx} 2\\ensuremath{^{2}}'
>>> format_float(1.23456789e-9, 4), format_float(0.3, 8), format_float(float("nan"), 3)
('1.235e-09', '0.3', 'nan')
"""
from __future__ import annotations

import math
import re
import unicodedata

__all__ = [
    "split_prose",
    "is_safe_math",
    "markup_math",
    "latex_escape_text",
    "latex_prose",
    "unicode_to_latex_math",
    "math_unicode",
    "format_float",
    "float_parts",
    "paragraphs",
]

# ---------------------------------------------------------------- inline math

_MATH_RE = re.compile(
    r"(?<!\\)\$\$((?:[^$\\]|\\.)+?)\$\$|(?<!\\)\$((?:[^$\\]|\\.)+?)\$", re.S
)

_GREEK = (
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi "
    "pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega "
    "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega"
).split()

_MATH_COMMANDS = frozenset(
    _GREEK
    + """
    log ln exp sin cos tan cot sec csc sinh cosh tanh coth arcsin arccos arctan det tr min max
    sup inf lim liminf limsup arg deg dim gcd hom ker Pr operatorname
    mathrm mathbf mathit mathsf mathcal mathbb mathfrak mathtt boldsymbol text textrm textit
    textbf mbox
    frac dfrac tfrac cfrac binom dbinom tbinom sqrt
    left right middle big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr
    sum prod int iint iiint oint coprod bigcup bigcap bigoplus bigotimes limits nolimits
    cdot cdotp cdots ldots dots vdots ddots times div pm mp ast star circ bullet oplus otimes odot
    le leq ge geq ne neq approx sim simeq cong equiv propto ll gg prec succ preceq succeq
    subset subseteq supset supseteq in notin ni mid nmid parallel perp colon
    to rightarrow leftarrow Rightarrow Leftarrow leftrightarrow Leftrightarrow mapsto implies iff
    longrightarrow longleftarrow Longrightarrow longmapsto uparrow downarrow
    infty partial nabla forall exists nexists emptyset varnothing ell hbar Re Im aleph
    neg lnot land lor wedge vee cap cup setminus backslash
    langle rangle lceil rceil lfloor rfloor lvert rvert lVert rVert vert Vert lbrace rbrace
    hat bar tilde widetilde widehat vec dot ddot overline underline overbrace underbrace
    check breve acute grave prime top intercal dagger
    quad qquad displaystyle textstyle scriptstyle scriptscriptstyle phantom hphantom vphantom
    begin end boxed underset overset stackrel lt gt
    """.split()
)
_MATH_ENVS = frozenset(
    "matrix pmatrix bmatrix Bmatrix vmatrix Vmatrix smallmatrix cases aligned array".split()
)
_CONTROL_SYMBOLS = frozenset(",;:!{}|&%$#_ ")
_CS_RE = re.compile(r"\\([A-Za-z]+|.)", re.S)
# commands whose braced argument is typeset in text mode: no markup characters there
_TEXT_ARG_COMMANDS = frozenset("text textrm textit textbf mbox operatorname mathrm".split())


def is_safe_math(src: str) -> bool:
    r"""Whether inline LaTeX math from prose may be passed through unchanged.

    >>> is_safe_math(r"\frac{1}{p(1-p)}"), is_safe_math(r"\begin{pmatrix}a\\b\end{pmatrix}")
    (True, True)
    >>> is_safe_math(r"\def\x{1}"), is_safe_math("{"), is_safe_math("50%"), is_safe_math(r"a\\b")
    (False, False, False, False)
    """
    if not src.strip() or re.search(r"\n\s*\n", src):
        return False
    # TeX reads ``^^5c`` as a backslash (and ``^^`` + any character as another
    # character): it would smuggle any control sequence past the allowlist below.
    # Control characters are refused for the same reason (they may carry catcodes).
    if "^^" in src or any(ord(c) < 32 and c not in "\t\n" or ord(c) == 127 for c in src):
        return False
    depth = 0
    envs: list[str] = []
    text_depths: list[int] = []  # brace depths at which a text-mode argument is open
    pending_text = False
    i = 0
    while i < len(src):
        c = src[i]
        if pending_text and not c.isspace() and c != "{":
            pending_text = False
        if c == "\\":
            m = _CS_RE.match(src, i)
            if m is None:
                return False
            name = m.group(1)
            i = m.end()
            if name in ("begin", "end"):
                em = re.match(r"\s*\{([A-Za-z]+\*?)\}", src[i:])
                if em is None or em.group(1) not in _MATH_ENVS:
                    return False
                if name == "begin":
                    envs.append(em.group(1))
                elif not envs or envs.pop() != em.group(1):
                    return False
                i += em.end()
                continue
            if name == "\\":
                if not envs:
                    return False
                continue
            if name.isalpha():
                if name not in _MATH_COMMANDS:
                    return False
                pending_text = name in _TEXT_ARG_COMMANDS
            elif name not in _CONTROL_SYMBOLS:
                return False
            continue
        if c == "{":
            depth += 1
            if pending_text:
                text_depths.append(depth)
                pending_text = False
        elif c == "}":
            if text_depths and text_depths[-1] == depth:
                text_depths.pop()
            depth -= 1
            if depth < 0:
                return False
        elif c in "%#":
            return False
        elif c in "<>\"'`" and text_depths:
            # markup characters inside \\text{...}: a MathML/HTML renderer would see a tag
            return False
        elif c == "&" and not envs:
            return False
        i += 1
    return depth == 0 and not envs


def markup_math(src: str) -> str:
    r"""Safe prose math prepared for a markup renderer (MathML converter, MathJax in Markdown).

    ``<`` and ``>`` become ``\lt``/``\gt`` and an ``&`` never starts an entity, so no
    character of the math can open an HTML tag or entity once the LaTeX is embedded in
    HTML or Markdown. (:func:`is_safe_math` already refuses them inside ``\text{}``.)

    >>> print(markup_math(r"a<b, \begin{matrix}1&amp\end{matrix}"))
    a\lt b, \begin{matrix}1& amp\end{matrix}
    """
    src = src.replace("<", r"\lt ").replace(">", r"\gt ")
    return re.sub(r"&(?=[#A-Za-z0-9])", "& ", src)


def split_prose(text: str) -> list[tuple[str, str]]:
    """Split prose into ``("text", str)`` and ``("math", latex)`` pieces.

    Text pieces have ``\\$`` unescaped to ``$``; math that is not :func:`is_safe_math`
    stays text, dollars included.
    """
    if not text:
        return []
    out: list[tuple[str, str]] = []

    def add_text(s: str):
        if not s:
            return
        s = s.replace("\\$", "$")
        if out and out[-1][0] == "text":
            out[-1] = ("text", out[-1][1] + s)
        else:
            out.append(("text", s))

    pos = 0
    for m in _MATH_RE.finditer(text):
        add_text(text[pos : m.start()])
        src = m.group(1) if m.group(1) is not None else m.group(2)
        if is_safe_math(src):
            out.append(("math", src.strip()))
        else:
            # keep it visible, as text (not merged, so the dollars stay literal)
            out.append(("text", m.group(0)))
        pos = m.end()
    add_text(text[pos:])
    return out


def paragraphs(text: str) -> list[str]:
    """Prose split at blank lines, inner whitespace collapsed to single spaces.

    >>> paragraphs("a\\n b\\n\\n\\nc  ")
    ['a b', 'c']
    """
    if not text:
        return []
    paras = re.split(r"\n\s*\n", text.strip())
    return [" ".join(p.split()) for p in paras if p.strip()]


# ---------------------------------------------------------------- unicode -> LaTeX

_GREEK_UNICODE = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "varepsilon", "ϵ": "epsilon",
    "ζ": "zeta", "η": "eta", "θ": "theta", "ϑ": "vartheta", "ι": "iota", "κ": "kappa",
    "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi", "π": "pi", "ρ": "rho", "σ": "sigma",
    "ς": "varsigma", "τ": "tau", "υ": "upsilon", "φ": "varphi", "ϕ": "phi", "χ": "chi",
    "ψ": "psi", "ω": "omega", "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda",
    "Ξ": "Xi", "Π": "Pi", "Σ": "Sigma", "Υ": "Upsilon", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
    "µ": "mu",
}
# characters that become math in LaTeX output
_MATH_UNICODE = {k: "\\" + v for k, v in _GREEK_UNICODE.items()}
_MATH_UNICODE.update({
    "≈": r"\approx", "≤": r"\le", "≥": r"\ge", "≠": r"\neq", "∝": r"\propto", "∞": r"\infty",
    "∂": r"\partial", "∇": r"\nabla", "√": r"\surd", "∑": r"\sum", "∏": r"\prod", "∫": r"\int",
    "±": r"\pm", "∓": r"\mp", "×": r"\times", "·": r"\cdot", "⋅": r"\cdot", "÷": r"\div",
    "→": r"\to", "←": r"\leftarrow", "↦": r"\mapsto", "⇒": r"\Rightarrow", "⇐": r"\Leftarrow",
    "⇔": r"\Leftrightarrow", "↔": r"\leftrightarrow", "∈": r"\in", "∉": r"\notin",
    "⊂": r"\subset", "⊆": r"\subseteq", "∪": r"\cup", "∩": r"\cap", "∀": r"\forall",
    "∃": r"\exists", "‖": r"\|", "⟨": r"\langle", "⟩": r"\rangle", "∘": r"\circ",
    "⊗": r"\otimes", "⊕": r"\oplus", "′": r"{}'", "″": r"{}''", "∼": r"\sim", "≃": r"\simeq",
    "≅": r"\cong", "≡": r"\equiv", "≪": r"\ll", "≫": r"\gg", "−": "-", "∗": "*",
    "ℝ": r"\mathbb{R}", "ℕ": r"\mathbb{N}", "ℤ": r"\mathbb{Z}", "ℚ": r"\mathbb{Q}",
    "ℂ": r"\mathbb{C}", "ℓ": r"\ell", "∅": r"\emptyset", "°": r"^{\circ}", "¬": r"\neg",
    "∧": r"\wedge", "∨": r"\vee", "⊥": r"\perp", "∣": r"\mid", "ℏ": r"\hbar",
    "½": r"\tfrac{1}{2}", "⅓": r"\tfrac{1}{3}", "¼": r"\tfrac{1}{4}", "¾": r"\tfrac{3}{4}",
    "⅔": r"\tfrac{2}{3}", "ᵀ": r"^{\mathsf{T}}",
})
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ", "0123456789+-=()ni"))
_SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₙᵢⱼₖₘₚₜ", "0123456789+-=()aeoxnijkmpt"))
_TEXT_UNICODE = {
    "—": "---", "–": "--", "“": "``", "”": "''", "‘": "`", "’": "'", "„": ",,",
    "«": "<<", "»": ">>", "\u00a0": "~", "\u2009": r"\,", "\u202f": r"\,", "…": r"\ldots{}",
    "•": r"\textbullet{}", "§": r"\S{}", "¶": r"\P{}", "©": r"\copyright{}",
    "ß": r"\ss{}", "æ": r"\ae{}", "Æ": r"\AE{}", "œ": r"\oe{}", "Œ": r"\OE{}", "ø": r"\o{}",
    "Ø": r"\O{}", "å": r"\aa{}", "Å": r"\AA{}", "ł": r"\l{}", "Ł": r"\L{}", "ı": r"\i{}",
    "£": r"\pounds{}", "€": "EUR", "\u200b": "", "\ufeff": "",
}
_ACCENTS = {
    "\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~", "\u0304": "=", "\u0306": "u",
    "\u0307": ".", "\u0308": '"', "\u030a": "r", "\u030b": "H", "\u030c": "v", "\u0327": "c",
}
_ASCII_TEXT = {
    "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
    "~": r"\ensuremath{\sim}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}", '"': "''",
}


def _accented(ch: str) -> str | None:
    """``é`` -> ``\\'{e}`` via the canonical decomposition, or None."""
    dec = unicodedata.normalize("NFD", ch)
    if len(dec) < 2 or not dec[0].isascii() or not dec[0].isalpha():
        return None
    out = "\\i" if dec[0] == "i" else "\\j" if dec[0] == "j" else dec[0]
    for mark in dec[1:]:
        acc = _ACCENTS.get(mark)
        if acc is None:
            return None
        out = f"\\{acc}{{{out}}}"
    return out


def _fallback_ascii(ch: str) -> str:
    dec = unicodedata.normalize("NFKD", ch)
    ascii_part = "".join(c for c in dec if c.isascii())
    return ascii_part if ascii_part else "?"


def _scripts(chars: str, table: dict, mark: str) -> str:
    return mark + "{" + "".join(table[c] for c in chars) + "}"


def math_unicode(c: str) -> str | None:
    """LaTeX math for a single unicode math character (θ, ≈, ², ᵢ), else None.

    >>> math_unicode("θ"), math_unicode("²"), math_unicode("é")
    ('\\\\theta', '^{2}', None)
    """
    if c in _MATH_UNICODE:
        return _MATH_UNICODE[c]
    if c in _SUPERSCRIPTS:
        return "^{" + _SUPERSCRIPTS[c] + "}"
    if c in _SUBSCRIPTS:
        return "_{" + _SUBSCRIPTS[c] + "}"
    return None


def latex_escape_text(text: str) -> str:
    """Escape prose for LaTeX text mode; the result is pure ASCII.

    Unicode math (θ, ≈, ², ᵢ ...) becomes ``\\ensuremath{...}``, typographic
    characters their LaTeX spellings, accented letters accent commands; anything else
    is replaced by its ASCII decomposition or ``?``.
    """
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c in _SUPERSCRIPTS or c in _SUBSCRIPTS:
            table, mark = (_SUPERSCRIPTS, "^") if c in _SUPERSCRIPTS else (_SUBSCRIPTS, "_")
            j = i
            while j < n and text[j] in table:
                j += 1
            out.append("\\ensuremath{" + _scripts(text[i:j], table, mark) + "}")
            i = j
            continue
        if c in _ASCII_TEXT:
            out.append(_ASCII_TEXT[c])
        elif c.isascii():
            out.append(c)
        elif c in _MATH_UNICODE:
            out.append("\\ensuremath{" + _MATH_UNICODE[c] + "}")
        elif c in _TEXT_UNICODE:
            out.append(_TEXT_UNICODE[c])
        else:
            acc = _accented(c)
            out.append(acc if acc is not None else latex_escape_text(_fallback_ascii(c)))
        i += 1
    return "".join(out)


def unicode_to_latex_math(src: str) -> str:
    """Replace unicode characters inside LaTeX math by math commands (pure ASCII out).

    >>> unicode_to_latex_math("θ² ≈ 1")
    '\\\\theta ^{2} \\\\approx  1'
    """
    out: list[str] = []
    i = 0
    n = len(src)
    while i < n:
        c = src[i]
        if c.isascii():
            out.append(c)
        elif c in _SUPERSCRIPTS or c in _SUBSCRIPTS:
            table, mark = (_SUPERSCRIPTS, "^") if c in _SUPERSCRIPTS else (_SUBSCRIPTS, "_")
            j = i
            while j < n and src[j] in table:
                j += 1
            out.append(_scripts(src[i:j], table, mark))
            i = j
            continue
        elif c in _MATH_UNICODE:
            out.append(_MATH_UNICODE[c] + " ")
        else:
            acc = _accented(c)
            out.append("\\text{" + acc + "}" if acc else _fallback_ascii(c).replace("?", ""))
        i += 1
    return "".join(out)


def latex_prose(text: str) -> str:
    """Prose -> LaTeX text-mode source: text escaped, safe inline math kept as ``$...$``.

    >>> latex_prose(r"I(p) = $1/(p(1-p))$ & 5% more")
    'I(p) = $1/(p(1-p))$ \\\\& 5\\\\% more'
    """
    parts = []
    for kind, s in split_prose(text):
        if kind == "math":
            tex = unicode_to_latex_math(s)
            # the conversion may join characters (``^`` + ``ᵀ`` -> ``^^{...}``): check again
            parts.append("$" + tex + "$" if is_safe_math(tex) else latex_escape_text("$" + s + "$"))
        else:
            parts.append(latex_escape_text(s))
    return "".join(parts)


# ---------------------------------------------------------------- numbers


def format_float(x, digits: int = 8) -> str:
    """A float to ``digits`` significant digits, ``%g`` style; 'nan', 'inf', '-inf'."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == 0:
        return "0"
    return f"{v:.{digits}g}"


def float_parts(x, digits: int = 8) -> tuple[str, str | None]:
    """``(mantissa, exponent)`` of :func:`format_float`; exponent None when not in e-form.

    >>> float_parts(1.5e-8, 3), float_parts(2.25, 3)
    (('1.5', '-8'), ('2.25', None))
    """
    s = format_float(x, digits)
    if "e" in s and s not in ("inf", "-inf"):
        mant, exp = s.split("e")
        return mant, str(int(exp))
    return s, None


# ---------------------------------------------------------------- LaTeX -> unicode (terminal)

# the inverse of the table above (one table for both directions), plus the commands that
# only the LaTeX side spells
_UNICODE_OF = {}
for _k, _v in _MATH_UNICODE.items():  # the first character of a command wins (μ, not the micro sign µ)
    if _v.startswith("\\") and _v[1:].isalpha():
        _UNICODE_OF.setdefault(_v, _k)
_UNICODE_OF.update({
    r"\epsilon": "ε", r"\varepsilon": "ε", r"\phi": "φ", r"\varphi": "φ", r"\le": "≤", r"\leq": "≤",
    r"\ge": "≥", r"\geq": "≥", r"\ne": "≠", r"\neq": "≠", r"\lt": "<", r"\gt": ">", r"\cdot": "·",
    r"\cdots": "⋯", r"\ldots": "…", r"\dots": "…", r"\top": "ᵀ", r"\intercal": "ᵀ", r"\mid": "|",
    r"\vert": "|", r"\lvert": "|", r"\rvert": "|", r"\Vert": "‖", r"\lVert": "‖", r"\rVert": "‖",
    r"\prime": "′", r"\implies": "⇒", r"\iff": "⇔", r"\colon": ":", r"\lbrace": "{", r"\rbrace": "}",
    r"\setminus": "∖", r"\emptyset": "∅", r"\varnothing": "∅", r"\langle": "⟨", r"\rangle": "⟩",
    r"\ell": "ℓ", r"\to": "→", r"\rightarrow": "→", r"\mapsto": "↦", r"\infty": "∞", r"\sum": "Σ",
    r"\prod": "∏", r"\int": "∫", r"\partial": "∂", r"\nabla": "∇", r"\pm": "±", r"\times": "×",
    r"\sim": "∼", r"\approx": "≈", r"\propto": "∝", r"\in": "∈", r"\notin": "∉", r"\circ": "∘",
    r"\quad": "  ", r"\qquad": "    ", r"\surd": "√",
})
_UNICODE_WORDS = frozenset(
    "log ln exp sin cos tan sinh cosh tanh det tr min max sup inf lim arg dim ker Pr".split())
_UNI_SUPER = dict(zip("0123456789+-=()niTkmjαβγδθ*", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᵀᵏᵐʲᵅᵝᵞᵟᶿ*"))
_UNI_SUB = dict(zip("0123456789+-=()aeoxnijkmpthlsr", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₙᵢⱼₖₘₚₜₕₗₛᵣ"))
_CALLIGRAPHIC = {"I": "ℐ", "L": "ℒ", "N": "𝒩", "H": "ℋ", "F": "ℱ", "E": "ℰ", "B": "ℬ", "M": "ℳ", "R": "ℛ"}
_BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ"}


class _TexReader:
    """A small reader of the LaTeX the engine writes into its prose (and of safe user math)."""

    def __init__(self, src: str):
        self.s, self.i = src, 0

    def group(self) -> str:
        """The next argument: a braced group or a single token, as unicode."""
        s = self.s
        while self.i < len(s) and s[self.i] == " ":
            self.i += 1
        if self.i >= len(s):
            return ""
        if s[self.i] == "{":
            depth, j = 0, self.i
            while j < len(s):
                depth += {"{": 1, "}": -1}.get(s[j], 0)
                if depth == 0:
                    break
                j += 1
            inner = s[self.i + 1 : j]
            self.i = j + 1
            return latex_to_unicode(inner)
        if s[self.i] == "\\":
            m = _CS_RE.match(s, self.i)
            self.i = m.end() if m else self.i + 1
            return self.command(m.group(1) if m else "")
        self.i += 1
        return s[self.i - 1]

    def command(self, name: str) -> str:
        if name in ("mathcal", "mathscr"):
            arg = self.group()
            return "".join(_CALLIGRAPHIC.get(c, c) for c in arg)
        if name == "mathbb":
            arg = self.group()
            return "".join(_BLACKBOARD.get(c, c) for c in arg)
        if name in ("mathrm", "mathbf", "mathit", "mathsf", "mathtt", "boldsymbol", "text", "textrm",
                    "textit", "textbf", "mbox", "operatorname", "mathfrak"):
            return self.group()
        if name in ("frac", "dfrac", "tfrac", "cfrac"):
            num, den = self.group(), self.group()
            return "%s/%s" % (_wrapped(num), _wrapped(den))
        if name in ("binom", "dbinom", "tbinom"):
            n, k = self.group(), self.group()
            return "C(%s, %s)" % (n, k)
        if name == "sqrt":
            arg = self.group()
            return "√" + _wrapped(arg)
        if name in ("hat", "widehat", "bar", "overline", "tilde", "widetilde", "dot", "ddot", "vec"):
            arg = self.group()
            mark = {"hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0304",
                    "tilde": "\u0303", "widetilde": "\u0303", "dot": "\u0307", "ddot": "\u0308",
                    "vec": "\u20d7"}[name]
            return arg + mark if len(arg) == 1 else arg
        if name in ("left", "right", "middle", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
                    "biggl", "biggr", "displaystyle", "textstyle", "scriptstyle", "scriptscriptstyle",
                    "limits", "nolimits"):
            return ""
        if name in (",", ";", ":", " "):
            return " "
        if name in ("!",):
            return ""
        if name in ("{", "}", "|", "&", "%", "$", "#", "_"):
            return {"|": "‖"}.get(name, name)
        if name in ("begin", "end"):
            self.group()
            return ""
        if name in _UNICODE_WORDS:
            return name
        uni = _UNICODE_OF.get("\\" + name)
        return uni if uni is not None else name


def _wrapped(s: str) -> str:
    """``a + b`` -> ``(a + b)`` when it would not read as one term next to ``/`` or ``√``."""
    if re.fullmatch(r"[\w′ᵀ⁻¹²³⁴⁰⁵⁶⁷⁸⁹ℐ.]+|\(.*\)|\[.*\]", s) and not (s.startswith("(") and ")(" in s):
        return s
    return "(" + s + ")"


def _script(arg: str, table: dict, mark: str) -> str:
    if arg and all(c in table for c in arg):
        return "".join(table[c] for c in arg)
    if mark == "^" and arg == "-ᵀ":
        return "⁻ᵀ"
    return mark + (arg if len(arg) == 1 else "(" + arg + ")")


def latex_to_unicode(src: str) -> str:
    r"""Inline LaTeX math as terminal unicode: Greek letters, scripts, fractions, operators.

    >>> latex_to_unicode(r"\mathcal{I}(\theta) = E[s s^{\mathsf{T}}]")
    'ℐ(θ) = E[s sᵀ]'
    >>> latex_to_unicode(r"\nabla_{\eta} A, \quad \frac{1}{p(1-p)}, \psi'(a), \Sigma^{-1}, x_{i}^{2}")
    '∇_η A, 1/(p(1-p)), ψ′(a), Σ⁻¹, xᵢ²'
    """
    r = _TexReader(src)
    out: list[str] = []
    s = src
    while r.i < len(s):
        c = s[r.i]
        if c == "\\":
            out.append(r.group())
        elif c in "^_":
            r.i += 1
            arg = r.group()
            out.append(_script(arg, _UNI_SUPER if c == "^" else _UNI_SUB, c))
        elif c == "{":
            out.append(r.group())
        elif c == "}":
            r.i += 1
        elif c == "'":
            r.i += 1
            out.append("′")
        else:
            r.i += 1
            out.append(c)
    text = re.sub(r"  +", " ", "".join(out)).strip()
    return text.replace("′′′", "‴").replace("′′", "″").replace("∂ ", "∂")


def unicode_prose(text: str) -> str:
    r"""Prose for a terminal: its inline ``$...$`` math as unicode, the text as it is.

    >>> unicode_prose(r"definition: $\mathcal{I} = E[s s^{\mathsf{T}}]$, costs \$5")
    'definition: ℐ = E[s sᵀ], costs $5'
    """
    return "".join(latex_to_unicode(s) if kind == "math" else s for kind, s in split_prose(text))
