"""``symfisher list``: one line per built-in model: name, parameters, support."""
NAME = "list"
HELP = "list the built-in models"


def configure(p):
    pass


def run(args) -> int:
    import inspect

    from ..families import families, get_model

    for name, fam in families().items():
        m = get_model(name)
        params = ", ".join(str(s) for s in m.params)
        consts = ", ".join(str(s) for s in m.constants)
        support = ", ".join(f"{x} in {s}" for x, s in zip(m.data, m.support))
        extra = f"; known {consts}" if consts else ""
        sizes = [f"{p.name}={p.default}" for p in inspect.signature(fam.factory).parameters.values()]
        sized = f"  [sizes {', '.join(sizes)}; change with --size]" if sizes else ""
        print(f"{name:20s} ({params}{extra})  {support}  — {fam.summary}{sized}")
    return 0
