"""The disk cache of derived reports: hits and misses, corruption, concurrency, version keying."""
import json
import multiprocessing
import os

import pytest

from symfisher.cache import ReportCache, cache_dir, derive_json
from symfisher.families import get_model


@pytest.fixture
def cache(tmp_path):
    return ReportCache(str(tmp_path / "cache"), enabled=True)


def _files(c):
    return [os.path.join(r, f) for r, _, fs in os.walk(c.directory) for f in fs]


def test_miss_then_hit(cache):
    m = get_model("poisson")
    obj, hit = derive_json(m, only=["fisher"], cache=cache)
    assert not hit and obj["fisher"] == [["1/lam"]]
    again, hit = derive_json(m, only=["fisher"], cache=cache)
    assert hit and again == obj
    assert json.dumps(again) == json.dumps(obj)  # same key order: same bytes out
    # other quantities, another model: misses
    assert cache.get(m.key(), ("fisher", "score")) is None
    assert cache.get(get_model("exponential").key(), ("fisher",)) is None


def test_corrupt_file_is_ignored_and_rebuilt(cache):
    m = get_model("poisson")
    obj, _ = derive_json(m, only=["fisher"], cache=cache)
    (path,) = _files(cache)
    with open(path, "w") as fh:
        fh.write('{"key": "trunc')
    assert cache.get(m.key(), ("fisher",)) is None
    assert not os.path.exists(path)
    rebuilt, hit = derive_json(m, only=["fisher"], cache=cache)
    assert not hit and rebuilt == obj
    assert cache.get(m.key(), ("fisher",)) == obj
    # a well-formed file holding another key is a miss too
    with open(path, "w") as fh:
        json.dump({"key": "something else", "value": {}}, fh)
    assert cache.get(m.key(), ("fisher",)) is None


def test_version_keying(tmp_path):
    d = str(tmp_path / "c")
    old = ReportCache(d, enabled=True, version="symfisher=0.0.1")
    new = ReportCache(d, enabled=True, version="symfisher=0.0.2")
    old.put("k", ("fisher",), {"v": 1})
    assert old.get("k", ("fisher",)) == {"v": 1}
    assert new.get("k", ("fisher",)) is None


def test_disabled_and_directory_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SYMFISHER_CACHE_DIR", str(tmp_path / "x"))
    assert cache_dir() == str(tmp_path / "x")
    monkeypatch.delenv("SYMFISHER_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == str(tmp_path / "xdg" / "symfisher")
    monkeypatch.setenv("SYMFISHER_NO_CACHE", "1")
    c = ReportCache(str(tmp_path / "y"))
    assert not c.put("k", ("fisher",), {"v": 1}) and c.get("k", ("fisher",)) is None


def _writer(directory, n, tag):
    c = ReportCache(directory, enabled=True, version="v")
    big = {"fisher": [["x" * 2000] * 50], "tag": tag}
    for _ in range(n):
        c.put("shared-key", ("fisher",), big)
        got = c.get("shared-key", ("fisher",))
        assert got is not None and got["fisher"] == big["fisher"]


def test_two_processes_writing_at_once(tmp_path):
    d = str(tmp_path / "c")
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(d, 200, t)) for t in ("a", "b")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert all(p.exitcode == 0 for p in procs)
    c = ReportCache(d, enabled=True, version="v")
    got = c.get("shared-key", ("fisher",))
    assert got is not None and got["tag"] in ("a", "b")
    assert [f for f in _files(c) if os.path.basename(f).startswith(".tmp-")] == []


def test_derive_json_cli_uses_the_cache(monkeypatch, tmp_path, capsys):
    from symfisher.cli import main

    monkeypatch.setenv("SYMFISHER_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.delenv("SYMFISHER_NO_CACHE", raising=False)
    assert main(["derive", "exponential", "--json", "--only", "fisher"]) == 0
    first = capsys.readouterr().out
    assert len(_files(ReportCache(str(tmp_path / "c")))) == 1
    assert main(["derive", "exponential", "--json", "--only", "fisher"]) == 0
    assert capsys.readouterr().out == first
    assert json.loads(first)["fisher"] == [["lam**(-2)"]]


def test_an_entry_edited_after_it_was_written_is_rebuilt_not_served(cache):
    m = get_model("poisson")
    obj, _ = derive_json(m, only=["fisher"], cache=cache)
    (path,) = _files(cache)
    with open(path) as fh:
        entry = json.load(fh)
    entry["value"]["fisher"] = [["2/lam"]]  # well-formed key, edited value
    with open(path, "w") as fh:
        json.dump(entry, fh)
    assert cache.get(m.key(), ("fisher",)) is None
    assert not os.path.exists(path)
    rebuilt, hit = derive_json(m, only=["fisher"], cache=cache)
    assert not hit and rebuilt["fisher"] == [["1/lam"]] == obj["fisher"]
    # an entry without a digest (the layout before digests) is a miss too
    with open(_files(cache)[0]) as fh:
        entry = json.load(fh)
    del entry["digest"]
    with open(_files(cache)[0], "w") as fh:
        json.dump(entry, fh)
    assert cache.get(m.key(), ("fisher",)) is None


def test_an_interrupted_write_leaves_no_temporary_file(cache, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cache.put("k", ("fisher",), {"v": 1})
    assert _files(cache) == []
    monkeypatch.undo()
    assert cache.put("k", ("fisher",), {"v": 1}) and cache.get("k", ("fisher",)) == {"v": 1}


def test_stale_temporary_files_are_swept_fresh_ones_kept(tmp_path):
    import time

    from symfisher import cache as cache_module

    d = tmp_path / "c"
    (d / "ab").mkdir(parents=True)
    stale, fresh = d / "ab" / ".tmp-old.json", d / "ab" / ".tmp-new.json"
    stale.write_text("{")
    fresh.write_text("{")  # another process may be writing it right now
    old = time.time() - cache_module.STALE_SECONDS - 60
    os.utime(stale, (old, old))
    c = ReportCache(str(d), enabled=True)
    assert c.get("k", ("fisher",)) is None
    assert not stale.exists() and fresh.exists()
