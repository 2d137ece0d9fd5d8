"""Derivations are data: a result plus the steps that led to it.

A :class:`Step` holds SymPy objects and the words that justify them, never formatted
text: ``lhs = forms[0] = forms[1] = ...`` with a statement (what is claimed) and a
reason (why). A :class:`Derivation` is a titled sequence of steps with its result, the
failures of any step SymPy could not finish (principle 6), and optional numeric checks.
Renderers in :mod:`symfisher.render` turn these records into LaTeX, HTML, Markdown
and JSON; nothing here formats strings.

>>> import sympy as sp
>>> p = sp.Symbol("p", positive=True)
>>> d = Derivation("fisher", "Fisher information", result=1/(p*(1-p)))
>>> d = d.add(Step("The Fisher information", "take expectations", sp.Symbol("I"), (1/(p*(1-p)),)))
>>> len(d.steps), d.ok
(1, True)
"""
from __future__ import annotations

import copyreg
from dataclasses import dataclass, field, replace
from typing import Any

import sympy as sp

__all__ = ["Step", "Failure", "Check", "Derivation"]


def _unevaluated(cls, args):
    return cls(*args, evaluate=False)


def _reduce_unevaluated(obj):
    return _unevaluated, (type(obj), obj.args)


# A step shows an equation such as Eq(I, Matrix(...)) or a membership as written
# (evaluate=False). SymPy pickles by re-calling the constructor, which would evaluate it to
# True/False when derivations cross a process boundary (the sheet pool); rebuild unevaluated.
for _cls in (sp.Equality, sp.Unequality, sp.GreaterThan, sp.LessThan, sp.StrictGreaterThan,
             sp.StrictLessThan, sp.Contains):
    copyreg.pickle(_cls, _reduce_unevaluated)


@dataclass(frozen=True)
class Step:
    """One step: ``lhs = forms[0] = forms[1] = ...``, what it claims and why.

    ``lhs`` may be ``None`` (then the forms are shown on their own); ``forms`` are SymPy
    objects (expressions, matrices, relations). ``statement`` says what is claimed,
    ``reason`` the rule applied ("differentiate the log-density", "E[X] = p"). ``relation`` joins
    ``lhs`` to the first form: ``"="``, or ``"propto"`` where the step claims proportionality only
    (a prior up to its constant); the later forms are equal to the first.
    """

    statement: str
    reason: str = ""
    lhs: Any = None
    forms: tuple = ()
    relation: str = "="

    @property
    def expr(self):
        """The last form: what the step arrives at."""
        return self.forms[-1] if self.forms else None


@dataclass(frozen=True)
class Failure:
    """A step SymPy could not finish, and why (time limit, unevaluated integral ...)."""

    step: str
    reason: str

    def as_dict(self) -> dict:
        return {"step": self.step, "reason": self.reason}


@dataclass(frozen=True)
class Check:
    """An independent numeric witness of a closed form: value vs target within tol."""

    name: str
    value: float
    target: float
    tol: float
    detail: str = ""
    stderr: float | None = None

    @property
    def error(self) -> float:
        return abs(self.value - self.target)

    @property
    def passed(self) -> bool:
        import math

        if not (math.isfinite(self.value) and math.isfinite(self.target)):
            return False
        return self.error <= self.tol * max(1.0, abs(self.target))


@dataclass(frozen=True)
class Derivation:
    """A derived quantity: title, result, the steps, failures and numeric checks.

    Derivations are immutable; :meth:`add`, :meth:`fail` and :meth:`with_result`
    return new ones.
    """

    quantity: str
    title: str
    result: Any = None
    steps: tuple = ()
    failures: tuple = ()
    checks: tuple = ()
    notes: tuple = ()
    extras: dict = field(default_factory=dict, compare=False)

    @property
    def ok(self) -> bool:
        return self.result is not None and not self.failures

    def _evolve(self, **changes) -> "Derivation":
        # each derivation owns its extras: a later update must not reach back into an earlier one
        return replace(self, extras=dict(self.extras), **changes)

    def add(self, *steps: Step) -> "Derivation":
        return self._evolve(steps=self.steps + tuple(steps))

    def fail(self, step: str, reason: str) -> "Derivation":
        return self._evolve(failures=self.failures + (Failure(step, reason),))

    def note(self, text: str) -> "Derivation":
        return self._evolve(notes=self.notes + (text,))

    def check(self, *checks: Check) -> "Derivation":
        return self._evolve(checks=self.checks + tuple(checks))

    def with_result(self, result) -> "Derivation":
        return self._evolve(result=result)

    def extend(self, other: "Derivation") -> "Derivation":
        """Append another derivation's steps, failures and checks (its result is not taken)."""
        return self._evolve(
            steps=self.steps + other.steps,
            failures=self.failures + other.failures,
            checks=self.checks + other.checks,
            notes=self.notes + other.notes,
        )

    # Jupyter display: formatting lives in the renderers
    def _repr_latex_(self) -> str:
        from .render.latex import render_derivation_fragment

        return render_derivation_fragment(self)

    def _repr_html_(self) -> str:
        from .render.html import render_derivation_fragment

        return render_derivation_fragment(self)

    def __str__(self) -> str:  # plain text, for the terminal
        from .render.text import render_derivation

        return render_derivation(self)
