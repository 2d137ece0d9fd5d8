"""Display objects for derivation steps: SymPy expressions that name quantities.

Steps hold SymPy objects only (principle 1); these helpers build the left-hand sides
(``I(p)``, ``E[...]``, ``d/dp log f(x; p)``) as unevaluated SymPy functions so that every
printer can show them.
"""
from __future__ import annotations

import sympy as sp

LOGF = sp.Function("ell")  # the log-density, printed \ell
E = sp.Function("E")  # expectation under the model
FISHER = sp.Function("I")
SCORE = sp.Function("s")
JEFFREYS = sp.Function("pi")
KL = sp.Function("KL")


def logf(model):
    return LOGF(*model.data, *model.params)


def d_logf(model, *wrt):
    return sp.Derivative(logf(model), *wrt)


def fisher_of(model):
    return FISHER(*model.params)


def vector(entries):
    return sp.Matrix(list(entries))


class _Shown(sp.Function):
    """A one-argument function kept whole for display: it never evaluates, and :meth:`doit` gives the
    SymPy value it stands for (``value``), which is how a step that shows it is proven."""

    nargs = 1
    is_commutative = True

    @classmethod
    def eval(cls, a):
        return None

    @staticmethod
    def value(a):
        raise NotImplementedError

    def doit(self, **hints):
        return self.value(self.args[0].doit(**hints) if hints.get("deep", True) else self.args[0])


class Root(_Shown):
    r"""``sqrt(a)`` kept as one radical for display: SymPy splits ``sqrt(p*(1 - p))`` into
    ``sqrt(p)*sqrt(1 - p)``; a textbook writes :math:`\sqrt{p(1-p)}`. It prints as a square
    root in every format and :meth:`doit` gives SymPy's ``sqrt`` (a step that shows it
    proves the two equal, :func:`symfisher.textbook.one_radical`).

    >>> import sympy as sp
    >>> p = sp.Symbol("p", positive=True)
    >>> r = Root(p*(1 - p))
    >>> r, r.doit()
    (sqrt(p*(1 - p)), sqrt(p)*sqrt(1 - p))
    """

    value = staticmethod(sp.sqrt)

    def _eval_is_positive(self):
        return self.args[0].is_positive

    def _eval_is_real(self):
        return True if self.args[0].is_nonnegative else None

    def _latex(self, printer, exp=None):
        tex = r"\sqrt{%s}" % printer._print(self.args[0])
        return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)

    def _pretty(self, printer):
        return printer._print(sp.Pow(self.args[0], sp.S.Half, evaluate=False))

    def _sympystr(self, printer):
        return "sqrt(%s)" % printer._print(self.args[0])


class Approx(sp.logic.boolalg.Boolean):
    r"""``lhs ≈ value``: a decimal rounding of a quantity whose exact value a step showed, for display
    only (the display pass writes ``\kappa_1 \approx 1.2612`` where the engine wrote an equation with a
    float). Printed with ``\approx`` in every format; never evaluated.

    >>> import sympy as sp
    >>> from symfisher.render.latex import latex_of
    >>> latex_of(Approx(sp.Symbol("kappa_1"), sp.Float(1.2612, 6)))
    '\\kappa_{1} \\approx 1.2612'
    """

    def __new__(cls, lhs, rhs):
        # both sides are SymPy objects already (an equation's lhs and rhs): nothing is converted from text
        if not (isinstance(lhs, sp.Basic) and isinstance(rhs, sp.Basic)):
            raise TypeError("Approx takes SymPy expressions")
        return sp.Basic.__new__(cls, lhs, rhs)

    @property
    def lhs(self):
        return self.args[0]

    @property
    def rhs(self):
        return self.args[1]

    def _latex(self, printer):
        return r"%s \approx %s" % (printer._print(self.lhs), printer._print(self.rhs))

    def _pretty(self, printer):
        from sympy.printing.pretty.stringpict import prettyForm, stringPict

        return prettyForm(*stringPict.next(printer._print(self.lhs), " ≈ ", printer._print(self.rhs)))

    def _sympystr(self, printer):
        return "%s ≈ %s" % (printer._print(self.lhs), printer._print(self.rhs))


class Logistic(_Shown):
    r"""The logistic function :math:`\sigma(u) = 1/(1 + e^{-u})`, kept as one symbol for display: a
    textbook writes the logistic-regression score as :math:`(y - \sigma(w^{\top} x)) x`, not with
    :math:`e^{w_1 x_1 + w_2 x_2}` three times. :meth:`doit` gives the exponential form, which is how a
    display step that shows it is proven (:func:`symfisher.textbook_rewrites.exp_rational`).

    >>> import sympy as sp
    >>> u = sp.Symbol("u", real=True)
    >>> Logistic(u).doit()
    1/(1 + exp(-u))
    """

    @staticmethod
    def value(a):
        return 1 / (1 + sp.exp(-a))

    def _eval_is_positive(self):
        return True if self.args[0].is_real else None

    def _eval_is_real(self):
        return True if self.args[0].is_real else None

    def _latex(self, printer, exp=None):
        tex = r"\sigma\left(%s\right)" % printer._print(self.args[0])
        return tex if exp is None else r"%s^{%s}" % (tex, exp)

    def _pretty(self, printer):
        from sympy.printing.pretty.stringpict import prettyForm

        arg = printer._print(self.args[0])
        return prettyForm(*prettyForm(*arg.parens()).left("σ"))

    def _sympystr(self, printer):
        return "sigma(%s)" % printer._print(self.args[0])


def _head_sub(sym):
    head, _, sub = sym.name.partition("_")
    return (head, sub) if head and sub else None


def inner_product_names(expr):
    """``(a, b)`` when ``expr`` is the sum ``a_1 b_1 + ... + a_k b_k`` (k >= 2) of products of two
    subscripted symbols whose subscripts agree term by term and are distinct: the entries of the inner
    product ``a^T b`` of two vectors. ``None`` otherwise.

    >>> import sympy as sp
    >>> w1, w2, x1, x2 = sp.symbols("w_1 w_2 x_1 x_2", real=True)
    >>> inner_product_names(w1*x1 + w2*x2), inner_product_names(w1*x2 + w2*x1)
    (('w', 'x'), None)
    """
    if not isinstance(expr, sp.Add) or len(expr.args) < 2:
        return None
    names, subs = None, set()
    for t in expr.args:
        fs = t.as_ordered_factors() if isinstance(t, sp.Mul) else ()
        if len(fs) != 2 or not all(isinstance(f, sp.Symbol) for f in fs):
            return None
        hs = [_head_sub(f) for f in fs]
        if None in hs or hs[0][1] != hs[1][1] or hs[0][0] == hs[1][0] or hs[0][1] in subs:
            return None
        if names is None:
            names = (hs[0][0], hs[1][0])
        elif names != (hs[0][0], hs[1][0]):
            return None
        subs.add(hs[0][1])
    return names


class InnerProduct(_Shown):
    r"""A linear index ``w_1 x_1 + ... + w_k x_k`` kept whole for display as the inner product
    :math:`w^{\mathsf{T}} x`, as a textbook writes the logistic regression's index. :meth:`doit`
    gives the sum of the entries.

    >>> import sympy as sp
    >>> from symfisher.render.latex import latex_of
    >>> w1, w2, x1, x2 = sp.symbols("w_1 w_2 x_1 x_2", real=True)
    >>> latex_of(Logistic(InnerProduct(w1*x1 + w2*x2))), InnerProduct(w1*x1 + w2*x2).doit()
    ('\\sigma\\left(\\boldsymbol{w}^{\\mathsf{T}} \\boldsymbol{x}\\right)', w_1*x_1 + w_2*x_2)
    """

    @staticmethod
    def value(a):
        return a

    def sort_key(self, order=None):  # a product's factors in the order the sum they stand for takes
        return self.args[0].sort_key(order)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _names(self, printer):
        a, b = inner_product_names(self.args[0])
        return printer._print(sp.Symbol(a)), printer._print(sp.Symbol(b))

    def _latex(self, printer, exp=None):
        from ..render.latex import vector_latex

        a, b = self._names(printer)
        tex = r"%s^{\mathsf{T}} %s" % (vector_latex(a), vector_latex(b))  # two vectors: bold
        return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)

    def _pretty(self, printer):
        from sympy.printing.pretty.stringpict import prettyForm

        a, b = inner_product_names(self.args[0])
        return prettyForm("%sᵀ%s" % (a, b))

    def _sympystr(self, printer):
        a, b = inner_product_names(self.args[0])
        return "%s^T %s" % (a, b)
