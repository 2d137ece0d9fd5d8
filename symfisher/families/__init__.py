"""The built-in catalog: every family registered by name.

Each family is a factory ``(**sizes) -> Model`` in one of the modules of this package,
registered with :func:`register`; the module docstrings state the textbook
parameterizations. ``get_model(name)`` builds the catalog's instance (with the default
sizes, e.g. ``K = 3`` categories, ``d = 2`` dimensions); ``get_model(name, d=5)`` another.

>>> "gamma" in family_names()
True
>>> get_model("poisson").params
(lam,)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

__all__ = ["register", "get_model", "family_names", "families", "Family", "UnknownModel"]


class UnknownModel(KeyError):
    def __str__(self) -> str:
        return self.args[0]


@dataclass(frozen=True)
class Family:
    name: str
    factory: Callable
    summary: str


_REGISTRY: dict = {}
_INSTANCES: dict = {}


def register(name: str, summary: str):
    """Register a factory ``(**sizes) -> Model`` under ``name``."""

    def deco(factory):
        if name in _REGISTRY:
            raise ValueError(f"family {name!r} registered twice")
        _REGISTRY[name] = Family(name, factory, summary)
        return factory

    return deco


def _load() -> None:
    from . import discrete, continuous, normal, location_scale, regression  # noqa: F401
    from . import extra_continuous, extra_location, extra_discrete, multivariate, extra_regression  # noqa: F401  (coverage)


def families() -> dict:
    _load()
    return dict(_REGISTRY)


def family_names() -> list:
    return list(families())


def get_model(name: str, **sizes):
    """The catalog model ``name`` (``sizes`` such as ``K=4`` or ``d=3`` where the family has them)."""
    fams = families()
    if name not in fams:
        import difflib

        close = difflib.get_close_matches(name, fams, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise UnknownModel(f"unknown model {name!r}{hint} (symfisher list shows the catalog)")
    key = (name, tuple(sorted(sizes.items())))
    if key not in _INSTANCES:
        _INSTANCES[key] = fams[name].factory(**sizes)
    return _INSTANCES[key]
