"""A record that is damaged in any way is a miss: the module is compiled again and the
record rewritten, never an error and never a crash."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wasmport._compile.assets import _opaque_of
from wasmport._compile.cacherecords import CodeRecord, SourceStat, source_digest
from wasmtest import write

from .support import entry_of, forge_record, fresh_load, read_record

WAT = '(module (func (export "f") (result i32) i32.const 7))'
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=70)
    | st.just("0" * 64),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=8)
DELETE = object()
CODE_FIELDS = ["wasmtime", "engine", "digest", "sha256", "size", "stat", "checked_ns", "check",
               "extra", "extra.opaque", "extra.opaque.imports", "extra.opaque.exports"]
SOURCE_FIELDS = ["path", "stat", "digest", "checked_ns", "check"]


def _damaged(record: dict[str, Any], field: str, value: object) -> dict[str, Any]:
    damaged = json.loads(json.dumps(record))
    *parents, last = field.split(".")
    target = damaged
    for name in parents:
        target = target[name]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return damaged


@pytest.fixture
def warm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    path = write(tmp_path, "m.wat", WAT)
    cache = tmp_path / "cache"
    assert fresh_load(path, cache, monkeypatch) == (7, 1, [])
    return path, cache


def _assert_repaired(path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch,
                     record: Path) -> None:
    assert fresh_load(path, cache, monkeypatch) == (7, 0, [])  # a hit again
    assert read_record(record)  # and its checksum matches


@FUZZ
@given(field=st.sampled_from(CODE_FIELDS), value=json_values | st.just(DELETE))
def test_any_damaged_code_record_field_is_a_miss_and_rewritten(warm, monkeypatch, field, value):
    path, cache = warm
    _, record = entry_of(cache)
    good = json.loads(record.read_bytes())
    damaged = _damaged(good, field, value)
    record.write_text(json.dumps(damaged))
    expected = 0 if damaged == good else 1
    assert fresh_load(path, cache, monkeypatch) == (7, expected, [])
    _assert_repaired(path, cache, monkeypatch, record)


@FUZZ
@given(field=st.sampled_from(SOURCE_FIELDS), value=json_values | st.just(DELETE))
def test_any_damaged_source_record_field_is_hashed_and_rewritten(warm, monkeypatch, field,
                                                                  value):
    path, cache = warm
    [record] = (cache / "v1" / "src").glob("*.json")
    good = json.loads(record.read_bytes())
    record.write_text(json.dumps(_damaged(good, field, value)))
    assert fresh_load(path, cache, monkeypatch) == (7, 0, [])  # its code is still good
    assert read_record(record)["digest"] == good["digest"]  # rewritten


RAW_DAMAGE = {
    "empty": b"",
    "truncated": None,  # half of the good record
    "not utf-8": b"\xff\xfe\x00{",
    "a list": b"[1, 2, 3]",
    "null": b"null",
    "a huge number": b'{"size": 1e999999}',
    "deep nesting": b"[" * 100_000 + b"]" * 100_000,
    "too big": b'{"pad": "' + b"x" * (17 << 20) + b'"}',
}


@pytest.mark.parametrize("kind", ["code", "source"])
@pytest.mark.parametrize("damage", sorted(RAW_DAMAGE))
def test_a_record_that_is_not_json_is_a_miss_and_rewritten(warm, monkeypatch, kind, damage):
    path, cache = warm
    if kind == "code":
        record = entry_of(cache)[1]
    else:
        [record] = (cache / "v1" / "src").glob("*.json")
    good = record.read_bytes()
    record.write_bytes(RAW_DAMAGE[damage] or good[: len(good) // 2])
    assert fresh_load(path, cache, monkeypatch) == (7, 1 if kind == "code" else 0, [])
    _assert_repaired(path, cache, monkeypatch, record)


def test_a_record_replaced_by_a_folder_is_a_miss(warm, monkeypatch):
    path, cache = warm
    _, record = entry_of(cache)
    record.unlink()
    record.mkdir()
    _, compiles, [warning] = fresh_load(path, cache, monkeypatch)
    assert compiles == 1 and f"{record} is not a regular file" in warning


@given(value=st.dictionaries(st.sampled_from(CODE_FIELDS[:-4]), json_values, max_size=8)
       | json_values.filter(lambda v: isinstance(v, dict)))
def test_record_parsing_returns_a_record_or_none(value):
    """With a matching checksum (a forgery, or a bug), parsing still never raises."""
    parsed = CodeRecord.parse(value, "0" * 64, "key")
    assert parsed is None or isinstance(parsed, CodeRecord)
    source = SourceStat("/m.wat", 1, 2, 3, 4)
    assert source_digest(value, source) in (None, value.get("digest"))


@given(extra=json_values)
def test_opaque_sites_parse_or_raise_a_miss(extra):
    try:
        _opaque_of(extra)  # type: ignore[arg-type]
    except (ValueError, TypeError, KeyError, AttributeError):
        pass  # the load treats these as a miss


OPAQUE_CHILD = textwrap.dedent("""
    import sys, wasmport
    mod = wasmport.load(sys.argv[1] + "?source")
    print([e.type for e in mod.exports], mod._asset.compiles)
""")


@pytest.mark.parametrize("opaque", [None, {}, {"imports": {}, "exports": {}},
                                    {"imports": {}, "exports": {"v": 1}}])
def test_a_record_that_lost_its_opaque_sites_never_reaches_the_engine(tmp_path, opaque):
    """Describing a v128 export aborts the process, so a record saying a module has no such
    export (malformed, or well formed but damaged) must not be believed."""
    path = write(tmp_path, "v.wat", '(module (global (export "v") v128 (v128.const i64x2 1 2)))')
    cache = tmp_path / "cache"
    env = dict(os.environ, WASMPORT_CACHE_DIR=str(cache))

    def run() -> str:
        out = subprocess.run([sys.executable, "-c", OPAQUE_CHILD, str(path)],
                             capture_output=True, text=True, env=env, timeout=60)
        assert out.returncode == 0, out.stderr
        return out.stdout.strip()

    assert run() == "['global v128'] 1"
    _, record = entry_of(cache)
    good = json.loads(record.read_bytes())
    damaged = dict(good, extra={} if opaque is None else {"opaque": opaque})
    record.write_text(json.dumps(damaged))  # damage: the checksum no longer matches
    assert run() == "['global v128'] 1"
    forge_record(record, {k: v for k, v in damaged.items() if k != "check"})
    if opaque == {"imports": {}, "exports": {}}:
        return  # well formed with a matching checksum: trusted, as wasmport wrote it
    assert run() == "['global v128'] 1"  # malformed even with a matching checksum
