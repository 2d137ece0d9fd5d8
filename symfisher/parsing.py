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
Earley parser needs about a second for a 100-character input.  The reader below accepts the
same notation (the tests compare it with the lark parser where that one succeeds) in linear time.
"""
from __future__ import annotations

import ast
import keyword
import re
import warnings
from fractions import Fraction
from typing import Callable, Mapping

import sympy as sp
from sympy import oo

from .domains import Domain, FiniteSupport, IntegerSupport, IntervalSupport, Support

__all__ = [
    "ParseError",
    "parse_expression",
    "parse_declaration",
    "parse_support",
    "parse_variable",
    "parse_reparam",
    "check_name",
    "FUNCTION_NAMES",
    "CONSTANT_NAMES",
    "RESERVED_NAMES",
    "MAX_TEXT_LENGTH",
]

# -- limits (decided before anything is built) ---------------------------
MAX_TEXT_LENGTH = 2000  # characters of one expression / declaration
MAX_DEPTH = 50  # bracket nesting, and nesting of operators in the parsed tree
MAX_NODES = 2000  # expression nodes in the Python AST
MAX_LITERAL_DIGITS = 100  # digits in one number literal
MAX_LITERAL_EXPONENT = 1000  # |e| in a literal such as 1e-5
MAX_EXPONENT = 1000  # |b| in a**b when b is a rational number
MAX_BITS = 12000  # exact numbers in a result (~3600 digits: str() of an int fails beyond 4300 digits)
MAX_ROOT_BITS = 800  # exact numbers under a root (SymPy factors radicands: slow beyond ~250 digits)
MAX_FINITE_SUPPORT = 1000  # values in {a, b, ...}
MAX_NAME_LENGTH = 64


class ParseError(ValueError):
    """User text that is not accepted; the message is one line naming the offending construct."""

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))


def _show(text: str, limit: int = 60) -> str:
    """A short one-line rendering of user text for error messages."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- the whitelist -------------------------------------------------------
def _sigmoid(x):
    return 1 / (1 + sp.exp(-x))


def _logit(x):
    return sp.log(x / (1 - x))


def _floor_like(fn):
    # floor/ceiling of a huge irrational number (floor(exp(10**100))) would need its integer
    # part; keep such calls unevaluated instead of computing them.
    def build(x):
        if x.is_number and not x.is_Rational:
            return fn(x, evaluate=False)
        return fn(x)

    return build


# name -> (min args, max args, builder taking the list of arguments)
_FUNCTIONS: dict[str, tuple[int, int, Callable | None]] = {
    "exp": (1, 1, lambda a: sp.exp(a[0])),
    "log": (1, 2, lambda a: sp.log(*a)),
    "ln": (1, 1, lambda a: sp.log(a[0])),
    # sqrt, cbrt and root are built by _Builder.power (their radicands are checked there)
    "sqrt": (1, 1, None),
    "cbrt": (1, 1, None),
    "root": (2, 2, None),
    "sin": (1, 1, lambda a: sp.sin(a[0])),
    "cos": (1, 1, lambda a: sp.cos(a[0])),
    "tan": (1, 1, lambda a: sp.tan(a[0])),
    "cot": (1, 1, lambda a: sp.cot(a[0])),
    "sec": (1, 1, lambda a: sp.sec(a[0])),
    "csc": (1, 1, lambda a: sp.csc(a[0])),
    "asin": (1, 1, lambda a: sp.asin(a[0])),
    "acos": (1, 1, lambda a: sp.acos(a[0])),
    "atan": (1, 1, lambda a: sp.atan(a[0])),
    "acot": (1, 1, lambda a: sp.acot(a[0])),
    "asec": (1, 1, lambda a: sp.asec(a[0])),
    "acsc": (1, 1, lambda a: sp.acsc(a[0])),
    "atan2": (2, 2, lambda a: sp.atan2(a[0], a[1])),
    "sinh": (1, 1, lambda a: sp.sinh(a[0])),
    "cosh": (1, 1, lambda a: sp.cosh(a[0])),
    "tanh": (1, 1, lambda a: sp.tanh(a[0])),
    "asinh": (1, 1, lambda a: sp.asinh(a[0])),
    "acosh": (1, 1, lambda a: sp.acosh(a[0])),
    "atanh": (1, 1, lambda a: sp.atanh(a[0])),
    "gamma": (1, 1, lambda a: sp.gamma(a[0])),
    "loggamma": (1, 1, lambda a: sp.loggamma(a[0])),
    "lgamma": (1, 1, lambda a: sp.loggamma(a[0])),
    "digamma": (1, 1, lambda a: sp.polygamma(0, a[0])),
    "trigamma": (1, 1, lambda a: sp.polygamma(1, a[0])),
    "polygamma": (2, 2, lambda a: sp.polygamma(a[0], a[1])),
    "beta": (2, 2, lambda a: sp.beta(a[0], a[1])),
    "binomial": (2, 2, lambda a: sp.binomial(a[0], a[1])),
    "factorial": (1, 1, lambda a: sp.factorial(a[0])),
    "erf": (1, 1, lambda a: sp.erf(a[0])),
    "erfc": (1, 1, lambda a: sp.erfc(a[0])),
    "besseli": (2, 2, lambda a: sp.besseli(a[0], a[1])),
    "besselj": (2, 2, lambda a: sp.besselj(a[0], a[1])),
    "besselk": (2, 2, lambda a: sp.besselk(a[0], a[1])),
    "bessely": (2, 2, lambda a: sp.bessely(a[0], a[1])),
    "zeta": (1, 2, lambda a: sp.zeta(*a)),
    "lowergamma": (2, 2, lambda a: sp.lowergamma(a[0], a[1])),
    "uppergamma": (2, 2, lambda a: sp.uppergamma(a[0], a[1])),
    "Abs": (1, 1, lambda a: sp.Abs(a[0])),
    "abs": (1, 1, lambda a: sp.Abs(a[0])),
    "sign": (1, 1, lambda a: sp.sign(a[0])),
    "Heaviside": (1, 1, lambda a: sp.Heaviside(a[0])),
    "Min": (1, 20, lambda a: sp.Min(*a)),
    "Max": (1, 20, lambda a: sp.Max(*a)),
    "min": (1, 20, lambda a: sp.Min(*a)),
    "max": (1, 20, lambda a: sp.Max(*a)),
    "floor": (1, 1, lambda a: _floor_like(sp.floor)(a[0])),
    "ceiling": (1, 1, lambda a: _floor_like(sp.ceiling)(a[0])),
    "ceil": (1, 1, lambda a: _floor_like(sp.ceiling)(a[0])),
    "sigmoid": (1, 1, lambda a: _sigmoid(a[0])),
    "expit": (1, 1, lambda a: _sigmoid(a[0])),
    "logit": (1, 1, lambda a: _logit(a[0])),
}

# Functions whose numeric arguments SymPy evaluates exactly (factorials, harmonic sums, ...):
# numeric rational arguments are limited so that evaluation stays fast.
_ARG_LIMITS: dict[str, int] = {
    **dict.fromkeys(["factorial", "binomial", "gamma", "loggamma", "lgamma", "beta"], 1000),
    **dict.fromkeys(
        ["digamma", "trigamma", "polygamma", "zeta", "lowergamma", "uppergamma",
         "besseli", "besselj", "besselk", "bessely"],
        100,
    ),
}

_CONSTANTS: dict[str, sp.Expr] = {
    "pi": sp.pi,
    "E": sp.E,
    "e": sp.E,  # only when no symbol is called e
    "oo": oo,
    "inf": oo,
    "I": sp.I,
    "EulerGamma": sp.EulerGamma,
    "Catalan": sp.Catalan,
}

FUNCTION_NAMES: frozenset = frozenset(_FUNCTIONS)
CONSTANT_NAMES: frozenset = frozenset(_CONSTANTS)
# Names a parameter, constant or variable may not take.  ``beta`` and ``gamma`` are allowed
# (common parameter names): as a bare name they are the symbol, called with arguments
# (``beta(a, b)``) they are the function.  ``e`` is allowed too (then ``E`` is Euler's number).
# ``lambda`` is allowed although it is a Python keyword: the plain parser handles it.
RESERVED_NAMES: frozenset = frozenset(
    (set(keyword.kwlist) - {"lambda"})
    | (set(CONSTANT_NAMES) - {"e"})
    | (set(FUNCTION_NAMES) - {"beta", "gamma"})
    | {"nan", "zoo", "R"}
)


def _function_hint() -> str:
    shown = ["exp", "log", "sqrt", "gamma", "loggamma", "beta", "binomial", "factorial",
             "polygamma", "erf", "besseli"]
    return ", ".join(shown) + ", ..."


def _known(symbols: Mapping) -> str:
    names = sorted(symbols)
    if len(names) > 12:
        names = names[:12] + ["..."]
    return ", ".join(names) if names else "none"


def check_name(name: str, what: str = "name") -> str:
    """Check that ``name`` can name a parameter, constant or data variable; return it.

    >>> check_name("nu")
    'nu'
    >>> check_name("exp")
    Traceback (most recent call last):
        ...
    symfisher.parsing.ParseError: 'exp' is a reserved function or constant name and cannot be a name
    """
    if not isinstance(name, str) or not name:
        raise ParseError(f"expected a {what}, got nothing")
    if len(name) > MAX_NAME_LENGTH:
        raise ParseError(f"{what} '{_show(name, 20)}' is too long (at most {MAX_NAME_LENGTH} characters)")
    if not (name.isascii() and name.isidentifier()) or name.startswith("_"):
        raise ParseError(
            f"'{_show(name, 30)}' is not a valid {what}: expected letters, digits and '_', starting with a letter"
        )
    if keyword.iskeyword(name) and name != "lambda":
        raise ParseError(f"'{name}' is a Python keyword and cannot be a {what}")
    if name in RESERVED_NAMES:
        raise ParseError(f"'{name}' is a reserved function or constant name and cannot be a {what}")
    return name


# -- building through the whitelist (shared by both syntaxes) -----------
_NUMBER_RE = re.compile(r"(?:([0-9]+)(?:\.([0-9]*))?|\.([0-9]+))(?:[eE]([+-]?[0-9]+))?")


def _number_bits(expr: sp.Basic) -> int:
    """A crude size of the exact numbers inside ``expr``, in bits."""
    total = 0
    for a in expr.atoms(sp.Rational):
        total += max(abs(a.p).bit_length(), a.q.bit_length())
    return total


class _Builder:
    """Turns names, numbers, calls and operators into SymPy objects, refusing what is not whitelisted."""

    def __init__(self, symbols: Mapping[str, sp.Symbol], allow_new: bool):
        self.symbols = symbols
        self.allow_new = allow_new
        self.new: dict[str, sp.Symbol] = {}  # new symbols, in order of appearance

    # numbers ------------------------------------------------------------
    def number(self, text: str) -> sp.Rational:
        raw = text.replace("_", "")
        m = _NUMBER_RE.fullmatch(raw)
        if m is None:
            raise ParseError(f"number literal '{_show(text, 30)}' is not a decimal number")
        digits = len((m.group(1) or "") + (m.group(2) or "") + (m.group(3) or ""))
        if digits > MAX_LITERAL_DIGITS:
            raise ParseError(f"number literal '{_show(text, 30)}' is too long (at most {MAX_LITERAL_DIGITS} digits)")
        if m.group(4) is not None:
            e = m.group(4).lstrip("+-").lstrip("0")
            if len(e) > 5 or int(e or 0) > MAX_LITERAL_EXPONENT:
                raise ParseError(
                    f"number literal '{_show(text, 30)}' is too large (exponent at most {MAX_LITERAL_EXPONENT})"
                )
        f = Fraction(raw)
        return sp.Rational(f.numerator, f.denominator)

    # names ---------------------------------------------------------------
    def name(self, name: str, shown: str | None = None) -> sp.Expr:
        if name in self.symbols:
            return self.symbols[name]
        if name in _CONSTANTS:
            return _CONSTANTS[name]
        if name in self.new:
            return self.new[name]
        if name.startswith("__") and name.endswith("__"):
            raise ParseError(f"dunder name '{name}' is not allowed")
        if (self.allow_new and name.isascii() and name.isidentifier() and not name.startswith("_")
                and name not in RESERVED_NAMES):
            sym = sp.Symbol(name, real=True)
            self.new[name] = sym
            return sym
        if name in _FUNCTIONS:
            raise ParseError(f"function '{name}' needs arguments, e.g. {name}(x)")
        raise self.unknown(shown or name)

    def unknown(self, shown: str) -> ParseError:
        return ParseError(f"unknown name '{shown}' (known: {_known(self.symbols)}; functions: {_function_hint()})")

    # operations ------------------------------------------------------------
    def call(self, name: str, args: list, shown: str | None = None) -> sp.Expr:
        shown = shown or name
        if name not in _FUNCTIONS:
            if name in self.symbols:
                raise ParseError(f"'{shown}' is a symbol, not a function: write '{shown}*(...)' for a product")
            raise ParseError(f"unknown function '{shown}' (functions: {_function_hint()})")
        lo, hi, build = _FUNCTIONS[name]
        if not lo <= len(args) <= hi:
            want = str(lo) if lo == hi else f"{lo} to {hi}"
            raise ParseError(f"function '{shown}' takes {want} argument(s), got {len(args)}")
        limit = _ARG_LIMITS.get(name)
        if limit is not None:
            for a in args:
                if a.is_Rational and abs(a) > limit:
                    raise ParseError(f"argument {_show(str(a), 30)} of '{shown}' is too large (at most {limit})")
        if name == "sqrt":
            return self.power(args[0], sp.Rational(1, 2))
        if name == "cbrt":
            return self.power(args[0], sp.Rational(1, 3))
        if name == "root":
            return self.power(args[0], self.inverse(args[1]))
        return build(args)

    def power(self, base: sp.Expr, exponent: sp.Expr) -> sp.Expr:
        if exponent.is_Rational:
            if abs(exponent) > MAX_EXPONENT:
                raise ParseError(
                    f"exponent {_show(str(exponent), 30)} is too large (at most {MAX_EXPONENT} in absolute value)"
                )
            bits = _number_bits(base)
            if bits * max(abs(exponent.p), 1) > MAX_BITS:
                raise ParseError(f"power {_show(str(base), 30)}**{exponent} would be too large a number")
            if exponent.q != 1 and bits > MAX_ROOT_BITS:
                raise ParseError(f"root of {_show(str(base), 30)} has too large a number under it")
        return sp.Pow(base, exponent)

    def add(self, terms: list) -> sp.Expr:
        return terms[0] if len(terms) == 1 else sp.Add(*terms)

    def mul(self, factors: list) -> sp.Expr:
        return factors[0] if len(factors) == 1 else sp.Mul(*factors)

    def neg(self, x: sp.Expr) -> sp.Expr:
        return -x

    def inverse(self, x: sp.Expr) -> sp.Expr:
        return sp.Pow(x, -1)


def _check_text(text, what: str = "expression") -> str:
    if not isinstance(text, str):
        raise ParseError(f"expected text for the {what}, got {type(text).__name__}")
    if len(text) > MAX_TEXT_LENGTH:
        raise ParseError(f"{what} is too long ({len(text)} characters, at most {MAX_TEXT_LENGTH})")
    if not text.strip():
        raise ParseError(f"empty {what}")
    depth = 0
    for ch in text:
        if ch in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ParseError(f"{what} is nested too deeply (more than {MAX_DEPTH} brackets)")
        elif ch in ")]}":
            depth -= 1
    return text


def _finish(expr, text: str) -> sp.Expr:
    if not isinstance(expr, sp.Expr):
        raise ParseError(f"'{_show(text)}' is not an expression")
    if expr.has(sp.nan, sp.zoo):
        raise ParseError(f"'{_show(text)}' is undefined (division by zero or oo - oo)")
    for a in expr.atoms(sp.Rational):
        if max(abs(a.p).bit_length(), a.q.bit_length()) > MAX_BITS:
            raise ParseError(f"'{_show(text)}' contains too large a number (more than about 3600 digits)")
    return expr


# -- plain syntax: Python's ast through the whitelist ---------------------
_BINOP_SIGNS = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**",
    ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
    ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^",
}
_ALLOWED_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)
_ADDITIVE = (ast.Add, ast.Sub)
_MULTIPLICATIVE = (ast.Mult, ast.Div)
_COMPARE_SIGNS = {
    ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
    ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in",
}
_UNICODE = str.maketrans({"\u2212": "-", "\u00d7": "*", "\u00b7": "*", "\u22c5": "*", "\u00f7": "/"})
_KEYWORD_PREFIX = "_kw_"


def _refuse_node(node: ast.AST) -> ParseError:
    t = type(node)
    if t is ast.Attribute:
        return ParseError(f"attribute access '.{node.attr}' is not allowed")
    if t is ast.Subscript:
        return ParseError("subscript '[...]' is not allowed")
    if t is ast.Lambda:
        return ParseError("'lambda' is not allowed")
    if t in (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp):
        return ParseError("comprehension '... for ... in ...' is not allowed")
    if t is ast.JoinedStr or t is ast.FormattedValue:
        return ParseError("f-string is not allowed")
    if t is ast.NamedExpr:
        return ParseError("assignment expression ':=' is not allowed")
    if t is ast.IfExp:
        return ParseError("if-expression 'a if c else b' is not allowed")
    if t is ast.Compare:
        sign = _COMPARE_SIGNS.get(type(node.ops[0]), "?")
        return ParseError(f"comparison '{sign}' is not an expression")
    if t is ast.BoolOp:
        return ParseError(f"'{'and' if isinstance(node.op, ast.And) else 'or'}' is not allowed")
    if t is ast.Tuple:
        return ParseError("tuple (a comma outside a function call) is not allowed")
    if t in (ast.List, ast.Set, ast.Dict):
        return ParseError(f"{t.__name__.lower()} display is not allowed")
    if t is ast.Starred:
        return ParseError("starred argument '*' is not allowed")
    if t is ast.Slice:
        return ParseError("slice ':' is not allowed")
    if t in (ast.Await, ast.Yield, ast.YieldFrom):
        return ParseError(f"'{t.__name__.lower()}' is not allowed")
    return ParseError(f"{t.__name__} is not allowed in an expression")


def _check_tree(tree: ast.Expression) -> None:
    """Walk the tree once, iteratively: size, depth and the node whitelist, before building anything."""
    count = 0
    stack: list[tuple[ast.AST, int]] = [(tree.body, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ParseError(f"expression is too large (more than {MAX_NODES} parts)")
        if depth > MAX_DEPTH:
            raise ParseError(f"expression is nested too deeply (more than {MAX_DEPTH} levels)")
        t = type(node)
        if t is ast.BinOp:
            op = type(node.op)
            if op not in _ALLOWED_BINOPS:
                raise ParseError(f"operator '{_BINOP_SIGNS.get(op, '?')}' is not allowed (use + - * / ** or ^)")
            # a chain a+b+c+... (or a*b/c...) is flat: its left spine does not count as nesting
            same = type(node.left) is ast.BinOp and (
                (op in _ADDITIVE and type(node.left.op) in _ADDITIVE)
                or (op in _MULTIPLICATIVE and type(node.left.op) in _MULTIPLICATIVE)
            )
            stack.append((node.right, depth + 1))
            stack.append((node.left, depth if same else depth + 1))
        elif t is ast.UnaryOp:
            if type(node.op) not in (ast.USub, ast.UAdd):
                sign = {ast.Not: "not", ast.Invert: "~"}.get(type(node.op), "?")
                raise ParseError(f"operator '{sign}' is not allowed")
            stack.append((node.operand, depth + 1))
        elif t is ast.Constant:
            v = node.value
            if isinstance(v, bool) or v is None or v is Ellipsis:
                raise ParseError(f"'{v}' is not a number")
            if isinstance(v, str):
                raise ParseError(f"string literal {_show(repr(v), 30)} is not allowed")
            if isinstance(v, bytes):
                raise ParseError("bytes literal is not allowed")
            if isinstance(v, complex):
                raise ParseError("imaginary literal 'j' is not allowed (use I)")
            if not isinstance(v, (int, float)):
                raise ParseError(f"literal {_show(repr(v), 30)} is not allowed")
        elif t is ast.Name:
            if node.id.startswith("__") and node.id.endswith("__"):
                raise ParseError(f"dunder name '{node.id}' is not allowed")
        elif t is ast.Call:
            if type(node.func) is ast.Attribute:
                raise _refuse_node(node.func)
            if type(node.func) is not ast.Name:
                raise ParseError("only named functions can be called, e.g. exp(x)")
            if node.keywords:
                kw = node.keywords[0].arg
                raise ParseError(f"keyword argument '{kw}=' is not allowed" if kw else "'**' argument is not allowed")
            if not node.args:
                raise ParseError(f"function '{node.func.id}' needs arguments")
            for a in node.args:
                if type(a) is ast.Starred:
                    raise _refuse_node(a)
                stack.append((a, depth + 1))
            if node.func.id.startswith("__"):
                raise ParseError(f"dunder name '{node.func.id}' is not allowed")
        else:
            raise _refuse_node(node)


class _AstTranslator:
    def __init__(self, source: str, builder: _Builder, keywords: dict[str, str]):
        self.source = source
        self.b = builder
        self.keywords = keywords  # placeholder -> keyword name (e.g. lambda)

    def name(self, ident: str) -> sp.Expr:
        if ident in self.keywords:
            return self.b.name(self.keywords[ident])
        return self.b.name(ident)

    def tr(self, node: ast.AST) -> sp.Expr:
        t = type(node)
        b = self.b
        if t is ast.BinOp:
            op = type(node.op)
            if op in _ADDITIVE or op in _MULTIPLICATIVE:
                family = _ADDITIVE if op in _ADDITIVE else _MULTIPLICATIVE
                chain: list[tuple[type, ast.AST]] = []
                n: ast.AST = node
                while type(n) is ast.BinOp and type(n.op) in family:
                    chain.append((type(n.op), n.right))
                    n = n.left
                chain.append((ast.Add if family is _ADDITIVE else ast.Mult, n))
                chain.reverse()  # source order
                parts = []
                for o, operand in chain:
                    v = self.tr(operand)
                    if o is ast.Sub:
                        v = b.neg(v)
                    elif o is ast.Div:
                        v = b.inverse(v)
                    parts.append(v)
                return b.add(parts) if family is _ADDITIVE else b.mul(parts)
            base = self.tr(node.left)
            return b.power(base, self.tr(node.right))
        if t is ast.UnaryOp:
            v = self.tr(node.operand)
            return b.neg(v) if isinstance(node.op, ast.USub) else v
        if t is ast.Constant:
            seg = ast.get_source_segment(self.source, node) or str(node.value)
            return b.number(seg)
        if t is ast.Name:
            return self.name(node.id)
        if t is ast.Call:
            fname = node.func.id
            fname = self.keywords.get(fname, fname)
            args = [self.tr(a) for a in node.args]
            return b.call(fname, args)
        raise _refuse_node(node)  # not reached: _check_tree refused it already


def _parse_plain(text: str, builder: _Builder) -> sp.Expr:
    source = text.translate(_UNICODE).replace("^", "**")
    source = " ".join(source.split())  # newlines and tabs are spaces
    # a symbol named like a Python keyword (``lambda``) is parsed through a placeholder name
    keywords: dict[str, str] = {}
    for name in builder.symbols:
        if keyword.iskeyword(name) and re.search(rf"\b{name}\b", source):
            placeholder = f"{_KEYWORD_PREFIX}{name}_"
            keywords[placeholder] = name
            source = re.sub(rf"\b{name}\b", placeholder, source)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for '1if', '2x' ...: we report errors ourselves
            tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        msg = re.sub(r"\s*\(detected at line \d+\)", "", exc.msg or "invalid syntax").strip()
        where = f" at column {exc.offset}" if exc.offset else ""
        hint = ""
        if "decimal literal" in msg or "Perhaps you forgot a comma" in (exc.msg or ""):
            hint = " (write products with '*', e.g. 2*x)"
        raise ParseError(f"cannot parse '{_show(text)}': {msg}{where}{hint}") from None
    except (ValueError, RecursionError, MemoryError, OverflowError) as exc:
        raise ParseError(f"cannot parse '{_show(text)}': {type(exc).__name__}") from None
    _check_tree(tree)
    return _AstTranslator(source.strip(), builder, keywords).tr(tree.body)


# -- LaTeX -------------------------------------------------------------------
_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta",
    "iota", "kappa", "lambda", "mu", "nu", "xi", "rho", "varrho", "sigma", "varsigma", "tau",
    "upsilon", "phi", "varphi", "chi", "psi", "omega",
    "Delta", "Theta", "Lambda", "Xi", "Upsilon", "Phi", "Psi", "Omega",
}
# alternative spellings of a Greek name, tried in order when looking up a symbol
_GREEK_SPELLINGS = {
    "lambda": ("lambda", "lam", "lamda", "lmbda"),
    "epsilon": ("epsilon", "eps"),
    "varepsilon": ("varepsilon", "epsilon", "eps"),
    "vartheta": ("vartheta", "theta"),
    "varphi": ("varphi", "phi"),
    "varrho": ("varrho", "rho"),
    "varsigma": ("varsigma", "sigma"),
}
# LaTeX operator commands -> whitelisted function names
_LATEX_FUNCTIONS = {
    "exp": "exp", "log": "log", "ln": "log", "sin": "sin", "cos": "cos", "tan": "tan",
    "cot": "cot", "sec": "sec", "csc": "csc", "arcsin": "asin", "arccos": "acos", "arctan": "atan",
    "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "arsinh": "asinh", "arcsinh": "asinh",
    "arcosh": "acosh", "arccosh": "acosh", "artanh": "atanh", "arctanh": "atanh",
    "min": "Min", "max": "Max", "sgn": "sign", "erf": "erf", "erfc": "erfc",
}
# extra names understood inside \operatorname{...} / \mathrm{...} and as bare words
_LATEX_WORDS = {**_LATEX_FUNCTIONS, "B": "beta", "Beta": "beta", "Gamma": "gamma", "sign": "sign"}
_INVERSE_TRIG = {"sin": "asin", "cos": "acos", "tan": "atan", "cot": "acot", "sec": "asec",
                 "csc": "acsc", "sinh": "asinh", "cosh": "acosh", "tanh": "atanh"}
_IGNORED_COMMANDS = {"quad", "qquad", "displaystyle", "textstyle", "scriptstyle", "limits", "nolimits"}
_SIZE_COMMANDS = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
                  "biggl", "biggr", "Biggl", "Biggr"}
_TEXT_COMMANDS = {"operatorname", "mathrm", "text", "textrm", "mathit", "textit", "mathsf", "rm"}
_UNSUPPORTED = {
    "int": "integrals", "iint": "integrals", "oint": "integrals", "sum": "sums", "prod": "products",
    "lim": "limits", "partial": "derivatives", "begin": "environments", "end": "environments",
    "mathbb": "blackboard letters", "mathcal": "calligraphic letters", "Sigma": "sums",
    "Pi": "products", "det": "determinants", "nabla": "gradients",
}
_RELATIONS = {"=", "<", ">", "leq", "le", "geq", "ge", "neq", "ne", "approx", "sim", "equiv", "leqslant", "geqslant"}

_LATEX_TOKEN_RE = re.compile(
    r"(?P<ws>[ \t\r\n~]+)"
    r"|(?P<cmd>\\[A-Za-z]+)"
    r"|(?P<csym>\\[^A-Za-z])"
    r"|(?P<num>[0-9]+(?:\.[0-9]+)?|\.[0-9]+)"
    r"|(?P<word>[A-Za-z]+)"
    r"|(?P<op>[-+*/^_()\[\]{}|,!'=<>.&:;])"
)


class _Tok:
    __slots__ = ("kind", "text", "pos")

    def __init__(self, kind: str, text: str, pos: int):
        self.kind, self.text, self.pos = kind, text, pos

    def __repr__(self):  # pragma: no cover - debugging aid
        return f"{self.kind}:{self.text}"


def _latex_tokens(text: str) -> list[_Tok]:
    raw: list[_Tok] = []
    pos = 0
    n = len(text)
    while pos < n:
        m = _LATEX_TOKEN_RE.match(text, pos)
        if m is None:
            raise ParseError(f"unexpected character {text[pos]!r} at column {pos + 1} in LaTeX")
        kind = m.lastgroup
        tok = m.group()
        if kind == "cmd":
            raw.append(_Tok("cmd", tok[1:], pos))
        elif kind == "csym":
            c = tok[1]
            if c in ",;:! \t\n":
                pass  # spacing
            elif c == "\\":
                raise ParseError("line break '\\\\' is not allowed in an expression")
            elif c in "{}":
                raise ParseError(f"'\\{c}' (a set) is not an expression")
            else:
                raise ParseError(f"unknown LaTeX command '\\{c}'")
        elif kind != "ws":
            raw.append(_Tok(kind, tok, pos))
        pos = m.end()
    # normalize: drop spacing and sizing commands, turn \cdot into *, \left| into lvert ...
    out: list[_Tok] = []
    i = 0
    while i < len(raw):
        t = raw[i]
        if t.kind == "cmd":
            c = t.text
            if c in _IGNORED_COMMANDS:
                i += 1
                continue
            if c in _SIZE_COMMANDS:
                nxt = raw[i + 1] if i + 1 < len(raw) else None
                if nxt is None:
                    raise ParseError(f"'\\{c}' must be followed by a delimiter")
                opening = c == "left" or c.endswith("l")
                closing = c == "right" or c.endswith("r")
                if nxt.kind == "op" and nxt.text == ".":
                    i += 2
                    continue
                if nxt.kind == "op" and nxt.text == "|":
                    kind = "lvert" if opening else "rvert" if closing else "op"
                    out.append(_Tok(kind, "|", nxt.pos))
                    i += 2
                    continue
                if (nxt.kind == "op" and nxt.text in "()[]") or (
                    nxt.kind == "cmd" and nxt.text in {"lvert", "rvert", "vert", "lfloor", "rfloor", "lceil", "rceil"}
                ):
                    i += 1  # keep the delimiter itself
                    continue
                raise ParseError(f"'\\{c}' must be followed by a delimiter such as '(' or '|'")
            if c in ("cdot", "times", "ast"):
                out.append(_Tok("op", "*", t.pos))
            elif c == "div":
                out.append(_Tok("op", "/", t.pos))
            elif c == "lvert":
                out.append(_Tok("lvert", "|", t.pos))
            elif c == "rvert":
                out.append(_Tok("rvert", "|", t.pos))
            elif c == "vert":
                out.append(_Tok("op", "|", t.pos))
            else:
                out.append(t)
        else:
            out.append(t)
        i += 1
    return out


class _LatexReader:
    """A recursive-descent reader of the math subset of LaTeX, building through :class:`_Builder`.

    Products are implicit (``2x``, ``p(1-p)``, ``\\frac{1}{2}\\log x``); a letter that names a
    symbol followed by ``(`` is a product, never a function call.  A function written without
    parentheses (``\\log x``, ``\\sin^2 x``) takes the following product, up to the next ``+``,
    ``-``, explicit operator or function.
    """

    def __init__(self, text: str, builder: _Builder):
        self.text = text
        self.b = builder
        self.toks = _latex_tokens(text)
        self.i = 0
        self.depth = 0
        self.abs_depth = 0

    # token helpers -------------------------------------------------------
    def peek(self, k: int = 0) -> _Tok | None:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def at(self, kind: str, text: str | None = None, k: int = 0) -> bool:
        t = self.peek(k)
        return t is not None and t.kind == kind and (text is None or t.text == text)

    def at_op(self, chars: str, k: int = 0) -> bool:
        t = self.peek(k)
        return t is not None and t.kind == "op" and t.text in chars and len(t.text) == 1

    def next(self) -> _Tok:
        t = self.peek()
        if t is None:
            raise ParseError(f"LaTeX '{_show(self.text)}' ends too early")
        self.i += 1
        return t

    def expect_op(self, ch: str) -> None:
        t = self.peek()
        if t is None or t.kind != "op" or t.text != ch:
            raise ParseError(f"expected '{ch}' {self.where(t)} in LaTeX")
        self.i += 1

    def where(self, t: _Tok | None) -> str:
        if t is None:
            return "at the end"
        shown = "\\" + t.text if t.kind == "cmd" else t.text
        return f"but found '{_show(shown, 20)}' at column {t.pos + 1}"

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH + 2:
            raise ParseError(f"LaTeX is nested too deeply (more than {MAX_DEPTH} levels)")

    def leave(self) -> None:
        self.depth -= 1

    # grammar ------------------------------------------------------------------
    def parse(self) -> sp.Expr:
        e = self.expr()
        t = self.peek()
        if t is not None:
            if (t.kind == "op" and t.text in "=<>") or (t.kind == "cmd" and t.text in _RELATIONS):
                raise ParseError("a comparison is not an expression")
            raise ParseError(f"unexpected '{_show(t.text if t.kind != 'cmd' else chr(92) + t.text, 20)}' "
                             f"at column {t.pos + 1} in LaTeX")
        return e

    def expr(self) -> sp.Expr:
        self.enter()
        terms = [self.term()]
        while self.at_op("+-"):
            sign = self.next().text
            t = self.term()
            terms.append(self.b.neg(t) if sign == "-" else t)
        self.leave()
        return self.b.add(terms)

    def term(self) -> sp.Expr:
        factors = [self.signed_factor()]
        while True:
            if self.at_op("*"):
                self.next()
                factors.append(self.signed_factor())
            elif self.at_op("/"):
                self.next()
                factors.append(self.b.inverse(self.signed_factor()))
            elif self.starts_factor():
                factors.append(self.postfix())
            else:
                break
        return self.b.mul(factors)

    def signed_factor(self) -> sp.Expr:
        negative = False
        count = 0
        while self.at_op("+-"):
            count += 1
            if count > MAX_DEPTH:
                raise ParseError("too many signs in a row in LaTeX")
            negative ^= self.next().text == "-"
        v = self.postfix()
        return self.b.neg(v) if negative else v

    def starts_factor(self, in_bare_argument: bool = False) -> bool:
        t = self.peek()
        if t is None:
            return False
        if t.kind in ("num", "word", "lvert"):
            if in_bare_argument and t.kind == "word" and self.word_is_function(t.text):
                return False
            return True
        if t.kind == "op":
            if t.text in "([{":
                return True
            return t.text == "|" and self.abs_depth == 0
        if t.kind == "cmd":
            c = t.text
            if in_bare_argument and (c in _LATEX_FUNCTIONS or c == "Gamma"):
                return False
            return c not in _RELATIONS and c not in ("rfloor", "rceil")
        return False

    def postfix(self) -> sp.Expr:
        base = self.primary()
        has_sup = False
        while True:
            if self.at_op("^"):
                if has_sup:
                    raise ParseError("double superscript in LaTeX: use braces, e.g. {x^a}^b")
                self.next()
                base = self.b.power(base, self.script("^"))
                has_sup = True
            elif self.at_op("!"):
                self.next()
                base = self.b.call("factorial", [base], "!")
            elif self.at_op("_"):
                raise ParseError("a subscript is only allowed on a letter, e.g. x_1")
            elif self.at_op("'"):
                raise ParseError("primes (derivatives) are not supported in LaTeX")
            else:
                break
        return base

    def script(self, what: str) -> sp.Expr:
        """The argument of ^ (and of \\frac, \\sqrt, \\binom): a group or a single token."""
        t = self.peek()
        if t is None:
            raise ParseError(f"'{what}' needs an argument in LaTeX")
        if t.kind == "op" and t.text in "{(":
            return self.group()
        if t.kind == "op" and t.text == "-" and what == "^":  # e^-x: not TeX, but unambiguous
            self.next()
            self.enter()
            value = self.b.neg(self.script(what))
            self.leave()
            return value
        if t.kind == "num":
            if len(t.text) > 1:
                raise ParseError(f"ambiguous '{what}{t.text}' in LaTeX: write {what}{{{t.text}}}")
            self.next()
            return self.b.number(t.text)
        if t.kind == "word":
            if len(t.text) > 1:
                raise ParseError(f"ambiguous '{what}{t.text}' in LaTeX: write {what}{{{t.text}}}")
            return self.primary()
        if t.kind == "cmd" and (t.text in _GREEK or t.text in ("pi", "infty")):
            return self.primary()
        raise ParseError(f"'{what}' needs a braced argument {self.where(t)} in LaTeX")

    def one_token_argument(self, what: str) -> tuple[sp.Expr, bool]:
        """TeX's single-token argument of \\frac, \\sqrt, \\binom: ``\\frac12`` is 1/2.

        Returns the value and whether it was split off a longer number token.
        """
        t = self.peek()
        if t is not None and t.kind in ("num", "word") and len(t.text) > 1:
            if t.kind == "num" and not t.text.isdigit():
                raise ParseError(f"ambiguous '\\{what}{t.text}' in LaTeX: use braces")
            head = _Tok(t.kind, t.text[0], t.pos)
            rest = _Tok(t.kind, t.text[1:], t.pos + 1)
            self.toks[self.i : self.i + 1] = [head, rest]
            return self.script("\\" + what), t.kind == "num"
        return self.script("\\" + what), False

    def group(self) -> sp.Expr:
        opening = self.next().text
        closing = {"(": ")", "[": "]", "{": "}"}[opening]
        saved, self.abs_depth = self.abs_depth, 0
        e = self.expr()
        self.abs_depth = saved
        self.expect_op(closing)
        return e

    def arguments(self) -> list[sp.Expr]:
        """A parenthesized, comma-separated argument list."""
        self.expect_op("(")
        saved, self.abs_depth = self.abs_depth, 0
        args = [self.expr()]
        while self.at_op(","):
            self.next()
            args.append(self.expr())
        self.abs_depth = saved
        self.expect_op(")")
        return args

    def bare_argument(self) -> sp.Expr:
        """The argument of \\log x, \\sin 2x, \\exp -x: a product up to the next operator or function."""
        self.enter()
        negative = False
        while self.at_op("+-"):
            negative ^= self.next().text == "-"
        if not self.starts_factor():
            raise ParseError(f"a function needs an argument {self.where(self.peek())} in LaTeX")
        factors = [self.postfix()]
        while self.starts_factor(in_bare_argument=True):
            factors.append(self.postfix())
        self.leave()
        v = self.b.mul(factors)
        return self.b.neg(v) if negative else v

    def apply(self, fname: str, shown: str) -> sp.Expr:
        """A function application after the function's name: \\log_2 x, \\sin^2(x), \\exp{-x}."""
        sup = base = None
        for _ in range(2):
            if self.at_op("^") and sup is None:
                self.next()
                sup = self.script("^")
            elif self.at_op("_") and base is None and fname == "log":
                self.next()
                base = self.script("_")
        if self.at_op("("):
            args = self.arguments()
        elif self.at_op("{"):
            args = [self.group()]
        else:
            args = [self.bare_argument()]
        if base is not None:
            args.append(base)
        if sup is not None and sup == -1 and fname in _INVERSE_TRIG:
            return self.b.call(_INVERSE_TRIG[fname], args, shown)
        value = self.b.call(fname, args, shown)
        return value if sup is None else self.b.power(value, sup)

    def word_is_function(self, word: str) -> bool:
        return len(word) > 1 and word not in self.b.symbols and (word in _FUNCTIONS or word in _LATEX_WORDS)

    # names ------------------------------------------------------------------------
    def subscript(self) -> str | None:
        """The text of a subscript after a name (x_1, x_{m}, \\sigma_{12}, x_{\\theta}) or None."""
        if not self.at_op("_"):
            return None
        self.next()
        t = self.peek()
        if t is not None and t.kind == "op" and t.text == "{":
            self.next()
            parts = []
            while not self.at_op("}"):
                u = self.next()
                if u.kind in ("num", "word") or (u.kind == "cmd" and u.text in _GREEK):
                    parts.append(u.text)
                else:
                    raise ParseError(f"a subscript may only hold letters and digits, found '{_show(u.text, 20)}'")
            self.next()
            if not parts:
                raise ParseError("empty subscript in LaTeX")
            return "".join(parts)
        if t is not None and t.kind in ("num", "word"):
            if len(t.text) > 1:
                raise ParseError(f"ambiguous subscript '_{t.text}' in LaTeX: write _{{{t.text}}}")
            self.next()
            return t.text
        if t is not None and t.kind == "cmd" and t.text in _GREEK:
            self.next()
            return t.text
        raise ParseError(f"a subscript needs letters or digits {self.where(t)} in LaTeX")

    def lookup(self, base: str, sub: str | None) -> sp.Expr | None:
        """The symbol a (base, subscript) name refers to, trying the usual spellings."""
        symbols = self.b.symbols
        for b in _GREEK_SPELLINGS.get(base, (base,)):
            candidates = [b] if sub is None else [f"{b}_{sub}", f"{b}{sub}", f"{b}_{{{sub}}}"]
            for c in candidates:
                if c in symbols:
                    return symbols[c]
                if c in self.b.new:
                    return self.b.new[c]
        return None

    def new_or_unknown(self, base: str, sub: str | None, shown: str) -> sp.Expr:
        name = _GREEK_SPELLINGS.get(base, (base,))[0]
        if name == "lambda":
            name = "lam"
        if sub is not None:
            name = f"{name}_{sub}"
        if self.b.allow_new and name.isidentifier() and name not in RESERVED_NAMES and name not in _FUNCTIONS:
            return self.b.name(name)
        raise self.b.unknown(shown)

    def named(self, base: str, shown: str, greek: bool) -> sp.Expr:
        """A letter, Greek letter or \\operatorname name, possibly subscripted."""
        sub = self.subscript()
        shown_full = shown if sub is None else f"{shown}_{{{sub}}}"
        sym = self.lookup(base, sub)
        if sym is not None:
            return sym
        calls = self.at_op("(")
        # special functions written with Greek letters, when the letter is not a symbol
        if base == "psi" and (calls or self.at_op("'") or self.at_op("^")):
            order = sp.Integer(0)
            if sub is not None:
                order = self.b.number(sub) if sub.isdigit() else self.named_value(sub)
            elif self.at_op("'"):
                while self.at_op("'"):
                    self.next()
                    order += 1
            elif self.at_op("^"):
                self.next()
                if not self.at_op("{"):
                    raise ParseError("write \\psi^{(n)}(x) for the polygamma function")
                self.next()
                self.expect_op("(")
                order = self.expr()
                self.expect_op(")")
                self.expect_op("}")
            args = self.arguments()
            if len(args) != 1:
                raise ParseError(f"'\\psi' takes 1 argument, got {len(args)}")
            return self.b.call("polygamma", [order, args[0]], "\\psi")
        if sub is None and calls:
            if base == "Gamma":
                return self.b.call("gamma", self.arguments(), "\\Gamma")
            if base == "sigma":
                return self.b.call("sigmoid", self.arguments(), "\\sigma")
            if base == "Phi":
                (arg,) = self.one_argument("\\Phi")
                return (1 + sp.erf(arg / sp.sqrt(2))) / 2
            if base in ("beta", "zeta", "gamma") and greek:
                return self.b.call(base, self.arguments(), "\\" + base)
        if sub is None and base == "e":
            return sp.E
        return self.new_or_unknown(base, sub, shown_full)

    def one_argument(self, shown: str) -> list[sp.Expr]:
        args = self.arguments()
        if len(args) != 1:
            raise ParseError(f"'{shown}' takes 1 argument, got {len(args)}")
        return args

    def named_value(self, name: str) -> sp.Expr:
        sym = self.lookup(name, None)
        if sym is None:
            raise self.b.unknown(name)
        return sym

    def word(self) -> sp.Expr:
        """A run of letters: a known multi-letter name, a function word (log, exp), or a product of letters."""
        t = self.next()
        w = t.text
        if self.at_op("_"):
            # the subscript belongs to the whole word if that names a symbol (x_m vs ab_c)
            save = self.i
            sub = self.subscript()
            sym = self.lookup(w, sub)
            if sym is not None:
                return sym
            if len(w) > 1 and (w in self.b.symbols or w in self.b.new):
                return self.new_or_unknown(w, sub, f"{w}_{{{sub}}}")
            self.i = save
        elif w in self.b.symbols or w in self.b.new:
            return self.lookup(w, None)
        if len(w) > 1:
            if w in _FUNCTIONS or w in _LATEX_WORDS:
                fname = _LATEX_WORDS.get(w, w)
                return self.apply(fname, w)
            if w in _CONSTANTS and w not in ("e", "E", "I"):
                return _CONSTANTS[w]
        factors = []
        for k, ch in enumerate(w):
            if k < len(w) - 1:
                sym = self.lookup(ch, None)
                if sym is None:
                    sym = sp.E if ch == "e" else self.new_or_unknown(ch, None, f"{ch}' in '{w}")
                factors.append(sym)
            else:
                factors.append(self.named(ch, ch if len(w) == 1 else f"{ch}' in '{w}", greek=False))
        return self.b.mul(factors)

    def text_name(self, command: str) -> sp.Expr:
        """\\operatorname{erf}(x), \\mathrm{e}^x, \\mathit{xm}, \\text{B}(a, b)."""
        self.expect_op("{")
        t = self.next()
        if t.kind != "word":
            raise ParseError(f"\\{command}{{...}} must hold a name, found '{_show(t.text, 20)}'")
        name = t.text
        sub = None
        if self.at_op("_"):
            sub = self.subscript()
        self.expect_op("}")
        if sub is None and self.at_op("_"):
            sub = self.subscript()
        sym = self.lookup(name, sub)
        if sym is not None:
            return sym
        if sub is None:
            if name == "e":
                return sp.E
            if name == "d":
                raise ParseError("differentials (\\mathrm{d}x) are not supported")
            if name in _FUNCTIONS or name in _LATEX_WORDS:
                return self.apply(_LATEX_WORDS.get(name, name), f"\\{command}{{{name}}}")
        return self.new_or_unknown(name, sub, f"\\{command}{{{name}}}")

    # primaries -----------------------------------------------------------------------
    def primary(self) -> sp.Expr:
        t = self.peek()
        if t is None:
            raise ParseError(f"LaTeX '{_show(self.text)}' ends too early: expected a value")
        if t.kind == "num":
            self.next()
            return self.b.number(t.text)
        if t.kind == "word":
            return self.word()
        if t.kind == "op":
            if t.text in "([{":
                return self.group()
            if t.text == "|":
                return self.absolute()
            if t.text in "=<>":
                raise ParseError("a comparison is not an expression")
            raise ParseError(f"expected a value {self.where(t)} in LaTeX")
        if t.kind == "lvert":
            return self.absolute()
        if t.kind == "rvert":
            raise ParseError(f"unmatched '|' at column {t.pos + 1} in LaTeX")
        return self.command()

    def absolute(self) -> sp.Expr:
        self.next()
        self.abs_depth += 1
        e = self.expr()
        self.abs_depth -= 1
        t = self.peek()
        if t is None or not (t.kind == "rvert" or (t.kind == "op" and t.text == "|")):
            raise ParseError(f"expected a closing '|' {self.where(t)} in LaTeX")
        self.next()
        return self.b.call("Abs", [e], "|...|")

    def command(self) -> sp.Expr:
        t = self.next()
        c = t.text
        if c in ("frac", "dfrac", "tfrac", "cfrac"):
            num, split = self.one_token_argument(c)
            den, split2 = self.one_token_argument(c)
            nxt = self.peek()
            if split2 and nxt is not None and nxt.kind == "num" and nxt.pos == self.toks[self.i - 1].pos + 1:
                raise ParseError(f"ambiguous '\\{c}' with digits: use braces, e.g. \\frac{{1}}{{2}}")
            return self.b.mul([num, self.b.inverse(den)])
        if c in ("binom", "dbinom", "tbinom"):
            n, _ = self.one_token_argument(c)
            k, _ = self.one_token_argument(c)
            return self.b.call("binomial", [n, k], "\\" + c)
        if c == "sqrt":
            if self.at_op("["):
                self.next()
                index = self.expr()
                self.expect_op("]")
                radicand, _ = self.one_token_argument(c)
                return self.b.power(radicand, self.b.inverse(index))
            radicand, _ = self.one_token_argument(c)
            return self.b.call("sqrt", [radicand], "\\sqrt")
        if c == "pi":
            return sp.pi
        if c == "infty":
            return oo
        if c == "lfloor" or c == "lceil":
            closing = "rfloor" if c == "lfloor" else "rceil"
            saved, self.abs_depth = self.abs_depth, 0
            e = self.expr()
            self.abs_depth = saved
            u = self.peek()
            if u is None or u.kind != "cmd" or u.text != closing:
                raise ParseError(f"expected '\\{closing}' {self.where(u)} in LaTeX")
            self.next()
            return self.b.call("floor" if c == "lfloor" else "ceiling", [e], "\\" + c)
        if c in _LATEX_FUNCTIONS:
            return self.apply(_LATEX_FUNCTIONS[c], "\\" + c)
        if c in _GREEK or c == "Gamma":
            return self.named(c, "\\" + c, greek=True)
        if c in _TEXT_COMMANDS:
            return self.text_name(c)
        if c in _RELATIONS:
            raise ParseError("a comparison is not an expression")
        if c in _UNSUPPORTED:
            raise ParseError(f"LaTeX '\\{c}' ({_UNSUPPORTED[c]}) is not supported in an expression")
        raise ParseError(
            f"unknown LaTeX command '\\{_show(c, 20)}' (supported: \\frac, \\sqrt, \\log, \\exp, \\Gamma, "
            "Greek letters, \\operatorname{...}, ...)"
        )


# -- public API ----------------------------------------------------------------------
def _expression(text, symbols, latex: bool, allow_new: bool) -> tuple[sp.Expr, tuple[str, ...]]:
    text = _check_text(text)
    builder = _Builder(symbols if symbols is not None else {}, allow_new)
    try:
        if latex:
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


def parse_declaration(text: str) -> tuple[str, Domain]:
    """Parse a parameter or constant declaration into ``(name, Domain)``.

    Accepted: ``NAME in DOMAIN`` with DOMAIN ``(lo, hi)`` (brackets ``[``/``]`` for closed ends),
    ``lo..hi`` (integers) or ``R``; ``NAME > c``, ``NAME >= c``, ``NAME < c``, ``NAME <= c``;
    ``lo < NAME < hi``; ``NAME real`` / ``positive`` / ``negative`` / ``nonnegative``.
    Bounds are numbers: integers, fractions, decimals, ``pi``, ``oo``.

    >>> parse_declaration("t > 0")[1] == Domain.interval(0, sp.oo)
    True
    >>> name, dom = parse_declaration("n in 1..oo"); name, str(dom)
    ('n', '1..oo')
    >>> str(parse_declaration("k in [1, oo)")[1]), str(parse_declaration("mu in (-pi, pi)")[1])
    ('[1, oo)', '(-pi, pi)')
    >>> parse_declaration("p in (0 1)")
    Traceback (most recent call last):
        ...
    symfisher.parsing.ParseError: cannot parse domain '(0 1)': expected '(lo, hi)', 'lo..hi', '> 0' or 'real'
    """
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
        if lo.is_integer is False or (lo.is_number and not lo.is_integer):
            raise ParseError(f"integer range {context} needs an integer lower end")
        if hi != oo and (hi.is_integer is False or (hi.is_number and not hi.is_integer)):
            raise ParseError(f"integer range {context} needs an integer upper end or oo")
        if lo.is_number and hi.is_number and bool(hi < lo):
            raise ParseError(f"empty {context}")
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
