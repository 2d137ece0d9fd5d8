"""One expression of user text, plain or LaTeX, into SymPy through the whitelist."""
from __future__ import annotations

from typing import Mapping

import sympy as sp

from .plain import _parse_plain
from .whitelist import ParseError, _Builder, _check_text, _finish, _show

# -- public API ----------------------------------------------------------------------
def _expression(text, symbols, latex: bool, allow_new: bool) -> tuple[sp.Expr, tuple[str, ...]]:
    text = _check_text(text)
    builder = _Builder(symbols if symbols is not None else {}, allow_new)
    try:
        if latex:  # the LaTeX reader loads on its first use (typed text is mostly plain)
            from .latex import _LatexReader

            expr = _LatexReader(text, builder).parse()
        else:
            expr = _parse_plain(text, builder)
    except ParseError:
        raise
    except RecursionError:
        raise ParseError(f"'{_show(text)}' is nested too deeply") from None
    except Exception as exc:  # SymPy refusing to build something (e.g. a bad argument)
        raise ParseError(f"cannot build '{_show(text)}': {type(exc).__name__}: {_show(str(exc), 80)}") from None
    return _finish(expr, text), tuple(builder.new)


def parse_expression(
    text: str,
    symbols: Mapping[str, sp.Symbol],
    *,
    latex: bool = False,
    allow_new: bool = False,
) -> sp.Expr:
    r"""Parse user text into a SymPy expression, through a whitelist.

    ``symbols`` maps names to the very Symbol objects to use (their assumptions are kept).
    Plain syntax is Python's arithmetic (``**`` or ``^`` for powers) with SymPy's function names;
    with ``latex=True`` the text is LaTeX.  With ``allow_new=True`` unknown identifiers become new
    real symbols instead of an error.  Anything else raises :class:`ParseError`.

    >>> import sympy as sp
    >>> p, x = sp.symbols("p x", positive=True)
    >>> parse_expression("x*log(p) + (1-x)*log(1-p)", {"p": p, "x": x})
    x*log(p) + (1 - x)*log(1 - p)
    >>> parse_expression("0.5*x^2", {"x": x})
    x**2/2
    >>> parse_expression("trigamma(p) + sigmoid(x)", {"p": p, "x": x})
    polygamma(1, p) + 1/(1 + exp(-x))
    >>> parse_expression(r"\frac{x}{\sqrt{2\pi}} e^{-x^2/2}", {"x": x}, latex=True)
    sqrt(2)*x*exp(-x**2/2)/(2*sqrt(pi))
    >>> parse_expression("exp(-phi)", {}, allow_new=True)
    exp(-phi)
    >>> parse_expression("foo(x)", {"x": x})
    Traceback (most recent call last):
        ...
    symfisher.parsing.ParseError: unknown function 'foo' (functions: exp, log, sqrt, gamma, loggamma, beta, binomial, factorial, polygamma, erf, besseli, ...)
    >>> parse_expression("9**9**9", {})
    Traceback (most recent call last):
        ...
    symfisher.parsing.ParseError: exponent 387420489 is too large (at most 1000 in absolute value)
    """
    return _expression(text, symbols, latex, allow_new)[0]

