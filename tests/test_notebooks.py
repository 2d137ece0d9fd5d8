"""Every spec's notebook is valid nbformat 4 and executes (nbclient + ipykernel) with its checks passing.

The notebook carries the question and the worked solution as Markdown and the numeric
checks as code cells that need only symfisher: executing it recomputes every check from
the embedded spec, and its last cell raises if one fails (tested with a spec whose target
is wrong).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from symfisher import sheets

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "derivations").glob("*.toml"))


@pytest.fixture(scope="module")
def notebooks(rendered_sheets):
    # the notebooks of the session's one full sheet run (tests/conftest.py); that write_sheets with
    # ("ipynb",) alone writes notebooks and nothing else is asserted in test_notebook_fails_when_a_check_fails
    return rendered_sheets


def _client(nb, cwd):
    return nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(cwd)}})


def _execute(nb, cwd):
    _client(nb, cwd).execute()
    return nb


@pytest.fixture(scope="module")
def executed(notebooks, tmp_path_factory):
    """Every spec's notebook, executed: each in its own kernel and its own fresh directory, as a
    reader runs it, two kernels at a time (the machine's two cores; the ten used to run one after
    the other). Maps the spec's stem to (notebook as read, executed notebook or the exception)."""
    import asyncio

    jobs = {}
    for spec in SPECS:
        nb = nbformat.read(notebooks / f"{spec.stem}.ipynb", as_version=4)
        jobs[spec.stem] = (nb, nbformat.from_dict(json.loads(json.dumps(nb))), tmp_path_factory.mktemp(spec.stem))

    async def run_all():
        gate = asyncio.Semaphore(2)

        async def one(run, cwd):
            async with gate:
                await _client(run, cwd).async_execute()
            return run

        return await asyncio.gather(*(one(run, cwd) for _, run, cwd in jobs.values()), return_exceptions=True)

    results = asyncio.run(run_all())
    return {stem: (nb, res) for (stem, (nb, _, _)), res in zip(jobs.items(), results)}


def _outputs(nb) -> str:
    return "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def test_one_notebook_per_spec_and_nothing_else(notebooks):
    assert sorted(p.name for p in notebooks.glob("*.ipynb")) == sorted(f"{s.stem}.ipynb" for s in SPECS)


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_notebook_is_valid_and_executes_with_every_check_passing(spec, executed):
    nb, ran = executed[spec.stem]
    nbformat.validate(nb)
    kinds = [c.cell_type for c in nb.cells]
    assert kinds[0] == "markdown" and "**Question.**" in nb.cells[0].source
    assert kinds.count("code") == 2 and kinds[-1] == "code"
    solution = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "$$" in solution and "Step 1." in solution
    title = sheets.load_spec(spec).title
    assert title.split()[0] in nb.cells[0].source
    if isinstance(ran, BaseException):  # executed in a fresh directory: nothing but symfisher is needed
        raise ran
    text = _outputs(ran)
    assert "FAIL" not in text and "numeric checks pass" in text, text[-2000:]
    assert text.count("PASS") >= 1


def test_notebook_fails_when_a_check_fails(tmp_path):
    spec = tmp_path / "wrong.toml"
    spec.write_text(
        'title = "Wrong target"\nquestion = "Find $I(p)$."\n[model]\nname = "bernoulli"\n'
        '[[derive]]\nquantity = "fisher"\n'
        '[[check]]\nname = "I(0.3) against a wrong value"\nof = "fisher"\nat = {p = 0.3}\ntarget = 5\n',
        encoding="utf-8")
    out = tmp_path / "out"
    sheets.write_sheets([spec], out, ("ipynb",), jobs=1, figures=False, progress=lambda m: None)
    assert sorted(p.name for p in out.iterdir()) == ["wrong.ipynb"]  # a notebook per spec and nothing else
    nb = nbformat.read(out / "wrong.ipynb", as_version=4)
    with pytest.raises(nbclient.exceptions.CellExecutionError, match="numeric checks that failed"):
        _execute(nb, tmp_path)


def test_spec_text_is_a_literal_in_the_notebook(tmp_path):
    # a spec whose prose tries to close the string and run code stays data
    spec = tmp_path / "quote.toml"
    spec.write_text(
        "title = \"Quotes\"\nquestion = '''Find it. \"\"\"''' + \"'''\" + '''\nimport os; os.system(\"touch PWNED\")'''\n"
        "[model]\nname = \"bernoulli\"\n[[derive]]\nquantity = \"fisher\"\n"
        "[[check]]\nname = \"c\"\nof = \"fisher\"\nat = {p = 0.5}\ntarget = 4\n",
        encoding="utf-8")
    try:
        sheets.load_spec(spec)
    except sheets.SpecError:  # not valid TOML as written: use a simpler hostile question
        spec.write_text(
            "title = \"Quotes\"\nquestion = \"\\\"\\\"\\\" ''' \\nimport os; os.system('touch PWNED') #\"\n"
            "[model]\nname = \"bernoulli\"\n[[derive]]\nquantity = \"fisher\"\n"
            "[[check]]\nname = \"c\"\nof = \"fisher\"\nat = {p = 0.5}\ntarget = 4\n", encoding="utf-8")
    out = tmp_path / "out"
    sheets.write_sheets([spec], out, ("ipynb",), jobs=1, figures=False, progress=lambda m: None)
    nb = json.loads((out / "quote.ipynb").read_text())
    code = "".join(nb["cells"][-2]["source"])
    import ast

    tree = ast.parse(code)
    spec_value = [n.value for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "SPEC"][0]
    assert isinstance(spec_value, ast.Constant) and spec_value.value == spec.read_text(encoding="utf-8")
    _execute(nbformat.reads(json.dumps(nb), as_version=4), tmp_path)
    assert not (tmp_path / "PWNED").exists()
