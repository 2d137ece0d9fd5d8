"""What a spec's ``[[derive]]``, ``of = ...`` and ``witness = ...`` may name: one registry.

Every quantity of the engine's registry (:data:`symfisher.derive.report.QUANTITIES`: the
score, the Fisher information, KL, Jeffreys and the general quantities of
:mod:`symfisher.derive.information`) is a sheet quantity as it is: its arguments, its fields
(the typed paths ``name.field``) and its derivation come from there, and a sheet derives it
through ``derive_all``, the pipeline of ``symfisher derive``. The only quantities registered
here are those that are not a model's derivation: the logistic-regression computations on
seeded data (:mod:`symfisher.ml`, no ``[model]``) and ``witnesses``, which turns the engine's
own numeric witnesses (:mod:`symfisher.witness`) into check rows.

>>> q = QUANTITIES["fisher_extremes"]
>>> q.engine, sorted(q.fields)
(True, ['argmax', 'argmin', 'limits', 'maximum', 'minimum'])
>>> QUANTITIES["ewc"].needs_model
False
"""
from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Callable

__all__ = ["Quantity", "QUANTITIES", "WITNESSES", "register_quantity", "register_witness"]


@dataclass(frozen=True)
class Quantity:
    """A quantity as a spec sees it: its arguments (name -> kind, see ``schema.convert_arg``),
    the fields a path may address besides the result, and whether the engine derives it."""

    name: str
    args: dict
    fields: dict
    summary: str
    required: tuple  # the arguments a spec must give
    engine: bool = True  # derived by symfisher.derive.report.derive_all
    needs_model: bool = True
    fn: Callable | None = None  # sheet-only quantities: (ctx, **args) -> Derivation | None


def _required(fn, skip: int) -> tuple:
    params = list(inspect.signature(fn).parameters.values())[skip:]
    return tuple(p.name for p in params if p.default is inspect.Parameter.empty and p.kind is p.POSITIONAL_OR_KEYWORD)


_SHEET_ONLY: dict = {}
WITNESSES: dict = {}


class _Quantities(Mapping):
    """The engine's quantities (read from its registry each time) and the sheet-only ones."""

    def _all(self) -> dict:
        from ..derive.report import QUANTITIES as ENGINE, _load_extensions

        _load_extensions()
        out = {n: Quantity(n, dict(q.args), dict(q.fields), q.summary, _required(q.run, 2))
               for n, q in ENGINE.items()}
        out.update(_SHEET_ONLY)
        return out

    def __getitem__(self, name):
        return self._all()[name]

    def __iter__(self):
        return iter(self._all())

    def __len__(self):
        return len(self._all())


QUANTITIES = _Quantities()


def register_quantity(name: str, args: dict | None = None, fields: dict | None = None, needs_model: bool = True,
                      summary: str = ""):
    """Register a sheet-only quantity ``fn(ctx, **args) -> Derivation | None`` (one that is not a
    model's derivation; those belong in the engine's registry). Its ``fields`` are ``extras``
    keys of the derivation it returns."""

    def deco(fn):
        _SHEET_ONLY[name] = Quantity(name, dict(args or {}), dict(fields or {}),
                                     summary or (fn.__doc__ or "").strip(), _required(fn, 1), engine=False,
                                     needs_model=needs_model, fn=fn)
        return fn

    return deco


def register_witness(name: str):
    """Register a numeric witness ``fn(ctx, request, point) -> (value, detail, stderr)``."""

    def deco(fn):
        WITNESSES[name] = fn
        return fn

    return deco
