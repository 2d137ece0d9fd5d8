"""Imports every structure module so that each registers itself (add new modules here)."""
from . import gaussian_covariance  # noqa: F401  (coverage)
