"""Declarations: parameters and constants (``NAME in DOMAIN``), supports, data variables, reparameterizations."""
from __future__ import annotations

import re
from typing import Mapping

import sympy as sp
from sympy import oo

from ..domains import Domain, FiniteSupport, IntegerSupport, IntervalSupport, Support
from .expression import _expression, parse_expression
from .whitelist import MAX_FINITE_SUPPORT, ParseError, _check_text, _known, _show, check_name

# -- declarations, domains, supports ----------------------------------------------------
def _split_top(text: str, sep: str = ",") -> list[str]:
    """Split at ``sep`` outside brackets; refuse unbalanced brackets."""
    parts, depth, start = [], 0, 0
    for k, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth < 0:
                raise ParseError(f"unbalanced '{ch}' in '{_show(text)}'")
        elif ch == sep and depth == 0:
            parts.append(text[start:k])
            start = k + 1
    if depth != 0:
        raise ParseError(f"unbalanced brackets in '{_show(text)}'")
    parts.append(text[start:])
    return parts


split_top_level = _split_top


def _bracketed(text: str) -> tuple[str, str, list[str]] | None:
    """``(a, b)`` / ``[a, b)`` ... -> (opening, closing, [a, b]) if the brackets enclose the whole text."""
    s = text.strip()
    if len(s) < 2 or s[0] not in "([{" or s[-1] not in ")]}":
        return None
    inner = s[1:-1]
    try:
        _split_top(inner)  # the outer pair must match: no unbalanced bracket inside
    except ParseError:
        return None
    return s[0], s[-1], [p.strip() for p in _split_top(inner)]


_REALS = {"R", "reals", "real", "\u211d", "(-oo, oo)", "(-inf, inf)"}
_DOMAIN_EXPECTED = "expected '(lo, hi)', 'lo..hi', '> 0' or 'real'"
_SUPPORT_EXPECTED = "expected '(a, b)', 'R', '{a, b, ...}' or 'lo..hi'"


def _real_value(text: str, symbols: Mapping, context: str, numeric: bool) -> sp.Expr:
    if not text.strip():
        raise ParseError(f"empty bound in {context}")
    try:
        v = parse_expression(text, symbols)
    except ParseError as exc:
        raise ParseError(f"bad bound '{_show(text, 30)}' in {context}: {exc}") from None
    if v.is_extended_real is False or (v.is_number and v.is_extended_real is not True):
        raise ParseError(f"bound '{_show(text, 30)}' in {context} is not a real number")
    if numeric and not v.is_number:
        raise ParseError(f"bound '{_show(text, 30)}' in {context} must be a number (like 0, 1/2, pi or oo)")
    return v


def _domain(text: str, name: str) -> Domain:
    s = text.strip()
    context = f"domain '{_show(s, 40)}'"
    if s in _REALS or s.replace(" ", "") in {"(-oo,oo)", "(-inf,inf)"}:
        return Domain.interval(-oo, oo)
    try:
        if ".." in s:
            parts = s.split("..")
            if len(parts) != 2:
                raise ParseError(f"cannot parse {context}: {_DOMAIN_EXPECTED}")
            lo = _real_value(parts[0], {}, context, numeric=True)
            hi = _real_value(parts[1], {}, context, numeric=True)
            if not lo.is_integer or not (hi == oo or hi.is_integer):
                raise ParseError(f"integer range {context} needs integer ends (or oo)")
            return Domain.integers(lo, hi)
        br = _bracketed(s)
        if br is None or br[0] == "{" or br[1] == "}" or len(br[2]) != 2:
            raise ParseError(f"cannot parse {context}: {_DOMAIN_EXPECTED}")
        lo = _real_value(br[2][0], {}, context, numeric=True)
        hi = _real_value(br[2][1], {}, context, numeric=True)
        return Domain.interval(lo, hi, left_open=br[0] == "(", right_open=br[1] == ")")
    except ValueError as exc:  # Domain's own checks (empty interval ...); ParseError passes through
        if isinstance(exc, ParseError):
            raise
        raise ParseError(f"bad {context} for '{name}': {exc}") from None


_DECL_IN = re.compile(r"^\s*(\S+)\s*(?:\bin\b|\u2208)\s*(.+?)\s*$", re.DOTALL)
_DECL_WORD = re.compile(r"^\s*(\S+)\s+(real|positive|negative|nonnegative|nonpositive)\s*$")
_DECL_REL = re.compile(r"^\s*([^\s<>=]+)\s*(>=|<=|>|<|\u2265|\u2264)\s*([^<>=]+?)\s*$")
_DECL_CHAIN = re.compile(r"^\s*([^<>=]+?)\s*(<=|<|\u2264)\s*([^\s<>=]+)\s*(<=|<|\u2264)\s*([^<>=]+?)\s*$")
_WORD_INTERVALS = {
    "real": (-oo, oo, True, True),
    "positive": (sp.Integer(0), oo, True, True),
    "negative": (-oo, sp.Integer(0), True, True),
    "nonnegative": (sp.Integer(0), oo, False, True),
    "nonpositive": (-oo, sp.Integer(0), True, False),
}


def _relation_bounds(m_rel=None, m_chain=None) -> tuple[str, str, str, bool, bool]:
    """(name, lo, hi, left_open, right_open) from ``t > 0`` or ``0 < t < 1``."""
    if m_chain is not None:
        lo, op1, name, op2, hi = m_chain.groups()
        return name, lo, hi, op1 == "<", op2 == "<"
    name, op, bound = m_rel.groups()
    op = {"\u2265": ">=", "\u2264": "<="}.get(op, op)
    if op in (">", ">="):
        return name, bound, "oo", op == ">", True
    return name, "-oo", bound, True, op == "<"


def parse_declaration(text: str, closed_ok: bool = False) -> tuple[str, Domain]:
    """Parse a parameter or constant declaration into ``(name, Domain)``.

    Accepted: ``NAME in DOMAIN`` with DOMAIN ``(lo, hi)``, ``lo..hi`` (integers) or ``R``;
    ``NAME > c``, ``NAME < c``; ``lo < NAME < hi``; ``NAME real`` / ``positive`` / ``negative``.
    Bounds are numbers: integers, fractions, decimals, ``pi``, ``oo``.

    A real domain is open: at a closed end (``t >= 0``, ``p in [0, 1]``, ``nonnegative``) the model
    degenerates (a rate of 0, a probability of 1) and its Fisher information is not defined there, so
    such a declaration is refused with that reason unless ``closed_ok``. Integer ranges include
    their ends.

    >>> parse_declaration("t > 0")[1] == Domain.interval(0, sp.oo)
    True
    >>> name, dom = parse_declaration("n in 1..oo"); name, str(dom)
    ('n', '1..oo')
    >>> str(parse_declaration("k in [1, oo)", closed_ok=True)[1]), str(parse_declaration("mu in (-pi, pi)")[1])
    ('[1, oo)', '(-pi, pi)')
    >>> parse_declaration("t >= 0")
    Traceback (most recent call last):
        ...
    symfisher.parsing.ParseError: 't >= 0': parameters and constants live in open domains (the end 0 is excluded, the model may degenerate there); write 't > 0'
    >>> parse_declaration("p in (0 1)")
    Traceback (most recent call last):
        ...
    symfisher.parsing.ParseError: cannot parse domain '(0 1)': expected '(lo, hi)', 'lo..hi', '> 0' or 'real'
    """
    name, dom = _declaration(text)
    if not dom.integer and not closed_ok and not (dom.left_open and dom.right_open):
        end = dom.lo if not dom.left_open else dom.hi
        opened = Domain.interval(dom.lo, dom.hi)
        relation = f"{name} > {dom.lo}" if dom.hi == oo else f"{name} < {dom.hi}" if dom.lo == -oo else f"{name} in {opened}"
        raise ParseError(f"'{_show(text, 40)}': parameters and constants live in open domains (the end {end} "
                         f"is excluded, the model may degenerate there); write '{relation}'")
    return name, dom


def _declaration(text: str) -> tuple[str, Domain]:
    text = _check_text(text, "declaration")
    m = _DECL_IN.match(text)
    if m:
        name = check_name(m.group(1), "parameter name")
        return name, _domain(m.group(2), name)
    m = _DECL_WORD.match(text)
    if m:
        name = check_name(m.group(1), "parameter name")
        return name, Domain.interval(*_WORD_INTERVALS[m.group(2)])
    mc, mr = _DECL_CHAIN.match(text), _DECL_REL.match(text)
    if mc or mr:
        name, lo, hi, lo_open, hi_open = _relation_bounds(mr, mc)
        name = check_name(name, "parameter name")
        context = f"declaration '{_show(text, 40)}'"
        lo_v = _real_value(lo, {}, context, numeric=True)
        hi_v = _real_value(hi, {}, context, numeric=True)
        try:
            return name, Domain.interval(lo_v, hi_v, lo_open, hi_open)
        except ValueError as exc:
            raise ParseError(f"bad {context}: {exc}") from None
    raise ParseError(
        f"cannot parse declaration '{_show(text)}': expected 'NAME in DOMAIN', 'NAME > 0' or 'NAME real'"
    )


def parse_support(text: str, symbols: Mapping[str, sp.Symbol]) -> Support:
    """Parse the support of a data variable (the part after ``x in``).

    ``(a, b)`` (closedness is irrelevant for a continuous variable; ends may be ``oo``, ``-oo`` or
    expressions in known ``symbols``), ``R``, ``{a, b, ...}`` (a finite set), ``lo..hi`` (integers;
    ``hi`` may be ``oo`` or a known constant).

    >>> import sympy as sp
    >>> n = sp.Symbol("n", integer=True, positive=True)
    >>> parse_support("0..n", {"n": n})
    IntegerSupport(lo=0, hi=n)
    >>> parse_support("{0, 1}", {})
    FiniteSupport(values=(0, 1))
    >>> parse_support("[0, oo)", {}), parse_support("R", {})
    (IntervalSupport(lo=0, hi=oo), IntervalSupport(lo=-oo, hi=oo))
    """
    text = _check_text(text, "support")
    s = text.strip()
    context = f"support '{_show(s, 40)}'"
    if s in _REALS or s.replace(" ", "") in {"(-oo,oo)", "(-inf,inf)"}:
        return IntervalSupport(-oo, oo)
    br = _bracketed(s)
    if br is not None and br[0] == "{" and br[1] == "}":
        items = br[2]
        if len(items) > MAX_FINITE_SUPPORT:
            raise ParseError(f"{context} has too many values (at most {MAX_FINITE_SUPPORT})")
        if any(not it for it in items):
            raise ParseError(f"empty value in {context}")
        values = [_real_value(it, symbols, context, numeric=False) for it in items]
        if len(set(values)) != len(values):
            raise ParseError(f"repeated value in {context}")
        return FiniteSupport(tuple(values))
    if br is not None and br[0] != "{" and br[1] != "}":
        if len(br[2]) != 2:
            raise ParseError(f"cannot parse {context}: {_SUPPORT_EXPECTED}")
        lo = _real_value(br[2][0], symbols, context, numeric=False)
        hi = _real_value(br[2][1], symbols, context, numeric=False)
        if lo == oo or hi == -oo or (lo.is_number and hi.is_number and bool(sp.Ge(lo, hi))):
            raise ParseError(f"empty {context}: the lower end must be below the upper end")
        return IntervalSupport(lo, hi)
    if ".." in s and br is None:
        parts = s.split("..")
        if len(parts) != 2:
            raise ParseError(f"cannot parse {context}: {_SUPPORT_EXPECTED}")
        lo = _real_value(parts[0], symbols, context, numeric=False)
        hi = _real_value(parts[1], symbols, context, numeric=False)
        for end, which in ((lo, "lower"), (hi, "upper")):
            if end == oo and which == "upper" or end.is_integer:
                continue
            reals = sorted(str(s) for s in end.free_symbols if not s.is_integer)
            if reals:  # a constant declared 'n > 0' as the end of a sum: it must be declared an integer
                raise ParseError(f"the {which} end '{end}' of the integer range {context} must be an integer: "
                                 f"declare {reals[0]} with an integer domain, e.g. --const '{reals[0]} in 1..oo' "
                                 f"(not '{reals[0]} > 0')")
            raise ParseError(f"integer range {context} needs an integer {which} end" + (" or oo" if which == "upper" else ""))
        if lo.is_number and hi.is_number and bool(hi < lo):
            raise ParseError(f"empty {context}")
        if lo.is_number and hi.is_number and hi != oo and hi - lo + 1 > MAX_FINITE_SUPPORT:
            raise ParseError(f"{context} has more than {MAX_FINITE_SUPPORT} values, too many to sum one by one ("
                             "write lo..oo, or lo..n with a known constant n, to sum in closed form)")
        return IntegerSupport(lo, hi)
    raise ParseError(f"cannot parse {context}: {_SUPPORT_EXPECTED}")


def parse_variable(text: str, symbols: Mapping[str, sp.Symbol]) -> tuple[str, Support]:
    """Parse a data-variable declaration ``x in SUPPORT`` into ``(name, support)``.

    Also accepted: ``x real`` (the whole line) and ``x > a`` / ``x >= a`` / ``x < b`` / ``a < x < b``.

    >>> parse_variable("x in (0, oo)", {})
    ('x', IntervalSupport(lo=0, hi=oo))
    >>> parse_variable("k in {0,1}", {})
    ('k', FiniteSupport(values=(0, 1)))
    """
    text = _check_text(text, "variable declaration")

    def named(raw: str) -> str:
        name = check_name(raw, "variable name")
        if name in symbols:
            raise ParseError(f"variable '{name}' is already the name of a parameter or constant")
        return name

    m = _DECL_IN.match(text)
    if m:
        name = named(m.group(1))
        return name, parse_support(m.group(2), symbols)
    m = _DECL_WORD.match(text)
    if m and m.group(2) == "real":
        return named(m.group(1)), IntervalSupport(-oo, oo)
    mc, mr = _DECL_CHAIN.match(text), _DECL_REL.match(text)
    if mc or mr:
        name, lo, hi, _, _ = _relation_bounds(mr, mc)
        name = named(name)
        context = f"variable '{_show(text, 40)}'"
        lo_v = _real_value(lo, symbols, context, numeric=False)
        hi_v = _real_value(hi, symbols, context, numeric=False)
        if lo_v == oo or hi_v == -oo or (lo_v.is_number and hi_v.is_number and bool(sp.Ge(lo_v, hi_v))):
            raise ParseError(f"empty {context}: the lower end must be below the upper end")
        return name, IntervalSupport(lo_v, hi_v)
    raise ParseError(
        f"cannot parse variable '{_show(text)}': expected 'NAME in SUPPORT', e.g. 'x in (0, oo)'"
    )


def parse_reparam(
    text: str, symbols: Mapping[str, sp.Symbol]
) -> tuple[sp.Symbol, sp.Expr, tuple[str, ...]]:
    """Parse a change of coordinates ``old = expression in new coordinates``.

    Returns ``(old parameter symbol, right-hand side, names of the new symbols in order of
    appearance)``; new symbols are real.

    >>> import sympy as sp
    >>> p = sp.Symbol("p", positive=True)
    >>> old, rhs, new = parse_reparam("p = 1/(1+exp(-phi))", {"p": p})
    >>> old is p, rhs, new
    (True, 1/(1 + exp(-phi)), ('phi',))
    """
    text = _check_text(text, "reparameterization")
    parts = re.split(r"(?<![<>=!])=(?!=)", text)
    if len(parts) != 2:
        raise ParseError(
            f"cannot parse reparameterization '{_show(text)}': expected 'PARAM = EXPRESSION', "
            "e.g. 'p = 1/(1+exp(-phi))'"
        )
    lhs, rhs = parts[0].strip(), parts[1]
    if lhs not in symbols:
        raise ParseError(
            f"left side '{_show(lhs, 30)}' of the reparameterization is not a parameter (known: {_known(symbols)})"
        )
    old = symbols[lhs]
    expr, new = _expression(rhs, symbols, latex=False, allow_new=True)
    if old in expr.free_symbols:
        raise ParseError(f"the right side of '{_show(text)}' must not contain '{lhs}' itself")
    if not new:
        raise ParseError(f"the right side of '{_show(text)}' introduces no new coordinate")
    return old, expr, new
