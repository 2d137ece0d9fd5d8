"""symfisher against plain SymPy on the whole catalog, in one run.

1. Fisher information of every catalog model with symfisher by the documented API,
   ``sf.fisher_information(sf.get_model(NAME))``, one fresh process per model (``fresh_symfisher.py``), the clock
   from the end of ``import symfisher`` to the matrix (model built, both routes and their agreement, anything
   loaded on first use). Each result is checked against the literature matrix with
   ``plain_sympy.compare_to_known`` after the clock stops.
2. The plain-SymPy baseline (``plain_sympy.run_plain``; cached in ``.plain_cache.json``
   unless ``--fresh``): three routes per model from ``expand_log(log f, force=True)``, each in its own capped
   process, the clock from the end of ``import sympy`` (density built, differentiation, expectations).
   Both sides are net of their import; ``import sympy`` and ``import symfisher`` are timed alone in fresh
   processes and reported.
3. Everything for the whole catalog (``symfisher derive --all --json``: score, Hessian,
   both Fisher routes, Cramér–Rao, KL, Taylor, Jeffreys) in a 2-process pool with an empty
   disk cache (cold), then again on the filled cache (warm).

Prints the model x route table, success counts, the per-model speed ratio
plain / symfisher (fastest verified plain route over symfisher, both net of import) and its median over
the models plain SymPy solves, and the targets met or missed.

    python benchmarks/bench_catalog.py [--cap 60] [--jobs 1] [--fresh] [--models a,b] [--clock cpu|wall]
                                       [--no-derive-all] [--json out.json]
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

TARGET_RATIO = 20.0
TARGET_COLD = 30.0
TARGET_WARM = 1.0
TARGET_IMPORT = 0.15


def symfisher_rows(names, cap: float, jobs: int = 1, log=None) -> list:
    """sf.fisher_information(sf.get_model(NAME)) per model, each in a fresh process (fresh_symfisher.py),
    timed from the end of `import symfisher`, checked against the literature matrix after the clock stops."""
    from fresh_symfisher import argv
    from plain_sympy import run_attempts

    os.environ["SYMFISHER_NO_CACHE"] = "1"
    return run_attempts([(n, "symfisher") for n in names], cap, jobs, log=log, argv=argv("catalog"))


def compile_package() -> bool:
    """Byte-compile symfisher (into its ``__pycache__``, git-ignored) before any child runs, as an installed
    package is: with ``PYTHONDONTWRITEBYTECODE`` set and no bytecode, every child would compile the modules
    it loads, inside its clock for those loaded on first use (25 ms of a 30 ms model) and inside the import
    floor for the rest, while SymPy's bytecode is installed. True if it compiled."""
    import compileall

    return compileall.compile_dir(os.path.join(os.path.dirname(HERE), "symfisher"), quiet=1)


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def derive_all_catalog(cache_dir: str) -> dict:
    """Wall (and CPU) seconds of `symfisher derive --all --json` on the given cache dir."""
    env = {**os.environ, "SYMFISHER_CACHE_DIR": cache_dir}
    env.pop("SYMFISHER_NO_CACHE", None)
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "symfisher", "derive", "--all", "--json", "--jobs", "2"],
                       capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    cpu = _children_cpu() - cpu0
    inner = None
    for line in p.stderr.splitlines():
        if line.startswith("derived "):
            inner = float(line.split(" in ")[1].split(" s")[0])
    objs = json.loads(p.stdout) if p.returncode == 0 else []
    failures = {o["model"]: [f["step"] for f in o["failures"]] for o in objs if o["failures"]}
    return {"wall": wall, "cpu": cpu, "inner": inner, "returncode": p.returncode, "models": len(objs),
            "failures": failures, "stdout": p.stdout}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cap", type=float, default=60.0, help="plain-SymPy seconds per attempt (default 60)")
    ap.add_argument("--jobs", type=int, default=1, help="processes at once (default 1; report --jobs 1 runs)")
    ap.add_argument("--fresh", action="store_true", help="re-run plain SymPy instead of using its cache")
    ap.add_argument("--models", help="comma-separated catalog names (default all)")
    ap.add_argument("--no-derive-all", action="store_true", help="skip the derive --all cold/warm part")
    ap.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                    help="the times compared: each process's CPU time (default; robust on a shared machine) or wall")
    ap.add_argument("--json", help="write every row and the summary to this file")
    args = ap.parse_args(argv)
    from fresh_symfisher import import_floors
    from plain_sympy import PLAIN_MODELS, format_summary, format_table, run_plain

    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    names = args.models.split(",") if args.models else [m.name for m in PLAIN_MODELS]
    compile_package()
    floors = import_floors(5, args.clock)
    def T(r):  # a row's time by the chosen clock (cached plain rows from before the CPU clock: wall only)
        return r.get("cpu", r["seconds"]) if args.clock == "cpu" else r["seconds"]
    log("symfisher: sf.fisher_information per model, one fresh process each ...")
    sf_rows = symfisher_rows(names, args.cap, args.jobs, log=log)
    log("plain SymPy baseline ...")
    plain = run_plain(names, cap=args.cap, jobs=args.jobs, fresh=args.fresh, log=log)
    cold = warm = None
    if not args.no_derive_all:
        log("symfisher derive --all (cold, then warm) ...")
        with tempfile.TemporaryDirectory() as d:
            cold = derive_all_catalog(d)
            warm = derive_all_catalog(d)

    rows = plain + sf_rows
    print(f"symfisher vs plain SymPy, {args.clock} clock, cap {args.cap:g} s per attempt, --jobs {args.jobs}, "
          f"{os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}\n")
    print(format_table(rows))
    print()
    print(format_summary(plain))
    sf_ok = [r for r in sf_rows if r["status"] == "ok"]
    print(f"symfisher: {len(sf_ok)}/{len(sf_rows)} models verified; sf.fisher_information, fresh process, net "
          f"of import: median {1000 * statistics.median(T(r) for r in sf_rows):.1f} ms, "
          f"max {1000 * max(T(r) for r in sf_rows):.0f} ms")
    print(f"import alone, fresh process (median of {len(floors['runs']['sympy'])}): sympy {floors['sympy']:.3f} s, "
          f"symfisher {floors['symfisher']:.3f} s")
    print()
    print("| model | fastest plain route | plain ms | symfisher ms | ratio |")
    print("|---|---|---|---|---|")
    ratios = []
    for r in sf_rows:
        ok = [p for p in plain if p["model"] == r["model"] and p["status"] == "ok"]
        if not ok:
            print(f"| {r['model']} | none | — | {1000 * T(r):.1f} | — |")
            continue
        best = min(ok, key=T)
        ratio = T(best) / T(r)
        ratios.append(ratio)
        print(f"| {r['model']} | {best['route']} | {1000 * T(best):.0f} | {1000 * T(r):.1f} | {ratio:.1f}x |")
    med = statistics.median(ratios) if ratios else float("nan")
    print()
    print(f"median speed ratio plain/symfisher over the {len(ratios)} models plain SymPy solves: {med:.1f}x")
    # for information: each route on its own (a user who types that route), over its successes
    sf_time = {r["model"]: T(r) for r in sf_rows}
    per_route = []
    for route in sorted({p["route"] for p in plain}):
        rr = [T(p) / sf_time[p["model"]] for p in plain
              if p["route"] == route and p["status"] == "ok" and sf_time.get(p["model"])]
        if rr:
            per_route.append(f"{route} {statistics.median(rr):.1f}x over {len(rr)}")
    print("  (per plain route, median over the models it solves: " + "; ".join(per_route) + ")")
    checks = [
        ("symfisher solves 100% of the catalog", len(sf_ok) == len(sf_rows), f"{len(sf_ok)}/{len(sf_rows)}"),
        (f"median ratio >= {TARGET_RATIO:g}x", med >= TARGET_RATIO, f"{med:.1f}x"),
        (f"import symfisher within {TARGET_IMPORT:g} s of import sympy",
         floors["symfisher"] - floors["sympy"] <= TARGET_IMPORT,
         f"+{floors['symfisher'] - floors['sympy']:.3f} s"),
    ]
    if cold is not None:
        same = cold["stdout"] == warm["stdout"]
        print(f"derive --all (all quantities, {cold['models']} models, 2 processes): cold {cold['wall']:.1f} s wall "
              f"({cold['inner']} s inside, {cold['cpu']:.1f} s CPU), warm {warm['wall']:.2f} s wall "
              f"({warm['inner']} s inside, interpreter start included in wall); outputs identical: {same}")
        if cold["failures"]:
            print("failed steps (cold): " + "; ".join(f"{m}: {', '.join(s)}" for m, s in cold["failures"].items()))
        checks += [
            (f"derive --all cold < {TARGET_COLD:g} s", cold["wall"] < TARGET_COLD,
             f"{cold['wall']:.1f} s wall, {cold['cpu'] / 2:.1f} s = CPU/2 (the wall time on 2 idle cores at best)"),
            (f"derive --all warm < {TARGET_WARM:g} s", (warm["inner"] or 99) < TARGET_WARM,
             f"{warm['inner']} s inside the command, {warm['wall']:.2f} s with interpreter start"),
        ]
    print()
    for what, ok, val in checks:
        print(f"{'MET ' if ok else 'MISSED'}  {what}: {val}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"rows": rows, "median_ratio": med, "ratios": ratios, "import_floors": floors,
                       "derive_all": cold and {k: v for k, v in cold.items() if k != "stdout"},
                       "derive_all_warm": warm and {k: v for k, v in warm.items() if k != "stdout"}}, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
