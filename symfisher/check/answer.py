r"""Reading the user's answer: a scalar, a list ``[a, b]`` or a matrix ``[[a, b], [c, d]]``.

Every expression goes through :func:`symfisher.parsing.parse_expression` (a whitelist; nothing is
evaluated). Plain text may write ``Matrix([[...]])``; LaTeX may write
``\begin{pmatrix} a & b \\ c & d \end{pmatrix}`` or ``\left[a, b\right]``.

Decimals are read exactly as typed (``0.1`` is ``1/10``, ``1e-12`` is ``1/10^12``), never as the
nearest binary float; :func:`decimal_literals` lists them so that the verdict can say so.

>>> import sympy as sp
>>> p = sp.Symbol("p", positive=True)
>>> read_answer("[p, 1/2]", {"p": p})
[p, 1/2]
>>> decimal_literals("0.25/(p*(1-p)) + 1e-12")
[('0.25', 1/4), ('1e-12', 1/1000000000000)]
"""
from __future__ import annotations

import re

import sympy as sp

from ..parsing import MAX_DEPTH, MAX_TEXT_LENGTH, ParseError, parse_expression, split_top_level

__all__ = ["read_answer", "as_shape", "flatten", "map_nested", "decimal_literals", "exact_decimals", "short"]


def short(text, n: int = 40) -> str:
    """``text`` on one line, cut to ``n`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 3] + "..."


def _outer_list(text: str):
    """The items of ``[a, b, ...]`` if the brackets enclose the whole text, else ``None``."""
    s = text.strip()
    if s.startswith("Matrix(") and s.endswith(")"):
        s = s[len("Matrix("):-1].strip()
    if len(s) < 2 or s[0] != "[" or s[-1] != "]":
        return None
    depth = 0
    for k, ch in enumerate(s):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0 and k != len(s) - 1:
                return None  # "[a] * [b]": the first bracket closes early
    items = [p.strip() for p in split_top_level(s[1:-1])]
    if items and not items[-1]:
        items.pop()  # a trailing comma
    if not items or any(not p for p in items):
        raise ParseError(f"empty item in the list '{short(text)}'")
    return items


_LATEX_MATRIX = re.compile(r"\s*\\begin\{([pbvB]?matrix)\}(.*)\\end\{\1\}\s*", re.S)
_LATEX_LR = re.compile(r"\s*\\left\s*[\[(](.*)\\right\s*[\])]\s*", re.S)


def read_answer(text, symbols: dict, latex: bool = False):
    """The user's answer as a SymPy expression, a list of them, or a list of lists (rows).

    A SymPy object (API use) is taken as it is, its Floats read as the decimals they print as.
    """
    if isinstance(text, (sp.Basic, sp.MatrixBase)):
        return map_nested(_from_sympy(text), exact_decimals)
    if isinstance(text, (list, tuple)):
        return [read_answer(t, symbols, latex) for t in text]
    if not isinstance(text, str):
        raise ParseError(f"expected the answer as text, got {type(text).__name__}")
    if len(text) > MAX_TEXT_LENGTH:
        raise ParseError(f"answer is too long ({len(text)} characters, at most {MAX_TEXT_LENGTH})")
    depth = 0
    for ch in text:
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth > MAX_DEPTH:
            raise ParseError(f"answer is nested too deeply (more than {MAX_DEPTH} brackets)")
    if latex:
        m = _LATEX_MATRIX.fullmatch(text)
        if m is not None:
            rows = [r for r in re.split(r"\\\\", m.group(2)) if r.strip()]
            cells = [[c for c in r.split("&")] for r in rows]
            if not cells:
                raise ParseError("empty matrix")
            out = [[parse_expression(c, symbols, latex=True) for c in row] for row in cells]
            return out if len(out) > 1 or len(out[0]) > 1 else out[0][0]
        m = _LATEX_LR.fullmatch(text)
        if m is not None and "," in m.group(1):
            text = "[" + m.group(1) + "]"
    items = _outer_list(text)
    if items is None:
        return parse_expression(text, symbols, latex=latex)
    return [read_answer(t, symbols, latex) if _outer_list(t) is not None else parse_expression(t, symbols, latex=latex)
            for t in items]


def _from_sympy(obj):
    if isinstance(obj, sp.MatrixBase):
        return [[obj[i, j] for j in range(obj.cols)] for i in range(obj.rows)]
    return obj


def exact_decimals(expr):
    """``expr`` with each Float replaced by the exact decimal it prints as (``0.1`` -> ``1/10``)."""
    if not isinstance(expr, sp.Basic) or not expr.has(sp.Float):
        return expr
    return expr.xreplace({f: sp.Rational(str(f)) for f in expr.atoms(sp.Float)})


# a number literal with a decimal point or an exponent, not part of a name (x1e5) or of a longer number
_DECIMAL_RE = re.compile(r"(?<![\w.])((?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+)(?![\w.])")


def decimal_literals(text) -> list:
    """``[(literal, exact value)]`` of the decimals in the answer's text (or Floats in a SymPy answer)."""
    if isinstance(text, (list, tuple)):
        return [d for t in text for d in decimal_literals(t)]
    if isinstance(text, sp.MatrixBase):
        return [d for e in text for d in decimal_literals(e)]
    if isinstance(text, sp.Basic):
        return [(str(f), sp.Rational(str(f))) for f in sorted(text.atoms(sp.Float), key=float)]
    if not isinstance(text, str):
        return []
    out = []
    for m in _DECIMAL_RE.finditer(text):
        lit = m.group(1)
        if lit not in [o[0] for o in out]:
            out.append((lit, sp.Rational(lit)))
    return out


def _shape_of(ans) -> str:
    if not isinstance(ans, list):
        return "a single expression"
    if all(isinstance(a, list) for a in ans):
        return f"a nested list of {len(ans)} rows"
    if any(isinstance(a, list) for a in ans):
        return "a list mixing rows and single expressions"
    return f"a list of {len(ans)}"


def as_shape(ans, rows: int, cols: int | None, what: str) -> sp.Matrix:
    """Fit the answer to the expected shape (``cols=None``: a vector), or raise ParseError."""
    if cols is None:  # a vector of length rows
        if rows == 1 and not isinstance(ans, list):
            return sp.Matrix([[ans]])
        if isinstance(ans, list) and len(ans) == rows and not any(isinstance(a, list) for a in ans):
            return sp.Matrix(rows, 1, ans)
        if isinstance(ans, list) and len(ans) == rows and all(isinstance(a, list) and len(a) == 1 for a in ans):
            return sp.Matrix(rows, 1, [a[0] for a in ans])
        if isinstance(ans, list) and len(ans) == 1 and isinstance(ans[0], list) and len(ans[0]) == rows \
                and not any(isinstance(a, list) for a in ans[0]):
            return sp.Matrix(rows, 1, ans[0])
        want = "a single expression" if rows == 1 else f"a list of {rows} expressions [a, b, ...]"
        raise ParseError(f"wrong shape: the {what} is {want}, got {_shape_of(ans)}")
    if not isinstance(ans, list):
        if rows == cols == 1:
            return sp.Matrix([[ans]])
    elif rows == cols == 1 and len(ans) == 1 and not isinstance(ans[0], list):
        return sp.Matrix([[ans[0]]])
    elif len(ans) == rows and all(isinstance(r, list) and len(r) == cols and not any(isinstance(c, list) for c in r)
                                  for r in ans):
        return sp.Matrix(ans)
    want = "a single expression" if rows == cols == 1 else f"a {rows}x{cols} matrix [[a, b], [c, d]]"
    raise ParseError(f"wrong shape: the {what} is {want}, got {_shape_of(ans)}")


def flatten(ans) -> list:
    from ..simplify import as_expr

    if isinstance(ans, list):
        return [e for a in ans for e in flatten(a)]
    return [as_expr(ans)]


def map_nested(ans, f):
    if isinstance(ans, list):
        return [map_nested(a, f) for a in ans]
    return f(ans)
