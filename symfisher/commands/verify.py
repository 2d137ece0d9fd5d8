"""``symfisher verify``: the independent numeric witnesses of a model's closed forms, as a PASS/FAIL table.

``verify --all`` runs them for every catalog model in worker processes (``--jobs N``, by default one per
available core), one line per model in catalog order: PASS/FAIL, the number of checks, and the seconds of
derivation and of witnesses (wall, and the worker's CPU). The workers take the costliest models first: by
the CPU seconds of the previous ``verify --all`` (``verify-timings.json`` in the cache directory, read and
written only when the cache is on; a schedule hint, never a result), else by a guess from the model's size.

Only the quantities a witness checks are derived (:data:`VERIFIED`): the score and Hessian are then not
simplified for display and the Cramér–Rao bound is not inverted, since no witness reads them, and a derived KL
is compared with its registered form before any tidying for the steps (:data:`UNSHOWN`) — the closed forms
checked are the ones ``derive`` prints.

Exit status 0 when every check passes, 1 when any fails (or nothing could be checked),
2 for bad input.
"""
import sys

from ._options import add_model_options, model_from_args

NAME = "verify"
HELP = "check every closed form numerically by an independent route (quadrature, Monte Carlo, finite differences)"


def configure(p):
    add_model_options(p)
    p.add_argument("--points", type=int, default=2, metavar="N", help="parameter points per witness (default 2)")
    p.add_argument("--seed", type=int, default=None, help="seed of the parameter points and Monte Carlo draws")
    p.add_argument("--samples", type=int, default=100_000, metavar="N", help="Monte Carlo sample size (default 100000)")
    p.add_argument("--all", action="store_true", help="every catalog model, one PASS/FAIL line each")
    p.add_argument("--jobs", type=int, default=None, metavar="N",
                   help="worker processes for --all (default: one per available core)")


# the quantities the witnesses check (symfisher.witness): the rest of a report is not derived here
VERIFIED = ("fisher", "kl", "kl_taylor", "jeffreys")
# no step is shown here: a derived KL is compared with a registered form before it is tidied for its steps
# (the result, the registered form, is the one derive prints)
UNSHOWN = {"kl": {"shown": False}}


def _default_jobs() -> int:
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _witness(model, args):
    """(report, verification, derive seconds, witness seconds) of one model."""
    import time

    from ..derive.report import derive_all
    from ..witness import DEFAULT_SEED, run_witnesses

    t0, c0 = time.monotonic(), time.process_time()
    report = derive_all(model, only=VERIFIED, args=UNSHOWN)
    t1, c1 = time.monotonic(), time.process_time()
    result = run_witnesses(model, report, n_points=args.points,
                           seed=DEFAULT_SEED if args.seed is None else args.seed, mc_samples=args.samples)
    return report, result, (t1 - t0, c1 - c0), (time.monotonic() - t1, time.process_time() - c1)


def _one_line(name, args) -> tuple:
    from ..families import get_model
    from ..limits import set_default_limit

    if args.time_limit is not None:
        set_default_limit(args.time_limit)
    report, result, td, tw = _witness(get_model(name), args)
    bad = [c.name for c in result.checks if not c.passed]
    cpu = td[1] + tw[1]
    # wall seconds, and the CPU seconds of this worker (on a shared machine the wall time is not the work)
    line = (f"{name:<22} {'PASS' if result.passed else 'FAIL'}  {len(result.checks)} checks  "
            f"derive {td[0]:.2f} s ({td[1]:.2f} CPU)  witnesses {tw[0]:.2f} s ({tw[1]:.2f} CPU)")
    if report.failures:
        line += "  not derived: " + ", ".join(f["step"] for f in report.failures)
    if bad:
        line += "  failed: " + "; ".join(bad[:3])
    return result.passed, line, cpu


# special functions whose expectations cost (polygamma tables, exact series, Bessel and error-function kernels)
_SPECIAL = ("gamma", "loggamma", "binomial", "factorial", "polygamma", "besseli", "erf", "erfc", "beta")


def _cost(name, timings=None) -> tuple:
    """A guess at a model's cost, to schedule the long ones first: the CPU seconds of the previous run of
    ``verify --all`` when known (``timings``, a schedule hint only: nothing derived is read from it), else
    parameters (one more for a special function of the parameters, one more where it holds the data too:
    a log-Gamma of x + r is a series), then the size of the log-density."""
    import sympy as sp

    from ..families import get_model

    m = get_model(name)
    ell = m.log_density
    special = [f for f in ell.atoms(sp.Function) if type(f).__name__ in _SPECIAL and f.has(*m.params)]
    static = (m.dim + bool(special) + any(f.has(*m.data) for f in special), sp.count_ops(ell))
    known = (timings or {}).get(name)
    if isinstance(known, (int, float)):
        return (1, float(known)) + static
    return (2 if timings else 0, 0.0) + static  # a model the last run did not see: first, its cost unknown


_TIMINGS = "verify-timings.json"  # in the cache directory: {model: CPU seconds} of the last verify --all


def _read_timings() -> dict:
    """The previous run's CPU seconds per model (the schedule's hint), or ``{}`` (no cache, no file, bad file)."""
    import json
    import os

    from ..cache import cache_dir, cache_enabled

    if not cache_enabled():
        return {}
    try:
        with open(os.path.join(cache_dir(), _TIMINGS), encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, (int, float))} \
        if isinstance(data, dict) else {}


def _write_timings(timings: dict) -> None:
    """Keep this run's CPU seconds per model for the next run's schedule (atomic; any OSError: not kept)."""
    import json
    import os
    import tempfile

    from ..cache import cache_dir, cache_enabled

    if not cache_enabled() or not timings:
        return
    try:
        d = cache_dir()
        os.makedirs(d, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=d)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(timings, fh, sort_keys=True)
            os.replace(tmp, os.path.join(d, _TIMINGS))
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass


def _preload() -> None:
    """What every worker imports: the derivations' modules, the witnesses and the SciPy parts they use."""
    import scipy.integrate  # noqa: F401
    import scipy.special  # noqa: F401
    import sympy.physics.units  # noqa: F401  (what SymPy's first simplify imports, 0.5 s a worker)

    from .. import witness  # noqa: F401
    from ..derive.report import _load_extensions

    _load_extensions()


def _cpu() -> float:
    """CPU seconds of this process and its finished workers (on a shared machine the wall time is not the work)."""
    import resource

    return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                 resource.getrusage(resource.RUSAGE_CHILDREN)))


def _run_all(args) -> int:
    import time

    from ..families import family_names
    from ..model import ModelError

    if args.name or args.density is not None or args.logpdf is not None or args.coords or args.reparam or args.size:
        raise ModelError("--all verifies the whole catalog; give no model, --density, --coords, --reparam or --size")
    jobs = _default_jobs() if args.jobs is None else args.jobs
    if jobs < 1:
        raise ModelError("--jobs must be at least 1")
    t0, cpu0 = time.monotonic(), _cpu()
    names = family_names()
    ok = True
    spent = {}
    if jobs > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
        if ctx.get_start_method() == "fork":
            _preload()  # imported once here, inherited by every worker
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
            # the costliest models first (by the last run's seconds, else by a guess), so that no long one
            # starts last; lines in catalog order
            timings = _read_timings()
            order = sorted(names, key=lambda n: _cost(n, timings), reverse=True)
            futs = {n: pool.submit(_one_line, n, args) for n in order}
            for name in names:
                passed, line, spent[name] = futs[name].result()
                ok &= passed
                print(line, flush=True)
    else:
        for name in names:
            passed, line, spent[name] = _one_line(name, args)
            ok &= passed
            print(line, flush=True)
    _write_timings({n: round(c, 3) for n, c in spent.items()})
    print(f"verified {len(names)} models in {time.monotonic() - t0:.1f} s ({_cpu() - cpu0:.1f} s CPU, "
          f"{jobs} process{'es' if jobs > 1 else ''}): "
          f"{'all PASS' if ok else 'some FAIL'}")
    return 0 if ok else 1


def run(args) -> int:
    from ..witness import format_table

    if args.points < 1 or args.samples < 100:
        raise ValueError("--points must be at least 1 and --samples at least 100")
    if args.all:
        return _run_all(args)
    model = model_from_args(args)
    report, result, _, _ = _witness(model, args)
    print(f"Model: {model.name} — {model.parameterization}" if model.parameterization else f"Model: {model.name}")
    for f in report.failures:
        print(f"not derived: {f['step']}: {f['reason']}")
    print(format_table(result.checks, result.skipped))
    return 0 if result.passed else 1
