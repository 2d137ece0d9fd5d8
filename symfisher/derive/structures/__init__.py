"""Structures found in a model's density, tried once per model (see docs/architecture.md).

A *structure* is something the engine can recognise in a log-density and exploit: an
exponential family ``eta(theta).T(x) - A(theta)``, a transformed base law ``X = g(Y)``, a
linear index ``eta = a.theta`` (a GLM), the Gaussian in matrix form, an identity with a
catalog family under a parameter map. Each is a :class:`Structure` registered here with
:func:`register_structure`; its ``find`` looks at the model (never at its name) and returns
what it found, or ``None``.

The generic derivations (score, Hessian, Fisher, KL, Taylor, Jeffreys, ...) never name a
structure. They ask :func:`dispatch` for a hook's answer and fall back to the generic
route when every applicable structure declines (returns ``None``)::

    d = dispatch("fisher", model, limit=limit)
    if d is None:
        d = _generic_fisher(...)

A hook has the signature ``hook(model, found, *args, **kwargs) -> Derivation | None``;
``found`` is what ``find`` returned for this model. Hooks a structure does not define
decline. ``find`` runs at most once per model object (the answers are remembered), lazily,
in priority order (lower first); a structure marked ``fallback`` (the identity with a catalog
family) is tried only when no structure before it was found.

>>> from symfisher.families import get_model
>>> [f.structure.name for f in applicable(get_model("poisson"))]
['exponential_family']
>>> dispatch("fisher", get_model("poisson")).result
Matrix([[1/lam]])
>>> dispatch("no_such_hook", get_model("poisson")) is None
True
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

__all__ = ["Structure", "Found", "register_structure", "applicable", "dispatch", "dispatch_declined", "find",
           "registered"]


class Structure:
    """One kind of structure: ``find`` it in a model, then answer hooks from what was found.

    Subclasses set ``name`` and ``priority`` and define ``find`` plus any of the hooks
    (``score``, ``hessian``, ``fisher``, ``expected_score``, ``cramer_rao``, ``kl``,
    ``kl_taylor``, ``jeffreys``, ...). A hook returns a Derivation, or ``None`` to decline;
    ``expected_log_derivative(model, found, wrt=(theta_i, ...))`` returns the expression
    ``E[d^alpha log f]`` instead (the KL Taylor expansion asks it before integrating).
    """

    name: str = ""
    priority: int = 100
    fallback: bool = False  # tried only when no structure of higher priority was found in the model

    def find(self, model) -> Any | None:  # pragma: no cover - every structure defines it
        raise NotImplementedError

    def wanted(self, model, hook: str) -> bool:
        """Whether a fallback structure is worth looking for to answer ``hook`` for ``model`` (a
        cheap test, before ``find``); one that is not is still asked by :func:`dispatch_declined`
        when the generic route fails."""
        return True


@dataclass(frozen=True)
class Found:
    """A structure and what it found in one model."""

    structure: Structure
    value: Any


_REGISTRY: list = []
_FOUND: dict = {}  # id(model) -> (model, [Found, ...]); the model is kept so the id stays its own
_LOCK = threading.Lock()


def register_structure(structure: Structure) -> Structure:
    """Register an instance (or, used as a class decorator, the class, instantiated once)."""
    inst = structure() if isinstance(structure, type) else structure
    if any(s.name == inst.name for s in _REGISTRY):
        raise ValueError(f"structure {inst.name!r} registered twice")
    _REGISTRY.append(inst)
    _REGISTRY.sort(key=lambda s: s.priority)
    with _LOCK:
        _FOUND.clear()
    return structure


def registered() -> list:
    """The registered structures, in the order they are tried."""
    _load()
    return list(_REGISTRY)


def _load() -> None:
    # the structures live in their own modules and register themselves on import
    from . import _modules  # noqa: F401


def _value(model, structure: Structure):
    """What ``structure.find`` returns for ``model``, computed once per model object."""
    key = id(model)
    with _LOCK:
        hit = _FOUND.get(key)
        if hit is None or hit[0] is not model:
            if len(_FOUND) > 4096:
                _FOUND.clear()
            hit = _FOUND[key] = (model, {})
        memo = hit[1]
    if structure.name not in memo:
        memo[structure.name] = structure.find(model)
    return memo[structure.name]


def _found(model, hook: str | None = None, declined: bool = False):
    """The structures found in ``model``, lazily, in priority order; a ``fallback`` structure is
    tried only when no structure before it was found, and (for ``hook``) only when it has that hook
    and :meth:`Structure.wanted` says so (``declined``: only the fallbacks that said no)."""
    _load()
    seen = False
    for s in list(_REGISTRY):
        if s.fallback:
            if seen or (hook is not None and not hasattr(s, hook)):
                continue
            if (hook is not None and not s.wanted(model, hook)) != declined:
                continue
        elif declined:
            v = _value(model, s)
            seen = seen or v is not None
            continue
        v = _value(model, s)
        if v is not None:
            seen = True
            yield Found(s, v)


def applicable(model) -> list:
    """Every registered structure found in ``model``, as :class:`Found`, in priority order."""
    return list(_found(model))


def find(model, name: str):
    """What the structure called ``name`` finds in ``model`` (asked for by name, so a fallback
    structure is tried too), or ``None``."""
    _load()
    for s in _REGISTRY:
        if s.name == name:
            return _value(model, s)
    return None


def dispatch(hook: str, model, *args, **kwargs):
    """The first applicable structure's answer for ``hook``, or ``None`` (use the generic route).

    Structures are found lazily: one that answers spares the ``find`` of those after it."""
    for f in _found(model, hook):
        fn = getattr(f.structure, hook, None)
        if fn is None:
            continue
        out = fn(model, f.value, *args, **kwargs)
        if out is not None:
            return out
    return None


def dispatch_declined(hook: str, model, *args, **kwargs):
    """Like :func:`dispatch`, with the fallback structures that :meth:`Structure.wanted` turned
    down for ``hook``: asked when the generic route did not finish, so declining costs no answer."""
    for f in _found(model, hook, declined=True):
        fn = getattr(f.structure, hook, None)
        out = fn(model, f.value, *args, **kwargs) if fn is not None else None
        if out is not None:
            return out
    return None
