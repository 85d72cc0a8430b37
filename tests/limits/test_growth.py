"""Long-lived realms do not grow without bound where the engine lets go (issue 11, item
14; the RSS figures come from bench/rss_growth.py): a per-load configuration's child
realm lives only as long as a value of it, and the engine's cap of instances per store is
a ResourceLimitError saying so."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest

import wasmport
from wasmport import Limits, Realm, ResourceLimitError

SEVEN = '(module (memory (export "m") 1) (func (export "f") (result i32) i32.const 7))'


@pytest.fixture
def seven(tmp_path: Path) -> str:
    path = tmp_path / "seven.wat"
    path.write_text(SEVEN)
    return str(path)


def test_a_child_realm_nobody_uses_is_freed(seven: str) -> None:
    with Realm() as realm:
        children = []
        for i in range(200):  # a distinct configuration each: a child realm each
            mod = realm.load(seven, limits=Limits(fuel=10**6 + i))
            assert mod.f() == 7
            children.append(weakref.ref(wasmport.instance_of(mod).realm))
            del mod
        gc.collect()
        assert sum(ref() is not None for ref in children) == 0


def test_a_child_realm_lives_while_its_values_do_and_closes_with_its_parent(
        seven: str) -> None:
    realm = Realm()
    mod = realm.load(seven, limits=Limits(fuel=10**6))
    memory = mod.m
    del mod
    gc.collect()
    again = realm.load(seven, limits=Limits(fuel=10**6))  # the same child, shared
    assert again.f() == 7 and len(memory) == 65536
    realm.close()
    with pytest.raises(wasmport.RealmClosedError):
        again.f()
    with pytest.raises(wasmport.RealmClosedError):
        memory.read(0, 1)


def test_the_engines_cap_of_instances_per_store_is_a_resource_limit_error() -> None:
    with Realm() as realm:
        module = wasmport.compile("(module)", realm=realm)
        made = 0
        with pytest.raises(ResourceLimitError, match="the engine's cap per store") as raised:
            for _ in range(10_001):
                module.instantiate()
                made += 1
        assert made == 10_000 and raised.value.limit == "max_instances"
