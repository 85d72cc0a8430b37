"""The cache trusts nothing within another user's reach: every directory and file on the way
to an artifact is checked, as ssh checks ~/.ssh, and a refusal compiles in memory."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from wasmtest import write

from .support import entry_of, forge_record, fresh_load, probe, read_record

WAT_A = '(module (func (export "f") (result i32) i32.const 1))'
WAT_B = '(module (func (export "f") (result i32) i32.const 666))'
NOBODY = 65534
as_root = pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0,
                             reason="chown to another user needs root")


@pytest.fixture
def warm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A module and a cache that holds its code."""
    path = write(tmp_path, "a.wat", WAT_A)
    cache = tmp_path / "cache"
    assert fresh_load(path, cache, monkeypatch) == (1, 1, [])
    assert fresh_load(path, cache, monkeypatch) == (1, 0, [])
    return path, cache


FOLDERS = ["", "v1", "v1/code", "v1/src"]


@pytest.mark.parametrize("folder", FOLDERS)
@pytest.mark.parametrize("mode", [0o777, 0o1777, 0o702])
def test_a_folder_others_can_write_is_refused(warm, folder, mode, monkeypatch):
    path, cache = warm
    os.chmod(cache / folder, mode)
    result, compiles, [warning] = fresh_load(path, cache, monkeypatch)
    assert (result, compiles) == (1, 1)  # compiled in memory
    assert warning.startswith("CacheRefused: wasmport: not using the compiled-code cache: ")
    assert f"{str(cache / folder).rstrip('/')} is writable by other users" in warning
    assert "WASMPORT_CACHE_DIR" in warning


@as_root
@pytest.mark.parametrize("folder", FOLDERS)
def test_a_folder_a_shared_group_can_write_is_refused(warm, folder, monkeypatch):
    path, cache = warm
    os.chown(cache / folder, -1, NOBODY)
    os.chmod(cache / folder, 0o770)
    result, compiles, [warning] = fresh_load(path, cache, monkeypatch)
    assert (result, compiles) == (1, 1)
    assert "is writable by other users (mode 770)" in warning


def _private_group() -> bool:
    import grp
    import pwd

    me = pwd.getpwuid(os.getuid())
    return set(grp.getgrgid(me.pw_gid).gr_mem) <= {me.pw_name}


@pytest.mark.skipif(sys.platform == "win32" or not _private_group(),
                    reason="needs a user whose primary group has no other member")
def test_a_folder_only_its_owners_own_group_can_write_is_accepted(warm, monkeypatch):
    """Debian and Ubuntu give each user a group of their own and a umask of 002."""
    path, cache = warm
    for folder in FOLDERS:
        os.chown(cache / folder, -1, os.getgid())
        os.chmod(cache / folder, 0o770)
    assert fresh_load(path, cache, monkeypatch) == (1, 0, [])


@as_root
@pytest.mark.parametrize("folder", FOLDERS)
def test_a_folder_of_another_user_is_refused(warm, folder, monkeypatch):
    path, cache = warm
    os.chown(cache / folder, NOBODY, NOBODY)
    result, compiles, [warning] = fresh_load(path, cache, monkeypatch)
    assert (result, compiles) == (1, 1)
    assert f"belongs to uid {NOBODY}, not to you" in warning


def test_an_ancestor_others_can_write_is_refused_unless_sticky(tmp_path, monkeypatch):
    path = write(tmp_path, "a.wat", WAT_A)
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    cache = shared / "deep" / "cache"
    _, compiles, [warning] = fresh_load(path, cache, monkeypatch)
    assert compiles == 1 and f"{shared} is writable by other users" in warning
    os.chmod(shared, 0o1777)  # like /tmp: others cannot move what is not theirs
    assert fresh_load(path, cache, monkeypatch) == (1, 1, [])
    assert fresh_load(path, cache, monkeypatch) == (1, 0, [])


def test_a_symlinked_code_folder_is_refused(warm, tmp_path, monkeypatch):
    path, cache = warm
    elsewhere = tmp_path / "elsewhere"
    (cache / "v1" / "code").rename(elsewhere)
    (cache / "v1" / "code").symlink_to(elsewhere)
    _, compiles, [warning] = fresh_load(path, cache, monkeypatch)
    assert compiles == 1 and "code is a symbolic link" in warning


def test_a_symlinked_cache_is_judged_where_it_leads(tmp_path, monkeypatch):
    path = write(tmp_path, "a.wat", WAT_A)
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(real)
    assert fresh_load(path, tmp_path / "link", monkeypatch) == (1, 1, [])
    assert fresh_load(path, tmp_path / "link", monkeypatch) == (1, 0, [])
    os.chmod(real, 0o777)
    _, compiles, [warning] = fresh_load(path, tmp_path / "link", monkeypatch)
    assert compiles == 1 and f"{real} is writable by other users" in warning


@pytest.mark.parametrize("which", ["artifact", "record", "source record"])
def test_a_file_others_can_write_is_refused_and_left_alone(warm, which, monkeypatch):
    path, cache = warm
    artifact, record = entry_of(cache)
    [source_record] = (cache / "v1" / "src").glob("*.json")
    target = {"artifact": artifact, "record": record, "source record": source_record}[which]
    os.chmod(target, 0o666)
    before = target.read_bytes()
    result, compiles, [warning] = fresh_load(path, cache, monkeypatch)
    # A refused source record only means hashing the source; its code is still good.
    assert (result, compiles) == (1, 0 if which == "source record" else 1)
    assert f"for {path}: {target} is writable by other users (mode 666)" in warning
    instead = "reading the source" if which == "source record" else "compiling in memory"
    assert warning.endswith(f"remove it (wasmport cache clear); {instead} instead")
    assert target.read_bytes() == before  # the evidence is not overwritten


@as_root
@pytest.mark.parametrize("which", ["artifact", "record"])
def test_a_file_of_another_user_is_refused(warm, which, monkeypatch):
    path, cache = warm
    artifact, record = entry_of(cache)
    target = artifact if which == "artifact" else record
    os.chown(target, NOBODY, NOBODY)
    result, compiles, [warning] = fresh_load(path, cache, monkeypatch)
    assert (result, compiles) == (1, 1)
    assert f"{target} belongs to uid {NOBODY}, not to you" in warning


def _plant(cache: Path, a_entry: tuple[Path, Path], b_entry: tuple[Path, Path]) -> None:
    """Module B's artifact under module A's key, with a record forged to match it."""
    (a_artifact, a_record), (b_artifact, b_record) = a_entry, b_entry
    forged = read_record(b_record)
    forged["digest"] = read_record(a_record)["digest"]
    a_artifact.unlink()
    a_artifact.write_bytes(b_artifact.read_bytes())
    st = a_artifact.stat()
    forged["stat"] = [st.st_size, st.st_ino, st.st_ctime_ns]
    forged["checked_ns"] = st.st_ctime_ns + 10**10
    forge_record(a_record, forged)


def _planted(tmp_path: Path) -> tuple[Path, Path, tuple[Path, Path]]:
    cache = tmp_path / "cache"
    a, b = write(tmp_path, "a.wat", WAT_A), write(tmp_path, "b.wat", WAT_B)
    probe(b, cache)
    b_entry = entry_of(cache)
    probe(a, cache)
    a_entry = entry_of(cache, {b_entry[0]})
    _plant(cache, a_entry, b_entry)
    return a, cache, a_entry


def test_a_planted_artifact_with_a_forged_record_runs_if_we_own_it(tmp_path):
    """The check is ownership and mode: a file of ours with a forged record is trusted (we
    could write it ourselves).  This shows the planting below works at all."""
    a, cache, _ = _planted(tmp_path)
    assert probe(a, cache)[0] == {"f": 666, "compiles": 0, "read_source": False}


def test_planted_world_writable_code_is_not_run(tmp_path):
    a, cache, (artifact, record) = _planted(tmp_path)
    os.chmod(artifact, 0o666)
    os.chmod(record, 0o666)
    result, err = probe(a, cache)
    assert (result["f"], result["compiles"]) == (1, 1), "another user's code ran"
    assert "writable by other users" in err


@as_root
def test_code_planted_by_another_user_is_not_run(tmp_path):
    """The reproduction: uid 65534 plants B's artifact under A's key with a forged record."""
    a, cache, (artifact, record) = _planted(tmp_path)
    os.chown(artifact, NOBODY, NOBODY)
    os.chown(record, NOBODY, NOBODY)
    result, err = probe(a, cache)
    assert (result["f"], result["compiles"]) == (1, 1), "another user's code ran"
    assert f"belongs to uid {NOBODY}" in err


def test_folders_it_makes_are_private_whatever_the_umask(tmp_path, monkeypatch):
    path = write(tmp_path, "a.wat", WAT_A)
    cache = tmp_path / "new" / "parents" / "cache"
    old = os.umask(0)
    try:
        assert fresh_load(path, cache, monkeypatch) == (1, 1, [])
    finally:
        os.umask(old)
    for folder in [tmp_path / "new", tmp_path / "new" / "parents", cache, cache / "v1",
                   cache / "v1" / "code", cache / "v1" / "src"]:
        assert folder.stat().st_mode & 0o777 == 0o700, folder
    assert fresh_load(path, cache, monkeypatch) == (1, 0, [])
