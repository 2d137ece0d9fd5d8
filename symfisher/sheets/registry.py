"""The sheet quantity and witness registries: what a spec's ``[[derive]]`` and ``witness = ...`` may name.

A quantity is ``fn(ctx, **args) -> Derivation`` (:mod:`.quantities`); its ``args`` declare the
kinds the spec parser converts (:func:`symfisher.sheets.schema.convert_arg`), and the
arguments without a default are required in the spec.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

__all__ = ["Quantity", "QUANTITIES", "WITNESSES", "register_quantity", "register_witness", "published",
           "published_names"]



@dataclass(frozen=True)
class Quantity:
    name: str
    fn: Callable  # (ctx, **args) -> Derivation | list[Derivation] | None
    args: dict  # argument name -> kind (see _convert_arg)
    needs_model: bool = True
    summary: str = ""
    publishes: tuple = ()  # the value names its checks can address (``of``); ``name_*``: a family of names

    @property
    def required(self) -> tuple:
        """The arguments a spec must give: those of ``fn`` without a default."""
        import inspect

        return tuple(n for n, prm in list(inspect.signature(self.fn).parameters.items())[1:]
                     if prm.default is inspect.Parameter.empty and prm.kind is prm.POSITIONAL_OR_KEYWORD)


QUANTITIES: dict = {}
WITNESSES: dict = {}


def register_quantity(name: str, args: dict | None = None, needs_model: bool = True, summary: str = "",
                      publishes: tuple = ()):
    """Register a sheet quantity ``fn(ctx, **args)`` under ``name``.

    ``args`` maps each accepted argument to its kind: ``"int"``, ``"posint"``, ``"number"``,
    ``"expr"`` (a number or expression text), ``"str"``, ``"point"`` (a table name -> value),
    ``"vector"``, ``"matrix"``, ``"bool"``.
    """

    def deco(fn):
        QUANTITIES[name] = Quantity(name, fn, dict(args or {}), needs_model, summary or (fn.__doc__ or "").strip(),
                                    tuple(publishes) or (name,))
        return fn

    return deco


def register_witness(name: str):
    """Register a numeric witness ``fn(ctx, request, point) -> (value, detail, stderr)``."""

    def deco(fn):
        WITNESSES[name] = fn
        return fn

    return deco


def published(name: str) -> bool:
    """Whether some registered quantity publishes the value ``name`` (what ``of = ...`` may say)."""
    for q in QUANTITIES.values():
        for pub in q.publishes:
            if name == pub or (pub.endswith("*") and name.startswith(pub[:-1])):
                return True
    return False


def published_names() -> list:
    return sorted({pub for q in QUANTITIES.values() for pub in q.publishes})
