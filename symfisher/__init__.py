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
from .derive.report import Report, derive_all
from .domains import Domain, FiniteSupport, IntegerSupport, IntervalSupport
from .expectation import expectation
from .families import family_names, get_model
from .limits import StepFailed, StepTimeout, time_limit
from .model import Model, ModelError
from .usermodel import from_density, from_logpdf

__version__ = "0.1.0"

__all__ = [
    "Check",
    "Derivation",
    "Domain",
    "Failure",
    "FiniteSupport",
    "IntegerSupport",
    "IntervalSupport",
    "Model",
    "ModelError",
    "Report",
    "Step",
    "StepFailed",
    "StepTimeout",
    "check_normalization",
    "check_support",
    "cramer_rao",
    "derive_all",
    "expectation",
    "expected_score",
    "family_names",
    "fisher_information",
    "from_density",
    "from_logpdf",
    "get_model",
    "hessian",
    "iid_additivity",
    "observed_information",
    "score",
    "time_limit",
    "__version__",
]
