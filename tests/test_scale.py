"""Structure instead of entries: the linear index (logistic regression) and the Gaussian
mean in matrix form scale with the dimension. Times are measured in benchmarks/bench_scale.py;
here the results at a large d are checked against the literature at seeded points."""
import random

import pytest
import sympy as sp

from symfisher.derive.fisher import fisher_information, hessian, score
from symfisher.derive.reparam import coordinate_change, reparameterize
from symfisher.derive.structure import index_model, linear_index
from symfisher.families import get_model


def _sigmoid(t):
    return 1 / (1 + sp.exp(-t))


@pytest.mark.parametrize("d", [1, 3, 30])
def test_logistic_regression_fisher_is_sigma_one_minus_sigma_x_xT(d):
    m = get_model("logistic_regression", d=d)
    ix = linear_index(m)
    assert ix is not None
    fd = fisher_information(m)
    assert fd.extras["routes_agree"] is True and not fd.failures
    I = fd.result
    rng = random.Random(d)
    sub = {s: sp.Rational(rng.randint(-15, 15), 10) for s in m.params + m.constants}
    eta = sum(sub[w] * sub[x] for w, x in zip(m.params, m.constants))
    x = sp.Matrix([sub[c] for c in m.constants])
    want = _sigmoid(eta) * (1 - _sigmoid(eta)) * x * x.T  # McCullagh & Nelder: X^T W X for one row
    assert max(abs(sp.N(e)) for e in I.xreplace(sub) - want) < 1e-12
    # both routes were lifted from the index model, each equal to the result
    for M in (fd.extras["outer"], fd.extras["curvature"]):
        assert max(abs(sp.N(e)) for e in M.xreplace(sub) - want) < 1e-12


def test_index_derivation_matches_the_entrywise_one():
    """The chain rule through the index gives what differentiating entry by entry gives."""
    m = get_model("logistic_regression", d=3)
    entrywise = sp.Matrix([sp.diff(m.log_density, w) for w in m.params])
    s = score(m).extras["raw"]
    H = hessian(m).extras["raw"]
    pts = random.Random(7)
    sub = {v: sp.Rational(pts.randint(-9, 9), 7) for v in m.params + m.constants}
    for y in (0, 1):
        sy = {**sub, m.data[0]: y}
        assert max(abs(sp.N(e)) for e in (s - entrywise).xreplace(sy)) < 1e-12
        H_direct = sp.Matrix(3, 3, lambda i, j: sp.diff(entrywise[i], m.params[j]))
        assert max(abs(sp.N(e)) for e in (H - H_direct).xreplace(sy)) < 1e-12


def test_index_model_is_the_bernoulli_in_the_logit():
    m = get_model("logistic_regression", d=2)
    red = index_model(m, linear_index(m))
    I_eta = fisher_information(red).result[0, 0]
    e = red.params[0]
    assert sp.simplify(I_eta - _sigmoid(e) * (1 - _sigmoid(e))) == 0


def test_a_changed_log_density_is_not_taken_for_an_index_model():
    m = get_model("logistic_regression", d=2)
    w1, w2 = m.params
    u = sp.Symbol("u")
    # w_1 = log u: the declared index no longer produces the log-density, so the generic route runs
    rm = reparameterize(m, coordinate_change(m, {w1: sp.log(u)}))
    assert linear_index(rm) is None
    assert linear_index(m.with_(log_density=m.log_density + w1 ** 2)) is None


# -- the Gaussian mean in matrix form ------------------------------------------------------------

def _spd(d, seed):
    A = sp.randMatrix(d, d, -3, 3, seed=seed)
    return sp.ImmutableMatrix(A * A.T + sp.eye(d))


def _at(expr, m, Snum):
    """Evaluate with Sigma = Snum: the named sigma_ij and the opaque (Sigma^{-1})_ij alike."""
    S = m.meta_value("covariance")
    sub = {S[i, j]: Snum[i, j] for i in range(S.rows) for j in range(S.cols)}
    sub[m.meta_value("gaussian").cov] = Snum
    return sp.Matrix(expr).xreplace(sub).applyfunc(lambda e: sp.N(e.doit()))


@pytest.mark.parametrize("d", [2, 3, 8])
def test_mvn_mean_fisher_is_the_precision_matrix(d):
    from symfisher.derive.report import derive_all

    m = get_model("mvn_mean", d=d)
    rep = derive_all(m, only=["fisher", "cramer_rao"])
    assert not rep.failures
    fd = rep.derivations["fisher"]
    assert fd.extras["routes_agree"] is True
    Snum = _spd(d, d)
    for M in (rep.get("fisher"), fd.extras["outer"], fd.extras["curvature"]):
        assert max(abs(e) for e in _at(M, m, Snum) * Snum - sp.eye(d)) < 1e-9  # I Sigma = 1 (Mardia et al. §4.2)
    assert max(abs(e) for e in _at(rep.get("cramer_rao"), m, Snum) - Snum) < 1e-9
    # the matrix-form steps: E[s s^T] = Sigma^{-1} Sigma Sigma^{-1}
    assert any(isinstance(f, sp.MatMul) and f.args.count(sp.Inverse(m.meta_value("gaussian").cov)) == 2
               for s in fd.steps for f in s.forms)


def test_gaussian_expectation_rules():
    from symfisher.derive.structure import gaussian_expectation
    from symfisher.limits import StepFailed

    g = get_model("mvn_mean", d=4).meta_value("gaussian")
    x, mu, S = g.x, g.mean, g.cov
    A = sp.MatrixSymbol("A", 4, 4)
    assert gaussian_expectation(x, g) == mu
    assert sp.simplify(gaussian_expectation(x * x.T, g) - (S + mu * mu.T)) == sp.ZeroMatrix(4, 4)
    q = gaussian_expectation(x.T * A * x, g)  # E[x^T A x] = tr(A Sigma) + mu^T A mu
    Anum, Snum, mnum = sp.randMatrix(4, 4, -2, 2, seed=1), _spd(4, 2), sp.randMatrix(4, 1, -2, 2, seed=3)
    val = sp.Matrix(q.xreplace({A: sp.ImmutableMatrix(Anum), S: Snum, mu: sp.ImmutableMatrix(mnum)}).doit())
    assert val[0, 0] == (Anum * Snum).trace() + (mnum.T * Anum * mnum)[0, 0]
    with pytest.raises(StepFailed):
        gaussian_expectation(x * x.T * A * x, g)  # a third moment is not what this rule knows


def test_mvn_mean_kl_and_jeffreys_at_d_5():
    from symfisher.derive.report import derive_all

    m = get_model("mvn_mean", d=5)
    rep = derive_all(m, only=["kl", "jeffreys"])
    kl = rep.get("kl")
    assert kl is not None
    Snum = _spd(5, 11)
    names = sorted(s.name for s in kl.free_symbols if s.name.startswith("mu_"))
    rng = random.Random(5)
    vals = {n: sp.Rational(rng.randint(-9, 9), 4) for n in names}
    sub = {s: vals[s.name] for s in kl.free_symbols if s.name in vals}
    delta = sp.Matrix([vals[f"mu_{i}_1"] - vals[f"mu_{i}_2"] for i in range(1, 6)])
    want = (delta.T * Snum.inv() * delta)[0, 0] / 2
    assert abs(_at(sp.Matrix([kl.xreplace(sub)]), m, Snum)[0, 0] - want) < 1e-9
    jd = rep.derivations["jeffreys"]
    assert rep.get("jeffreys") == 1 and jd.extras["proper"] is False  # flat on R^5: improper


# -- sizes from the command line ------------------------------------------------------------------

def test_cli_size_derives_a_larger_model(capsys):
    import json

    from symfisher.cli import main

    assert main(["derive", "mvn_mean", "--size", "d=6", "--only", "fisher", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["fisher"]) == 6 and out["params"] == [f"mu_{i}" for i in range(1, 7)]
    assert main(["derive", "logistic_regression", "--size", "d=4", "--only", "fisher", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["fisher"]) == 4 and out["fisher_routes_agree"] is True


@pytest.mark.parametrize("argv, words", [
    (["derive", "mvn_mean", "--size", "d=0"], "between 1 and"),
    (["derive", "mvn_mean", "--size", "d=x"], "NAME=N"),
    (["derive", "mvn_mean", "--size", "K=3"], "no size 'K'"),
    (["derive", "bernoulli", "--size", "d=2"], "has no sizes"),
    (["derive", "mvn_mean", "--size", "d=2", "--size", "d=3"], "given twice"),
    (["derive", "--all", "--size", "d=3"], "one model"),
    (["derive", "--density", "t*exp(-t*x)", "--var", "x in (0, oo)", "--param", "t > 0", "--size", "d=2"],
     "catalog model"),
])
def test_cli_bad_size_is_one_line_exit_2(argv, words, capsys):
    from symfisher.cli import main

    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert words in err and len(err.splitlines()) == 1


def test_verify_at_d_4_evaluates_the_opaque_inverse_numerically(capsys):
    """Beyond d = 3, det(Sigma) and (Sigma^{-1})_ij are never expanded; the witnesses evaluate
    them from the named entries at random positive definite covariances and must all pass."""
    from symfisher.cli import main

    assert main(["verify", "mvn_mean", "--size", "d=4", "--points", "1"]) == 0
    out = capsys.readouterr().out
    assert "0 failed" in out and "fisher[mu_1,mu_4]: E[s s^T] (quadrature)" in out


def test_kl_taylor_through_the_index_equals_the_entrywise_expansion(monkeypatch):
    from symfisher.derive import structures
    from symfisher.derive.taylor import kl_taylor

    m = get_model("logistic_regression", d=3)
    a = kl_taylor(m, check_closed_form=False)
    assert linear_index(m) is not None  # the declared index: the structure route
    # the generic route: no declared index, and the structure that would find one in the density is off
    plain = m.with_(meta=tuple((k, v) for k, v in m.meta if k != "index"))
    assert linear_index(plain) is None
    monkeypatch.setattr(structures, "_REGISTRY", [s for s in structures.registered() if s.name != "linear_index"])
    assert all(f.structure.name != "linear_index" for f in structures.applicable(plain))
    b = kl_taylor(plain, check_closed_form=False)
    assert a.extras["quadratic_is_fisher"] and b.extras["quadratic_is_fisher"]
    rng = random.Random(3)
    syms = set().union(*(b.extras[k].free_symbols for k in ("quadratic", "cubic")))
    for _ in range(3):
        sub = {s: sp.Rational(rng.randint(-12, 12), 7) for s in syms}
        for k in ("quadratic", "cubic"):
            assert abs(sp.N(a.extras[k].xreplace(sub) - b.extras[k].xreplace(sub))) < 1e-12


def test_logistic_regression_everything_at_d_20():
    from symfisher.derive.report import derive_all

    rep = derive_all(get_model("logistic_regression", d=20))
    assert sorted(f["step"] for f in rep.failures) == ["cramer_rao", "jeffreys"]  # rank one: structural
    assert all("rank 1 < 20" in f["reason"] for f in rep.failures)
    assert rep.get("kl") is not None and rep.derivations["kl_taylor"].extras["quadratic_is_fisher"]


def test_list_shows_the_sizes(capsys):
    from symfisher import family_names
    from symfisher.cli import main

    assert main(["list"]) == 0
    lines = {ln.split()[0]: ln for ln in capsys.readouterr().out.splitlines() if ln.strip() and ln[0] != "#"}
    assert len(lines) == len(family_names())  # one line per family, under its kind's "# kind (n)" header
    assert "[sizes d=2; change with --size]" in lines["mvn_mean"]
    assert "[sizes K=3" in lines["categorical"] and "sizes" not in lines["gamma"]


def test_mvn_mean_everything_at_d_12():
    """All quantities at d = 12: the Taylor expansion stops at the quadratic delta^T Sigma^{-1} delta/2."""
    from symfisher.derive.report import derive_all

    m = get_model("mvn_mean", d=12)
    rep = derive_all(m)
    assert rep.failures == []
    td = rep.derivations["kl_taylor"]
    assert td.extras["quadratic_is_fisher"] is True and td.extras["cubic"] == 0
    Snum = _spd(12, 4)
    delta = sp.Matrix(td.extras["delta"])
    dnum = sp.Matrix([sp.Rational(k - 6, 5) for k in range(12)])
    quad = _at(sp.Matrix([td.extras["quadratic"].xreplace(dict(zip(delta, dnum)))]), m, Snum)[0, 0]
    assert abs(quad - (dnum.T * Snum.inv() * dnum)[0, 0] / 2) < 1e-9
    assert rep.get("jeffreys") == 1 and rep.derivations["jeffreys"].extras["proper"] is False


# -- the unknown covariance in matrix form ----------------------------------------------------------------

def test_mvn_covariance_fisher_grows_polynomially_in_d():
    """The Fisher information of the d(d+1)/2 covariance entries (score and Hessian included)
    beyond d = 3, where Sigma^{-1} stays opaque: its size in operations grows like m^2 = O(d^4)
    (each entry ½ tr(P D_i P D_j) has at most four terms), never like the d! of a cofactor
    expansion. Sizes, not times, are asserted (the times are in benchmarks/bench_scale.py)."""
    import math

    from symfisher.derive.report import derive_all

    ops = {}
    for d in (4, 5, 6, 8):
        rep = derive_all(get_model("mvn_covariance", d=d), only=["fisher"])
        assert rep.failures == [] and rep.derivations["fisher"].extras["routes_agree"] is True
        I = rep.get("fisher")
        m = d * (d + 1) // 2
        assert I.shape == (m, m)
        ops[d] = sum(sp.count_ops(e) for e in I)
        assert ops[d] <= 8 * m * m  # a bounded number of operations per entry
    # the local log-log slopes stay near 4 (polynomial), and do not rise as a factorial would
    slopes = [math.log(ops[b] / ops[a]) / math.log(b / a) for a, b in ((4, 5), (5, 6), (6, 8))]
    assert all(s < 4.5 for s in slopes), slopes


@pytest.mark.parametrize("name", ["dirichlet", "multinomial"])
def test_dirichlet_and_multinomial_at_k_10(name):
    from symfisher.derive.report import derive_all

    m = get_model(name, K=10)
    rep = derive_all(m, only=["fisher", "kl"])
    assert rep.failures == []
    I = rep.get("fisher")
    assert I.shape == (len(m.params),) * 2
    # polynomial: O(K^2) entries of bounded size
    assert sum(sp.count_ops(e) for e in I) <= 12 * len(m.params) ** 2
    assert rep.get("kl") is not None
