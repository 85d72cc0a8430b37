"""WASI preview 2 through wasmtime, only when granted (wasienv.wasm)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
import wasmtime

import wasmport
from wasmport._component import instantiate
from wasmport._errors import UnknownImportError

from .conftest import FIXTURES, CalcHost


def _config(**kw: Any) -> wasmtime.WasiConfig:
    config = wasmtime.WasiConfig()
    for key, value in kw.items():
        setattr(config, key, value)
    return config


def test_nothing_is_granted_by_default(new: Any) -> None:
    with pytest.raises(UnknownImportError) as raised:
        new("wasienv")
    assert "wasi:cli/environment@0.2.3" in str(raised.value)
    assert "grant WASI" in str(raised.value)


def test_env_and_args_through_wasi(new: Any) -> None:
    inst = new("wasienv", wasi=_config(env=[("A", "1"), ("B", "two")], argv=["prog", "x"]))
    assert inst.exports.env() == [("A", "1"), ("B", "two")]
    assert inst.exports.args() == ["prog", "x"]


def test_an_empty_config_grants_nothing_but_works(new: Any) -> None:
    inst = new("wasienv", wasi=wasmtime.WasiConfig())
    assert inst.exports.env() == [] and inst.exports.args() == []


def test_exit_is_a_trap_with_the_status(new: Any) -> None:
    inst = new("wasienv", wasi=wasmtime.WasiConfig())
    with pytest.raises(wasmport.Trap, match="exited with status 1") as raised:
        inst.exports.quit(False)
    assert isinstance(raised.value.__cause__, wasmtime.ExitTrap)
    assert raised.value.__cause__.code == 1


def test_wasi_http_needs_wasi_and_is_off_by_default(new: Any) -> None:
    host = {"test:calc/host": CalcHost(), "tick": lambda: 1}
    with pytest.raises(ValueError, match="wasi:http needs WASI"):
        new("calc", host, wasi_http=True)
    assert new("calc", host, wasi=wasmtime.WasiConfig(), wasi_http=True).exports.add(1, 1) == 2


def test_a_component_cannot_reach_wasi_without_a_store_context() -> None:
    """wasmtime-py aborts the process when WASI is linked but the store has none; here
    the two cannot come apart, so the worst outcome is a LinkError (checked in a child)."""
    path = str(FIXTURES / "wasienv" / "wasienv.wasm")
    script = f"""
import wasmtime
from wasmport._component import compile_component, instantiate
from wasmport._errors import LinkError
engine = wasmtime.Engine()
code = compile_component(engine, open({path!r}, "rb").read(), "w")
try:
    instantiate(wasmtime.Store(engine), code, {{}})
except LinkError:
    print("refused")
store = wasmtime.Store(engine)
inst = instantiate(store, code, {{}}, wasi=wasmtime.WasiConfig())
print(inst.exports.env())
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["refused", "[]"]
    assert done.stderr == ""


def test_wasi_replaces_the_store_context(engine: Any, code: Any) -> None:
    store = wasmtime.Store(engine)
    first = instantiate(store, code("wasienv"), {}, wasi=_config(argv=["one"]))
    assert first.exports.args() == ["one"]
    instantiate(store, code("wasienv"), {}, wasi=_config(argv=["two"]))
    assert first.exports.args() == ["two"]  # one WASI context per store
