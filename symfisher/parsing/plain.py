"""The plain reader: Python's :mod:`ast` (which never executes anything) through the whitelist."""
from __future__ import annotations

import ast
import keyword
import re
import warnings

import sympy as sp

from .whitelist import ParseError, _Builder, _show, MAX_DEPTH, MAX_NODES

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


_NO_PIECEWISE = ("Piecewise", "piecewise")  # its (value, condition) pairs would need tuples and comparisons


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
            if node.func.id in _NO_PIECEWISE:
                raise ParseError(f"'{node.func.id}' is not available in expressions: write a piece that switches on "
                                 "past a point with Heaviside(t - c), Max(0, t - c), Min or Abs")
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

    def chain(self, node: ast.AST, family) -> list:
        """The operands of the chain ``a + b - c`` (or ``a * b / c``) at ``node``, each built, negated or
        inverted as its operator says, in source order."""
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
                v = self.b.neg(v)
            elif o is ast.Div:
                v = self.b.inverse(v)
            parts.append(v)
        return parts

    def factors(self, node: ast.AST) -> list:
        """The factors of the product at the top of the tree (one factor when it is no product)."""
        if type(node) is ast.BinOp and type(node.op) in _MULTIPLICATIVE:
            return self.chain(node, _MULTIPLICATIVE)
        return [self.tr(node)]

    def tr(self, node: ast.AST) -> sp.Expr:
        t = type(node)
        b = self.b
        if t is ast.BinOp:
            op = type(node.op)
            if op in _ADDITIVE or op in _MULTIPLICATIVE:
                family = _ADDITIVE if op in _ADDITIVE else _MULTIPLICATIVE
                parts = self.chain(node, family)
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


def _parse_plain(text: str, builder: _Builder, factors: bool = False):
    """The expression ``text`` built through ``builder``; with ``factors``, the list of the factors of its
    top-level product, each built (the product itself is left to the caller)."""
    if "#" in text:  # Python would drop the rest of the line as a comment
        raise ParseError(f"'#' is not allowed in an expression (at column {text.index('#') + 1}): "
                         "a comment would silently drop the rest of the text")
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
    reader = _AstTranslator(source.strip(), builder, keywords)
    return reader.factors(tree.body) if factors else reader.tr(tree.body)

