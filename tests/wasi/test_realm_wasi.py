"""WASI as a realm's host module: per realm, per load and per instantiate; the
allow-list policy; reactors as libraries."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import pytest

import wasmport
from wasmport import ImportRefusedError, UnknownImportError, WasiConfig

from .conftest import program


@pytest.fixture
def wasi_realm() -> Iterator[wasmport.Realm]:
    with wasmport.Realm(name="plugins", wasi=WasiConfig(env={"A": "1", "B": "2"})) as realm:
        yield realm


def test_without_wasi_the_link_error_names_the_setting() -> None:
    with wasmport.Realm(name="bare") as realm, pytest.raises(UnknownImportError) as info:
        realm.load(program("hello"))
    message = str(info.value)
    assert "WASI is not enabled in realm 'bare'" in message
    assert "Realm(wasi=wasmport.WasiConfig(...))" in message
    assert info.value.module == "wasi_snapshot_preview1"


def test_a_reactor_is_a_library_in_a_wasi_realm(wasi_realm: wasmport.Realm, reactor_path: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    lib = wasi_realm.load(reactor_path)
    assert lib.initialized == 1  # _initialize ran
    assert lib.greet() == 0  # errno 0
    assert lib.greet() == 0
    assert capsys.readouterr().out == "hello from a reactor\n" * 2
    assert lib.env_count() == 2


def test_wasi_functions_are_a_host_module_of_the_realm(wasi_realm: wasmport.Realm) -> None:
    provider = wasi_realm._policy.wasi_for("wasi_snapshot_preview1")
    assert "fd_write" in provider and len(provider) == len(list(provider))
    assert provider["fd_write"].params == ("i32", "i32", "i32", "i32")
    with pytest.raises(KeyError):
        provider["no_such_function"]


def test_a_registered_host_module_wins_over_wasi(reactor_path: str) -> None:
    calls = []

    def fd_write(fd: int, iovs: int, count: int, out: int) -> int:
        calls.append(fd)
        return 52  # ENOSYS

    with wasmport.Realm(wasi=WasiConfig()) as realm:
        realm.register("wasi_snapshot_preview1",
                       {"fd_write": fd_write, "environ_sizes_get": lambda a, b: 0})
        lib = realm.load(reactor_path)
        assert lib.greet() == 52 and calls == [1]


def test_load_with_wasi_uses_a_child_realm(reactor_path: str) -> None:
    out = io.BytesIO()
    config = WasiConfig(stdout=out)
    with wasmport.Realm(name="host") as realm:
        lib = wasmport.load(reactor_path, realm=realm, wasi=config)
        assert wasmport.load(reactor_path, realm=realm, wasi=config) is lib  # same child
        other = wasmport.load(reactor_path, realm=realm, wasi=WasiConfig(stdout="discard"))
        assert other is not lib
        lib.greet()
        assert out.getvalue() == b"hello from a reactor\n"
        owner = wasmport.instance_of(lib).realm
        assert owner is not realm and owner.wasi == config and realm.wasi is None
        with pytest.raises(UnknownImportError):
            realm.load(reactor_path)  # the parent itself still has no WASI
    assert owner.closed  # closing the parent closes its children


def test_instantiate_with_wasi(reactor_path: str) -> None:
    source = wasmport.load(reactor_path + "?source")
    out = io.BytesIO()
    lib = source.instantiate(wasi=WasiConfig(stdout=out))
    lib.greet()
    assert out.getvalue() == b"hello from a reactor\n"


def test_capture_is_only_for_run() -> None:
    with pytest.raises(ValueError, match="io.BytesIO"):
        wasmport.Realm(wasi=WasiConfig(stdout="capture"))


def test_run_uses_the_realms_wasi_config(capsys: pytest.CaptureFixture[str]) -> None:
    with wasmport.Realm(wasi=WasiConfig(args=["x"], env={"K": "V"})) as realm:
        result = wasmport.run(program("echo"), realm=realm, capture_output=True)
    assert result.stdout == b"argv[0]=echo.wasm\nargv[1]=x\nenv:K=V\n"


def test_allow_imports_refuses_other_modules(tmp_path: object, reactor_path: str) -> None:
    importer = wasmport.compile('(module (import "env" "f" (func)) '
                                '(import "other" "g" (func)))', name="plugin")
    env = {"f": lambda: None}
    with wasmport.Realm(name="sandbox", allow_imports=["env"],
                        host_modules={"env": env, "other": env}) as realm:
        with pytest.raises(ImportRefusedError) as info:
            importer.instantiate(realm=realm)
    message = str(info.value)
    assert "realm 'sandbox' does not allow imports from 'other'" in message
    assert "allow_imports" in message
    assert isinstance(info.value, wasmport.LinkError) and info.value.module == "other"


def test_allow_imports_admits_listed_names_and_configured_wasi(reactor_path: str) -> None:
    ok = wasmport.compile('(module (import "env" "f" (func (result i32))) '
                          '(func (export "g") (result i32) (call 0)))', name="plugin")
    with wasmport.Realm(allow_imports=["env"], host_modules={"env": {"f": lambda: 5}},
                        wasi=WasiConfig(stdout="discard")) as realm:
        assert ok.instantiate(realm=realm).g() == 5
        assert realm.load(reactor_path).greet() == 0  # WASI granted by wasi=, not the list


def test_an_empty_allow_list_refuses_every_import() -> None:
    needy = wasmport.compile('(module (import "env" "f" (func)))', name="needy")
    with wasmport.Realm(allow_imports=()) as realm, pytest.raises(ImportRefusedError):
        needy.instantiate({"env": {"f": lambda: None}}, realm=realm)


def test_interpreter_exit_after_wasi_output_is_clean(reactor_path: str) -> None:
    # Output callbacks run on engine threads; none may be left to run during shutdown.
    code = textwrap.dedent(f"""
        import wasmport
        realm = wasmport.Realm(wasi=wasmport.WasiConfig())
        realm.load({reactor_path!r}).greet()
        wasmport.run({program("hello")!r})
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == b"hello from a reactor\nhello from wasi\n"
    assert done.stderr == b""


def test_an_output_error_in_a_library_call_reaches_its_caller(reactor_path: str) -> None:
    class Full:
        mode = "wb"

        def write(self, data: bytes) -> int:
            raise problem

        def flush(self) -> None:
            pass

    problem = OSError("no space left")
    with wasmport.Realm(wasi=WasiConfig(stdout=Full())) as realm:
        lib = realm.load(reactor_path)
        with pytest.raises(OSError) as info:
            lib.greet()
        assert info.value is problem
        assert lib.env_count() == 0  # the error was reported once; the realm goes on
