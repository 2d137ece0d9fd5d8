r"""LaTeX output: SymPy's LaTeX printer, a Jupyter fragment and a standalone document.

Math objects in, text out: nothing here simplifies or evaluates. The printer is SymPy's
:class:`~sympy.printing.latex.LatexPrinter` with a few house conventions (``\psi^{(1)}``
for trigamma, ``pmatrix`` matrices, user names for symbols from the settings). The
document compiles with ``pdflatex`` using only amsmath, amssymb, geometry, booktabs and
graphicx, and its source is pure ASCII.

>>> import sympy as sp
>>> a = sp.Symbol("alpha", positive=True)
>>> latex_of(sp.polygamma(1, a))
"\\psi'\\left(\\alpha\\right)"
>>> latex_of(sp.Matrix([[1, 0], [0, sp.Symbol("p_1")]]))
'\\begin{pmatrix}1 & 0\\\\0 & p_{1}\\end{pmatrix}'
>>> latex_of("a & b"), latex_of(2.5e-9)
('\\text{a \\& b}', '2.5 \\times 10^{-9}')
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, NamedTuple, Sequence

import sympy as sp
from sympy.logic.boolalg import Boolean
from sympy.printing.latex import LatexPrinter

from ..derivation import Check, Derivation, Step
from .document import Section, as_sections
from .prose import (
    float_parts,
    latex_escape_text,
    latex_prose,
    markup_math,
    math_unicode,
    paragraphs,
    split_prose,
)
from .notation import display_latex, textbook_prose, textbook_terms
from .settings import DEFAULT_SETTINGS, RenderSettings
from ..textbook import result_form, result_relation, textbook_derivation
from ..textbook_forms import _unevaluated
from .shapes import _balanced, _mixed_exponentials, _transposed_sum

__all__ = [
    "SymfisherLatexPrinter",
    "latex_of",
    "Row",
    "equation_rows",
    "result_step",
    "render_derivation",
    "render_derivation_fragment",
    "render_section",
    "render_document",
]


_NAME_RE = re.compile(r"[A-Za-z0-9_^{}']+")


def _plain_name(name: str) -> bool:
    """A symbol name SymPy may print as is: letters, digits, ``_ ^ ' { }``, braces balanced."""
    if not _NAME_RE.fullmatch(name):
        return False
    depth = 0
    for c in name:
        depth += (c == "{") - (c == "}")
        if depth < 0:
            return False
    return depth == 0


class SymfisherLatexPrinter(LatexPrinter):
    r"""SymPy's LaTeX printer with symfisher's conventions.

    * ``polygamma(n, x)`` as ``\psi(x)``, ``\psi'(x)`` (trigamma), ``\psi''(x)``, ``\psi^{(n)}(x)``,
      ``loggamma`` as ``\log\Gamma``, ``beta(a, b)`` as ``\mathrm{B}(a, b)``;
    * matrices as ``pmatrix``, a 1 x 1 matrix as its entry;
    * the Fisher information ``I(...)`` as ``\mathcal{I}(...)`` (never confused with a Bessel
      ``I_0``), expectations as ``E[...]``, ``ell`` as ``\ell``, named functions with plain
      parentheses;
    * the inverse of a matrix-named symbol or of ``I(...)`` as ``X^{-1}``, never ``1/X``;
    * ``symbol_names`` by symbol *name* (``{"p": r"\pi"}``), then the textbook display
      names of :mod:`.notation` (``lam`` -> ``\lambda``, ``wstar_1`` -> ``w^{*}_{1}``).
    """

    def __init__(self, settings: RenderSettings = DEFAULT_SETTINGS):
        super().__init__(
            {
                "mat_str": "pmatrix",
                "mat_delim": "",
                "ln_notation": settings.ln_notation,
                "mul_symbol": settings.mul_symbol,
            }
        )
        self._names = settings.symbol_map

    def _print_Symbol(self, expr, style="plain"):
        name = self._names.get(expr.name)
        if name is not None:
            return name
        if not _plain_name(expr.name):  # e.g. "a&b", "x%": never raw into LaTeX
            return r"\text{%s}" % latex_escape_text(expr.name)
        if expr.name == "I":  # the Fisher information as a matrix symbol
            return r"\mathcal{I}"
        shown = display_latex(expr.name)
        if shown is not None and not shown.startswith(r"\mathrm"):
            return shown
        return super()._print_Symbol(expr, style=style)

    def _print_MatrixSymbol(self, expr, style="plain"):
        # a vector (a d x 1 matrix symbol: x, mu, r = x - mu, a step delta) is bold, as textbooks write
        # vectors; a matrix (Sigma, I) and the entries of a vector (mu_1) are not
        tex = self._print_Symbol(expr)
        if expr.shape[1] == 1 and expr.shape[0] != 1:
            return vector_latex(tex)
        return tex

    def _print_Derivative(self, expr):
        # a function of the data and the parameter is differentiated partially, whatever the data's
        # type: SymPy writes d/dp l(x, p) for an integer x but a partial for a real one
        from sympy.printing.conventions import requires_partial

        if len(expr.expr.free_symbols) > 1 and not requires_partial(expr.expr):
            old = self._settings["diff_operator_latex"]
            self._settings["diff_operator_latex"] = r"\partial"
            try:
                return self._parenthesized_operand(expr, super()._print_Derivative(expr))
            finally:
                self._settings["diff_operator_latex"] = old
        return self._parenthesized_operand(expr, super()._print_Derivative(expr))

    def _parenthesized_operand(self, expr, tex: str) -> str:
        r"""A derivative of a symbol or a product with its operand in parentheses, as a sum's already
        is: ``\frac{d}{d p} \left(p\right)``, not ``\frac{d}{d p} p`` (which reads as a product)."""
        if isinstance(expr.expr, (sp.Symbol, sp.Mul)):
            body = self._print(expr.expr)
            if tex.endswith(" " + body):
                return tex[: -len(body)] + r"\left(%s\right)" % body
        return tex

    def _print_Limit(self, expr):
        # a one-sided limit as textbooks write it: t \to 0^{+}, not SymPy's 0^\text{+}
        tex = super()._print_Limit(expr)
        return tex.replace(r"^\text{+}", "^{+}").replace(r"^\text{-}", "^{-}")

    def _print_MatAdd(self, expr):
        # x^T - mu^T, the transpose SymPy distributed over a difference, reads (x - mu)^T
        inner = _transposed_sum(expr)
        if inner is not None:
            return r"\left(%s\right)^{\mathsf{T}}" % self._print_Add(inner)
        return self._print_Add(expr)

    def _print_Transpose(self, expr):
        base = self._print(expr.arg)
        if not isinstance(expr.arg, (sp.MatrixSymbol, sp.Symbol)):
            base = r"\left(%s\right)" % base
        return r"%s^{\mathsf{T}}" % base

    # undefined functions that name quantities (derive/notation.py): textbook spellings
    # (Var and Cov as operators: "J Var(T)" is spaced as J times the variance, not the word "JVar")
    _FUNCTION_NAMES = {"I": r"\mathcal{I}", "ell": r"\ell", "pi": r"\pi", "KL": r"\mathrm{KL}",
                       "det": r"\det", "J": "J", "s": "s", "Var": r"\operatorname{Var}",
                       "Cov": r"\operatorname{Cov}"}

    def _print_Function(self, expr, exp=None):
        from sympy.core.function import AppliedUndef

        if not isinstance(expr, AppliedUndef):
            return super()._print_Function(expr, exp)
        name = type(expr).__name__
        args = ", ".join(self._print(a) for a in expr.args)
        if name == "KL" and len(expr.args) % 2 == 0 and expr.args:
            # the divergence of the first distribution from the second, as textbooks write it: KL(p_1 || p_2)
            half = len(expr.args) // 2
            first = ", ".join(self._print(a) for a in expr.args[:half])
            second = ", ".join(self._print(a) for a in expr.args[half:])
            tex = r"\mathrm{KL}\left(%s \,\|\, %s\right)" % (first, second)
            return tex if exp is None else r"%s^{%s}" % (tex, exp)
        if name == "det" and len(expr.args) == 1 and isinstance(expr.args[0], AppliedUndef) \
                and type(expr.args[0]).__name__ == "I" and len(expr.args[0].args) == 1:
            # the determinant of a 1 x 1 Fisher information is the information itself
            return self._print(expr.args[0]) if exp is None else r"%s^{%s}" % (self._print(expr.args[0]), exp)
        if name == "E" or name.startswith("E_"):  # E[...], E_y[...]
            head = "E" if name == "E" else display_latex(name) or "E"
            tex = r"%s\left[%s\right]" % (head, args)
        else:
            head = self._FUNCTION_NAMES.get(name) or display_latex(name) or r"\operatorname{%s}" % name
            if name.startswith("I_") and head.startswith("I_"):  # I_n: the Fisher information of n observations
                head = r"\mathcal{I}" + head[1:]
            tex = r"%s\left(%s\right)" % (head, args)
        return tex if exp is None else r"%s^{%s}" % (tex, exp)

    def _print_Pow(self, expr):
        from sympy.core.function import AppliedUndef

        base, e = expr.args
        if e == -1 and (isinstance(base, AppliedUndef) and type(base).__name__ == "I"
                        or isinstance(base, sp.Symbol) and base.name[:1].isupper()):
            return r"%s^{-1}" % self._print(base)
        return super()._print_Pow(expr)

    def _print_Mul(self, expr):
        from sympy.core.function import _coeff_isneg

        args = expr.args
        if len(args) == 2 and args[0] == -1 and _coeff_isneg(args[1]):
            # an unevaluated minus in front of a negative quantity: -(-1/sigma^2), never "- \frac{-1}{...}"
            return r"-\left(%s\right)" % self._print(args[1])
        if len(args) >= 2 and args[0] == 1:  # an unevaluated factor 1 (J^2 = 1): not written
            return self._print(sp.Mul(*args[1:], evaluate=False) if len(args) > 2 else args[1])
        if (len(args) == 2 and _unevaluated(expr) and isinstance(args[1], sp.Pow) and args[1].exp.is_negative
                and not args[0].is_number and not isinstance(args[0], sp.Add) and sp.fraction(args[0])[1] == 1):
            # a factor times a reciprocal, written apart: t * 1/t, not t/t (the limit that compares with 1/t)
            return r"%s \cdot %s" % (self.parenthesize(args[0], 50), self._print(args[1]))
        mixed = _mixed_exponentials(expr)
        if mixed is not None:  # (1 + e^eta)^2 e^{-eta} reads (1 + e^eta)^2 / e^eta: one sign of the exponent
            num, den = mixed
            return r"\frac{%s}{%s}" % (self._print(num), self._print(den))
        # an unevaluated product keeps the order it was written in: f(x) s(x)^2, the weight first
        with self._order("none" if _unevaluated(expr) else None):
            tex = super()._print_Mul(expr)
        # an unevaluated -(a + b) is printed "- (a + b)": delimiters that grow with their content
        if tex.startswith("- (") and tex.endswith(")") and _balanced(tex[3:-1]):
            tex = r"- \left(" + tex[3:-1] + r"\right)"
        return tex

    def _print_Add(self, expr, order=None):
        # an unevaluated term whose own first factor is negative prints as "+ - ...": write "- ..."
        with self._order(None):  # a sum inside an unevaluated product: still in textbook order
            return re.sub(r"\+ - ", "- ", super()._print_Add(expr, order=order))

    @contextmanager
    def _order(self, order):
        old = self._settings.get("order")
        self._settings["order"] = order
        try:
            yield
        finally:
            self._settings["order"] = old

    def _as_ordered_terms(self, expr, order=None):
        # a sum does not open with a minus sign: x - mu, not -mu + x (notation.textbook_terms)
        return textbook_terms(super()._as_ordered_terms(expr, order=order))

    def _print_MatMul(self, expr):
        # a numeric coefficient without brackets: \frac{1}{2} \delta^{T} I \delta, not (\frac{1}{2}) ...
        if any(_transposed_sum(a) is not None for a in expr.args):  # (x - mu)^T as a factor: one pair of brackets
            return " ".join(self._print(a) if _transposed_sum(a) is not None else self.parenthesize(a, 50, False)
                            if isinstance(a, sp.MatAdd) else
                            ("-" if a == -1 else self._print(a)) for a in expr.args)
        head, *rest = expr.args
        if head.is_Number and rest:
            tail = rest[0] if len(rest) == 1 else sp.MatMul(*rest, evaluate=False)
            return r"%s %s" % (self._print(head) if head != -1 else "-", self._print(tail))
        return super()._print_MatMul(expr)

    def _print_MatrixBase(self, expr):
        if expr.shape == (1, 1):
            return self._print(expr[0, 0])
        return super()._print_MatrixBase(expr)

    _print_ImmutableMatrix = _print_ImmutableDenseMatrix = _print_Matrix = _print_MatrixBase
    _print_MutableDenseMatrix = _print_DenseMatrix = _print_MatrixBase

    def _with_exp(self, tex: str, exp) -> str:
        return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)

    def _print_polygamma(self, expr, exp=None):
        n, z = expr.args
        head = {0: r"\psi", 1: r"\psi'", 2: r"\psi''"}.get(n, None) or r"\psi^{(%s)}" % self._print(n)
        return self._with_exp(r"%s\left(%s\right)" % (head, self._print(z)), exp)

    def _print_loggamma(self, expr, exp=None):
        return self._with_exp(r"\log\Gamma\left(%s\right)" % self._print(expr.args[0]), exp)

    def _print_beta(self, expr, exp=None):
        args = ", ".join(self._print(a) for a in expr.args)
        return self._with_exp(r"\mathrm{B}\left(%s\right)" % args, exp)


def vector_latex(tex: str) -> str:
    r"""The LaTeX ``tex`` of a name printed as a vector: bold, its scripts not (``\boldsymbol{\mu}``,
    ``\boldsymbol{x}_{i}``); ``\boldsymbol`` keeps Greek and Latin letters alike bold italic.

    >>> vector_latex(r"\mu"), vector_latex("x_{i}")
    ('\\boldsymbol{\\mu}', '\\boldsymbol{x}_{i}')
    """
    m = re.match(r"(\\[A-Za-z]+|[A-Za-z])(.*)$", tex)
    if m is None:
        return tex
    return r"\boldsymbol{%s}%s" % m.groups()


@lru_cache(maxsize=32)
def _printer(settings: RenderSettings) -> SymfisherLatexPrinter:
    return SymfisherLatexPrinter(settings)


def _is_numpy(obj) -> bool:
    module = getattr(type(obj), "__module__", None) or ""
    return module.split(".")[0] == "numpy" and hasattr(obj, "tolist")


def latex_float(x, digits: int) -> str:
    """A float as LaTeX math: ``1.5 \\times 10^{-8}``, ``\\infty``, ``\\mathrm{NaN}``."""
    mant, exp = float_parts(x, digits)
    if mant == "nan":
        return r"\mathrm{NaN}"
    if mant in ("inf", "-inf"):
        return mant.replace("inf", r"\infty")
    return mant if exp is None else r"%s \times 10^{%s}" % (mant, exp)


def latex_of(obj: Any, settings: RenderSettings | None = None) -> str:
    """LaTeX (math mode) for a SymPy object, a number, a string or a sequence of them."""
    settings = settings or DEFAULT_SETTINGS
    if obj is None:
        return r"\text{(none)}"
    if isinstance(obj, str):
        return r"\text{" + latex_escape_text(obj) + "}"
    if isinstance(obj, bool):
        return r"\text{%s}" % ("true" if obj else "false")
    if _is_numpy(obj):
        shape = getattr(obj, "shape", ())
        if len(shape) == 2:
            return latex_of(sp.Matrix(obj.tolist()), settings)
        return latex_of(obj.tolist(), settings)
    if isinstance(obj, float):
        return latex_float(obj, settings.float_digits)
    if isinstance(obj, (list, tuple)):
        return r"\left(%s\right)" % ", ".join(latex_of(o, settings) for o in obj)
    if isinstance(obj, dict):
        items = sorted(obj.items(), key=lambda kv: str(kv[0]))
        inner = ", ".join(
            "%s: %s" % (latex_of(k, settings), latex_of(v, settings)) for k, v in items
        )
        return r"\left\{%s\right\}" % inner
    return _printer(settings).doprint(obj)


# ---------------------------------------------------------------- equation layout


class Row(NamedTuple):
    """One line of a displayed chain ``lhs = form1 = form2 ...``.

    ``lhs``/``rel``/``rhs`` are LaTeX; ``rhs_obj`` is the object ``rhs`` was printed
    from (for renderers that need a fallback), ``None`` when there is none.
    """

    lhs: str
    rel: str
    rhs: str
    rhs_obj: Any = None
    lhs_obj: Any = None


def is_value(form) -> bool:
    """Forms joined to the chain with ``=`` (everything but relations and booleans)."""
    # a Symbol is a Boolean too in SymPy (``p`` may stand for a truth value): an expression is a value
    return isinstance(form, sp.Expr) or not isinstance(form, Boolean)


def split_sum(obj, settings: RenderSettings) -> list[tuple[str, Any]]:
    """LaTeX of ``obj`` in pieces of at most ``settings.line_width`` characters.

    Only a top-level sum is split, between its terms, in the printer's own term order;
    every piece after the first starts with ``+ `` or ``- ``.

    >>> x = sp.Symbol("x")
    >>> s = RenderSettings(line_width=16)
    >>> [tex for tex, _ in split_sum(x**3 + 2*x**2 - x + 7, s)]
    ['x^{3} + 2 x^{2}', '- x + 7']
    """
    tex = latex_of(obj, settings)
    if not isinstance(obj, sp.Add) or len(tex) <= settings.line_width:
        return [(tex, obj)]
    printer = _printer(settings)
    terms = printer._as_ordered_terms(obj)
    pieces: list[tuple[str, str, Any]] = []  # (sign, tex, term)
    for i, term in enumerate(terms):
        sign = ""
        if i > 0:
            if term.could_extract_minus_sign():
                sign, term_abs = "- ", -term
            else:
                sign, term_abs = "+ ", term
        else:
            term_abs = term
        ttex = printer._print(term_abs)
        if printer._needs_add_brackets(term_abs):
            ttex = r"\left(%s\right)" % ttex
        pieces.append((sign, ttex, term))
    chunks: list[tuple[str, Any]] = []
    cur_tex, cur_terms = "", []
    for sign, ttex, term in pieces:
        piece = (sign + ttex) if not cur_tex else (" " + sign + ttex)
        if cur_tex and len(cur_tex) + len(piece) > settings.line_width:
            chunks.append((cur_tex, cur_terms))
            cur_tex, cur_terms = sign + ttex, [term]
        else:
            cur_tex += piece
            cur_terms.append(term)
    chunks.append((cur_tex, cur_terms))
    return [
        (t, terms_[0] if len(terms_) == 1 else sp.Add(*terms_, evaluate=False))
        for t, terms_ in chunks
    ]


def _width(tex: str) -> int:
    r"""About how wide ``tex`` prints, in characters: a command counts as one, ``\left``/``\right``,
    braces and spaces as none (``E\left[\frac{\partial}{\partial \mu} \ell\left(x, \mu\right)\right]``
    is a short left-hand side, not a 60-character one).

    >>> _width(r"E\left[\frac{\partial}{\partial \mu} \ell\left(x, \mu\right)\right]")
    13
    """
    tex = re.sub(r"\\(?:left|right)(?![A-Za-z])", "", tex)
    tex = re.sub(r"\\[A-Za-z]+", "c", tex)
    return len(re.sub(r"[{}\s]", "", tex))


def equation_rows(step: Step, settings: RenderSettings | None = None) -> list[Row]:
    """The display lines of a step: ``lhs = forms[0] = forms[1] ...``, long sums split.

    With no ``lhs``, a short first form plays its part. Relations among the forms get
    a line of their own without ``=``.

    >>> p = sp.Symbol("p")
    >>> [tuple(r[:3]) for r in equation_rows(Step("s", lhs=sp.Symbol("y"), forms=(1/p, p**-1)))]
    [('y', '=', '\\\\frac{1}{p}'), ('', '=', '\\\\frac{1}{p}')]
    """
    from ..derive.notation import Approx  # (a display relation; the engine is not imported with the printer)

    settings = settings or DEFAULT_SETTINGS
    lhs, forms = step.lhs, list(step.forms)
    if (
        lhs is None
        and len(forms) > 1
        and is_value(forms[0])
        and _width(latex_of(forms[0], settings)) <= settings.line_width // 2
    ):
        lhs = forms.pop(0)
    lhs_tex = latex_of(lhs, settings) if lhs is not None else ""
    rows: list[Row] = []
    if lhs is not None and forms and _width(lhs_tex) > settings.line_width // 2:
        # a long left-hand side gets a line of its own: the chain continues below it with "="
        rows.extend(Row("", "", tex, obj, None) for tex, obj in split_sum(lhs, settings))
        lhs, lhs_tex = None, ""
        forms = [sp.Symbol("_")] + forms  # a placeholder first form, dropped below
        placeholder = True
    else:
        placeholder = False
    # sub-definitions under a main line are indented (l = eta T + h - A, then eta = ..., T = ...);
    # a list of peer relations (two one-sided limits, two eigenvalues) is not: no line heads it
    headed = lhs is not None or placeholder or (bool(forms) and is_value(forms[0]))
    for i, form in enumerate(forms):
        if placeholder and i == 0:
            continue
        first = i == 0
        value = is_value(form)
        if (not value and isinstance(form, sp.Equality)
                and len(latex_of(form, settings)) > settings.line_width):
            # a long equation: each side on its own lines, the second after "=" (a short left side,
            # such as v_1 or I(mu, sigma), stays on the first line with the right side's first piece)
            left = latex_of(form.lhs, settings)
            if _width(left) <= settings.line_width // 2:
                for k, (tex, obj) in enumerate(split_sum(form.rhs, settings)):
                    rows.append(Row(r"\quad " + left if k == 0 and not first and headed else (left if k == 0 else ""),
                                    "=" if k == 0 else "", tex if k == 0 else r"\quad {}" + tex, obj,
                                    form.lhs if k == 0 else None))
                continue
            rows.extend(Row("", "", tex, obj, None) for tex, obj in split_sum(form.lhs, settings))
            for k, (tex, obj) in enumerate(split_sum(form.rhs, settings)):
                rows.append(Row("", "=" if k == 0 else "", tex if k == 0 else r"\quad {}" + tex, obj, None))
            continue
        if not headed and isinstance(form, (sp.Equality, Approx)) and is_value(form.rhs):
            # (a symbol is a value although SymPy's Symbol is a Boolean too: f(1, p) = p aligns with f(0, p) = 1 - p)
            # a list of equations with no line heading it: aligned at their equals signs
            rows.append(Row(latex_of(form.lhs, settings), "=" if isinstance(form, sp.Equality) else r"\approx",
                            latex_of(form.rhs, settings), form.rhs, form.lhs))
            continue
        chunks = split_sum(form, settings) if value else [(latex_of(form, settings), form)]
        rel = "=" if value and (lhs is not None or not first) else ""
        if rel and first and lhs is not None and step.relation == "propto":
            rel = r"\propto"  # proportional only: a prior up to its constant
        prefix = "" if (value or (first and lhs is None) or not headed) else r"\quad "
        for k, (tex, obj) in enumerate(chunks):
            if k == 0:
                rows.append(
                    Row(lhs_tex if first else "", rel, prefix + tex, obj, lhs if first else None)
                )
            else:
                rows.append(Row("", "", r"\quad {}" + tex, obj, None))
    if not forms and lhs is not None:
        rows.append(Row(lhs_tex, "", "", None, lhs))
    return rows


def result_step(d: Derivation) -> Step:
    """The result of a display-pass derivation as a one-line chain: ``lhs = value`` when a step
    names it (:func:`symfisher.textbook.result_form`), else the bare value."""
    form = result_form(d)
    if isinstance(form, sp.Equality):
        return Step("result", lhs=form.lhs, forms=(form.rhs,), relation=result_relation(d))
    return Step("result", forms=(form,))


def _align(rows: Sequence[Row], env: str = "align*") -> str:
    lines = []
    for r in rows:
        lines.append(f"{r.lhs} &{r.rel} {r.rhs}".rstrip() if (r.rel or r.rhs) else r.lhs)
    return "\\begin{%s}\n%s\n\\end{%s}" % (env, " \\\\\n".join(lines), env)


# ---------------------------------------------------------------- Jupyter fragment

_MJ_SPECIAL = {
    "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
    "\\": r"\backslash ", "~": r"\sim ", "^": r"\hat{}", "<": "<", ">": ">", "|": r"\vert ",
}


def _mathjax_text(text: str, cmd: str = r"\text") -> str:
    """Prose as math-mode source for MathJax: text runs in ``\\text{}``, specials as math."""
    out: list[str] = []
    run: list[str] = []

    def flush():
        if run:
            out.append(cmd + "{" + "".join(run) + "}")
            run.clear()

    for c in re.sub(r"\s+", " ", text):
        mapped = math_unicode(c)
        if c in _MJ_SPECIAL:
            flush()
            out.append(_MJ_SPECIAL[c])
        elif mapped is not None:
            flush()
            out.append(mapped + " ")
        else:
            run.append(c)
    flush()
    return "".join(out)


def _mathjax_prose(text: str, italic: bool = False, cmd: str | None = None) -> str:
    cmd = cmd or (r"\textit" if italic else r"\text")
    parts = []
    for kind, s in split_prose(text):
        parts.append(markup_math(s) if kind == "math" else _mathjax_text(s, cmd))
    return " ".join(p for p in parts if p)


def render_derivation_fragment(d: Derivation, settings: RenderSettings | None = None) -> str:
    r"""A ``$$ ... $$`` block for Jupyter's ``_repr_latex_`` (MathJax/KaTeX).

    Prose goes in ``\text{}``; each step's chain is an ``aligned`` block.

    >>> p = sp.Symbol("p")
    >>> frag = render_derivation_fragment(Derivation("f", "Fisher", steps=(Step("I", lhs=sp.Symbol("I"), forms=(1/p,)),)))
    >>> frag.startswith("$$") and frag.endswith("$$") and r"\frac{1}{p}" in frag
    True
    """
    settings = settings or DEFAULT_SETTINGS
    d = textbook_derivation(d)
    lines = [_mathjax_prose(d.title, cmd=r"\textbf")]
    for i, step in enumerate(d.steps, 1):
        lines.append(r"\text{%d. } %s" % (i, _mathjax_prose(step.statement)))
        rows = equation_rows(step, settings)
        if rows:
            lines.append(r"\qquad " + _align(rows, "aligned").replace("\n", " "))
        if settings.include_reasons and step.reason:
            lines.append(r"\qquad " + _mathjax_prose(step.reason, italic=True))
    if settings.show_result and d.result is not None:
        lines.append(r"\text{Result: } \quad " + latex_of(d.result, settings))
    if settings.include_failures:
        for f in d.failures:
            lines.append(
                r"\boxed{\text{Step could not be completed: } %s \text{. } %s}"
                % (_mathjax_text(f.step), _mathjax_prose(f.reason))
            )
    if settings.include_checks and d.checks:
        head = r"\text{check} & \text{value} & \text{target} & \text{error} & \text{result}"
        body = [
            "%s & %s & %s & %s & %s"
            % (
                _mathjax_prose(textbook_prose(c.name)),
                latex_float(c.value, settings.float_digits),
                latex_float(c.target, settings.float_digits),
                latex_float(c.error, 3),
                r"\textbf{PASS}" if c.passed else r"\textbf{FAIL}",
            )
            for c in d.checks
        ]
        lines.append(r"\begin{array}{lrrrl} %s \\ \hline %s \end{array}" % (head, r" \\ ".join(body)))
    if settings.include_notes:
        for note in d.notes:
            lines.append(_mathjax_prose(note))
    return "$$\n\\begin{array}{l}\n" + " \\\\[4pt]\n".join(lines) + "\n\\end{array}\n$$"


# ---------------------------------------------------------------- document


def _prose_block(text: str) -> str:
    return "\n\n".join(latex_prose(p) for p in paragraphs(text))


def _inline_prose(text: str) -> str:
    return latex_prose(" ".join(text.split()))


def _num_cell(x, digits: int) -> str:
    return "$" + latex_float(x, digits) + "$"


def _checks_table(checks: Sequence[Check], settings: RenderSettings) -> str:
    dig = settings.float_digits
    lines = [
        r"\begin{center}\small",
        r"\setlength{\tabcolsep}{4pt}",
        r"\begin{tabular}{@{}p{0.3\linewidth}rrrrl@{}}",
        r"\toprule",
        r"Check & Value & Target & Error & Tol. & Result \\",
        r"\midrule",
    ]
    for c in checks:
        name = _inline_prose(textbook_prose(c.name))
        if c.detail:
            name += r" {\footnotesize(" + _inline_prose(textbook_prose(c.detail)) + ")}"
        value = _num_cell(c.value, dig)
        if c.stderr is not None:
            value = "$" + latex_float(c.value, dig) + r" \pm " + latex_float(c.stderr, 2) + "$"
        lines.append(
            "%s & %s & %s & %s & %s & %s \\\\"
            % (
                name,
                value,
                _num_cell(c.target, dig),
                _num_cell(c.error, 3),
                _num_cell(c.tol, 2),
                r"\textbf{PASS}" if c.passed else r"\textbf{FAIL}",
            )
        )
    lines += [r"\bottomrule", r"\end{tabular}", r"\end{center}"]
    return "\n".join(lines)


def _failure_box(step: str, reason: str) -> str:
    return (
        "\\par\\smallskip\\noindent\\fbox{\\parbox{\\dimexpr\\linewidth-2\\fboxsep-2\\fboxrule\\relax}{"
        "\\textbf{Step could not be completed:} %s.\\quad %s}}\\par\\smallskip"
        % (_inline_prose(step), _inline_prose(reason))
    )


def render_derivation(
    d: Derivation, settings: RenderSettings | None = None, heading: str = "subsection"
) -> str:
    """LaTeX body for one derivation (for inclusion in a document): a worked solution.

    Title as a ``heading``, numbered steps (statement, ``align*`` chain, reason in
    italics), the result, failures as boxes, checks as a booktabs table, notes.
    """
    settings = settings or DEFAULT_SETTINGS
    d = textbook_derivation(d)
    out = ["\\%s{%s}" % (heading, _inline_prose(d.title))]
    if d.steps:
        out.append(r"\begin{enumerate}")
        for step in d.steps:
            item = [r"\item " + _inline_prose(step.statement)]
            rows = equation_rows(step, settings)
            if rows:
                item.append(_align(rows))
            if settings.include_reasons and step.reason:
                item.append(r"\textit{" + _inline_prose(step.reason) + "}")
            out.append("\n".join(item))
        out.append(r"\end{enumerate}")
    if settings.show_result and d.result is not None:
        rows = equation_rows(result_step(d), settings)
        out.append(r"\textbf{Result.}" + "\n" + _align(rows))
    if settings.include_failures:
        for f in d.failures:
            out.append(_failure_box(f.step, f.reason))
    if settings.include_checks and d.checks:
        out.append(r"\textbf{Numeric checks.}" + "\n" + _checks_table(d.checks, settings))
    if settings.include_notes:
        for note in d.notes:
            out.append(_prose_block(note))
    return "\n\n".join(out)


_SAFE_PATH = re.compile(r"[A-Za-z0-9._/\-]+")


def _figure(name: str, fig, settings: RenderSettings) -> str | None:
    path = fig.pdf_path or fig.png_path
    if not path:
        return None
    caption = _inline_prose(textbook_prose(fig.caption or name))  # its formulas as math, as a check name's
    if not _SAFE_PATH.fullmatch(path):
        return "\\par\\noindent\\textit{Figure %s omitted: its path cannot be used in LaTeX.}" % (
            latex_escape_text(name)
        )
    return (
        "\\begin{figure}[htbp]\n\\centering\n"
        "\\IfFileExists{%s}{\\includegraphics[width=%s]{%s}}{\\fbox{figure file missing: %s}}\n"
        "\\caption{%s}\n\\end{figure}" % (path, settings.max_figure_width, path, latex_escape_text(path), caption)
    )


def render_section(section: Section, settings: RenderSettings | None = None) -> str:
    """LaTeX body of one sheet section: question, derivations, explanation, checks, takeaway."""
    settings = settings or DEFAULT_SETTINGS
    title = _inline_prose(section.title)
    if settings.number_sections:
        out = [r"\section{%s}" % title]
    else:
        out = [r"\section*{%s}" % title, r"\addcontentsline{toc}{section}{%s}" % title]
    if section.question:
        out.append(r"\subsection*{Question}" + "\n" + _prose_block(section.question))
    heading = "subsection" if settings.number_sections else "subsection*"
    for d in section.derivations:
        out.append(render_derivation(d, settings, heading=heading))
    if section.explanation:
        out.append(r"\subsection*{Explanation}" + "\n" + _prose_block(section.explanation))
    for name, fig in section.figures:
        tex = _figure(name, fig, settings)
        if tex:
            out.append(tex)
    if settings.include_checks and section.checks:
        out.append(r"\subsection*{Numeric checks}" + "\n" + _checks_table(section.checks, settings))
    if section.takeaway:
        out.append(
            "\\subsection*{Takeaway}\n\\noindent\\fbox{\\parbox{\\dimexpr\\linewidth-2\\fboxsep-2\\fboxrule\\relax}{%s}}"
            % _inline_prose(section.takeaway)
        )
    return "\n\n".join(out)


_PREAMBLE = r"""\documentclass[%(size)s,%(paper)s]{article}
\usepackage[margin=2.2cm]{geometry}
\usepackage{amsmath}
\usepackage{amssymb}
\usepackage{booktabs}
\usepackage{graphicx}
\allowdisplaybreaks
\setcounter{MaxMatrixCols}{30}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.6ex plus 0.3ex}
\ifdefined\pdftrailerid \pdftrailerid{}\pdfinfoomitdate=1\relax\pdfsuppressptexinfo=-1\relax\fi
\title{%(title)s}
\author{}
\date{}
"""


def render_document(
    sections: Sequence[Section] | Section | Derivation,
    title: str | None = None,
    settings: RenderSettings | None = None,
) -> str:
    """A standalone LaTeX document (pure ASCII) for ``pdflatex``.

    ``sections`` are :class:`~symfisher.render.document.Section` records (a bare
    :class:`Derivation` is wrapped in a section of its own). A table of contents is
    included when there is more than one section.

    >>> tex = render_document([Section("One")], title="Sheet")
    >>> tex.startswith(r"\\documentclass") and tex.rstrip().endswith(r"\\end{document}")
    True
    """
    settings = settings or DEFAULT_SETTINGS
    secs = as_sections(sections)
    head = _PREAMBLE % {
        "size": settings.font_size,
        "paper": settings.paper,
        "title": _inline_prose(title if title is not None else settings.title),
    }
    body = [r"\begin{document}", r"\maketitle"]
    if len(secs) > 1:
        body.append(r"\tableofcontents")
    for s in secs:
        body.append(render_section(s, settings))
    body.append(r"\end{document}")
    return head + "\n" + "\n\n".join(body) + "\n"
