r"""Safe parsing of user text: expressions (plain or LaTeX), domains, supports, reparameterizations.

This module is the only way user-typed text becomes SymPy objects (design principle 5).
Nothing here calls ``eval``, ``exec``, ``sympify`` or ``parse_expr`` on user text:

* plain syntax is parsed by Python's :mod:`ast` (which never executes anything) and the tree is
  translated node by node through a whitelist of operators, names, SymPy functions and constants;
* LaTeX is read by a small tokenizer and recursive-descent reader of the usual math subset
  (``\frac``, ``\sqrt``, ``\log``, Greek letters, implicit products, ``e^{x}`` ...), which builds
  through the *same* whitelist (see "Why not SymPy's parse_latex" below).

Every input is sized before anything is built (text length, bracket nesting, number of AST nodes,
literal length, exponent sizes, arguments of factorial-like functions), so hostile text is refused
with a :class:`ParseError` in milliseconds rather than hanging SymPy.

>>> import sympy as sp
>>> p = sp.Symbol("p", positive=True)
>>> parse_expression("1/(p*(1-p))", {"p": p})
1/(p*(1 - p))
>>> parse_expression(r"\frac{1}{p(1-p)}", {"p": p}, latex=True)
1/(p*(1 - p))
>>> parse_expression("x.real", {"x": p})
Traceback (most recent call last):
    ...
symfisher.parsing.ParseError: attribute access '.real' is not allowed
>>> parse_declaration("p in (0, 1)")
('p', Domain(lo=0, hi=1, left_open=True, right_open=True, integer=False))

Why not SymPy's ``parse_latex(text, backend="lark")``: in SymPy 1.14 its grammar has no
``\sigma``, ``\pi``, ``\Gamma`` or ``\operatorname``; it fails on ``(1-p)\log(1-p)`` and on the
binomial pmf ``\binom{n}{k} p^k (1-p)^{n-k}``; it returns raw lark ``_ambig`` trees for
``p(1-p)``; its transformer evaluates eagerly (``2^{10^{10}}`` runs for about a minute); and its
Earley parser needs about a second for a 100-character input.  The LaTeX reader accepts the
same notation (the tests compare it with the lark parser where that one succeeds) in linear time.

The package, one idea per module:

* :mod:`.whitelist` — the limits, the allowed names, functions and constants, and the builder both
  readers build through (it sizes every number before SymPy evaluates anything);
* :mod:`.plain` — the plain reader (Python's ``ast``); :mod:`.latex` — the LaTeX reader;
* :mod:`.expression` — one expression of either syntax; :mod:`.declarations` — parameters,
  constants, supports, data variables and reparameterizations.
"""
from __future__ import annotations

from .declarations import (parse_declaration, parse_reparam, parse_support, parse_variable, split_top_level)
from .constraints import parse_constraint  # (multi) joint constraints on the parameters
from .expression import parse_expression, parse_factors
from .whitelist import (CONSTANT_NAMES, FUNCTION_NAMES, MAX_DEPTH, MAX_TEXT_LENGTH, RESERVED_NAMES, ParseError,
                        check_name)

__all__ = [
    "ParseError",
    "parse_expression",
    "parse_factors",
    "parse_declaration",
    "parse_support",
    "parse_variable",
    "parse_reparam",
    "parse_constraint",
    "check_name",
    "FUNCTION_NAMES",
    "CONSTANT_NAMES",
    "RESERVED_NAMES",
    "MAX_TEXT_LENGTH",
]

