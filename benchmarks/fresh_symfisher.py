"""One symfisher Fisher information in a fresh process, the way a user calls it, and the import floors.

    python benchmarks/fresh_symfisher.py catalog NAME     # sf.fisher_information(sf.get_model(NAME))
    python benchmarks/fresh_symfisher.py typed KEY        # sf.fisher_information(sf.from_density(...)), KEY of bench_typed

The clock runs from the end of ``import symfisher`` (and, for a typed model, of reading its text from
``bench_typed.MODELS``, which plain SymPy's child also has before its clock) to the Fisher matrix: building
the model (``get_model`` or ``from_density`` with its normalization check), any module symfisher loads on
first use, and the derivation
(both routes and their agreement). So the time is net of the process's own import, with no subtraction of a
floor measured elsewhere (which on a loaded machine is noisier than the small models' times). The child
speaks the protocol of ``plain_sympy.run_attempts`` (``start``, ``derived``, ``done``); the result is compared
with the literature matrix after the clock stops, in the same process.
"""
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
_MSG = "@@PLAIN@@ "  # plain_sympy._MSG; not imported, so that nothing but symfisher is loaded before the clock


def _emit(**msg):
    sys.stdout.write(_MSG + json.dumps(msg) + "\n")
    sys.stdout.flush()


def argv(kind: str):
    """The command line of a child for plain_sympy.run_attempts: (name, route) -> argv."""
    return lambda name, route: [sys.executable, os.path.abspath(__file__), kind, name]


def child(kind: str, name: str) -> int:
    t_imp = time.perf_counter()
    import symfisher as sf

    import_s = time.perf_counter() - t_imp
    m = None
    if kind != "catalog":
        # the user's text is the input, read before the clock (as in plain SymPy's child, whose module
        # holds the table): only symfisher's work on it is timed
        sys.path.insert(0, HERE)
        from bench_typed import MODELS

        m = MODELS[name]
    t0, c0 = time.perf_counter(), time.process_time()
    _emit(ev="start")
    try:
        if kind == "catalog":
            model = sf.get_model(name)
        else:
            model = sf.from_density(m.density, var=m.var, params=list(m.params), consts=list(m.consts),
                                    constraints=list(m.constraints))
        der = sf.fisher_information(model)
    except Exception as e:  # noqa: BLE001  refused or raised: that model's failure
        _emit(ev="error", seconds=time.perf_counter() - t0, detail=f"{type(e).__name__}: {e}"[:300])
        return 0
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    I = der.result
    _emit(ev="derived", seconds=secs, cpu=cpu, result=str(I)[:2000])
    sys.path.insert(0, HERE)
    try:
        if I is None:
            status, detail = "error", "; ".join(str(f.step if hasattr(f, "step") else f) for f in der.failures)[:300]
        elif kind == "catalog":
            from plain_sympy import compare_to_known

            try:
                status, detail = compare_to_known(name, I, params=["mu"] if name == "student_t" else None)
            except KeyError:
                status, detail = "ok?", "no literature matrix"
        else:
            from bench_typed import check_against_literature

            status, detail = check_against_literature(name, I)
    except Exception as e:  # noqa: BLE001
        status, detail = "error", f"check failed: {type(e).__name__}: {e}"[:300]
    _emit(ev="done", status=status, detail=detail, extra={"import": round(import_s, 4)})
    return 0


def import_floor(module: str, n: int = 5, clock: str = "cpu") -> list:
    """Seconds of ``import MODULE`` alone, each in a fresh interpreter (n runs), by the process's CPU clock
    (``time.process_time``, what the import costs; on a shared machine the wall clock adds the time spent
    waiting for a core) or the wall clock."""
    fn = "process_time" if clock == "cpu" else "perf_counter"
    code = f"import time; t = time.{fn}(); import {module}; print(time.{fn}() - t)"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([os.path.dirname(HERE), os.environ.get("PYTHONPATH", "")])}
    return [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                 env=env).stdout) for _ in range(n)]


def import_floors(n: int = 5, clock: str = "cpu") -> dict:
    """Median fresh-process import seconds of sympy and symfisher, measured interleaved (same load)."""
    runs = {"sympy": [], "symfisher": []}
    for _ in range(n):
        for mod in runs:
            runs[mod] += import_floor(mod, 1, clock)
    return {mod: statistics.median(v) for mod, v in runs.items()} | {"runs": runs}


if __name__ == "__main__":
    sys.exit(child(sys.argv[1], sys.argv[2]))
