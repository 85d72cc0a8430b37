"""The world read from the compiled component: type model, names, WIT text."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from wasmport._component import _names
from wasmport._component._types import (
    FlagsType,
    HandleType,
    Interface,
    InterfaceName,
    RecordType,
    ResourceType,
    VariantType,
)

from .conftest import FIXTURES, wasm_tools

RICH = """
package test:rich@2.1.0;

interface shapes {
  record point { x: s32, y: s32, %from: u8, HTTP-url: string }
  variant shape { circle(f64), rect(point), none }
  enum color { red, dark-blue }
  flags perms { read, write }
  resource counter {
    constructor(start: u32);
    get: func() -> u32;
    make: static func(n: u32) -> counter;
  }
  type ids = list<u64>;
  area: func(s: shape) -> f64;
  check: func(p: perms, c: borrow<counter>, i: ids) -> result<option<color>, string>;
}

interface uses {
  use shapes.{point, counter};
  mk: func(p: point) -> counter;
  pair: func() -> tuple<point, list<result<_, string>>>;
}

world rich {
  import shapes;
  import tick: func() -> u32;
  export uses;
  export shapes;
  export add: func(a: u32, b: u32) -> u32;
}
"""


@pytest.mark.parametrize(("wit", "snake", "camel", "upper"), [
    ("get-point", "get_point", "GetPoint", "GET_POINT"),
    ("HTTP-url", "http_url", "HttpUrl", "HTTP_URL"),
    ("from", "from_", "From", "FROM"),
    ("none", "none", "None_", "NONE"),
    ("utf8-bytes", "utf8_bytes", "Utf8Bytes", "UTF8_BYTES"),
])
def test_names(wit: str, snake: str, camel: str, upper: str) -> None:
    assert (_names.snake(wit), _names.camel(wit), _names.upper(wit)) == (snake, camel, upper)


def test_case_class_and_namespace_names() -> None:
    assert _names.case_class("shape", "circle") == "Shape_Circle"
    assert _names.case_class("shape", "none") == "Shape_None_"
    assert _names.namespace("ns:pkg/my-api@1.0.0") == "my_api"
    assert _names.wit_id("from") == "%from" and _names.wit_id("point") == "point"


def test_interface_names() -> None:
    name = InterfaceName.parse("wasi:cli/environment@0.2.3")
    assert (name.namespace, name.package, name.interface, name.version) == \
        ("wasi", "cli", "environment", "0.2.3")
    assert name.package_id == "wasi:cli@0.2.3" and name.unversioned == "wasi:cli/environment"
    assert InterfaceName.parse("plain").package_id is None


def test_type_model(dummy: Any) -> None:
    world = dummy(RICH, "rich").world
    shapes = world.exports["test:rich/shapes@2.1.0"]
    assert isinstance(shapes, Interface)
    point = shapes.types["point"].type
    assert isinstance(point, RecordType) and point.name == "point"
    assert [f for f, _ in point.fields] == ["x", "y", "from", "HTTP-url"]
    shape = shapes.types["shape"].type
    assert isinstance(shape, VariantType) and shape.cases[1] == ("rect", point)
    assert isinstance(shapes.types["perms"].type, FlagsType)
    get = shapes.functions["[method]counter.get"]
    assert (get.kind, get.resource, get.short) == ("method", "counter", "get")
    self_type = get.type.params[0][1]
    assert isinstance(self_type, HandleType) and not self_type.own
    uses = world.exports["test:rich/uses@2.1.0"]
    assert uses.types["point"].origin == "test:rich/shapes@2.1.0"
    assert uses.types["counter"].type is shapes.types["counter"].type
    imported = world.imports["test:rich/shapes@2.1.0"]
    assert isinstance(imported, Interface)
    resource = imported.types["counter"].type
    assert isinstance(resource, ResourceType) and resource != shapes.types["counter"].type
    assert world.imports["tick"].type.result is not None


_HEADER = re.compile(r"^(package|world|interface) .*\{$|^(import|export) \S+: interface \{$")


def _normalized(text: str) -> dict[str, set[str]]:
    """WIT text as {block path: set of items}: order aside, the same world."""
    blocks: dict[str, set[str]] = {}
    stack: list[str] = []
    item: list[str] = []
    depth = 0
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if not item and _HEADER.match(line):
            stack.append(line)
        elif not item and line == "}":
            stack.pop()
        else:
            item.append(line)
            depth += line.count("{") - line.count("}")
            if depth == 0 and (line.endswith(";") or line.endswith("}")):
                blocks.setdefault(" / ".join(stack), set()).add(_item(item))
                item = []
    return blocks


def _item(lines: list[str]) -> str:
    entry = " ".join(lines)
    if entry.startswith("use "):  # a use may list its names in any order
        head, names = entry.split("{", 1)
        entry = head + "{" + ", ".join(sorted(n.strip() for n in names.rstrip("};").split(",")))
    if entry.startswith("resource ") and "{" in entry:  # and a resource its functions
        head, body = entry.split("{", 1)
        entry = head + "{" + " ".join(sorted(body.rstrip("}").split(";")))
    return entry


def _theirs(path: Path) -> str:
    return subprocess.run([wasm_tools(), "component", "wit", str(path)], check=True,
                          capture_output=True, text=True).stdout


@pytest.mark.parametrize("name", ["calc", "values", "resources", "wasienv"])
def test_wit_matches_wasm_tools(code: Any, name: str) -> None:
    mine = code(name).wit
    assert _normalized(mine) == _normalized(_theirs(FIXTURES / name / f"{name}.wasm"))


def test_wit_of_a_rich_world_matches_wasm_tools(dummy: Any, tmp_path: Path) -> None:
    built = dummy(RICH, "rich")
    assert _normalized(built.wit) == _normalized(_theirs(tmp_path / "d.wasm"))
    assert "use shapes.{counter, point};" in built.wit
    assert "check: func(p: perms, c: borrow<counter>, i: ids) -> " \
           "result<option<color>, string>;" in built.wit


def test_namespaces_and_collisions(dummy: Any, engine: Any) -> None:
    import wasmtime

    from wasmport._component import instantiate
    wit = """
package a:x@1.0.0;
interface api { f: func(); }
interface only { g: func(); }
world w { export api; export only; export b:y/api@2.0.0; }
package b:y@2.0.0 { interface api { h: func(); } }
"""
    inst = instantiate(wasmtime.Store(engine), dummy(wit, "w"), {})
    assert not hasattr(inst.exports, "api")  # two interfaces called api: neither gets it
    assert inst.exports["a:x/api@1.0.0"].f and inst.exports["b:y/api@2.0.0"].h
    assert inst.exports.only.g.__wit_name__ == "g"
    with pytest.raises(AttributeError, match="has no member 'api'"):
        _ = inst.exports.api


WORLD_TYPES = """
package t:w@1.0.0;
interface i { record p { x: u8 } f: func(v: p) -> p; }
world w {
  use i.{p};
  type code = u8;
  record rec { a: u32, b: list<mood> }
  enum mood { happy, sad }
  import i;
  export g: func(r: rec, m: mood, q: p) -> u8;
}
"""


def test_world_level_types_are_named_from_the_binary(dummy: Any, tmp_path: Path) -> None:
    built = dummy(WORLD_TYPES, "w")
    world = built.world
    assert world.imports["rec"].type.name == "rec"
    assert world.imports["mood"].type.name == "mood"
    assert world.imports["p"].origin == "t:w/i@1.0.0"
    assert world.exports["g"].type.params[0][1] is world.imports["rec"].type
    assert _normalized(built.wit) == _normalized(_theirs(tmp_path / "d.wasm"))


def test_world_level_types_are_module_attributes(dummy: Any, engine: Any) -> None:
    import wasmtime

    from wasmport._component import instantiate
    inst = instantiate(wasmtime.Store(engine), dummy(WORLD_TYPES, "w"),
                       {"t:w/i": type("I", (), {"f": staticmethod(lambda v: v)})})
    assert [m.name for m in inst.exports.Mood] == ["HAPPY", "SAD"]
    assert list(inst.exports.Rec.__dataclass_fields__) == ["a", "b"]


def test_without_the_source_world_types_stay_unnamed(dummy: Any, engine: Any,
                                                     tmp_path: Path) -> None:
    from wasmport._component import deserialize_component
    blob = dummy(WORLD_TYPES, "w").serialize()
    bare = deserialize_component(engine, blob, "w.wasm")
    assert "rec" not in bare.world.imports
    named = deserialize_component(engine, blob, "w.wasm", source=tmp_path / "d.wasm")
    assert named.world.imports["rec"].type.name == "rec"


def test_the_binary_reader_never_raises() -> None:
    from wasmport._component._binary import world_type_shapes
    data = (FIXTURES / "calc" / "calc.wasm").read_bytes()
    for cut in range(0, len(data), 7):
        assert isinstance(world_type_shapes(data[:cut]), list)
    assert world_type_shapes(b"not wasm") == []
