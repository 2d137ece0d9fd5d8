"""The general quantities of symfisher.derive.information, on models other than the exercises'.

Each is reached the two ways a user reaches it — ``derive_all`` (the registry of ``symfisher
derive``) and a sheet spec — and each result is compared with a literature value and with an
independent numeric witness (finite-difference scores summed or integrated numerically, seeded
Monte Carlo), never with itself.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from symfisher import sheets
from symfisher.derive.report import QUANTITIES, derive_all
from symfisher.families import get_model
from symfisher.witness import fisher_entry_by_fd_scores, joint_observed_information


def _fd_fisher(model, point):
    """The Fisher matrix at ``point`` by the finite-difference witness, entry by entry."""
    d = model.dim
    return np.array([[fisher_entry_by_fd_scores(model, point, i, j)[0] for j in range(d)] for i in range(d)])


def test_general_quantities_are_in_the_engines_registry_and_the_sheets():
    for name in ("fisher_extremes", "fisher_expectation_sum", "fisher_eigen", "fisher_times", "additivity", "reparam"):
        assert sheets.QUANTITIES[name].engine, name  # the sheets read the engine's registry (and load it)
        assert sheets.QUANTITIES[name].fields == QUANTITIES[name].fields


def test_fisher_extremes_geometric():
    # literature: geometric on {1, 2, ...}, I(p) = 1/(p²(1 − p)) (Lehmann & Casella); d/dp p²(1−p) = 0 at p = 2/3
    m = get_model("geometric")
    p = m.params[0]
    r = derive_all(m, only=["fisher_extremes"])
    d = r.derivations["fisher_extremes"]
    assert not d.failures
    assert sp.simplify(r.get("fisher")[0, 0] - 1 / (p**2 * (1 - p))) == 0
    assert d.extras["argmin"] == sp.Rational(2, 3) and d.extras["minimum"] == sp.Rational(27, 4)
    assert list(d.extras["limits"]) == [sp.oo, sp.oo]
    # witness: the finite-difference Fisher information on a grid has its smallest value there
    grid = np.linspace(0.3, 0.9, 61)
    values = [fisher_entry_by_fd_scores(m, {p: sp.Float(t, 30)}, 0, 0)[0] for t in grid]
    k = int(np.argmin(values))
    assert abs(grid[k] - 2 / 3) <= 0.011 and abs(values[k] - 6.75) < 1e-3


def test_derive_json_carries_the_general_quantities_when_asked(capsys, monkeypatch):
    from symfisher.cli import main

    monkeypatch.setenv("SYMFISHER_NO_CACHE", "1")
    assert main(["derive", "geometric", "--only", "fisher_extremes", "--json"]) == 0
    import json

    obj = json.loads(capsys.readouterr().out)
    assert obj["quantities"]["fisher_extremes"]["argmin"] == "2/3"
    assert obj["quantities"]["fisher_extremes"]["minimum"] == "27/4"
    assert main(["derive", "geometric", "--only", "fisher", "--json"]) == 0
    assert "quantities" not in json.loads(capsys.readouterr().out)  # the contract's keys only, as before


def test_fisher_extremes_without_a_stationary_point_gives_the_limits():
    # Poisson: I(λ) = 1/λ, decreasing, no interior extremum; I → ∞ at 0 and → 0 at ∞
    d = derive_all(get_model("poisson"), only=["fisher_extremes"]).derivations["fisher_extremes"]
    assert "minimum" not in d.extras and list(d.extras["limits"]) == [sp.oo, 0]


def test_fisher_expectation_sum_on_a_three_outcome_pmf():
    # Binomial(2, p) written as a user pmf on {0, 1, 2}: I(p) = 2/(p(1 − p)) (literature: n/(p(1 − p)))
    from symfisher.usermodel import from_density

    m = from_density("2**(x*(2 - x))*p**x*(1 - p)**(2 - x)", "x in {0, 1, 2}", ["p in (0, 1)"])
    p = m.params[0]
    d = derive_all(m, only=["fisher_expectation_sum"]).derivations["fisher_expectation_sum"]
    assert not d.failures and sp.simplify(d.result - 2 / (p * (1 - p))) == 0
    assert len(d.extras["terms"].args) == 3  # one term per outcome, as written
    at = {p: sp.Rational(35, 100)}
    witness = fisher_entry_by_fd_scores(m, at, 0, 0)[0]
    assert math.isclose(float(d.extras["terms"].subs(at)), witness, rel_tol=1e-8)
    assert math.isclose(float(d.result.subs(at)), 2 / (0.35 * 0.65), rel_tol=1e-12)


def test_fisher_eigen_normal_mean_and_sd():
    # N(μ, σ): I = diag(1/σ², 2/σ²); at σ = 2 the eigenvalues are 1/2 (along σ) and 1/4 (along μ)
    m = get_model("normal")
    mu, sigma = m.params
    d = derive_all(m, only=["fisher_eigen"], args={"fisher_eigen": {"at": {sigma: 2}}}).derivations["fisher_eigen"]
    assert not d.failures
    assert list(d.extras["values"]) == [sp.Rational(1, 2), sp.Rational(1, 4)]
    V = d.extras["vectors"]
    assert [abs(x) for x in V[:, 0]] == [0, 1] and [abs(x) for x in V[:, 1]] == [1, 0]
    w, U = np.linalg.eigh(_fd_fisher(m, {mu: sp.Rational(3, 10), sigma: 2}))
    assert np.allclose(sorted(w, reverse=True), [0.5, 0.25], rtol=1e-7)
    assert abs(abs(U[1, np.argmax(w)]) - 1) < 1e-6  # the most informative direction is σ
    # without a point: the eigenvalues in closed form
    s = derive_all(m, only=["fisher_eigen"]).derivations["fisher_eigen"]
    assert {sp.simplify(e * sigma**2) for e in s.extras["values"]} == {1, 2}


def test_fisher_times_normal():
    m = get_model("normal")
    mu, sigma = m.params
    M = sp.Matrix([[4, 0], [0, 2]])  # I(σ = 2)⁻¹ = diag(σ², σ²/2)
    d = derive_all(m, only=["fisher_times"], args={"fisher_times": {"at": {sigma: 2}, "matrix": M}}).derivations[
        "fisher_times"]
    assert d.result == sp.eye(2)
    assert np.allclose(_fd_fisher(m, {mu: 0, sigma: 2}) @ np.array([[4, 0], [0, 2]]), np.eye(2), atol=1e-7)


def test_additivity_poisson():
    # n iid Poisson(λ): I_n = n/λ; at n = 5, λ = 2: 5/2
    m = get_model("poisson")
    lam = m.params[0]
    d = derive_all(m, only=["additivity"], args={"additivity": {"n": 5, "at": {lam: 2}}}).derivations["additivity"]
    assert d.result == sp.Rational(5, 2) and d.extras["n"] == 5
    mean, se = joint_observed_information(m, {"lam": 2.0}, 5, 4000, 3)
    assert abs(mean - 2.5) < 4 * se


def test_reparam_poisson_log_rate():
    # η = log λ: I_η = I_λ (dλ/dη)² = e^η (= λ)
    m = get_model("poisson")
    d = derive_all(m, only=["reparam"], args={"reparam": {"coords": "log"}}).derivations["reparam"]
    eta = next(iter(d.result.free_symbols))
    assert sp.simplify(d.result[0, 0] - sp.exp(eta)) == 0
    new = d.extras["model"]
    assert math.isclose(fisher_entry_by_fd_scores(new, {new.params[0]: sp.log(3)}, 0, 0)[0], 3.0, rel_tol=1e-7)


_GEOM = '''
title = "Geometric: where is one count least informative?"
question = "For $X \\\\sim \\\\mathrm{Geometric}(p)$ on $\\\\{1, 2, \\\\dots\\\\}$, where is $\\\\mathcal{I}(p)$ smallest?"
[model]
name = "geometric"
[[derive]]
quantity = "fisher_extremes"
[[derive]]
quantity = "fisher_eigen"
at = {p = 0.5}
[[check]]
name = "argmin against 2/3"
of = "fisher_extremes.argmin"
target = "2/3"
[[check]]
name = "minimum against 27/4"
of = "fisher_extremes.minimum"
target = 6.75
[[check]]
name = "the minimum against E[s^2] with finite-difference scores, truncated sum"
of = "fisher_extremes.minimum"
at = {p = "2/3"}
witness = "fisher_quadrature"
tol = 1e-7
[[check]]
name = "the one eigenvalue at p = 1/2 is I(1/2) = 8"
of = "fisher_eigen.values"  # one parameter: a 1×1 value is a number, no index
target = 8
'''


def test_a_spec_reaches_the_general_quantities_for_any_model(tmp_path):
    spec = sheets.parse_spec(_GEOM, str(tmp_path / "geom.toml"))
    sec = sheets.build_section(spec, figures=False)
    assert [c.passed for c in sec.all_checks] == [True] * 4, [(c.name, c.value, c.target) for c in sec.all_checks]
    # (the section opens with the model's assumptions, then the derivations the spec asked for)
    assert [d.quantity for d in sec.derivations] == ["setting", "fisher_extremes", "fisher_eigen"]


def test_a_wrong_check_on_a_general_quantity_fails():
    spec = sheets.parse_spec(_GEOM.replace('target = "2/3"', 'target = "1/2"'), "geom.toml")
    passed = [c.passed for c in sheets.build_section(spec, figures=False).all_checks]
    assert passed == [False, True, True, True]


def test_additivity_keeps_the_sample_size_apart_from_a_model_constant_named_n():
    """The binomial's n trials are not the sample size: n iid Binomial(n, p) draws carry N n/(p(1 - p))
    (additivity: I_N = N I), so at N = 5 it is 5n/(p(1 - p)), not n^2/(p(1 - p))."""
    import symfisher as sf
    from symfisher.derive.information import additivity_at

    m = sf.get_model("binomial")
    p, n = m.symbol("p"), m.symbol("n")
    d = additivity_at(m, sf.fisher_information(m).result, n=5)
    assert sp.simplify(d.result - 5 * n / (p * (1 - p))) == 0
    assert d.extras["n"] == 5 and d.extras["general"].has(n) and d.extras["sample_size"] != n
