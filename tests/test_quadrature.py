"""The witnesses' double-exponential rule (symfisher.numeric): right where it settles, and None — so that
adaptive quadrature takes over — where it cannot be trusted."""
import math

import numpy as np
import pytest

from symfisher.families import get_model
from symfisher.numeric import _de_quad, _de_sum, expect_vec


def test_known_integrals_on_every_kind_of_interval():
    both = _de_quad(lambda x: np.stack([np.exp(-x**2), 1 / (1 + x**2)], axis=1), -np.inf, np.inf, 1e-10, 1e-13)
    assert both == pytest.approx([math.sqrt(math.pi), math.pi], rel=1e-10)
    # heavy algebraic tail (a Student-t with nu = 1/2 decays like this)
    assert _de_quad(lambda x: ((1 + x) ** -1.5)[:, None], 0, np.inf, 1e-10, 1e-13) == pytest.approx([2.0], rel=1e-10)
    assert _de_quad(lambda x: (x * (1 - x))[:, None], 0, 1, 1e-10, 1e-13) == pytest.approx([1 / 6], rel=1e-12)
    assert _de_quad(lambda x: np.exp(-x)[:, None], -np.inf, 0.0, 1e-10, 1e-13) is None  # diverges: not finite


def test_end_singularity_below_float_resolution_is_left_to_adaptive_quadrature():
    # x^(-1/2): nodes closer to 0 than the float grid carry ~1e-8 of the mass, so the sums never agree to 1e-10
    assert _de_quad(lambda x: (x ** -0.5)[:, None], 0, 1, 1e-10, 1e-13) is None


def test_a_peak_between_all_nodes_is_not_taken_for_zero():
    sd = 0.01
    peak = lambda x: np.stack([np.exp(-(x - 5) ** 2 / (2 * sd**2)) / (sd * math.sqrt(2 * math.pi))] * 2, axis=1)  # noqa: E731
    assert _de_quad(peak, -np.inf, np.inf, 1e-10, 1e-13)[0] < 1e-6   # the rule alone misses it ...
    assert _de_sum(peak, [-np.inf, np.inf], 1e-10, 1e-13) is None     # ... the mass guard refuses it


@pytest.mark.parametrize("name,values,moment,want", [
    ("normal", {"mu": 5.0, "sigma": 0.01}, lambda xs: xs[0][:, None], 5.0),
    ("beta", {"a": 2.0, "b": 0.4}, lambda xs: xs[0][:, None], 2.0 / 2.4),      # end singularity: QAGS fallback
    ("gamma", {"a": 0.7, "b": 2.0}, lambda xs: (xs[0] ** 2)[:, None], 0.7 * 1.7 / 4.0),
])
def test_expectations_agree_with_closed_moments(name, values, moment, want):
    assert expect_vec(get_model(name), values, moment)[0] == pytest.approx(want, rel=1e-8)
