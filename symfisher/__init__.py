"""symfisher: closed-form information geometry of statistical models with SymPy.

Scores, Fisher information (two routes), iid additivity, Cramér–Rao, the transformation
law, KL divergences and their Taylor expansions, Jeffreys priors — each as a
:class:`Derivation` (result plus steps), checked numerically by an independent route.

>>> import symfisher as sf
>>> sf.fisher_information(sf.get_model("poisson")).result
Matrix([[1/lam]])
"""
from .check import Verdict, check_answer
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
from .ml import empirical_vs_hessian, ewc_importance, ewc_penalty, logistic_formulas, natural_gradient_step
from .model import Model, ModelError
from .numeric import NumericFunction, lambdify_report
from .sheets import SpecError, build_section, load_spec, write_sheets
from .usermodel import from_density, from_logpdf
from .witness import run_witnesses, verify

__version__ = "0.2.0"

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
