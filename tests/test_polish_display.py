"""The editing pass a lecturer asks of a sheet: each rewriting of the display pass and the printers,
checked on the expression or derivation it is for, and the labelled agreement of the Fisher routes."""
import re

import pytest
import sympy as sp

from symfisher.derivation import Derivation, Step
from symfisher.render.latex import latex_of
from symfisher.textbook import textbook_derivation

p = sp.Symbol("p", positive=True)
x, mu = sp.Symbol("x", real=True), sp.Symbol("mu", real=True)
sigma = sp.Symbol("sigma", positive=True)


# ---------------------------------------------------------------- the Fisher routes' agreement, labelled

def test_fisher_agreement_is_labelled_proven_for_a_cancelling_difference():
    from symfisher.derive.report import derive_all
    from symfisher.families import get_model

    out = derive_all(get_model("bernoulli"), only=("fisher",)).to_json()
    assert out["fisher_routes_agree"] is True and out["fisher_routes_agreement"] == "proven"
    assert out["fisher"] == [["1/(p*(1 - p))"]] or sp.simplify(sp.sympify(out["fisher"][0][0]) - 1 / (p * (1 - p))) == 0


def test_fisher_agreement_shown_only_numerically_is_labelled_numeric_with_its_words():
    """negative_binomial2's size entry is an exact series on both routes: their difference is not
    cancelled symbolically, only evaluated at seeded points, so the agreement is numeric evidence."""
    from symfisher.derive.report import derive_all
    from symfisher.families import get_model

    rep = derive_all(get_model("negative_binomial2"), only=("fisher",))
    out = rep.to_json()
    # the contract's bool keeps its meaning (the routes agree); the additive field says how it was shown
    assert out["fisher_routes_agree"] is True and out["fisher_routes_agreement"] == "numeric", out["failures"]
    statements = [st.statement for st in rep.derivations["fisher"].steps]
    assert any("agree numerically" in s for s in statements), statements
    assert "The two routes agree." not in statements
    reasons = [st.reason for st in rep.derivations["fisher"].steps]
    assert not any("simplifies to zero" in r for r in reasons)
    # the closed entries are the literature's (Lawless 1987, success probability p): I_pp = r/(p^2 (1 - p)),
    # I_rp = -1/p, at one point
    r_, p_ = rep.model.params
    F = rep.get("fisher")
    at = {r_: 2.5, p_: 0.3}
    assert abs(float(F[1, 1].subs(at)) - 2.5 / (0.09 * 0.7)) < 1e-9
    assert abs(float(F[0, 1].subs(at)) + 1 / 0.3) < 1e-9


def test_agreement_label_decides_proof_by_cancellation():
    from symfisher.derive.report import fisher_agreement

    def fisher(outer, curv, agree=True):
        return Derivation("fisher", "t", result=curv, extras={"outer": outer, "curvature": curv, "routes_agree": agree})

    one = sp.Matrix([[1]])
    # sin^2 + cos^2 = 1 is true, but no cancellation shows it: numeric evidence, not a proof
    assert fisher_agreement(fisher(sp.Matrix([[sp.sin(p) ** 2 + sp.cos(p) ** 2]]), one)) == "numeric"
    assert fisher_agreement(fisher(sp.Matrix([[1 / p + 1 / (1 - p)]]), sp.Matrix([[1 / (p * (1 - p))]]))) == "proven"
    assert fisher_agreement(fisher(one, one, agree=False)) is None
    assert fisher_agreement(fisher(one, one, agree=None)) is None


def test_agreement_label_is_null_when_fisher_is_not_asked_for():
    from symfisher.derive.report import derive_all
    from symfisher.families import get_model

    out = derive_all(get_model("exponential"), only=("score",)).to_json()
    assert out["fisher_routes_agreement"] is None and out["fisher_routes_agree"] is False


# ---------------------------------------------------------------- term order in every printer

def test_a_difference_reads_data_first_in_every_printer():
    from symfisher.render.html import mathml
    from symfisher.render.settings import DEFAULT_SETTINGS, RenderSettings
    from symfisher.render.text import _pretty_form, _sstr

    e = (x - p) / (p * (1 - p))
    assert latex_of(e) == r"\frac{x - p}{p \left(1 - p\right)}"
    assert latex_of(x - mu) == r"x - \mu" and latex_of(1 / p - x) == r"\frac{1}{p} - x"
    assert _sstr(x - mu) == "x - mu"
    assert str(_pretty_form(x - mu, DEFAULT_SETTINGS)) == "x - μ"
    ml = mathml(latex_of(x - mu))
    assert ml.index("x") < ml.index("&#x003BC;" if "&#x003BC;" in ml else "μ"), ml
    # a polynomial keeps SymPy's order (its first term is positive); an all-negative sum too
    assert latex_of(x**3 + 2 * x**2 - x + 7) == "x^{3} + 2 x^{2} - x + 7"
    assert latex_of(-mu - x) == r"- \mu - x"
    assert RenderSettings  # the terminal's one-line form is the same printer family


def test_exponential_family_split_reads_eta_T_plus_h_minus_A():
    from symfisher.derive.fisher import fisher_information
    from symfisher.families import get_model

    d = textbook_derivation(fisher_information(get_model("bernoulli")))
    split = latex_of(d.steps[0].forms[0])
    assert split.endswith(r"h\left(x\right) - A\left(p\right)"), split
    assert not split.startswith("-"), split


def test_minus_of_a_negative_quantity_is_bracketed_and_a_unit_factor_is_not_written():
    from symfisher.render.settings import DEFAULT_SETTINGS
    from symfisher.render.text import _pretty_form, _sstr

    neg = sp.Mul(-1, -1 / sigma**2, evaluate=False)
    assert latex_of(neg) == r"-\left(- \frac{1}{\sigma^{2}}\right)"
    assert _sstr(neg) == "-(-1/sigma**2)"
    assert str(_pretty_form(neg, DEFAULT_SETTINGS)).splitlines()[1].startswith("-⎜")
    assert latex_of(sp.Mul(1, 1 / sigma**2, evaluate=False)) == r"\frac{1}{\sigma^{2}}"
    # in the sheet's Route 2 of the exponential rate: -(-1/lam^2), then 1/lam^2 once
    from symfisher.derive.fisher import fisher_information
    from symfisher.families import get_model

    d = textbook_derivation(fisher_information(get_model("exponential")))
    texts = [latex_of(f) for st in d.steps for f in st.forms]
    assert r"-\left(- \frac{1}{\lambda^{2}}\right)" in texts
    assert not any(t.startswith("1 ") for t in texts), texts
    for st in d.steps:  # no chain says a = a
        shown = [latex_of(f) for f in st.forms]
        assert all(a != b for a, b in zip(shown, shown[1:])), shown


def test_half_the_quadratic_form_is_written_without_brackets():
    dv = sp.Matrix([sp.Symbol("delta_p")])
    e = sp.MatMul(sp.S.Half, dv.T, sp.Function("I")(p), dv, evaluate=False)
    assert latex_of(e) == r"\frac{1}{2} \delta_{p} \mathcal{I}\left(p\right) \delta_{p}"


# ---------------------------------------------------------------- signs, powers and radicals

def test_even_power_of_a_backwards_sum_reads_one_minus_p():
    d = Derivation("x", "t", steps=(Step("Differentiate", "quotient rule", sp.Symbol("y"),
                                         ((2 * p - 1) / (p**2 * (p - 1) ** 2),)),))
    shown = latex_of(textbook_derivation(d).steps[0].forms[0])
    assert shown == r"\frac{2 p - 1}{p^{2} \left(1 - p\right)^{2}}", shown


def test_the_sign_line_is_added_once_even_when_the_pass_runs_twice():
    d = Derivation("x", "t", steps=(Step("Quadratic term", "r", sp.Symbol("T"), (-sp.Symbol("d") ** 2 / (2 * p * (p - 1)),)),))
    once = textbook_derivation(d)
    twice = textbook_derivation(once)
    assert len(once.steps) == 2 and len(twice.steps) == 2
    assert sum(st.statement.startswith("Absorb the minus sign") for st in twice.steps) == 1


def test_numeric_radicals_take_their_shortest_proven_form():
    from symfisher.textbook import simplest_number

    r2 = sp.sqrt(2)
    v1 = sp.Matrix([(r2 - 2) / (2 * sp.sqrt(2 - r2)), r2 / (2 * sp.sqrt(2 - r2))])
    got = simplest_number(v1)
    assert got == sp.Matrix([-sp.sqrt(2 - r2) / 2, sp.sqrt(2 + r2) / 2])
    assert all(abs(float(a - b)) < 1e-15 for a, b in zip(got, v1))
    assert simplest_number(sp.Rational(4, 7)) == sp.Rational(4, 7) and simplest_number(p) == p


def test_the_sheet_eigenvectors_read_without_nested_fractions():
    from symfisher.derive.information import fisher_eigen
    from symfisher.derive.fisher import fisher_information
    from symfisher.families import get_model

    m = get_model("mvn_mean")
    s11, s12, s22 = m.constants
    F = fisher_information(m).result
    d = textbook_derivation(fisher_eigen(m, F, at={s11: 2, s12: sp.Rational(1, 2), s22: 1}))
    vec = next(st for st in d.steps if st.statement.startswith("Unit eigenvectors"))
    tex = " ".join(latex_of(f) for f in vec.forms)
    assert r"\frac{\sqrt{2} - 2}" not in tex and r"\frac{-2 + \sqrt{2}}" not in tex, tex
    assert r"\sqrt{2 - \sqrt{2}}" in tex and r"\sqrt{2 + \sqrt{2}}" in tex, tex


def test_exponential_jeffreys_result_is_one_over_lambda_not_a_radical():
    from symfisher.derive.jeffreys import jeffreys_prior
    from symfisher.families import get_model

    d = textbook_derivation(jeffreys_prior(get_model("exponential")))
    assert latex_of(d.result) == r"\frac{1}{\lambda}"
    first = [latex_of(f) for f in d.steps[0].forms]
    assert first[-1] == r"\frac{1}{\lambda}" and r"\sqrt{\frac{1}{\lambda^{2}}}" in first, first


# ---------------------------------------------------------------- prose

@pytest.mark.parametrize("text, want", [
    ("Differentiate with respect to p.", "Differentiate with respect to $p$."),
    ("Fisher information of n iid normal mean observations", "Fisher information of $n$ iid normal mean observations"),
    ("The kernel integrates to a finite value over 0 < p < 1: the prior is proper.",
     "The kernel integrates to a finite value over $0 < p < 1$: the prior is proper."),
    ("A structure is a thing", "A structure is a thing"),
])
def test_lone_letters_and_relations_in_step_prose_are_math(text, want):
    from symfisher.render.notation import textbook_prose

    assert textbook_prose(text) == want


def test_a_starred_name_keeps_its_star_before_a_subscript():
    from symfisher.render.notation import _words

    assert _words("½ Σᵢ Fᵢ (wᵢ − w*ᵢ)²") == "½ Σᵢ Fᵢ (wᵢ − w*ᵢ)²"
    assert _words("2*x") == "2·x"


def test_route_two_of_a_multiparameter_family_shows_the_entries():
    from symfisher.derive.fisher import fisher_information
    from symfisher.families import get_model

    d = fisher_information(get_model("normal"))
    route2 = next(st for st in d.steps if st.statement.startswith("Route 2"))
    entries = [f for f in route2.forms if isinstance(f, sp.MatrixBase)]
    assert len(entries) == 2 and entries[0] != entries[1], route2.forms  # the entries, then simplified
    assert sp.simplify(entries[0] - entries[1]) == sp.zeros(2, 2)
    assert "entry by entry" in route2.reason
    mu_, s_ = get_model("normal").params
    assert sp.simplify(entries[1] - sp.diag(1 / s_**2, 2 / s_**2)) == sp.zeros(2, 2)
    assert re.search(r"E\[T_\{i\}\]", route2.reason)


# ---------------------------------------------------------------- second round

def test_joint_loglikelihood_names_and_joint_score_read_as_in_a_textbook():
    from symfisher.derive.fisher import iid_additivity
    from symfisher.families import get_model

    d = textbook_derivation(iid_additivity(get_model("normal_mean")))
    lhs = [latex_of(st.lhs) for st in d.steps if st.lhs is not None]
    assert lhs[0].startswith(r"\ell_{n}") and any(t.startswith(r"\mathcal{I}_{n}") for t in lhs), lhs
    score = latex_of(d.steps[1].forms[0])
    assert score == r"\sum_{i=1}^{n} \frac{{x}_{i} - \mu}{\sigma^{2}}", score
    assert r"-(\mu - {x}_{i}) = {x}_{i} - \mu" in d.steps[1].reason  # the sign change is said
    from symfisher.render.text import render_derivation

    assert "xᵢ - μ" in render_derivation(d) and "x[i]" not in render_derivation(d)


def test_a_line_without_mathematics_is_said_once():
    st = Step("Standardize: X = mu + b Z with Z standard laplace.", "the expectation then no longer involves the parameters")
    d = Derivation("f", "t", steps=(st, Step("table", "r", sp.Symbol("y"), (p,)), st))
    out = textbook_derivation(d)
    assert len(out.steps) == 2
    assert out.steps[0].statement == r"Standardize: $X = \mu + b Z$ with $Z$ standard Laplace."


def test_constants_of_a_moment_table_are_expanded_exactly():
    from symfisher.textbook import simplest_number

    g = sp.EulerGamma
    e = 2 * (sp.Rational(3, 2) - g) ** 2 + sp.pi**2 / 3 - sp.Rational(5, 2)
    assert simplest_number(e) == 2 * g**2 - 6 * g + 2 + sp.pi**2 / 3
    assert simplest_number(1 - g) == 1 - g


@pytest.mark.parametrize("text, want", [
    ("I_η at p = 0.25 (η = log(1/3)), derived", r"$\mathcal{I}_{\eta}$ at $p = 0.25\ (\eta = \log(1/3))$, derived"),
    ("E[log f(X; θ) − log f(X; θ')] at θ'", r"$E[\log f(X; \theta) - \log f(X; \theta')]$ at θ'"),
])
def test_greek_subscripts_and_semicolons_survive_the_prose_pass(text, want):
    from symfisher.render.notation import textbook_prose

    assert textbook_prose(text) == want


def test_an_increment_is_written_after_the_point():
    d = sp.Symbol("delta_p")
    assert latex_of(sp.Function("KL")(p, p + d)) == r"\mathrm{KL}\left(p \,\|\, p + \delta_{p}\right)"


def test_the_named_law_is_shown_as_its_normalized_density_and_the_coordinates_read_as_words():
    from symfisher.derive.jeffreys import jeffreys_prior
    from symfisher.derive.reparam import transformation_law
    from symfisher.families import get_model

    d = jeffreys_prior(get_model("bernoulli"))
    named = next(st for st in d.steps if st.statement.startswith("This is the Beta"))
    val = named.forms[0].doit()
    assert abs(float(val.subs(p, 0.3)) - 1 / (sp.pi.evalf() * (0.3 * 0.7) ** 0.5)) < 1e-12
    t = transformation_law(get_model("bernoulli"), "logit")
    assert t.title.endswith("in logit coordinates"), t.title


def test_a_short_left_side_stays_on_its_line_and_conditions_are_typeset():
    from symfisher.render.latex import equation_rows
    from symfisher.render.notation import textbook_prose

    th = sp.Symbol("mu")
    big = sp.Matrix([[1 / sigma**2, 0], [0, 2 / sigma**2 + th**2 / sigma**4 - th**2 / sigma**4 * 3 + 1 / (sigma + 1) ** 3]])
    rows = equation_rows(Step("agree", "r", None, (sp.Eq(sp.Function("I")(th, sigma), big, evaluate=False),)))
    assert rows[0].lhs == r"\mathcal{I}\left(\mu, \sigma\right)" and rows[0].rel == "=", rows
    score = Step("mean zero", "r", sp.Function("E")(sp.Derivative(sp.Function("ell")(x, th), th)), (sp.S.Zero,))
    assert [r.rel for r in equation_rows(score)] == ["="]  # E[d ell/d mu] = 0 on one line
    assert textbook_prose("E[(y - p)^2 | x] = p (1 - p)") == r"$E[(y - p)^{2} \mid x] = p(1 - p)$"
    assert latex_of(2 * sp.sqrt(2) / 7 + sp.Rational(6, 7)) == r"\frac{6}{7} + \frac{2 \sqrt{2}}{7}"


def test_an_unevaluated_product_keeps_its_written_order():
    from symfisher.render.settings import DEFAULT_SETTINGS
    from symfisher.render.text import _pretty_form

    t = sp.Add(sp.Mul(p, sp.Pow(1 / p, 2, evaluate=False), evaluate=False),
               sp.Mul(1 - p, sp.Pow(-1 / (1 - p), 2, evaluate=False), evaluate=False), evaluate=False)
    assert latex_of(t) == r"p \left(\frac{1}{p}\right)^{2} + \left(1 - p\right) \left(- \frac{1}{1 - p}\right)^{2}"
    assert "p⋅⎜─⎟  + (1 - p)⋅" in str(_pretty_form(t, DEFAULT_SETTINGS))
    assert latex_of(2 * x * p * (x - p)) == r"2 p x \left(x - p\right)"  # a canonical product: SymPy's order


def test_even_powers_inside_an_equation_keep_the_written_factors():
    from symfisher.textbook import even_powers

    e = sp.Eq(sp.Symbol("y"), sp.Mul(2, sp.Add(1, -2 * p), sp.Pow(p, -2), sp.Pow(p - 1, -2), evaluate=False),
              evaluate=False)
    assert latex_of(even_powers(e)) == r"y = \frac{2 \left(1 - 2 p\right)}{p^{2} \left(1 - p\right)^{2}}"
