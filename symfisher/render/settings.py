"""One settings object for every renderer (STYLE point 5: options in one place).

>>> s = RenderSettings(symbol_names={"p": r"\\pi_0"}, float_digits=4)
>>> s.symbol_names
(('p', '\\\\pi_0'),)
>>> s.float_digits, s.include_failures
(4, True)
>>> hash(s) == hash(RenderSettings(symbol_names={"p": r"\\pi_0"}, float_digits=4))
True
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["RenderSettings", "DEFAULT_SETTINGS"]


@dataclass(frozen=True)
class RenderSettings:
    """How derivations and sheets are typeset; the same object drives every format.

    ``symbol_names`` maps a symbol's *name* to the LaTeX that should stand for it
    (``{"p": r"\\pi"}``); a dict is accepted and stored as a sorted tuple of pairs, so
    settings stay hashable and rendering stays deterministic. ``float_digits`` is the
    number of significant digits in check tables. ``line_width`` is the length of
    LaTeX source (a proxy for printed width) past which a long sum is broken across
    lines of an ``align*``. ``text_width`` is the terminal width of plain-text output.
    """

    title: str = "Worked solutions"
    symbol_names: Any = ()
    float_digits: int = 8
    line_width: int = 110
    include_failures: bool = True
    include_checks: bool = True
    include_notes: bool = True
    include_reasons: bool = True
    show_result: bool = True
    number_sections: bool = True
    ln_notation: bool = False
    mul_symbol: str | None = None
    paper: str = "a4paper"
    font_size: str = "11pt"
    text_width: int = 100
    text_pretty: bool = True
    max_figure_width: str = "0.7\\linewidth"

    def __post_init__(self):
        names = self.symbol_names
        if isinstance(names, dict):
            names = names.items()
        pairs = tuple(sorted((str(k), str(v)) for k, v in names))
        object.__setattr__(self, "symbol_names", pairs)
        if self.float_digits < 1:
            raise ValueError(f"float_digits must be >= 1, got {self.float_digits!r}")

    @property
    def symbol_map(self) -> dict:
        """``symbol_names`` as a dict: symbol name -> LaTeX."""
        return dict(self.symbol_names)


DEFAULT_SETTINGS = RenderSettings()
