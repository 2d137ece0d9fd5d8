"""The kind of a family, read off the model (never its name): how ``symfisher list`` groups the catalog.

* ``regression`` — a declared linear predictor in known features (``meta["eta"]``, or a linear index);
* ``multivariate`` — more than one data variable;
* ``discrete`` — a data variable on a finite or integer support;
* ``continuous`` — otherwise.
"""
from __future__ import annotations

__all__ = ["KINDS", "family_kind"]

KINDS = ("discrete", "continuous", "multivariate", "regression")


def family_kind(model) -> str:
    from ..domains import FiniteSupport, IntegerSupport
    from ..model import LinearIndex

    if isinstance(model.meta_value("index"), LinearIndex) or model.meta_value("eta") is not None:
        return "regression"
    if len(model.data) > 1:
        return "multivariate"
    if isinstance(model.support[0], (FiniteSupport, IntegerSupport)):
        return "discrete"
    return "continuous"
