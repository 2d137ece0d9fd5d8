r"""Is a user's expression equal to a derived result, and if not, what went wrong.

``check_answer(model, quantity, text)`` parses the user's answer through the safe parser
(:mod:`symfisher.parsing`; nothing is evaluated), derives the quantity, and decides equality
by **both** routes, always:

* symbolically: SymPy simplifies ``yours - correct`` under the domains' assumptions (the
  parameters' symbols carry them), each attempt under a time limit;
* numerically: both sides at many seeded random points inside the domains (and a few
  "nice" exact points such as ``p = 1/3``, which make readable counterexamples).

A numeric difference is a counterexample (not equal, exit 1); numeric agreement everywhere is
equal (exit 0), and the verdict says whether SymPy also proved it. When not equal, a tutor's
diagnosis is looked for: a constant factor (named: ``2``, ``1/2``, a forgotten ``n``), a sign
error, the reciprocal (the Cramér–Rao bound given for the information or the other way round),
a missing Jacobian factor or a wrong power of it (reparameterized models), agreement on part
of the domain only (and where), transposed or reordered matrix entries, and the usual slips of
each quantity (observed instead of expected information, swapped KL arguments, ...).

Quantities (``QUANTITY`` on the command line):

============================ ==============================================================
``score``, ``score[i]``      the score vector ``d log f / d theta`` (``[a, b]``), or one component
                             (``score[0]`` or ``score[mu]``); in the data variable(s)
``fisher``, ``fisher[i,j]``  the Fisher information (``[[a, b], [c, d]]``; a scalar for one
                             parameter), or one entry by index from 0 or by names
                             (``fisher[mu,sigma]``); with ``--coords``/``--reparam`` the
                             Fisher information in the new coordinates
``cramer-rao`` (entries too) the Cramér–Rao bound ``I^{-1}``
``kl``                       ``KL(P_1 || P_2)`` in ``p_1``, ``p_2`` ... (suffixes ``_1``, ``_2``)
``kl-quadratic``             the quadratic Taylor term ``1/2 delta^T I delta`` of
                             ``KL(P_theta || P_theta+delta)``, in ``delta_p``, ``delta_mu`` ...
``jeffreys``                 the Jeffreys prior ``sqrt(det I)``, **up to a constant factor**
``natural-gradient`` (``[i]``) ``I(theta)^{-1} g``, where the gradient of the objective with
                             respect to parameter ``t`` is the symbol ``g_t`` (``g_p``,
                             ``g_mu`` ...); an answer in the data variable instead (no ``g_``
                             symbol) is compared with the natural gradient of the
                             log-likelihood, ``I^{-1} score``
============================ ==============================================================

Vectors and matrices are written as (nested) lists ``[a, b]``, ``[[a, b], [c, d]]`` (also
``Matrix([[...]])``, and in LaTeX ``\begin{pmatrix} a & b \\ c & d \end{pmatrix}``).
A reparameterized model may be answered in its new coordinates or in the old parameters
(``p(1-p)`` for the logit Fisher information); old parameters are substituted.

>>> from symfisher.families import get_model
>>> v = check_answer(get_model("bernoulli"), "fisher", "1/(p*(1-p))")
>>> v.equal, v.exit_code
(True, 0)
>>> v = check_answer(get_model("bernoulli"), "fisher", "p*(1-p)")
>>> v.equal, v.diagnosis
(False, 'reciprocal: you gave the inverse of the Fisher information, which is the Cramér–Rao bound (the variance bound), not the information')
>>> check_answer(get_model("poisson"), "fisher", r"\frac{2}{\lambda}", latex=True).diagnosis
'off by a factor 2: your answer is twice the correct one'
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Callable

import sympy as sp

from .limits import StepFailed, StepTimeout, time_limit
from .model import Model, ModelError
from .simplify import as_expr
from .parsing import MAX_DEPTH, MAX_TEXT_LENGTH, ParseError, parse_expression, split_top_level

__all__ = ["Verdict", "check_answer", "QUANTITY_NAMES", "parse_quantity"]

N_RANDOM = 24  # random points of the numeric comparison
N_NICE = 4  # exact "nice" points put first (readable counterexamples)
SEED = 20260611
REL_TOL = 1e-9
SIMPLIFY_LIMIT = 4.0  # seconds per symbolic attempt
RATIO_LIMIT = 1.5  # seconds per ratio simplification of the diagnosis
NUMERIC_LIMIT = 10.0  # seconds for all the numeric evaluations of one answer


# -- the verdict --------------------------------------------------------------------
@dataclass
class Verdict:
    """The outcome of a check.

    ``equal``: the answer is right (for ``jeffreys``: up to a constant factor).
    ``up_to_constant``: ``None`` for quantities compared exactly; for the Jeffreys prior
    ``True`` when the answer is the prior times a constant factor other than 1 (fine for a
    prior) and ``False`` when it is the same function exactly.
    ``diagnosis``: what probably went wrong (``None`` when equal or when no known mistake fits).
    ``counterexample``: ``{"point": {name: value}, "yours": str, "expected": str, "entry": str | None}``
    where the two differ (``None`` when equal). ``proved``: SymPy reduced the difference to 0.
    ``message``: the verdict in words (what the command prints).
    """

    equal: bool
    up_to_constant: bool | None
    diagnosis: str | None
    counterexample: dict | None
    message: str
    quantity: str = ""
    proved: bool | None = None
    expected: object = field(default=None, repr=False)  # the correct result (SymPy), for API users
    answer: object = field(default=None, repr=False)  # the user's answer as parsed

    @property
    def exit_code(self) -> int:
        return 0 if self.equal else 1


# -- quantities ---------------------------------------------------------------------
_ALIASES = {
    "score": "score",
    "fisher": "fisher", "information": "fisher", "fisher-information": "fisher",
    "cramer-rao": "cramer-rao", "crb": "cramer-rao", "cramer-rao-bound": "cramer-rao",
    "kl": "kl", "kl-divergence": "kl",
    "kl-quadratic": "kl-quadratic", "kl-taylor": "kl-quadratic",
    "jeffreys": "jeffreys", "jeffreys-prior": "jeffreys",
    "natural-gradient": "natural-gradient", "natgrad": "natural-gradient",
}
QUANTITY_NAMES = ("score", "fisher", "cramer-rao", "kl", "kl-quadratic", "jeffreys", "natural-gradient")
_INDEXED = {"score": 1, "natural-gradient": 1, "fisher": 2, "cramer-rao": 2}
_QUANTITY_RE = re.compile(r"\s*([A-Za-z][A-Za-z_\- ]{0,40}?)\s*((?:\[[^\[\]]{0,200}\]\s*){0,2})\s*")
_LABELS = {
    "score": "score", "fisher": "Fisher information", "cramer-rao": "Cramér–Rao bound",
    "kl": "KL divergence", "kl-quadratic": "quadratic Taylor term of the KL divergence",
    "jeffreys": "Jeffreys prior", "natural-gradient": "natural gradient",
}



def parse_quantity(text: str, params) -> tuple:
    """``"fisher[mu,sigma]"`` -> ``("fisher", (0, 1))``; ``"kl"`` -> ``("kl", None)``.

    Indices count from 0 in the order of ``params`` or are parameter names.

    >>> import sympy as sp
    >>> parse_quantity("fisher[mu, 1]", sp.symbols("mu sigma"))
    ('fisher', (0, 1))
    >>> parse_quantity("Cramer_Rao", sp.symbols("p"))
    ('cramer-rao', None)
    """
    if not isinstance(text, str) or len(text) > 300:
        raise ParseError("the quantity must be a short name such as fisher or fisher[0,1]")
    m = _QUANTITY_RE.fullmatch(text)
    if m is None:
        raise ParseError(f"cannot read the quantity '{_short(text)}' (expected one of {', '.join(QUANTITY_NAMES)}, "
                         "optionally with an entry such as fisher[0,1] or score[mu])")
    key = re.sub(r"[\s_]+", "-", m.group(1).strip().lower())
    name = _ALIASES.get(key)
    if name is None:
        raise ParseError(f"unknown quantity '{_short(m.group(1).strip())}' (choose from {', '.join(QUANTITY_NAMES)})")
    idx_text = m.group(2).strip()
    if not idx_text:
        return name, None
    if name not in _INDEXED:
        raise ParseError(f"the quantity '{name}' has no entries to index ('{_short(idx_text)}')")
    parts = [p.strip() for chunk in re.findall(r"\[([^\[\]]*)\]", idx_text) for p in chunk.split(",")]
    if len(parts) != _INDEXED[name]:
        want = "one index, e.g. score[0]" if _INDEXED[name] == 1 else "two indices, e.g. fisher[0,1]"
        raise ParseError(f"'{_short(text)}' needs {want}")
    names = [s.name for s in params]
    idx = []
    for p in parts:
        if re.fullmatch(r"[0-9]{1,4}", p):
            i = int(p)
            if i >= len(names):
                raise ParseError(f"index {i} out of range: the parameters are ({', '.join(names)}), counted from 0")
        elif p in names:
            i = names.index(p)
        else:
            raise ParseError(f"unknown index '{_short(p, 20)}' (use 0..{len(names) - 1} or a parameter name: "
                             f"{', '.join(names)})")
        idx.append(i)
    return name, tuple(idx)


def _short(text, n: int = 40) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 3] + "..."


# -- reading the answer: scalars, lists, matrices ------------------------------------------
_split_top = split_top_level  # one bracket-aware splitter, shared with the parser


def _outer_list(text: str):
    """The items of ``[a, b, ...]`` if the brackets enclose the whole text, else ``None``."""
    s = text.strip()
    if s.startswith("Matrix(") and s.endswith(")"):
        s = s[len("Matrix("):-1].strip()
    if len(s) < 2 or s[0] != "[" or s[-1] != "]":
        return None
    depth = 0
    for k, ch in enumerate(s):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0 and k != len(s) - 1:
                return None  # "[a] * [b]": the first bracket closes early
    items = [p.strip() for p in _split_top(s[1:-1])]
    if items and not items[-1]:
        items.pop()  # a trailing comma
    if not items or any(not p for p in items):
        raise ParseError(f"empty item in the list '{_short(text)}'")
    return items


_LATEX_MATRIX = re.compile(r"\s*\\begin\{([pbvB]?matrix)\}(.*)\\end\{\1\}\s*", re.S)
_LATEX_LR = re.compile(r"\s*\\left\s*[\[(](.*)\\right\s*[\])]\s*", re.S)


def read_answer(text, symbols: dict, latex: bool = False):
    """The user's answer as a SymPy expression, a list of them, or a list of lists (rows)."""
    if isinstance(text, (sp.Basic, sp.MatrixBase)):
        return _from_sympy(text)
    if isinstance(text, (list, tuple)):
        return [read_answer(t, symbols, latex) for t in text]
    if not isinstance(text, str):
        raise ParseError(f"expected the answer as text, got {type(text).__name__}")
    if len(text) > MAX_TEXT_LENGTH:
        raise ParseError(f"answer is too long ({len(text)} characters, at most {MAX_TEXT_LENGTH})")
    depth = 0
    for ch in text:
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth > MAX_DEPTH:
            raise ParseError(f"answer is nested too deeply (more than {MAX_DEPTH} brackets)")
    if latex:
        m = _LATEX_MATRIX.fullmatch(text)
        if m is not None:
            rows = [r for r in re.split(r"\\\\", m.group(2)) if r.strip()]
            cells = [[c for c in r.split("&")] for r in rows]
            if not cells:
                raise ParseError("empty matrix")
            out = [[parse_expression(c, symbols, latex=True) for c in row] for row in cells]
            return out if len(out) > 1 or len(out[0]) > 1 else out[0][0]
        m = _LATEX_LR.fullmatch(text)
        if m is not None and "," in m.group(1):
            text = "[" + m.group(1) + "]"
    items = _outer_list(text)
    if items is None:
        return parse_expression(text, symbols, latex=latex)
    return [read_answer(t, symbols, latex) if _outer_list(t) is not None else parse_expression(t, symbols, latex=latex)
            for t in items]


def _from_sympy(obj):
    if isinstance(obj, sp.MatrixBase):
        return [[obj[i, j] for j in range(obj.cols)] for i in range(obj.rows)]
    return obj


def _shape_of(ans) -> str:
    if not isinstance(ans, list):
        return "a single expression"
    if all(isinstance(a, list) for a in ans):
        return f"a nested list of {len(ans)} rows"
    if any(isinstance(a, list) for a in ans):
        return "a list mixing rows and single expressions"
    return f"a list of {len(ans)}"


def _as_shape(ans, rows: int, cols: int | None, what: str) -> sp.Matrix:
    """Fit the answer to the expected shape (``cols=None``: a vector), or raise ParseError."""
    if cols is None:  # a vector of length rows
        if rows == 1 and not isinstance(ans, list):
            return sp.Matrix([[ans]])
        if isinstance(ans, list) and len(ans) == rows and not any(isinstance(a, list) for a in ans):
            return sp.Matrix(rows, 1, ans)
        if isinstance(ans, list) and len(ans) == rows and all(isinstance(a, list) and len(a) == 1 for a in ans):
            return sp.Matrix(rows, 1, [a[0] for a in ans])
        if isinstance(ans, list) and len(ans) == 1 and isinstance(ans[0], list) and len(ans[0]) == rows \
                and not any(isinstance(a, list) for a in ans[0]):
            return sp.Matrix(rows, 1, ans[0])
        want = "a single expression" if rows == 1 else f"a list of {rows} expressions [a, b, ...]"
        raise ParseError(f"wrong shape: the {what} is {want}, got {_shape_of(ans)}")
    if not isinstance(ans, list):
        if rows == cols == 1:
            return sp.Matrix([[ans]])
    elif rows == cols == 1 and len(ans) == 1 and not isinstance(ans[0], list):
        return sp.Matrix([[ans[0]]])
    elif len(ans) == rows and all(isinstance(r, list) and len(r) == cols and not any(isinstance(c, list) for c in r)
                                  for r in ans):
        return sp.Matrix(ans)
    want = "a single expression" if rows == cols == 1 else f"a {rows}x{cols} matrix [[a, b], [c, d]]"
    raise ParseError(f"wrong shape: the {what} is {want}, got {_shape_of(ans)}")


# -- the target: what is compared, where, and which mistakes are known ---------------------
@dataclass
class _Target:
    quantity: str
    label: str
    expected: sp.Matrix
    symbols: dict  # names the user may write
    varying: tuple  # symbols that vary (parameters, data, deltas, gradients)
    constants: tuple
    domains: dict  # DomainMap (with constraints)
    data: tuple  # (symbol, support) of the data variables
    entry_names: list  # labels of the entries, e.g. "[0,1] (mu, sigma)"
    vector: bool
    up_to_constant: bool = False
    substitute: dict = field(default_factory=dict)  # old parameter -> expression in the new ones
    mistakes: list = field(default_factory=list)  # (Matrix, text) known wrong answers, same shape
    entry_mistakes: list = field(default_factory=list)  # for an indexed check: (scalar, text)
    factor_hints: dict = field(default_factory=dict)  # constant factor -> tutor text
    late: list = field(default_factory=list)  # (scalar, text) tried after the constant-factor diagnosis


_REPORT_CACHE: dict = {}


def _report(model: Model, only: tuple):
    from .derive.report import derive_all

    key = (model.key(), only)
    if key not in _REPORT_CACHE:
        if len(_REPORT_CACHE) > 64:
            _REPORT_CACHE.clear()
        _REPORT_CACHE[key] = derive_all(model, only=list(only))
    return _REPORT_CACHE[key]


def _derived(model: Model, name: str, label: str):
    r = _report(model, (name,))
    value = r.get(name)
    if value is None:
        reasons = "; ".join(f"{f['step']}: {f['reason']}" for f in r.failures) or "not available"
        raise ModelError(f"the {label} of the {model.name} model could not be derived, so there is nothing to check "
                         f"against ({_short(reasons, 160)})")
    return r, value


def _entry_names(params, vector: bool) -> list:
    names = [p.name for p in params]
    if vector:
        return [f"[{i}] ({n})" for i, n in enumerate(names)]
    return [f"[{i},{j}] ({a}, {b})" for (i, a), (j, b) in itertools.product(enumerate(names), enumerate(names))]


def _data_specs(model: Model) -> tuple:
    return tuple(zip(model.data, model.support))


def _coordinates(model: Model):
    change, base = model.meta_value("coordinates"), model.meta_value("base_model")
    return (change, base) if change is not None and base is not None else (None, None)


def _base_symbols(model: Model) -> tuple:
    """Names and symbols the user may write, and the substitution of old parameters (reparameterized models)."""
    symbols = dict(model.symbols)
    change, base = _coordinates(model)
    substitute = {}
    if change is not None:
        for old, new_expr in zip(change.old, change.theta_of_phi):
            if old.name not in symbols and old != new_expr:
                symbols[old.name] = old
                substitute[old] = new_expr
    return symbols, substitute


def _target(model: Model, quantity: str, index, answer_has_data: Callable) -> _Target:
    from .derive.regularity import DomainMap, model_domains

    params = model.params
    k = len(params)
    doms = model_domains(model)
    symbols, substitute = _base_symbols(model)
    data = _data_specs(model)
    base = dict(quantity=quantity, label=_LABELS[quantity], symbols=symbols, constants=tuple(model.constants),
                domains=doms, data=data, substitute=substitute)
    varying = tuple(params) + tuple(model.data)
    hints = {}
    for c in model.constants:
        hints[1 / c] = f"missing the factor {c} (forgot {c}?)"
        hints[c] = f"an extra factor {c}"

    if quantity == "score":
        r, s = _derived(model, "score", "score")
        mistakes = [(-s, "sign error: the score is d log f / d theta, your answer is its negative")]
        f = model.density
        mistakes.append((sp.Matrix([sp.diff(f, p) for p in params]),
                         "you differentiated the density f instead of log f (the score is f'/f)"))
        return _Target(expected=s, varying=varying, entry_names=_entry_names(params, True), vector=True,
                       mistakes=mistakes, factor_hints=hints, **base)

    if quantity in ("fisher", "cramer-rao"):
        r, I = _derived(model, "fisher", "Fisher information")
        H = _report(model, ("hessian",)).get("hessian")
        crb = None
        try:
            crb = _derived(model, "cramer_rao", "Cramér–Rao bound")[1]
        except ModelError:
            if quantity == "cramer-rao":
                raise
        entrywise = I.applyfunc(lambda e: 1 / e if e != 0 else sp.zoo)
        mistakes = []
        if quantity == "fisher":
            expected = I
            mistakes.append((-I, "sign error: I = -E[d^2 log f] (a dropped minus sign?)"))
            if crb is not None:
                mistakes.append((crb, "reciprocal: you gave the inverse of the Fisher information, which is the "
                                      "Cramér–Rao bound (the variance bound), not the information"))
            if H is not None:
                mistakes.append((-H, "that is the observed information -d^2 log f, which depends on the data; "
                                     "the Fisher information is its expectation over x"))
                mistakes.append((H, "that is the Hessian of log f; the Fisher information is minus its "
                                    "expectation over x"))
            sc = _report(model, ("score",)).get("score")
            if sc is not None:
                mistakes.append((sc * sc.T, "that is the squared score s s^T, which depends on the data; "
                                            "the Fisher information is its expectation over x"))
            change, base_model = _coordinates(model)
            if change is not None:  # in new coordinates the transformation law is the likely slip: first
                mistakes = _jacobian_mistakes(change, base_model) + mistakes
        else:
            expected = crb
            mistakes.append((-crb, "sign error: your answer is minus the Cramér–Rao bound"))
            mistakes.append((I, "reciprocal: you gave the Fisher information itself; the Cramér–Rao bound is its "
                                "inverse (the variance bound)"))
            if k > 1 and not I.is_diagonal():
                mistakes.append((entrywise, "you inverted the Fisher matrix entry by entry; the Cramér–Rao bound is "
                                            "the matrix inverse (the off-diagonal terms matter)"))
            if k > 1 and not I.is_diagonal():
                mistakes.append((sp.diag(*[1 / I[i, i] for i in range(k)]),
                                 "you inverted only the diagonal of the Fisher matrix; the Cramér–Rao bound is "
                                 "the full matrix inverse"))
        entry_mistakes = []
        if index is not None:
            i, j = index
            for a, b in itertools.product(range(k), range(k)):
                if (a, b) != (i, j) and (a, b) != (j, i) and expected[a, b] != expected[i, j]:
                    entry_mistakes.append((expected[a, b], f"that is entry [{a},{b}] ({params[a]}, {params[b]}) of "
                                                           f"the {_LABELS[quantity]}, not [{i},{j}]"))
            other = crb if quantity == "fisher" else I
            if other is not None and k > 1:
                entry_mistakes.append((other[i, j], f"that is entry [{i},{j}] of the "
                                                    f"{'Cramér–Rao bound (the inverse matrix)' if quantity == 'fisher' else 'Fisher information'}"))
                if quantity == "cramer-rao" and I[i, j] != 0:
                    entry_mistakes.append((1 / I[i, j], f"that is 1/I[{i},{j}]: an entry of the inverse matrix is not "
                                                        "the reciprocal of the entry"))
        for c in model.constants:
            if quantity == "fisher":
                hints[1 / c] = (f"missing the factor {c} (forgot {c}?): the information of {c} independent "
                                f"trials/observations is {c} times that of one")
            else:
                hints[c] = (f"an extra factor {c} (forgot to divide by {c}?): the bound for {c} independent "
                            f"trials/observations is 1/{c} times that of one")
        return _Target(expected=expected, varying=varying, entry_names=_entry_names(params, False), vector=False,
                       mistakes=mistakes, entry_mistakes=entry_mistakes, factor_hints=hints, **base)

    if quantity == "kl":
        from .derive.kl import kl_domains, kl_symbols

        r, kl = _derived(model, "kl", "KL divergence")
        first, second = kl_symbols(model)
        syms = {s.name: s for s in list(first.values()) + list(second.values()) + list(model.constants)}
        swap = {**{first[t]: second[t] for t in params}, **{second[t]: first[t] for t in params}}
        mistakes = [(sp.Matrix([[kl.xreplace(swap)]]), "the arguments are swapped: that is KL(P_2 || P_1); the KL "
                                                       "divergence is not symmetric"),
                    (sp.Matrix([[-kl]]), "sign error: KL = E_1[log f_1 - log f_2]; your answer is its negative "
                                         "(log f_2 - log f_1?)")]
        base.update(symbols=syms, domains=kl_domains(model), data=(), substitute={})
        return _Target(expected=sp.Matrix([[kl]]), varying=tuple(first.values()) + tuple(second.values()),
                       entry_names=[""], vector=False, mistakes=mistakes, factor_hints=hints, **base)

    if quantity == "kl-quadratic":
        from .derive.taylor import delta_symbols

        d = _report(model, ("kl_taylor",)).derivations.get("kl_taylor")
        quad = d.extras.get("quadratic") if d is not None and d.result is not None else None
        delta = delta_symbols(model)
        if quad is None:
            r, I = _derived(model, "fisher", "Fisher information")
            dv = sp.Matrix(delta)
            quad = sp.expand((dv.T * I * dv)[0, 0] / 2)
        syms = dict(base["symbols"])
        syms.update({s.name: s for s in delta})
        base.update(symbols=syms)
        mistakes = []
        crb = _report(model, ("cramer_rao",)).get("cramer_rao")
        if crb is not None:
            dv = sp.Matrix(delta)
            mistakes.append((sp.Matrix([[(dv.T * crb * dv)[0, 0] / 2]]),
                             "you used the inverse Fisher information (the Cramér–Rao bound); the quadratic term "
                             "is 1/2 delta^T I delta"))
        hints[sp.Integer(2)] = "off by a factor 2: the quadratic term is 1/2 delta^T I delta (the 1/2 is missing)"
        return _Target(expected=sp.Matrix([[quad]]), varying=tuple(params) + delta, entry_names=[""], vector=False,
                       mistakes=mistakes, factor_hints=hints, **base)

    if quantity == "jeffreys":
        r, I = _derived(model, "fisher", "Fisher information")
        det = I.det() if k > 1 else I[0, 0]
        try:
            with time_limit(SIMPLIFY_LIMIT, "simplify det I"):
                det = sp.factor(sp.cancel(det))
        except (StepTimeout, Exception):
            pass
        prior = sp.sqrt(det)
        mistakes = [(sp.Matrix([[det]]), "you forgot the square root: the Jeffreys prior is sqrt(det I), "
                                         "not det I"),
                    (sp.Matrix([[1 / prior]]), "reciprocal: the Jeffreys prior is sqrt(det I), your answer is "
                                               "1/sqrt(det I)")]
        if k > 1:
            own = sp.Mul(*[_own_factors(sp.sqrt(I[i, i]), params[i]) for i in range(k)])
            mistakes.append((sp.Matrix([[own]]), "you multiplied the one-parameter Jeffreys priors of each parameter "
                                                 "separately (the 'independence' prior); the Jeffreys prior is "
                                                 "sqrt(det I) of the full Fisher matrix"))
        if k > 1:
            mistakes.append((sp.Matrix([[sp.sqrt(I.trace())]]), "you used the trace of I; the Jeffreys prior is "
                                                                "sqrt(det I)"))
            if not I.is_diagonal():
                mistakes.append((sp.Matrix([[sp.sqrt(sp.Mul(*[I[i, i] for i in range(k)]))]]),
                                 "you used only the diagonal of I; the Jeffreys prior is the square root of the "
                                 "full determinant"))
        change, base_model = _coordinates(model)
        if change is not None:
            rb, Ib = _derived(base_model, "fisher", "Fisher information")
            old_prior = sp.sqrt(Ib.det() if Ib.rows > 1 else Ib[0, 0])
            sub = {t: e for t, e in zip(change.old, change.theta_of_phi)}
            mistakes.append((sp.Matrix([[old_prior.subs(sub, simultaneous=True)]]),
                             "you substituted the new coordinates into the old prior but forgot the Jacobian factor "
                             "|det d theta/d phi| of the change of variables"))
        return _Target(expected=sp.Matrix([[prior]]), varying=varying, entry_names=[""], vector=False,
                       up_to_constant=True, mistakes=mistakes, factor_hints=hints, **base)

    if quantity == "natural-gradient":
        r, I = _derived(model, "fisher", "Fisher information")
        crb = _derived(model, "cramer_rao", "Cramér–Rao bound")[1]
        g = sp.Matrix([sp.Symbol(f"g_{p.name}", real=True) for p in params])
        use_score = answer_has_data()
        if use_score:
            g = _derived(model, "score", "score")[1]
            what = "the score"
        else:
            what = "the gradient g"
            syms = dict(base["symbols"])
            syms.update({s.name: s for s in g})
            base.update(symbols=syms)
            varying = tuple(params) + tuple(g) + tuple(model.data)
        mistakes = [(I * g, f"you multiplied {what} by the Fisher information; the natural gradient multiplies by "
                            "its inverse, I^{-1}"),
                    (g, f"that is {what} itself; the natural gradient is I^{{-1}} times it"),
                    (-(crb * g), "sign error: the natural gradient is +I^{-1} g (the step is minus it)")]
        if k > 1 and not I.is_diagonal():
            mistakes.append((sp.diag(*[1 / I[i, i] for i in range(k)]) * g,
                             "you divided by the diagonal of I only; the natural gradient uses the full inverse "
                             "I^{-1} (the off-diagonal terms matter)"))
        return _Target(expected=crb * g, varying=varying, entry_names=_entry_names(params, True), vector=True,
                       mistakes=mistakes, factor_hints=hints, **base)
    raise ParseError(f"unknown quantity '{quantity}'")  # pragma: no cover - parse_quantity guards


def _own_factors(expr, param):
    """The factors of ``expr`` that involve ``param`` (the one-parameter prior's kernel)."""
    try:
        with time_limit(SIMPLIFY_LIMIT, "factor"):
            expr = sp.powsimp(sp.expand_power_base(sp.factor(expr), force=False))
    except (StepTimeout, StepFailed, Exception):
        pass
    return sp.Mul(*[f for f in sp.Mul.make_args(expr) if f.has(param)])


def _jacobian_mistakes(change, base_model) -> list:
    """Wrong transformation laws: no Jacobian, a wrong power of it, the inverse or transposed Jacobian."""
    try:
        r, I_old = _derived(base_model, "fisher", "Fisher information")
    except ModelError:
        return []
    sub = {t: e for t, e in zip(change.old, change.theta_of_phi) if t != e}
    I_at = I_old.subs(sub, simultaneous=True)
    J = change.jacobian()
    out = [(I_at, "missing the Jacobian: you substituted the new coordinates into the old Fisher information, but "
                  "I_phi = J^T I_theta J with J = d theta / d phi")]
    if J.shape == (1, 1):
        j = J[0, 0]
        for p, text in ((1, "the Jacobian to the first power; the law is I_phi = (d theta/d phi)^2 I_theta"),
                        (-2, "divided by (d theta/d phi)^2: you used d phi/d theta (the inverse Jacobian); the law "
                             "is I_phi = (d theta/d phi)^2 I_theta"),
                        (-1, "divided by d theta/d phi; the law is I_phi = (d theta/d phi)^2 I_theta"),
                        (3, "the Jacobian to the third power; the law is I_phi = (d theta/d phi)^2 I_theta"),
                        (4, "the Jacobian to the fourth power; the law is I_phi = (d theta/d phi)^2 I_theta")):
            out.append((I_at * j**p, text))
        out.append((I_old.subs(sub, simultaneous=True).applyfunc(lambda e: 1 / e) * j**2,
                    "you transformed the variance (1/I) instead of the information"))
    else:
        try:
            Jinv = J.inv()
            out.append((Jinv.T * I_at * Jinv, "you used the inverse Jacobian d phi / d theta; the law is "
                                              "I_phi = J^T I_theta J with J = d theta / d phi"))
        except Exception:
            pass
        out.append((J * I_at * J.T, "the Jacobian is on the wrong sides: I_phi = J^T I_theta J, not J I_theta J^T"))
        out.append((J.T * I_at, "only one Jacobian factor: I_phi = J^T I_theta J"))
        out.append((I_at * J, "only one Jacobian factor: I_phi = J^T I_theta J"))
    return out


# -- numbers ------------------------------------------------------------------------
_NICE = [sp.Rational(1, 3), sp.Rational(3, 2), sp.Integer(2), sp.Rational(3, 4), sp.Integer(3), sp.Rational(5, 2),
         sp.Rational(-2, 3), sp.Integer(-1), sp.Rational(1, 5), sp.Integer(4), sp.Rational(-5, 2)]


def _nice_values(dom) -> list:
    if dom is None:
        return list(_NICE)
    if dom.integer:
        lo = int(dom.lo) if dom.lo != -sp.oo else -3
        hi = int(dom.hi) if dom.hi != sp.oo else lo + 6
        return [sp.Integer(v) for v in range(max(lo + 1, lo), hi + 1) if v != 0][:4] or [sp.Integer(lo)]
    out = [v for v in _NICE if dom.contains(v)]
    if not out and dom.lo.is_finite and dom.hi.is_finite:
        out = [(dom.lo + dom.hi) / 3 + dom.lo * 2 / 3 * 0, (dom.lo + 2 * dom.hi) / 3]
    return out


def _constraints_ok(constraints, pt) -> bool:
    for c in constraints:
        if c.free_symbols <= set(pt):
            try:
                if not bool(c.xreplace(pt)):
                    return False
            except TypeError:
                return False
    return True


def _draw_data(data, pt, rng, nice: bool):
    from .domains import FiniteSupport, IntegerSupport

    for x, sup in data:
        if isinstance(sup, FiniteSupport):
            pts = list(sup.points())
            v = pts[int(rng.integers(0, len(pts)))]
            pt[x] = v  # support values are SymPy numbers already
            continue
        if isinstance(sup, IntegerSupport):
            lo = sup.lo.xreplace(pt)
            hi = sup.hi.xreplace(pt)
            lo = int(lo) if lo.is_number and lo.is_finite else 0
            hi = int(hi) if hi.is_number and hi.is_finite else lo + 10
            pt[x] = sp.Integer(int(rng.integers(lo, hi + 1)))
            continue
        lo = sup.lo.xreplace(pt)
        hi = sup.hi.xreplace(pt)
        lo = float(lo) if lo.is_number and lo.is_finite else None
        hi = float(hi) if hi.is_number and hi.is_finite else None
        if lo is not None and hi is not None:
            w = hi - lo
            v = rng.uniform(lo + 0.05 * w, hi - 0.05 * w)
        elif lo is not None:
            v = lo + rng.uniform(0.1, 4.0)
        elif hi is not None:
            v = hi - rng.uniform(0.1, 4.0)
        else:
            v = rng.uniform(-3.0, 3.0)
        if nice:
            pt[x] = sp.nsimplify(round(v * 4) / 4) if (lo is None or round(v * 4) / 4 > lo) and \
                (hi is None or round(v * 4) / 4 < hi) else sp.Float(v, 30)
        else:
            pt[x] = sp.Float(v, 30)


def _points(t: _Target, n: int = N_RANDOM, seed: int = SEED) -> tuple:
    """(nice exact points, random points): ``{symbol: value}`` inside the domains and supports."""
    import numpy as np

    from .simplify import random_points

    rng = np.random.default_rng(seed)
    syms = [s for s in tuple(t.varying) + tuple(t.constants) if s not in {x for x, _ in t.data}]
    constraints = tuple(getattr(t.domains, "constraints", ()))
    nice = []
    for _ in range(60):
        if len(nice) >= N_NICE:
            break
        pt = {}
        for s in syms:
            vals = _nice_values(t.domains.get(s))
            if s.is_integer:
                vals = [v for v in vals if v.is_integer] or [sp.Integer(2)]
            if s.is_positive:
                vals = [v for v in vals if v > 0] or [sp.Integer(2)]
            pt[s] = vals[int(rng.integers(0, len(vals)))]
        if not _constraints_ok(constraints, pt):
            continue
        _draw_data(t.data, pt, rng, nice=True)
        if pt not in nice:
            nice.append(pt)
    randoms = random_points(syms, t.domains, n, seed=seed)
    for pt in randoms:
        _draw_data(t.data, pt, rng, nice=False)
    return nice, randoms


MAX_GROWTH_ARGUMENT = 1e4  # exp(a), gamma(a), b**a ... with |a| beyond this are not evaluated
_GROWTH = (sp.exp, sp.gamma, sp.factorial, sp.sinh, sp.cosh, sp.polygamma, sp.loggamma, sp.besseli, sp.besselk)


def _risky_nodes(expr) -> list:
    """Subexpressions whose value can explode (exp of exp of ...), innermost first."""
    out = []
    for node in sp.postorder_traversal(expr):
        if isinstance(node, _GROWTH) and not node.is_number:
            out.append((node, node.args[-1]))
        elif isinstance(node, sp.Pow) and not node.exp.is_number:
            out.append((node, node.exp * sp.log(sp.Abs(node.base) + 2)))
    return out


def _too_large(expr, pt) -> bool:
    """Whether evaluating ``expr`` at ``pt`` would meet a gigantic number (which mpmath computes in C,
    beyond the reach of the time limit): each growth function's argument is checked innermost first."""
    for node, arg in _risky_nodes(expr):
        try:
            a = as_expr(arg).xreplace(pt).evalf(15)
            if a.is_number and abs(complex(a)) > MAX_GROWTH_ARGUMENT:
                return True
        except (OverflowError, ValueError, TypeError):
            return True
    return False


def _value(expr, pt):
    """``expr`` at the point as a complex number, or ``None`` when undefined (or too large) there."""
    try:
        if _too_large(expr, pt):
            return None
        v = as_expr(expr).xreplace(pt).evalf(30)
        if not v.is_number or v.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            return None
        c = complex(v)
        if c != c or abs(c) == float("inf"):
            return None
        return c
    except StepTimeout:
        raise
    except Exception:  # an expression SymPy cannot evaluate at this point
        return None


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= REL_TOL * max(abs(a), abs(b)) + 1e-25


@dataclass
class _Compare:
    """One scalar comparison: values at the points, agreement, and the symbolic verdict."""

    u: sp.Expr
    r: sp.Expr
    points: list
    uv: list
    rv: list
    agree: list  # per point: True / False / None (neither defined)
    proved: bool | None = None

    @property
    def equal(self) -> bool:
        return all(a is not False for a in self.agree) and any(a for a in self.agree)


def _evaluate(expr, points):
    return [_value(expr, pt) for pt in points]


def _compare(u, r, points, symbolic: bool = True) -> _Compare:
    uv, rv = _evaluate(u, points), _evaluate(r, points)
    agree = []
    for a, b in zip(uv, rv):
        if b is None and a is None:
            agree.append(None)
        elif b is None:
            agree.append(None)  # the correct value is undefined there (a boundary): not evidence
        else:
            agree.append(_close(a, b))
    c = _Compare(u, r, points, uv, rv, agree)
    if symbolic and c.equal:  # a numeric difference is already a counterexample; equality needs both routes
        c.proved = _symbolic_zero(u - r)
    return c


def _symbolic_zero(diff) -> bool | None:
    """True when SymPy reduces ``diff`` to 0 (each attempt under a time limit), else None."""
    if diff == 0:
        return True
    attempts = (
        lambda e: sp.cancel(sp.together(e)),
        sp.simplify,
        lambda e: sp.simplify(sp.expand_log(sp.expand_func(e))),
    )
    for f in attempts:
        try:
            with time_limit(SIMPLIFY_LIMIT, "simplify the difference"):
                if f(diff) == 0:
                    return True
        except (StepTimeout, StepFailed):
            continue
        except Exception:
            continue
    return None


# -- diagnosis ----------------------------------------------------------------------------
def _fmt_number(v: complex) -> str:
    if v is None:
        return "undefined"
    if abs(v.imag) > 1e-12 * max(1.0, abs(v.real)):
        return f"{v.real:.6g}{v.imag:+.6g}i"
    return f"{v.real:.6g}"


def _factor_text(c, hints: dict, label: str) -> str:
    c = sp.nsimplify(c) if c.is_Float else c
    for key, text in hints.items():
        if sp.simplify(c - key) == 0:
            return text
    if c == -1:
        return "sign error: your answer is the negative of the correct one"
    if c.is_number and c.is_negative:
        return f"sign error, and off by a factor {-c}: your answer is {c} times the correct one"
    words = {sp.Integer(2): "twice", sp.Rational(1, 2): "half", sp.Integer(3): "three times",
             sp.Rational(1, 3): "a third of", sp.Integer(4): "four times", sp.Rational(1, 4): "a quarter of"}
    if c in words:
        return f"off by a factor {c}: your answer is {words[c]} the correct one"
    return f"off by a constant factor: your answer is {c} times the correct one"


def _constant_ratio(u, r, t: _Target, points):
    """``c`` with ``u = c r`` and ``c`` free of the varying symbols, or ``None``."""
    if r == 0 or u == 0:
        return None
    q = _symbolic_ratio(u, r, t, points)
    if q is not None:
        return q
    if t.constants:
        return None
    qs = []
    for a, b in zip(_evaluate(u, points), _evaluate(r, points)):
        if a is not None and b is not None and abs(b) > 1e-30:
            qs.append(a / b)
    if len(qs) < 3 or any(not _close(q0, qs[0]) for q0 in qs):
        return None
    v = qs[0]
    if abs(v.imag) > 1e-9 * abs(v):
        return None
    c = sp.nsimplify(sp.Float(v.real, 15), [sp.pi, sp.E], tolerance=1e-10, rational=False)
    if len(str(c)) > 24:
        c = sp.Float(v.real, 8)
    return c


def _symbolic_ratio(u, r, t: _Target, points):
    """``u / r`` in closed form when it is free of the varying symbols (checked numerically), else None.

    ``powsimp(force=True)`` may combine roots that are not combinable for negative bases; the numeric
    confirmation at the points inside the domain rules such a ratio out.
    """
    varying = set(t.varying)
    forms = (lambda q: sp.simplify(sp.cancel(q)),
             lambda q: sp.simplify(sp.powsimp(sp.powdenest(sp.cancel(q), force=True), force=True)))
    uv = _evaluate(u, points)
    for form in forms:
        try:
            with time_limit(RATIO_LIMIT, "ratio"):
                q = form(u / r)
        except (StepTimeout, StepFailed, Exception):
            continue
        if q == 0 or q.free_symbols & varying or not q.free_symbols <= set(t.constants) or q.has(sp.nan, sp.zoo):
            continue
        if all(a is None or b is None or _close(a, b) for a, b in zip(uv, _evaluate(q * r, points))):
            return q
    return None


def _matches(u, cand, points) -> bool:
    cv = _evaluate(cand, points)
    uv = _evaluate(u, points)
    hits = [_close(a, b) for a, b in zip(uv, cv) if b is not None]
    return len(hits) >= 3 and all(hits)


def _partial_region(c: _Compare, t: _Target, nice_count: int) -> str | None:
    """Where the answer is right, when it is right at some random points and wrong at others."""
    idx = [k for k in range(nice_count, len(c.points)) if c.agree[k] is not None]
    good = [k for k in idx if c.agree[k]]
    bad = [k for k in idx if not c.agree[k]]
    if len(good) < 3 or len(bad) < 3:
        return None
    syms = sorted({s for pt in c.points for s in pt}, key=lambda s: s.name)
    feats = [(s.name, lambda pt, s=s: pt[s]) for s in syms]
    feats += [(f"{a.name} - {b.name}", lambda pt, a=a, b=b: pt[a] - pt[b])
              for a, b in itertools.permutations(syms, 2) if a.name < b.name]
    for name, f in feats:
        try:
            gv = [float(f(c.points[k])) for k in good]
            bv = [float(f(c.points[k])) for k in bad]
        except (TypeError, KeyError):
            continue
        for lo_side, hi_side, rel in ((gv, bv, "<"), (bv, gv, ">")):
            if max(lo_side) < min(hi_side):
                thr = _nice_threshold(max(lo_side), min(hi_side))
                other = ">" if rel == "<" else "<"
                return f"equal only on part of the domain: your answer agrees where {name} {rel} {thr} and differs " \
                       f"where {name} {other} {thr} (at the sampled points)"
    return "equal only on part of the domain: your answer agrees at some points and differs at others"


def _nice_threshold(a: float, b: float) -> str:
    if a < 0 <= b or a <= 0 < b:
        return "0"
    for q in (1, 2, 3, 4, 5, 10):
        for p in range(int(a * q) - 1, int(b * q) + 2):
            if a < p / q <= b or a <= p / q < b:
                return str(sp.Rational(p, q))
    return f"{(a + b) / 2:.3g}"


def _diagnose_scalar(c: _Compare, t: _Target, mistakes: list, nice_count: int) -> str | None:
    u, r = c.u, c.r
    data_syms = {x for x, _ in t.data}
    for cand, text in mistakes:
        if _matches(u, cand, c.points):
            return text
    if u.free_symbols & data_syms and not r.free_symbols & data_syms:
        xs = ", ".join(sorted(s.name for s in u.free_symbols & data_syms))
        return f"your answer depends on the data ({xs}), but the {t.label} does not: it is an expectation over " \
               f"the data"
    f = _constant_ratio(u, r, t, c.points)
    if f is not None:
        return _factor_text(f, t.factor_hints, t.label)
    for cand, text in t.late:
        if _matches(u, cand, c.points):
            return text
    for p, text in ((-1, "reciprocal: your answer is 1 over the correct one"),
                    (2, "your answer is the square of the correct one"),
                    (sp.Rational(1, 2), "your answer is the square root of the correct one")):
        if _matches(u, r**p, c.points):
            return text
        g = _constant_ratio(u, r**p, t, c.points)
        if g is not None and g != 1:
            return f"{text}, times the constant {g}"
    for cand, text in mistakes:
        g = _constant_ratio(u, cand, t, c.points)
        if g is not None and g != 1:
            return f"{text}; and off by the factor {g}"
    return _partial_region(c, t, nice_count)


def _exact_text(expr, pt) -> str | None:
    if not all(v.is_Rational for v in pt.values()) or _too_large(expr, pt):
        return None
    try:
        with time_limit(1.0, "exact value"):
            v = as_expr(expr).xreplace(pt)
            forms = [v]
            try:
                forms.append(sp.simplify(v))
            except (StepTimeout, StepFailed):
                pass
        hyperbolic = (sp.sinh, sp.cosh, sp.tanh)
        forms = [f for f in forms if f.is_number and not f.has(sp.Float) and (v.has(*hyperbolic) or not f.has(*hyperbolic))]
        if forms:
            s = min((str(f) for f in forms), key=len)
            if len(s) <= 40:
                return s
    except (StepTimeout, StepFailed, Exception):
        return None
    return None


def _counterexample(c: _Compare, entry: str | None) -> dict | None:
    for k, a in enumerate(c.agree):
        if a is False:
            pt = c.points[k]
            show = {}
            relevant = as_expr(c.u).free_symbols | as_expr(c.r).free_symbols
            for s, v in sorted(pt.items(), key=lambda kv: kv[0].name):
                if s in relevant:
                    show[s.name] = str(v) if v.is_Rational else f"{float(v):.6g}"
            yours = _fmt_number(c.uv[k])
            expected = _fmt_number(c.rv[k])
            ey, ee = _exact_text(c.u, pt), _exact_text(c.r, pt)
            if ey is not None and ey != yours:
                yours = f"{ey} ≈ {yours}"
            if ee is not None and ee != expected:
                expected = f"{ee} ≈ {expected}"
            return {"point": show, "yours": yours, "expected": expected, "entry": entry}
    return None


# -- the public verb ---------------------------------------------------------------------
def check_answer(model: Model, quantity: str, answer, latex: bool = False, *, coords=None) -> Verdict:
    r"""Check ``answer`` (text, plain or LaTeX, or a SymPy object) against the ``quantity`` of ``model``.

    ``quantity`` is one of :data:`QUANTITY_NAMES`, optionally indexed (``fisher[0,1]``,
    ``fisher[mu,sigma]``, ``score[mu]``). ``coords`` (a coordinate name or change) checks in
    new coordinates (as ``--coords``). Bad input raises :class:`~symfisher.parsing.ParseError`
    (unparsable text, unknown symbol, wrong shape, unknown quantity) or
    :class:`~symfisher.model.ModelError` (a quantity the model does not have).

    >>> from symfisher.families import get_model
    >>> check_answer(get_model("normal"), "fisher[sigma,sigma]", "1/sigma^2").diagnosis
    'off by a factor 1/2: your answer is half the correct one'
    """
    if coords is not None:
        from .derive.reparam import reparameterize

        model = reparameterize(model, coords)
    if not isinstance(model, Model):
        raise ModelError(f"expected a Model, got {type(model).__name__}")
    name, index = parse_quantity(quantity, model.params)
    k = len(model.params)

    # parse first (bad text fails fast, before any derivation)
    symbols, substitute = _base_symbols(model)
    if name == "kl":
        from .derive.kl import kl_symbols

        first, second = kl_symbols(model)
        symbols = {s.name: s for s in list(first.values()) + list(second.values()) + list(model.constants)}
        substitute = {}
    elif name == "kl-quadratic":
        from .derive.taylor import delta_symbols

        symbols.update({s.name: s for s in delta_symbols(model)})
    elif name == "natural-gradient":
        symbols.update({f"g_{p.name}": sp.Symbol(f"g_{p.name}", real=True) for p in model.params})
    ans = read_answer(answer, symbols, latex)
    if substitute:
        ans = _map_nested(ans, lambda e: as_expr(e).subs(substitute, simultaneous=True))

    def has_data():
        flat = _flatten(ans)
        g_names = {f"g_{p.name}" for p in model.params}
        return any(set(model.data) & e.free_symbols for e in flat) and \
            not any(s.name in g_names for e in flat for s in e.free_symbols)

    t = _target(model, name, index, has_data)
    E = t.expected
    what = t.label + (f" entry {list(index)}" if index is not None else "")
    if index is not None:
        entry = E[index[0], index[1]] if len(index) == 2 else E[index[0], 0]
        U = _as_shape(ans, 1, 1, what)
        E1 = sp.Matrix([[entry]])
        mistakes = [(m[index[0], index[1]] if len(index) == 2 else m[index[0], 0], text) for m, text in t.mistakes]
        mistakes = [(sp.Matrix([[m]]), text) for m, text in mistakes]
        t.late = [(m, text) for m, text in t.entry_mistakes]  # other entries: tried after a constant factor
        names = [t.entry_names[index[0] * k + index[1]] if len(index) == 2 else t.entry_names[index[0]]]
        return _decide(t, U, E1, mistakes, names, scalar_entry=True, quantity=quantity)
    if t.vector:
        U = _as_shape(ans, E.rows, None, t.label)
    else:
        U = _as_shape(ans, E.rows, E.cols, t.label)
    return _decide(t, U, E, t.mistakes, t.entry_names, scalar_entry=E.shape == (1, 1), quantity=quantity)


def _flatten(ans) -> list:
    if isinstance(ans, list):
        return [e for a in ans for e in _flatten(a)]
    return [as_expr(ans)]


def _map_nested(ans, f):
    if isinstance(ans, list):
        return [_map_nested(a, f) for a in ans]
    return f(ans)


def _decide(t: _Target, U: sp.Matrix, E: sp.Matrix, mistakes: list, names: list, scalar_entry: bool,
            quantity: str) -> Verdict:
    nice, randoms = _points(t)
    points = nice + randoms
    try:
        with time_limit(NUMERIC_LIMIT + 4 * SIMPLIFY_LIMIT * len(U), "check the answer"):
            return _decide_inner(t, U, E, mistakes, names, scalar_entry, quantity, points, len(nice))
    except StepTimeout:
        raise ModelError(f"checking the {t.label} did not finish within the time limit (is the answer very "
                         "complicated?)") from None


def _up_to_constant(t: _Target, u, r, points):
    """Jeffreys: ``c`` with ``u = c r`` free of the parameters (constants allowed)."""
    q = _symbolic_ratio(u, r, t, points)
    if q is not None:
        return q
    # numerically: fix the constants, vary the rest
    if t.constants:
        base = points[0]
        same = [pt for pt in points if all(pt.get(c) == base.get(c) for c in t.constants)]
        pts = same if len(same) >= 4 else None
        if pts is None:
            return None
    else:
        pts = points
    qs = []
    for a, b in zip(_evaluate(u, pts), _evaluate(r, pts)):
        if a is not None and b is not None and abs(b) > 1e-30:
            qs.append(a / b)
    if len(qs) >= 4 and all(_close(v, qs[0]) for v in qs) and abs(qs[0].imag) <= 1e-9 * abs(qs[0]) \
            and qs[0].real > 0:
        return sp.nsimplify(sp.Float(qs[0].real, 15), [sp.pi], tolerance=1e-10)
    return None


def _decide_inner(t, U, E, mistakes, names, scalar_entry, quantity, points, nice_count) -> Verdict:
    label = t.label
    if t.up_to_constant:
        u, r = U[0, 0], E[0, 0]
        c = _up_to_constant(t, u, r, points)
        if c is not None:
            exact = sp.simplify(c - 1) == 0
            msg = (f"equal: your answer is the {label}" + (" exactly" if exact else
                   f" up to the constant factor {c} (fine for a prior, which is defined up to a constant)"))
            return Verdict(True, not exact, None, None, msg + ".", quantity, True, E[0, 0], u)
    comps = []
    for k in range(len(U)):
        comps.append(_compare(U[k], E[k], points))
    if all(c.equal for c in comps):
        proved = all(c.proved for c in comps)
        n = len(points)
        how = ("SymPy reduces the difference to 0 under the domain assumptions, and the two agree at "
               f"{n} points in the domain") if proved else (
            f"the two agree at all {n} points in the domain (SymPy could not reduce the difference to 0 "
            f"within its time limit)")
        return Verdict(True, False if t.up_to_constant else None, None, None, f"equal: {how}.", quantity, proved,
                       E if E.shape != (1, 1) else E[0, 0], U if U.shape != (1, 1) else U[0, 0])
    # not equal: diagnosis
    diagnosis = None
    for cand, text in mistakes:
        if cand.shape == U.shape and all(_matches(U[k], cand[k], points) for k in range(len(U))):
            diagnosis = text
            break
        if t.up_to_constant and cand.shape == (1, 1) and _up_to_constant(t, U[0, 0], cand[0, 0], points) is not None:
            diagnosis = text
            break
    if diagnosis is None and U.shape == (1, 1):
        diagnosis = _diagnose_scalar(comps[0], t, mistakes_scalar(mistakes), nice_count)
    elif diagnosis is None:
        diagnosis = _diagnose_matrix(t, U, E, comps, mistakes, names, points, nice_count)
    wrong = [k for k, c in enumerate(comps) if not c.equal]
    k0 = wrong[0]
    ce = _counterexample(comps[k0], names[k0] or None if len(names) > 1 or scalar_entry else None)
    if ce is None:  # wrong only where the correct value is undefined, or nowhere defined
        ce = {"point": {}, "yours": "undefined", "expected": "undefined", "entry": names[k0] or None}
    where = f" entry {names[k0]}" if len(U) > 1 else ""
    pt = ", ".join(f"{a} = {b}" for a, b in ce["point"].items())
    msg = f"not equal: at {pt}{where}: yours = {ce['yours']}, correct = {ce['expected']}."
    if t.up_to_constant:
        msg = f"not equal (even up to a constant factor): at {pt}: yours = {ce['yours']}, correct = {ce['expected']}" \
              " (the ratio of the two is not constant)."
    return Verdict(False, False if t.up_to_constant else None, diagnosis, ce, msg, quantity, False,
                   E if E.shape != (1, 1) else E[0, 0], U if U.shape != (1, 1) else U[0, 0])


def mistakes_scalar(mistakes) -> list:
    return [(m[0, 0], text) for m, text in mistakes if m.shape == (1, 1)]


def _diagnose_matrix(t, U, E, comps, mistakes, names, points, nice_count) -> str | None:
    n_rows, n_cols = U.shape
    vector = n_cols == 1
    right = [k for k, c in enumerate(comps) if c.equal]
    wrong = [k for k, c in enumerate(comps) if not c.equal]
    # reordered parameters (a permutation of rows and columns)
    params = [p.name for p in (t.varying[:n_rows])]
    for perm in itertools.permutations(range(n_rows)):
        if list(perm) == list(range(n_rows)):
            continue
        P = sp.Matrix(n_rows, n_rows, lambda i, j: 1 if perm[i] == j else 0)
        cand = P * E if vector else P * E * P.T
        if cand != E and all(_matches(U[k], cand[k], points) for k in range(len(U))):
            order = ", ".join(params[i] for i in perm)
            return f"your entries are in the parameter order ({order}); the order is ({', '.join(params)})"
    # transposed / asymmetric
    if not vector and n_rows == n_cols:
        if E != E.T and all(_matches(U[k], E.T[k], points) for k in range(len(U))):
            return "transposed: your matrix is the transpose of the correct one"
        if E == E.T:
            asym = [(i, j) for i in range(n_rows) for j in range(i + 1, n_cols)
                    if not _matches(U[i, j], U[j, i], points)]
            if asym:
                i, j = asym[0]
                a, b = comps[i * n_cols + j].equal, comps[j * n_cols + i].equal
                which = f"[{i},{j}] is right and [{j},{i}] is not" if a and not b else (
                    f"[{j},{i}] is right and [{i},{j}] is not" if b and not a else "neither is right")
                text = (f"your matrix is not symmetric: entries [{i},{j}] and [{j},{i}] differ, but the {t.label} is "
                        f"symmetric ({which})")
                rest = _per_entry(t, U, E, comps, mistakes, names, points, nice_count,
                                  skip={i * n_cols + j, j * n_cols + i})
                return text + ("; " + rest if rest else "")
    # one factor for the whole matrix
    factors = []
    for k in range(len(U)):
        if E[k] == 0 and comps[k].equal:
            continue
        factors.append(_constant_ratio(U[k], E[k], t, points) if E[k] != 0 else None)
    if factors and all(f is not None for f in factors) and all(sp.simplify(f - factors[0]) == 0 for f in factors):
        return "the whole " + ("vector" if vector else "matrix") + " is " + _factor_text(factors[0], t.factor_hints,
                                                                                          t.label)
    return _per_entry(t, U, E, comps, mistakes, names, points, nice_count)


def _per_entry(t, U, E, comps, mistakes, names, points, nice_count, skip=()) -> str | None:
    groups: dict = {}
    for k, c in enumerate(comps):
        if c.equal or k in skip:
            continue
        d = _diagnose_scalar(c, t, [(m[k], text) for m, text in mistakes if m.shape == U.shape], nice_count)
        groups.setdefault(d or "wrong (no simple relation to the correct entry found)", []).append(names[k])
    parts = [("entry " if len(ks) == 1 else "entries ") + ", ".join(ks) + f": {d}" for d, ks in groups.items()]
    right = [names[k].split(" ")[0] for k, c in enumerate(comps) if c.equal]
    if right and parts:
        parts.append("right: " + ", ".join(right))
    return "; ".join(parts) if parts else None
