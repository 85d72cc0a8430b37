"""Limits, traps and the blast radius of components, through the public API."""

from __future__ import annotations

from typing import Any

import pytest

import wasmport
from wasmport import Limits

from .conftest import FIXTURES, CalcHost

CALC = str(FIXTURES / "calc" / "calc.wasm")
VALUES = str(FIXTURES / "values" / "values.wasm")
HOST: dict[str, Any] = {"tick": lambda: 1}


def _calc(realm: wasmport.Realm) -> Any:
    return realm.load(CALC, imports={**HOST, "test:calc/host": CalcHost()})


def test_fuel_is_per_call_and_a_spent_instance_is_poisoned() -> None:
    with wasmport.Realm(limits=Limits(fuel=200_000)) as realm:
        mod = _calc(realm)
        assert mod.api.spin(100) == mod.api.spin(100)  # each call gets a fresh budget
        with pytest.raises(wasmport.ResourceLimitError) as raised:
            mod.api.spin(10**12)
        assert raised.value.limit == "fuel" and "api.spin()" in str(raised.value)
        with pytest.raises(wasmport.InstancePoisonedError, match="instantiate the component"):
            mod.api.spin(1)
        assert wasmport.instance_of(mod).poisoned
        assert _calc(realm).api.spin(10) == 10  # a new instance of it works


def test_a_timeout_stops_a_call() -> None:
    with wasmport.Realm(limits=Limits(timeout=0.2)) as realm:
        mod = _calc(realm)
        with pytest.raises(wasmport.ResourceLimitError) as raised:
            mod.api.spin(10**14)
        assert raised.value.limit == "timeout"


def test_max_instances_counts_component_instances() -> None:
    with wasmport.Realm(limits=Limits(max_instances=2)) as realm:
        kept = [_calc(realm), _calc(realm)]
        with pytest.raises(wasmport.ResourceLimitError) as raised:
            _calc(realm)
        assert raised.value.limit == "max_instances" and len(kept) == 2


def test_max_memory_refuses_growth_as_a_resource_limit_error() -> None:
    with wasmport.Realm(limits=Limits(max_memory=1 << 20)) as realm:
        mod = realm.load(VALUES)
        assert mod.echo.echo_bytes(b"x" * 1000) == b"x" * 1000
        with pytest.raises(wasmport.ResourceLimitError, match="beyond end of memory") as raised:
            mod.echo.echo_bytes(b"x" * (2 << 20))
        assert (raised.value.limit, raised.value.value) == ("max_memory", 1 << 20)
        assert isinstance(raised.value, wasmport.Trap)  # as core's


def test_a_trap_is_confined_to_its_instance(realm: wasmport.Realm) -> None:
    one, two = _calc(realm), _calc(realm)
    core = wasmport.compile('(module (func (export "inc") (param i32) (result i32) '
                            'local.get 0 i32.const 1 i32.add))', realm=realm).instantiate()
    with pytest.raises(wasmport.Trap) as raised:
        one.api.boom()
    assert raised.value.code is not None and not isinstance(
        raised.value, wasmport.InstancePoisonedError)
    with pytest.raises(wasmport.InstancePoisonedError) as poisoned:
        one.add(1, 2)
    assert poisoned.value.cause is raised.value
    assert two.add(1, 2) == 3 and not wasmport.instance_of(two).poisoned
    assert realm.load(CALC, phase="source").instantiate(HOST | {
        "test:calc/host": CalcHost()}).add(2, 2) == 4
    assert core.inc(1) == 2  # the realm's core modules are not touched


def test_a_host_exception_poisons_only_its_instance(realm: wasmport.Realm) -> None:
    host = CalcHost()
    host.add = lambda a, b: 1 // 0  # type: ignore[method-assign]
    bad = realm.load(CALC, imports={**HOST, "test:calc/host": host})
    good = _calc(realm)
    with pytest.raises(ZeroDivisionError):
        bad.api.call_add(1, 2)
    with pytest.raises(wasmport.InstancePoisonedError):
        bad.api.echo("x")
    assert good.api.call_add(1, 2) == 3


def test_a_bad_host_value_poisons_but_a_bad_argument_does_not(realm: wasmport.Realm) -> None:
    host = CalcHost()
    host.add = lambda a, b: -1  # type: ignore[method-assign]
    bad = realm.load(CALC, imports={**HOST, "test:calc/host": host})
    with pytest.raises(OverflowError, match="returned value"):
        bad.api.call_add(1, 2)
    assert wasmport.instance_of(bad).poisoned
    mod = _calc(realm)
    with pytest.raises(OverflowError, match="parameter a"):
        mod.add(-1, 2)
    with pytest.raises(TypeError, match="parameter b"):
        mod.add(1, "2")
    assert mod.add(1, 2) == 3 and not wasmport.instance_of(mod).poisoned


def test_a_closed_realms_component_instances_refuse_calls() -> None:
    realm = wasmport.Realm()
    mod = _calc(realm)
    counter = realm.load(str(FIXTURES / "resources" / "resources.wasm"),
                         imports={"test:res/host": _NoBlob}).api.Counter(1)
    assert mod.add(1, 2) == 3
    realm.close()
    with pytest.raises(wasmport.RealmClosedError, match="realm 'realm' is closed"):
        mod.add(1, 2)
    with pytest.raises(wasmport.RealmClosedError):
        counter.get()


class _NoBlob:
    class Blob:
        def __init__(self, data: bytes) -> None:
            self.data = data

        def size(self) -> int:
            return len(self.data)

        def append(self, more: bytes) -> None:
            self.data += more

        @staticmethod
        def concat(a: Any, b: Any) -> Any:
            return _NoBlob.Blob(a.data + b.data)


def test_limits_of_one_load_or_instantiate(realm: wasmport.Realm) -> None:
    imports = {**HOST, "test:calc/host": CalcHost()}
    limited = realm.load(CALC, imports=imports, limits=Limits(fuel=50_000))
    with pytest.raises(wasmport.ResourceLimitError):
        limited.api.spin(10**9)
    comp = realm.load(CALC, phase="source")
    assert comp.instantiate(imports).api.spin(10**5) == 10**5  # the realm's: unlimited
    timed = comp.instantiate(imports, limits=Limits(timeout=0.1))
    with pytest.raises(wasmport.ResourceLimitError, match="ran out of time"):
        timed.api.spin(10**14)
    with wasmport.Realm(limits=Limits(fuel=10_000)) as other:
        moved = comp.instantiate(imports, realm=other)
        with pytest.raises(wasmport.ResourceLimitError, match="realm 'realm'"):
            moved.api.spin(10**9)
