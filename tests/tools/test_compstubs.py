"""``wasmport stubs`` on components: what the stub declares, against the live module's
names; --check, -o and --package as for core modules; names the runtime drops or
escapes."""

from __future__ import annotations

import ast
import shutil
import sys
from pathlib import Path

import pytest

import wasmport
from wasmport._cli.main import main
from wasmport._component._types import (
    EnumType,
    Function,
    FuncType,
    Interface,
    Prim,
    RecordType,
    TypeDef,
    VariantType,
    World,
)
from wasmport._tools.compstubs import render_component

COMPONENTS = Path(__file__).resolve().parents[1] / "fixtures" / "components"


def stub(name: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["stubs", str(COMPONENTS / name / f"{name}.wasm"), "-o", "-"]) == 0
    return capsys.readouterr().out


def classes(tree: ast.Module) -> dict[str, ast.ClassDef]:
    return {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}


def members(cls: ast.ClassDef) -> set[str]:
    out = set()
    for n in cls.body:
        if isinstance(n, (ast.ClassDef, ast.FunctionDef)):
            out.add(n.name)
        elif isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name):
            out.add(n.target.id)
    return out - {"__getitem__", "__contains__"}


class _Blob:
    def __init__(self, data: bytes) -> None: ...
    def size(self) -> int: return 0
    def append(self, more: bytes) -> None: ...
    @staticmethod
    def concat(a: _Blob, b: _Blob) -> _Blob: return a


class _ResHost:
    Blob = _Blob


@pytest.mark.parametrize("name", ["values", "resources", "calchost"])
def test_namespaces_hold_what_the_live_namespaces_hold(
        name: str, capsys: pytest.CaptureFixture[str]) -> None:
    tree = ast.parse(stub(name, capsys))
    module = wasmport.load(str(COMPONENTS / name / f"{name}.wasm"),
                           imports={"test:res/host": _ResHost} if name == "resources" else None)
    assigned = [n.value for n in tree.body if isinstance(n, ast.Assign)]
    assert ast.literal_eval(assigned[0]) == module.__all__
    found = classes(tree)
    for attr in module.__all__:
        value = getattr(module, attr)
        if isinstance(value, wasmport._component.Namespace):
            cls = found[attr.capitalize() + "Namespace"]
            assert members(cls) == set(value.public()), attr


def test_values_types(capsys: pytest.CaptureFixture[str]) -> None:
    text = stub("values", capsys)
    for line in ["    class Color(_enum.Enum):", "        DARK_BLUE = 2",
                 "    class Perms(_enum.Flag):", "        EXEC = 4",
                 "    class Shape_None_:",
                 "    Shape: _TypeAlias = EchoNamespace.Shape_Circle | EchoNamespace.Shape_Rect"
                 " | EchoNamespace.Shape_None_",
                 "        home: EchoNamespace.Point | None",
                 "    def echo_nested(self, v: _wasmport.Some[int | None] | None) -> "
                 "_wasmport.Some[int | None] | None: ...",
                 "    def echo_result(self, v: _wasmport.Ok[int] | _wasmport.Err[str]) -> int: ...",
                 "    def echo_unit(self, v: _wasmport.Ok[None] | _wasmport.Err[None]) -> "
                 "None: ..."]:
        assert line in text.splitlines(), line


def test_calc_shares_one_class_and_types_its_imports(capsys: pytest.CaptureFixture[str]) -> None:
    lines = stub("calc", capsys).splitlines()
    # api uses host.{point}: one class (api's, exported first, as the runtime makes it)
    assert "    Point: _TypeAlias = ApiNamespace.Point" in lines
    assert "class HostImport(_Protocol):" in lines
    assert "    def offset(self, p: ApiNamespace.Point, /) -> ApiNamespace.Point: ..." in lines
    assert "class TickImport(_Protocol):" in lines and "    def __call__(self) -> int: ..." in lines
    assert "def add(a: int, b: int) -> int: ..." in lines
    assert "    def div(self, a: int, b: int) -> int: ..." in lines  # result: Err is raised


def test_resources(capsys: pytest.CaptureFixture[str]) -> None:
    lines = stub("resources", capsys).splitlines()
    for line in ["    class Counter:", "        def __init__(self, start: int) -> None: ...",
                 "        @staticmethod", "        def make(n: int) -> ApiNamespace.Counter: ...",
                 "        def absorb(self, other: ApiNamespace.Counter) -> None: ...",
                 "        def drop(self) -> None: ...",
                 "        def __enter__(self) -> ApiNamespace.Counter: ...",
                 "    def join_blobs(self, a: HostBlob, b: HostBlob) -> HostBlob: ...",
                 "class HostBlob(_Protocol):", "    def append(self, more: bytes, /) -> None: ...",
                 "    def __call__(self, data: bytes, /) -> HostBlob: ...",
                 "    def concat(self, a: _Any, b: _Any, /) -> HostBlob: ...",
                 "    def Blob(self) -> HostBlobClass: ..."]:
        assert line in lines, line


def _world(**exports: object) -> World:
    return World(exports=dict(exports))  # type: ignore[arg-type]


def test_builtin_names_make_the_stub_qualify_builtins() -> None:
    world = _world(list=Function("list", FuncType((("self", Prim("u32")),), Prim("string"))))
    text = render_component(world, source="w.wasm", sha256="0" * 64)
    assert "import builtins as _builtins" in text
    assert "def list(self: _builtins.int) -> _builtins.str: ..." in text
    plain = render_component(_world(f=Function("f", FuncType((), Prim("u8")))),
                             source="w.wasm", sha256="0" * 64)
    assert "builtins" not in plain and "def f() -> int: ..." in plain


def test_equal_types_of_two_names_share_the_runtimes_classes() -> None:
    """Types compare structurally: ``a.shape`` and ``b.form`` are one node, so one set of
    classes, named after the first (the runtime's TypeSpace does the same)."""
    shape = VariantType((("dot", None),), name="shape")
    form = VariantType((("dot", None),), name="form")
    color = EnumType(("red",), name="color")
    a = Interface("t:p/a", {"shape": TypeDef("shape", shape), "color": TypeDef("color", color)})
    b = Interface("t:p/b", {"form": TypeDef("form", form),
                            "point": TypeDef("point", RecordType((("from", Prim("u8")),),
                                                                 name="point"))})
    text = render_component(World(exports={"t:p/a": a, "t:p/b": b}), source="w.wasm",
                            sha256="0" * 64)
    lines = text.splitlines()
    assert "    Form: _TypeAlias = ANamespace.Shape" in lines
    assert "    Shape_Dot: _TypeAlias = ANamespace.Shape_Dot" in lines
    assert "        from_: int" in lines  # a keyword field, escaped as the runtime does
    assert '__all__ = ["a", "b"]' in lines


def test_colliding_interface_names_get_no_attribute() -> None:
    api = Interface("x:y/api", {}, {"f": Function("f", FuncType((), None))})
    other = Interface("z:w/api", {}, {"g": Function("g", FuncType((), None))})
    text = render_component(World(exports={"x:y/api": api, "z:w/api": other}),
                            source="w.wasm", sha256="0" * 64)
    assert "__all__ = []" in text.splitlines() and "api: _Final" not in text
    assert "class ApiNamespace:" in text and "class ApiNamespace_:" in text


def test_check_output_and_package(tmp_path: Path, isolated_imports: None,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    package = tmp_path / "plugins"
    package.mkdir()
    (package / "__init__.py").write_text("")
    shutil.copy(COMPONENTS / "values" / "values.wasm", package / "values.wasm")
    shutil.copy(COMPONENTS / "calc" / "calc.wasm", package / "calc.wasm")
    target = str(package / "values.wasm")
    assert main(["stubs", "--check", target]) == 1
    assert "values.pyi: missing; run `wasmport stubs" in capsys.readouterr().err
    assert main(["stubs", target]) == 0
    assert main(["stubs", "--check", target]) == 0
    capsys.readouterr()
    assert main(["stubs", target, "-o", "-"]) == 0
    assert capsys.readouterr().out == (package / "values.pyi").read_text()
    stale = (package / "values.pyi").read_text().replace("# sha256: ", "# sha256: 0")
    (package / "values.pyi").write_text(stale)
    assert main(["stubs", "--check", target]) == 1
    assert "stale: written for sha256" in capsys.readouterr().err
    sys.path.insert(0, str(tmp_path))  # isolated_imports restores it and forgets plugins
    assert main(["stubs", "--package", "plugins"]) == 0
    assert "class HostImport(_Protocol):" in (package / "calc.pyi").read_text()
