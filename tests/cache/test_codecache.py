import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
import wasmtime

import wasmport
from wasmport._compile import assets as _assets
from wasmport._compile import codecache as _codecache
from wasmtest import write

WAT = '(module (func (export "f") (param i32) (result i32) local.get 0 i32.const 1 i32.add))'

PROBE = textwrap.dedent("""
    import json, sys, wasmport
    from wasmport._compile import assets as _assets
    mod = wasmport.load(sys.argv[1])
    asset = wasmport.instance_of(mod).module._asset
    print(json.dumps({"result": mod.f(41), "compiles": asset.compiles,
                      "read_source": asset._wasm is not None}))
""")


def run_probe(path: Path, cache_dir: Path, **env: str) -> dict:
    full_env = dict(os.environ, WASMPORT_CACHE_DIR=str(cache_dir), **env)
    out = subprocess.run([sys.executable, "-c", PROBE, str(path)], capture_output=True,
                         text=True, env=full_env, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    return json.loads(out.stdout)


def artifacts(cache_dir: Path) -> list[Path]:
    return sorted((cache_dir / "v1" / "code").glob("*.cwasm"))


def test_a_new_process_hits_without_reading_the_source(tmp_path):
    path = write(tmp_path, "hit.wat", WAT)
    cache = tmp_path / "cache"
    cold = run_probe(path, cache)
    warm = run_probe(path, cache)
    assert cold == {"result": 42, "compiles": 1, "read_source": True}
    assert warm == {"result": 42, "compiles": 0, "read_source": False}
    assert len(artifacts(cache)) == 1


def test_disabled_cache_writes_nothing(tmp_path):
    path = write(tmp_path, "off.wat", WAT)
    cache = tmp_path / "cache"
    assert run_probe(path, cache, WASMPORT_CACHE="0")["compiles"] == 1
    assert run_probe(path, cache, WASMPORT_CACHE="0")["compiles"] == 1
    assert not cache.exists()


def test_a_changed_source_is_recompiled(tmp_path):
    path = write(tmp_path, "changed.wat", WAT)
    cache = tmp_path / "cache"
    run_probe(path, cache)
    path.write_text(WAT.replace("i32.const 1", "i32.const 2"))
    assert run_probe(path, cache) == {"result": 43, "compiles": 1, "read_source": True}


@pytest.mark.parametrize("damage", ["truncate", "flip", "foreign", "empty"])
def test_damaged_artifacts_are_detected_and_rewritten(tmp_path, damage):
    path = write(tmp_path, "damaged.wat", WAT)
    cache = tmp_path / "cache"
    run_probe(path, cache)
    [artifact] = artifacts(cache)
    data = artifact.read_bytes()
    if damage == "truncate":
        artifact.write_bytes(data[: len(data) // 2])
    elif damage == "flip":
        middle = len(data) // 2
        artifact.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:])
    elif damage == "foreign":
        artifact.write_bytes(os.urandom(len(data)))
    else:
        artifact.write_bytes(b"")
    assert run_probe(path, cache)["compiles"] == 1  # detected: compiled again
    assert artifact.read_bytes() == data  # and rewritten
    assert run_probe(path, cache)["compiles"] == 0


def test_an_artifact_copied_back_unchanged_is_verified_and_used(tmp_path):
    path = write(tmp_path, "copied.wat", WAT)
    cache = tmp_path / "cache"
    run_probe(path, cache)
    [artifact] = artifacts(cache)
    data = artifact.read_bytes()
    artifact.unlink()
    artifact.write_bytes(data)  # new inode and ctime, same bytes: hashed, then trusted
    assert run_probe(path, cache)["compiles"] == 0


def test_a_record_for_another_wasmtime_is_a_miss(tmp_path):
    path = write(tmp_path, "version.wat", WAT)
    cache = tmp_path / "cache"
    run_probe(path, cache)
    [meta] = sorted((cache / "v1" / "code").glob("*.json"))
    record = json.loads(meta.read_text())
    record["wasmtime"] = "49.0.0"
    meta.write_text(json.dumps(record))
    assert run_probe(path, cache)["compiles"] == 1


def test_a_world_writable_directory_is_refused(tmp_path, monkeypatch):
    cache = tmp_path / "shared-cache"
    (cache / "v1").mkdir(parents=True)
    os.chmod(cache / "v1", 0o777)
    monkeypatch.setenv("WASMPORT_CACHE_DIR", str(cache))
    asset = _assets.asset_from_bytes(bytes(wasmtime.wat2wasm(WAT)), name="refused")
    with pytest.warns(_codecache.CacheRefused, match="writable by other users"):
        with wasmport.Realm() as realm:
            assert wasmport.Module(asset, realm).instantiate().f(1) == 2
    assert not list((cache / "v1").rglob("*.cwasm"))


def test_an_unusable_directory_is_bypassed(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("WASMPORT_CACHE_DIR", str(blocker))
    path = write(tmp_path, "bypass.wat", WAT)
    with pytest.warns(_codecache.CacheRefused):
        with wasmport.Realm() as realm:
            assert wasmport.load(str(path), realm=realm).f(0) == 1


def test_concurrent_writers_leave_one_valid_artifact(tmp_path):
    cache = _codecache.CodeCache(str(tmp_path / "cache"))
    engine = wasmport._engine.config.get_engine()
    wasm = bytes(wasmtime.wat2wasm(WAT))
    modules = [wasmtime.Module(engine, wasm) for _ in range(6)]
    threads = [threading.Thread(target=cache.store, args=("k", "digest", m)) for m in modules]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(list((tmp_path / "cache" / "v1" / "code").glob("*.cwasm"))) == 1
    assert not list((tmp_path / "cache" / "v1" / "code").glob(".tmp-*"))
    loaded = cache.load(engine, "k", "digest")
    assert loaded is not None


def test_concurrent_processes_share_the_cache(tmp_path):
    path = write(tmp_path, "many.wat", WAT)
    cache = tmp_path / "cache"
    env = dict(os.environ, WASMPORT_CACHE_DIR=str(cache))
    procs = [subprocess.Popen([sys.executable, "-c", PROBE, str(path)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env) for _ in range(4)]
    results = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), results
    assert all(json.loads(out)["result"] == 42 and err == "" for out, err in results)
    assert run_probe(path, cache)["compiles"] == 0


def test_info_and_clear(tmp_path):
    path = write(tmp_path, "info.wat", WAT)
    cache_dir = tmp_path / "cache"
    run_probe(path, cache_dir)
    cache = _codecache.CodeCache(str(cache_dir))
    info = cache.info()
    assert info["entries"] == 1 and info["bytes"] > 0 and info["refused"] is None
    assert cache.clear() >= 3  # artifact, its record, the source record
    assert cache.info()["entries"] == 0
