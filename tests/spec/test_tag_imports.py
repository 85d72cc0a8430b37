"""Tag imports (exception handling): found by the spec suite (imports.wast, instance.wast),
where any module importing a tag failed with "tagtype imports are not supported"."""

from __future__ import annotations

import pytest

import wasmport

THROWER = """(module
  (tag $e (export "e") (param i32))
  (tag (export "plain"))
  (func (export "throw") (param i32) (throw $e (local.get 0))))"""

CATCHER = """(module
  (import "lib" "e" (tag $e (param i32)))
  (import "lib" "throw" (func $throw (param i32)))
  (func (export "catch") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (call $throw (local.get 0)))
      (i32.const -1))))"""


def _thrower(realm: wasmport.Realm) -> wasmport.Instance:
    inst = wasmport.compile(THROWER, name="lib", realm=realm).instantiate()
    return wasmport.instance_of(inst)


def test_imported_tag_catches_what_the_exporter_throws(realm: wasmport.Realm) -> None:
    lib = _thrower(realm)
    tag = lib.exports["e"]
    assert isinstance(tag, wasmport.Tag)
    assert tag.type == "tag (i32)"
    catcher = wasmport.compile(CATCHER, realm=realm).instantiate({"lib": lib.exports})
    assert catcher.catch(41) == 41


def test_tag_of_another_type_is_incompatible(realm: wasmport.Realm) -> None:
    lib = _thrower(realm)
    wrong = dict(lib.exports, e=lib.exports["plain"])
    with pytest.raises(wasmport.IncompatibleImportError) as info:
        wasmport.compile(CATCHER, name="catcher", realm=realm).instantiate({"lib": wrong})
    assert str(info.value) == ('<catcher>: import "lib"."e": expected tag (i32), found tag (); '
                               "export a tag of type tag (i32)")


@pytest.mark.parametrize("value", [7, None, "e"])
def test_non_tag_values_are_incompatible(realm: wasmport.Realm, value: object) -> None:
    lib = _thrower(realm)
    with pytest.raises(wasmport.IncompatibleImportError, match="give a wasmport.Tag"):
        wasmport.compile(CATCHER, realm=realm).instantiate({"lib": dict(lib.exports, e=value)})


def test_tag_of_another_realm_is_incompatible(realm: wasmport.Realm) -> None:
    with wasmport.Realm() as other:
        foreign = _thrower(other).exports["e"]
        lib = _thrower(realm)
        with pytest.raises(wasmport.IncompatibleImportError, match="of another realm"):
            wasmport.compile(CATCHER, realm=realm).instantiate(
                {"lib": dict(lib.exports, e=foreign)})


def test_a_tag_made_in_python_is_imported_by_type(realm: wasmport.Realm) -> None:
    lib = _thrower(realm)
    made = wasmport.Tag(["i32"], realm=realm)
    assert made.type == "tag (i32)" and made != lib.exports["e"]
    text = '(module (import "lib" "e" (tag (param i32))))'
    assert wasmport.compile(text, realm=realm).instantiate({"lib": {"e": made}}) is not None
    with pytest.raises(wasmport.IncompatibleImportError, match="expected tag"):
        wasmport.compile(text, realm=realm).instantiate(
            {"lib": {"e": wasmport.Tag(["f32"], realm=realm)}})
