r"""Jupyter notebooks (``.ipynb``, nbformat 4) of a worked sheet: the format course material comes in.

A notebook has the question and the worked solution as Markdown cells (the Markdown
renderer's output: ``$$ \begin{aligned} ... $$`` math, which Jupyter typesets), and the
numeric checks as code cells that need only symfisher: the exercise spec is embedded as a
Python string literal (``repr``, so no spec text can end it) and its checks are recomputed
with :func:`symfisher.sheets.notebook_checks`, then tabulated and asserted. Deterministic:
fixed cell ids, no execution counts, no outputs.
"""
from __future__ import annotations

from ..derivation import Derivation
from .document import Section
from .markdown import _checks_table, _prose_block, md_prose, render_derivation
from .settings import DEFAULT_SETTINGS, RenderSettings

__all__ = ["render_notebook"]

_CHECK_CODE = """\
# The numeric checks of this sheet, recomputed with symfisher from the exercise spec it was written from.
from symfisher.sheets import notebook_checks

SPEC = {spec}
checks = notebook_checks(SPEC, {name})
for c in checks:
    verdict = "PASS" if c.passed else "FAIL"
    print(f"{{verdict}}  {{c.name}}: value {{c.value:.10g}}, target {{c.target:.10g}} (tolerance {{c.tol:g}})")"""

_ASSERT_CODE = """\
failed = [c.name for c in checks if not c.passed]
assert not failed, f"numeric checks that failed: {failed}"
print(f"all {len(checks)} numeric checks pass")"""


def render_notebook(section: Section, spec_text: str, spec_name: str,
                    settings: RenderSettings | None = None) -> str:
    """The notebook of one sheet, as JSON text."""
    import nbformat
    from nbformat import v4

    settings = settings or DEFAULT_SETTINGS
    cells = []

    def md(text: str):
        cells.append(v4.new_markdown_cell(text))

    head = "# " + md_prose(section.title)
    if section.question:
        head += "\n\n**Question.** " + _prose_block(section.question)
    md(head)
    md("## Worked solution")
    for d in section.derivations:
        md(render_derivation(_without_checks(d), settings, level=3))
    if section.explanation:
        md("### Explanation\n\n" + _prose_block(section.explanation))
    if section.takeaway:
        md("> **Takeaway.** " + md_prose(section.takeaway))
    checks = section.all_checks
    if checks:
        md("## Numeric checks\n\nThe table as computed when the sheet was written:\n\n"
           + _checks_table(checks, settings)
           + "\n\nThe cells below recompute every check; the last one fails if any check does.")
        cells.append(v4.new_code_cell(_CHECK_CODE.format(spec=repr(spec_text), name=repr(spec_name))))
        cells.append(v4.new_code_cell(_ASSERT_CODE))
    nb = v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    })
    for k, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{k}"
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def _without_checks(d: Derivation) -> Derivation:
    from dataclasses import replace

    return replace(d, checks=())
