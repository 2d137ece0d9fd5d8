"""MODEL-OPTIONS shared by derive, check and verify: a catalog NAME or a user density."""
from __future__ import annotations

import argparse

__all__ = ["add_model_options", "model_from_args", "parse_sizes", "catalog_model", "MODEL_TRANSFORMS"]

# functions (model, args) -> model applied after the model is built (--coords, --reparam)
MODEL_TRANSFORMS: list = []


def add_model_options(p: argparse.ArgumentParser, name_required: bool = False) -> None:
    p.add_argument("name", nargs="?", help="a catalog model (see `symfisher list`)")
    p.add_argument("--density", metavar="EXPR", help="a user's density, e.g. 't*exp(-t*x)'")
    p.add_argument("--logpdf", metavar="EXPR", help="a user's log-density")
    p.add_argument("--var", action="append", default=None, metavar="'x in SUPPORT'",
                   help="the data variable and its support; several: repeat it, or 'x_1 in R, x_2 in R'")
    p.add_argument("--param", action="append", default=[], metavar="'NAME in DOMAIN'", help="a parameter (repeatable)")
    p.add_argument("--const", action="append", default=[], metavar="'NAME in DOMAIN'", help="a known constant (repeatable)")
    p.add_argument("--constraint", action="append", default=[], metavar="'RELATION'",
                   help="a joint constraint on the parameters and constants, e.g. 'p_1 + p_2 < 1', or one bounding a joint "
                        "support of two or more data variables, e.g. 'x_1 + x_2 < 1', 'x_1 + x_2 <= n' (repeatable)")
    p.add_argument("--coords", metavar="NAME", help="a named coordinate system of a catalog model")
    p.add_argument("--reparam", action="append", default=[], metavar="'p = EXPR'", help="new coordinates, one per parameter")
    p.add_argument("--size", action="append", default=[], metavar="NAME=N",
                   help="a size of a catalog model, from 1 to 100, e.g. d=5 for mvn_mean or logistic_regression, "
                        "K=4 for categorical (repeatable)")
    p.add_argument("--time-limit", type=_seconds, default=None, metavar="SECONDS",
                   help="time limit of each symbolic step, more than 0 and at most 3600 (default 20, or "
                        "SYMFISHER_TIME_LIMIT); reading the model gets 3 limits, the whole command 30 limits")


def _seconds(text):
    from ..budget import seconds

    return seconds(text)


_seconds.__name__ = "seconds"  # argparse names the type in its messages


def parse_sizes(texts) -> dict:
    """``["d=5", "K = 4"]`` -> ``{"d": 5, "K": 4}``; a bad item is a one-line ModelError.

    Each size is capped by :func:`symfisher.budget.capped` (at most ``MAXIMA["size"]``), as in a spec.
    """
    import re

    from ..budget import MAXIMA, BudgetError, capped
    from ..model import ModelError

    sizes = {}
    for text in texts or ():
        m = re.fullmatch(r"\s*([A-Za-z][A-Za-z0-9_]*)\s*=\s*([0-9]{1,30})\s*", text)
        if not m:
            raise ModelError(f"--size {text!r}: expected NAME=N with a whole number, e.g. d=5")
        name = m.group(1)
        try:
            n = capped(f"--size {name}=", int(m.group(2)), MAXIMA["size"])
        except BudgetError as exc:
            raise ModelError(str(exc)) from None
        if name in sizes:
            raise ModelError(f"--size: {name} is given twice")
        sizes[name] = n
    return sizes


def model_from_args(args):
    """The model of MODEL-OPTIONS; reading and building it is one step under MODEL_FACTOR time limits
    (it is several symbolic steps: parsing, the support, sign and normalization checks, standardizing)."""
    from ..budget import MODEL_FACTOR
    from ..limits import default_limit, set_default_limit, time_limit

    if getattr(args, "time_limit", None) is not None:
        set_default_limit(args.time_limit)
    with time_limit(MODEL_FACTOR * default_limit(), "reading the model"):
        return _build_model(args)


def _build_model(args):
    from ..model import ModelError
    from ..usermodel import from_density, from_logpdf

    user = args.density is not None or args.logpdf is not None
    if args.density is not None and args.logpdf is not None:
        raise ModelError("give either --density or --logpdf, not both")
    if user and args.name:
        raise ModelError(f"give either a catalog model name ({args.name!r}) or --density/--logpdf, not both")
    if not user and not args.name:
        raise ModelError("no model: name a catalog model (symfisher list) or give --density/--logpdf with --var and --param")
    constraints = getattr(args, "constraint", None) or []
    if not user and (args.var or args.param or args.const or constraints):
        raise ModelError("--var/--param/--const/--constraint describe a --density or --logpdf model, not a catalog one")
    sizes = parse_sizes(getattr(args, "size", None))
    if user and sizes:
        raise ModelError("--size sets a size of a catalog model, not of a --density or --logpdf one")
    if user:
        build = from_density if args.density is not None else from_logpdf
        model = build(args.density if args.density is not None else args.logpdf, args.var, args.param, args.const,
                      constraints=constraints)
    else:
        model = catalog_model(args.name, sizes)
    for transform in MODEL_TRANSFORMS:
        model = transform(model, args)
    return model


def catalog_model(name: str, sizes: dict):
    """``get_model(name, **sizes)`` with a one-line error for a size the family does not have."""
    import inspect

    from ..families import families, get_model
    from ..model import ModelError

    fam = families().get(name)
    if fam is not None and sizes:
        known = [p for p in inspect.signature(fam.factory).parameters]
        extra = sorted(set(sizes) - set(known))
        if extra:
            have = f"its sizes are {', '.join(known)}" if known else "it has no sizes"
            raise ModelError(f"model {name!r} has no size {extra[0]!r} ({have})")
    try:
        return get_model(name, **sizes)
    except ValueError as exc:  # the family refuses the value (d < 1, ...)
        raise ModelError(str(exc)) from None


def _coordinates_transform(model, args):
    """--coords NAME (a named coordinate system) or --reparam 'p = EXPR' (parsed safely)."""
    from ..model import ModelError

    coords, reparams = getattr(args, "coords", None), getattr(args, "reparam", None) or []
    if not coords and not reparams:
        return model
    from ..derive.reparam import coordinate_change, named_coordinates, reparameterize

    if coords and reparams:
        raise ModelError("give either --coords or --reparam, not both")
    if coords:
        if not model.family:
            raise ModelError("--coords names a coordinate system of a catalog model; use --reparam 'PARAM = EXPR' "
                             "for a --density or --logpdf model")
        return reparameterize(model, named_coordinates(model, coords))
    from ..parsing import parse_reparam

    symbols = {s.name: s for s in model.params + model.constants}
    mapping, texts = {}, {}
    for text in reparams:
        old, expr, _new = parse_reparam(text, symbols)
        if old not in model.params:
            raise ModelError(f"--reparam {text!r}: {old} is a known constant, not a parameter")
        if old in mapping:
            raise ModelError(f"--reparam: {old} is reparameterized twice")
        mapping[old], texts[old] = expr, text.strip()
    return reparameterize(model, coordinate_change(model, mapping, texts=texts))


MODEL_TRANSFORMS.append(_coordinates_transform)


def _kl_names_free(model, args):
    """A declared name that the KL divergence or its Taylor expansion also gives (``a_1``, ``delta_a``:
    docs/specs.md) is bad input (:func:`symfisher.derive.taylor.derived_name_clash`)."""
    from ..derive.taylor import derived_name_clash
    from ..model import ModelError

    why = derived_name_clash(model)
    if why:
        raise ModelError(why)
    return model


MODEL_TRANSFORMS.append(_kl_names_free)
