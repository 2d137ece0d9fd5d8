"""The display pass's further rewrites of a shown form, each proven equal (docs/architecture.md, Output):
random variables in upper case inside E/Var/Cov, no fraction inside a fraction, log(b^e) as e log b, an
expression rational in one exponential in its shortest form, a minus sign before a sum distributed."""
from __future__ import annotations

import sympy as sp

from .textbook_forms import _scalar, _small, conventional_sign

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
