r"""Textbook forms: exact rewritings that change how a result reads, never its value.

SymPy's canonical order writes the Bernoulli information as ``-1/(p*(p - 1))``; a
textbook writes ``1/(p*(1 - p))``. :func:`conventional_sign` absorbs a leading minus
sign into a factor of odd power (``-(p - 1) = 1 - p``) and pulls a common numeric factor
out of a sum (``2p - 2 = 2(p - 1)``), and returns the flipped factors so that a sheet can
show the rewriting as its own line with its reason. Each rewriting is proven: the new form
minus the old one cancels (:func:`symfisher.simplify.cancels`), else the old form is kept.
:func:`one_radical` writes ``sqrt(1/(1 - p))/sqrt(p)`` as the one radical
``1/sqrt(p(1 - p))`` (the caller proves it on its domains). :func:`textbook_derivation` is the
display pass every renderer makes: the engine's ASCII formulas typeset as math, each result
whose sign reads backwards followed by its own line in conventional form.

>>> import sympy as sp
>>> p, d = sp.symbols("p delta", positive=True)
>>> conventional_sign(-1/(p*(p - 1)))
(1/(p*(1 - p)), (p - 1,))
>>> conventional_sign(-d**2/(p*(2*p - 2)))[0]
delta**2/(2*p*(1 - p))
>>> conventional_sign(1/(p*(1 - p)))
(1/(p*(1 - p)), ())
"""
from __future__ import annotations

import sympy as sp

__all__ = ["conventional_sign", "even_powers", "one_radical", "exp_log_as_power", "page_letters",
           "textbook_derivation"]


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


def random_variables(model) -> tuple:
    """The random variables of ``model`` as symbols: its data variables and those of the base laws
    it is represented by (``X = mu + sigma Z``, ``Z = -log W``), the variables an expectation on
    a sheet is taken over."""
    out = []
    while model is not None:
        out += [s for s in model.data if isinstance(s, sp.Symbol) and s not in out]
        rep = getattr(model, "representation", None)
        model = rep.base if rep is not None else None
    return tuple(out)


_EXPECTATIONS = ("E", "Var", "Cov")


def _random_upper(obj, mapping: dict):
    """``obj`` with each random variable inside an expectation, variance or covariance written as
    the upper-case random variable: ``E[w log w]`` is ``E[W log W]``, ``Var(T(x))`` is
    ``Var(T(X))``; outside them the lower-case symbol is the value (``T(x) = x``)."""
    from sympy.core.function import AppliedUndef

    if not mapping or not isinstance(obj, sp.Basic):
        return obj

    def is_expectation(e):
        if not isinstance(e, AppliedUndef):
            return False
        name = type(e).__name__
        return name in _EXPECTATIONS or name.startswith("E_")

    if isinstance(obj, sp.MatrixBase):
        return obj.applyfunc(lambda e: _random_upper(e, mapping))
    if not any(is_expectation(f) for f in obj.atoms(AppliedUndef)):
        return obj
    return obj.replace(is_expectation, lambda e: e.func(*[a.xreplace(mapping) for a in e.args]))


def _upper_mapping(d, random) -> dict:
    """Each random variable of ``random`` whose name starts with a lower-case letter, to the same
    name capitalized (``x_1`` -> ``X_1``), unless a symbol of that name is already in ``d``."""
    if not random:
        return {}
    used = set()
    for st in d.steps:
        for f in (st.lhs,) + tuple(st.forms):
            if isinstance(f, sp.Basic):
                used |= {s.name for s in f.free_symbols}
    mapping = {}
    for s in random:
        if s.name[:1].isascii() and s.name[:1].islower():
            up = s.name[0].upper() + s.name[1:]
            if up not in used:
                mapping[s] = sp.Symbol(up, **s.assumptions0)
    return mapping


def _nested_fraction(tex: str) -> bool:
    r"""Whether a ``\frac`` stands inside the numerator or the denominator of another ``\frac``
    (a derivative's ``\frac{\partial}{\partial p}`` is not a fraction of values and does not count)."""
    i = 0
    while True:
        i = tex.find(r"\frac{", i)
        if i < 0:
            return False
        j, depth, groups = i + len(r"\frac"), 0, 0
        start = j
        while j < len(tex) and groups < 2:
            c = tex[j]
            depth += (c == "{") - (c == "}")
            if depth == 0:
                groups += 1
            j += 1
        inside = tex[start:j]
        if r"\frac{" in inside and r"\partial" not in inside:
            return True
        i += 1


def _plain_rational(expr) -> bool:
    """A small commutative scalar without derivatives, integrals, sums or named quantities: an
    expression whose fractions may be put over one denominator without changing what it names."""
    from sympy.core.function import AppliedUndef

    return (_scalar(expr) and _small(expr, 150)
            and not expr.has(sp.Derivative, sp.Integral, sp.Sum, sp.Limit, sp.Function)
            and not expr.atoms(AppliedUndef))


def flat_fraction(expr):
    r"""``expr`` over one denominator when a fraction stands inside a fraction: the score
    ``(x^2/s^2 - 2)/s`` is ``(x^2 - 2 s^2)/s^3``, the variance ``1/((1/p)(1/(1 - p)))`` is
    ``p(1 - p)``; a difference with one negative term written without its minus sign in front
    (``-(3x^2 - 2s^2)/s^4`` is ``(2s^2 - 3x^2)/s^4``). Proven equal, else ``None``; ``None`` too
    when no fraction is nested.

    >>> import sympy as sp
    >>> x, s = sp.symbols("x s", positive=True)
    >>> from symfisher.render.latex import latex_of
    >>> latex_of(flat_fraction((x**2/s**2 - 2)/s))
    '\\frac{x^{2} - 2 s^{2}}{s^{3}}'
    >>> latex_of(flat_fraction((2 - 3*x**2/s**2)/s**2))
    '\\frac{2 s^{2} - 3 x^{2}}{s^{4}}'
    >>> flat_fraction(x/s) is None
    True
    """
    from .render.latex import latex_of

    if not isinstance(expr, sp.Expr) or not _plain_rational(expr) or not _nested_fraction(latex_of(expr)):
        return None
    new = sp.factor(sp.cancel(sp.together(expr)))
    new = conventional_sign(new)[0]
    if new.could_extract_minus_sign():
        num, den = sp.fraction(-new)
        terms = sp.Add.make_args(num)
        if len(terms) == 2 and sum(1 for t in terms if t.could_extract_minus_sign()) == 1:
            # -(3x^2 - 2s^2)/s^4 reads (2s^2 - 3x^2)/s^4: the positive term first, no minus sign in front
            neg = [t for t in terms if t.could_extract_minus_sign()][0]
            other = [t for t in terms if t is not neg][0]
            top = sp.Add(-neg, -other, evaluate=False)
            new = top if den == 1 else sp.Mul(top, sp.Pow(den, -1), evaluate=False)
    from .render.latex import latex_of as _tex
    from .simplify import cancels

    # (doit: an unevaluated 1/(1/sigma^2) is evaluated before the difference is taken)
    if _nested_fraction(_tex(new)) or not cancels(new - expr.doit()):
        return None
    return new


def log_powers(expr):
    r"""``expr`` with each ``log(b^e)`` of a symbolic exponent written ``e log(b)`` (exact for
    ``b > 0`` and real ``e``, both decided by the assumptions), and a fraction whose numerator then
    carries a log term spread over its terms: the Rayleigh divergence
    ``(s_1^2 - s_2^2 + log((s_2/s_1)^(2 s_2^2)))/s_2^2`` reads ``s_1^2/s_2^2 - 1 + 2 log(s_2/s_1)``.
    ``None`` when there is no such log or the rewriting is not proven.

    >>> import sympy as sp
    >>> a, b = sp.symbols("a b", positive=True)
    >>> log_powers((a**2 - b**2 + sp.log((b/a)**(2*b**2)))/b**2)
    a**2/b**2 + 2*log(b/a) - 1
    """
    if not isinstance(expr, sp.Expr) or not _scalar(expr) or not _small(expr, 150):
        return None

    def hit(e):
        return (isinstance(e, sp.log) and isinstance(e.args[0], sp.Pow) and not e.args[0].exp.is_number
                and e.args[0].base.is_positive and e.args[0].exp.is_real)

    if not expr.has(sp.log) or not any(hit(e) for e in sp.preorder_traversal(expr)):
        return None
    new = expr.replace(hit, lambda e: e.args[0].exp * sp.log(e.args[0].base))
    num, den = sp.fraction(sp.together(new))
    if den != 1 and num.has(sp.log):
        new = sp.Add(*[t / den for t in sp.Add.make_args(sp.expand_mul(num))])
    from .simplify import cancels

    return new if new != expr and cancels(new - expr) else None


def _one_exp(expr):
    """``u`` when every exponential in ``expr`` is ``exp(k u)`` for integers ``k`` and one ``u`` with
    symbols, else ``None``."""
    u = None
    for e in expr.atoms(sp.exp):
        c, rest = e.args[0].as_coeff_Mul()
        if not c.is_Integer or rest.has(sp.exp) or not rest.free_symbols or (u is not None and rest != u):
            return None
        u = rest
    return u


def exp_rational(expr, logistic: bool = True):
    r"""``expr``, rational in one exponential ``e^u``, in its shortest exact form: cancelled in
    ``y = e^u`` (the Jacobian of the logit's natural parameter, written by the engine as a sum of five
    terms, is ``1``), and with ``logistic`` in the logistic function ``\sigma(u) = e^u/(1 + e^u)``
    when that is a polynomial in ``\sigma``: ``e^u/(1 + e^u)^2`` is ``\sigma(u)(1 - \sigma(u))`` and the
    logistic-regression score ``x(y - (1 - y) e^u)/(1 + e^u)`` is ``(y - \sigma(u)) x``. Proven equal
    (the logistic form through its definition); ``None`` when nothing shorter comes out.

    >>> import sympy as sp
    >>> u, x, y = sp.symbols("u x y", real=True)
    >>> from symfisher.render.latex import latex_of
    >>> latex_of(exp_rational(sp.exp(u)/(1 + sp.exp(u))**2))
    '\\sigma\\left(u\\right) \\left(1 - \\sigma\\left(u\\right)\\right)'
    >>> latex_of(exp_rational(x*(y - (1 - y)*sp.exp(u))/(1 + sp.exp(u))))
    '\\left(y - \\sigma\\left(u\\right)\\right) x'
    """
    from sympy.core.function import AppliedUndef

    from .derive.notation import Logistic

    if not (isinstance(expr, sp.Expr) and _scalar(expr) and _small(expr, 250) and expr.has(sp.exp)) \
            or expr.has(sp.Derivative, sp.Integral, sp.Sum, sp.Limit, Logistic) or expr.atoms(AppliedUndef):
        return None
    u = _one_exp(expr)
    if u is None:
        return None
    y = sp.Dummy("y", positive=True)
    in_y = expr.xreplace({e: y ** e.args[0].as_coeff_Mul()[0] for e in expr.atoms(sp.exp)})
    if in_y.has(sp.exp) or not in_y.is_rational_function(y):
        return None
    r = sp.factor(sp.cancel(in_y))
    best, size = None, sp.count_ops(expr)
    plain = conventional_sign(r.xreplace({y: sp.exp(u)}))[0]
    if sp.count_ops(plain) < size:
        best, size = plain, sp.count_ops(plain)
    if logistic:
        t = sp.Dummy("t", positive=True)
        rt = sp.factor(sp.cancel(r.xreplace({y: t / (1 - t)})))
        num, den = sp.fraction(rt)
        if not den.has(t) and rt.has(t):
            rt = conventional_sign(rt)[0]
            with_t = [f for f in sp.Mul.make_args(rt) if f.has(t)]
            rest = [f for f in sp.Mul.make_args(rt) if not f.has(t)]
            sign = 1
            for i, f in enumerate(with_t):  # t - 1 reads -(1 - t): one minus the probability
                if f == t - 1:
                    with_t[i], sign = 1 - t, -sign
            coeff = sign * sp.Mul(*[r for r in rest if r.is_number])
            rest = [r for r in rest if not r.is_number]
            with_t.sort(key=lambda f: (f != t, sp.count_ops(f)))  # sigma first, then 1 - sigma
            if coeff != 1:
                with_t = [coeff] + with_t
            sub = {t: Logistic(u)}
            shown = (sp.Mul(*[f.xreplace(sub) for f in with_t + rest], evaluate=False)
                     if len(rest) + len(with_t) > 1 else rt.xreplace(sub))
            if sp.count_ops(shown) <= size:
                best = shown
    if best is None or best == expr:
        return None
    from .simplify import cancels

    back = best.replace(lambda e: isinstance(e, Logistic), lambda e: e.doit())
    return best if cancels(back - expr) else None


def _distributed(expr):
    """``-(a + b + ...)`` (a minus sign written in front of a sum) with the sign distributed over
    its terms, each term multiplied out: the line between ``-(p (u - v) - w)`` and its value."""
    if not (isinstance(expr, sp.Mul) and len(expr.args) == 2 and expr.args[0] == -1
            and isinstance(expr.args[1], sp.Add) and _scalar(expr) and _small(expr, 150)):
        return None
    new = sp.Add(*[sp.expand_mul(-t) for t in expr.args[1].args])
    from .simplify import cancels

    return new if new != expr and cancels(new - expr) else None


def _by_denominator(expr):
    """A sum with the terms that share a denominator put over it, each group cancelled
    (``1/(1 - p)^2 - p/(1 - p)^2 + 1/p`` is ``1/(1 - p) + 1/p``), the rest as written; ``None``
    when no two terms share one."""
    if not (isinstance(expr, sp.Add) and _plain_rational(expr)):
        return None
    groups: dict = {}
    for t in expr.args:
        groups.setdefault(sp.fraction(t)[1], []).append(t)
    if all(len(g) < 2 for g in groups.values()) or len(groups) < 2:
        return None
    terms = []
    for den, g in groups.items():
        if len(g) < 2:
            terms += g
            continue
        terms.append(conventional_sign(sp.factor(sp.cancel(sp.Add(*g))))[0])
    new = sp.Add(*terms)
    from .simplify import cancels

    return new if new != expr and cancels(new - expr) else None


def _double_minus(expr) -> bool:
    """``-(-a)``: a minus sign written in front of a negative quantity."""
    return (isinstance(expr, sp.Mul) and len(expr.args) == 2 and expr.args[0] == -1
            and not isinstance(expr.args[1], sp.Add) and expr.args[1].could_extract_minus_sign())


def _established(st, forms) -> dict:
    """What a step defines: a named quantity's first written form and the simpler one the chain
    arrived at (``J = 1/(1 - p) + 1/p = 1/(p(1 - p))``), so that later lines use the simpler one."""
    from sympy.core.function import AppliedUndef

    if not (isinstance(st.lhs, (sp.Symbol, AppliedUndef)) and len(forms) >= 2):
        return {}
    first, last = forms[0], forms[-1]
    if isinstance(first, sp.Add) and _scalar(first) and isinstance(last, sp.Expr) \
            and last != first and sp.count_ops(last) <= sp.count_ops(first):
        return {first: last}
    return {}


def _put_in(expr, known: dict):
    """``expr`` with each quantity of ``known`` replaced by its simpler form, the rest as written
    (an unevaluated product stays a product: ``(1/(p(1 - p)))^2 Var(T)``, not its evaluation)."""
    if not isinstance(expr, sp.Basic) or isinstance(expr, sp.MatrixBase) or not expr.has(*known) or expr in known:
        return expr  # (a line that is the quantity's first form itself is an intermediate line: kept)

    def walk(e):
        if e in known:
            return known[e]
        if not e.args or e.is_Atom:
            return e
        args = tuple(walk(a) for a in e.args)
        if args == e.args:
            return e
        if isinstance(e, (sp.Add, sp.Mul, sp.Pow)):
            return e.func(*args, evaluate=False)
        return e.func(*args)

    return walk(expr)


def _exact_values(st, exact: dict) -> None:
    """Record the exact numbers a step shows for named quantities (``kappa_1 = 6/7 + 2 sqrt(2)/7``)."""
    pairs = [(f.lhs, f.rhs) for f in st.forms if isinstance(f, sp.Equality)]
    if st.lhs is not None and st.forms:
        pairs.append((st.lhs, st.forms[-1]))
    for lhs, val in pairs:
        if isinstance(lhs, sp.Basic) and isinstance(val, sp.Expr) and val.is_number and not val.has(sp.Float):
            exact.setdefault(lhs, val)


def _approximate(form, exact: dict):
    """``lhs = 1.2612`` written ``lhs ≈ 1.2612`` when a step showed the exact value of ``lhs`` and the
    decimal only rounds it (:class:`~symfisher.derive.notation.Approx`); an exact decimal stays an equation."""
    if not (isinstance(form, sp.Equality) and isinstance(form.rhs, sp.Float) and form.lhs in exact):
        return form
    value = exact[form.lhs]
    try:
        if value.is_Rational and float(value) == float(form.rhs) and sp.Rational(str(float(form.rhs))) == value:
            return form
    except (TypeError, ValueError):
        return form
    from .derive.notation import Approx

    return Approx(form.lhs, form.rhs)


def _logistic():
    from .derive.notation import Logistic

    return Logistic


def _names_sigma(d) -> bool:
    """Whether a symbol of ``d`` is printed as sigma (a standard deviation, a covariance entry)."""
    for st in d.steps:
        for f in (st.lhs,) + tuple(st.forms):
            if isinstance(f, sp.Basic) and any(s.name.startswith("sigma") for s in f.free_symbols):
                return True
    return False


def _exp_rational_form(form, logistic: bool):
    """:func:`exp_rational` of a scalar, or entry by entry of a small matrix (``None`` unless every
    entry with an exponential has a shorter form)."""
    if isinstance(form, sp.MatrixBase):
        if len(form) > 16 or not any(e.has(sp.exp) for e in form):
            return None
        entries = []
        for e in form:
            g = exp_rational(e, logistic) if e.has(sp.exp) else e
            if g is None:
                return None
            entries.append(g)
        return sp.ImmutableMatrix(form.rows, form.cols, entries)
    return exp_rational(form, logistic)


def _cleared(form):
    """An equation ``p/c = 0`` with a positive number ``c`` written ``p = 0``: the characteristic
    equation ``(7 k^2 - 12 k + 4)/7 = 0`` reads ``7 k^2 - 12 k + 4 = 0`` (the same roots)."""
    if not (isinstance(form, sp.Equality) and form.rhs == 0 and isinstance(form.lhs, sp.Expr)):
        return form
    c, rest = form.lhs.as_coeff_Mul()
    if c.is_Rational and c.is_positive and c != 1 and not rest.is_number:
        return sp.Eq(rest, 0, evaluate=False)  # both sides divided by the positive number c
    num, den = sp.fraction(sp.together(form.lhs))
    if den != 1 and den.is_number and den.is_positive and not num.is_number:
        return sp.Eq(num, 0, evaluate=False)
    return form


def _sentence(text: str) -> str:
    """A step's statement as a sentence of its own: a numbered step does not open with "and"."""
    if text.startswith("and ") and len(text) > 4:
        return text[4].upper() + text[5:]
    return text


def _same_value(a, b) -> bool:
    """Whether the displayed form ``a`` is the value ``b`` (structurally, or its difference cancels)."""
    from .simplify import cancels

    if a == b:
        return True
    if isinstance(a, sp.Float) or isinstance(b, sp.Float):  # a decimal is the value only as written
        return False
    if isinstance(a, sp.MatMul) and len(a.args) == 2 and isinstance(a.args[1], sp.MatrixBase) \
            and not isinstance(a.args[0], (sp.MatrixBase, sp.MatrixExpr)):
        a = a.args[1] * a.args[0]  # a scalar in front of a matrix (common_denominator's form)
    elif isinstance(a, sp.MatrixExpr) and not isinstance(a, sp.MatrixBase):
        a = a.doit()
    if isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase):
        return a.shape == b.shape and len(a) <= 16 and all(
            x == y or (_small(x) and _small(y) and cancels(x - y)) for x, y in zip(a, b))
    if isinstance(a, sp.Expr) and isinstance(b, sp.Expr) and not isinstance(a, sp.MatrixExpr) \
            and not isinstance(b, sp.MatrixExpr) and _small(a) and _small(b):
        if a.has(_root()) or b.has(_root()):
            return a.doit() == b.doit()
        return cancels(a - b)
    return False


def result_relation(d) -> str:
    """The relation of the step that names the result (:func:`result_form`): ``"propto"`` for a prior
    known up to its constant, else ``"="``."""
    form = result_form(d)
    if isinstance(form, sp.Equality):
        for st in reversed(d.steps):
            if st.lhs == form.lhs and st.forms and st.forms[-1] is form.rhs:
                return st.relation
    return "="


def result_form(d):
    r"""The result of a (display-pass) derivation as a reader wants it: the equation that names
    it, ``\mathcal{I}(p) = 1/(p(1 - p))``, in the form the last step showed (the determinant in
    front of ``\Sigma^{-1}``), when a step arrives at it; else the bare result."""
    result = d.result
    if not isinstance(result, (sp.Expr, sp.MatrixBase)):
        return result
    if isinstance(result, sp.MatrixBase) and result.shape == (1, 1):  # a 1 x 1 result is its entry
        result = result[0, 0]
    for st in reversed(d.steps):
        pairs = []
        if st.lhs is not None and st.forms and isinstance(st.forms[-1], (sp.Expr, sp.MatrixBase, sp.MatrixExpr)):
            pairs.append((st.lhs, st.forms[-1]))
        pairs += [(f.lhs, f.rhs) for f in st.forms if isinstance(f, sp.Equality)]
        for lhs, val in reversed(pairs):
            if isinstance(lhs, sp.Symbol) and lhs.name.startswith("_"):
                continue
            if _same_value(val, result):
                try:
                    return sp.Eq(lhs, val, evaluate=False)
                except (TypeError, ValueError):
                    return d.result
    return d.result


# the letters a page gives its own objects, each with the conventional letters it falls back to when the
# model already prints it: the score s as U (Cox & Hinkley), the information I as J, the natural parameter
# and the linear index eta as zeta, a displacement delta as h, the KL divergence K as D
_PAGE_LETTERS = {"s": ("U", "V"), "I": ("J", "i"), "eta": ("zeta", "vartheta"), "delta": ("h", "epsilon"),
                 "K": ("D", "L")}


def _shown(d):
    """The SymPy objects a derivation's steps and result show (a matrix as its entries)."""
    out = []
    for f in (d.result,) + tuple(x for st in d.steps for x in (st.lhs,) + tuple(st.forms)):
        if isinstance(f, sp.MatrixBase):
            out += list(f)
        elif isinstance(f, sp.Basic):
            out.append(f)
    return out


def _bare(x) -> bool:
    """A symbol without assumptions: the page's own name for one of its objects (``E[s]``, the
    expected score), never a model's parameter or variable, which carry their domains."""
    return x.assumptions0 == {"commutative": True}


def _defined(objs) -> set:
    """The symbols a page introduces itself: a linear index, the left-hand side of an equation it shows
    with a sum linear in other symbols on the right (``eta = w_1 x_1 + w_2 x_2``). A coordinate the
    model is given in (``eta = log(p/(1 - p))``) is the model's own."""
    out = set()
    for o in objs:
        for eq in o.atoms(sp.Eq):
            r = eq.rhs
            # linear in the parameters with the data as coefficients: of degree two at most in all symbols
            if isinstance(eq.lhs, sp.Symbol) and isinstance(r, sp.Add) and not r.atoms(sp.Function) \
                    and r.is_polynomial() and sp.Poly(r, *sorted(r.free_symbols, key=str)).total_degree() <= 2:
                out.add(eq.lhs)
    return out


def page_letters(derivations) -> dict:
    """The renaming one page makes of its own letters (:data:`_PAGE_LETTERS`), decided over all its
    ``derivations`` so that a letter reads the same in each: ``{letter: (new letter, kind)}``, ``kind``
    ``"symbol"`` where the page's own symbol is renamed (a linear index ``eta`` the page defines, beside the
    natural parameter ``eta(theta)``: ``zeta``), ``"function"`` where its function is (the score ``s(s)``
    of a model whose parameter is ``s``: ``U(s)``). A model's own symbol is never renamed."""
    from sympy.core.function import AppliedUndef

    objs = [o for d in derivations for o in _shown(d)]
    names, clashing = set(), {}
    for d in derivations:  # a letter clashes where one derivation shows both objects
        symbols, applied = set(), set()
        for o in _shown(d):
            symbols |= {x for x in o.free_symbols if not isinstance(x, sp.Dummy)}
            applied |= {type(f).__name__ for f in o.atoms(AppliedUndef)}
        names |= {x.name for x in symbols} | applied
        for letter in _PAGE_LETTERS:
            clash = [x for x in symbols if x.name == letter and not _bare(x)]
            if letter in applied and clash:
                clashing.setdefault(letter, set()).update(clash)
    defined = _defined(objs)
    plan = {}
    for letter, clash in clashing.items():
        new = next((n for n in _PAGE_LETTERS[letter] if n not in names), None)
        if new is not None:
            names.add(new)
            plan[letter] = (new, "symbol" if clash <= defined else "function")
    return plan


def distinct_letters(d, plan=None):
    """``d`` with each of the page's own letters that also names a symbol of the page written with a
    conventional other letter (:func:`page_letters`, decided over ``d`` alone unless the page's
    ``plan`` is given), so that no letter means two things: the score of a model whose parameter is
    ``s`` is ``U(s)``, not ``s(s)``. The prose follows: the renamed letter where it stands alone (a
    renamed symbol: not applied, as ``eta(theta)`` is the function's; a step that shows both objects
    keeps its words, which name the one keeping the letter). Values are unchanged: only names are.

    >>> import sympy as sp
    >>> from symfisher.derivation import Derivation, Step
    >>> s_ = sp.Symbol("s", positive=True)
    >>> d = Derivation("score", "Score", steps=(Step("Differentiate.", "s = d ell/d theta", sp.Function("s")(s_), (1/s_,)),))
    >>> e = distinct_letters(d)
    >>> e.steps[0].lhs, e.steps[0].reason
    (U(s), 'U = d ell/d theta')
    """
    import re
    from dataclasses import replace

    from sympy.core.function import AppliedUndef

    plan = page_letters([d]) if plan is None else plan
    if not plan:
        return d
    symbol = {old: new for old, (new, kind) in plan.items() if kind == "symbol"}
    function = {old: new for old, (new, kind) in plan.items() if kind == "function"}

    def rename(o):
        if isinstance(o, sp.MatrixBase):
            return o.applyfunc(rename)
        if not isinstance(o, sp.Basic):
            return o
        if function:
            o = o.replace(lambda e: isinstance(e, AppliedUndef) and type(e).__name__ in function,
                          lambda e: sp.Function(function[type(e).__name__])(*e.args))
        # the page's renamed symbols, and its bare symbols for a renamed function (E[s] is E[U])
        new = {x: sp.Symbol(subscripted(x.name), **x.assumptions0) for x in o.free_symbols
               if subscripted(x.name) != x.name and not _bare(x) and not isinstance(x, sp.Dummy)}
        new.update({x: sp.Symbol(function[x.name]) for x in o.free_symbols if x.name in function and _bare(x)})
        return o.xreplace(new) if new else o

    def subscripted(name):  # delta_eta, the displacement of the index eta, follows it: delta_zeta
        head, *subs = name.split("_")
        return "_".join([symbol.get(head, head)] + [symbol.get(t, t) for t in subs])

    def words(text, old, new, kind, shows=False):
        """The letter ``old`` standing alone in ``text`` as ``new``. A renamed symbol: where it is not
        applied (``eta(theta)`` is the function's). A renamed function: where it is applied (``s(theta)``)
        and, in a derivation that shows it, where it stands in a formula (``E[s]``, ``Cov(T, s)``, ``s = J^T T``),
        not in a sentence, which names a parameter (``with respect to s``)."""
        def formula(m):
            before, after = text[:m.start()].rstrip()[-1:], text[m.end():].lstrip()[:1]
            if kind == "symbol" or after == "(" or (shows and (before in "[(,=+-*/^" or after in "])=,+-*/^")):
                return (m.group(1) or "") + new
            return m.group(0)
        return re.sub(r"(\\?)(?<![A-Za-z'])" + old + r"(?![A-Za-z'])" if len(old) > 1
                      else r"()(?<![A-Za-z\\'])" + old + r"(?![A-Za-z'])", formula, text)

    objs = _shown(d)  # a derivation that shows the renamed function: its formulas in words use the letter for it
    showing = {old for old in function if any(type(f).__name__ == old for o in objs for f in o.atoms(AppliedUndef))
               or any(x.name == old and _bare(x) for o in objs for x in o.free_symbols)}
    steps = []
    for st in d.steps:
        statement, reason = st.statement, st.reason
        shown = _shown(replace(d, result=None, steps=(st,)))
        for old, (new, kind) in plan.items():
            fn = any(type(f).__name__ == old for o in shown for f in o.atoms(AppliedUndef))
            sym = any(x.name == old for o in shown for x in o.free_symbols)
            if kind == "symbol" and fn and sym:
                continue  # the step shows both objects: its words name the one that keeps the letter
            shows = old in showing
            statement, reason = words(statement, old, new, kind, shows), words(reason, old, new, kind, shows)
        steps.append(replace(st, statement=statement, reason=reason, lhs=rename(st.lhs),
                             forms=tuple(rename(f) for f in st.forms)))

    def prose(text):  # notes and failures show no objects: their letters follow the plan
        for old, (new, kind) in plan.items():
            text = words(text, old, new, kind)
        return text

    failures = tuple(replace(f, step=prose(f.step), reason=prose(f.reason)) for f in d.failures)
    return replace(d, steps=tuple(steps), result=rename(d.result), failures=failures,
                   notes=tuple(prose(n) for n in d.notes))


def inner_products(form):
    """``form`` with each linear index ``w_1 x_1 + ... + w_k x_k`` written as the inner product ``w^T x``
    (:class:`~symfisher.derive.notation.InnerProduct`, whose value is the sum), also where the page
    introduces the index, ``zeta = w^T x``; the entries stay where a step needs them (the log-density as
    the model writes it, the score's vector of features).

    >>> import sympy as sp
    >>> z, w1, w2, x1, x2 = sp.symbols("zeta w_1 w_2 x_1 x_2", real=True)
    >>> inner_products(sp.Eq(z, w1*x1 + w2*x2)), inner_products(sp.exp(w1*x1 + w2*x2))
    (Eq(zeta, w^T x), exp(w^T x))
    """
    from .derive.notation import InnerProduct, inner_product_names

    if isinstance(form, sp.MatrixBase):
        return form.applyfunc(inner_products)
    if not isinstance(form, sp.Basic):
        return form
    if not any(inner_product_names(a) for a in form.atoms(sp.Add)) and not inner_product_names(form):
        return form

    def put(e):  # the factors and terms in the order they were printed in: rebuilt unevaluated
        if isinstance(e, InnerProduct) or not e.args:
            return e
        if isinstance(e, sp.Add) and inner_product_names(e) is not None:
            return InnerProduct(e)
        args = tuple(put(a) for a in e.args)
        if args == e.args:
            return e
        return e.func(*args, evaluate=False) if isinstance(e, (sp.Add, sp.Mul, sp.Pow)) else e.func(*args)

    return put(form)


def _repeats(st, before) -> bool:
    """Whether step ``st`` shows nothing the displayed step ``before`` did not: the same left-hand
    side and relation, and every form already among ``before``'s (a "drop the constant factors"
    line when there is no constant factor)."""
    if before is None or st.lhs is None or not st.forms or st.lhs != before.lhs or st.relation != before.relation:
        return False
    return all(any(f == g for g in before.forms) for f in st.forms)


def textbook_derivation(d, random=(), letters=None):
    """A derivation as a reader sees it: the engine's ASCII formulas in its texts typeset as
    math (:func:`~symfisher.render.notation.textbook_prose`), every step whose last form reads
    backwards (``-1/(p(p - 1))``) followed by its own line in conventional form with the sign
    change as the reason, and the result in the form the steps arrived at. Applying it twice
    changes nothing more. ``random`` are the model's random variables (:func:`random_variables`):
    inside an expectation they are written upper case, ``E[T(X)]``, as the value is lower case.
    ``letters`` is the page's renaming of its own letters (:func:`page_letters` of all its derivations),
    else it is decided for ``d`` alone."""
    from dataclasses import replace

    from .derivation import Failure, Step
    from .render.notation import textbook_prose

    d = distinct_letters(d, letters)
    upper = _upper_mapping(d, random)
    steps, said = [], set()
    logistic = not _names_sigma(d)  # sigma(u) only where no symbol is printed sigma already
    said_logistic = False
    known: dict = {}  # a named quantity's first form -> the simpler form its step arrived at
    exact: dict = {}  # a named quantity -> the exact number a step showed for it
    for k, st in enumerate(d.steps):
        if st.forms:
            st = replace(st, forms=tuple(_approximate(f, exact) for f in st.forms))
            _exact_values(st, exact)
        if upper:
            st = replace(st, lhs=_random_upper(st.lhs, upper), forms=tuple(_random_upper(f, upper) for f in st.forms))
        if known and st.forms:
            # a later line puts in the quantity as its step simplified it: (1/(p(1 - p)))^2, not (1/(1 - p) + 1/p)^2
            st = replace(st, forms=tuple(_put_in(f, known) for f in st.forms))
        if not st.forms and st.lhs is None:
            # a line without mathematics said once is enough ("Standardize: X = mu + b Z ..." per entry)
            if (st.statement, st.reason) in said:
                continue
            said.add((st.statement, st.reason))
        reason = textbook_prose(st.reason)
        forms, inner = [], []
        for f in st.forms:
            f, flipped = _summands(f)
            inner += [b for b in flipped if b not in inner]
            f, flipped = one_minus_first(f)
            inner += [b for b in flipped if b not in inner]
            forms.append(simplest_number(even_powers(grouped_numerator(f))))
        if len(forms) > 1 and isinstance(forms[-1], (sp.Expr, sp.MatrixBase)):
            # a chain that returns, backwards, to a form it already showed (x = (1/2) d I d = -x'):
            # its last form in conventional sign, which the chain has established, not a sign change
            new, flipped = conventional_sign(forms[-1])
            if flipped and any(new == f for f in forms[:-1]):
                forms[-1] = new
        if len(forms) > 1 and st.lhs is not None:
            # the line between a product of sums and its simplified value: the sums combined first
            mid = inner_combined(forms[-2])
            if mid is not None and conventional_sign(mid)[0] != forms[-1] and not mid.has(sp.Function):
                forms.insert(len(forms) - 1, mid)
        if forms and st.lhs is not None:  # a sum over one denominator, as the chain's last line
            spread = inner_combined(forms[-1]) if len(forms) == 1 else None
            if spread is not None:
                forms.append(spread)
            last = combined(forms[-1])
            if last is not None:
                forms.append(last)
        forms = [_cleared(f) for f in forms]
        flat = []
        for f in forms:  # no fraction inside a fraction: the form over one denominator instead
            g = flat_fraction(f)
            flat.append(f if g is None else g)
        forms = flat
        if forms and isinstance(forms[-1], sp.Expr):
            g = log_powers(forms[-1])  # log(b^e) as e log(b), the chain's last line
            if g is not None:
                forms.append(g)
        if forms and isinstance(forms[-1], (sp.Expr, sp.MatrixBase)) and not isinstance(forms[-1], sp.MatrixExpr):
            # rational in one exponential: its shortest form, in the logistic function when that reads better
            g = _exp_rational_form(forms[-1], logistic)
            if g is not None:
                forms.append(g)
                if g.has(_logistic()) and not said_logistic:
                    said_logistic = True
                    reason = (reason + "; " if reason else "") + \
                        r"$\sigma(u) = 1/(1 + e^{-u}) = e^{u}/(1 + e^{u})$, the logistic function"
        for i in range(len(forms) - 1, -1, -1):
            # a minus sign in front of a sum, distributed term by term on a line of its own
            spread = _distributed(forms[i])
            if spread is not None and (i + 1 == len(forms) or spread != forms[i + 1]):
                forms.insert(i + 1, spread)
                if "distribute the minus sign" not in reason:
                    reason = (reason + "; " if reason else "") + "distribute the minus sign over the sum"
        if len(forms) > 1 and st.lhs is not None:
            # the terms that share a denominator combined before the whole sum is
            mid = _by_denominator(forms[-2])
            if mid is not None and mid != forms[-1]:
                forms.insert(len(forms) - 1, mid)
        if any(_double_minus(f) for f in forms[:-1]) and "two minus signs" not in reason:
            reason = (reason + "; " if reason else "") + r"$-(-a) = a$: the two minus signs cancel"
        if forms and isinstance(forms[-1], sp.MatrixBase) and st.lhs is not None:
            # the entries over their common denominator: the scalar in front, as a textbook writes Sigma^{-1}
            factored = common_denominator(forms[-1])
            if factored is None and forms[-1].has(_logistic()):
                factored = common_factor(forms[-1])  # sigma(u)(1 - sigma(u)) in front of x x^T
                if factored is not None and len(forms) > 1:
                    forms.pop()  # the entries then read once, with their shared factor in front
            if factored is not None:
                forms.append(factored)
        forms = _distinct(tuple(forms))
        if len(forms) >= 3 and st.lhs is not None and forms[-1] == forms[0]:
            # a chain that goes round (K_2 = value = (1/2) d I d = value): from the identity to the value once
            forms = forms[1:]
        st = replace(st, forms=forms)
        known.update(_established(st, forms))
        if inner and _why(inner) not in reason:  # a sign absorbed inside a sum over the sample: said
            reason = (reason + "; " if reason else "") + _why(inner)
        # a sign absorbed between two forms of the chain: say so in the reason
        for a, b in zip(forms, forms[1:]):
            if isinstance(a, (sp.Expr, sp.MatrixBase)):
                new, flipped = conventional_sign(a)
                if flipped and new == b and _why(flipped) not in reason:
                    reason = (reason + "; " if reason else "") + _why(flipped)
        st = replace(st, forms=tuple(inner_products(f) for f in st.forms))
        if _repeats(st, steps[-1] if steps else None):
            continue  # a line that only restates the line before (no constant factor to drop): omitted
        steps.append(replace(st, statement=_sentence(textbook_prose(st.statement)), reason=reason))
        last = st.expr
        if isinstance(last, (sp.Expr, sp.MatrixBase)):
            new, flipped = conventional_sign(last)
            following = d.steps[k + 1] if k + 1 < len(d.steps) else None
            if flipped and not (following is not None and following.lhs is None
                                and tuple(following.forms[:2]) in ((last, new), (st.expr, new))):
                # (once: a derivation that went through this pass already has the line)
                steps.append(Step("Absorb the minus sign into a factor:", _why(flipped), None, (last, new)))
    result = d.result
    if isinstance(result, (sp.Expr, sp.MatrixBase)):
        result = even_powers(grouped_numerator(conventional_sign(result)[0]))
        # a one-radical form a step showed for the result (``1/sqrt(p(1 - p))``), shown instead: it is
        # the result itself once its radical is evaluated
        # (the form a step arrives at: sqrt(1/lam^2) on the way to 1/lam is not the result's form)
        for st in steps:
            b = st.expr
            if isinstance(b, sp.Expr) and b.has(_root()) and b.doit() == result:
                result = b
    if isinstance(result, sp.Float):
        # a decimal result as the step that arrived at it rounded it (Delta = 0.0405185), not to 15 digits
        for st in steps:
            b = st.expr
            if isinstance(b, sp.Float) and b._prec < result._prec and abs(float(b) - float(result)) <= \
                    1e-5 * max(abs(float(result)), 1e-300):
                result = b
    result = inner_products(result)
    failures = tuple(Failure(textbook_prose(f.step), textbook_prose(f.reason)) for f in d.failures)
    notes = tuple("\n\n".join(textbook_prose(" ".join(p.split())) for p in n.split("\n\n")) for n in d.notes)
    return replace(d, title=textbook_prose(d.title), steps=tuple(steps), result=result, failures=failures,
                   notes=notes)


def one_minus_first(expr):
    """``(form, flipped)``: each term ``c (a - 1) rest`` of a sum written ``-c (1 - a) rest`` (one minus
    the variable, as a textbook writes probabilities: ``y + (y - 1) e^eta`` is ``y - (1 - y) e^eta``),
    entry by entry for a matrix; ``flipped`` are the factors negated, for the reason that says so.

    >>> import sympy as sp
    >>> y, e = sp.symbols("y eta", real=True)
    >>> one_minus_first(y + (y - 1)*sp.exp(e))
    (y - (1 - y)*exp(eta), (y - 1,))
    >>> one_minus_first(y - 1)[1]
    ()
    """
    flipped: list = []

    def term(t):
        if not isinstance(t, sp.Mul) or t.could_extract_minus_sign():
            return t
        for f in t.args:
            if isinstance(f, sp.Add) and len(f.args) == 2 and _reversed(f) and f.as_coeff_add()[0] == -1:
                rest = sp.Mul(*[a for a in t.args if a is not f])
                if rest.is_number:
                    return t
                flipped.append(f) if f not in flipped else None
                return sp.Mul(-1, sp.Add(*[-a for a in f.args]), rest, evaluate=False)
        return t

    def walk(e):
        if isinstance(e, sp.Add):
            args = [term(walk(a)) for a in e.args]
            return sp.Add(*args, evaluate=False) if args != list(e.args) else e
        if not e.args or e.is_Atom or isinstance(e, (sp.MatrixBase, sp.Sum, sp.Integral)) or not _scalar(e):
            return e
        args = tuple(walk(a) for a in e.args)
        if args == e.args:
            return e
        return e.func(*args, evaluate=False) if isinstance(e, (sp.Mul, sp.Pow)) else e.func(*args)

    if isinstance(expr, sp.MatrixBase):
        if len(expr) > 16 or not all(_small(e) for e in expr):
            return expr, ()
        new = expr.applyfunc(walk)
    elif isinstance(expr, sp.Expr) and _small(expr) and _scalar(expr):
        new = walk(expr)
    else:
        return expr, ()
    if not flipped:
        return expr, ()
    from .simplify import cancels

    diff = (new - expr) if not isinstance(expr, sp.MatrixBase) else None
    if diff is not None and not cancels(diff) or diff is None and not all(cancels(a - b) for a, b in zip(new, expr)):
        return expr, ()
    return new, tuple(flipped)


def _summands(form):
    """``form`` with the summand of each ``Sum`` in conventional sign (``sum -(mu - x_i)/sigma^2``
    reads ``sum (x_i - mu)/sigma^2``, common factors cancelled), and the factors negated."""
    if not isinstance(form, sp.Expr) or not form.has(sp.Sum):
        return form, ()
    flipped = []

    def one(s):
        # exact: a common factor of one term's numerator cancelled ((2 x_i - 2 mu)/(2 sigma^2)); a sum of terms stays
        g = sp.factor_terms(s.function) if isinstance(s.function, sp.Mul) else s.function
        new, f = conventional_sign(g)
        flipped.extend(b for b in f if b not in flipped)
        return sp.Sum(new, *s.limits) if new != s.function else s

    return form.replace(lambda e: isinstance(e, sp.Sum), one), tuple(flipped)


def _distinct(forms: tuple) -> tuple:
    """The forms of a chain without a form that prints as the one before it (``1 * (1/lam^2)``
    and ``1/lam^2`` once the unit factor is not written): a chain ``a = a`` says nothing."""
    from .render.latex import latex_of

    out, last = [], None
    for f in forms:
        tex = latex_of(f) if isinstance(f, (sp.Expr, sp.MatrixBase)) else None
        if tex is not None and tex == last:
            continue
        out.append(f)
        last = tex
    return tuple(out)


def _root():
    from .derive.notation import Root

    return Root


def _support_set(support) -> sp.Set | None:
    """A support as the set a textbook writes: ``{0, 1}``, ``(0, oo)``, the real line, ``{0, 1, ..., n}``."""
    from .domains import FiniteSupport, IntegerSupport, IntervalSupport

    if isinstance(support, FiniteSupport):
        return sp.FiniteSet(*support.values)
    if isinstance(support, IntervalSupport):
        return sp.S.Reals if (support.lo, support.hi) == (-sp.oo, sp.oo) else sp.Interval.open(support.lo, support.hi)
    if isinstance(support, IntegerSupport):
        return sp.Range(support.lo, support.hi + 1 if support.hi != sp.oo else sp.oo)
    return None


def setting(model):
    """The assumptions a worked solution rests on, stated before it: where each observation and each
    parameter ranges (the support and the open parameter domains), which constants are known, that
    the support does not depend on the parameters (the regularity the engine checks before deriving)
    and that logarithms are natural (divergences in nats). A derivation of one step and no result,
    or ``None`` for a model without data or parameters."""
    from .derivation import Derivation, Step
    from .render.latex import latex_of

    if not getattr(model, "data", None) or not getattr(model, "params", None):
        return None
    forms = []
    for x, sup in zip(model.data, model.support):
        S = _support_set(sup)
        if S is not None:
            forms.append(sp.Contains(x, S, evaluate=False))
    for p in model.params:
        S = model.domain(p).as_set()
        forms.append(sp.Contains(p, sp.S.Reals if S == sp.Interval(-sp.oo, sp.oo) else S, evaluate=False))
    meta = dict(model.meta) if isinstance(getattr(model, "meta", None), tuple) else {}
    for c in meta.get("constraints", ()):  # a joint domain (p_1 + p_2 < 1, a positive determinant)
        if isinstance(c, sp.core.relational.Relational):
            forms.append(c)
    known = [c for c in model.constants if c not in model.params]
    names = ", ".join("$%s$" % latex_of(c) for c in known)
    statement = ("Assumptions: an observation takes its values in the support and the parameters range over "
                 "their domains, as below" + (f"; {names} {'is' if len(known) == 1 else 'are'} known" if known else "")
                 + ".")
    reason = ("the support does not depend on the parameters (checked), so the model is regular: the score has "
              "mean zero and derivatives pass under the expectation; log is the natural logarithm")
    return Derivation("setting", "The model and its assumptions", steps=(Step(statement, reason, None, tuple(forms)),))
