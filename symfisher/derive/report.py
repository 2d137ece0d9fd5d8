"""Everything derivable for a model, gathered into one report (the ``derive`` command).

``derive_all(model, only=...)`` runs the requested quantities in dependency order,
isolating failures (a quantity that fails is ``None`` and listed in ``failures``; the
others still complete), and ``Report.to_json()`` gives the interface contract's object.
Quantities are registered in ``QUANTITIES`` by the module that owns them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import sympy as sp

from ..derivation import Derivation
from ..limits import StepFailed, StepTimeout, contained, default_limit, time_limit
from ..model import Model
from ..simplify import cancels, ensure_printable
from .fisher import cramer_rao, fisher_information, hessian, score
from .regularity import check_support, expected_score
from .structures import dispatch

__all__ = ["derive_all", "Report", "QUANTITIES", "register_quantity", "ALL_QUANTITIES", "fisher_agreement"]


@dataclass
class Report:
    model: Model
    derivations: dict = field(default_factory=dict)  # name -> Derivation
    requested: tuple = ()

    def get(self, name: str):
        d = self.derivations.get(name)
        return d.result if d is not None else None

    def shown(self, name: str) -> bool:
        """Whether ``name`` was asked for (and so is shown), not only needed by another quantity."""
        return name in self.requested

    @property
    def failures(self) -> list:
        out = []
        for name, d in self.derivations.items():
            for f in d.failures:
                out.append({"step": f.step, "reason": f.reason})
        return out

    def to_json(self) -> dict:
        m = self.model

        def strs(M):
            if M is None:
                return None
            return [[str(e) for e in M.row(i)] for i in range(M.rows)]

        want = set(self.requested)
        sc = self.get("score") if "score" in want else None
        fisher = self.derivations.get("fisher")
        out = {
            "model": m.name,
            "data": [str(s) for s in m.data],
            "params": [str(s) for s in m.params],
            "constants": [str(s) for s in m.constants],
            "log_density": str(m.log_density),
            "score": [str(e) for e in sc] if sc is not None else None,
            "hessian": strs(self.get("hessian")) if "hessian" in want else None,
            "fisher": strs(self.get("fisher")) if "fisher" in want else None,
            "fisher_routes_agree": bool(fisher is not None and fisher.extras.get("routes_agree")),
            # additive to the contract: how the agreement above was shown (docs/architecture.md)
            "fisher_routes_agreement": fisher_agreement(fisher) if "fisher" in want else None,
            "cramer_rao": strs(self.get("cramer_rao")) if "cramer_rao" in want else None,
            "kl": None,
            "kl_taylor": None,
            "jeffreys": None,
            "kl_route": None,
            "failures": self.failures,
        }
        for name in ("kl", "kl_taylor", "jeffreys"):
            d = self.derivations.get(name)
            if name in want and d is not None and d.result is not None:
                out[name] = QUANTITIES[name].to_json(d)
        kl = self.derivations.get("kl")
        if "kl" in want and kl is not None and kl.result is not None:
            out["kl_route"] = kl.extras.get("route")  # "derived" or "registered"
        # quantities beyond the contract's keys (symfisher.derive.information), when asked for:
        # the result and each declared field, as text
        extra = {}
        for name in self.requested:
            d = self.derivations.get(name)
            if name in ALL_QUANTITIES or d is None or d.result is None:
                continue
            q = QUANTITIES[name]
            extra[name] = {"result": str(d.result),
                           **{f: str(d.extras[f]) for f in q.fields if d.extras.get(f) is not None}}
        if extra:
            out["quantities"] = extra
        # additive: the entries that are exact series, not closed forms (symfisher/series.py), when any is
        from ..series import series_fields

        series = series_fields(out)
        if series:
            out["series"] = series
        return out


def fisher_agreement(d) -> str | None:
    """How the two routes of a Fisher derivation ``d`` were found to agree: ``"proven"`` (their
    difference cancels: :func:`~symfisher.simplify.cancels`, entry by entry), ``"numeric"`` (it
    vanished at seeded points of the domain only: evidence, not proof), ``None`` (no agreement).

    ``fisher_routes_agree`` stays ``True`` in both cases; this label says which. A producer may
    record the label itself (``extras["routes_agreement"]``); otherwise it is decided here once,
    under the step time limit (not proven within it: ``"numeric"``), and kept in ``extras``.
    """
    if d is None or d.result is None or not d.extras.get("routes_agree"):
        return None
    label = d.extras.get("routes_agreement")
    if label is None:
        outer, curv = d.extras.get("outer"), d.extras.get("curvature")
        label = "numeric"
        if outer is not None and curv is not None:
            try:
                with time_limit(default_limit(), "fisher routes (proof of the agreement)"):
                    if all(cancels(e) for e in sp.Matrix(outer) - sp.Matrix(curv)):
                        label = "proven"
            except StepTimeout:
                pass
        d.extras["routes_agreement"] = label
    return label


@dataclass(frozen=True)
class Quantity:
    name: str
    needs: tuple
    run: Callable  # (model, report, **args) -> Derivation
    to_json: Callable = None  # Derivation -> JSON value (for kl, kl_taylor, jeffreys)
    args: dict = field(default_factory=dict)  # argument -> kind ("point", "posint", "bool", "str", "matrix" ...)
    fields: dict = field(default_factory=dict)  # extras key -> what it holds (the typed paths ``name.field``)
    summary: str = ""


QUANTITIES: dict = {}


def register_quantity(name: str, needs: tuple = (), to_json: Callable | None = None, args: dict | None = None,
                      fields: dict | None = None, summary: str = ""):
    """Register ``fn(model, report, **args) -> Derivation`` under ``name``.

    ``args`` are the keyword arguments a caller (``derive_all(args=...)``, a sheet spec) may
    pass, with their kinds; ``fields`` the ``extras`` a caller may address besides ``result``.
    """
    def deco(fn):
        QUANTITIES[name] = Quantity(name, tuple(needs), fn, to_json, dict(args or {}), dict(fields or {}),
                                    summary or (fn.__doc__ or "").strip().split("\n")[0])
        return fn

    return deco


@register_quantity("score", fields={"raw": "the unsimplified derivatives of the log-density"},
                   summary="the score d/dθ log f")
def _score(model, report):
    # needed only for the Fisher information: the raw derivatives serve, unsimplified
    return score(model, textbook=report.shown("score"))


@register_quantity("hessian", needs=("score",), summary="the Hessian of log f")
def _hessian(model, report):
    return hessian(model, report.derivations["score"].extras["raw"], textbook=report.shown("hessian"))


@register_quantity("fisher", needs=("score", "hessian"), summary="the Fisher information by E[s sᵀ] and by −E[H]",
                   fields={"outer": "E[s sᵀ]", "curvature": "−E[H]"})
def _fisher(model, report, limit=None):
    sd, hd = report.derivations["score"], report.derivations["hessian"]
    d = fisher_information(model, score_vector=sd.extras["raw"], hessian_matrix=hd.extras["raw"], score_shown=sd.result)
    es = dispatch("expected_score", model, score_vector=sd.extras["raw"])
    if es is None:
        es = expected_score(model, sd.extras["raw"])
    d = d.extend(es)
    return d


@register_quantity("cramer_rao", needs=("fisher",), summary="the Cramér–Rao bound I(θ)⁻¹")
def _cramer_rao(model, report):
    return cramer_rao(model, report.get("fisher"))


# each quantity may take at most this many step limits in all (principle 6: bounded)
BUDGET_FACTOR = 3

ALL_QUANTITIES = ("score", "hessian", "fisher", "cramer_rao", "kl", "kl_taylor", "jeffreys")


def _load_extensions() -> None:
    # the geometry quantities live in their own modules and register themselves
    import importlib

    for mod in ("kl", "taylor", "jeffreys", "information"):
        try:
            importlib.import_module(f"{__package__}.{mod}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__package__}.{mod}":
                raise


def derive_all(model: Model, only=None, args=None) -> Report:
    """Derive every quantity of ``ALL_QUANTITIES`` (or only those named, any registered one) for
    ``model``; ``args`` maps a quantity to its keyword arguments. Failures are isolated."""
    _load_extensions()
    check_support(model)
    requested = tuple(ALL_QUANTITIES if not only else only)
    unknown = [q for q in requested if q not in QUANTITIES]
    if unknown:
        raise ValueError(f"unknown quantity {unknown[0]!r} in --only (choose from {', '.join(QUANTITIES)})")
    args = dict(args or {})
    report = Report(model, requested=requested)

    def run(name):
        if name in report.derivations or name not in QUANTITIES:
            return
        q = QUANTITIES[name]
        for dep in q.needs:
            run(dep)
            if report.get(dep) is None:
                report.derivations[name] = Derivation(name, name).fail(name, f"needs {dep}, which could not be derived")
                return
        budget = BUDGET_FACTOR * default_limit()
        # whatever goes wrong inside one quantity (a timeout, SymPy, mpmath, SciPy or our own
        # code) is that quantity's failure, with one line saying why: the report is always printed
        try:
            with time_limit(budget, name), contained(name):
                d = q.run(model, report, **args.get(name, {}))
                # printing orders a sum's terms by evaluating them (mpmath can raise there):
                # a result that cannot be printed fails here, not when the report is printed
                ensure_printable(name, d.result, *(f for s in d.steps for f in (s.lhs,) + tuple(s.forms)))
            report.derivations[name] = d
        except StepTimeout as exc:
            reason = exc.reason if exc.step != name else (f"the whole quantity ran past its budget of {budget:g} s "
                                                          f"({BUDGET_FACTOR} x the time limit of {default_limit():g} s)")
            report.derivations[name] = Derivation(name, name).fail(exc.step, reason)
        except StepFailed as exc:
            report.derivations[name] = Derivation(name, name).fail(exc.step, exc.reason)

    for name in requested:
        run(name)
    return report
