"""``symfisher derive``: every quantity (or --only some) for a model; --json for the contract."""
from ._options import add_model_options, model_from_args

NAME = "derive"
HELP = "derive score, Hessian, Fisher information, Cramér–Rao, KL, Taylor and Jeffreys"


def configure(p):
    add_model_options(p)
    p.add_argument("--json", action="store_true", help="print the JSON object of the interface contract")
    p.add_argument("--only", metavar="LIST", help="comma-separated subset, e.g. fisher,kl")


def run(args) -> int:
    import json

    from ..derive.report import derive_all

    model = model_from_args(args)
    only = [q.strip() for q in args.only.split(",") if q.strip()] if args.only else None
    report = derive_all(model, only=only)
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
        return 0
    from ..render.text import render_derivation

    print(f"Model: {model.name} — {model.parameterization}")
    for name in report.requested:
        d = report.derivations.get(name)
        if d is not None:
            print()
            print(render_derivation(d))
    if report.failures:
        print()
        print("Steps that could not be completed:")
        for f in report.failures:
            print(f"  - {f['step']}: {f['reason']}")
    return 0
