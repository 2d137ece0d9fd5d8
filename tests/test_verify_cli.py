"""`symfisher verify`: the contract's `verify MODEL-OPTIONS` table, and `verify --all`'s bad-input refusals."""
import pytest

from symfisher.cli import main


def test_verify_one_model_passes_and_prints_the_table(capsys):
    assert main(["verify", "poisson"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Model: poisson") and "0 failed" in out


@pytest.mark.parametrize("argv", [["verify", "--all", "poisson"], ["verify", "--all", "--jobs", "0"],
                                  ["verify", "--all", "--size", "d=3"]])
def test_verify_all_refuses_model_options(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("symfisher: error:") and len(err.strip().splitlines()) == 1
