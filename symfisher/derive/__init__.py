"""Functions Model -> Derivation: the derived quantities of information geometry."""
from .fisher import cramer_rao, fisher_information, hessian, iid_additivity, observed_information, score
from .regularity import check_normalization, check_support, expected_score, model_domains

__all__ = [
    "score",
    "hessian",
    "observed_information",
    "fisher_information",
    "iid_additivity",
    "cramer_rao",
    "check_support",
    "check_normalization",
    "expected_score",
    "model_domains",
]
