"""symfisher against plain SymPy on the whole catalog, in one run.

1. Fisher information of every catalog model with symfisher, in a fresh child process
   (this file with ``--child``): for each model the in-memory caches (symfisher's and SymPy's) are cleared, the model
   is built, and ``derive_all(model, only=["fisher"])`` is timed (cold: score and Hessian,
   both routes, E[score] = 0 and the agreement check included), then
   timed again without clearing (warm, in-memory). Each result is checked against the
   literature matrix with ``plain_sympy.compare_to_known``.
2. The plain-SymPy baseline (``plain_sympy.run_plain``; cached in ``.plain_cache.json``
   unless ``--fresh``): three naive routes per model, each in a capped subprocess.
3. Everything for the whole catalog (``symfisher derive --all --json``: score, Hessian,
   both Fisher routes, Cramér–Rao, KL, Taylor, Jeffreys) in a 2-process pool with an empty
   disk cache (cold), then again on the filled cache (warm).

Prints the model x route table, success counts, the per-model speed ratio
plain / symfisher (fastest verified plain route over symfisher cold) and its median over
the models plain SymPy solves, and the targets met or missed.

    python benchmarks/bench_catalog.py [--cap 60] [--fresh] [--json out.json]
"""
import argparse
import gc
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


def _clear_caches():
    import importlib

    from sympy.core.cache import clear_cache

    clear_cache()  # SymPy's own memo too: no model profits from what an earlier one computed
    expectation, families, numeric = (importlib.import_module(f"symfisher.{m}")
                                      for m in ("expectation", "families", "numeric"))
    expectation.clear_cache()
    families._INSTANCES.clear()
    for name in dir(numeric):
        obj = getattr(numeric, name)
        if hasattr(obj, "cache_clear"):
            obj.cache_clear()
        elif name.endswith("_CACHE") and isinstance(obj, dict):
            obj.clear()


def _child() -> int:
    """Time symfisher's Fisher information per model; one JSON row per line on stdout."""
    from plain_sympy import compare_to_known

    from symfisher.derive.report import derive_all
    from symfisher.families import family_names, get_model

    timed = []
    for name in family_names():
        _clear_caches()
        model = get_model(name)  # as for plain SymPy, the clock starts once the model is built
        gc.collect()  # each model starts with no garbage, like each plain attempt's fresh process
        t0 = time.perf_counter()
        rep = derive_all(model, only=["fisher"])
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        derive_all(get_model(name), only=["fisher"])
        warm = time.perf_counter() - t0
        timed.append((name, rep, cold, warm))
    # checked after all the timing, so that the checks' own SymPy work does not touch the next model's
    for name, rep, cold, warm in timed:
        I = rep.get("fisher")
        if I is None:
            status, detail = "error", "; ".join(f["step"] for f in rep.failures)
        else:
            try:
                status, detail = compare_to_known(name, I, params=["mu"] if name == "student_t" else None)
            except KeyError:
                status, detail = "ok?", "no plain-SymPy literature matrix"
        print(json.dumps({"model": name, "route": "symfisher", "status": status, "seconds": round(cold, 4),
                          "warm": round(warm, 4), "detail": detail, "result": None}), flush=True)
    return 0


def symfisher_rows() -> list:
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--child"], capture_output=True,
                         text=True, check=True, env={**os.environ, "SYMFISHER_NO_CACHE": "1"})
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


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
    ap.add_argument("--fresh", action="store_true", help="re-run plain SymPy instead of using its cache")
    ap.add_argument("--json", help="write every row and the summary to this file")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return _child()
    from plain_sympy import format_summary, format_table, run_plain

    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    log("symfisher: Fisher information per model (fresh process, caches cleared) ...")
    sf_rows = symfisher_rows()
    log("plain SymPy baseline ...")
    names = [r["model"] for r in sf_rows]
    plain = run_plain(names, cap=args.cap, jobs=2, fresh=args.fresh, log=log)
    log("symfisher derive --all (cold, then warm) ...")
    with tempfile.TemporaryDirectory() as d:
        cold = derive_all_catalog(d)
        warm = derive_all_catalog(d)
    same = cold["stdout"] == warm["stdout"]

    rows = plain + sf_rows
    print(f"symfisher vs plain SymPy, cap {args.cap:g} s per plain attempt, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}\n")
    print(format_table(rows))
    print()
    print(format_summary(plain))
    sf_ok = [r for r in sf_rows if r["status"] == "ok"]
    print(f"symfisher: {len(sf_ok)}/{len(sf_rows)} models verified; Fisher time cold "
          f"median {1000 * statistics.median(r['seconds'] for r in sf_rows):.1f} ms, "
          f"max {1000 * max(r['seconds'] for r in sf_rows):.0f} ms; warm (in-memory) median "
          f"{statistics.median(r['warm'] for r in sf_rows) * 1e3:.1f} ms")
    print()
    print("| model | fastest plain route | plain ms | symfisher cold ms | ratio |")
    print("|---|---|---|---|---|")
    ratios = []
    for r in sf_rows:
        ok = [p for p in plain if p["model"] == r["model"] and p["status"] == "ok"]
        if not ok:
            print(f"| {r['model']} | none | — | {1000 * r['seconds']:.1f} | — |")
            continue
        best = min(ok, key=lambda p: p["seconds"])
        ratio = best["seconds"] / r["seconds"]
        ratios.append(ratio)
        print(f"| {r['model']} | {best['route']} | {1000 * best['seconds']:.0f} | {1000 * r['seconds']:.1f} | {ratio:.1f}x |")
    med = statistics.median(ratios) if ratios else float("nan")
    print()
    print(f"median speed ratio plain/symfisher over the {len(ratios)} models plain SymPy solves: {med:.1f}x")
    # for information: each route on its own (a user who types that route), over its successes
    sf_time = {r["model"]: r["seconds"] for r in sf_rows}
    per_route = []
    for route in sorted({p["route"] for p in plain}):
        rr = [p["seconds"] / sf_time[p["model"]] for p in plain
              if p["route"] == route and p["status"] == "ok" and sf_time.get(p["model"])]
        if rr:
            per_route.append(f"{route} {statistics.median(rr):.1f}x over {len(rr)}")
    print("  (per plain route, median over the models it solves: " + "; ".join(per_route) + ")")
    print(f"derive --all (all quantities, 24 models, 2 processes): cold {cold['wall']:.1f} s wall "
          f"({cold['inner']} s inside, {cold['cpu']:.1f} s CPU), warm {warm['wall']:.2f} s wall "
          f"({warm['inner']} s inside, interpreter start included in wall); outputs identical: {same}")
    if cold["failures"]:
        print("failed steps (cold): " + "; ".join(f"{m}: {', '.join(s)}" for m, s in cold["failures"].items()))
    print()
    checks = [
        ("symfisher solves 100% of the catalog", len(sf_ok) == len(sf_rows), f"{len(sf_ok)}/{len(sf_rows)}"),
        (f"median ratio >= {TARGET_RATIO:g}x", med >= TARGET_RATIO, f"{med:.1f}x"),
        (f"derive --all cold < {TARGET_COLD:g} s", cold["wall"] < TARGET_COLD,
         f"{cold['wall']:.1f} s wall, {cold['cpu'] / 2:.1f} s = CPU/2 (the wall time on 2 idle cores at best)"),
        (f"derive --all warm < {TARGET_WARM:g} s", (warm["inner"] or 99) < TARGET_WARM,
         f"{warm['inner']} s inside the command, {warm['wall']:.2f} s with interpreter start"),
    ]
    for what, ok, val in checks:
        print(f"{'MET ' if ok else 'MISSED'}  {what}: {val}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"rows": rows, "median_ratio": med, "ratios": ratios,
                       "derive_all": {k: v for k, v in cold.items() if k != "stdout"},
                       "derive_all_warm": {k: v for k, v in warm.items() if k != "stdout"}}, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
