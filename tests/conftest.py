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


@pytest.fixture(scope="session")
def rendered_sheets(tmp_path_factory):
    """The directory of one full ``symfisher sheet`` run of this tree's specs (every default format,
    figures drawn, two workers), built once per session and shared read-only by every module that
    reads the rendered sheets (test_sheets, test_notebooks, test_polish_lecturer, test_polish_reader,
    test_sheet_notation): each of them used to build the same ten sheets again. A test that needs to
    change files copies them first."""
    from symfisher.cli import main

    out = tmp_path_factory.mktemp("rendered_sheets")
    assert main(["sheet", "--out", str(out), "--jobs", "2"]) == 0
    return out
