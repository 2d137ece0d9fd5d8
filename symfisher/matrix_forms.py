"""Declared matrix forms of multivariate models: what a model states about itself in matrix
algebra, so that structures (symfisher/derive/structures/) can derive in that algebra instead of
entry by entry. A form declares; it never computes beyond writing out its own log-density, which
the structure compares with the model's (a form that does not describe the density is ignored).

* :class:`GaussianCovariance` — x ~ N_d(m, Sigma) with a known mean and the covariance
  ``Sigma(theta)`` (``kind="covariance"``) or the precision ``Lambda(theta) = Sigma^{-1}``
  (``kind="precision"``) an explicit matrix in the parameters.
* :class:`MultinomialCounts` — counts x_1..x_K with x_K = n - (x_1 + ... + x_{K-1}) in n known
  trials, cell probabilities p_1(theta)..p_K(theta) summing to one.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

__all__ = ["GaussianCovariance", "MultinomialCounts", "register_explicit"]


def register_explicit(symbol, matrix) -> None:
    """Declare that the matrix symbol ``symbol`` stands for the explicit ``matrix``: numeric
    evaluation then writes ``det(symbol)`` and ``(symbol^{-1})_ij`` from its named entries."""
    from .model import _EXPLICIT_MATRICES

    _EXPLICIT_MATRICES[symbol] = sp.ImmutableMatrix(matrix)


@dataclass(frozen=True)
class GaussianCovariance:
    """``x ~ N_d(mean, Sigma)``; ``matrix`` is Sigma or Lambda (per ``kind``) as an explicit
    symmetric matrix in the parameters, ``inverse`` its inverse: written out for small d, else
    a matrix of opaque entries ``(M^{-1})_ij`` (cofactor expansions grow like d!)."""

    x_entries: tuple
    mean_entries: tuple
    matrix: Any
    inverse: Any
    kind: str  # "covariance" | "precision"
    symbol: Any  # the MatrixSymbol standing for ``matrix`` (log det of it beyond small d)

    def __post_init__(self):
        register_explicit(self.symbol, self.matrix)

    def log_density(self) -> sp.Expr:
        d = len(self.x_entries)
        r = [xi - mi for xi, mi in zip(self.x_entries, self.mean_entries)]
        Q = self.matrix if self.kind == "precision" else self.inverse
        quad = sp.Add(*[r[i] * r[j] * Q[i, j] for i in range(d) for j in range(d)])
        det = self.matrix.det() if d <= 3 else sp.Determinant(self.symbol)
        sign = 1 if self.kind == "precision" else -1
        return -quad / 2 - d * sp.log(2 * sp.pi) / 2 + sign * sp.log(det) / 2

    def covariance(self):
        """Sigma itself (the declared matrix, or the inverse of the declared precision)."""
        return self.matrix if self.kind == "covariance" else self.inverse


@dataclass(frozen=True)
class MultinomialCounts:
    """Counts ``x_1..x_{K-1}`` (the data) and ``x_K = n - sum``; ``probs`` p_1..p_K (expressions
    in the parameters, summing to 1); ``n`` the known number of trials."""

    counts: tuple
    probs: tuple
    n: Any

    def all_counts(self) -> tuple:
        return tuple(self.counts) + (self.n - sp.Add(*self.counts),)

    def log_density(self) -> sp.Expr:
        xs = self.all_counts()
        return (sp.log(sp.factorial(self.n)) - sp.Add(*[sp.log(sp.factorial(x)) for x in xs])
                + sp.Add(*[x * sp.log(p) for x, p in zip(xs, self.probs)]))
