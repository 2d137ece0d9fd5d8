"""One expression of user text, plain or LaTeX, into SymPy through the whitelist."""
from __future__ import annotations

from typing import Mapping

import sympy as sp

from .plain import _parse_plain
from .whitelist import ParseError, _Builder, _check_text, _finish, _show

# -- public API ----------------------------------------------------------------------
def _expression(text, symbols, latex: bool, allow_new: bool, factors: bool = False):
    """``(expression, new names)``; with ``factors``, ``(factors, new names)`` (see :func:`parse_factors`)."""
    text = _check_text(text)
    builder = _Builder(symbols if symbols is not None else {}, allow_new)
    try:
        if latex:  # the LaTeX reader loads on its first use (typed text is mostly plain)
            from .latex import _LatexReader

            expr = _LatexReader(text, builder).parse()
        elif factors:
            parts = _parse_plain(text, builder, factors=True)
            parts = [p for p in parts if p != 1] or parts  # (the 1 of 1/(...): no factor)
            if len(parts) > 1 and _unmerged(parts):
                return tuple(_finish(p, text) for p in parts), tuple(builder.new)
            expr = builder.mul(parts)  # what the reader builds for the product itself
        else:
            expr = _parse_plain(text, builder)
    except ParseError:
        raise
    except RecursionError:
        raise ParseError(f"'{_show(text)}' is nested too deeply") from None
    except Exception as exc:  # SymPy refusing to build something (e.g. a bad argument)
        raise ParseError(f"cannot build '{_show(text)}': {type(exc).__name__}: {_show(str(exc), 80)}") from None
    expr = _finish(expr, text)
    return ((expr,) if factors else expr), tuple(builder.new)


def _unmerged(parts) -> bool:
    """Whether SymPy's product of ``parts`` has exactly their factors as its factors, so that nothing is
    lost by not building it: every number positive and finite (no zero, sign, infinity or ``I`` to
    absorb or flip the rest), the factors with a number or a numeric base (``2``, ``sqrt(2)``, ``pi``,
    ``3**x``, which merge into one coefficient or one power) all in one part, at most one power of ``e``
    (``exp(u) exp(v)`` is ``exp(u + v)``), no base twice (``x**a * x`` is ``x**(a + 1)``), and not a
    number times a sum of two parts (``2 (1 - x)`` is ``2 - 2x``): the cases of ``Mul.flatten``."""
    if len(parts) == 2 and any(p.is_Rational for p in parts):
        return False
    numeric_parts, exps, bases = 0, 0, set()
    for part in parts:
        numeric = False
        for a in sp.Mul.make_args(part):
            if a.is_Number:
                if not (a.is_positive and a.is_finite):
                    return False
                numeric = True
                continue
            b = a.as_base_exp()[0]
            if b is sp.E:
                exps += 1
                if exps > 1:
                    return False
            elif b.is_number:
                if b.is_positive is not True:
                    return False
                numeric = True
            elif b in bases or not a.is_commutative:
                return False
            else:
                bases.add(b)
        numeric_parts += numeric
    return numeric_parts <= 1


def parse_factors(text: str, symbols: Mapping[str, sp.Symbol]) -> tuple:
    """Plain text parsed as the factors of its top-level product, each built and checked through the
    whitelist as :func:`parse_expression` checks the whole: ``Mul(*parse_factors(t, s))`` is
    ``parse_expression(t, s)``, and the factors of that product are exactly the factors of the parts
    (:func:`_unmerged`; otherwise the one part returned is the product). A caller that takes the product
    apart again (the log of a density, factor by factor) is spared SymPy's canonical product, whose
    assumption queries cost more than the rest of the parse.

    >>> import sympy as sp
    >>> x, b = sp.symbols("x b", positive=True)
    >>> parse_factors("b*exp(-b*x)", {"x": x, "b": b})
    (b, exp(-b*x))
    >>> parse_factors("2*(1 - x)", {"x": x, "b": b})
    (2 - 2*x,)
    """
    return _expression(text, symbols, False, False, factors=True)[0]


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

