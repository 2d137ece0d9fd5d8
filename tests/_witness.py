"""What every batch of held-out typed densities repeats, in one place: the literature's closed forms the
batches share (the KL of two exponential, normal-scale, gamma-shape, Cauchy laws ...), the comparison of a
``derive --json`` report with a cited value, and the two tests a batch is (the default cases, and the slow
ones, collected only with ``SYMFISHER_SLOW=1``).

The witness itself (quadrature or exact sums of the typed density, ``sympy.diff`` for the score) is
``test_typed_heldout.check_case``; a case has its format (id, density, --var, --param list, --const list,
witness support, two parameter points, the quantities that must come out, slow). A literature table maps
an id to ``(Fisher rows, KL or None, source)``, symbols as in the case, the KL's in ``name_1``, ``name_2``.
"""
from __future__ import annotations

import os

import pytest

from test_typed_heldout import Witness, _close, _no_cache, _value, check_case  # noqa: F401  (autouse fixture)

# -- closed forms several batches cite; ``{p}`` is the parameter's name --------------------------------------
# the exponential law in its rate (a law whose statistic is Exp(p): Lomax, Burr XII, Topp-Leone, Dagum ...)
EXP_RATE_KL = "log({p}_1/{p}_2) + {p}_2/{p}_1 - 1"
# the normal law in its standard deviation at a common mean (half-normal, log-normal's sigma ...)
NORMAL_SD_KL = "log({p}_2/{p}_1) + {p}_1**2/(2*{p}_2**2) - 1/2"
# the gamma law in its shape at a common rate (Wikipedia, 'Gamma distribution'); ``{a}`` may be an expression
# of the parameter's name, ``{a1}`` and ``{a2}`` its two values
GAMMA_SHAPE_KL = "({a1} - {a2})*polygamma(0, {a1}) - loggamma({a1}) + loggamma({a2})"
# the Cauchy law in its scale at a common location (Chyzak & Nielsen (2019), arXiv:1905.10965, eq. (1))
CAUCHY_SCALE_KL = "log(({p}_1 + {p}_2)**2/(4*{p}_1*{p}_2))"
# the beta law (Wikipedia, 'Beta distribution'), each shape an expression of the parameters
BETA_KL = ("loggamma({a2}) + loggamma({b2}) - loggamma({a2} + {b2}) - loggamma({a1}) - loggamma({b1})"
           " + loggamma({a1} + {b1}) + ({a1} - {a2})*polygamma(0, {a1}) + ({b1} - {b2})*polygamma(0, {b1})"
           " + ({a2} - {a1} + {b2} - {b1})*polygamma(0, {a1} + {b1})")


def exp_rate(p: str) -> str:
    return EXP_RATE_KL.format(p=p)


def normal_sd(p: str) -> str:
    return NORMAL_SD_KL.format(p=p)


def gamma_shape(p: str, scale: str = "{}") -> str:
    """The gamma shape KL with the shape ``scale.format(p)`` (``"{}/2"``: the shape k/2 of a chi-square)."""
    return GAMMA_SHAPE_KL.format(a1="(" + scale.format(f"{p}_1") + ")", a2="(" + scale.format(f"{p}_2") + ")")


def cauchy_scale(p: str) -> str:
    return CAUCHY_SCALE_KL.format(p=p)


def literature_matches(case, out, literature: dict) -> None:
    """The JSON's closed forms against the cited values (``literature``: id -> (Fisher rows, KL, source)),
    at the case's two parameter points."""
    import sympy as sp

    lit = literature.get(case[0])
    if lit is None:
        return
    fisher, kl, _source = lit
    w = Witness(case)
    names = dict(w.names)
    if out["fisher"] is not None:
        for pt in case[6]:
            for i, row in enumerate(fisher):
                for j, want in enumerate(row):
                    got = _value(out["fisher"][i][j], names, pt)
                    assert _close(got, _value(want, names, pt)), (case[0], "fisher vs literature", i, j, pt, got, want)
    if kl is not None and out["kl"] is not None:
        kl_names = {c.name: c for c in w.consts}
        a, b = case[6]
        sub = {k: v for k, v in a.items() if k not in {p.name for p in w.params}}
        for p in w.params:
            for k, pt in (("1", a), ("2", b)):
                kl_names[f"{p.name}_{k}"] = sp.Symbol(f"{p.name}_{k}", **p.assumptions0)
                sub[f"{p.name}_{k}"] = pt[p.name]
        got, want = _value(out["kl"], kl_names, sub), _value(kl, kl_names, sub)
        assert _close(got, want), (case[0], "kl vs literature", got, want)


def run_case(case, capsys, literature: dict):
    """One held-out case: every derived quantity against the numeric witness, then against the literature."""
    out = check_case(case, capsys)
    literature_matches(case, out, literature)
    return out


def slow_enabled() -> bool:
    return bool(os.environ.get("SYMFISHER_SLOW"))


def case_tests(cases, literature: dict):
    """The parametrized test of ``cases`` (each against the witness and ``literature``); an empty list, or the
    slow cases without ``SYMFISHER_SLOW=1``, gives None (no test is collected, none is skipped)."""
    if not cases:
        return None

    @pytest.mark.parametrize("case", cases, ids=[c[0] for c in cases])
    def test(case, capsys):
        run_case(case, capsys, literature)

    return test


def split(cases, default=None):
    """(the cases the default suite runs, the slow ones): ``default`` names the default ones, else a case's
    slow flag decides; the slow list is empty without ``SYMFISHER_SLOW=1``."""
    fast = [c for c in cases if (c[0] in default if default is not None else not c[8])]
    slow = [c for c in cases if c not in fast]
    return fast, (slow if slow_enabled() else [])


def assert_new_and_cited(cases, literature: dict, others=(), minimum: int = 1) -> None:
    """A batch's own checks: at least ``minimum`` ids, all new (against ``others``, batches of the same format),
    and every case that must derive something cited."""
    ids = [c[0] for c in cases]
    assert len(ids) == len(set(ids)) >= minimum
    assert not set(ids) & {c[0] for c in others}
    for c in cases:
        assert not c[7] or c[0] in literature, c[0]


def numeric_total(model, point: dict, breaks=()) -> float:
    """A one-variable density's total at ``point`` (parameter and constant values by name) by mpmath: the
    partial sums of a series on an integer support, else quadrature over the support split at ``breaks``
    (a mode or a kink, where the integrand turns)."""
    import mpmath
    import sympy as sp

    x, sup = model.data[0], model.support[0]
    sub = {s: sp.Float(point[s.name], 30) for s in (*model.params, *model.constants) if s.name in point}
    f = sp.lambdify(x, sp.exp(model.log_density.xreplace(sub)), "mpmath")
    lo, hi = sup.lo.xreplace(sub), sup.hi.xreplace(sub)
    if type(sup).__name__ == "IntegerSupport":
        return float(mpmath.nsum(lambda k: f(k), [int(lo), mpmath.inf]))
    lo = -mpmath.inf if lo == -sp.oo else mpmath.mpf(str(lo))
    hi = mpmath.inf if hi == sp.oo else mpmath.mpf(str(hi))
    return float(mpmath.quad(f, [lo, *(mpmath.mpf(b) for b in breaks), hi]))


def forbid(monkeypatch, why: str, *targets) -> None:
    """Make each ``(owner, name)`` raise an AssertionError saying ``why`` when called (a route that must not run)."""
    def refuse(*args, **kwargs):
        raise AssertionError(why)

    for owner, name in targets:
        monkeypatch.setattr(owner, name, refuse)

