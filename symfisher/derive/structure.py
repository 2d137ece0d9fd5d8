"""The names the tests and benchmarks import from before the structure registry (see
:mod:`symfisher.derive.structures`); the derivations themselves never use this module."""
from .structures.gaussian_mean import gaussian_expectation, gaussian_mean
from .structures.linear_index import index_model, linear_index

__all__ = ["linear_index", "index_model", "gaussian_mean", "gaussian_expectation"]
