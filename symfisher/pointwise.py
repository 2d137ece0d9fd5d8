"""The Fisher information at one parameter point, by quadrature, where no closed form exists.

``symfisher derive MODEL --at "alpha=2"`` (and :func:`fisher_at`): the skew-normal shape, a
mixture weight, the negative binomial's size — models whose Fisher information SymPy cannot
integrate in closed form still have a number at each point. It is computed by the numeric
witnesses' own quadrature (:func:`symfisher.numeric.expect_vec`: adaptive quadrature on the
support, exact or truncated sums on the integers), by both routes independently, ``E[s s^T]``
and ``-E[H]`` with the score and Hessian from ``sympy.diff``; the result is labelled
``numeric`` and carries an error estimate, the larger of the two routes' disagreement and the
quadrature tolerance. Nothing here is a proof: a closed form, when the derivation finds one, is
evaluated at the same point and shown beside it.

The point is user text: ``name=value`` pairs separated by commas, each name a parameter or a
known constant of the model and each value a finite decimal number (read by ``float``, never
evaluated as an expression).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["PointwiseFisher", "parse_point", "fisher_at"]

EPSREL = 1e-10


@dataclass
class PointwiseFisher:
    model: object
    point: dict  # name -> float
    matrix: list  # the numeric Fisher information (route E[s s^T]), row lists
    curvature: list  # route -E[H]
    error: float  # the error estimate (absolute, largest entry)
    closed_form: object = None  # the derived matrix, if the derivation found one
    closed_value: list | None = None  # the closed form at the point

    def to_json(self) -> dict:
        return {
            "model": self.model.name,
            "at": dict(self.point),
            "fisher": self.matrix,
            "method": "numeric (quadrature, both routes)",
            "error_estimate": self.error,
            "curvature": self.curvature,
            "closed_form": None if self.closed_form is None else str(self.closed_form),
            "closed_form_at_point": self.closed_value,
        }


def parse_point(text: str, model) -> dict:
    """``"alpha=2, beta=0.5"`` -> ``{"alpha": 2.0, "beta": 0.5}``; every parameter and constant of
    ``model`` must be given, inside its domain. Raises ``ValueError`` with one clear line."""
    names = {s.name: s for s in tuple(model.params) + tuple(model.constants)}
    out = {}
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if part.count("=") != 1:
            raise ValueError(f"--at expects name=value pairs separated by commas, got {part!r}")
        key, val = (t.strip() for t in part.split("="))
        if key not in names:
            raise ValueError(f"--at: {key!r} is not a parameter or constant of {model.name} "
                             f"(they are: {', '.join(names) or 'none'})")
        if key in out:
            raise ValueError(f"--at: {key!r} is given twice")
        try:
            v = float(val)
        except ValueError:
            raise ValueError(f"--at: the value of {key} must be a number, got {val!r}") from None
        if not math.isfinite(v):
            raise ValueError(f"--at: the value of {key} must be finite, got {val!r}")
        if not model.domain(names[key]).contains(v):
            raise ValueError(f"--at: {key} = {val} is outside its domain {model.domain(names[key])}")
        out[key] = v
    missing = [n for n in names if n not in out]
    if missing:
        raise ValueError(f"--at: give a value for {', '.join(missing)}")
    return out


def fisher_at(model, point: dict, closed_form=None) -> PointwiseFisher:
    """The Fisher information of ``model`` at ``point`` (names -> numbers) by quadrature."""
    import numpy as np

    from .numeric import expect_vec, model_functions

    mf = model_functions(model)
    k = model.dim
    theta = [point[s.name] for s in model.params]
    consts = [point[s.name] for s in model.constants]

    def outer(xs):
        sc = mf.score(*xs, *theta, *consts)  # (nodes, k)
        return (sc[:, :, None] * sc[:, None, :]).reshape(sc.shape[0], k * k)

    def minus_hessian(xs):
        H = mf.hessian(*xs, *theta, *consts)  # (nodes, k, k)
        return -H.reshape(H.shape[0], k * k)

    A = expect_vec(model, point, outer, epsrel=EPSREL).reshape(k, k)
    B = expect_vec(model, point, minus_hessian, epsrel=EPSREL).reshape(k, k)
    for i, j, mass in mf.deltas:  # Dirac masses of the Hessian, evaluated at their atom
        v = float(mass.at(point))  # as the quadrature witness does (symfisher/witness.py)
        B[i, j] -= v
        if i != j:
            B[j, i] -= v
    err = float(max(np.max(np.abs(A - B)), EPSREL * max(1.0, float(np.max(np.abs(A))))))
    closed_value = None
    if closed_form is not None:
        import sympy as sp

        sub = {s: sp.Float(point[s.name]) for s in tuple(model.params) + tuple(model.constants)}
        closed_value = [[float(sp.re(sp.N(closed_form[i, j].xreplace(sub), 15))) for j in range(k)] for i in range(k)]
    return PointwiseFisher(model, dict(point), A.tolist(), B.tolist(), err, closed_form, closed_value)


def run_at(model, text: str, *, as_json: bool = False, limit: float | None = None) -> int:
    """The CLI's ``derive --at``: the closed form if the derivation finds one, and the numbers."""
    import json

    point = parse_point(text, model)
    from .derive import fisher_information
    from .limits import StepFailed, StepTimeout, time_limit

    closed = None
    try:
        with time_limit(limit, "fisher (for --at)"):
            closed = fisher_information(model, limit=limit).result
    except (StepFailed, StepTimeout):
        closed = None
    r = fisher_at(model, point, closed)
    if as_json:
        print(json.dumps(r.to_json(), indent=2))
        return 0
    at = ", ".join(f"{k} = {v:g}" for k, v in point.items())
    print(f"Model: {model.name} — Fisher information at {at}")
    if closed is None:
        print("No closed form was derived; the value below is numeric (quadrature), not a proof.")
    else:
        print(f"Closed form: {closed}")
        print(f"  at the point: {r.closed_value}")
    print(f"Numeric (quadrature, E[s s^T]): {[[float(f'{v:.12g}') for v in row] for row in r.matrix]}")
    print(f"Numeric (quadrature, -E[H]):    {[[float(f'{v:.12g}') for v in row] for row in r.curvature]}")
    print(f"Error estimate: {r.error:.2g} (the two routes' disagreement or the quadrature tolerance)")
    return 0
