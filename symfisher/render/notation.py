r"""Textbook notation for code names: one mapping for every output format.

A parameter called ``lam`` in code is :math:`\lambda` on the page, ``wstar_1`` is
:math:`w^*_1`, ``sigma_11`` is :math:`\sigma_{11}`; :func:`display_latex` gives the LaTeX
(used by the LaTeX printer, hence LaTeX, MathML and Markdown) and :func:`display_unicode`
the terminal form. The rules are general (Greek names and their common abbreviations,
digits and ``_`` parts as subscripts, ``star``/``hat``/``bar``/``tilde`` as decorations),
not a table of families.

:func:`textbook_prose` typesets the short ASCII formulas the engine writes into its step
texts (``definition: I = E[s s^T]``, ``Sigma**(-1) written out``) as inline ``$...$``
math, so reasons read as mathematics. Everything it produces is checked with
:func:`~symfisher.render.prose.is_safe_math`; what does not pass stays text.

>>> display_latex("lam"), display_latex("wstar_1"), display_latex("sigma_11"), display_latex("p")
('\\lambda', 'w^{*}_{1}', '\\sigma_{11}', 'p')
>>> display_unicode("lam"), display_unicode("wstar_1"), display_unicode("mu_2"), display_unicode("delta_p")
('λ', 'w*₁', 'μ₂', 'δₚ')
>>> textbook_prose("definition: I = E[s s^T]")
'definition: $\\mathcal{I} = E[s s^{\\mathsf{T}}]$'
>>> textbook_prose("Sigma**(-1) written out")
'$\\Sigma^{-1}$ written out'
>>> textbook_prose("I(0.3), derived closed form")
'$\\mathcal{I}(0.3)$, derived closed form'
"""
from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["display_latex", "display_unicode", "textbook_prose", "textbook_terms", "GREEK", "ABBREVIATIONS"]

GREEK = (
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi "
    "pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega "
    "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega"
).split()
#: common code spellings of Greek letters (``lambda`` is a Python keyword)
ABBREVIATIONS = {
    "lam": "lambda", "lamb": "lambda", "lambd": "lambda", "lamda": "lambda", "lmbda": "lambda",
    "Lam": "Lambda", "eps": "epsilon", "gam": "gamma", "sig": "sigma",
}
_UNI = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "varpi": "ϖ", "rho": "ρ",
    "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ", "upsilon": "υ", "phi": "φ",
    "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ",
    "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ",
    "Omega": "Ω",
}
_SUB = dict(zip("0123456789+-=()aeoxnijkmpthlsr", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₙᵢⱼₖₘₚₜₕₗₛᵣ"))
_SUP = dict(zip("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾"))
_DECORATIONS = ("star", "hat", "bar", "tilde", "dot")
_NAME = re.compile(r"([A-Za-z]+?)(\d*)((?:_[A-Za-z0-9]+)*)")


def _split(name: str):
    """``wstar_1`` -> ('w', ['star'], ['1']); None when the name is not of that shape."""
    m = _NAME.fullmatch(name)
    if m is None:
        return None
    base, digits, rest = m.group(1), m.group(2), m.group(3)
    parts = [p for p in rest.split("_") if p]
    decos: list[str] = []
    # ``wstar`` / ``w_star``: a decoration written as a suffix or as its own part
    changed = True
    while changed:
        changed = False
        for deco in _DECORATIONS:
            if base.endswith(deco) and len(base) > len(deco) and base[: -len(deco)] not in ("",):
                stem = base[: -len(deco)]
                if stem in GREEK or stem in ABBREVIATIONS or len(stem) == 1:
                    base, changed = stem, True
                    decos.append(deco)
    subs = ([digits] if digits else [])
    for p in parts:
        if p in _DECORATIONS:
            decos.append(p)
        else:
            subs.append(p)
    return base, decos, subs


def _base_latex(base: str) -> str:
    g = ABBREVIATIONS.get(base, base)
    if g in GREEK:
        return "\\" + g
    if base == "ell":  # the log-likelihood, as in ell_n
        return r"\ell"
    return base if len(base) == 1 else r"\mathrm{%s}" % base


def _sub_latex(sub: str) -> str:
    m = _split(sub)
    if m is not None and (m[0] in GREEK or m[0] in ABBREVIATIONS):
        return _base_latex(m[0])
    if sub.isalpha() and len(sub) > 2:  # F_emp: a word as a subscript is upright
        return r"\mathrm{%s}" % sub
    return sub


@lru_cache(maxsize=1024)
def display_latex(name: str) -> str | None:
    """The textbook LaTeX of a symbol name; None when the name is not a plain identifier."""
    parts = _split(name)
    if parts is None:
        return None
    base, decos, subs = parts
    tex = _base_latex(base)
    sup = ""
    for deco in decos:
        if deco == "star":
            sup = "^{*}"
        else:
            tex = "\\%s{%s}" % ({"bar": "bar", "hat": "hat", "tilde": "tilde", "dot": "dot"}[deco], tex)
    if subs:
        return tex + sup + "_{" + ",".join(_sub_latex(s) for s in subs) + "}"
    return tex + sup


@lru_cache(maxsize=1024)
def display_unicode(name: str) -> str:
    """The textbook unicode of a symbol name (the terminal form); the name itself if odd."""
    parts = _split(name)
    if parts is None:
        return name
    base, decos, subs = parts
    g = ABBREVIATIONS.get(base, base)
    out = _UNI.get(g, base) if base != "ell" else "ℓ"
    for deco in decos:
        out += {"star": "*", "hat": "\u0302", "bar": "\u0304", "tilde": "\u0303", "dot": "\u0307"}[deco]
    for s in subs:
        sg = ABBREVIATIONS.get(s, s)
        if sg in _UNI:
            out += "_" + _UNI[sg]
        elif all(c in _SUB for c in s):
            out += "".join(_SUB[c] for c in s)
        else:
            out += "_" + s
    return out


def textbook_terms(terms):
    """A sum's terms in the order a textbook writes them: SymPy's order, except that a sum does
    not open with a minus sign when it has a positive term. The leading negative terms move to
    the end, in their order: ``-mu + x`` reads ``x - mu`` (the data variable first in a
    difference), ``-A + T eta + h`` reads ``T eta + h - A``. Every printer (LaTeX, hence MathML
    and Markdown, and the terminal's) orders sums with this, so they read alike.

    >>> import sympy as sp
    >>> mu, x = sp.symbols("mu x")
    >>> textbook_terms((-mu, x)), textbook_terms((x, -mu)), textbook_terms((-mu, -x))
    ([x, -mu], [x, -mu], [-mu, -x])
    >>> textbook_terms(sp.symbols("delta_p p")), textbook_terms((2*sp.sqrt(2)/7, sp.Rational(6, 7)))
    ([p, delta_p], [6/7, 2*sqrt(2)/7])
    >>> eta = sp.Symbol("eta")
    >>> one = sp.S.One
    >>> textbook_terms((sp.exp(eta), one)), textbook_terms((x**2/mu, one)), textbook_terms((x, one))
    ([1, exp(eta)], [1, x**2/mu], [x, 1])
    """
    import sympy as sp
    from sympy.core.function import _coeff_isneg

    terms = list(terms)
    # an increment is written after what it increments: p + delta_p (KL(p, p + delta_p)), not delta_p + p
    steps = [t for t in terms if isinstance(t, sp.Symbol) and _split(t.name) is not None
             and ABBREVIATIONS.get(_split(t.name)[0], _split(t.name)[0]) in ("delta", "Delta")]
    if steps and len(steps) < len(terms) and not any(_coeff_isneg(t) for t in terms):
        terms = [t for t in terms if t not in steps] + steps
    if all(t.is_number for t in terms):  # a number: its rational part first, 6/7 + 2 sqrt(2)/7
        terms = [t for t in terms if t.is_Rational] + [t for t in terms if not t.is_Rational]
    elif any(t.is_Rational and t > 0 for t in terms) and all(t.is_Rational or _curved(t) for t in terms):
        # 1 + e^eta, 1 + x^2/nu: a positive constant opens a sum of exponentials and higher powers
        # (a linear sum keeps it last, x + 1, 2p - 1)
        terms = [t for t in terms if t.is_Rational and t > 0] + [t for t in terms if not (t.is_Rational and t > 0)]
    k = 0
    while k < len(terms) and _coeff_isneg(terms[k]):
        k += 1
    if 0 < k < len(terms):
        return terms[k:] + terms[:k]
    return terms


def _curved(term) -> bool:
    """A term a textbook writes after the constant of its sum: an exponential or a power other than
    the first of a symbol (``e^eta``, ``x^2/nu``, ``e^{-x}``), times numbers and symbols."""
    import sympy as sp

    curved = False
    for f in sp.Mul.make_args(term):
        if f.is_number:
            continue
        if isinstance(f, sp.exp):
            curved = True
        elif isinstance(f, sp.Pow) and f.base.is_Symbol and f.exp.is_Rational and f.exp > 1:
            curved = True
        elif not (f.is_Symbol or isinstance(f, sp.Pow) and f.base.is_Symbol and f.exp == -1):
            return False
    return curved


# ---------------------------------------------------------------- ASCII formulas in step texts

_FUNCS = {
    "log": r"\log", "ln": r"\ln", "exp": r"\exp", "det": r"\det", "tr": r"\operatorname{tr}",
    "Var": r"\operatorname{Var}", "Cov": r"\operatorname{Cov}", "KL": r"\mathrm{KL}", "sqrt": r"\sqrt",
    "ell": r"\ell", "Id": r"\mathrm{Id}",
}
# a token of an ASCII formula: names (with _ subscripts), numbers, operators, brackets
_TOKEN = re.compile(
    r"\*\*|->|\|\||[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)?(?:\*(?![*A-Za-z0-9(]))?|[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+|\d+(?:\.\d+)?(?:e[-+]?\d+)?|\^\{[^{}]*\}|\^T\b"
    r"|\^\([^()]*\)|\^-?\w+"
    r"|_[A-Za-z0-9]+|[=+\-*/()\[\]~.,;'!|<>]|[αβγδεζηθικλμνξπρστυφχψωΓΔΘΛΞΠΣΥΦΨΩ⁰¹²³⁴⁵⁶⁷⁸⁹⁻·−ᵀ∞≈≤≥]| +"
)
_OPS = set("=+-*/^[]~_<>") | {"**", "->", "||"}


def _is_formula_word(tok: str) -> bool:
    base = re.match(r"[A-Za-z]+", tok)
    if base is None:
        return True
    word = base.group(0)
    if "_" in tok:  # a subscripted name: a single letter or a Greek name before the _
        word = tok.split("_")[0]
        return len(word) == 1 or word in GREEK or word in ABBREVIATIONS
    return len(word) == 1 or word in GREEK or word in ABBREVIATIONS or word in _FUNCS or word == "oo"


def _math_of_run(run: str, vectors=frozenset()) -> str:
    out = []
    toks = _TOKEN.findall(run)
    i = 0
    while i < len(toks):
        t = toks[i]
        if t == "sqrt" and i + 1 < len(toks) and toks[i + 1] == "(":
            # sqrt(2): the argument in braces (``\sqrt(2)`` would take "(" as its argument)
            depth, j = 0, i + 1
            while j < len(toks):
                depth += {"(": 1, ")": -1}.get(toks[j], 0)
                if depth == 0:
                    break
                j += 1
            if j < len(toks):
                out.append(r"\sqrt{%s}" % _math_of_run("".join(toks[i + 2 : j]), vectors))
                i = j + 1
                continue
        if t == "**":
            # ``**(-1)`` / ``**2``: an exponent
            nxt = toks[i + 1] if i + 1 < len(toks) else ""
            if nxt == "(" and i + 3 < len(toks) and toks[i + 3] == ")":
                out.append("^{%s}" % toks[i + 2])
                i += 4
                continue
            if nxt == "(" and i + 4 < len(toks) and toks[i + 2] == "-" and toks[i + 4] == ")":
                out.append("^{-%s}" % toks[i + 3])
                i += 5
                continue
            out.append("^{%s}" % nxt)
            i += 2
            continue
        m = re.fullmatch(r"(\d+(?:\.\d+)?)e([-+]?\d+)", t)
        if m:  # 1e-5: a power of ten
            mant, exp = m.group(1), str(int(m.group(2)))
            out.append(("10^{%s}" % exp) if mant == "1" else r"%s \cdot 10^{%s}" % (mant, exp))
            i += 1
            continue
        if t == "^T":
            out.append(r"^{\mathsf{T}}")
        elif t.startswith("^{"):
            out.append(t)
        elif t.startswith("^"):
            e = t[1:].strip("()")
            out.append("^{%s}" % (display_latex(e) or e if e.isalpha() else e))
        elif t.startswith("_"):
            out.append("_{%s}" % t[1:])
        elif t == "oo":
            out.append(r"\infty ")
        elif not t.isascii():
            from .prose import unicode_to_latex_math

            out.append(unicode_to_latex_math(t))
        elif t == "->":
            out.append(r"\to ")
        elif t == "||":  # KL(p || q): the divergence of the first from the second
            out.append(r"\,\|\, ")
        elif t == "|" and 0 < i < len(toks) - 1 and toks[i - 1].isspace() and toks[i + 1].isspace():
            out.append(r"\mid ")  # E[g | x]: a condition, spaced as one
        elif t == "~":
            out.append(r"\sim ")
        elif t == "*":
            out.append(" ")
        elif t == ".":
            out.append(r"\cdot ")
        elif t.endswith("*") and len(t) > 1:
            tex = display_latex(t[:-1]) or t[:-1]
            out.append((_bold(t[:-1], tex) if vectors and _is_vector(t[:-1], vectors) else tex) + "^{*} ")
        elif re.fullmatch(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)?", t):
            if t in _FUNCS:
                out.append(_FUNCS[t] + " ")
            elif t == "I":
                out.append(r"\mathcal{I}")
            elif t.startswith("I_") and display_latex(t) is not None:  # I_phi: the Fisher information in phi
                out.append(r"\mathcal{I}" + display_latex(t)[1:] + " ")
            else:
                tex = display_latex(t)
                tex = tex if tex is not None and not tex.startswith(r"\mathrm") else t
                out.append((_bold(t, tex) if vectors and _is_vector(t, vectors) else tex) + " ")
        else:
            out.append(t)
        i += 1
    tex = re.sub(r" +", " ", "".join(out)).strip()
    tex = re.sub(r"(?<=\d) +\((?=[^()]*=)", r"\\ (", tex)  # "p = 0.25 (eta = ...)": a remark in brackets keeps its space
    # no space before scripts and brackets (but after a relation or operator the space stays)
    tex = re.sub(r"(?<=[^\\=+\-<>]) +(?=[\^_\[\]()/!,;|'])", "", tex)
    return re.sub(r"(?<=[\[(/]) +", "", tex)


def _is_vector(token: str, vectors) -> bool:
    """Whether ``token`` names one of the page's vectors: the vector itself or an observation of it
    (``x_i``, ``g_n``), not one of its components (``x_1``, ``mu_2``)."""
    head, _, sub = token.partition("_")
    return head in vectors and (not sub or sub in ("i", "j", "k", "n"))


def _bold(token: str, tex: str) -> str:
    r"""The LaTeX ``tex`` of ``token`` with its head bold: ``\boldsymbol{\mu}``, ``\boldsymbol{x}_{i}``."""
    head = token.partition("_")[0]
    head_tex = display_latex(head) or head
    return r"\boldsymbol{%s}" % head_tex + tex[len(head_tex):] if tex.startswith(head_tex) else tex


def _bold_math(tex: str, vectors) -> str:
    r"""Math the engine wrote as LaTeX already, with the page's vectors bold (as :func:`_is_vector` decides:
    ``\mu`` and ``x_{i}`` bold, ``\mu_{1}`` and ``x_1`` not, nor a letter of a command or of a word
    in ``\text{}``).

    >>> _bold_math(r"(x - \mu)^{\mathsf{T}} \Sigma^{-1} (x - \mu), x_{1}, \exp", {"x", "mu"})
    '(\\boldsymbol{x} - \\boldsymbol{\\mu})^{\\mathsf{T}} \\Sigma^{-1} (\\boldsymbol{x} - \\boldsymbol{\\mu}), x_{1}, \\exp'
    """
    if not vectors or r"\text" in tex:
        return tex
    for name in sorted(vectors):
        head = display_latex(name)
        if not head or head.startswith(r"\mathrm") or not re.fullmatch(r"\\?[A-Za-z]+", head):
            continue
        before = r"(?<![\\A-Za-z{])" if not head.startswith("\\") else r"(?<!\\boldsymbol\{)"
        # not a component (a digit subscript), not part of a longer name or command
        pattern = before + re.escape(head) + r"(?![A-Za-z])(?!\s*_\{?\d)"
        tex = re.sub(pattern, lambda m: r"\boldsymbol{%s}" % head, tex)
    return tex


_WORD_OR_SPACE = re.compile(r"(\s+)")
# nouns after which a Greek word is the name of a family or function, not a symbol
_NAME_NOUNS = frozenset("model models log-density distribution distributions law laws family function kernel "
                        "prior".split())


#: words of family names written as proper names (``the bernoulli model`` -> ``the Bernoulli model``)
FAMILY_WORDS = {"bernoulli": "Bernoulli", "poisson": "Poisson", "weibull": "Weibull", "rayleigh": "Rayleigh",
                "pareto": "Pareto", "laplace": "Laplace", "cauchy": "Cauchy", "student": "Student",
                "gumbel": "Gumbel", "maxwell": "Maxwell", "nakagami": "Nakagami", "levy": "Lévy",
                "frechet": "Fréchet", "dirichlet": "Dirichlet", "mises": "Mises", "gaussian": "Gaussian",
                "mvn": "multivariate normal", "corr": "correlation", "t3": "t", "stacy": "Stacy"}
_NAME_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*")


def family_display(name: str) -> str:
    """A family's code name as a reader's name: ``zero_truncated_poisson`` -> ``zero truncated
    Poisson``, ``von_mises`` -> ``von Mises``, ``gamma_mean`` -> ``gamma mean``.

    >>> family_display("student_t3"), family_display("mvn_covariance")
    ('Student t', 'multivariate normal covariance')
    """
    return " ".join(FAMILY_WORDS.get(w.lower(), w) for w in name.split("_"))


def textbook_prose(text: str, vectors=frozenset()) -> str:
    """Engine-written prose with its ASCII formulas as ``$...$`` math (prose that already has
    math, or lines without formulas, are returned as they are, apart from display names).

    A formula is a run of tokens with at least one operator (``=``, ``^``, ``**``, ``_``,
    brackets ...) made only of single letters, Greek names, function names and numbers:
    English words end it. ``J = -H`` and ``E[s s^T]`` become math; ``a constant matrix``
    does not. The names in ``vectors`` (a page's vectors, :func:`symfisher.textbook_letters.vector_names`)
    are bold, with an observation's index (``x_i``) but not a component's (``x_1``):

    >>> textbook_prose("s = Sigma**(-1) r with r = x - mu, not x_1", vectors={"r", "x", "mu"})
    '$s = \\\\Sigma^{-1} \\\\boldsymbol{r}$ with $\\\\boldsymbol{r} = \\\\boldsymbol{x} - \\\\boldsymbol{\\\\mu}$, not $x_{1}$'
    """
    if not text:
        return text
    from .prose import _GREEK_UNICODE, is_safe_math, split_prose

    # a Greek letter as a subscript (I_η): its code name, so that the name reads as one symbol
    text = re.sub(r"(?<=[A-Za-z0-9])_([%s])" % "".join(_GREEK_UNICODE), lambda m: "_" + _GREEK_UNICODE[m.group(1)], text)

    if "$" in text:  # prose with math already: only the text between the formulas is read
        pieces = split_prose(text)
        if any(kind == "math" for kind, _ in pieces):
            return "".join("$" + _bold_math(part, vectors) + "$" if kind == "math" else
                           textbook_prose(part, vectors) if "$" not in part else part.replace("$", "\\$")
                           for kind, part in pieces)
        return text

    words = _WORD_OR_SPACE.split(text)
    out: list[str] = []
    run: list[str] = []

    def flush():
        if run:
            out.append(_convert_run("".join(run), is_safe_math, vectors))
            run.clear()

    call = 0  # inside the parentheses of a word written as a call (``Beta(1/2, 1/2)``): text
    for k, w in enumerate(words):
        if not w:
            continue
        nxt = next((v for v in words[k + 1:] if v and not v.isspace()), "")
        if nxt.rstrip(".,;:") in _NAME_NOUNS and _NAME_WORD.fullmatch(w) and \
                (w in GREEK or "_" in w or w.lower() in FAMILY_WORDS):
            # "the beta model", "the gamma function", "the gamma_mean model": a name, not a symbol
            flush()
            out.append(family_display(w))
            continue
        if w.isspace():
            (run if run else out).append(w)
            continue
        if call > 0:
            call += w.count("(") - w.count(")")
            out.append(_words(w))
            continue
        core = w.rstrip(".,;:")
        if core and all(_is_formula_word(t) for t in re.findall(r"[A-Za-z][A-Za-z0-9_]*", core)) and \
                _TOKEN.sub("", core) == "":
            run.append(w)
            joined = "".join(run)
            if core != w and joined.count("(") == joined.count(")"):  # punctuation closes the formula
                flush()
            continue
        flush()
        if re.search(r"[A-Za-z]\(", w):
            call = max(0, w.count("(") - w.count(")"))
        out.append(_words(w))
    flush()
    return re.sub(r"\$\s*(?:and|or)\s*\$", lambda m: m.group(0), "".join(out))


def _convert_run(s: str, is_safe_math, vectors=frozenset()) -> str:
    """One run of formula-like words -> ``$...$`` math where it is a formula, else text."""
    tail = ""
    m = re.search(r"[\s.,;:]+$", s)
    if m:
        s, tail = s[: m.start()], m.group(0)
    lead = ""
    while s.endswith(")") and s.count(")") > s.count("("):
        s, tail = s[:-1], ")" + tail
    while s.startswith("(") and s.count("(") > s.count(")"):
        s, lead = s[1:], lead + "("
    m = re.search(r"[\s.,;:]+$", s)
    if m:
        s, tail = s[: m.start()], m.group(0) + tail
    if s.count("(") > s.count(")"):  # ``mu (Sigma``: the part before an unclosed bracket on its own
        depth, cut = 0, None
        for k, c in enumerate(s):
            if c == "(":
                if depth == 0:
                    cut = k
                depth += 1
            elif c == ")":
                depth -= 1
        if cut:
            return lead + _convert_run(s[:cut], is_safe_math, vectors) + _words(s[cut:]) + tail
    # a lone letter is a symbol ("with respect to p", "n iid observations"), except the article a
    has_op = any(op in s for op in _OPS) or any(w in GREEK or w in ABBREVIATIONS for w in re.findall(r"[A-Za-z]+", s)) \
        or (len(s) == 1 and s.isalpha() and s not in "aA") \
        or re.search(r"(?<![A-Za-z])I(?:_[A-Za-z0-9]+)?\(", s) is not None  # the information at a point: I(0.3)
    balanced = s.count("(") == s.count(")") and s.count("[") == s.count("]")
    dangling = re.match(r"^[=+*/^]|.*[=+\-/^]$|.*(?<![A-Za-z0-9])\*$", s)
    if s and has_op and balanced and not dangling and re.search(r"[A-Za-z0-9]", s):
        tex = _math_of_run(s, vectors)
        if is_safe_math(tex):
            return lead + "$" + tex + "$" + tail
    return lead + _words(s) + tail


_SPECIAL_CALL = re.compile(r"\b(polygamma|besseli)\((\d+), ")
_PSI = {"0": "ψ", "1": "ψ′", "2": "ψ″"}


def _words(text: str) -> str:
    """Code names among words as display unicode (``mvn_mean`` -> ``mvn mean``, ``mu_2`` ->
    ``μ₂``), and the code spellings left in an expression written as text (a failure message
    quoting one) as mathematics: ``x**2`` -> ``x^2``, ``polygamma(1, a)`` -> ``ψ′(a)``,
    ``besseli(0, k)`` -> ``I₀(k)``, ``sqrt(`` -> ``√(``.

    >>> _words("E[log(1 + (-mu_2 + x)**2/(nu*sigma**2))] and polygamma(1, a + b), mvn_mean")
    'E[log(1 + (-μ₂ + x)^2/(ν·σ^2))] and ψ′(a + b), mvn mean'
    """
    def special(m):
        name, n = m.groups()
        if name == "polygamma":
            return (_PSI.get(n) or "ψ" + "".join(_SUP.get(c, c) for c in f"({n})")) + "("
        return "I" + "".join(_SUB.get(c, c) for c in n) + "("

    def one(m):
        w = m.group(0)
        g = ABBREVIATIONS.get(w, w)
        if g in _UNI:
            return _UNI[g]
        if w == "oo":
            return "∞"
        if w.islower() and FAMILY_WORDS.get(w, "")[:1].isupper():  # "standard laplace": a proper name
            return FAMILY_WORDS[w]
        if "_" in w:
            parts = _split(w)
            if parts is not None and (len(parts[0]) == 1 or parts[0] in GREEK or parts[0] in ABBREVIATIONS):
                return display_unicode(w)
            return w.replace("_", " ")
        return w
    text = _SPECIAL_CALL.sub(special, text)
    text = re.sub(r"\bsqrt\(", "√(", text)
    text = re.sub(r"(?<=[\w)\]])\*\*(?=[\w(])", "^", text)
    # a product sign, but not the star of w*ᵢ (a decoration before its subscript)
    text = re.sub(r"(?<=[\w)\]])\*(?=[\w(])(?![ᵢⱼₖₘₙ₀-₉])", "·", text)
    return re.sub(r"[A-Za-z][A-Za-z0-9_]*", one, text)
