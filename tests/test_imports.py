"""`import symfisher` and the light CLI commands load no numeric or writing stack (a property, not a timing).

Each check runs in a fresh interpreter, so what an earlier test imported does not count.
"""
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEAVY = ("numpy", "scipy", "latex2mathml", "matplotlib")


def _loaded_after(code: str) -> dict:
    probe = (code + "\nimport json, sys\n"
             f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(HEAVY)!r}))))")
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_symfisher_loads_no_heavy_stack():
    assert _loaded_after("import symfisher") == set()


def test_documented_api_still_resolves_and_lazy_names_load_on_use():
    code = ("import symfisher as sf\n"
            "assert set(sf.__all__) <= set(dir(sf))\n"
            "I = sf.fisher_information(sf.get_model('poisson')).result\n"
            "assert str(I) == 'Matrix([[1/lam]])', I\n"
            "assert callable(sf.derive_all) and callable(sf.from_density)\n")
    # a Fisher information needs no SciPy or rendering stack; NumPy only seeds the zero test's points
    assert _loaded_after(code) <= {"numpy"}
    assert "numpy" in _loaded_after("import symfisher as sf\nsf.NumericFunction")  # loads on first use


def test_star_import_gives_every_public_name():
    code = "from symfisher import *\nimport symfisher\nassert all(n in globals() for n in symfisher.__all__)\n"
    _loaded_after(code)


@pytest.mark.parametrize("argv", [["--help"], ["list"], ["derive", "--help"], ["derive", "poisson", "--only", "fisher"]])
def test_light_cli_commands_load_no_heavy_stack(argv):
    code = ("import sys\nfrom symfisher.cli import main\n"
            f"sys.argv = ['symfisher'] + {argv!r}\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n")
    # help and list load nothing heavy; a derivation may seed its zero tests' points with NumPy
    assert _loaded_after(code) <= ({"numpy"} if argv[0] == "derive" and len(argv) > 2 else set())


def test_engine_loads_with_the_package_and_the_latex_reader_on_first_use():
    # what benchmarks/README.md says moved into `import symfisher`: the parser, the structures, Euler's
    # integrals and the sympy.tensor import SymPy makes on a process's first sum; not the LaTeX reader
    probe = ("import sys, json\nimport symfisher\n"
             "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('symfisher.', 'sympy.tensor')))))")
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert {"symfisher.parsing", "symfisher.euler", "symfisher.derive.structures.expfam",
            "symfisher.derive.structures.catalog_identity", "sympy.tensor.tensor"} <= loaded, loaded
    assert "symfisher.parsing.latex" not in loaded
    assert not any(m.startswith(("symfisher.families.", "symfisher.render", "symfisher.sheets")) for m in loaded)
