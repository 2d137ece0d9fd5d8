"""``symfisher list``: one line per built-in model: name, parameters, support."""
NAME = "list"
HELP = "list the built-in models"


def configure(p):
    pass


def run(args) -> int:
    from ..families import families, get_model

    for name, fam in families().items():
        m = get_model(name)
        params = ", ".join(str(s) for s in m.params)
        consts = ", ".join(str(s) for s in m.constants)
        support = ", ".join(f"{x} in {s}" for x, s in zip(m.data, m.support))
        extra = f"; known {consts}" if consts else ""
        print(f"{name:20s} ({params}{extra})  {support}  — {fam.summary}")
    return 0
