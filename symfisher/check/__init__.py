r"""Is a user's expression equal to a derived result, and if not, what went wrong.

``check_answer(model, quantity, text)`` reads the user's answer through the safe parser
(:mod:`symfisher.check.answer`; nothing is evaluated), builds the registered target of the quantity
(:mod:`symfisher.check.targets`), and decides, entry by entry (:mod:`symfisher.check.compare`):

* **equal** (exit 0) when SymPy proves ``yours - correct`` is 0 under the domain assumptions;
* **not equal** (exit 1) when the difference is non-zero at a point of the domain -- exactly, or
  to 50 significant digits -- however small it is (``1/(p*(1-p)) + 1e-12`` is not the Fisher
  information); the verdict shows the point, both values and the difference;
* **equal at N points, not proven** (exit 0, and the verdict says so in these words) when SymPy
  cannot reduce the difference to 0 but it vanishes to 50 digits at every one of N points spread
  over the whole domain (:mod:`symfisher.check.points`: near every end, large and small
  magnitudes, both sides of every visible breakpoint). ``Verdict.proved`` is then ``False``.

Decimals are read exactly as typed (``0.5`` is ``1/2``) and the verdict says so: an answer equal
only up to its decimals' rounding (``0.333/p``) is not equal (exit 1), with how closely it agrees.
When not equal, a tutor's diagnosis is looked for (:mod:`symfisher.check.diagnose`): a constant
factor (named: ``2``, ``1/2``, a forgotten ``n``), a sign error, the reciprocal (the Cramér–Rao
bound given for the information or the other way round), a missing Jacobian factor or a wrong power
of it (reparameterized models), agreement on part of the domain only (and where), transposed or
reordered matrix entries, a missing or extra term, and the usual slips of each quantity.

Quantities (``QUANTITY`` on the command line):

============================ ==============================================================
``score``, ``score[i]``      the score vector ``d log f / d theta`` (``[a, b]``), or one component
                             (``score[0]`` or ``score[mu]``); in the data variable(s)
``hessian`` (entries too)    the Hessian ``d^2 log f / d theta d theta^T``, in the data variable(s)
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
>>> v.equal, v.proved, v.exit_code
(True, True, 0)
>>> v = check_answer(get_model("bernoulli"), "fisher", "p*(1-p)")
>>> v.equal, v.diagnosis
(False, 'reciprocal: you gave the inverse of the Fisher information, which is the Cramér–Rao bound (the variance bound), not the information')
>>> check_answer(get_model("poisson"), "fisher", r"\frac{2}{\lambda}", latex=True).diagnosis
'off by a factor 2: your answer is twice the correct one'
>>> check_answer(get_model("bernoulli"), "fisher", "1/(p*(1-p)) + 1e-12").exit_code
1
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from ..limits import StepTimeout, default_limit, share, time_limit
from ..model import Model, ModelError
from ..parsing import ParseError
from ..simplify import as_expr
from .answer import as_shape, decimal_literals, flatten, map_nested, read_answer, short
from .compare import DIGITS, Comparison, _number, compare, evaluate, huge_constant
from .diagnose import close, constant_ratio, counterexample, diagnose_matrix, diagnose_scalar, matches
from .points import spread_points
from .targets import TARGETS, Target, parse_quantity, quantity_names, register_target

__all__ = ["Verdict", "check_answer", "QUANTITY_NAMES", "parse_quantity", "register_target", "TARGETS"]

QUANTITY_NAMES = quantity_names()
DIAGNOSIS_SHARE = 0.5  # of the time limit (and at most half of what is left) for the hints of a wrong answer
NOISE = sp.Float(10) ** -40  # relative spread of yours/correct below which a ratio is constant


@dataclass
class Verdict:
    """The outcome of a check.

    ``equal``: the answer is right (for ``jeffreys``: up to a constant factor); ``proved``: SymPy
    reduced the difference to 0 (``False`` with ``equal``: "equal at N points, not proven").
    ``up_to_constant``: ``None`` for quantities compared exactly; for the Jeffreys prior
    ``True`` when the answer is the prior times a constant factor other than 1 (fine for a
    prior) and ``False`` when it is the same function exactly.
    ``diagnosis``: what probably went wrong (``None`` when equal or when no known mistake fits).
    ``counterexample``: ``{"point": {name: value}, "yours": str, "expected": str, "entry": str | None}``
    where the two differ (``None`` when equal); ``difference``: yours - correct there, as text.
    ``points``: how many points had both sides defined; ``decimals``: ``[(literal, exact value)]``
    of the decimals in the answer. ``message``: the verdict in words (what the command prints).
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
    difference: str | None = None
    points: int = 0
    decimals: list = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 0 if self.equal else 1


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
        from ..derive.reparam import reparameterize

        model = reparameterize(model, coords)
    if not isinstance(model, Model):
        raise ModelError(f"expected a Model, got {type(model).__name__}")
    name, index = parse_quantity(quantity, model.params)
    kind = TARGETS[name]
    k = len(model.params)

    # read first (bad text fails fast, before any derivation)
    from .targets import answer_symbols

    symbols, substitute = (kind.symbols or answer_symbols)(model)
    ans = read_answer(answer, symbols, latex)
    decimals = decimal_literals(answer)
    if substitute:
        ans = map_nested(ans, lambda e: as_expr(e).subs(substitute, simultaneous=True))
    for e in flatten(ans):
        big = huge_constant(e)
        if big is not None:
            raise ParseError(f"the answer contains the number {short(big, 40)}, too large to evaluate or compare")

    # the shape follows from the parameters alone: a wrong one is refused before anything is derived
    if index is not None or not kind.entries:
        as_shape(ans, 1, 1, kind.label + (f" entry {list(index)}" if index is not None else ""))
    else:
        as_shape(ans, k, k if kind.entries == 2 else None, kind.label)
    t = kind.build(model, index, ans)
    E = t.expected
    what = t.label + (f" entry {list(index)}" if index is not None else "")
    if index is not None:
        entry = E[index[0], index[1]] if len(index) == 2 else E[index[0], 0]
        U = as_shape(ans, 1, 1, what)
        E1 = sp.Matrix([[entry]])
        mistakes = [(m[index[0], index[1]] if len(index) == 2 else m[index[0], 0], text) for m, text in t.mistakes]
        mistakes = [(sp.Matrix([[m]]), text) for m, text in mistakes]
        t.late = list(t.entry_mistakes)  # other entries: tried after a constant factor
        names = [t.entry_names[index[0] * k + index[1]] if len(index) == 2 else t.entry_names[index[0]]]
        return _decide(t, U, E1, mistakes, names, True, quantity, decimals)
    U = as_shape(ans, E.rows, None if t.vector else E.cols, t.label)
    return _decide(t, U, E, t.mistakes, t.entry_names, E.shape == (1, 1), quantity, decimals)


def _points(t: Target, exprs) -> list:
    syms = [s for s in tuple(t.varying) + tuple(t.constants) if s not in {x for x, _ in t.data}]
    return spread_points(syms, t.domains, t.data, exprs)


def _decide(t: Target, U, E, mistakes, names, scalar_entry, quantity, decimals) -> Verdict:
    """The comparison and diagnosis, all entries together, under one time limit (``--time-limit``); each
    of its sub-steps (a proof attempt, a point) gets a share of it (:func:`symfisher.limits.share`)."""
    seconds = default_limit()
    try:
        with time_limit(seconds, "check the answer"):
            points = _points(t, list(U) + list(E))
            return _decide_inner(t, U, E, mistakes, names, scalar_entry, quantity, points, decimals)
    except StepTimeout:
        raise ModelError(f"checking the {t.label} did not finish within the time limit of {seconds:g} s "
                         "(--time-limit); give a larger --time-limit") from None


def _decimal_note(decimals) -> str:
    shown = ", ".join(f"{lit} = {v}" for lit, v in decimals[:3]) + (", ..." if len(decimals) > 3 else "")
    return f"your answer uses decimals, read exactly as typed ({shown})"


def _not_proven_reason(comps) -> str:
    if any(c.timed_out for c in comps):
        return "SymPy's simplifications ran out of their time limit before reducing the difference to 0"
    return "SymPy's simplifications did not reduce the difference to 0"


def _agreement(comps) -> float | None:
    """The largest relative difference at the points (None when undefined somewhere it matters)."""
    worst = 0.0
    for c in comps:
        for dv, rv, a in zip(c.diffs, c.rv, c.agree):
            if a is False and (dv is None or rv is None):
                return None
            if dv is not None and rv is not None:
                worst = max(worst, float(abs(sp.N(dv, 15))) / max(abs(rv), 1e-300))
    return worst


def _result(E):
    return E if E.shape != (1, 1) else E[0, 0]


def _diagnosis(t, U, E, comps, mistakes, names, points):
    mistakes = [(m, text) for m, text in mistakes  # a "slip" that equals the right answer here (-H = I) is none
                if m.shape != E.shape or not all(matches(E[k], m[k], points) for k in range(len(E)))]
    for cand, text in mistakes:
        if cand.shape == U.shape and all(matches(U[k], cand[k], points) for k in range(len(U))):
            return text
    if U.shape == (1, 1):
        return diagnose_scalar(comps[0], t, [(m[0, 0], text) for m, text in mistakes if m.shape == (1, 1)])
    return diagnose_matrix(t, U, E, comps, mistakes, names, points)


def _decide_inner(t, U, E, mistakes, names, scalar_entry, quantity, points, decimals) -> Verdict:
    label = t.label
    note = (" " + _decimal_note(decimals)[0].upper() + _decimal_note(decimals)[1:] + ".") if decimals else ""
    if t.up_to_constant:
        return _decide_up_to_constant(t, U, E, mistakes, quantity, points, decimals, note)
    comps = [compare(U[k], E[k], points, domains=t.domains) for k in range(len(U))]
    n = max(c.evidence for c in comps)
    if all(c.equal for c in comps):
        if all(c.status == "proved" for c in comps):
            msg = "equal: SymPy reduces the difference to 0 under the domain assumptions" + (
                f", and the two agree at {n} points of the domain." if n else
                " (the points of the domain could not be evaluated safely, so there is no numeric evidence besides).")
            proved = True
        else:
            open_ = [names[k] for k, c in enumerate(comps) if c.status != "proved"]
            which = f" (entries {', '.join(open_)})" if len(U) > 1 else ""
            msg = (f"equal at {n} points, not proven{which}: the difference vanishes to {DIGITS} digits at {n} points "
                   f"spread over the whole domain (near its ends and on both sides of any breakpoint), but "
                   f"{_not_proven_reason(comps)}.")
            proved = False
        return Verdict(True, None, None, None, msg + note, quantity, proved, _result(E), _result(U), None, n,
                       decimals)
    # not equal: diagnosis (a hint, under a share of the time left: none when it runs out) and counterexample
    diagnosis = None
    try:
        with time_limit(share(DIAGNOSIS_SHARE), "diagnose the answer"):
            diagnosis = _diagnosis(t, U, E, comps, mistakes, names, points)
    except StepTimeout:
        diagnosis = None
    wrong = [k for k, c in enumerate(comps) if not c.equal]
    k0 = next((k for k in wrong if comps[k].status == "differs"), wrong[0])
    ce, diff = counterexample(comps[k0], names[k0] or None if len(names) > 1 or scalar_entry else None)
    where = f" entry {names[k0]}" if len(U) > 1 else ""
    if ce is None:  # undecided: no point differs, but the points do not cover the domain either
        c0 = comps[k0]
        ce = {"point": {}, "yours": "undefined", "expected": "undefined", "entry": names[k0] or None}
        why = (f"{c0.skipped} of the {len(c0.points)} points could not be evaluated safely (values too large)"
               if c0.skipped else f"the correct value could be evaluated at only {c0.evidence} points")
        agree = f"; the two agree at the other {c0.evidence} points" if c0.evidence and c0.skipped else ""
        msg = (f"not equal (not shown equal):{where} {_not_proven_reason([c0])}, and {why}{agree}, so the "
               "comparison does not cover the domain.")
        return Verdict(False, None, diagnosis, ce, msg + note, quantity, False, _result(E), _result(U), None,
                       c0.evidence, decimals)
    pt = ", ".join(f"{a} = {b}" for a, b in ce["point"].items())
    shown = f" (yours - correct = {diff})" if diff is not None else ""
    head = "not equal"
    if decimals:
        rel = _agreement(comps)
        close = f"; it agrees to {rel:.0e} but is not exactly the {label}" if rel is not None and rel < 1e-3 else ""
        head = f"not equal: {_decimal_note(decimals)}{close}"
        note = ""
    msg = f"{head}: at {pt}{where}: yours = {ce['yours']}, correct = {ce['expected']}{shown}."
    return Verdict(False, None, diagnosis, ce, msg + note, quantity, False, _result(E), _result(U), diff,
                   max(c.evidence for c in comps), decimals)


def _ratio_values(u, r, points, constants):
    """yours/correct at 50 digits at each point (None where undefined), and the points' constants. When the
    15-digit values (memoized by the comparisons before) already show the ratio varying between two points
    with the same constants, only those two are evaluated at 50 digits (each point of a polygamma expression
    costs a tenth of a second there); the others are None."""
    groups = [tuple(pt.get(c) for c in constants) for pt in points]
    look = range(len(points))
    seen: dict = {}  # constants' values -> the first 15-digit ratio there
    for k, (a, b) in enumerate(zip(evaluate(u, points), evaluate(r, points))):
        if a is None or b is None or abs(a) < 1e-30 or abs(b) < 1e-30:
            continue
        if groups[k] not in seen:
            seen[groups[k]] = (k, a / b)
        elif not close(a / b, seen[groups[k]][1]):
            look = (seen[groups[k]][0], k)
            break
    q = u / r
    out = [None] * len(points)
    for k in look:
        v = _number(q, points[k])
        out[k] = v if isinstance(v, sp.Basic) and v.is_number and v != 0 else None
    return out, groups


def _decide_up_to_constant(t, U, E, mistakes, quantity, points, decimals, note) -> Verdict:
    """Jeffreys: ``yours = c * correct`` with ``c`` free of the parameters (constants allowed)."""
    u, r = U[0, 0], E[0, 0]

    tried = None  # (constant, comparison with that constant times the prior) that failed
    c = constant_ratio(u, r, t, points)
    if c is not None and not c.has(sp.Float):
        cmp = compare(u, c * r, points, domains=t.domains)
        if cmp.equal:
            return _equal_up_to(t, u, r, c, cmp, quantity, decimals, note)
        tried = (c, cmp)
    ratios, groups = _ratio_values(u, r, points, t.constants)
    bad = None  # (k, k0): two points with the same constants and different ratios
    first: dict = {}
    for k, (v, g) in enumerate(zip(ratios, groups)):
        if v is None:
            continue
        if g not in first:
            first[g] = k
            continue
        v0 = ratios[first[g]]
        if abs(sp.N(v - v0, 15)) > NOISE * abs(sp.N(v0, 15)):
            bad = (k, first[g])
            break
    if bad is None:
        defined = [v for v in ratios if v is not None]
        c0 = defined[0] if defined else None
        if c0 is not None and not t.constants and c0.is_real and c0 > 0:
            guess = sp.nsimplify(sp.Float(c0, DIGITS), [sp.pi], tolerance=sp.Float(10) ** -35)
            cmp = compare(u, guess * r, points, domains=t.domains)
            if cmp.equal:
                return _equal_up_to(t, u, r, guess, cmp, quantity, decimals, note)
            tried = (guess, cmp)
    diagnosis = None
    try:
        with time_limit(share(DIAGNOSIS_SHARE), "diagnose the answer"):
            for cand, text in mistakes:
                if cand.shape == (1, 1) and (matches(u, cand[0, 0], points) or
                                             constant_ratio(u, cand[0, 0], t, points) is not None):
                    diagnosis = text
                    break
    except StepTimeout:
        diagnosis = None
    plain = compare(u, r, points, symbolic=False)
    if bad is not None:
        k, k0 = bad
        ce, _ = counterexample(plain, None, k)
        ce0, _ = counterexample(plain, None, k0)
        pt = ", ".join(f"{a} = {b}" for a, b in ce["point"].items())
        pt0 = ", ".join(f"{a} = {b}" for a, b in ce0["point"].items())
        r1, r0 = sp.N(ratios[k], 12), sp.N(ratios[k0], 12)
        if str(r1) == str(r0):  # the ratios differ beyond 12 digits: say by how much
            r1 = f"{r0} + ({sp.N(ratios[k] - ratios[k0], 3)})"
        msg = (f"not equal (even up to a constant factor): at {pt}: yours = {ce['yours']}, correct = "
               f"{ce['expected']} (the ratio yours/correct is {r1} there but {r0} at {pt0}: it is not constant).")
    else:
        if plain.first_difference() is None and tried is not None and tried[1].first_difference() is not None:
            plain, scale = tried[1], tried[0]  # differs from the constant times the prior only past a breakpoint
        else:
            scale = sp.Integer(1)
        k = plain.first_difference()
        ce, diff = counterexample(plain, None, k) if k is not None else (None, None)
        ce = ce or {"point": {}, "yours": "undefined", "expected": "undefined", "entry": None}
        pt = ", ".join(f"{a} = {b}" for a, b in ce["point"].items())
        shown = "" if diff is None else f"; yours - {'' if scale == 1 else f'{scale}*'}correct = {diff} there"
        msg = (f"not equal (not shown equal up to a constant factor): at {pt}: yours = {ce['yours']}, correct = "
               f"{ce['expected']} (the ratio of the two could not be shown constant{shown}).")
    return Verdict(False, False, diagnosis, ce, msg + note, quantity, False, r, u, None, plain.evidence, decimals)


def _equal_up_to(t, u, r, c, cmp: Comparison, quantity, decimals, note) -> Verdict:
    if c.is_negative:  # -1/lam is no prior: a density is positive, so only a positive factor is free
        plain = compare(u, r, cmp.points, symbolic=False)
        k = plain.first_difference()
        ce, _ = counterexample(plain, None, k) if k is not None else (None, None)
        msg = (f"not equal: your answer is the {t.label} times {c}, a negative factor; a prior density is "
               f"positive, so it is defined only up to a positive constant.")
        return Verdict(False, True, None, ce, msg + note, quantity, False, r, u, None, cmp.evidence, decimals)
    exact = sp.simplify(c - 1) == 0
    label = t.label
    n = cmp.evidence
    what = f"the {label}" + (" exactly" if exact else f" up to the constant factor {c} (fine for a prior, which is "
                                                       "defined up to a constant)")
    if cmp.status == "proved":
        msg = f"equal: your answer is {what}; SymPy reduces the difference to 0."
    else:
        msg = (f"equal at {n} points, not proven: your answer is {what} to {DIGITS} digits at {n} points spread over "
               f"the whole domain, but {_not_proven_reason([cmp])}.")
    return Verdict(True, not exact, None, None, msg + note, quantity, cmp.status == "proved", r, u, None, n, decimals)
