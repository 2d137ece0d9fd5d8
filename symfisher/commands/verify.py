"""``symfisher verify``: the independent numeric witnesses of a model's closed forms, as a PASS/FAIL table.

Exit status 0 when every check passes, 1 when any fails (or nothing could be checked),
2 for bad input.
"""
from ._options import add_model_options, model_from_args

NAME = "verify"
HELP = "check every closed form numerically by an independent route (quadrature, Monte Carlo, finite differences)"


def configure(p):
    add_model_options(p)
    p.add_argument("--points", type=int, default=2, metavar="N", help="parameter points per witness (default 2)")
    p.add_argument("--seed", type=int, default=None, help="seed of the parameter points and Monte Carlo draws")
    p.add_argument("--samples", type=int, default=100_000, metavar="N", help="Monte Carlo sample size (default 100000)")


def run(args) -> int:
    from ..derive.report import derive_all
    from ..witness import DEFAULT_SEED, format_table, run_witnesses

    if args.points < 1 or args.samples < 100:
        raise ValueError("--points must be at least 1 and --samples at least 100")
    model = model_from_args(args)
    report = derive_all(model)
    result = run_witnesses(model, report, n_points=args.points,
                           seed=DEFAULT_SEED if args.seed is None else args.seed, mc_samples=args.samples)
    print(f"Model: {model.name} — {model.parameterization}" if model.parameterization else f"Model: {model.name}")
    for f in report.failures:
        print(f"not derived: {f['step']}: {f['reason']}")
    print(format_table(result.checks, result.skipped))
    return 0 if result.passed else 1
