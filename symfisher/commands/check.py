"""``symfisher check MODEL-OPTIONS QUANTITY EXPR [--latex]``: is a hand-derived result right?

Exit status 0 when the answer equals the derived quantity -- proven by SymPy, or, where SymPy
cannot decide, equal to 50 digits at every point spread over the whole domain, which the verdict
says in the words "equal at N points, not proven" -- 1 when it does not (a point where the two
differ is printed, with both values, their difference and, where one fits, what probably went
wrong), 2 for bad input (unparsable expression, unknown symbol, wrong shape, unknown quantity).
See :mod:`symfisher.check` for the quantities, the notation and how equality is decided.
"""
from ._options import add_model_options, model_from_args

NAME = "check"
HELP = ("check a hand-derived score, Hessian, Fisher information, Cramér–Rao bound, KL divergence, KL quadratic "
        "term, Jeffreys prior or natural gradient (exit 0 equal, 1 not equal, 2 bad input)")


def configure(p):
    add_model_options(p)
    p.add_argument("quantity", metavar="QUANTITY",
                   help="score, hessian, fisher, cramer-rao, kl, kl-quadratic, jeffreys or natural-gradient (the "
                        "targets registered in symfisher.check.targets); entries as fisher[0,1], fisher[mu,sigma], "
                        "score[mu]")
    p.add_argument("expr", metavar="EXPR",
                   help="your answer: an expression, a list [a, b] or a matrix [[a, b], [c, d]] "
                        "(put -- before an answer that starts with '-')")
    p.add_argument("--latex", action="store_true", help="EXPR is LaTeX (\\frac{1}{p(1-p)})")
    p.add_argument("--show-answer", action="store_true", help="also print the correct result")
    _allow_intermixed(p)


def _allow_intermixed(p):
    """Let the positionals NAME, QUANTITY and EXPR be split by options (``bernoulli --coords logit fisher ...``).

    argparse consumes positionals chunk by chunk, so the optional NAME would swallow the first chunk and
    leave QUANTITY/EXPR unmatched; ``parse_known_intermixed_args`` reads options first, then positionals.
    """
    plain = p.parse_known_args
    state = {"inside": False}

    def parse_known_args(args=None, namespace=None):
        if state["inside"]:
            return plain(args, namespace)
        state["inside"] = True
        if args is not None:
            # an answer such as "-1/lam" is not an option: a leading space makes argparse take it as a positional
            args = [" " + a if isinstance(a, str) and len(a) > 1 and a[0] == "-" and a[1] not in "-h" else a
                    for a in args]
        try:
            return p.parse_known_intermixed_args(args, namespace)
        finally:
            state["inside"] = False

    p.parse_known_args = parse_known_args


def _model(args):
    """The model of MODEL-OPTIONS, in the coordinates of --coords/--reparam."""
    model = model_from_args(args)
    if (args.coords or args.reparam) and model.meta_value("coordinates") is None:
        # --coords/--reparam not applied by a registered model transform: apply them here
        from ..derive.reparam import coordinate_change, reparameterize
        from ..model import ModelError
        from ..parsing import parse_reparam

        if args.coords and args.reparam:
            raise ModelError("give either --coords or --reparam, not both")
        if args.coords:
            return reparameterize(model, args.coords)
        mapping, texts = {}, {}
        for text in args.reparam:
            old, rhs, _ = parse_reparam(text, model.symbols)
            if old not in model.params:
                raise ModelError(f"--reparam '{text}': {old} is not a parameter of the {model.name} model")
            if old in mapping:
                raise ModelError(f"--reparam: {old} is given twice")
            mapping[old], texts[old] = rhs, text
        return reparameterize(model, coordinate_change(model, mapping, texts=texts))
    return model


def run(args) -> int:
    import sympy as sp

    from ..check import check_answer

    model = _model(args)
    verdict = check_answer(model, args.quantity.strip(), args.expr.strip(), latex=args.latex)
    print(verdict.message)
    if verdict.diagnosis:
        print(f"diagnosis: {verdict.diagnosis}")
    if args.show_answer:
        e = verdict.expected
        print(f"correct: {e.tolist() if isinstance(e, sp.MatrixBase) else e}")
    return verdict.exit_code
