"""Imports every structure module so that each registers itself (add new modules here)."""
