"""``wasmport cache warm`` and ``wasmport cache prune``, and the last use that prune reads."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import wasmport
from wasmport._cli.cache import parse_size
from wasmport._cli.main import main
from wasmtest import write

from .support import entry_of, forge_record, fresh_load, probe, read_record

HOUR = 3600 * 10**9


def module(directory: Path, name: str, value: int) -> Path:
    return write(directory, name, f'(module (func (export "f") (result i32) i32.const {value}))')


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("WASMPORT_CACHE_DIR", str(directory))
    return directory


def test_warm_compiles_each_file_so_a_new_process_does_not(tmp_path, cache, capsys):
    a, b = module(tmp_path, "a.wat", 1), module(tmp_path / "sub", "b.wat", 2)
    assert main(["cache", "warm", str(a), str(tmp_path / "sub")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split(": ")[0] for line in out] == [str(a), str(b)]
    assert all(": compiled (" in line for line in out)
    assert probe(a, cache)[0]["compiles"] == 0
    assert probe(b, cache)[0]["compiles"] == 0


def test_warm_again_says_already_cached(tmp_path, cache):
    a = module(tmp_path, "a.wat", 1)
    env = dict(os.environ, WASMPORT_CACHE_DIR=str(cache))
    run = [sys.executable, "-m", "wasmport", "cache", "warm", str(a)]
    first = subprocess.run(run, capture_output=True, text=True, env=env, timeout=60)
    again = subprocess.run(run, capture_output=True, text=True, env=env, timeout=60)
    assert (first.returncode, first.stderr) == (0, "") and ": compiled (" in first.stdout
    assert (again.returncode, again.stdout, again.stderr) == (0, f"{a}: already cached\n", "")


def test_warm_for_limits_fills_the_engine_those_realms_use(tmp_path, cache, monkeypatch):
    a = module(tmp_path, "a.wat", 1)
    assert main(["cache", "warm", "--fuel", str(a)]) == 0
    monkeypatch.setattr(wasmport._compile.codecache, "_caches", {})
    monkeypatch.setattr(wasmport._compile.assets, "_cache", {})
    with wasmport.Realm(limits=wasmport.Limits(fuel=10_000)) as realm:
        mod = wasmport.load(str(a), realm=realm)
        assert mod.f() == 1 and wasmport.instance_of(mod).module._asset.compiles == 0
    assert fresh_load(a, cache, monkeypatch)[1] == 1  # the plain engine was not warmed


def test_warm_reports_each_bad_file_and_warms_the_rest(tmp_path, cache, capsys):
    bad, good = write(tmp_path, "bad.wat", "(module (func"), module(tmp_path, "good.wat", 3)
    assert main(["cache", "warm", str(bad), str(tmp_path / "missing.wasm"), str(good)]) == 1
    captured = capsys.readouterr()
    errors = captured.err.splitlines()
    assert len(errors) == 2 and all(e.startswith("wasmport: error: ") for e in errors)
    assert str(bad) in errors[0] and "missing.wasm" in errors[1]
    assert captured.out.startswith(f"{good}: compiled (")


def test_warm_with_the_cache_off_is_an_error(tmp_path, cache, monkeypatch, capsys):
    monkeypatch.setenv("WASMPORT_CACHE", "0")
    assert main(["cache", "warm", str(module(tmp_path, "a.wat", 1))]) == 1
    assert "cache is off (WASMPORT_CACHE=0)" in capsys.readouterr().err


def _settled(record: Path) -> None:
    """Make the record as a hit long after the store leaves it: trusted by its stat, so a
    hit rewrites nothing."""
    value = read_record(record)
    value["checked_ns"] = value["stat"][2] + 10**10
    forge_record(record, value)


def _used(record: Path, ago_ns: int) -> None:
    when = time.time_ns() - ago_ns
    os.utime(record, ns=(when, when))


def _entries(cache: Path, count: int, tmp_path: Path, monkeypatch) -> list[Path]:
    """``count`` entries whose last uses are count..1 hours ago (the first is the oldest)."""
    records = []
    for i in range(count):
        fresh_load(module(tmp_path, f"m{i}.wat", i), cache, monkeypatch)
        _, record = entry_of(cache, [r.with_suffix(".cwasm") for r in records])
        _settled(record)
        records.append(record)
    for i, record in enumerate(records):
        _used(record, (count - i) * HOUR)
    return records


def _entry_size(record: Path) -> int:
    return record.stat().st_size + record.with_suffix(".cwasm").stat().st_size


def test_prune_removes_the_least_recently_used_until_the_cache_fits(tmp_path, cache,
                                                                    monkeypatch, capsys):
    records = _entries(cache, 4, tmp_path, monkeypatch)
    keep = sum(_entry_size(r) for r in records[2:])
    assert main(["cache", "prune", "--max-size", str(keep)]) == 0
    assert [r.exists() for r in records] == [False, False, True, True]
    assert [r.with_suffix(".cwasm").exists() for r in records] == [False, False, True, True]
    assert capsys.readouterr().out.startswith("removed 2 entries (")
    assert main(["cache", "prune", "--max-size", "0"]) == 0
    assert not list((cache / "v1" / "code").iterdir())


def test_a_hit_makes_an_entry_recently_used(tmp_path, cache, monkeypatch):
    records = _entries(cache, 2, tmp_path, monkeypatch)
    fresh_load(tmp_path / "m0.wat", cache, monkeypatch)  # the oldest is used again
    assert records[0].stat().st_mtime_ns > time.time_ns() - HOUR
    assert main(["cache", "prune", "--max-size", str(_entry_size(records[0]))]) == 0
    assert [r.exists() for r in records] == [True, False]


def test_a_recent_hit_writes_nothing(tmp_path, cache, monkeypatch):
    [record] = _entries(cache, 1, tmp_path, monkeypatch)
    _used(record, HOUR // 2)
    path = tmp_path / "m0.wat"
    before = record.stat()
    assert fresh_load(path, cache, monkeypatch)[1:] == (0, [])
    after = record.stat()
    assert (after.st_mtime_ns, after.st_ino) == (before.st_mtime_ns, before.st_ino)


def test_prune_removes_leftovers(tmp_path, cache, monkeypatch):
    path = module(tmp_path, "gone.wat", 1)
    fresh_load(path, cache, monkeypatch)
    artifact, record = entry_of(cache)
    artifact.unlink()  # a record without its code
    path.unlink()  # a source record of a file that is gone
    stale = cache / "v1" / "code" / ".tmp-dead"
    stale.write_bytes(b"x")
    old = time.time_ns() - 2 * HOUR
    os.utime(stale, ns=(old, old))
    live = cache / "v1" / "code" / ".tmp-live"  # a writer at work right now
    live.write_bytes(b"x")
    assert main(["cache", "prune", "--max-size", "1G"]) == 0
    assert not record.exists() and not stale.exists() and live.exists()
    assert not list((cache / "v1" / "src").iterdir())


@pytest.mark.parametrize(("text", "size"), [
    ("0", 0), ("123", 123), ("1K", 1024), ("1k", 1024), ("500M", 500 << 20), ("2G", 2 << 30),
    ("1.5GiB", 3 << 29), ("1GB", 10**9), ("100MB", 10**8), ("1T", 1 << 40), ("7b", 7)])
def test_sizes(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "abc", "5X", "-1G", "1.2.3M", "M"])
def test_a_bad_size_is_a_usage_error(text):
    with pytest.raises(argparse.ArgumentTypeError, match="is not a size"):
        parse_size(text)
    proc = subprocess.run([sys.executable, "-m", "wasmport", "cache", "prune",
                           f"--max-size={text}"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "is not a size" in proc.stderr
