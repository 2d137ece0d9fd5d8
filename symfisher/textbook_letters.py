"""One letter per object on a page (docs/architecture.md, Output): the page's own letters (score s,
information I, natural parameter eta, step delta, KL K) fall back to another conventional letter where a
model already prints that one; linear indices shown as w^T x; a step that only restates the one before."""
from __future__ import annotations

import re

import sympy as sp


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
    plan.update(given_matrices(derivations))
    plan.update({name: (k, "vector") for name, k in page_vectors(derivations).items()})
    plan.update({name: (k, "column") for d in derivations for st in d.steps for name, k in _named_columns(st)})
    return plan


def page_vectors(derivations) -> dict:
    """The vectors a page shows, ``{name: length}``: each column of a matrix expression (``x``, ``mu``,
    ``r = x - mu``, a step ``delta``: d x 1 matrix symbols) and the two vectors of a linear index
    ``w^T x`` (:class:`~symfisher.derive.notation.InnerProduct`, from its entries ``w_1 x_1 + w_2 x_2``
    before they are folded). They are printed bold (:func:`vector_arguments`, the printers), their
    entries ``mu_1``, ``x_2`` stay scalars.

    >>> import sympy as sp
    >>> from symfisher.derivation import Derivation, Step
    >>> w1, w2, x1, x2 = sp.symbols("w_1 w_2 x_1 x_2", real=True)
    >>> mu = sp.MatrixSymbol("mu", 2, 1)
    >>> page_vectors([Derivation("s", "S", steps=(Step("", "", None, (sp.exp(w1*x1 + w2*x2), mu)),))])
    {'mu': 2, 'w': 2, 'x': 2}
    """
    from .derive.notation import InnerProduct, inner_product_names

    out = {}
    for d in derivations:
        for st in d.steps:  # a name given a column of numbers or entries: an eigenvector v_1, a step Delta
            for name, k in _named_columns(st):
                out.setdefault(name.partition("_")[0], k)
        for o in _shown(d):
            for ms in o.atoms(sp.MatrixSymbol):
                if ms.shape[1] == 1 and ms.shape[0] != 1 and ms.shape[0].is_Integer:
                    out.setdefault(ms.name, int(ms.shape[0]))
            for a in o.atoms(sp.Add, InnerProduct):
                a = a.args[0] if isinstance(a, InnerProduct) else a
                names = inner_product_names(a)
                if names is not None:
                    for n in names:
                        out.setdefault(n, len(a.args))
    return dict(sorted(out.items()))


def _column(form):
    return isinstance(form, sp.MatrixBase) and form.cols == 1 and form.rows > 1


def _named_columns(st):
    """``(name, length)`` of each symbol a step gives a column vector: its left-hand side
    (``Delta = (-1/5, -1/5)``) and the left side of an equation among its forms (``v_1 = (...)``)."""
    out = []
    if isinstance(st.lhs, sp.Symbol) and st.forms and all(_column(f) for f in st.forms if isinstance(f, sp.MatrixBase)) \
            and _column(st.forms[-1]):
        out.append((st.lhs.name, st.forms[-1].rows))
    for f in st.forms:
        if isinstance(f, sp.Equality) and isinstance(f.lhs, sp.Symbol) and _column(f.rhs):
            out.append((f.lhs.name, f.rhs.rows))
    return out


def vector_step(st, named: dict):
    """Step ``st`` with each symbol the page gives a column vector (``named``, ``{name: length}``)
    written as that vector (a d x 1 matrix symbol, printed bold) where it is named: ``v_1 = (...)``
    as the first eigenvector, not a component; ``Delta_nat`` in the line that defines it too."""
    from dataclasses import replace

    if not named:
        return st
    lhs = st.lhs
    if isinstance(lhs, sp.Symbol) and lhs.name in named:
        lhs = sp.MatrixSymbol(lhs.name, named[lhs.name], 1)
    forms = tuple(sp.Eq(sp.MatrixSymbol(f.lhs.name, named[f.lhs.name], 1), f.rhs, evaluate=False)
                  if isinstance(f, sp.Equality) and isinstance(f.lhs, sp.Symbol) and f.lhs.name in named else f
                  for f in st.forms)
    return replace(st, lhs=lhs, forms=forms)


def vector_sets(forms: tuple, vectors: dict) -> tuple:
    """The assumptions ``x_1 in R, x_2 in R`` of a page's vector ``x`` (the whole run of its entries, in
    order, over one set) as the one statement ``x in R^2``, as a textbook states them.

    >>> import sympy as sp
    >>> m1, m2 = sp.symbols("mu_1 mu_2", real=True)
    >>> vector_sets((sp.Contains(m1, sp.S.Reals, evaluate=False), sp.Contains(m2, sp.S.Reals, evaluate=False)), {"mu": 2})
    (Contains(mu, ProductSet(Reals, Reals)),)
    """
    out, i = [], 0
    forms = tuple(forms)
    while i < len(forms):
        f = forms[i]
        if isinstance(f, sp.Contains) and isinstance(f.args[0], sp.Symbol):
            head, _, sub = f.args[0].name.rpartition("_")
            k = vectors.get(head)
            run = forms[i:i + k] if k is not None and sub == "1" else ()
            if run and len(run) == k and all(isinstance(g, sp.Contains) and isinstance(g.args[0], sp.Symbol)
                                             and g.args[0].name == f"{head}_{j}" and g.args[1] == f.args[1]
                                             for j, g in enumerate(run, 1)):
                out.append(sp.Contains(sp.MatrixSymbol(head, k, 1), sp.ProductSet(*[f.args[1]] * k), evaluate=False))
                i += k
                continue
        out.append(f)
        i += 1
    return tuple(out)


def vector_names(vectors) -> frozenset:
    """The names written bold in a page's prose: its vectors, and the random vector ``X`` of a data
    vector ``x`` (``E[(X - mu)(X - mu)^T]``).

    >>> sorted(vector_names({"mu": 2, "x": 2}))
    ['X', 'mu', 'x']
    """
    out = set(vectors)
    out |= {n.upper() for n in vectors if len(n) == 1 and n.islower()}
    return frozenset(out)


def vector_arguments(obj, vectors: dict):
    """``obj`` with each run of a page vector's entries among a named function's arguments written as the
    vector: ``I(mu_1, mu_2)`` reads ``I(mu)``, ``ell(x_1, x_2, mu_1, mu_2)`` reads ``ell(x, mu)`` and
    ``g(y, w_1, w_2)`` reads ``g(y, w)`` (the vector a d x 1 matrix symbol, printed bold). Only the whole
    run ``name_1, ..., name_k`` of a vector of length ``k``, in order; a function inside a derivative
    keeps its entries (the derivative is taken in one of them). Display only: nothing is evaluated.

    >>> import sympy as sp
    >>> m1, m2 = sp.symbols("mu_1 mu_2", real=True)
    >>> vector_arguments(sp.Function("I")(m1, m2), {"mu": 2})
    I(mu)
    """
    from sympy.core.function import AppliedUndef

    if not vectors or not isinstance(obj, sp.Basic):
        return obj
    if isinstance(obj, sp.MatrixBase):
        return obj.applyfunc(lambda e: vector_arguments(e, vectors))

    def folded(args):
        out, i = [], 0
        while i < len(args):
            a = args[i]
            head, _, sub = a.name.rpartition("_") if isinstance(a, sp.Symbol) else ("", "", "")
            k = vectors.get(head)
            if k is not None and sub == "1" and i + k <= len(args) and all(
                    isinstance(b, sp.Symbol) and b.name == f"{head}_{j}" for j, b in enumerate(args[i:i + k], 1)):
                out.append(sp.MatrixSymbol(head, k, 1))
                i += k
                continue
            out.append(a)
            i += 1
        return tuple(out)

    def walk(e):
        if isinstance(e, (sp.Derivative, sp.Subs)) or not e.args or e.is_Atom:
            return e
        if isinstance(e, AppliedUndef) and type(e).__name__ != "KL":
            args = folded(e.args)
            if args != e.args:
                return e.func(*args)
        args = tuple(walk(a) for a in e.args)
        if args == e.args:
            return e
        return e.func(*args, evaluate=False) if isinstance(e, (sp.Add, sp.Mul, sp.Pow)) else e.func(*args)

    return walk(obj)


def _assignment(E, M):
    """The values ``{symbol: number}`` that make the explicit matrix ``E`` (entries symbols or numbers)
    the numeric matrix ``M``, or ``None`` when no consistent assignment does."""
    if E.shape != M.shape:
        return None
    out = {}
    for e, v in zip(E, M):
        if isinstance(e, sp.Symbol):
            if out.setdefault(e, v) != v:
                return None
        elif not (e.is_number and e == v):
            return None
    return out


def given_matrices(derivations) -> dict:
    """The page's name for a matrix the question gives (``{"M": ("Sigma", "matrix")}``): the engine writes a
    given matrix as the placeholder ``M``; where it is a matrix the page names (the model's covariance
    ``Sigma``, whose explicit entries are ``sigma_11, sigma_12, sigma_22``) at the very point at which the
    page evaluates the Fisher information it multiplies, it is that matrix and the page calls it so:
    ``I Sigma = Id``, not ``I M``. The point is proven, not assumed: the entries of the given matrix fix
    the values of ``sigma_ij``, and the page's Fisher information at those values must be the numeric
    matrix the step multiplies; otherwise the placeholder stays."""
    from .model import explicit_matrix

    mats = {}
    for d in derivations:
        for o in _shown(d):
            for ms in o.atoms(sp.MatrixSymbol):
                E = explicit_matrix(ms)
                if E is not None:
                    mats.setdefault(ms.name, E)
    fishers = [d.result for d in derivations if d.quantity == "fisher" and isinstance(d.result, sp.MatrixBase)]
    if not mats or not fishers:
        return {}
    plan = {}
    for d in derivations:
        for st in d.steps:
            if not (isinstance(st.lhs, sp.Symbol) and _bare(st.lhs) and len(st.forms) == 1
                    and isinstance(st.forms[0], sp.MatrixBase) and all(v.is_number for v in st.forms[0])):
                continue
            given = st.forms[0]
            products = [f for o in d.steps for f in o.forms if isinstance(f, sp.MatMul) and len(f.args) == 2
                        and isinstance(f.args[0], sp.MatrixBase) and f.args[1] == given]
            for name, E in sorted(mats.items()):
                values = _assignment(E, given)
                if values is None or not products:
                    continue
                if any(F.shape == p.args[0].shape and F.xreplace(values) == p.args[0] for F in fishers for p in products):
                    plan[st.lhs.name] = (name, "matrix")
                    break
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
    from dataclasses import replace

    from sympy.core.function import AppliedUndef

    plan = page_letters([d]) if plan is None else plan
    if not plan:
        return d
    symbol = {old: new for old, (new, kind) in plan.items() if kind == "symbol"}
    function = {old: new for old, (new, kind) in plan.items() if kind == "function"}
    matrix = {old: new for old, (new, kind) in plan.items() if kind == "matrix"}

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
        new.update({x: sp.Symbol(matrix[x.name]) for x in o.free_symbols if x.name in matrix and _bare(x)})
        return o.xreplace(new) if new else o

    def subscripted(name):  # delta_eta, the displacement of the index eta, follows it: delta_zeta
        head, *subs = name.split("_")
        return "_".join([symbol.get(head, head)] + [symbol.get(t, t) for t in subs])

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
            if kind == "symbol" and fn and sym or kind in ("matrix", "vector", "column"):
                continue  # the step shows both objects: its words name the one that keeps the letter
                # (a given matrix is named in its formulas only: the words say "the given matrix")
            shows = old in showing
            statement, reason = _letter_words(statement, old, new, kind, shows), _letter_words(reason, old, new, kind, shows)
        steps.append(replace(st, statement=statement, reason=reason, lhs=rename(st.lhs),
                             forms=tuple(rename(f) for f in st.forms)))

    def prose(text):  # notes and failures show no objects: their letters follow the plan
        return page_prose(text, plan)

    failures = tuple(replace(f, step=prose(f.step), reason=prose(f.reason)) for f in d.failures)
    return replace(d, steps=tuple(steps), result=rename(d.result), failures=failures,
                   notes=tuple(prose(n) for n in d.notes))


def _letter_words(text, old, new, kind, shows=False):
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


def page_prose(text: str, plan: dict) -> str:
    """Prose that shows no objects (a failure, a note, a command's summary of the steps that failed)
    with the page's letters (:func:`page_letters`): ``the Fisher information I(eta)`` reads
    ``I(zeta)`` on a page that names its linear index ``zeta``.

    >>> page_prose("I = a a^T I(eta), with a = d eta/d theta", {"eta": ("zeta", "symbol")})
    'I = a a^T I(zeta), with a = d zeta/d theta'
    """
    for old, (new, kind) in (plan or {}).items():
        if kind not in ("matrix", "vector", "column"):  # named in formulas only (given_matrices, page_vectors)
            text = _letter_words(text, old, new, kind)
    return text


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
