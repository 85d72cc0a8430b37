"""A source changed in any way a stat can miss still runs its new code in a new process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import wasmtime

from wasmtest import write

from .support import entry_of, forge_record, probe, read_record

WAT = '(module (func (export "f") (result i32) i32.const 100))'
NEW = WAT.replace("100", "200")  # the same size


def _rewrite_in_place(path: Path, data: bytes) -> None:
    """Same size, same inode, and the mtime put back: only the ctime tells."""
    st = path.stat()
    with open(path, "r+b") as f:
        f.write(data)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_ino, after.st_mtime_ns) == (
        st.st_size, st.st_ino, st.st_mtime_ns)


@pytest.mark.parametrize("suffix", [".wat", ".wasm"])
def test_a_same_size_rewrite_with_its_mtime_restored_runs_the_new_code(tmp_path, suffix):
    def content(text: str) -> bytes:
        return text.encode() if suffix == ".wat" else bytes(wasmtime.wat2wasm(text))

    path = tmp_path / f"m{suffix}"
    path.write_bytes(content(WAT))
    cache = tmp_path / "cache"
    assert probe(path, cache)[0]["f"] == 100
    assert probe(path, cache)[0] == {"f": 100, "compiles": 0, "read_source": False}
    _rewrite_in_place(path, content(NEW))
    assert probe(path, cache)[0] == {"f": 200, "compiles": 1, "read_source": True}
    assert probe(path, cache)[0] == {"f": 200, "compiles": 0, "read_source": False}


def _forge_source_record(cache: Path, path: Path) -> None:
    """Make the source record match the file's current stat, as a second write within the
    same timestamp tick would leave it (the stat unchanged, the content not)."""
    [record] = (cache / "v1" / "src").glob("*.json")
    value = read_record(record)
    st = path.stat()
    value["stat"] = [st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns]
    forge_record(record, value)


def test_a_source_changed_close_to_its_check_is_hashed(tmp_path):
    path = write(tmp_path, "racy.wat", WAT)
    cache = tmp_path / "cache"
    probe(path, cache)
    [record] = (cache / "v1" / "src").glob("*.json")
    _rewrite_in_place(path, NEW.encode())
    _forge_source_record(cache, path)
    # The record claims the new stat is the old content; its check time is just before the
    # file's ctime, so the stat cannot be trusted.
    checked = read_record(record)["checked_ns"]
    assert path.stat().st_ctime_ns > checked - 10**8
    assert probe(path, cache)[0] == {"f": 200, "compiles": 1, "read_source": True}


def test_verify_hashes_sources_and_artifacts_every_time(tmp_path):
    path = write(tmp_path, "verify.wat", WAT)
    cache = tmp_path / "cache"
    probe(path, cache)
    [record] = (cache / "v1" / "src").glob("*.json")
    value = read_record(record)
    value["checked_ns"] += 10**10  # long after the file changed: the stat alone is trusted
    forge_record(record, value)
    assert probe(path, cache)[0]["read_source"] is False
    assert probe(path, cache, WASMPORT_CACHE_VERIFY="1")[0] == {
        "f": 100, "compiles": 0, "read_source": True}


def _swap_in_other_code(tmp_path: Path, cache: Path, checked_ns: int | None) -> None:
    """Overwrite the artifact in place with another module's (of the same size) and make
    its record's stat match, as a write in the same tick as the check would leave it."""
    other = write(tmp_path / "other", "other.wat", NEW)
    probe(other, tmp_path / "other-cache")
    other_artifact, _ = entry_of(tmp_path / "other-cache")
    artifact, record = entry_of(cache)
    assert other_artifact.stat().st_size == artifact.stat().st_size
    with open(artifact, "r+b") as f:
        f.write(other_artifact.read_bytes())
    st = artifact.stat()
    value = read_record(record)
    value["stat"] = [st.st_size, st.st_ino, st.st_ctime_ns]
    value["checked_ns"] = st.st_ctime_ns if checked_ns is None else checked_ns
    forge_record(record, value)


def test_verify_catches_an_artifact_whose_record_was_made_to_match(tmp_path):
    path = write(tmp_path, "verify.wat", WAT)
    cache = tmp_path / "cache"
    probe(path, cache)
    _swap_in_other_code(tmp_path, cache, checked_ns=path.stat().st_ctime_ns + 10**12)
    assert probe(path, cache)[0]["f"] == 200  # trusted by its stat: the swap worked
    assert probe(path, cache, WASMPORT_CACHE_VERIFY="1")[0] == {
        "f": 100, "compiles": 1, "read_source": True}
    assert probe(path, cache)[0] == {"f": 100, "compiles": 0, "read_source": False}


def test_an_artifact_checked_just_after_it_was_written_is_hashed(tmp_path):
    """The same swap, with the check time next to the artifact's ctime: the racy rule
    hashes it without being asked to."""
    path = write(tmp_path, "racy.wat", WAT)
    cache = tmp_path / "cache"
    probe(path, cache)
    _swap_in_other_code(tmp_path, cache, checked_ns=None)
    assert probe(path, cache)[0] == {"f": 100, "compiles": 1, "read_source": True}
