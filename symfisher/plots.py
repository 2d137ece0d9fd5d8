"""Optional figures for worked sheets, drawn with matplotlib (the ``plots`` extra).

Plotting only: every curve is a derived closed form (lambdified) or a numeric witness
already computed for the sheet; nothing here derives. Figures are deterministic (fixed
``svg.hashsalt``, no dates or software names in the metadata), drawn on a
:class:`matplotlib.figure.Figure` without pyplot, so no global backend is switched. When
matplotlib is not installed :func:`available` is ``False`` and sheets render without
figures.

Kinds (``kind = ...`` in a spec's ``[[figure]]``):

* ``fisher_curve`` — a scalar Fisher information against its parameter (``range``, ``log``);
  for a two-parameter model a heat map with contours of √det I(θ) (``ranges``, ``at`` for
  known constants);
* ``kl_quadratic`` — KL(P_θ ‖ P_θ+δ) against ½ I(θ) δ² (``at``, ``delta_max``);
* ``jeffreys_density`` — the normalized Jeffreys density (``range``); for a two-parameter
  model a heat map with contours of the Jeffreys density (normalized when proper).

A figure that cannot be drawn (a model with more than two parameters, a value that was not
derived, a constant without a value, or any error while drawing) raises
:class:`FigureUnavailable` with the reason; the sheet writes it as a warning on stderr, never
drops it silently.

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

__all__ = ["PLOTS", "available", "draw", "FigureUnavailable"]


class FigureUnavailable(Exception):
    """A requested figure cannot be drawn; ``str(exc)`` says why."""


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


def _label(expr) -> str:
    """A legend label in textbook notation: matplotlib mathtext of the sheet's LaTeX, or unicode."""
    from .render.latex import latex_of

    tex = "$" + latex_of(expr).replace(r"\left", "").replace(r"\right", "") + "$"
    try:
        from matplotlib.mathtext import MathTextParser

        MathTextParser("path").parse(tex)
        return tex
    except Exception:  # mathtext knows a subset of LaTeX only
        from .render.text import TextbookPrettyPrinter

        return TextbookPrettyPrinter({"use_unicode": True, "wrap_line": False}).doprint(expr)


def _name(sym) -> str:
    from .render.notation import display_unicode

    return display_unicode(sym.name)


def _default_range(dom):
    lo = float(dom.lo) if dom.lo.is_finite else None
    hi = float(dom.hi) if dom.hi.is_finite else None
    if lo is not None and hi is not None:
        w = hi - lo
        return lo + 0.02 * w, hi - 0.02 * w
    if lo is not None:
        return lo + 0.2, lo + 5.0
    if hi is not None:
        return hi - 5.0, hi - 0.2
    return -3.0, 3.0


def _heat_map(ctx, expr, ranges, at, title: str):
    """A heat map with contour lines of ``expr`` over the two parameters of the model."""
    import numpy as np

    from .numeric import lambdify_expr

    model = ctx.model
    a, b = model.params
    point = ctx.point(at, "figure.at") if at else {}
    expr = (expr[0, 0] if isinstance(expr, sp.MatrixBase) else expr).subs(point)
    left = sorted(map(str, expr.free_symbols - {a, b}))
    if left:
        raise FigureUnavailable(f"the map depends on {', '.join(left)}: give their values in at = {{...}}")
    given = dict(ranges or ())
    (alo, ahi), (blo, bhi) = (tuple(given.get(s.name) or _default_range(model.domain(s))) for s in (a, b))
    A, B = np.meshgrid(np.linspace(alo, ahi, 161), np.linspace(blo, bhi, 161))
    f = lambdify_expr(expr, (a, b))
    with np.errstate(all="ignore"):
        Z = np.broadcast_to(np.asarray(f(A, B), dtype=float), A.shape)
    if not np.isfinite(Z).any():
        raise FigureUnavailable("the value is not finite anywhere on the grid")
    fig = _figure()
    ax = fig.add_subplot()
    finite = Z[np.isfinite(Z)]
    norm = None
    if finite.size and finite.min() > 0 and finite.max() > 10 * finite.min():  # spans decades: log colours
        from matplotlib.colors import LogNorm

        norm = LogNorm(vmin=float(finite.min()), vmax=float(finite.max()))
    mesh = ax.pcolormesh(A, B, Z, shading="auto", cmap="viridis", norm=norm)
    if finite.size and finite.max() > finite.min():
        levels = (np.geomspace(finite.min(), finite.max(), 9)[1:-1] if norm is not None else 8)
        ax.contour(A, B, Z, levels=levels, colors="white", linewidths=0.7)
    fig.colorbar(mesh, ax=ax, label=title)
    ax.set_xlabel(_name(a))
    ax.set_ylabel(_name(b))
    ax.grid(False)
    return fig


def _range_of(dom, given, default):
    if given:
        return float(given[0]), float(given[1])
    lo = float(dom.lo) if dom.lo.is_finite else default[0]
    hi = float(dom.hi) if dom.hi.is_finite else default[1]
    return lo + (hi - lo) * 0.005 if dom.lo.is_finite else lo, hi - (hi - lo) * 0.005 if dom.hi.is_finite else hi


def _dimension(ctx, what: str) -> int:
    if ctx.model is None:
        raise FigureUnavailable(f"{what} needs a model")
    if ctx.model.dim > 2:
        raise FigureUnavailable(f"{what} is drawn for one- and two-parameter models; this one has {ctx.model.dim}")
    return ctx.model.dim


@_register("fisher_curve", {"range": "range", "log": "bool", "ranges": "ranges", "at": "point"},
           "The Fisher information against the parameter (for two parameters, √det I as a map): it is large "
           "where one observation pins the parameters down.")
def _fisher_curve(ctx, range=None, log=True, ranges=(), at=()):
    I = ctx.value("fisher")
    if I is None:
        raise FigureUnavailable("the Fisher information was not derived")
    if _dimension(ctx, "the Fisher information figure") == 2:
        return _heat_map(ctx, sp.sqrt(sp.Matrix(I).det()), ranges, at, "√det ℐ(θ)")
    I = I[0, 0] if isinstance(I, sp.MatrixBase) else I
    th = ctx.model.params[0]
    lo, hi = _range_of(ctx.model.domain(th), range, (0.01, 5.0))
    t = _grid(lo, hi)
    fig = _figure()
    ax = fig.add_subplot()
    ax.plot(t, _fn(I, th)(t), color="#1f5fa8", lw=2, label=f"ℐ({_name(th)}) = " + _label(I))
    if log:
        ax.set_yscale("log")
    amin = ctx.value("fisher_extremes.argmin")
    if amin is not None:
        ax.axvline(float(amin), color="0.4", ls="--", lw=1, label=f"minimum at {_name(th)} = " + _label(amin))
    ax.set_xlabel(_name(th))
    ax.set_ylabel(f"ℐ({_name(th)})")
    ax.legend(loc="upper center", frameon=False)
    return fig


@_register("kl_quadratic", {"at": "point", "delta_max": "number"},
           "KL(P_θ ‖ P_θ+δ) (exact, numeric) against its quadratic approximation ½ I(θ) δ².")
def _kl_quadratic(ctx, at=(), delta_max=0.2):
    import numpy as np

    from .numeric import expect_numeric

    I = ctx.value("fisher")
    model = ctx.model
    if I is None:
        raise FigureUnavailable("the Fisher information was not derived")
    if model is None or model.dim != 1:
        raise FigureUnavailable("the KL curve along δ is drawn for one-parameter models")
    I = I[0, 0] if isinstance(I, sp.MatrixBase) else I
    th = model.params[0]
    point = ctx.point(at, "figure.at") if at else {}
    if th not in point:
        raise FigureUnavailable(f"give the point of the expansion, at = {{{th.name} = ...}}")
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
    ax.plot(d, 0.5 * Iv * d**2, color="#c2410c", lw=1.5, ls="--", label=f"½ ℐ({_name(th)}) δ², ℐ = {Iv:.4g}")
    ax.set_xlabel("δ")
    ax.set_ylabel(f"KL({_name(th)} ‖ {_name(th)}+δ) at {_name(th)} = {t0:g}")
    ax.legend(loc="upper center", frameon=False)
    return fig


@_register("jeffreys_density", {"range": "range", "ranges": "ranges", "at": "point"},
           "The Jeffreys prior √det I(θ), normalized when it is proper (for two parameters, as a map).")
def _jeffreys_density(ctx, range=None, ranges=(), at=()):
    model = ctx.model
    prior = ctx.value("jeffreys.density")
    if prior is None:
        prior = ctx.value("jeffreys")
    if prior is None:
        raise FigureUnavailable("the Jeffreys prior was not derived")
    if _dimension(ctx, "the Jeffreys figure") == 2:
        return _heat_map(ctx, prior, ranges, at, "Jeffreys density π(θ)")
    prior = prior[0, 0] if isinstance(prior, sp.MatrixBase) else prior
    th = model.params[0]
    if prior.free_symbols - {th}:
        raise FigureUnavailable(f"the prior depends on {', '.join(sorted(map(str, prior.free_symbols - {th})))}")
    lo, hi = _range_of(model.domain(th), range, (0.05, 5.0))
    t = _grid(lo, hi)
    fig = _figure()
    ax = fig.add_subplot()
    ax.plot(t, _fn(prior, th)(t), color="#1f5fa8", lw=2, label=f"π({_name(th)}) = " + _label(prior))
    ax.set_xlabel(_name(th))
    ax.set_ylabel(f"π({_name(th)})")
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
    ``figure_dir`` as ``name.pdf``/``name.png`` when it is given); raises
    :class:`FigureUnavailable` when matplotlib is missing or the figure cannot be drawn.
    """
    if not available():
        raise FigureUnavailable("matplotlib is not installed (pip install matplotlib)")
    import matplotlib

    from .render import Figure

    from .sheets.schema import SpecError

    kind = PLOTS[request.kind]
    with matplotlib.rc_context(_RC):
        try:
            fig = kind.fn(ctx, **dict(request.args))
        except (FigureUnavailable, SpecError):  # said as it is: the reason, or the spec's bad key
            raise
        except Exception as exc:  # whatever else stops the drawing is said too, never a silent gap
            text = str(exc).strip().splitlines()
            raise FigureUnavailable(f"drawing it failed ({type(exc).__name__}: {text[0] if text else 'no message'})") from exc
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
