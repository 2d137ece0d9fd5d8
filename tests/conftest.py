import functools

import pytest


@functools.lru_cache(maxsize=None)
def derived(name: str):
    """The full report of a catalog model, derived once per test session."""
    from symfisher import derive_all, get_model

    return derive_all(get_model(name))


@pytest.fixture
def report():
    return derived
