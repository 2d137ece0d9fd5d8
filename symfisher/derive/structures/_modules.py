"""Imports every structure module so that each registers itself (add new modules here)."""
from . import catalog_identity, expfam, gaussian_mean, linear_index  # noqa: F401
