"""Per-point cost of evaluating a trigamma-bearing Fisher matrix three ways.

The gamma model (shape a, rate b) has I(a, b) = [[trigamma(a), -1/b], [-1/b, a/b^2]].
Timed per point:

* ``evalf`` — ``I.evalf(subs={a: ..., b: ...})`` in a Python loop (over ``--evalf-points``
  points, 1000 by default, and scaled per point; ``evalf(subs=...)`` is the faster of the
  two plain-SymPy idioms);
* ``lambdify`` — symfisher's :class:`~symfisher.numeric.NumericFunction` of the *derived*
  Fisher matrix (``modules=['scipy', 'numpy']``), on arrays of ``--points`` points at once;
* ``numpy`` — the same matrix written by hand with ``scipy.special.polygamma``.

Targets (issue 4): lambdify within 3x of hand-written NumPy, and at least 1000x faster than the
evalf loop. The work is elementwise, so BLAS threading (OPENBLAS_NUM_THREADS etc.) does not matter.

Run: ``python benchmarks/bench_lambdify.py [--points 1000000] [--evalf-points 1000] [--repeat 5]``
"""
from __future__ import annotations

import argparse
import pathlib
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))  # run from a checkout


def best_of(fn, repeat):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--evalf-points", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    from scipy.special import polygamma

    from symfisher import derive_all, get_model
    from symfisher.numeric import lambdify_report

    model = get_model("gamma")
    I = derive_all(model, only=("fisher",)).get("fisher")
    a_s, b_s = model.params
    F = lambdify_report(derive_all(model, only=("fisher",)))["fisher"]

    rng = np.random.default_rng(args.seed)
    a = rng.uniform(0.2, 5.2, args.points)
    b = rng.uniform(0.2, 5.2, args.points)

    def hand():
        out = np.empty((a.shape[0], 2, 2))
        out[:, 0, 0] = polygamma(1, a)
        out[:, 0, 1] = out[:, 1, 0] = -1 / b
        out[:, 1, 1] = a / b**2
        return out

    lam = best_of(lambda: F(a, b), args.repeat)
    ref = best_of(hand, args.repeat)
    assert np.allclose(F(a, b), hand(), rtol=1e-12), "lambdified and hand-written results differ"

    m = args.evalf_points

    def loop():
        for i in range(m):
            I.evalf(subs={a_s: a[i], b_s: b[i]})

    ev = best_of(loop, 1) / m
    got = np.array(I.evalf(subs={a_s: a[0], b_s: b[0]}).tolist(), dtype=float)
    assert np.allclose(got, hand()[0], rtol=1e-12)

    per_lam, per_ref = lam / args.points, ref / args.points
    print(f"gamma 2x2 Fisher (trigamma), {args.points:,} points vectorized, evalf over {m:,} points")
    print(f"{'method':<12}{'per point':>14}")
    for name, t in (("evalf loop", ev), ("lambdify", per_lam), ("hand NumPy", per_ref)):
        print(f"{name:<12}{t * 1e9:>11.1f} ns")
    r_hand, r_evalf = per_lam / per_ref, ev / per_lam
    print(f"lambdify / hand NumPy = {r_hand:.2f}x   (target <= 3x: {'met' if r_hand <= 3 else 'NOT met'})")
    print(f"evalf loop / lambdify = {r_evalf:,.0f}x  (target >= 1000x: {'met' if r_evalf >= 1000 else 'NOT met'})")
    return 0 if (r_hand <= 3 and r_evalf >= 1000) else 1


if __name__ == "__main__":
    raise SystemExit(main())
