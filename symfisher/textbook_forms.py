"""Textbook forms of one expression, each an exact rewriting proven equal (docs/architecture.md, Output):
conventional signs, one radical, grouped numerators, combined fractions, common factors of a matrix.
The display pass that applies them is :func:`symfisher.textbook.textbook_derivation`."""
from __future__ import annotations

import sympy as sp


def _reversed(b: sp.Add) -> bool:
    """A sum that reads better negated: its constant term is negative (``p - 1``), or the i-th
    observation of a sample (an indexed ``x_i``) is its only negative term (``mu - x_i``: the data
    variable comes first in a difference)."""
    const, _ = b.as_coeff_add()
    if const.is_number and const < 0:
        return True
    neg = [t for t in b.args if t.could_extract_minus_sign()]
    return bool(len(neg) == 1 and neg[0].has(sp.Indexed)
                and not any(t.has(sp.Indexed) for t in b.args if t is not neg[0]))


def _flip_scalar(expr):
    if not isinstance(expr, sp.Mul) or not expr.could_extract_minus_sign():
        return expr, ()
    coeff, factors = expr.as_coeff_mul()
    coeff = sp.Rational(coeff) if coeff.is_Rational else coeff
    new_factors = []
    # a common numeric factor of a sum moves to the coefficient: (2p - 2) -> 2 (p - 1)
    for f in factors:
        base, e = f.as_base_exp()
        if isinstance(base, sp.Add) and e.is_integer:
            content, prim = base.primitive()
            if content != 1 and content.is_Rational:
                coeff *= content ** e
                base = prim
        new_factors.append((base, e))
    flipped = []
    if coeff < 0:
        for k, (base, e) in enumerate(new_factors):
            if isinstance(base, sp.Add) and e.is_integer and e % 2 == 1 and _reversed(base):
                flipped.append(base)
                new_factors[k] = (sp.Add(*[-t for t in base.args]), e)
                coeff = -coeff
                break
    if not flipped:
        return expr, ()
    new = sp.Mul(coeff, *[sp.Pow(b, e) for b, e in new_factors])
    from .simplify import cancels

    if not cancels(new - expr):
        return expr, ()
    return new, tuple(flipped)


def even_powers(expr):
    """``expr`` with every even power of a sum that reads backwards written with the sum
    negated, an identity that changes no sign: ``(p - 1)**2`` is ``(1 - p)**2``.

    >>> import sympy as sp
    >>> p = sp.Symbol("p")
    >>> even_powers((2*p - 1)/(p**2*(p - 1)**2))
    (2*p - 1)/(p**2*(1 - p)**2)
    """
    if not isinstance(expr, (sp.Expr, sp.MatrixBase, sp.Eq)) or not expr.has(sp.Pow):
        return expr

    def backwards(t):
        return (isinstance(t, sp.Pow) and isinstance(t.args[0], sp.Add) and t.args[1].is_integer
                and t.args[1].is_even and _reversed(t.args[0]))

    def walk(e):
        if backwards(e):
            return sp.Pow(sp.Add(*[-a for a in e.args[0].args]), e.args[1])
        if not e.args or isinstance(e, sp.MatrixBase) or e.is_Atom:
            return e
        args = tuple(walk(a) for a in e.args)
        if args == e.args:
            return e
        # rebuilt as written: evaluating 2 (1 - 2p) again would distribute the 2
        return e.func(*args, evaluate=False) if isinstance(e, (sp.Add, sp.Mul, sp.Pow)) else e.func(*args)

    if isinstance(expr, sp.MatrixBase):
        return expr.applyfunc(walk)
    return walk(expr)


def simplest_number(x):
    """An exact number in its shortest form: with square roots, among the denominator rationalized
    (``radsimp``) and the square root of its rationalized square, each proven equal to ``x``
    (``sqrt(2)/(2 sqrt(2 - sqrt(2)))`` is ``sqrt(2 + sqrt(2))/2``); with constants such as Euler's
    gamma and pi, expanded when that is shorter (``(1 - gamma)**2 + pi**2/6 - 1`` is
    ``gamma**2 - 2 gamma + pi**2/6``, the moment a Mellin transform gives). Anything else is returned as it is.

    >>> import sympy as sp
    >>> simplest_number(sp.sqrt(2)/(2*sp.sqrt(2 - sp.sqrt(2))))
    sqrt(sqrt(2) + 2)/2
    >>> simplest_number((sp.sqrt(2) - 2)/(2*sp.sqrt(2 - sp.sqrt(2))))
    -sqrt(2 - sqrt(2))/2
    >>> simplest_number((1 - sp.EulerGamma)**2 + sp.pi**2/6 - 1)
    -2*EulerGamma + EulerGamma**2 + pi**2/6
    """
    if isinstance(x, sp.Eq):
        return sp.Eq(x.lhs, simplest_number(x.rhs), evaluate=False)
    if isinstance(x, sp.MatrixBase):
        return x.applyfunc(simplest_number)
    if not (isinstance(x, sp.Expr) and x.is_number and not x.is_Rational and x.is_real):
        return x
    best, size = x, sp.count_ops(x)
    if isinstance(x, sp.Add) and not x.has(sp.Pow) or x.has(sp.EulerGamma, sp.Catalan):
        new = sp.expand(x)  # exact
        return new if sp.count_ops(new) <= size else x
    if not any(isinstance(q, sp.Pow) and q.exp.is_Rational and not q.exp.is_integer for q in sp.preorder_traversal(x)):
        return x
    cands = [sp.radsimp(x)]
    sign = sp.sign(x)
    if sign in (1, -1):
        cands.append(sign * sp.sqrt(sp.radsimp(sp.expand(x ** 2))))
    for c in cands:
        n = sp.count_ops(c)
        if n < size and (c - x).equals(0):
            best, size = c, n
    return one_denominator(best)


def one_denominator(x):
    r"""A sum of fractions over one denominator, as a textbook writes an eigenvalue:
    ``6/7 + 2 sqrt(2)/7`` is ``(6 + 2 sqrt(2))/7`` (kept unevaluated, proven equal by expansion).
    A sum with a term that is no fraction (``1 + sqrt(2)/2``) is returned as it is.

    >>> import sympy as sp
    >>> from symfisher.render.latex import latex_of
    >>> latex_of(one_denominator(sp.Rational(6, 7) + 2*sp.sqrt(2)/7))
    '\\frac{6 + 2 \\sqrt{2}}{7}'
    >>> one_denominator(1 + sp.sqrt(2)/2) == 1 + sp.sqrt(2)/2
    True
    """
    if not isinstance(x, sp.Add):
        return x
    coeffs = [t.as_coeff_Mul()[0] for t in x.args]
    if not all(c.is_Rational and c.q > 1 for c in coeffs):
        return x
    q = sp.ilcm(*[c.q for c in coeffs])
    top = sp.Add(*[sp.expand(q * t) for t in x.args])
    new = sp.Mul(top, sp.Pow(q, -1, evaluate=False), evaluate=False)
    return new if sp.expand(top / q - x) == 0 else x


def _small(expr, limit: int = 300) -> bool:
    """Whether ``expr`` has at most ``limit`` nodes, counted without walking further: the rewritings
    of a lecturer's line are for lines a reader reads, and the d = 8 covariance's Hessian entries
    are not to be simplified for display."""
    for k, _ in enumerate(sp.preorder_traversal(expr)):
        if k >= limit:
            return False
    return True


def _scalar(expr) -> bool:
    """A commutative scalar expression (no matrix symbols, whose products SymPy must not reorder)."""
    return (isinstance(expr, sp.Expr) and not isinstance(expr, sp.MatrixExpr) and expr.is_commutative is True
            and not expr.has(sp.MatrixSymbol))


def _greek(sym) -> bool:
    from .render.notation import ABBREVIATIONS, GREEK, _split

    parts = _split(sym.name)
    return parts is not None and ABBREVIATIONS.get(parts[0], parts[0]) in GREEK


def _difference(c):
    """``c`` (a coefficient of a grouped numerator) as ``sign * (a - b)`` with the Latin letter
    first when it is the difference of a Latin and a Greek symbol (``x_2 - mu_2``: the data, then
    the parameter, as a textbook writes ``x - mu``), else ``c`` unchanged."""
    if not (isinstance(c, sp.Add) and len(c.args) == 2):
        return c
    a, b = c.args
    if not (a.is_Symbol or (-a).is_Symbol) or not (b.is_Symbol or (-b).is_Symbol):
        return c
    pos, neg = (a, -b) if b.could_extract_minus_sign() else (b, -a)
    if not (pos.is_Symbol and neg.is_Symbol) or a.could_extract_minus_sign() == b.could_extract_minus_sign():
        return c
    if _greek(pos) and not _greek(neg):  # mu_2 - x_2 -> -(x_2 - mu_2)
        return sp.Mul(-1, sp.Add(neg, -pos), evaluate=False)
    return c


def grouped_numerator(expr):
    r"""A fraction whose numerator SymPy expanded, with the numerator's terms grouped by the
    denominator's symbols and each group a difference written data first: the score of a
    bivariate normal mean, ``-(mu_1 s_22 - mu_2 s_12 + s_12 x_2 - s_22 x_1)/det``, is
    ``(s_22 (x_1 - mu_1) - s_12 (x_2 - mu_2))/det``, the entries of ``Sigma^{-1} (x - mu)``.
    Entry by entry for a matrix; kept only when shorter and proven equal (its difference cancels).

    >>> import sympy as sp
    >>> x1, x2, m1, m2, a, b, c = sp.symbols("x_1 x_2 mu_1 mu_2 sigma_11 sigma_12 sigma_22", real=True)
    >>> from symfisher.render.latex import latex_of
    >>> print(latex_of(grouped_numerator(-(m1*c - m2*b + b*x2 - c*x1)/(a*c - b**2))).replace("\\", "/"))
    /frac{/sigma_{22} /left(x_{1} - /mu_{1}/right) - /sigma_{12} /left(x_{2} - /mu_{2}/right)}{/sigma_{11} /sigma_{22} - /sigma_{12}^{2}}
    >>> p, x = sp.symbols("p x", positive=True)
    >>> grouped_numerator((x - p)/(p*(1 - p)))
    (-p + x)/(p*(1 - p))
    """
    if isinstance(expr, sp.MatrixBase):
        if len(expr) > 16:
            return expr
        new = expr.applyfunc(grouped_numerator)
        return new if new != expr else expr
    if not isinstance(expr, sp.Mul) or not _small(expr) or not _scalar(expr) or expr.has(sp.Sum, sp.Integral, sp.Function):
        return expr
    num, den = sp.fraction(expr)
    syms = sorted(den.free_symbols, key=lambda t: t.name)
    if den == 1 or not syms or not (num.free_symbols - den.free_symbols) or sp.count_ops(num) > 60:
        return expr
    full = sp.expand(num)
    if not isinstance(full, sp.Add):
        return expr
    groups = sp.collect(full, syms, evaluate=False)
    if len(groups) >= len(full.args) or any(k == 1 or v.free_symbols & den.free_symbols for k, v in groups.items()):
        return expr
    terms = []
    for k in sorted(groups, key=sp.default_sort_key):
        c = _difference(groups[k])
        terms.append(sp.Mul(-1, k, c.args[1], evaluate=False) if isinstance(c, sp.Mul) and c.args[0] == -1
                     else sp.Mul(k, c))
    new = sp.Mul(sp.Add(*terms, evaluate=False), sp.Pow(den, -1), evaluate=False)
    from .simplify import cancels

    if sp.count_ops(new) >= sp.count_ops(expr) or not cancels(new - expr):
        return expr
    return new


def positive_factors(expr, params, doms):
    """``expr`` with every sum factor proven negative on the domains written as minus its positive
    opposite, an exact rewrite: ``1/(p - 1)`` is ``-1/(1 - p)`` on ``0 < p < 1``. Factors whose sign
    is not proven stay as they are (``b/(a - 1)`` is left alone when ``a`` may exceed 1)."""
    if not isinstance(expr, sp.Expr) or doms is None:
        return expr
    from .derive.jeffreys import _sign

    sign, out = sp.S.One, []
    for f in sp.Mul.make_args(expr):
        b, e = f.as_base_exp()
        if isinstance(b, sp.Add) and e.is_integer and b.has(*params) and _sign(b, params, doms) < 0:
            sign *= sp.S.NegativeOne ** e
            out.append(sp.Pow(-b, e))
        else:
            out.append(f)
    return sign * sp.Mul(*out)


def conventional_sign(expr):
    """``(form, flipped)``: ``expr`` with a leading minus absorbed into a reversed factor
    (entry by entry for a matrix, term by term for a sum), and the factors that were negated (empty: unchanged)."""
    if isinstance(expr, sp.MatrixBase):
        flipped: list = []
        entries = []
        for e in expr:
            new, f = _flip_scalar(e)
            entries.append(new)
            flipped += [x for x in f if x not in flipped]
        if not flipped:
            return expr, ()
        return sp.Matrix(expr.rows, expr.cols, entries), tuple(flipped)
    if isinstance(expr, sp.Add):  # term by term: -d^2/(p(2p - 2)) + ... -> d^2/(2p(1 - p)) + ...
        flipped, terms = [], []
        for t in expr.args:
            new, f = _flip_scalar(t)
            terms.append(new)
            flipped += [x for x in f if x not in flipped]
        return (sp.Add(*terms), tuple(flipped)) if flipped else (expr, ())
    if isinstance(expr, sp.Expr):
        return _flip_scalar(expr)
    return expr, ()


def one_radical(expr):
    """``expr`` with its square-root factors gathered under one radical of a conventional-sign
    fraction (:class:`~symfisher.derive.notation.Root`), or ``None`` when that changes nothing.
    Not proven here: the rewriting needs the domains (``sqrt(a) sqrt(b) = sqrt(ab)`` for
    ``a, b >= 0``), so the caller proves ``new.doit() == expr`` before it shows ``new``.

    >>> import sympy as sp
    >>> p = sp.Symbol("p", positive=True)
    >>> one_radical(sp.sqrt(1/(1 - p))/sp.sqrt(p)), one_radical(1/(sp.sqrt(p)*sp.sqrt(1 - p)))
    (1/sqrt(p*(1 - p)), 1/sqrt(p*(1 - p)))
    >>> one_radical(1/sp.sqrt(p)) is None
    True
    """
    from .derive.notation import Root

    if not isinstance(expr, (sp.Mul, sp.Pow)):
        return None
    inside, rest, count = sp.S.One, sp.S.One, 0
    for f in sp.Mul.make_args(expr):
        b, e = f.as_base_exp()
        if e.is_Rational and e.q == 2 and b.free_symbols:
            inside *= b ** (2 * e)
            count += 1 + sum(1 for g in sp.Mul.make_args(b) if g.as_base_exp()[1].is_negative)
        else:
            rest *= f
    if count < 2:
        return None
    form, _ = conventional_sign(sp.factor(sp.cancel(inside)))
    num, den = sp.fraction(form)
    new = rest * (Root(num) if num != 1 else 1) / (Root(den) if den != 1 else 1)
    return new if new != expr else None


def exp_log_as_power(expr):
    """``exp(c log b)`` written as ``b**c`` (its definition, so exact): the moments read off a
    Mellin transform come out as ``lam**(2k) exp(-k log lam)``, a textbook writes ``lam**k``.

    >>> import sympy as sp
    >>> lam, k = sp.symbols("lam k", positive=True)
    >>> exp_log_as_power(lam**(2*k)*sp.exp(-k*sp.log(lam)))
    lam**k
    """
    def power(t):
        out = sp.S.One
        for term in sp.Add.make_args(sp.expand(t.args[0])):
            logs = [a for a in sp.Mul.make_args(term) if isinstance(a, sp.log)]
            out *= logs[0].args[0] ** (term / logs[0]) if len(logs) == 1 else sp.exp(term)
        return out

    if not isinstance(expr, sp.Basic):
        return expr
    new = expr.replace(lambda t: isinstance(t, sp.exp) and t.args[0].has(sp.log), power)
    return sp.powsimp(new) if new != expr else expr  # lam**(-k) lam**(s + k) -> lam**s (powsimp is exact)


def _why(flipped) -> str:
    from .render.latex import latex_of

    return ", ".join("$-(%s) = %s$" % (latex_of(b), latex_of(sp.Add(*[-t for t in b.args]))) for b in flipped)


def combined(expr):
    """A sum of rational terms over one denominator when that is what a textbook writes next:
    terms that share their denominator (``x/sigma^2 - mu/sigma^2`` is ``(x - mu)/sigma^2``) or whose
    numerators collapse (``1/(1 - p) + 1/p`` is ``1/(p(1 - p))``), in conventional sign, proven equal;
    ``None`` when it does not read better (a Taylor polynomial keeps its terms).

    >>> import sympy as sp
    >>> p, s = sp.symbols("p sigma", positive=True)
    >>> x, mu = sp.symbols("x mu", real=True)
    >>> combined(1/(1 - p) + 1/p), combined(x/s**2 - mu/s**2)
    (1/(p*(1 - p)), (-mu + x)/sigma**2)
    >>> combined(p**2/2 + p**3/3) is None
    True
    """
    if not isinstance(expr, sp.Add) or len(expr.args) > 8 or not _small(expr, 150) or not _scalar(expr) \
            or expr.has(sp.Function, sp.Sum, sp.Integral) or len(expr.free_symbols) > 4 \
            or sp.count_ops(expr) > 40:
        return None
    dens = {sp.fraction(sp.cancel(t))[1] for t in expr.args}
    new = sp.factor(sp.cancel(sp.together(expr)))
    num, den = sp.fraction(new)
    width = len(sp.Add.make_args(sp.expand(num)))
    if den == 1 or not (len(dens) == 1 or width < len(expr.args)
                        or width == len(expr.args) and sp.count_ops(new) < sp.count_ops(expr)):
        return None
    new = conventional_sign(new)[0]
    from .simplify import cancels

    return new if new != expr and cancels(new - expr) else None


def inner_combined(expr):
    """``expr`` with each sum among its factors (or the factors of its terms) over one denominator
    (:func:`combined`), written as it was (an unevaluated product stays a product): the line a
    lecturer puts between ``(1/(1 - p) + 1/p)^2 p (1 - p)`` and ``1/(p(1 - p))``. ``None`` when
    no factor combines.

    >>> import sympy as sp
    >>> p, x = sp.symbols("p x", positive=True)
    >>> J = 1/(1 - p) + 1/p
    >>> inner_combined(sp.Mul(sp.Pow(J, 2), p*(1 - p), evaluate=False))
    (1/(p*(1 - p)))**2*(p*(1 - p))
    >>> inner_combined(x*J - 1/(1 - p))
    -1/(1 - p) + x/(p*(1 - p))
    """
    if not isinstance(expr, (sp.Add, sp.Mul, sp.Pow)) or not _small(expr) or not _scalar(expr) \
            or expr.has(sp.Sum, sp.Integral):
        return None

    def factor(f):
        b, e = (f.args if isinstance(f, sp.Pow) else (f, None))
        if isinstance(b, sp.Add):
            c = combined(b)
            if c is not None:
                return c if e is None else sp.Pow(c, e, evaluate=False)
        return f

    def product(m):
        if not isinstance(m, sp.Mul):
            return factor(m)
        args = [factor(a) for a in m.args]
        if args == list(m.args):
            return m
        # (a product of several factors stays as written; -1 times a fraction is just its negative)
        keep = _unevaluated(m) and sum(not a.is_number for a in args) > 1
        return sp.Mul(*args, evaluate=False) if keep else sp.Mul(*args)

    if isinstance(expr, sp.Add):
        new = sp.Add(*[product(t) for t in expr.args])
    elif isinstance(expr, (sp.Mul, sp.Pow)):
        new = product(expr)
    else:
        return None
    if new == expr:
        return None
    from .simplify import cancels

    return new if cancels(new - expr) else None


def _unevaluated(expr) -> bool:
    """Whether a product was built unevaluated (its factors are not SymPy's canonical ones)."""
    try:
        return sp.Mul(*expr.args).args != expr.args
    except (TypeError, ValueError, ArithmeticError):
        return False


def common_factor(M):
    r"""A matrix whose entries share a product of factors written as that product times the matrix of
    what is left, unevaluated: the logistic Fisher information is
    ``sigma(u)(1 - sigma(u)) [[x_1^2, x_1 x_2], [x_1 x_2, x_2^2]]``, the textbook's
    :math:`\sigma(1 - \sigma)\, x x^{	op}`. ``None`` when the entries share no factor.

    >>> import sympy as sp
    >>> a, b, c = sp.symbols("a b c", positive=True)
    >>> common_factor(sp.Matrix([[a*b**2, a*b*c], [a*b*c, a*c**2]])).args[0]
    a
    """
    if not isinstance(M, sp.MatrixBase) or len(M) < 2 or len(M) > 16 or any(e == 0 for e in M):
        return None
    lists = [list(sp.Mul.make_args(e)) for e in M]
    common = []
    for f in list(lists[0]):
        if f.is_number and f != -1 or not all(f in lst for lst in lists[1:]):
            continue
        common.append(f)
        for lst in lists:
            lst.remove(f)
    if not common or common == [sp.S.NegativeOne]:
        return None
    rest = sp.ImmutableMatrix(M.rows, M.cols, [sp.Mul(*lst) for lst in lists])
    if all(e.is_number for e in rest):
        return None
    front = common[0] if len(common) == 1 else sp.Mul(*common, evaluate=False)
    from .simplify import cancels

    if not all(cancels(front * r - e) for r, e in zip(rest, M)):
        return None
    return sp.MatMul(front, rest, evaluate=False)


def common_denominator(M):
    """A matrix whose entries share one denominator written as that scalar times the matrix of the
    numerators, unevaluated: ``Sigma^{-1}`` of a 2 x 2 covariance is
    ``1/(s_11 s_22 - s_12^2) [[s_22, -s_12], [-s_12, s_11]]``, as a textbook writes the inverse.
    ``None`` when the entries do not share a (symbolic) denominator.

    >>> import sympy as sp
    >>> a, b, c = sp.symbols("a b c", positive=True)
    >>> common_denominator(sp.Matrix([[c, -b], [-b, a]]) / (a*c - b**2)).args[0]
    1/(a*c - b**2)
    >>> common_denominator(sp.Matrix([[1/a, 0], [0, 1/c]])) is None
    True
    """
    if not isinstance(M, sp.MatrixBase) or len(M) < 2 or len(M) > 16 or not all(_small(e) and _scalar(e) for e in M):
        return None
    parts = [sp.fraction(e) if e != 0 else (sp.S.Zero, None) for e in M]
    dens = {d for _, d in parts if d is not None}
    if len(dens) != 1 or sum(1 for _, d in parts if d is not None) < 2:
        return None
    den = dens.pop()
    if den == 1 or den.is_number:
        return None
    N = sp.ImmutableMatrix(M.rows, M.cols, [n for n, _ in parts])
    if any(sp.cancel(n / den - e) != 0 for n, e in zip(N, M)):
        return None
    return sp.MatMul(sp.Pow(den, -1), N, evaluate=False)
