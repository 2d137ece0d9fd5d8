r"""The LaTeX reader: a tokenizer and a recursive-descent reader of the usual math subset.

It builds through the same whitelist as the plain reader; see the package docstring for why
SymPy's own ``parse_latex`` is not used.
"""
from __future__ import annotations

import re

import sympy as sp
from sympy import oo

from .whitelist import (_CONSTANTS, _FUNCTIONS, MAX_DEPTH, RESERVED_NAMES, ParseError, _Builder, _show)

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

