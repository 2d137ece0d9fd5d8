"""``symfisher derive``: every quantity (or --only some) for a model; --json for the contract.

``derive --all`` derives every catalog model in a pool of worker processes (``--jobs``,
default 2), one progress line per model on stderr. ``--json`` output (one model or
``--all``) goes through the disk cache (:mod:`symfisher.cache`).
"""
import sys

from ._options import add_model_options, model_from_args

NAME = "derive"
HELP = "derive score, Hessian, Fisher information, Cramér–Rao, KL, Taylor and Jeffreys"

# The slowest catalog models first, so that two workers finish close together
# (longest-processing-time-first scheduling); the others follow in catalog order.
_SLOW_FIRST = ("logistic", "student_t", "logistic_regression", "gumbel", "cauchy", "categorical", "weibull")


def configure(p):
    add_model_options(p)
    p.add_argument("--json", action="store_true", help="print the JSON object of the interface contract")
    p.add_argument("--only", metavar="LIST", help="comma-separated subset, e.g. fisher,kl")
    p.add_argument("--all", action="store_true", help="every catalog model (with --json: a JSON array)")
    p.add_argument("--jobs", type=int, default=2, metavar="N", help="worker processes for --all (default 2)")
    p.add_argument("--at", metavar="POINT", help='the Fisher information at a point, e.g. "alpha=2" (numeric by '
                                                 'quadrature, with an error estimate; symfisher/pointwise.py)')


class _Uncut:
    """The disk cache, except for reports cut short by the command's budget (they are no model's answer)."""

    def __init__(self, cache):
        self.cache = cache

    def get(self, key, quantities):
        return self.cache.get(key, quantities)

    def put(self, key, quantities, obj):
        from ..budget import cut_short

        if not cut_short(obj.get("failures")):
            self.cache.put(key, quantities, obj)


def _derive_json(model, only):
    from ..cache import default_cache, derive_json

    return derive_json(model, only=only, cache=_Uncut(default_cache()))


def budget_scale(args) -> int:
    """``--all`` derives the catalog in rounds of ``--jobs`` models: its budget is one command's per round."""
    if not args.all:
        return 1
    from ..families import family_names

    return -(-len(family_names()) // max(1, args.jobs))


def _only(args):
    return [q.strip() for q in args.only.split(",") if q.strip()] if args.only else None


def run(args) -> int:
    if args.all:
        if args.at is not None:
            raise ValueError("--at applies to one model, not to --all")
        return _run_all(args)
    import json

    model = model_from_args(args)
    if args.at is not None:
        from ..pointwise import run_at

        return run_at(model, args.at, as_json=args.json, limit=args.time_limit or 10.0)
    only = _only(args)
    if args.json:
        obj, _ = _derive_json(model, only)
        print(json.dumps(obj, indent=2))
        return 0
    from ..derive.report import derive_all
    from ..render.text import render_derivation, terminal_prose
    from ..textbook import page_letters, page_prose, random_variables, step_name, textbook_derivation

    report = derive_all(model, only=only)
    random = random_variables(report.model)  # upper case inside an expectation: E[T(X)]
    letters = page_letters([d for d in report.derivations.values() if d is not None])  # one letter, one meaning
    print(f"Model: {model.name} — {terminal_prose(model.parameterization)}")
    for name in report.requested:
        d = report.derivations.get(name)
        if d is not None:
            print()
            print(render_derivation(textbook_derivation(d, random=random, letters=letters)))
    if report.failures:
        print()
        print("Steps that could not be completed:")
        for f in report.failures:
            # in the page's letters, as the sections above write them (the linear index zeta, not eta)
            print(f"  - {terminal_prose(page_prose(step_name(f['step']), letters))}: "
                  f"{terminal_prose(page_prose(f['reason'], letters))}")
    return 0


def _derive_one(name: str, only, time_limit):
    """Worker: the JSON object of one catalog model, its wall time and whether it was cached."""
    import time

    from ..families import get_model
    from ..limits import set_default_limit

    if time_limit is not None:
        set_default_limit(time_limit)
    t0 = time.monotonic()
    obj, hit = _derive_json(get_model(name), only)
    return obj, time.monotonic() - t0, hit


def _run_all(args) -> int:
    import json
    import time

    from ..derive.report import ALL_QUANTITIES
    from ..families import family_names
    from ..model import ModelError

    if args.name or args.density is not None or args.logpdf is not None or args.var or args.param or args.const \
            or getattr(args, "constraint", None):
        raise ModelError("--all derives the whole catalog; give no model name or --density/--logpdf with it")
    if args.coords or args.reparam or args.size:
        raise ModelError("--coords/--reparam/--size apply to one model, not to --all")
    only = _only(args)
    unknown = [q for q in only or () if q not in ALL_QUANTITIES]
    if unknown:
        raise ValueError(f"unknown quantity {unknown[0]!r} in --only (choose from {', '.join(ALL_QUANTITIES)})")
    names = family_names()
    order = [n for n in _SLOW_FIRST if n in names] + [n for n in names if n not in _SLOW_FIRST]
    results = {}
    total = len(names)
    t0 = time.monotonic()

    def progress(name, obj, seconds, hit):
        fails = obj.get("failures") or []
        status = "ok" if not fails else f"{len(fails)} failed step(s): " + ", ".join(f["step"] for f in fails)
        src = "cached" if hit else f"{seconds:.2f} s"
        print(f"[{len(results)}/{total}] {name}: {status} ({src})", file=sys.stderr, flush=True)

    # cached reports are read here; only the misses go to the worker processes
    from ..cache import default_cache
    from ..families import get_model
    from ..limits import set_default_limit

    if args.time_limit is not None:
        set_default_limit(args.time_limit)
    cache = default_cache()
    quantities = tuple(only) if only else ALL_QUANTITIES
    todo = []
    for name in order:
        obj = cache.get(get_model(name).key(), quantities)
        if obj is None:
            todo.append(name)
        else:
            results[name] = obj
            progress(name, obj, 0.0, True)
    if args.jobs > 1 and len(todo) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
        with ProcessPoolExecutor(max_workers=min(args.jobs, len(todo)), mp_context=ctx) as pool:
            futs = {pool.submit(_derive_one, n, only, args.time_limit): n for n in todo}
            for fut in as_completed(futs):
                name = futs[fut]
                obj, seconds, hit = fut.result()
                results[name] = obj
                progress(name, obj, seconds, hit)
    else:
        for name in todo:
            obj, seconds, hit = _derive_one(name, only, args.time_limit)
            results[name] = obj
            progress(name, obj, seconds, hit)
    n_fail = sum(1 for o in results.values() if o.get("failures"))
    print(f"derived {total} models in {time.monotonic() - t0:.2f} s with {args.jobs} process(es); "
          f"{n_fail} with failed steps", file=sys.stderr, flush=True)
    if args.json:
        print(json.dumps([results[n] for n in names], indent=2))
    else:
        for n in names:
            o = results[n]
            fails = o.get("failures") or []
            fisher = o.get("fisher")
            shown = "Fisher " + str(fisher) if fisher is not None else "—"
            print(f"{n:20s} {shown}")
            for f in fails:
                print(f"{'':20s}   failed {f['step']}: {f['reason']}")
    return 0
