"""Realm(features=...): the WebAssembly proposals wasmtime 50 has behind a Config flag."""

from __future__ import annotations

import pytest

import wasmport

SHARED = '(module (memory (export "m") 1 2 shared) (func (export "add") (param i32) (result i32)' \
         ' (i32.atomic.rmw.add (i32.const 0) (local.get 0))))'
PAGES = '(module (memory (export "m") 3 (pagesize 1)))'


def test_threads_turn_shared_memories_on():
    with wasmport.Realm(features={"threads"}) as realm:
        mod = wasmport.compile(SHARED, realm=realm).instantiate()
        assert mod.add(5) == 0 and mod.add(1) == 5
        assert mod.m.shared and mod.m.read(0, 4) == b"\x06\x00\x00\x00"
        memory = wasmport.Memory(1, 4, shared=True, realm=realm)
        importer = wasmport.compile('(module (import "env" "m" (memory 1 4 shared)))',
                                    realm=realm)
        assert importer.instantiate({"env": {"m": memory}}) is not None
        assert memory.grow(1) == 1 and memory.pages == 2


def test_without_the_feature_a_shared_memory_is_a_link_error(realm):
    with pytest.raises(wasmport.LinkError, match="features"):
        wasmport.compile(SHARED, realm=realm).instantiate()
    with pytest.raises(ValueError, match="shared"):
        wasmport.Memory(1, 2, shared=True, realm=realm)


def test_custom_page_sizes():
    with pytest.raises(wasmport.CompileError):
        wasmport.compile(PAGES)
    with wasmport.Realm(features={"custom_page_sizes"}) as realm:
        assert len(wasmport.compile(PAGES, realm=realm).instantiate().m) == 3


def test_features_are_part_of_the_engine_configuration():
    with wasmport.Realm(features={"threads", "wide_arithmetic"}) as realm, \
            wasmport.Realm() as plain:
        assert realm.features == frozenset({"threads", "wide_arithmetic"})
        assert realm.engine_config != plain.engine_config
        assert realm.engine_config.key().endswith(",threads,wide_arithmetic")
        assert realm.child().features == realm.features


@pytest.mark.parametrize(("features", "error"), [
    ({"gc"}, ValueError), ("threads", TypeError), ({"threads", "nope"}, ValueError)])
def test_unknown_features_are_refused(features, error):
    with pytest.raises(error):
        wasmport.Realm(features=features)
