"""Plain-text output for terminals: ``str(derivation)``.

SymPy's pretty printer (unicode, fixed width from the settings, so output does not
depend on the terminal) or, with ``text_pretty=False``, one-line ``sstr`` forms.

>>> import sympy as sp
>>> from symfisher.derivation import Step
>>> p = sp.Symbol("p")
>>> d = Derivation("score", "Score", steps=(Step("Differentiate", "d/dp", sp.Symbol("s"), (1/p - 1/(1 - p),)),))
>>> print(render_derivation(d, RenderSettings(text_pretty=False)))
Score
=====
1. Differentiate
   s = 1/p - 1/(1 - p)
   (d/dp)
"""
from __future__ import annotations

from typing import Any, Sequence

import sympy as sp
from sympy.printing.pretty.pretty import PrettyPrinter
from sympy.printing.str import StrPrinter
from sympy.printing.pretty.stringpict import prettyForm, stringPict

from ..derivation import Check, Derivation, Step
from .document import Section, as_sections
from ..textbook_forms import _unevaluated
from .latex import is_value, result_step
from .notation import display_unicode, textbook_prose, textbook_terms
from .prose import format_float, paragraphs, unicode_prose
from .settings import DEFAULT_SETTINGS, RenderSettings
from ..textbook import textbook_derivation

__all__ = ["render_derivation", "render_section", "render_document", "terminal_prose"]


class _TextbookStrPrinter(StrPrinter):
    """SymPy's one-line printer with the textbook order of a sum's terms (``x - mu``)."""

    def _as_ordered_terms(self, expr, order=None):
        return textbook_terms(super()._as_ordered_terms(expr, order=order))

    def _print_Mul(self, expr):
        from sympy.core.function import _coeff_isneg

        args = expr.args
        if len(args) == 2 and args[0] == -1 and _coeff_isneg(args[1]):  # -(-1/sigma**2)
            return "-(%s)" % self._print(args[1])
        if len(args) >= 2 and args[0] == 1:
            return self._print(sp.Mul(*args[1:], evaluate=False) if len(args) > 2 else args[1])
        return super()._print_Mul(expr)


def _sstr(obj: Any) -> str:
    return obj if isinstance(obj, str) else _TextbookStrPrinter().doprint(obj)


_SUPER = dict(zip("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻"))
_SUBS = dict(zip("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


class TextbookPrettyPrinter(PrettyPrinter):
    """SymPy's unicode pretty printer with the textbook names of :mod:`.notation`:
    ``lam`` as λ, ``polygamma(1, a)`` as ψ′(a), ``besseli(0, κ)`` as I₀(κ), the Fisher
    information ``I(...)`` as ℐ(...) and expectations as E[...]."""

    def _print_Symbol(self, e, bold_name=False):
        return prettyForm("ℐ" if e.name == "I" else display_unicode(e.name))

    def _print_Indexed(self, e):
        # x[i] as xᵢ: the i-th observation, as in the LaTeX form
        idx = [getattr(i, "label", i) for i in e.indices]  # an Idx carries its symbol as its label
        if all(isinstance(i, sp.Symbol) for i in idx) and isinstance(e.base.label, sp.Symbol):
            return prettyForm(display_unicode(e.base.label.name + "_" + "".join(i.name for i in idx)))
        return prettyForm(_sstr(e))

    def _as_ordered_terms(self, expr, order=None):
        # as in the LaTeX printer: x - mu, not -mu + x
        return textbook_terms(super()._as_ordered_terms(expr, order=order))

    def _print_Mul(self, product):
        from sympy.core.function import _coeff_isneg

        args = product.args
        if len(args) == 2 and args[0] == -1 and _coeff_isneg(args[1]):  # -(-1/σ²), as in the LaTeX printer
            inner = prettyForm(*self._print(args[1]).parens())
            return prettyForm(*inner.left("-"))
        if len(args) >= 2 and args[0] == 1:  # an unevaluated factor 1 is not written
            return self._print(sp.Mul(*args[1:], evaluate=False) if len(args) > 2 else args[1])
        from .shapes import _mixed_exponentials

        mixed = _mixed_exponentials(product)
        if mixed is not None:  # e^{-u} beside e^{u}: in the denominator, as the LaTeX printer writes it
            return prettyForm.__truediv__(self._print(mixed[0]), self._print(mixed[1]))
        old = self._settings.get("order")
        self._settings["order"] = "none" if _unevaluated(product) else old  # the order it was written in
        try:
            return super()._print_Mul(product)
        finally:
            self._settings["order"] = old

    def _print_Add(self, expr, order=None):
        old = self._settings.get("order")
        self._settings["order"] = None  # a sum inside an unevaluated product: still in textbook order
        try:
            return super()._print_Add(expr, order=order)
        finally:
            self._settings["order"] = old

    def _call(self, head: str, args, left="(", right=")"):
        inner = self._print_seq(args, left, right, delimiter=", ")
        return prettyForm(*inner.left(head))

    def _print_MatrixBase(self, e):
        if e.shape == (1, 1):  # a 1 x 1 result reads as a scalar
            return self._print(e[0, 0])
        return super()._print_MatrixBase(e)

    _print_ImmutableMatrix = _print_ImmutableDenseMatrix = _print_Matrix = _print_MatrixBase
    _print_MutableDenseMatrix = _print_DenseMatrix = _print_MatrixBase

    def _print_Pow(self, power):
        from sympy.core.function import AppliedUndef

        base, e = power.args
        if e == -1 and (isinstance(base, AppliedUndef) and type(base).__name__ == "I"
                        or isinstance(base, sp.Symbol) and base.name[:1].isupper()):
            # the inverse of the Fisher information or of a matrix symbol: ℐ(θ)⁻¹, Σ⁻¹
            return prettyForm(*self._print(base).right("⁻¹"))
        return super()._print_Pow(power)

    def _print_MatAdd(self, expr):
        # as the LaTeX printer: x - mu in textbook order, and x^T - mu^T as (x - mu)^T
        from .shapes import _transposed_sum

        inner = _transposed_sum(expr)
        if inner is not None:
            return prettyForm(*prettyForm(*self._print_Add(inner).parens()).right("ᵀ"))
        return self._print_Add(expr)

    def _print_MatMul(self, expr):
        from .shapes import _transposed_sum

        if not any(_transposed_sum(a) is not None for a in expr.args):
            return super()._print_MatMul(expr)
        parts = []  # (x - mu)^T as a factor: one pair of brackets, as in the LaTeX
        for a in expr.args:
            pf = self._print(a)
            if isinstance(a, sp.MatAdd) and _transposed_sum(a) is None:
                pf = prettyForm(*pf.parens())
            parts.append(pf)
        return prettyForm.__mul__(*parts)

    def _print_MatPow(self, power):
        base, e = power.args
        if e == -1 and isinstance(base, sp.MatrixSymbol):  # Sigma^{-1} as Σ⁻¹, as for a matrix-named symbol
            return prettyForm(*self._print(base).right("⁻¹"))
        return super()._print_MatPow(power)

    def _print_polygamma(self, e):
        n, z = e.args
        head = {0: "ψ", 1: "ψ′", 2: "ψ″"}.get(n) or "ψ" + "".join(_SUPER.get(c, c) for c in f"({n})")
        return self._call(head, (z,))

    def _print_besseli(self, e):
        nu, z = e.args
        sub = "".join(_SUBS[c] for c in str(nu)) if str(nu).isdigit() else "_" + str(nu)
        return self._call("I" + sub, (z,))

    def _print_loggamma(self, e):
        return self._call("log Γ", e.args)

    def _print_Function(self, e, sort=False, func_name=None, left="(", right=")"):
        from sympy.core.function import AppliedUndef

        if isinstance(e, AppliedUndef):
            name = type(e).__name__
            if name == "KL" and e.args and len(e.args) % 2 == 0:  # KL(p₁ ‖ p₂), as in the LaTeX
                half = len(e.args) // 2
                inner = prettyForm(*self._print_seq(e.args[:half], None, None, delimiter=", ").right(
                    " ‖ ", self._print_seq(e.args[half:], None, None, delimiter=", ")))
                return prettyForm(*prettyForm(*inner.parens()).left("KL"))
            if name == "det" and len(e.args) == 1 and isinstance(e.args[0], AppliedUndef) \
                    and type(e.args[0]).__name__ == "I" and len(e.args[0].args) == 1:
                return self._print(e.args[0])  # the determinant of a 1 x 1 information is the information
            if name == "E" or name.startswith("E_"):
                head = "E" if name == "E" else display_unicode(name)
                return prettyForm(*self._print_seq(e.args, "[", "]", delimiter=", ").left(head))
            head = {"I": "ℐ", "ell": "ℓ", "pi": "π"}.get(name) or display_unicode(name)
            if name.startswith("I_"):  # I_n: the Fisher information of n observations
                head = "ℐ" + head[1:]
            return self._call(head, e.args)
        return super()._print_Function(e, sort=sort, func_name=func_name, left=left, right=right)


def _pretty_form(obj: Any, settings: RenderSettings) -> prettyForm:
    if isinstance(obj, str):
        return prettyForm(obj)
    pp = TextbookPrettyPrinter({"use_unicode": True, "wrap_line": False, "num_columns": settings.text_width})
    from ..limits import StepFailed

    try:
        return pp._print(obj)
    except StepFailed:  # a time limit ran out meanwhile: not a reason to print another form
        raise
    except Exception:  # a type the pretty printer does not know
        return prettyForm(_sstr(obj))


def _chain(step: Step, settings: RenderSettings) -> list[str]:
    """The lines of ``lhs = form1 = form2 ...``, one form per line.

    As in :func:`symfisher.render.latex.equation_rows`: with no ``lhs`` a leading value
    plays its part, and relations (``Eq``, inequalities) stand on lines of their own.
    """
    forms = list(step.forms)
    lhs = step.lhs
    if lhs is None and len(forms) > 1 and is_value(forms[0]):
        lhs = forms.pop(0)
    if lhs is None and not forms:
        return []
    pretty = settings.text_pretty

    def pic(obj) -> prettyForm:
        return _pretty_form(obj, settings) if pretty else prettyForm(_sstr(obj))

    lhs_pf = pic(lhs) if lhs is not None else None
    pad = prettyForm(" " * lhs_pf.width()) if lhs_pf is not None else prettyForm("")
    out: list[str] = []
    if not forms:
        return lhs_pf.render(wrap_line=False).split("\n")
    for i, f in enumerate(forms):
        if is_value(f) and lhs_pf is not None:
            left = lhs_pf if i == 0 else pad
            rel = " ∝ " if i == 0 and step.relation == "propto" else " = "
            line = prettyForm(*stringPict.next(left, rel, pic(f)))
        elif is_value(f) and i > 0:
            line = prettyForm(*stringPict.next(prettyForm("= "), pic(f)))
        else:
            line = pic(f) if (i == 0 and lhs_pf is None) else prettyForm(*stringPict.next(prettyForm("  "), pic(f)))
        out.extend(line.render(wrap_line=False).split("\n"))
    return [line.rstrip() for line in out]


def terminal_prose(text: str) -> str:
    """Engine-written prose for a terminal: its ASCII formulas and inline LaTeX as unicode
    mathematics (``I = E[s s^T]`` and ``$\\mathcal{I} = E[s s^{\\mathsf{T}}]$`` both read
    ``ℐ = E[s sᵀ]``).

    >>> terminal_prose("definition: I = E[s s^T]")
    'definition: ℐ = E[s sᵀ]'
    """
    return _prose(textbook_prose(text))


def _prose(text: str) -> str:
    """Prose on one line, its inline math as unicode (``$\\mathcal{I}$`` -> ``ℐ``)."""
    return unicode_prose(" ".join(text.split()))


def _indent(lines: Sequence[str], n: int = 3) -> list[str]:
    return [(" " * n + line) if line else "" for line in lines]


def _checks_table(checks: Sequence[Check], settings: RenderSettings) -> list[str]:
    dig = settings.float_digits
    rows = [("check", "value", "target", "error", "tol", "result")]
    for c in checks:
        value = format_float(c.value, dig)
        if c.stderr is not None:
            value += " ± " + format_float(c.stderr, 2)
        rows.append(
            (
                _prose(textbook_prose(c.name)),
                value,
                format_float(c.target, dig),
                format_float(c.error, 3),
                format_float(c.tol, 2),
                "PASS" if c.passed else "FAIL",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    lines = []
    for k, r in enumerate(rows):
        cells = [r[0].ljust(widths[0])] + [r[i].rjust(widths[i]) for i in range(1, 5)] + [r[5]]
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def render_derivation(d: Derivation, settings: RenderSettings | None = None) -> str:
    """Plain text for one derivation: title, numbered steps, result, failures, checks."""
    settings = settings or DEFAULT_SETTINGS
    d = textbook_derivation(d)
    title = _prose(d.title)
    out = [title, "=" * len(title)]
    for i, step in enumerate(d.steps, 1):
        out.append("%d. %s" % (i, _prose(step.statement)))
        out.extend(_indent(_chain(step, settings)))
        if settings.include_reasons and step.reason:
            out.append("   (%s)" % _prose(step.reason))
    if settings.show_result and d.result is not None:
        out.append("")
        shown = result_step(d)  # in the form the steps arrived at, named by its left-hand side
        out.extend(_chain(Step("result", lhs="Result", forms=(shown.expr,)), settings))
    if settings.include_failures:
        for f in d.failures:
            out.append("!! Step could not be completed: %s. %s" % (_prose(f.step), _prose(f.reason)))
    if settings.include_checks and d.checks:
        out += ["", "Numeric checks:"]
        out.extend(_indent(_checks_table(d.checks, settings), 2))
    if settings.include_notes:
        for note in d.notes:
            out.append("")
            out.extend(_prose(textbook_prose(p)) for p in paragraphs(note))
    return "\n".join(out)


def render_section(section: Section, settings: RenderSettings | None = None, number: int | None = None) -> str:
    settings = settings or DEFAULT_SETTINGS
    title = _prose(section.title)
    if number is not None and settings.number_sections:
        title = "%d. %s" % (number, title)
    out = [title, "#" * len(title), ""]
    if section.question:
        out += ["Question:"] + [unicode_prose(p) for p in paragraphs(section.question)] + [""]
    for d in section.derivations:
        out += [render_derivation(d, settings), ""]
    if section.explanation:
        out += ["Explanation:"] + [unicode_prose(p) for p in paragraphs(section.explanation)] + [""]
    if settings.include_checks and section.checks:
        out += ["Numeric checks:"] + _indent(_checks_table(section.checks, settings), 2) + [""]
    if section.takeaway:
        out += ["Takeaway: " + _prose(section.takeaway), ""]
    return "\n".join(out).rstrip("\n")


def render_document(
    sections: Sequence[Section] | Section | Derivation,
    title: str | None = None,
    settings: RenderSettings | None = None,
) -> str:
    """The sheet as plain text, with a contents list when there is more than one section."""
    settings = settings or DEFAULT_SETTINGS
    secs = as_sections(sections)
    title = " ".join((title if title is not None else settings.title).split())
    out = [title, "*" * len(title), ""]
    if len(secs) > 1:
        out.append("Contents:")
        out += ["  %d. %s" % (i, " ".join(s.title.split())) for i, s in enumerate(secs, 1)]
        out.append("")
    for i, s in enumerate(secs, 1):
        out += [render_section(s, settings, number=i), ""]
    return "\n".join(out).rstrip("\n") + "\n"
