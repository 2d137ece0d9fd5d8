"""Optional figures for worked sheets, drawn with matplotlib (the ``plots`` extra).

Plotting only: every curve is a derived closed form (lambdified) or a numeric witness
already computed for the sheet; nothing here derives. Figures are deterministic (fixed
``svg.hashsalt``, no dates or software names in the metadata), drawn on a
:class:`matplotlib.figure.Figure` without pyplot, so no global backend is switched. When
matplotlib is not installed :func:`available` is ``False`` and sheets render without
figures.

Kinds (``kind = ...`` in a spec's ``[[figure]]``):

* ``fisher_curve`` — a scalar Fisher information against its parameter (``range``, ``log``);
* ``kl_quadratic`` — KL(P_θ ‖ P_θ+δ) against ½ I(θ) δ² (``at``, ``delta_max``);
* ``jeffreys_density`` — the normalized Jeffreys density (``range``).

>>> sorted(PLOTS)
['fisher_curve', 'jeffreys_density', 'kl_quadratic']
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import sympy as sp

__all__ = ["PLOTS", "available", "draw"]


@dataclass(frozen=True)
class PlotKind:
    name: str
    fn: Callable  # (ctx, **args) -> matplotlib Figure or None
    args: dict
    caption: str


PLOTS: dict = {}


def _register(name: str, args: dict, caption: str):
    def deco(fn):
        PLOTS[name] = PlotKind(name, fn, args, caption)
        return fn

    return deco


def available() -> bool:
    """Is matplotlib importable?"""
    try:
        import matplotlib  # noqa: F401
        from matplotlib.figure import Figure  # noqa: F401
    except ImportError:
        return False
    return True


_RC = {
    "svg.hashsalt": "symfisher",
    "svg.fonttype": "path",
    "pdf.compression": 6,
    "font.size": 10,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "path.simplify": False,
}


def _figure():
    from matplotlib.figure import Figure

    return Figure(figsize=(5.2, 3.2), dpi=100, layout="constrained")


def _fn(expr, sym):
    from .numeric import lambdify_expr

    import numpy as np

    f = lambdify_expr(expr, (sym,))

    def call(t):
        with np.errstate(all="ignore"):
            v = np.asarray(f(t), dtype=float)
        return np.broadcast_to(v, np.shape(t)).astype(float)

    return call


def _grid(lo, hi, n=400):
    import numpy as np

    return np.linspace(lo, hi, n)


def _range_of(dom, given, default):
    if given:
        return float(given[0]), float(given[1])
    lo = float(dom.lo) if dom.lo.is_finite else default[0]
    hi = float(dom.hi) if dom.hi.is_finite else default[1]
    return lo + (hi - lo) * 0.005 if dom.lo.is_finite else lo, hi - (hi - lo) * 0.005 if dom.hi.is_finite else hi


@_register("fisher_curve", {"range": "range", "log": "bool"},
           "The Fisher information against the parameter: it blows up where one observation pins the parameter down.")
def _fisher_curve(ctx, range=None, log=True):
    I = ctx.values.get("fisher")
    if I is None or isinstance(I, sp.MatrixBase) or ctx.model is None or ctx.model.dim != 1:
        return None
    th = ctx.model.params[0]
    lo, hi = _range_of(ctx.model.domain(th), range, (0.01, 5.0))
    t = _grid(lo, hi)
    fig = _figure()
    ax = fig.add_subplot()
    ax.plot(t, _fn(I, th)(t), color="#1f5fa8", lw=2, label=f"I({th}) = {sp.sstr(I)}")
    if log:
        ax.set_yscale("log")
    amin = ctx.values.get("fisher_argmin")
    if amin is not None:
        ax.axvline(float(amin), color="0.4", ls="--", lw=1, label=f"minimum at {th} = {sp.sstr(amin)}")
    ax.set_xlabel(str(th))
    ax.set_ylabel(f"I({th})")
    ax.legend(loc="upper center", frameon=False)
    return fig


@_register("kl_quadratic", {"at": "point", "delta_max": "number"},
           "KL(P_θ ‖ P_θ+δ) (exact, numeric) against its quadratic approximation ½ I(θ) δ².")
def _kl_quadratic(ctx, at=(), delta_max=0.2):
    import numpy as np

    from .numeric import expect_numeric

    I = ctx.values.get("fisher")
    model = ctx.model
    if I is None or isinstance(I, sp.MatrixBase) or model is None or model.dim != 1:
        return None
    th = model.params[0]
    point = ctx.point(at, "figure.at") if at else {}
    if th not in point:
        return None
    t0 = float(point[th])
    Iv = float(sp.N(I.subs(point)))
    d = np.linspace(-delta_max, delta_max, 81)
    dom = model.domain(th)
    d = d[[dom.contains(t0 + float(x)) for x in d]]
    values = {s.name: float(v) for s, v in point.items()}
    exact = []
    for dv in d:
        g = model.log_density.subs(point) - model.log_density.subs({**point, th: sp.Float(t0 + float(dv), 30)})
        exact.append(expect_numeric(model, g, values))
    fig = _figure()
    ax = fig.add_subplot()
    ax.plot(d, exact, color="#1f5fa8", lw=2, label="KL, by exact sum / quadrature")
    ax.plot(d, 0.5 * Iv * d**2, color="#c2410c", lw=1.5, ls="--", label=f"½ I({th}) δ², I = {Iv:.4g}")
    ax.set_xlabel("δ")
    ax.set_ylabel(f"KL({th} ‖ {th}+δ) at {th} = {t0:g}")
    ax.legend(loc="upper center", frameon=False)
    return fig


@_register("jeffreys_density", {"range": "range"},
           "The Jeffreys prior √I(θ), normalized when it is proper.")
def _jeffreys_density(ctx, range=None):
    model = ctx.model
    prior = ctx.values.get("jeffreys_density") or ctx.values.get("jeffreys")
    if prior is None or model is None or model.dim != 1:
        return None
    prior = prior[0, 0] if isinstance(prior, sp.MatrixBase) else prior
    th = model.params[0]
    if prior.free_symbols - {th}:
        return None
    lo, hi = _range_of(model.domain(th), range, (0.05, 5.0))
    t = _grid(lo, hi)
    fig = _figure()
    ax = fig.add_subplot()
    ax.plot(t, _fn(prior, th)(t), color="#1f5fa8", lw=2, label=f"π({th}) = {sp.sstr(prior)}")
    ax.set_xlabel(str(th))
    ax.set_ylabel(f"π({th})")
    ax.legend(loc="upper center", frameon=False)
    return fig


_SVG_HEAD = re.compile(r"^.*?(?=<svg)", re.S)


def _save(fig, fmt: str) -> bytes:
    buf = io.BytesIO()
    meta = {"svg": {"Date": None, "Creator": None},
            "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
            "png": {"Software": None}}[fmt]
    fig.savefig(buf, format=fmt, metadata=meta)
    return buf.getvalue()


def draw(request, ctx, name: str, figure_dir: Path | None, prefix: str = "figures/"):
    """Draw ``request`` (a ``FigureRequest``) for the sheet context ``ctx``.

    Returns a :class:`~symfisher.render.Figure` (inline SVG; PDF and PNG written to
    ``figure_dir`` as ``name.pdf``/``name.png`` when it is given), or ``None`` when
    matplotlib is missing or the data for the figure were not derived.
    """
    if not available():
        return None
    import matplotlib

    from .render import Figure

    kind = PLOTS[request.kind]
    with matplotlib.rc_context(_RC):
        fig = kind.fn(ctx, **dict(request.args))
        if fig is None:
            return None
        svg = _save(fig, "svg").decode("utf-8")
        svg = _SVG_HEAD.sub("", svg, count=1)
        pdf_path = png_path = None
        if figure_dir is not None:
            figure_dir = Path(figure_dir)
            figure_dir.mkdir(parents=True, exist_ok=True)
            (figure_dir / f"{name}.pdf").write_bytes(_save(fig, "pdf"))
            (figure_dir / f"{name}.png").write_bytes(_save(fig, "png"))
            pdf_path, png_path = f"{prefix}{name}.pdf", f"{prefix}{name}.png"
    return Figure(svg=svg, pdf_path=pdf_path, png_path=png_path, caption=request.caption or kind.caption)
