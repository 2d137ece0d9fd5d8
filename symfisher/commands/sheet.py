"""``symfisher sheet``: exercise specs -> solution sheets, exercise sheets and notebooks.

Exit code 0 when every numeric check of every sheet passes, 1 when a check fails or a
step could not be completed (the sheets are still written and show it), 2 on bad input.
"""
NAME = "sheet"
DEFAULT_FORMAT = "tex,html,md,json,ipynb"
HELP = "write solution sheets, exercise sheets and notebooks from exercise specs (default: all of derivations/)"


def configure(p):
    p.add_argument("specs", nargs="*", metavar="SPEC", help="spec files or directories (default: derivations/)")
    p.add_argument("--out", default="output", metavar="DIR", help="output directory (default: output)")
    p.add_argument("--format", default=DEFAULT_FORMAT, metavar="LIST",
                   help="comma-separated formats among tex, html, md, json, txt, ipynb (default: tex,html,md,json,ipynb); "
                        "each document format gives a solution sheet and an exercise sheet per spec")
    p.add_argument("--jobs", type=int, default=2, metavar="N", help="worker processes (default 2; 1 = serial)")
    p.add_argument("--no-figures", action="store_true", help="leave the (matplotlib) figures out")


def run(args) -> int:
    import sys

    from ..sheets import write_sheets

    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    if args.format == DEFAULT_FORMAT and "ipynb" in formats:
        try:
            import nbformat  # noqa: F401
        except ImportError:  # asked for by default only: leave the notebooks out, and say so
            formats.remove("ipynb")
            print("symfisher: warning: notebooks not written: the nbformat package is not installed",
                  file=sys.stderr)
    if not formats:
        raise ValueError("--format: no format given (choose among tex, html, md, json, txt, ipynb)")
    if not args.out.strip():
        raise ValueError("--out: an empty directory name (give a directory, e.g. --out output)")
    if args.jobs < 1:
        raise ValueError(f"--jobs must be at least 1, got {args.jobs}")
    from ..sheets import find_specs

    paths = find_specs(args.specs)
    written = write_sheets(paths, args.out, formats, jobs=args.jobs, figures=not args.no_figures)
    sheets = sum(1 for p in written if p.parent.name != "figures")
    print(f"wrote {sheets} sheet file(s) for {len(paths)} spec(s) into {args.out}", file=sys.stderr)
    for spec, what in written.failed:  # the sheets are written, and say so too; the run is not a success
        print(f"symfisher: {spec}: failed: {what}", file=sys.stderr)
    return 1 if written.failed else 0
