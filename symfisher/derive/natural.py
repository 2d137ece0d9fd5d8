"""The natural gradient ``I(theta)^{-1} grad L(theta)`` (Amari 1998).

The inverse Fisher information is the Cramér–Rao bound, reused (pass ``cramer_rao=``, e.g.
from a report), not recomputed. ``loss_gradient`` is a vector of expressions, or a scalar loss
``L(theta)`` (then differentiated), or ``None`` for a generic gradient ``(g_p, ...)``.

>>> from symfisher.families import get_model
>>> natural_gradient(get_model("poisson")).result
Matrix([[g_lam*lam]])
"""
from __future__ import annotations

import sympy as sp

from ..derivation import Derivation, Step
from ..limits import StepFailed
from ..model import Model
from ..simplify import as_expr, tidy
from . import notation as N
from .regularity import model_domains, require_nonsingular

__all__ = ["natural_gradient"]


def natural_gradient(model: Model, loss_gradient=None, *, cramer_rao=None, fisher=None) -> Derivation:
    """``I(theta)^{-1} grad L`` as a closed form; ``result`` is a column matrix."""
    from .fisher import cramer_rao as _cr

    params = model.params
    d = Derivation("natural_gradient", f"Natural gradient for the {model.name} model")
    if loss_gradient is None:
        g = sp.Matrix([sp.Symbol(f"g_{t.name}", real=True) for t in params])
        d = d.add(Step("Write the Euclidean gradient of the loss generically.", "g_theta = dL/dtheta",
                       sp.Symbol("g"), (g,)))
    elif isinstance(loss_gradient, (sp.MatrixBase, list, tuple)):
        g = sp.Matrix(list(loss_gradient))
        if g.rows != len(params):
            raise ValueError(f"the loss gradient has {g.rows} entries but the model has {len(params)} parameters")
        d = d.add(Step("The Euclidean gradient of the loss:", "given", sp.Symbol("g"), (g,)))
    else:
        L = as_expr(loss_gradient)
        g = sp.Matrix([sp.diff(L, t) for t in params])
        d = d.add(Step("Differentiate the loss:", "g = dL/dtheta", sp.Symbol("g"), (L, g)))
    inv = cramer_rao
    if inv is None:
        cr = _cr(model, fisher)  # fails clearly (not zoo) when I is singular
        if cr.result is None:
            return d.extend(cr).fail("natural_gradient", "the inverse Fisher information is not available")
        inv = cr.result
    else:
        inv = sp.Matrix(inv) if not isinstance(inv, sp.MatrixBase) else inv
        from ..series import undefined  # an exact series' upper limit oo is no infinite entry

        if any(undefined(e) for e in inv):
            return d.fail("natural_gradient", "the inverse Fisher information given is undefined (it holds zoo, "
                                              "oo or nan): the Fisher information is singular")
        if fisher is not None:
            try:
                require_nonsingular(fisher, "natural_gradient", model_domains(model))
            except StepFailed as exc:
                return d.fail(exc.step, exc.reason)
    d = d.add(Step("The inverse Fisher information is the Cramér–Rao bound (reused).", "I^{-1} = CRB",
                   sp.Pow(N.fisher_of(model), -1), (inv,)))
    ng = (inv * g).applyfunc(lambda e: tidy(e, limit=2.0))
    d = d.add(Step("The natural gradient is the inverse Fisher information times the gradient.",
                   "steepest descent in the Fisher metric (Amari 1998)", sp.Symbol("g_nat"),
                   (sp.MatMul(sp.Pow(N.fisher_of(model), -1), g, evaluate=False), ng)))
    d.extras.update(gradient=g, inverse_fisher=inv)
    return d.with_result(ng)
