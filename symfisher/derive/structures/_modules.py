"""Imports every structure module so that each registers itself (add new modules here)."""
from . import gaussian_covariance  # noqa: F401  (coverage)
from . import data_free_hessian  # noqa: F401  (coverage)
from . import multinomial_counts  # noqa: F401  (coverage)
