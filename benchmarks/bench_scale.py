"""How derivation time grows with the dimension d.

``mvn_mean(d)`` for d = 2..20, ``mvn_covariance(d)`` (the d(d+1)/2 entries of an unknown Sigma)
for d = 2..10, ``dirichlet(K)`` and ``multinomial(K)`` for K = 2..10 (K is shown in the d column) and
``logistic_regression(d)`` for d = 1..50: for each size the
Fisher information (score and Hessian included) is derived in a fresh child process under a
wall-clock cap, and checked against the known structure at seeded random points
(Sigma^{-1} for the Gaussian mean; ½ D^T (Sigma^{-1} kron Sigma^{-1}) D with D the duplication
matrix for the covariance, Magnus & Neudecker §15.4; diag(psi'(alpha_k)) - psi'(alpha_0) 1 1^T for the
Dirichlet, Minka (2000); n (diag(1/p_k) + 1 1^T / p_K) for the multinomial, Lehmann & Casella §2.6;
sigma(eta)(1 - sigma(eta)) x x^T for the logistic regression). For mvn_covariance the operation count of the matrix is shown too: I has
m^2 entries for m = d(d+1)/2, so it grows like d^4. A family stops at its first d that runs past the cap. The table shows the
time per d, the ratio to the previous d and the local log-log slope (polynomial growth
t ~ d^k has a steady slope k; exponential growth has a slope that keeps rising).

    python benchmarks/bench_scale.py [--cap 120] [--mvn 2,3,4,...] [--cov 2,3,...] [--dirichlet 2,3,...]
                                     [--multinomial 2,3,...] [--logistic 1,2,4,...]
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

DEFAULT_MVN = "2,3,4,5,6,8,10,12,15,20"
DEFAULT_COV = "2,3,4,5,6,8,10"
DEFAULT_LOGISTIC = "1,2,3,4,6,8,12,16,20,30,40,50"
DEFAULT_K = "2,3,4,5,6,8,10"
SIZE_NAME = {"dirichlet": "K", "multinomial": "K"}  # the others are sized by d


def _child(family: str, d: int) -> int:
    import random

    import sympy as sp
    from sympy.matrices.expressions.matexpr import MatrixElement

    from symfisher.derive.report import derive_all
    from symfisher.families import get_model

    t0 = time.perf_counter()
    m = get_model(family, **{SIZE_NAME.get(family, "d"): d})
    rep = derive_all(m, only=["fisher"])
    seconds = time.perf_counter() - t0
    I = rep.get("fisher")
    ok = I is not None
    ops = sum(sp.count_ops(e) for e in I) if ok else None
    if ok:
        rng = random.Random(d)
        if family == "mvn_covariance":
            A = sp.randMatrix(d, d, -3, 3, seed=d)
            Snum = A * A.T + sp.eye(d)
            form = m.meta_value("gaussian_covariance")
            pairs = [(i, j) for i in range(d) for j in range(i, d)]
            sub = {form.matrix[i, j]: Snum[i, j] for i, j in pairs}
            P = Snum.inv()
            # the opaque (Sigma^{-1})_ij, d > 3, from the inverse computed once (substituting the matrix and
            # calling doit() inverted it again for each of the m^2 entries: over the cap at d = 10)
            sub.update({MatrixElement(sp.Inverse(form.symbol), i, j): P[i, j] for i in range(d) for j in range(d)})
            In = I.xreplace(sub).applyfunc(sp.N)
            # ½ tr(P E_a P E_b) with E the symmetric unit matrices: the duplication-matrix formula
            E = []
            for i, j in pairs:
                U = sp.zeros(d, d)
                U[i, j] = U[j, i] = 1
                E.append(U)
            want = sp.Matrix(len(E), len(E), lambda a, b: (P * E[a] * P * E[b]).trace() / 2)
            ok = all(abs(e) < 1e-9 for e in (In - want))
        elif family in ("dirichlet", "multinomial"):
            # the literature matrix at a seeded point, evaluated independently of the derivation
            sub = {s: sp.Rational(rng.randint(5, 40), 10) for s in m.params} if family == "dirichlet" else \
                {s: sp.Rational(1, d + 1) + sp.Rational(rng.randint(-5, 5), 100 * d) for s in m.params}
            if family == "dirichlet":
                a = [sub[s] for s in m.params]
                want = sp.diag(*[sp.polygamma(1, v) for v in a]) - sp.polygamma(1, sum(a)) * sp.ones(d, d)
            else:
                sub[m.symbol("n")] = 7
                ps = [sub[s] for s in m.params]
                want = 7 * (sp.diag(*[1 / v for v in ps]) + sp.ones(d - 1, d - 1) / (1 - sum(ps)))
            ok = all(abs(sp.N(e)) < 1e-9 for e in (I.xreplace(sub) - want))
        elif family == "mvn_mean":
            S = m.meta_value("covariance")
            A = sp.randMatrix(d, d, -3, 3, seed=d)
            Snum = A * A.T + sp.eye(d)  # positive definite
            sub = {S[i, j]: Snum[i, j] for i in range(d) for j in range(d)}
            sub[m.meta_value("gaussian").cov] = sp.ImmutableMatrix(Snum)  # the opaque (Sigma^{-1})_ij, d > 3
            In = I.xreplace(sub).applyfunc(lambda e: e.doit())
            ok = all(abs(sp.N(e)) < 1e-9 for e in (In * Snum - sp.eye(d)))  # I = Sigma^{-1}
        else:
            sub = {s: sp.Rational(rng.randint(-20, 20), 10) for s in I.free_symbols}
            eta = m.meta_value("eta").xreplace(sub)
            sig = 1 / (1 + sp.exp(-eta))
            xs = sp.Matrix([sub.get(m.symbol(f"x_{i}"), m.symbol(f"x_{i}")) for i in range(1, d + 1)])
            want = sig * (1 - sig) * xs * xs.T
            ok = all(abs(sp.N(e)) < 1e-9 for e in (I.xreplace(sub) - want))
    print(json.dumps({"family": family, "d": d, "seconds": seconds, "ok": bool(ok), "ops": ops,
                      "failures": [f["step"] for f in rep.failures]}), flush=True)
    return 0


def measure(family: str, ds, cap: float, log=None) -> list:
    rows = []
    for d in ds:
        t0 = time.perf_counter()
        try:
            p = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", family, str(d)],
                               capture_output=True, text=True, timeout=cap,
                               env={**os.environ, "SYMFISHER_NO_CACHE": "1"})
            line = [s for s in p.stdout.splitlines() if s.startswith("{")]
            row = json.loads(line[-1]) if line else {"family": family, "d": d, "seconds": None, "ok": False,
                                                     "failures": ["crashed: " + p.stderr.strip()[-200:]]}
        except subprocess.TimeoutExpired:
            row = {"family": family, "d": d, "seconds": None, "ok": False, "failures": [f"over the {cap:g} s cap"]}
        row["wall"] = time.perf_counter() - t0
        rows.append(row)
        if log:
            log(f"{family} {SIZE_NAME.get(family, 'd')}={d}: " + (f"{row['seconds']:.2f} s" if row["seconds"] is not None else "TIMEOUT")
                + ("" if row["ok"] else f"  {row['failures']}"))
        if row["seconds"] is None:
            break
    return rows


def format_rows(rows) -> str:
    size = SIZE_NAME.get(rows[0]["family"], "d") if rows else "d"
    out = [f"| family | {size} | seconds | ratio to previous | log-log slope | operations in I | structure ok |",
           "|---|---|---|---|---|---|---|"]
    prev = None
    for r in rows:
        t = r["seconds"]
        ratio = slope = ""
        if t is not None and prev is not None and prev["seconds"]:
            ratio = f"{t / prev['seconds']:.1f}x"
            slope = f"{math.log(t / prev['seconds']) / math.log(r['d'] / prev['d']):.1f}"
        out.append(f"| {r['family']} | {r['d']} | {'%.2f' % t if t is not None else 'TIMEOUT'} | {ratio} | {slope} | "
                   f"{r.get('ops') if r.get('ops') is not None else ''} | {'yes' if r['ok'] else 'no'} |")
        prev = r
    done = [r for r in rows if r["seconds"]]
    if len(done) >= 3:
        # least-squares exponent k in t ~ d^k over the upper half of the dimensions
        tail = done[len(done) // 2:]
        xs, ys = [math.log(r["d"]) for r in tail], [math.log(r["seconds"]) for r in tail]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        k = sum((a - mx) * (b - my) for a, b in zip(xs, ys)) / sum((a - mx) ** 2 for a in xs)
        out.append(f"\n{rows[0]['family']}: {size} = {done[0]['d']}..{done[-1]['d']} in {done[0]['seconds']:.2f}..{done[-1]['seconds']:.2f} s; "
                   f"t ~ {size}^{k:.1f} over {size} >= {tail[0]['d']}"
                   + ("" if len(done) == len(rows) else f"; stopped at {size} = {rows[-1]['d']} (over the cap)"))
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cap", type=float, default=120.0, help="seconds per (family, d) (default 120)")
    ap.add_argument("--mvn", default=DEFAULT_MVN, help=f"dimensions for mvn_mean (default {DEFAULT_MVN})")
    ap.add_argument("--cov", default=DEFAULT_COV, help=f"dimensions for mvn_covariance (default {DEFAULT_COV})")
    ap.add_argument("--dirichlet", default=DEFAULT_K, help=f"components K for dirichlet (default {DEFAULT_K})")
    ap.add_argument("--multinomial", default=DEFAULT_K, help=f"cells K for multinomial (default {DEFAULT_K})")
    ap.add_argument("--logistic", default=DEFAULT_LOGISTIC, help=f"dimensions for logistic_regression (default {DEFAULT_LOGISTIC})")
    ap.add_argument("--json", help="write the rows to this file")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return _child(args.child[0], int(args.child[1]))
    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    rows = []
    for family, spec in (("mvn_mean", args.mvn), ("mvn_covariance", args.cov), ("dirichlet", args.dirichlet),
                         ("multinomial", args.multinomial), ("logistic_regression", args.logistic)):
        ds = [int(v) for v in spec.split(",") if v.strip()]
        if ds:
            fam_rows = measure(family, ds, args.cap, log)
            rows += fam_rows
            print(format_rows(fam_rows))
            print()
    print(f"cap {args.cap:g} s per dimension, load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
