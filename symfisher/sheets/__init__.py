"""Exercise specifications -> derivations -> worked solution sheets.

A *spec* is a declarative TOML file (``derivations/*.toml``; no code in specs): the
prose of an exercise (``title``, ``question``, ``explanation``, ``takeaway``), the model
(a catalog ``name`` with ``sizes``, or a user ``density``/``logpdf`` with ``var``,
``params`` and ``consts``), the quantities to derive (``[[derive]]``), the numeric checks
(``[[check]]``) and optional figures (``[[figure]]``). An exercise with several models
(Jeffreys priors for Bernoulli *and* the exponential rate) lists them as ``[[part]]``
tables, each with its own ``model``, ``derive``, ``check`` and ``figure``.

The package is a spec schema (:mod:`.schema`: TOML -> validated records), an adapter
(:mod:`.adapter`: records -> engine derivations -> checks -> a sheet section, with the
quantities in :mod:`.quantities` registered in :mod:`.registry`) and the writers
(:mod:`.writers`: solution sheet, exercise sheet and notebook per spec, all-or-nothing).

Every quantity is resolved through :data:`QUANTITIES`: the engine's own registry
(:data:`symfisher.derive.report.QUANTITIES`, derived through ``derive_all`` as ``symfisher
derive`` does), plus the few sheet-only quantities of :mod:`.quantities` (logistic
regression on seeded data, the engine's witnesses as check rows). Checks address results by
typed paths (:mod:`.paths`: ``fisher[0, 1]``, ``kl_taylor.quadratic``,
``fisher_eigen.values[1]``), checked against the part's quantities and their fields when the
spec is read. Checks are *independent* of the symbolic route: the derived closed form is
evaluated at the spec's point and compared with a literature target written in the spec or
with a numeric witness from :data:`WITNESSES` (quadrature or exact sums of finite-difference
scores, seeded Monte Carlo, numeric integration).

>>> spec = parse_spec('''
... title = "Bernoulli"
... question = "Find $I(p)$."
... [model]
... name = "bernoulli"
... [[derive]]
... quantity = "fisher"
... [[check]]
... name = "I(0.2)"
... of = "fisher"
... at = {p = 0.2}
... target = 6.25
... ''', "demo.toml")
>>> [q.name for q in spec.parts[0].derive]
['fisher']
>>> sec = build_section(spec)
>>> [(c.name, c.passed) for c in sec.checks]
[('I(0.2)', True)]
>>> parse_spec('title = "x"', "bad.toml")
Traceback (most recent call last):
...
symfisher.sheets.schema.SpecError: bad.toml: key 'question': missing (the exercise's question, in words)
"""
from __future__ import annotations

from . import quantities as _quantities  # noqa: F401  (registers the quantities and witnesses)
from .adapter import (Context, build_model, build_section, build_sections, exercise_section, notebook_checks,
                      resolve, run_check, textbook_derivation)
from .paths import ResultPath, parse_path
from .registry import QUANTITIES, WITNESSES, Quantity, register_quantity, register_witness
from .schema import (CheckRequest, FigureRequest, Part, QuantityRequest, Spec, SpecError, default_spec_dir,
                     find_specs, load_spec, model_sizes, parse_spec)
from .writers import (DEFAULT_FORMATS, EXT, INDEX_TITLE, SHEET_FORMATS, OutputError, Written, atomic_write,
                      check_out_dir, check_targets, output_names, write_all, write_sheets)

__all__ = [
    "SpecError", "Spec", "Part", "QuantityRequest", "CheckRequest", "FigureRequest", "Quantity", "QUANTITIES",
    "WITNESSES", "register_quantity", "register_witness", "load_spec", "parse_spec", "find_specs",
    "default_spec_dir", "model_sizes", "Context", "build_model", "run_check", "resolve", "ResultPath", "parse_path",
    "textbook_derivation",
    "build_section", "build_sections", "notebook_checks", "exercise_section", "write_sheets", "write_all",
    "atomic_write", "output_names", "check_out_dir", "check_targets", "OutputError", "Written", "INDEX_TITLE",
    "EXT", "SHEET_FORMATS", "DEFAULT_FORMATS",
]
