"""WASI preview 2 for components: a realm's WasiConfig applies, nothing by default."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import wasmport

from .conftest import FIXTURES, CalcHost
from .test_pyguest import GUEST, Host

WASIENV = str(FIXTURES / "wasienv" / "wasienv.wasm")


def test_nothing_is_granted_by_default(realm: wasmport.Realm) -> None:
    with pytest.raises(wasmport.UnknownImportError, match="grant WASI"):
        realm.load(WASIENV)


def test_the_wasmtime_abort_without_a_wasi_context_is_unreachable() -> None:
    """A component calling WASI in a store without a WASI context aborts wasmtime-py's
    process; through a realm the worst is a LinkError (in a child, in case it aborts)."""
    script = f"""
import wasmport
for realm in (wasmport.Realm(), wasmport.Realm(limits=wasmport.Limits(fuel=10**6))):
    try:
        realm.load({WASIENV!r})
    except wasmport.LinkError:
        print("refused")
mod = wasmport.Realm(wasi=wasmport.WasiConfig()).load({WASIENV!r})
print(mod.env(), mod.args())
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["refused", "refused", "[]", "['realm']"]


def test_args_and_env_of_the_realm() -> None:
    config = wasmport.WasiConfig(args=["-v"], env={"A": "1"}, argv0="prog")
    with wasmport.Realm(wasi=config) as realm:
        mod = realm.load(WASIENV)
        assert mod.env() == [("A", "1")] and mod.args() == ["prog", "-v"]
    with wasmport.Realm(wasi=wasmport.WasiConfig()) as realm:
        assert realm.load(WASIENV).env() == []


def test_a_load_with_its_own_wasi(realm: wasmport.Realm) -> None:
    mod = realm.load(WASIENV, wasi=wasmport.WasiConfig(env={"B": "2"}))
    assert mod.env() == [("B", "2")]


def test_wasi_http_only_when_asked() -> None:
    with pytest.raises(TypeError, match="http"):
        wasmport.WasiConfig(http="yes")  # type: ignore[arg-type]
    assert wasmport.WasiConfig().http is False
    with wasmport.Realm(wasi=wasmport.WasiConfig(http=True)) as realm:
        mod = realm.load(str(FIXTURES / "calc" / "calc.wasm"),
                         imports={"test:calc/host": CalcHost(), "tick": lambda: 1})
        assert mod.add(1, 1) == 2


needs_guest = pytest.mark.skipif(not GUEST.exists(), reason=f"{GUEST} is not built: run "
                                 "scripts/build-componentize-py")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    (tmp_path / "hello.txt").write_text("hi from a file")
    return tmp_path


def _guest(config: wasmport.WasiConfig) -> Any:
    realm = wasmport.Realm(wasi=config)
    return realm, realm.load(str(GUEST), imports={"test:pyguest/host": Host})


@needs_guest
def test_a_python_guest_sees_env_and_preopened_files(data: Path) -> None:
    realm, mod = _guest(wasmport.WasiConfig(env={"GREETING": "hello"},
                                            preopens={"/data": str(data)}))
    with realm:
        assert mod.api.read_env("GREETING") == "hello"
        assert mod.api.read_file("/data/hello.txt") == "hi from a file"
        with pytest.raises(wasmport.Err, match="FileNotFoundError"):
            mod.api.read_file("/etc/passwd")


@needs_guest
def test_a_python_guest_without_grants_sees_nothing(data: Path) -> None:
    realm, mod = _guest(wasmport.WasiConfig())
    with realm:
        assert mod.api.read_env("HOME") is None
        with pytest.raises(wasmport.Err):
            mod.api.read_file(str(data / "hello.txt"))


def test_threads_sharing_a_wasi_instance_are_refused_not_crashed() -> None:
    """Calls with WASI release the GIL; an overlapping call from another thread is a
    Trap saying the instance is not reentrant, and the instance stays usable."""
    script = f"""
import threading, wasmport
mod = wasmport.Realm(wasi=wasmport.WasiConfig(env={{"A": "1"}})).load({WASIENV!r})
kinds = set()
def work():
    for _ in range(3000):
        try:
            assert mod.env() == [("A", "1")]
        except wasmport.Trap as err:
            kinds.add("reentrant" if "not reentrant" in str(err) else str(err))
threads = [threading.Thread(target=work) for _ in range(3)]
[t.start() for t in threads]
[t.join() for t in threads]
print(sorted(kinds) <= ["reentrant"], wasmport.instance_of(mod).poisoned, mod.env())
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().split(maxsplit=2) == ["True", "False", "[('A', '1')]"]
