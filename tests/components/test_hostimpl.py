"""Host implementations of a component's imports, resolved the realm's way."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

import wasmport
from wasmport._link.components import plan_component_imports
from wasmport._realm import link_view

from .conftest import FIXTURES, CalcHost

CALC = str(FIXTURES / "calc" / "calc.wasm")
CALCHOST = str(FIXTURES / "calchost" / "calchost.wasm")


def test_explicit_imports_with_or_without_the_version(realm: wasmport.Realm) -> None:
    host = CalcHost()
    one = realm.load(CALC, imports={"test:calc/host@0.1.0": host, "tick": lambda: 1})
    two = realm.load(CALC, imports={"test:calc/host": host, "tick": lambda: 2})
    one.api.greet("a")
    two.api.greet("b")
    assert host.logged == ["a", "b"] and two.now() == 2


def test_the_import_map_and_register_and_explicit_wins() -> None:
    first, second = CalcHost(), CalcHost()
    with wasmport.Realm(import_map={"test:calc/host": first}) as realm:
        realm.register("tick", lambda: 7)
        mod = realm.load(CALC)
        mod.api.greet("map")
        assert first.logged == ["map"] and mod.now() == 7
        mine = realm.load(CALC, imports={"test:calc/host": second})
        mine.api.greet("mine")
        assert second.logged == ["mine"] and mine.now() == 7


def test_the_import_map_wins_over_registered() -> None:
    mapped, registered = CalcHost(), CalcHost()
    with wasmport.Realm(import_map={"test:calc/host": mapped}) as realm:
        realm.register("test:calc/host@0.1.0", registered)
        realm.load(CALC, imports={"tick": lambda: 1}).api.greet("x")
        assert mapped.logged and not registered.logged


def test_a_python_module_only_if_it_opts_in(realm: wasmport.Realm, tmp_path: Path,
                                            isolated_imports: None) -> None:
    (tmp_path / "hostmod.py").write_text(
        "__wasm_exports__ = ['log', 'add', 'offset']\nseen = []\n"
        "def log(msg): seen.append(msg)\ndef add(a, b): return a + b + 100\n"
        "def offset(p): return p\n")
    (tmp_path / "closed.py").write_text(
        "def log(msg): pass\ndef add(a, b): return 0\ndef offset(p): return p\n")
    sys.path.insert(0, str(tmp_path))
    import closed  # type: ignore[import-not-found]
    import hostmod  # type: ignore[import-not-found]
    mod = realm.load(CALC, imports={"test:calc/host": hostmod, "tick": lambda: 1})
    assert mod.api.call_add(1, 2) == 103
    with pytest.raises(wasmport.ImportRefusedError, match="__wasm_exports__"):
        realm.load(CALC, imports={"test:calc/host": closed, "tick": lambda: 1})


def test_another_components_export_satisfies_an_import(realm: wasmport.Realm,
                                                       tmp_path: Path) -> None:
    provider = realm.load(CALCHOST)
    mod = realm.load(CALC, imports={"test:calc/host": provider, "tick": lambda: 1})
    assert mod.api.call_add(1, 2) == 1003
    mod.api.greet("x")
    assert provider.logged() == 1
    shutil.copy(CALCHOST, tmp_path / "calchost.wasm")
    shutil.copy(CALC, tmp_path / "calc.wasm")
    with wasmport.Realm(import_map={"test:calc/host": "./calchost.wasm"},
                        base_dir=str(tmp_path)) as mapped:
        assert mapped.load(str(tmp_path / "calc.wasm"),
                           imports={"tick": lambda: 1}).api.call_add(2, 2) == 1004


def test_missing_import_names_it_and_the_remedy(realm: wasmport.Realm) -> None:
    with pytest.raises(wasmport.UnknownImportError) as raised:
        realm.load(CALC, imports={"test:calc/host": CalcHost()})
    assert "import 'tick' (a function) is not provided" in str(raised.value)
    assert "imports={'tick': a callable taking ()}" in str(raised.value)
    with pytest.raises(wasmport.LinkError, match="realm.register"):
        realm.load(CALC, imports={"tick": lambda: 1})


class NoAdd:
    def log(self, msg: str) -> None: ...
    def offset(self, p: Any) -> Any: ...


class BadArity(NoAdd):
    def add(self, a: int) -> int:
        return a


@pytest.mark.parametrize(("impl", "fact"), [(NoAdd(), "has no function add()"),
                                            (BadArity(), "add() does not take 2 arguments")])
def test_a_wrong_implementation_is_a_link_error_naming_interface_and_function(
        realm: wasmport.Realm, impl: Any, fact: str) -> None:
    with pytest.raises(wasmport.IncompatibleImportError) as raised:
        realm.load(CALC, imports={"test:calc/host": impl, "tick": lambda: 1})
    text = str(raised.value)
    assert "'test:calc/host@0.1.0'" in text and "function 'add'" in text and fact in text
    assert "define add(a, b)" in text


def test_a_resource_class_missing_is_a_link_error(realm: wasmport.Realm) -> None:
    path = str(FIXTURES / "resources" / "resources.wasm")
    with pytest.raises(wasmport.LinkError, match="has no class Blob"):
        realm.load(path, imports={"test:res/host": object()})


def test_a_host_exception_reaches_the_caller_as_the_same_object(
        realm: wasmport.Realm) -> None:
    boom = KeyError("mine")
    host = CalcHost()
    host.add = lambda a, b: (_ for _ in ()).throw(boom)  # type: ignore[method-assign]
    mod = realm.load(CALC, imports={"test:calc/host": host, "tick": lambda: 1})
    with pytest.raises(KeyError) as raised:
        mod.api.call_add(1, 2)
    assert raised.value is boom


def test_the_dry_run_says_where_each_import_comes_from(realm: wasmport.Realm) -> None:
    realm.register("tick", lambda: 1)
    comp = realm.load(CALC, phase="source")
    ctx, policy, _lock = link_view(realm)
    plan = plan_component_imports(policy, lambda *a: None, comp.imports, {}, comp.where,
                                  False)
    assert [(r.name, r.by, type(r.error).__name__) for r in plan] == [
        ("test:calc/host@0.1.0", None, "UnknownImportError"), ("tick", "registered",
                                                               "NoneType")]


def test_wasmport_check_runs_the_same_resolution_making_nothing(tmp_path: Path) -> None:
    shutil.copy(CALCHOST, tmp_path / "calchost.wasm")
    with wasmport.Realm(import_map={"test:calc/host": "./calchost.wasm"},
                        base_dir=str(tmp_path)) as realm:
        report = wasmport.check(CALC, realm=realm)
        assert [(i.module, i.by, i.ok) for i in report.imports] == [
            ("test:calc/host@0.1.0", "import map", True), ("tick", None, False)]
        assert report.imports[1].type == "tick: func() -> u32"
        assert realm.load(str(tmp_path / "calchost.wasm"), phase="source") is not None
        realm.register("tick", lambda: 1)
        assert wasmport.check(CALC, realm=realm).ok
        realm.register("test:calc/host", NoAdd())
        with wasmport.Realm() as bare:
            bare.register("test:calc/host", NoAdd())
            bare.register("tick", lambda: 1)
            (line,) = wasmport.check(CALC, realm=bare).problems
        assert "function 'add'" in line and "define add(a, b)" in line


def test_a_core_module_cannot_implement_an_interface(realm: wasmport.Realm) -> None:
    core = wasmport.compile('(module (func (export "log") (param i32)))',
                            realm=realm).instantiate()
    with pytest.raises(wasmport.IncompatibleImportError, match="core wasm module"):
        realm.load(CALC, imports={"test:calc/host": core, "tick": lambda: 1})
