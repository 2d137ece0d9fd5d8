"""symfisher: closed-form information geometry of statistical models with SymPy.

Scores, Fisher information (two routes), iid additivity, Cramér–Rao, the transformation
law, KL divergences and their Taylor expansions, Jeffreys priors — each as a
:class:`Derivation` (result plus steps), checked numerically by an independent route.

>>> import symfisher as sf
>>> sf.fisher_information(sf.get_model("poisson")).result
Matrix([[1/lam]])
"""
from .derivation import Check, Derivation, Failure, Step
from .derive import (
    check_normalization,
    check_support,
    cramer_rao,
    expected_score,
    fisher_information,
    hessian,
    iid_additivity,
    observed_information,
    score,
)
from .derive.jeffreys import jeffreys_invariance, jeffreys_prior
from .derive.kl import kl_divergence, register_kl
from .derive.natural import natural_gradient
from .derive.reparam import CoordinateChange, coordinate_change, named_coordinates, reparameterize, transformation_law
from .derive.report import Report, derive_all
from .derive.taylor import kl_taylor
from .domains import Domain, FiniteSupport, IntegerSupport, IntervalSupport
from .expectation import expectation
from .families import family_names, get_model
from .limits import StepFailed, StepTimeout, time_limit
from .model import Model, ModelError
from .usermodel import from_density, from_logpdf

__version__ = "0.8.0"


def _load_engine() -> None:
    """Load, at ``import symfisher``, the engine every typed model and derivation uses anyway: the safe
    parser, Euler's integrals, the structure modules (which register themselves), and SymPy's
    ``sympy.tensor.tensor``, which SymPy's own ``Add.flatten`` imports on the first sum a process builds.
    Paid once here (about 45 ms of CPU, measured in benchmarks/README.md) instead of inside the first
    ``from_density`` or Fisher information; the numeric and writing stacks stay lazy (tests/test_imports.py)."""
    import sympy.tensor.tensor  # noqa: F401

    from . import euler, parsing  # noqa: F401
    from .derive.structures import _load

    _load()


_load_engine()

# The numeric, checking and writing stacks (NumPy, SciPy, latex2mathml, matplotlib, the grammar) load on
# first use of one of their names, so `import symfisher` costs little more than `import sympy`.
_LAZY = {
    "Verdict": "check", "check_answer": "check",
    "empirical_vs_hessian": "ml", "ewc_importance": "ml", "ewc_penalty": "ml", "logistic_formulas": "ml",
    "natural_gradient_step": "ml",
    "NumericFunction": "numeric", "lambdify_report": "numeric",
    "SpecError": "sheets", "build_section": "sheets", "load_spec": "sheets", "write_sheets": "sheets",
    "run_witnesses": "witness", "verify": "witness",
    "from_sympy_stats": "sympy_stats", "fisher_rao_distance": "derive.fisher_rao", "fisher_at": "pointwise",
}


def __getattr__(name):
    modname = _LAZY.get(name)
    if modname is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{modname}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))

__all__ = [
    "Check",
    "CoordinateChange",
    "coordinate_change",
    "jeffreys_invariance",
    "jeffreys_prior",
    "kl_divergence",
    "kl_taylor",
    "named_coordinates",
    "natural_gradient",
    "register_kl",
    "reparameterize",
    "transformation_law",
    "Derivation",
    "Domain",
    "Failure",
    "FiniteSupport",
    "IntegerSupport",
    "IntervalSupport",
    "Model",
    "ModelError",
    "NumericFunction",
    "Report",
    "Step",
    "Verdict",
    "SpecError",
    "StepFailed",
    "StepTimeout",
    "build_section",
    "check_answer",
    "check_normalization",
    "check_support",
    "cramer_rao",
    "derive_all",
    "empirical_vs_hessian",
    "ewc_importance",
    "ewc_penalty",
    "expectation",
    "expected_score",
    "family_names",
    "fisher_information",
    "from_density",
    "from_logpdf",
    "from_sympy_stats",
    "fisher_rao_distance",
    "fisher_at",
    "get_model",
    "hessian",
    "iid_additivity",
    "load_spec",
    "lambdify_report",
    "logistic_formulas",
    "natural_gradient_step",
    "observed_information",
    "run_witnesses",
    "score",
    "time_limit",
    "write_sheets",
    "verify",
    "__version__",
]
