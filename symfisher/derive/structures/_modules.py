"""Imports every structure module so that each registers itself (add new modules here)."""
from . import catalog_identity, expfam, gaussian_mean, linear_index  # noqa: F401
from . import data_free_hessian, gaussian_covariance, multinomial_counts  # noqa: F401
from . import folded  # noqa: F401  (typedgaps: a symmetric law folded at its centre)
