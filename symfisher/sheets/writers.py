"""Writing sheets: output names, rendering every format, and all-or-nothing file writes.

Output paths are validated before any work (:func:`check_out_dir`, :func:`check_targets`);
derivations run in worker processes; every file is written to a temporary file first and
renamed into place only when all are complete (:func:`write_all`).
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import sympy as sp

from .adapter import build_section, exercise_section
from .schema import load_spec

__all__ = ["OutputError", "check_out_dir", "check_targets", "write_all", "atomic_write", "output_names",
           "write_sheets", "Written", "INDEX_TITLE", "EXT", "SHEET_FORMATS", "DEFAULT_FORMATS"]


# ---------------------------------------------------------------- writing


class OutputError(ValueError):
    """The sheets cannot be written where asked (``--out`` is a file, a name is taken by a
    directory, the disk is full ...): one line, and nothing of this run is left behind."""


def check_out_dir(out_dir) -> Path:
    """``out_dir`` is, or can be created as, a writable directory (checked before any work)."""
    out_dir = Path(out_dir)
    for anc in (out_dir, *out_dir.parents):
        if os.path.lexists(anc):
            if not anc.is_dir():
                where = "" if anc == out_dir else f" ({anc} is a file)"
                raise OutputError(f"--out {out_dir}: not a directory{where}")
            if not os.access(anc, os.W_OK | os.X_OK):
                raise OutputError(f"--out {out_dir}: {anc} is not writable")
            break
    return out_dir


def check_targets(targets) -> None:
    """Every file about to be written may be: nothing there, or a regular file (not a directory)."""
    for t in targets:
        t = Path(t)
        for anc in t.parents:
            if os.path.lexists(anc):
                if not anc.is_dir():
                    raise OutputError(f"cannot write {t}: {anc} is not a directory")
                break
        if os.path.lexists(t) and not t.is_file():
            raise OutputError(f"cannot write {t}: a directory (or other non-file) of that name is in the way")


def write_all(files: dict) -> list[Path]:
    """Write ``{path: str | bytes}`` all or nothing.

    Every file is first written to a temporary file beside its target; only when all of them
    are complete are they renamed into place (``os.replace``). A failure on the way (disk
    full, permissions, an interrupt) removes every temporary file and leaves the old outputs
    as they were; it is reported as one :class:`OutputError` line.
    """
    check_targets(files)
    pending: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            path = Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            raw = data.encode("utf-8") if isinstance(data, str) else data
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            pending.append((tmp, path))
            with os.fdopen(fd, "wb") as fh:
                _write_bytes(fh, raw)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)
    except BaseException as exc:
        for tmp, _ in pending:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {path}: {exc.strerror or exc}; nothing was written") from None
        raise
    done = 0
    try:
        for tmp, path in pending:
            os.replace(tmp, path)
            done += 1
    except BaseException as exc:  # interrupted between renames: each file is old or new, no temp left
        for tmp, _ in pending[done:]:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {pending[done][1]}: {exc.strerror or exc}") from None
        raise
    return [path for _, path in pending]


def _write_bytes(fh, raw: bytes) -> None:  # one seam, so tests can make the disk fill up
    fh.write(raw)


def atomic_write(path: Path, data) -> None:
    """Write one file atomically: readers see the old file or the complete new one."""
    write_all({Path(path): data})


INDEX_TITLE = "Fisher information: ten worked exercises"
EXERCISE_INDEX_TITLE = "Fisher information: ten exercises"
EXT = {"tex": "tex", "html": "html", "md": "md", "json": "json", "txt": "txt", "ipynb": "ipynb"}
#: every format ``sheet --format`` accepts: the document renderers and the notebook
SHEET_FORMATS = ("tex", "html", "md", "json", "txt", "ipynb")
DEFAULT_FORMATS = ("tex", "html", "md", "json", "ipynb")


def output_names(names, formats) -> list[str]:
    """The files a run writes for specs ``names`` (besides figures), in a fixed order.

    For every document format: the solution sheet ``<name>.<ext>``, the exercise sheet
    (questions only, for handing out) ``<name>-exercise.<ext>``, and the combined
    ``index.<ext>`` and ``index-exercise.<ext>``; for ``ipynb`` one notebook per spec.
    """
    out = []
    for fmt in formats:
        if fmt == "ipynb":
            out += [f"{n}.ipynb" for n in names]
            continue
        ext = EXT[fmt]
        for n in list(names) + ["index"]:
            out += [f"{n}.{ext}", f"{n}-exercise.{ext}"]
    return out


# Sections travel from worker processes to the parent as pickles. Plain pickling rebuilds
# every SymPy node through its evaluating constructor, which would turn the unevaluated forms
# of a step (``p*(1/p)**2 + ...``) into their canonical ones; these are rebuilt unevaluated.
_UNEVALUATED = (sp.Add, sp.Mul, sp.Pow, sp.Equality, sp.Unequality)


def _rebuild(cls, args):
    return cls(*args, evaluate=False)


class _SectionPickler(__import__("pickle").Pickler):
    def reducer_override(self, obj):
        if type(obj) in _UNEVALUATED:
            return _rebuild, (type(obj), obj.args)
        return NotImplemented


def _dumps(obj) -> bytes:
    import io

    buf = io.BytesIO()
    _SectionPickler(buf, protocol=5).dump(obj)
    return buf.getvalue()


def _worker(path: str, figure_dir: str | None, figure_prefix: str, figures: bool = True):
    """One spec -> (pickled section, figure files {name: bytes}); runs in a worker process.

    The serial path goes through the same pickling, so both give the same bytes.
    """
    import tempfile as _tf

    spec = load_spec(path)
    if figure_dir is None:
        return _dumps(build_section(spec, None, figure_prefix, figures=figures)), {}
    with _tf.TemporaryDirectory(prefix="symfisher-fig-") as tmp:
        sec = build_section(spec, Path(tmp), figure_prefix)
        files = {p.name: p.read_bytes() for p in sorted(Path(tmp).iterdir())}
    return _dumps(sec), files


def _render_all(sections, specs, formats, settings, title, exercise_title=EXERCISE_INDEX_TITLE):
    from ..render import render_document

    out = {}
    exercises = [exercise_section(sec) for sec in sections]
    for fmt in formats:
        if fmt == "ipynb":
            from ..render.notebook import render_notebook

            for spec, sec in zip(specs, sections):
                out[f"{spec.name}.ipynb"] = render_notebook(sec, spec.source, Path(spec.path).name, settings)
            continue
        ext = EXT[fmt]
        for spec, sec, ex in zip(specs, sections, exercises):
            out[f"{spec.name}.{ext}"] = render_document([sec], fmt, title=sec.title, settings=settings)
            out[f"{spec.name}-exercise.{ext}"] = render_document([ex], fmt, title=ex.title, settings=settings)
        out[f"index.{ext}"] = render_document(list(sections), fmt, title=title, settings=settings)
        out[f"index-exercise.{ext}"] = render_document(exercises, fmt, title=exercise_title, settings=settings)
    return out


def write_sheets(paths, out_dir, formats=DEFAULT_FORMATS, *, jobs: int = 2, figures: bool = True,
                 progress=None, title: str = INDEX_TITLE, settings=None) -> list[Path]:
    """Build the sheets of the spec files ``paths`` and write them into ``out_dir``.

    The files are :func:`output_names`: per spec and document format a solution sheet and an
    exercise sheet, plus ``index.<fmt>`` (all sections, with contents) and ``index-exercise.<fmt>``;
    with ``ipynb`` a notebook per spec. Specs and output paths are validated before anything is derived; derivations run in ``jobs`` worker
    processes and are rendered in spec order; every file is written atomically, and only
    after every sheet has been built, so a failed or interrupted run leaves complete files.
    Returns the paths written.
    """
    import pickle

    for fmt in formats:
        if fmt not in SHEET_FORMATS:
            raise ValueError(f"unknown format {fmt!r}; expected some of {', '.join(SHEET_FORMATS)}")
    if "ipynb" in formats:
        try:
            import nbformat  # noqa: F401
        except ImportError:
            raise ValueError("--format ipynb needs the nbformat package (pip install nbformat)") from None
    out_dir = check_out_dir(out_dir)
    specs = [load_spec(p) for p in paths]
    names = [s.name for s in specs]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError(f"two specs are both named {dup[0]!r}: their sheets would overwrite each other")
    if "index" in names:
        raise ValueError("a spec may not be called 'index' (the combined sheet is index.*)")
    targets = output_names(names, formats)
    clash = sorted({t for t in targets if targets.count(t) > 1})
    if clash:
        raise ValueError(f"two outputs would both be called {clash[0]!r}: rename one of the specs")
    check_targets(out_dir / t for t in targets)
    from .. import plots

    use_figs = figures and plots.available()
    if figures and not use_figs and any(part.figures for s in specs for part in s.parts):
        print("symfisher: warning: figures not drawn: matplotlib is not installed (pip install matplotlib)",
              file=sys.stderr, flush=True)
    fig_dir = str(out_dir / "figures") if use_figs else None
    say = progress or (lambda msg: print(msg, file=sys.stderr, flush=True))
    results = [None] * len(specs)
    total = len(specs)
    if jobs > 1 and total > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        ctxm = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
        with ProcessPoolExecutor(max_workers=min(jobs, total), mp_context=ctxm) as pool:
            futs = {pool.submit(_worker, s.path, fig_dir, "figures/", use_figs): k for k, s in enumerate(specs)}
            done = 0
            for fut in as_completed(futs):
                k = futs[fut]
                sec, files = fut.result()
                results[k] = (pickle.loads(sec), files)
                done += 1
                say(f"[{done}/{total}] {specs[k].name}: {_summary(results[k][0])}")
    else:
        for k, s in enumerate(specs):
            sec, files = _worker(s.path, fig_dir, "figures/", use_figs)
            results[k] = (pickle.loads(sec), files)
            say(f"[{k + 1}/{total}] {s.name}: {_summary(results[k][0])}")
    sections = [r[0] for r in results]
    docs = _render_all(sections, specs, formats, settings, title)
    files: dict = {}
    for sec, figs in results:
        for fname, data in figs.items():
            files[out_dir / "figures" / fname] = data
    for fname, text in docs.items():
        files[out_dir / fname] = text
    written = Written(write_all(files))
    for spec, sec in zip(specs, sections):
        written.failed += [(spec.name, c.name) for c in sec.all_checks if not c.passed]
        written.failed += [(spec.name, f"{f.step}: step not completed") for d in sec.derivations for f in d.failures]
    return written


class Written(list):
    """The paths :func:`write_sheets` wrote; ``failed`` lists ``(spec, check)`` of every numeric
    check that failed and every step that could not be completed (``sheet`` then exits 1)."""

    def __init__(self, paths=()):
        super().__init__(paths)
        self.failed: list = []


def _summary(section) -> str:
    checks = section.all_checks
    passed = sum(c.passed for c in checks)
    fails = sum(len(d.failures) for d in section.derivations)
    extra = f", {fails} step(s) not completed" if fails else ""
    return f"{len(section.derivations)} derivation(s), checks {passed}/{len(checks)} pass{extra}"
