"""Components in the module system: phases, identity, names, the code cache."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import wasmport

from .conftest import FIXTURES, CalcHost, wasm_tools

CALC_PATH = str(FIXTURES / "calc" / "calc.wasm")


def _copy(name: str, into: Path) -> Path:
    target = into / f"{name}.wasm"
    shutil.copy(FIXTURES / name / f"{name}.wasm", target)
    return target


@pytest.fixture
def calc_realm() -> Any:
    with wasmport.Realm(name="calc") as realm:
        realm.register("test:calc/host", CalcHost())
        realm.register("tick", lambda: 42)
        yield realm


def test_import_gives_the_instance_phase_with_root_exports_and_namespaces(
        modpath: Path) -> None:
    _copy("calc", modpath)
    wasmport.default_realm().register("test:calc/host", CalcHost())
    wasmport.default_realm().register("tick", lambda: 42)
    import calc  # type: ignore[import-not-found]
    assert calc.add(1, 2) == 3 and calc.now() == 42
    assert calc.api.echo("hé") == "hé"
    assert calc.api.div(7, 2) == 3
    with pytest.raises(wasmport.Err) as raised:
        calc.api.div(1, 0)
    assert raised.value.value == "division by zero"
    assert calc.host.Point(1, 2) == calc.api.Point(1, 2)  # the interface's types
    assert "add" in calc.__all__ and "api" in dir(calc)
    assert wasmport.load(str(modpath / "calc.wasm")) is calc
    with pytest.raises(AttributeError, match="read-only"):
        calc.add = None


def test_the_source_phase_is_one_component_per_realm(modpath: Path) -> None:
    _copy("calc", modpath)
    from wasmport.source import calc as Calc  # type: ignore[attr-defined]
    assert isinstance(Calc, wasmport.Component)
    assert wasmport.load(str(modpath / "calc.wasm"), phase="source") is Calc
    assert (Calc.name, Calc.path) == ("calc", str(modpath / "calc.wasm"))
    assert list(Calc.imports) == ["test:calc/host@0.1.0", "tick"]
    assert set(Calc.exports) == {"add", "now", "test:calc/api@0.1.0"}
    assert "export add: func(a: u32, b: u32) -> u32;" in Calc.wit
    first = Calc.instantiate({"test:calc/host": CalcHost(), "tick": lambda: 1})
    second = Calc.instantiate({"test:calc/host": CalcHost(), "tick": lambda: 2})
    assert first is not second and (first.now(), second.now()) == (1, 2)
    inst = wasmport.instance_of(first)
    assert inst.exports["test:calc/api@0.1.0"].echo("x") == "x" and not inst.poisoned


def test_compile_of_component_bytes_gives_a_component(calc_realm: wasmport.Realm) -> None:
    data = (FIXTURES / "calc" / "calc.wasm").read_bytes()
    comp = wasmport.compile(data, name="calc", realm=calc_realm)
    assert isinstance(comp, wasmport.Component) and comp.path is None
    assert comp.instantiate().add(2, 3) == 5
    assert "source component 'calc'" in repr(comp)


def test_identity_per_asset_and_phase_in_a_realm(calc_realm: wasmport.Realm,
                                                  tmp_path: Path) -> None:
    path = str(_copy("calc", tmp_path))
    one = calc_realm.load(path)
    assert calc_realm.load(path) is one
    assert calc_realm.load(path, phase="source") is calc_realm.load(path + "?source")
    assert calc_realm.load(path, imports={"tick": lambda: 5}) is not one
    with wasmport.Realm() as other:
        other.register("test:calc/host", CalcHost())
        other.register("tick", lambda: 9)
        assert other.load(path) is not one and other.load(path).now() == 9


COLLIDE = """package t:c@0.1.0;
interface api { f: func() -> u32; }
world w {
  export api; export other:p/api@0.2.0; export solo: func();
  export exports: interface { init: func(); }
}
"""
OTHER = "package other:p@0.2.0;\ninterface api { g: func(); }\n"


def _build(tmp_path: Path, files: dict[str, str], world: str) -> Path:
    wit = tmp_path / "wit"
    (wit / "deps" / "other").mkdir(parents=True)
    for name, text in files.items():
        (wit / name).write_text(text)
    tools = wasm_tools()
    subprocess.run([tools, "component", "embed", "--dummy", str(wit), "-w", world, "-o",
                    str(tmp_path / "e.wasm")], check=True)
    out = tmp_path / "collide.wasm"
    subprocess.run([tools, "component", "new", str(tmp_path / "e.wasm"), "-o", str(out)],
                   check=True)
    return out


def test_colliding_short_names_only_by_full_name_and_init_hidden(
        realm: wasmport.Realm, tmp_path: Path) -> None:
    path = _build(tmp_path, {"w.wit": COLLIDE, "deps/other/p.wit": OTHER}, "w")
    mod = realm.load(str(path))
    assert not hasattr(mod, "api") and not hasattr(mod, "exports")
    assert callable(mod.solo)
    full = wasmport.instance_of(mod).exports
    assert callable(full["t:c/api@0.1.0"].f) and callable(full["other:p/api@0.2.0"].g)
    assert "exports" not in realm.load(str(path), phase="source").exports
    with pytest.raises(AttributeError, match="has no member 'api'"):
        mod.api  # noqa: B018


def _records(cache: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in (cache / "v1" / "code").glob("*.json")]


WARM = """
import sys, time, wasmport
from wasmport._compile.assets import asset_for_file
t = time.perf_counter()
comp = wasmport.load(sys.argv[1], phase="source")
took = time.perf_counter() - t
print(asset_for_file(sys.argv[1]).compile_count(), comp.instantiate(
    {"test:calc/host": {"log": print, "add": lambda a, b: a + b, "offset": lambda p: p},
     "tick": lambda: 3}).now())
"""


def test_the_code_cache_keeps_components_under_their_own_kind(tmp_path: Path) -> None:
    path = str(_copy("calc", tmp_path))
    env = dict(os.environ, WASMPORT_CACHE_DIR=str(tmp_path / "cache"))
    runs = [subprocess.run([sys.executable, "-c", WARM, path], env=env, capture_output=True,
                           text=True, timeout=120) for _ in range(2)]
    assert [r.stdout.split() for r in runs] == [["1", "3"], ["0", "3"]], runs[0].stderr
    assert [r.stderr for r in runs] == ["", ""]  # exits cleanly with a live instance
    records = _records(tmp_path / "cache")
    assert [r["kind"] for r in records] == ["component"]
    assert isinstance(records[0]["extra"]["world"], str)  # the world is not read again


def test_a_damaged_world_in_the_record_is_read_again(calc_realm: wasmport.Realm) -> None:
    from wasmport._realm.component import BUILD, code_of
    code = code_of(calc_realm.load(CALC_PATH, phase="source"))
    fresh = BUILD.load(code.engine, code.serialize(), "calc.wasm", CALC_PATH)
    BUILD.restore(fresh, {"world": "not base64 pickle", "wasmport": wasmport.__version__})
    BUILD.restore(fresh, {"world": 3})
    assert fresh.world == code.world  # read from the component itself


def test_a_component_record_is_never_read_as_a_module(tmp_path: Path) -> None:
    import wasmtime

    from wasmport._compile.codecache import CodeCache
    from wasmport._engine.config import EngineConfig, get_engine
    path = str(_copy("calc", tmp_path))
    env = dict(os.environ, WASMPORT_CACHE_DIR=str(tmp_path / "cache"))
    subprocess.run([sys.executable, "-c", WARM, path], env=env, check=True, timeout=120,
                   capture_output=True)
    digest = _records(tmp_path / "cache")[0]["digest"]
    cache = CodeCache(str(tmp_path / "cache"))
    engine: wasmtime.Engine = get_engine(EngineConfig())
    assert cache.load(engine, EngineConfig().key(), digest) is None
    found = cache.load_with_extra(engine, EngineConfig().key(), digest, dict, "x",
                                  "component", lambda e, src: "loaded")
    assert found is not None and found[0] == "loaded" and "world" in found[1]


def test_invoke_on_a_component_takes_wave() -> None:
    values = str(FIXTURES / "values" / "values.wasm")
    done = subprocess.run([sys.executable, "-m", "wasmport", "run", values, "--invoke",
                           "echo.echo-u32(1)"], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (0, "1\n"), done.stderr
