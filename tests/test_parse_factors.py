"""``parse_factors``: a density's top-level product parsed as its factors, the product itself not built.

The contract: the product of the factors is what ``parse_expression`` returns, and when more than one factor
comes back, the factors of that product are exactly the factors of the parts (so the log of the density can
be taken part by part). Checked on random products of typical and awkward factors (merging bases, numbers,
signs, sums), and on every typed density of the benchmark: the log-density built from the parts is the one
built from the whole product.
"""
import os
import sys
from collections import Counter

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import symfisher.usermodel as um
from symfisher.parsing import ParseError, parse_expression, parse_factors

x = sp.Symbol("x", positive=True)
a, b = sp.symbols("a b", positive=True)
m = sp.Symbol("m", real=True)
SYMS = {"x": x, "a": a, "b": b, "m": m}

# factors that merge with one another in SymPy's product (same base, numbers, exp, signs, 2*(sum)) and ones that do not
POOL = ["x", "x**(a-1)", "x**2", "(1-x)", "(1-x)**(b-1)", "(x-1)**b", "exp(-b*x)", "exp(-(x-m)**2/2)", "exp(m)",
        "gamma(a)", "beta(a, b)", "factorial(a)", "2", "3", "1/2", "sqrt(2)", "sqrt(pi)", "pi", "2**x", "3**x", "E",
        "(-1)", "(-2)", "b**a", "a", "(1+x)", "(2+2*x)", "(a*x)**b", "binomial(a, 2)", "sqrt(2*pi*a)", "0",
        "(x+oo)", "I", "log(x)"]


def _parts_args(parts):
    return Counter(f for p in parts for f in sp.Mul.make_args(p))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(POOL), st.booleans()), min_size=1, max_size=5))
def test_the_factors_multiply_to_the_expression_and_are_its_factors(chain):
    text = "".join(("/" if div else "*") + f if k else ("1/" if div else "") + f for k, (f, div) in enumerate(chain))
    try:
        whole = parse_expression(text, SYMS)
    except ParseError:
        with pytest.raises(ParseError):
            parse_factors(text, SYMS)
        return
    parts = parse_factors(text, SYMS)
    assert sp.Mul(*parts) == whole, text
    if len(parts) > 1:
        assert _parts_args(parts) == Counter(sp.Mul.make_args(whole)), text
    else:
        assert parts[0] == whole, text


def test_factors_that_merge_come_back_as_their_product():
    assert parse_factors("x**a*x", SYMS) == (parse_expression("x**a*x", SYMS),)
    assert parse_factors("2*(1-x)", SYMS) == (2 - 2 * x,)  # SymPy multiplies the number into the sum
    # two powers of e may merge (exp(u) exp(v) = exp(u + v) in some SymPy versions): kept whole, as SymPy has it
    assert parse_factors("exp(a)*exp(b*x)", SYMS) == (parse_expression("exp(a)*exp(b*x)", SYMS),)
    assert parse_factors("sqrt(2)*sqrt(3)*x", SYMS) == (sp.sqrt(6) * x,)
    assert parse_factors("2**x*3**x", SYMS) == (6**x,)
    assert parse_factors("(-1)*x*a", SYMS) == (-x * a,)
    assert parse_factors("b*exp(-b*x)", SYMS) == (b, sp.exp(-b * x))


def test_bad_text_is_refused_by_the_factor_reader_as_by_the_expression_reader():
    for text in ["x*0/0", "x*(1/0)", "9**9**9*x", "x*foo(a)", "x*a.real", "x*" * 3, "x*1e1000*1e1000*1e1000*1e1000"]:
        with pytest.raises(ParseError):
            parse_expression(text, SYMS)
        with pytest.raises(ParseError):
            parse_factors(text, SYMS)


def _bench_models():
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks"))
    from bench_typed import MODELS

    return list(MODELS.values())


@pytest.mark.parametrize("m", _bench_models(), ids=lambda m: m.key)
def test_the_log_density_from_the_parts_is_the_one_from_the_product(m):
    pdecl, cdecl = um._declare(m.params, "parameter"), um._declare(m.consts, "constant")
    known = {s.name: s for s, _ in pdecl + cdecl}
    xs, _ = um._variables(m.var, known)
    symbols = dict(known, **{v.name: v for v in xs})
    parts = parse_factors(m.density, symbols)
    whole = parse_expression(m.density, symbols)
    assert sp.Mul(*parts) == whole
    data = xs if len(xs) > 1 else xs[0]
    assert um._log_of_density(parts, data) == um._log_of_density((whole,), data)
