"""A disk cache of derived reports (the ``derive --json`` objects).

An entry is the JSON object of :meth:`Report.to_json` for one model and one set of
requested quantities, stored as one file named by a SHA-256 of

* the model's canonical form (:meth:`Model.key`),
* the requested quantities (sorted),
* the library version (``symfisher.__version__``) and the SymPy version,
* the time limit of a symbolic step in effect (a step that ran out of time under one limit
  may finish under a longer one),

so a new release never reads an old result. The key text itself is stored in the file and
compared on reading, so a hash collision or a file of another key is a miss. So is a file
whose value was changed after it was written: each entry stores a SHA-256 digest of its key
and value (canonical JSON), checked on reading; an entry that does not match is deleted and
rebuilt, never served.

Where: ``$SYMFISHER_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/symfisher``, else
``~/.cache/symfisher``. ``SYMFISHER_NO_CACHE=1`` turns the cache off (reads miss, writes
are skipped).

Safety: a file is written to a temporary file in the same directory and renamed with
``os.replace`` (atomic on POSIX), so concurrent writers of the same key each install a
complete file and readers never see half of one; a write that is interrupted (an exception,
Ctrl-C) removes its temporary file, and temporary files older than :data:`STALE_SECONDS`
(left by a process that was killed) are swept when a cache is first used. A file that does
not parse, does not hold the expected key or does not match its digest is ignored, deleted
and rebuilt by the caller. Any ``OSError`` (read-only home, full disk) makes the cache a
no-op rather than a failure.

>>> import tempfile, os
>>> c = ReportCache(tempfile.mkdtemp())
>>> c.get("model-key", ("fisher",)) is None
True
>>> c.put("model-key", ("fisher",), {"fisher": [["1/p"]]})
True
>>> c.get("model-key", ("fisher",))
{'fisher': [['1/p']]}
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile

__all__ = ["ReportCache", "default_cache", "cache_dir", "cache_enabled", "cache_key"]

_FORMAT = 2  # bump when the entry layout changes (2: each entry carries a digest of its content)
_TMP_PREFIX = ".tmp-"
STALE_SECONDS = 300.0  # a temporary file this old belongs to a writer that is gone
_SWEPT: set = set()  # directories swept in this process


def _digest(key: str, value) -> str:
    """SHA-256 of the key and the value's canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(key.encode("utf-8") + b"\0" + text.encode("utf-8")).hexdigest()


def cache_enabled() -> bool:
    return os.environ.get("SYMFISHER_NO_CACHE", "").strip() not in ("1", "true", "yes")


def cache_dir() -> str:
    """The cache directory from the environment (not created here)."""
    explicit = os.environ.get("SYMFISHER_CACHE_DIR")
    if explicit:
        return os.path.abspath(os.path.expanduser(explicit))
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "symfisher")


_SOURCE_DIGEST: list = []


def _source_digest() -> str:
    """A digest of the package's own source: a development build that changes the engine
    must not be served results derived by the previous code under the same version number."""
    if not _SOURCE_DIGEST:
        import hashlib

        h = hashlib.sha256()
        root = os.path.dirname(os.path.abspath(__file__))
        for folder, dirs, files in os.walk(root):
            dirs.sort()
            for name in sorted(files):
                if name.endswith(".py"):
                    with open(os.path.join(folder, name), "rb") as fh:
                        h.update(name.encode() + b"\0" + fh.read())
        _SOURCE_DIGEST.append(h.hexdigest()[:16])
    return _SOURCE_DIGEST[0]


def _versions() -> str:
    import sympy

    from . import __version__

    return f"symfisher={__version__}+{_source_digest()};sympy={sympy.__version__};format={_FORMAT}"


def cache_key(model_key: str, quantities, version: str | None = None) -> str:
    """The full key text: versions, time limit, sorted quantities, model canonical form."""
    from .limits import default_limit

    qs = ",".join(sorted(quantities))
    version = version if version is not None else _versions()
    return "\n".join((version, f"time_limit={default_limit():g}", qs, model_key))


class ReportCache:
    """Derived report objects on disk, one file per (model, quantities, version)."""

    def __init__(self, directory: str | None = None, enabled: bool | None = None, version: str | None = None):
        self.directory = directory if directory is not None else cache_dir()
        self.enabled = cache_enabled() if enabled is None else enabled
        self.version = version  # None: the installed versions

    def _path(self, key: str) -> str:
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return os.path.join(self.directory, digest[:2], digest + ".json")

    def get(self, model_key: str, quantities) -> dict | None:
        """The cached object, or ``None`` (miss, disabled, or a corrupt file, which is removed)."""
        if not self.enabled:
            return None
        key = cache_key(model_key, quantities, self.version)
        path = self._path(key)
        self._sweep()
        try:
            with open(path, encoding="utf-8") as fh:
                entry = json.load(fh)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, UnicodeDecodeError):
            self._discard(path)
            return None
        if not isinstance(entry, dict) or entry.get("key") != key or not isinstance(entry.get("value"), dict):
            self._discard(path)
            return None
        try:
            intact = entry.get("digest") == _digest(key, entry["value"])
        except (TypeError, ValueError):
            intact = False
        if not intact:  # edited (or damaged) after it was written: rebuilt, never served
            self._discard(path)
            return None
        return entry["value"]

    def put(self, model_key: str, quantities, value: dict) -> bool:
        """Store ``value`` atomically; ``True`` if written, ``False`` if disabled or not writable."""
        if not self.enabled:
            return False
        key = cache_key(model_key, quantities, self.version)
        path = self._path(key)
        self._sweep()
        tmp = None
        try:
            entry = {"key": key, "digest": _digest(key, value), "value": value}
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=_TMP_PREFIX, suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(entry, fh)  # key order kept: output is byte-identical
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            tmp = None
            return True
        except (OSError, TypeError, ValueError):
            return False
        finally:  # whatever stopped the write (an error, Ctrl-C, a time limit): no temporary file left
            if tmp is not None:
                self._discard(tmp)

    def _sweep(self) -> None:
        """Remove temporary files older than :data:`STALE_SECONDS` (once per directory and process)."""
        import time

        if self.directory in _SWEPT:
            return
        _SWEPT.add(self.directory)
        cutoff = time.time() - STALE_SECONDS
        try:
            subdirs = [e.path for e in os.scandir(self.directory) if e.is_dir() and len(e.name) == 2]
        except OSError:
            return
        for sub in subdirs:
            try:
                for e in os.scandir(sub):
                    if e.name.startswith(_TMP_PREFIX) and e.stat().st_mtime < cutoff:
                        self._discard(e.path)
            except OSError:
                continue

    def clear(self) -> None:
        """Remove every entry (the directory itself stays)."""
        import shutil

        if os.path.isdir(self.directory):
            for name in os.listdir(self.directory):
                p = os.path.join(self.directory, name)
                if os.path.isdir(p) and len(name) == 2:
                    shutil.rmtree(p, ignore_errors=True)

    @staticmethod
    def _discard(path: str) -> None:
        try:
            os.remove(path)
        except OSError:
            pass


def default_cache() -> ReportCache:
    """The cache configured by the environment (read at each call)."""
    return ReportCache()


def derive_json(model, only=None, cache: ReportCache | None = None) -> tuple[dict, bool]:
    """The ``derive --json`` object of ``model`` (``only``: a subset of quantities), from the
    cache when present, else derived and stored. Returns ``(object, hit)``.

    A report with a step that ran out of time is stored too, under the time limit in effect
    (part of the key); ``SYMFISHER_NO_CACHE=1`` derives afresh.
    """
    from .derive.report import ALL_QUANTITIES, derive_all

    cache = cache if cache is not None else default_cache()
    quantities = tuple(only) if only else ALL_QUANTITIES
    key = model.key()
    hit = cache.get(key, quantities)
    if hit is not None:
        return hit, True
    obj = derive_all(model, only=only).to_json()
    cache.put(key, quantities, obj)
    return obj, False
