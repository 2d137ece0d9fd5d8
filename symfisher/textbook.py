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

from .textbook_forms import (  # noqa: F401 (re-exported: one import for the display pass's callers)
    _reversed, _scalar, _small, _why, combined, common_denominator, common_factor, conventional_sign, even_powers,
    exp_log_as_power, grouped_numerator, inner_combined, one_denominator, one_radical, positive_factors,
    simplest_number)
from .textbook_letters import (  # noqa: F401
    _repeats, distinct_letters, inner_products, page_letters, page_prose, vector_arguments, vector_names,
    vector_sets, vector_step)
from .textbook_rewrites import (  # noqa: F401
    _by_denominator, _distributed, _double_minus, _random_upper, _upper_mapping, exp_rational, flat_fraction,
    log_powers, random_variables)

__all__ = ["conventional_sign", "even_powers", "one_radical", "exp_log_as_power", "page_letters", "step_name",
           "textbook_derivation"]



#: the reader's names of the engine's quantities, where a failure names the step by its key
_STEP_NAMES = {"score": "the score", "hessian": "the Hessian", "fisher": "the Fisher information",
               "cramer_rao": "the Cramér–Rao bound", "kl": "the KL divergence", "kl_taylor": "the Taylor expansion of KL",
               "jeffreys": "the Jeffreys prior", "expected_score": "the expected score"}


def step_name(step: str) -> str:
    """A failed step as a reader names it: ``cramer_rao`` -> ``the Cramér–Rao bound``; any other text
    as it is.

    >>> step_name("cramer_rao"), step_name("jeffreys"), step_name("the log-partition")
    ('the Cramér–Rao bound', 'the Jeffreys prior', 'the log-partition')
    """
    return _STEP_NAMES.get(step, step)


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

    plan = page_letters([d]) if letters is None else letters
    d = distinct_letters(d, plan)
    vectors = {name: k for name, (k, kind) in plan.items() if kind == "vector"}
    columns = {name: k for name, (k, kind) in plan.items() if kind == "column"}
    bold = vector_names(vectors)

    def prose(text):  # the engine's formulas as math, the page's vectors bold
        return textbook_prose(text, vectors=bold)

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
        reason = prose(st.reason)
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
        steps.append(replace(st, statement=_sentence(prose(st.statement)), reason=reason))
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
    failures = tuple(Failure(prose(step_name(f.step)), prose(f.reason)) for f in d.failures)
    notes = tuple("\n\n".join(prose(" ".join(p.split())) for p in n.split("\n\n")) for n in d.notes)
    if vectors:  # a run of a vector's entries among a function's arguments: the (bold) vector, I(mu)
        steps = [vector_step(replace(st, lhs=vector_arguments(st.lhs, vectors),
                                     forms=vector_sets(tuple(vector_arguments(f, vectors) for f in st.forms), vectors)), columns)
                 for st in steps]
        result = vector_arguments(result, vectors)
    return replace(d, title=prose(d.title), steps=tuple(steps), result=result, failures=failures,
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
