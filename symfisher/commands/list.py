"""``symfisher list``: one line per built-in model: name, parameters, support."""
NAME = "list"
HELP = "list the built-in models"


def configure(p):
    pass


def run(args) -> int:
    from ..families import families, get_model
    from ..families.kinds import KINDS, family_kind

    # grouped by kind (read off each model: see symfisher/families/kinds.py), catalog order within a kind
    grouped = {k: [] for k in KINDS}
    for name, fam in families().items():
        grouped[family_kind(get_model(name))].append((name, fam))
    for kind, members in grouped.items():
        if not members:
            continue
        print(f"# {kind} ({len(members)})")
        _print_members(members)
    return 0


def _print_members(members) -> None:
    import inspect

    from ..families import get_model

    for name, fam in members:
        m = get_model(name)
        params = ", ".join(str(s) for s in m.params)
        consts = ", ".join(str(s) for s in m.constants)
        support = ", ".join(f"{x} in {s}" for x, s in zip(m.data, m.support))
        extra = f"; known {consts}" if consts else ""
        sizes = [f"{p.name}={p.default}" for p in inspect.signature(fam.factory).parameters.values()]
        sized = f"  [sizes {', '.join(sizes)}; change with --size]" if sizes else ""
        print(f"{name:22s} ({params}{extra})  {support}  — {fam.summary}{sized}")
