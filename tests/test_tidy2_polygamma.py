"""tidy of an entry that is a polynomial in independent polygammas (the typed beta law in mean m
and precision k, whose B(mk, (1 - m)k) factors cancel): its forms are read off the polynomial,
with no general simplify, and the value is the literature's."""
import mpmath
import sympy as sp

import symfisher as sf
import symfisher.polygamma_forms as polygamma_forms_module
import symfisher.simplify as simplify_module
from symfisher.simplify import tidy

m, k = sp.symbols("m k", positive=True)
x = sp.Symbol("x", positive=True)


def _beta_mean_precision():
    return sf.from_density("x**(m*k-1)*(1-x)**((1-m)*k-1)/beta(m*k, (1-m)*k)", var="x in (0, 1)",
                           params=["m in (0, 1)", "k > 0"])


def _literature():
    """Ferrari & Cribari-Neto (2004), beta regression, J. Appl. Stat. 31(7), the Fisher information in
    (mu, phi): psi_1 = trigamma."""
    a, b = m * k, (1 - m) * k
    t = lambda z: sp.polygamma(1, z)
    return sp.Matrix([[k ** 2 * (t(a) + t(b)), k * (m * t(a) - (1 - m) * t(b))],
                      [k * (m * t(a) - (1 - m) * t(b)), m ** 2 * t(a) + (1 - m) ** 2 * t(b) - t(k)]])


def test_beta_mean_precision_fisher_is_the_literature_value():
    model = _beta_mean_precision()
    got = sf.fisher_information(model).result
    syms = {s.name: s for s in got.free_symbols}
    lit = _literature().xreplace({m: syms["m"], k: syms["k"]})
    for i in range(2):
        for j in range(2):
            assert sp.expand(got[i, j] - lit[i, j]) == 0, (i, j, got[i, j])
    # the displayed (2, 2) entry collects each trigamma's coefficient: (m - 1)^2, not m^2 - 2m + 1
    assert len(sp.Add.make_args(got[1, 1])) == 3


def test_beta_mean_precision_fisher_numeric_witness():
    """E[s s^T] by mpmath quadrature of the score outer product, independent of symfisher."""
    mv, kv = mpmath.mpf("0.3"), mpmath.mpf("4")
    logf = lambda mm, kk, xx: ((mm * kk - 1) * mpmath.log(xx) + ((1 - mm) * kk - 1) * mpmath.log(1 - xx)
                               - mpmath.log(mpmath.beta(mm * kk, (1 - mm) * kk)))
    dens = lambda xx: mpmath.exp(logf(mv, kv, xx))
    s_m = lambda xx: mpmath.diff(lambda mm: logf(mm, kv, xx), mv)
    s_k = lambda xx: mpmath.diff(lambda kk: logf(mv, kk, xx), kv)
    wit = [[mpmath.quad(lambda xx: u(xx) * w(xx) * dens(xx), [0, 0.5, 1]) for w in (s_m, s_k)] for u in (s_m, s_k)]
    got = sf.fisher_information(_beta_mean_precision()).result
    syms = {s.name: s for s in got.free_symbols}
    val = got.xreplace({syms["m"]: sp.Rational(3, 10), syms["k"]: 4})
    for i in range(2):
        for j in range(2):
            assert abs(complex(sp.N(val[i, j], 30)) - complex(wit[i][j])) < 1e-8


def test_polygamma_polynomial_skips_general_simplify(monkeypatch):
    """The messy mean-derivative entry (beta values that cancel, products of digammas that cancel)
    is tidied from its polynomial in the trigammas: sp.simplify is never asked."""
    calls = []
    monkeypatch.setattr(simplify_module.sp, "simplify", lambda *a, **kw: calls.append(a) or a[0])
    B = sp.beta(k * m, k - k * m)
    d0 = sp.polygamma(0, k * m) - sp.polygamma(0, k)
    d1 = sp.polygamma(0, k - k * m) - sp.polygamma(0, k)
    entry = ((m * k * B * sp.polygamma(1, k * m) - k * (1 - m) * B * sp.polygamma(1, k - k * m)
              + k * m * d0 * d1 * B) / B - k * m * d1 * d0 + 7 * m)  # 7m: not an entry seen elsewhere
    got = tidy(entry)
    assert calls == []
    assert sp.expand(got - (k * m * sp.polygamma(1, k * m) - k * (1 - m) * sp.polygamma(1, k - k * m) + 7 * m)) == 0
    assert not got.has(sp.beta)


def test_shifted_polygammas_still_take_the_general_route():
    """psi(a + 1) - psi(a) = 1/a: arguments an integer apart are related, so the polynomial reading
    is refused and the recurrence finds the short form."""
    a = sp.Symbol("a", positive=True)
    assert polygamma_forms_module.polygamma_generators(sp.polygamma(0, a + 1) * a - sp.polygamma(0, a) * a + a ** 2) is None
    got = tidy(sp.polygamma(0, a + 1) * a - sp.polygamma(0, a) * a + a ** 2)
    assert not got.has(sp.polygamma) and sp.cancel(got - (a ** 2 + 1)) == 0


def test_huge_input_skips_general_simplify(monkeypatch):
    """Past _HUGE nodes tidy ranks only the cheap forms (factor, cancel, factor_terms, gammasimp):
    simplify's rewrites of a generic KL of that size cost most of its time and lost to factor.
    The value is kept (checked with the function values read as independent symbols)."""
    a, b = sp.symbols("a b", positive=True)
    e = sp.Add(*[(a ** i * sp.log(a) * sp.gamma(b) + i * sp.polygamma(0, b) * a) / (b + i) for i in range(1, 16)])
    assert simplify_module._tree_size(e) > simplify_module._HUGE
    calls = []
    monkeypatch.setattr(simplify_module.sp, "simplify", lambda *x, **kw: calls.append(x) or x[0])
    got = tidy(e)
    assert calls == []
    g = {f: sp.Dummy() for f in e.atoms(sp.Function)}
    assert sp.cancel(got.xreplace(g) - e.xreplace(g)) == 0


def test_student_t_fisher_nu_entry_literature_form_and_witness():
    """Lange, Little & Taylor (1989), JASA 84: the (nu, nu) entry of the Student-t (mu, sigma, nu)
    Fisher information, psi'(nu/2)/4 - psi'((nu + 1)/2)/4 - (nu + 5)/(2 nu (nu + 1)(nu + 3)),
    now shown in that form, and checked by quadrature of the squared nu-score."""
    d = sf.fisher_information(sf.get_model("student_t3")).result
    nu = next(s for s in d.free_symbols if s.name == "nu")
    lit = sp.polygamma(1, nu / 2) / 4 - sp.polygamma(1, (nu + 1) / 2) / 4 - (nu + 5) / (2 * nu * (nu + 1) * (nu + 3))
    entry = d[2, 2]
    assert sp.cancel(sp.expand_func(entry - lit)) == 0
    assert len(sp.Add.make_args(entry)) == 3  # the two trigammas and one rational term
    v = mpmath.mpf(5)
    logf = lambda n, z: (mpmath.loggamma((n + 1) / 2) - mpmath.loggamma(n / 2) - mpmath.log(mpmath.pi * n) / 2
                         - (n + 1) / 2 * mpmath.log(1 + z ** 2 / n))
    s = lambda z: mpmath.diff(lambda n: logf(n, z), v)
    wit = mpmath.quad(lambda z: s(z) ** 2 * mpmath.exp(logf(v, z)), [-mpmath.inf, 0, mpmath.inf])
    assert abs(complex(sp.N(entry.subs(nu, 5), 30)) - complex(wit)) < 1e-8
