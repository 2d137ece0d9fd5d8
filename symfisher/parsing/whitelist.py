"""The whitelist shared by both readers: limits, names, functions, constants, and the builder.

Everything a reader builds goes through :class:`Builder`, which refuses what is not
whitelisted and sizes every number before SymPy sees it.
"""
from __future__ import annotations

import keyword
import math
import re
from fractions import Fraction
from typing import Callable, Mapping

import sympy as sp
from sympy import oo
from sympy.core.parameters import evaluate

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
# Numbers built from numbers (exp(10**99), floor(...), sin(...)): SymPy evaluates them when they are
# built or compared, and the precision it needs grows with their size, so floor(exp(10**99)) or
# sin(exp(10**99)) never finish.  Every such number is sized at low precision as it is built.
MAX_MAGNITUDE_BITS = MAX_BITS  # log2 |v| of a number (exp(8000) ~ 2**11541 passes, exp(10**99) does not)
MAX_EXP_ARGUMENT = 8000  # |v| in exp(v), sinh(v), cosh(v) of a number v
_EXP_LIKE = frozenset({"exp", "sinh", "cosh", "sigmoid", "expit"})
MAX_NAME_LENGTH = 64


class ParseError(ValueError):
    """User text that is not accepted; the message is one line naming the offending construct."""

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))


ParseError.__module__ = "symfisher.parsing"  # its public home (tracebacks, doctests)


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
        if a.q == 1 and abs(a.p) <= 1:
            continue  # 1, -1 and 0 do not grow under a power
        total += max(abs(a.p).bit_length(), a.q.bit_length())
    return total


def _log2_size(expr: sp.Expr) -> float | None:
    """``log2 |expr|`` of a number, read from a 5-digit evaluation; None when that cannot tell.

    The parts of ``expr`` were sized when they were built, so this evaluation needs little precision.
    """
    if expr.is_Rational:
        return float("-inf") if expr == 0 else math.log2(abs(expr.p)) - math.log2(expr.q)
    if expr.has(oo, -oo, sp.zoo, sp.nan):
        return None
    try:
        v = expr.evalf(5)
    except Exception:  # PrecisionExhausted, ... : SymPy cannot tell at low precision
        return None
    if not v.is_number or v.has(oo, -oo, sp.zoo, sp.nan) or v.atoms(sp.Symbol, sp.Function):
        return None
    sizes = [f._mpf_[2] + math.log2(f._mpf_[1]) for f in v.atoms(sp.Float) if f._mpf_[1]]  # man * 2**exp
    sizes += [_log2_size(r) for r in v.atoms(sp.Rational) if r != 0]
    return max(sizes) if sizes else float("-inf")


def _numeric(expr: sp.Expr) -> bool:
    """A number that SymPy would evaluate (not an exact rational, not a symbol's expression)."""
    return isinstance(expr, sp.Expr) and not expr.is_Rational and expr.is_number


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
                if _numeric(a) and not (a.has(oo, -oo) or (_log2_size(a) or 0) <= math.log2(limit)):
                    raise ParseError(f"argument {_show(str(a), 30)} of '{shown}' is too large (at most {limit})")
        if name in _EXP_LIKE:
            a = args[0]
            if a.is_number and not a.has(oo, -oo):
                size = _log2_size(a)
                if size is None or size > math.log2(MAX_EXP_ARGUMENT):
                    raise ParseError(f"'{shown}({_show(str(a), 30)})' would be too large a number "
                                     f"(its argument may be at most {MAX_EXP_ARGUMENT} in absolute value)")
        if name == "sqrt":
            return self.power(args[0], sp.Rational(1, 2))
        if name == "cbrt":
            return self.power(args[0], sp.Rational(1, 3))
        if name == "root":
            return self.power(args[0], self.inverse(args[1]))
        if limit is not None and any(_numeric(a) for a in args):
            # binomial(1000*pi, 1000) would be multiplied out term by term: keep such calls as they are
            with evaluate(False):
                value = build(args)
        else:
            value = build(args)
        return self.sized(value, f"{shown}(...)")

    def sized(self, value: sp.Expr, shown: str) -> sp.Expr:
        """``value`` unless it is a number too large to evaluate (exp(8000)**2 is, at about 2**23083)
        or one SymPy cannot evaluate at low precision (floor(exp(2000))). ``sin(oo)`` has no value: SymPy
        makes it the interval ``AccumBounds(-1, 1)``, which is no expression of the model."""
        if value.has(sp.AccumBounds):
            raise ParseError(f"'{_show(shown, 30)}' has no value (SymPy gives only an interval of values, "
                             f"{_show(str(value), 40)})")
        if _numeric(value):
            size = _log2_size(value)
            if size is None and not value.has(oo, -oo, sp.zoo, sp.nan):
                # floor(exp(2000)): every later question about its sign would need all its digits
                raise ParseError(f"'{_show(shown, 30)}' is a number SymPy cannot evaluate at low precision "
                                 "(it would need too many digits)")
            if size is not None and size > MAX_MAGNITUDE_BITS:
                raise ParseError(f"'{_show(shown, 30)}' would be too large a number "
                                 f"(more than 2**{MAX_MAGNITUDE_BITS}, about {int(MAX_MAGNITUDE_BITS * 0.30103)} digits)")
        return value

    def power(self, base: sp.Expr, exponent: sp.Expr) -> sp.Expr:
        if exponent.is_Rational:
            if abs(exponent) > MAX_EXPONENT:
                raise ParseError(
                    f"exponent {_show(str(exponent), 30)} is too large (at most {MAX_EXPONENT} in absolute value)"
                )
            bits = _number_bits(base)
            # b**(p/q) multiplies out b's exact numbers floor(|p|/q) times (and takes one root)
            if bits * (abs(exponent.p) // exponent.q + 1) > MAX_BITS:
                raise ParseError(f"power {_show(str(base), 30)}**{exponent} would be too large a number")
            if exponent.q != 1 and bits > MAX_ROOT_BITS:
                raise ParseError(f"root of {_show(str(base), 30)} has too large a number under it")
        elif _numeric(exponent) and (base.is_number and not base.has(oo, -oo)) and not exponent.has(oo, -oo):
            # a number to an irrational power (2**(10**99*pi)): log2 of the result is exponent * log2(base)
            e_size, b_size = _log2_size(exponent), _log2_size(sp.log(base, 2)) if base != 0 else None
            if e_size is None or (b_size is not None and e_size + b_size > math.log2(MAX_MAGNITUDE_BITS)):
                raise ParseError(f"power {_show(str(base), 30)}**({_show(str(exponent), 30)}) would be too large a number")
        return self.sized(sp.Pow(base, exponent), "a power")

    def add(self, terms: list) -> sp.Expr:
        return terms[0] if len(terms) == 1 else self.sized(sp.Add(*terms), "a sum")

    def mul(self, factors: list) -> sp.Expr:
        return factors[0] if len(factors) == 1 else self.sized(sp.Mul(*factors), "a product")

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

