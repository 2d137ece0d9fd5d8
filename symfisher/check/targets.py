"""The quantities an answer can be checked against, registered by name (``register_target``).

A target kind says what the quantity is called (and its aliases), how many indices an entry takes
(``fisher[0,1]``: 2, ``score[mu]``: 1), which extra symbols an answer may use (``p_1``/``p_2`` for
the KL divergence, ``delta_p`` for its quadratic term, ``g_p`` for the natural gradient), and how
to build the :class:`Target` of a model: the correct value, what varies, and the usual mistakes.
Adding a quantity is one decorated function here; nothing else names the quantities.

>>> import sympy as sp
>>> parse_quantity("fisher[mu, 1]", sp.symbols("mu sigma"))
('fisher', (0, 1))
>>> parse_quantity("Cramer_Rao", sp.symbols("p"))
('cramer-rao', None)
>>> sorted(TARGETS)[:3]
['cramer-rao', 'fisher', 'hessian']
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Callable

import sympy as sp

from ..limits import StepFailed, StepTimeout, share, time_limit
from ..model import Model, ModelError
from ..parsing import ParseError
from .answer import flatten, short

__all__ = ["Target", "TargetKind", "TARGETS", "register_target", "parse_quantity", "quantity_names",
           "answer_symbols"]

SIMPLIFY_SHARE = 0.2  # of the time limit, for tidying a derived value used as a target (det I)


@dataclass
class Target:
    """What an answer is compared with: ``expected`` (a Matrix; a vector as a column) and its setting."""

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


@dataclass(frozen=True)
class TargetKind:
    name: str
    label: str
    build: Callable  # (model, index, answer) -> Target
    aliases: tuple = ()
    entries: int = 0  # indices of one entry: 0 (none), 1 (a vector), 2 (a matrix)
    symbols: Callable | None = None  # model -> (symbols, substitute) the answer is read with


TARGETS: dict = {}
_ALIASES: dict = {}


def register_target(name: str, *, label: str, aliases=(), entries: int = 0, symbols: Callable | None = None):
    """Register the builder of a checkable quantity (``@register_target("fisher", label=..., entries=2)``)."""
    def deco(fn):
        TARGETS[name] = TargetKind(name, label, fn, tuple(aliases), entries, symbols)
        for a in (name, *aliases):
            _ALIASES[a] = name
        return fn
    return deco


def quantity_names() -> tuple:
    return tuple(TARGETS)


_QUANTITY_RE = re.compile(r"\s*([A-Za-z][A-Za-z_\- ]{0,40}?)\s*((?:\[[^\[\]]{0,200}\]\s*){0,2})\s*")


def parse_quantity(text: str, params) -> tuple:
    """``"fisher[mu,sigma]"`` -> ``("fisher", (0, 1))``; ``"kl"`` -> ``("kl", None)``.

    Indices count from 0 in the order of ``params`` or are parameter names.
    """
    names_list = ", ".join(TARGETS)
    if not isinstance(text, str) or len(text) > 300:
        raise ParseError("the quantity must be a short name such as fisher or fisher[0,1]")
    m = _QUANTITY_RE.fullmatch(text)
    if m is None:
        raise ParseError(f"cannot read the quantity '{short(text)}' (expected one of {names_list}, "
                         "optionally with an entry such as fisher[0,1] or score[mu])")
    key = re.sub(r"[\s_]+", "-", m.group(1).strip().lower())
    name = _ALIASES.get(key)
    if name is None:
        raise ParseError(f"unknown quantity '{short(m.group(1).strip())}' (choose from {names_list})")
    idx_text = m.group(2).strip()
    if not idx_text:
        return name, None
    n_idx = TARGETS[name].entries
    if not n_idx:
        raise ParseError(f"the quantity '{name}' has no entries to index ('{short(idx_text)}')")
    parts = [p.strip() for chunk in re.findall(r"\[([^\[\]]*)\]", idx_text) for p in chunk.split(",")]
    if len(parts) != n_idx:
        want = "one index, e.g. score[0]" if n_idx == 1 else "two indices, e.g. fisher[0,1]"
        raise ParseError(f"'{short(text)}' needs {want}")
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
            raise ParseError(f"unknown index '{short(p, 20)}' (use 0..{len(names) - 1} or a parameter name: "
                             f"{', '.join(names)})")
        idx.append(i)
    return name, tuple(idx)


# -- shared pieces ------------------------------------------------------------------------
_REPORT_CACHE: dict = {}


def _report(model: Model, only: tuple):
    from ..derive.report import derive_all

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
                         f"against ({short(reasons, 160)})")
    return r, value


def _entry_names(params, vector: bool) -> list:
    names = [p.name for p in params]
    if vector:
        return [f"[{i}] ({n})" for i, n in enumerate(names)]
    return [f"[{i},{j}] ({a}, {b})" for (i, a), (j, b) in itertools.product(enumerate(names), enumerate(names))]


def _coordinates(model: Model):
    change, base = model.meta_value("coordinates"), model.meta_value("base_model")
    return (change, base) if change is not None and base is not None else (None, None)


def answer_symbols(model: Model) -> tuple:
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


def _setting(model: Model, quantity: str) -> dict:
    """The fields of a Target every quantity shares."""
    from ..derive.regularity import model_domains

    symbols, substitute = answer_symbols(model)
    hints = {}
    for c in model.constants:
        hints[1 / c] = f"missing the factor {c} (forgot {c}?)"
        hints[c] = f"an extra factor {c}"
    return dict(quantity=quantity, label=TARGETS[quantity].label, symbols=symbols, constants=tuple(model.constants),
                domains=model_domains(model), data=tuple(zip(model.data, model.support)), substitute=substitute,
                factor_hints=hints)


def _varying(model: Model) -> tuple:
    return tuple(model.params) + tuple(model.data)


# -- the quantities -----------------------------------------------------------------------
@register_target("score", label="score", entries=1)
def _score(model: Model, index, answer) -> Target:
    r, s = _derived(model, "score", "score")
    mistakes = [(-s, "sign error: the score is d log f / d theta, your answer is its negative"),
                (sp.Matrix([sp.diff(model.density, p) for p in model.params]),
                 "you differentiated the density f instead of log f (the score is f'/f)")]
    return Target(expected=s, varying=_varying(model), entry_names=_entry_names(model.params, True), vector=True,
                  mistakes=mistakes, **_setting(model, "score"))


@register_target("hessian", label="Hessian of log f", aliases=("hessian-of-log-f", "log-hessian"), entries=2)
def _hessian(model: Model, index, answer) -> Target:
    r, H = _derived(model, "hessian", "Hessian of log f")
    mistakes = [(-H, "sign error: that is the observed information -d^2 log f; the Hessian is +d^2 log f")]
    I = _report(model, ("fisher",)).get("fisher")
    if I is not None:
        mistakes.append((-I, "that is minus the Fisher information, the expectation of the Hessian over x; the "
                             "Hessian itself depends on the data"))
    return Target(expected=H, varying=_varying(model), entry_names=_entry_names(model.params, False), vector=False,
                  mistakes=mistakes, **_setting(model, "hessian"))


def _information(model: Model, quantity: str, index) -> Target:
    """The Fisher information or the Cramér–Rao bound (its inverse): the same slips, mirrored."""
    params = model.params
    k = len(params)
    r, I = _derived(model, "fisher", "Fisher information")
    H = _report(model, ("hessian",)).get("hessian")
    crb = None
    try:
        crb = _derived(model, "cramer_rao", "Cramér–Rao bound")[1]
    except ModelError:
        if quantity == "cramer-rao":
            raise
    setting = _setting(model, quantity)
    hints = setting["factor_hints"]
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
            mistakes.append((I.applyfunc(lambda e: 1 / e if e != 0 else sp.zoo),
                             "you inverted the Fisher matrix entry by entry; the Cramér–Rao bound is "
                             "the matrix inverse (the off-diagonal terms matter)"))
            mistakes.append((sp.diag(*[1 / I[i, i] for i in range(k)]),
                             "you inverted only the diagonal of the Fisher matrix; the Cramér–Rao bound is "
                             "the full matrix inverse"))
    entry_mistakes = []
    if index is not None:
        i, j = index
        for a, b in itertools.product(range(k), range(k)):
            if (a, b) != (i, j) and (a, b) != (j, i) and expected[a, b] != expected[i, j]:
                entry_mistakes.append((expected[a, b], f"that is entry [{a},{b}] ({params[a]}, {params[b]}) of "
                                                       f"the {setting['label']}, not [{i},{j}]"))
        other = crb if quantity == "fisher" else I
        if other is not None and k > 1:
            what = 'Cramér–Rao bound (the inverse matrix)' if quantity == 'fisher' else 'Fisher information'
            entry_mistakes.append((other[i, j], f"that is entry [{i},{j}] of the {what}"))
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
    return Target(expected=expected, varying=_varying(model), entry_names=_entry_names(params, False), vector=False,
                  mistakes=mistakes, entry_mistakes=entry_mistakes, **setting)


@register_target("fisher", label="Fisher information", aliases=("information", "fisher-information"), entries=2)
def _fisher(model: Model, index, answer) -> Target:
    return _information(model, "fisher", index)


@register_target("cramer-rao", label="Cramér–Rao bound", aliases=("crb", "cramer-rao-bound", "cramér-rao"),
                 entries=2)
def _cramer_rao(model: Model, index, answer) -> Target:
    return _information(model, "cramer-rao", index)


def _kl_symbols(model: Model) -> tuple:
    from ..derive.kl import kl_symbols

    first, second = kl_symbols(model)
    return {s.name: s for s in list(first.values()) + list(second.values()) + list(model.constants)}, {}


@register_target("kl", label="KL divergence", aliases=("kl-divergence",), symbols=_kl_symbols)
def _kl(model: Model, index, answer) -> Target:
    from ..derive.kl import kl_domains, kl_symbols

    r, kl = _derived(model, "kl", "KL divergence")
    first, second = kl_symbols(model)
    swap = {**{first[t]: second[t] for t in model.params}, **{second[t]: first[t] for t in model.params}}
    mistakes = [(sp.Matrix([[kl.xreplace(swap)]]), "the arguments are swapped: that is KL(P_2 || P_1); the KL "
                                                   "divergence is not symmetric"),
                (sp.Matrix([[-kl]]), "sign error: KL = E_1[log f_1 - log f_2]; your answer is its negative "
                                     "(log f_2 - log f_1?)")]
    setting = _setting(model, "kl")
    setting.update(symbols=_kl_symbols(model)[0], domains=kl_domains(model), data=(), substitute={})
    return Target(expected=sp.Matrix([[kl]]), varying=tuple(first.values()) + tuple(second.values()),
                  entry_names=[""], vector=False, mistakes=mistakes, **setting)


def _delta_symbols(model: Model) -> tuple:
    from ..derive.taylor import delta_symbols

    symbols, substitute = answer_symbols(model)
    symbols.update({s.name: s for s in delta_symbols(model)})
    return symbols, substitute


@register_target("kl-quadratic", label="quadratic Taylor term of the KL divergence",
                 aliases=("kl-taylor", "kl-quadratic-term"), symbols=_delta_symbols)
def _kl_quadratic(model: Model, index, answer) -> Target:
    from ..derive.taylor import delta_symbols

    d = _report(model, ("kl_taylor",)).derivations.get("kl_taylor")
    quad = d.extras.get("quadratic") if d is not None and d.result is not None else None
    delta = delta_symbols(model)
    dv = sp.Matrix(delta)
    if quad is None:
        r, I = _derived(model, "fisher", "Fisher information")
        quad = sp.expand((dv.T * I * dv)[0, 0] / 2)
    setting = _setting(model, "kl-quadratic")
    setting["symbols"] = _delta_symbols(model)[0]
    mistakes = []
    crb = _report(model, ("cramer_rao",)).get("cramer_rao")
    if crb is not None:
        mistakes.append((sp.Matrix([[(dv.T * crb * dv)[0, 0] / 2]]),
                         "you used the inverse Fisher information (the Cramér–Rao bound); the quadratic term "
                         "is 1/2 delta^T I delta"))
    setting["factor_hints"][sp.Integer(2)] = \
        "off by a factor 2: the quadratic term is 1/2 delta^T I delta (the 1/2 is missing)"
    return Target(expected=sp.Matrix([[quad]]), varying=tuple(model.params) + delta, entry_names=[""], vector=False,
                  mistakes=mistakes, **setting)


@register_target("jeffreys", label="Jeffreys prior", aliases=("jeffreys-prior",))
def _jeffreys(model: Model, index, answer) -> Target:
    params = model.params
    k = len(params)
    r, I = _derived(model, "fisher", "Fisher information")
    det = I.det() if k > 1 else I[0, 0]
    try:
        with time_limit(share(SIMPLIFY_SHARE), "simplify det I"):
            det = sp.factor(sp.cancel(det))
    except (StepTimeout, StepFailed, sp.PolynomialError):
        pass
    prior = sp.sqrt(det)
    mistakes = [(sp.Matrix([[det]]), "you forgot the square root: the Jeffreys prior is sqrt(det I), not det I"),
                (sp.Matrix([[1 / prior]]), "reciprocal: the Jeffreys prior is sqrt(det I), your answer is "
                                           "1/sqrt(det I)")]
    if k > 1:
        own = sp.Mul(*[_own_factors(sp.sqrt(I[i, i]), params[i]) for i in range(k)])
        mistakes.append((sp.Matrix([[own]]), "you multiplied the one-parameter Jeffreys priors of each parameter "
                                             "separately (the 'independence' prior); the Jeffreys prior is "
                                             "sqrt(det I) of the full Fisher matrix"))
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
    return Target(expected=sp.Matrix([[prior]]), varying=_varying(model), entry_names=[""], vector=False,
                  up_to_constant=True, mistakes=mistakes, **_setting(model, "jeffreys"))


def _gradient_symbols(model: Model) -> tuple:
    symbols, substitute = answer_symbols(model)
    symbols.update({f"g_{p.name}": sp.Symbol(f"g_{p.name}", real=True) for p in model.params})
    return symbols, substitute


@register_target("natural-gradient", label="natural gradient", aliases=("natgrad",), entries=1,
                 symbols=_gradient_symbols)
def _natural_gradient(model: Model, index, answer) -> Target:
    params = model.params
    k = len(params)
    r, I = _derived(model, "fisher", "Fisher information")
    crb = _derived(model, "cramer_rao", "Cramér–Rao bound")[1]
    g = sp.Matrix([sp.Symbol(f"g_{p.name}", real=True) for p in params])
    setting = _setting(model, "natural-gradient")
    flat = flatten(answer)
    g_names = {f"g_{p.name}" for p in params}
    use_score = any(set(model.data) & e.free_symbols for e in flat) and \
        not any(s.name in g_names for e in flat for s in e.free_symbols)
    varying = _varying(model)
    if use_score:  # an answer in the data variable: the natural gradient of the log-likelihood
        g = _derived(model, "score", "score")[1]
        what = "the score"
    else:
        what = "the gradient g"
        setting["symbols"] = _gradient_symbols(model)[0]
        varying = tuple(params) + tuple(g) + tuple(model.data)
    mistakes = [(I * g, f"you multiplied {what} by the Fisher information; the natural gradient multiplies by "
                        "its inverse, I^{-1}"),
                (g, f"that is {what} itself; the natural gradient is I^{{-1}} times it"),
                (-(crb * g), "sign error: the natural gradient is +I^{-1} g (the step is minus it)")]
    if k > 1 and not I.is_diagonal():
        mistakes.append((sp.diag(*[1 / I[i, i] for i in range(k)]) * g,
                         "you divided by the diagonal of I only; the natural gradient uses the full inverse "
                         "I^{-1} (the off-diagonal terms matter)"))
    return Target(expected=crb * g, varying=varying, entry_names=_entry_names(params, True), vector=True,
                  mistakes=mistakes, **setting)


def _own_factors(expr, param):
    """The factors of ``expr`` that involve ``param`` (the one-parameter prior's kernel)."""
    try:
        with time_limit(share(SIMPLIFY_SHARE), "factor"):
            expr = sp.powsimp(sp.expand_power_base(sp.factor(expr), force=False))
    except (StepTimeout, StepFailed, sp.PolynomialError):
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
        out.append((I_at.applyfunc(lambda e: 1 / e) * j**2,
                    "you transformed the variance (1/I) instead of the information"))
    else:
        try:
            Jinv = J.inv()
            out.append((Jinv.T * I_at * Jinv, "you used the inverse Jacobian d phi / d theta; the law is "
                                              "I_phi = J^T I_theta J with J = d theta / d phi"))
        except (ValueError, ZeroDivisionError):
            pass
        out.append((J * I_at * J.T, "the Jacobian is on the wrong sides: I_phi = J^T I_theta J, not J I_theta J^T"))
        out.append((J.T * I_at, "only one Jacobian factor: I_phi = J^T I_theta J"))
        out.append((I_at * J, "only one Jacobian factor: I_phi = J^T I_theta J"))
    return out
