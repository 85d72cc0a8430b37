"""``wasmport stubs``: what a stub says for each kind of export, and --check / --package."""

from __future__ import annotations

import ast
import shutil
import sys
from pathlib import Path

import pytest
import wasmtime

from wasmport._cli.main import main
from wasmport._compile.sections import read_interface
from wasmport._tools.stubs import render

SHAPES = Path(__file__).resolve().parents[1] / "fixtures" / "tools" / "shapes.wat"


def stub_of(wat: str) -> str:
    return render(read_interface(wasmtime.wat2wasm(wat)), source="m.wat", sha256="0" * 64)


def lines_of(wat: str) -> list[str]:
    return stub_of(wat).splitlines()


def test_every_kind_of_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stubs", str(SHAPES), "-o", "-"]) == 0
    stub = capsys.readouterr().out.splitlines()
    for line in [
        "def add(left: int, right: int, /) -> int: ...",
        "def scale(p0: float, p1: float, /) -> float: ...",
        "def divmod(n: int, d: int, /) -> tuple[int, int]: ...",
        "def nothing() -> None: ...",
        "def pick(f: wasmport.Function | None, /) -> wasmport.Function | None: ...",
        "def keep(x: object, /) -> object: ...",
        "def splat(p0: int, /) -> int: ...",
        "def _hidden() -> int: ...",
        "memory: Final[wasmport.Memory]  # memory 1..4",
        "callbacks: Final[wasmport.Table]  # table 2 funcref",
        "oops: Final[wasmport.Tag]  # tag (i32)",
        "VERSION: Final[int]",
        "ratio: float  # global mut f64: read live",
        "nothing_yet: Final[object]",
        '#   "a-b": func () -> i32',
        '#   "class": func () -> i32',
        "def __getattr__(name: str) -> object: ...",
    ]:
        assert line in stub
    assert '    "_hidden",' not in stub and '    "class",' not in stub  # as the runtime's __all__
    assert stub[2].startswith("# sha256: ") and len(stub[2]) == 10 + 64


def test_the_stub_matches_the_runtime_all() -> None:
    import wasmport

    runtime = wasmport.load(str(SHAPES)).__all__
    tree = ast.parse(stub_of(SHAPES.read_text()))
    assigned = [n.value for n in tree.body if isinstance(n, ast.Assign)
                and isinstance(n.targets[0], ast.Name) and n.targets[0].id == "__all__"]
    assert ast.literal_eval(assigned[0]) == runtime
    assert len(runtime) == 13


def test_only_the_imports_it_needs() -> None:
    assert lines_of('(module (func (export "f")))')[3:] == [
        "", '__all__ = ["f"]', "", "def f() -> None: ..."]
    assert "import wasmport" not in stub_of('(module (global (export "g") i32 (i32.const 0)))')


def test_exports_named_like_what_a_stub_uses() -> None:
    lines = lines_of("""(module (global (export "wasmport") i32 (i32.const 0))
        (global (export "Final") i32 (i32.const 0))
        (func (export "int") (param i32) (result f32) (f32.const 0))
        (memory (export "m") 1))""")
    assert "from typing import Final as _Final" in lines
    assert "import wasmport as _wasmport" in lines and "import builtins as _builtins" in lines
    assert "def int(p0: _builtins.int, /) -> _builtins.float: ..." in lines
    assert "m: _Final[_wasmport.Memory]  # memory 1" in lines
    assert "wasmport: _Final[_builtins.int]" in lines


def test_names_no_python_code_can_spell() -> None:
    stub = stub_of("""(module (func (export "") ) (func (export "new\\nline"))
        (func (export "__init__")) (func (export "None")))""")
    assert '#   "": func () -> nil' in stub and '#   "new\\nline": func () -> nil' in stub
    assert '#   "__init__"' in stub and '#   "None"' in stub
    assert "__all__ = []" in stub


def test_write_beside_the_module_and_check(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    wat = tmp_path / "shapes.wat"
    shutil.copy(SHAPES, wat)
    assert main(["stubs", "--check", str(wat)]) == 1
    assert "shapes.pyi: missing" in capsys.readouterr().err
    assert main(["stubs", str(wat)]) == 0
    assert capsys.readouterr().out == f"wrote {tmp_path / 'shapes.pyi'}\n"
    assert main(["stubs", "--check", str(wat)]) == 0
    wat.write_text(SHAPES.read_text().replace("(i32.const 3))", "(i32.const 4))"))
    assert main(["stubs", "--check", str(wat)]) == 1
    assert "shapes.pyi: stale: written for sha256 11603d7113ab" in capsys.readouterr().err
    assert main(["stubs", str(wat)]) == 0
    stub = tmp_path / "shapes.pyi"
    stub.write_text(stub.read_text().replace("-> int", "-> str"))
    assert main(["stubs", "--check", str(wat)]) == 1
    assert "not what this wasmport writes" in capsys.readouterr().err


def test_a_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                   capsys: pytest.CaptureFixture[str], isolated_imports: None) -> None:
    pkg = tmp_path / "plugins"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "notapkg").mkdir()
    for d in (pkg, pkg / "sub"):
        (d / "__init__.py").write_text("")
    (pkg / "codec.wat").write_text('(module (func (export "f")))')
    (pkg / "codec.wasm").write_bytes(wasmtime.wat2wasm('(module (func (export "g")))'))
    (pkg / "sub" / "deep.wat").write_text("(module)")
    (pkg / "notapkg" / "skipped.wat").write_text("(module)")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "plugins", raising=False)
    assert main(["stubs", "--package", "plugins"]) == 0
    assert sorted(p.relative_to(pkg).as_posix() for p in pkg.rglob("*.pyi")) == [
        "codec.pyi", "sub/deep.pyi"]
    assert "def g() -> None" in (pkg / "codec.pyi").read_text()  # the .wasm, as import does
    assert main(["stubs", "--check", "--package", "plugins"]) == 0
    with pytest.raises(SystemExit) as exit_:
        main(["stubs", "--package", "plugins", "-o", "x.pyi"])
    assert exit_.value.code == 2


def test_a_module_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                       capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(SHAPES, tmp_path / "shapes.wat")
    monkeypatch.syspath_prepend(str(tmp_path))
    import wasmport

    assert main(["stubs", "shapes"]) == 0
    assert (tmp_path / "shapes.pyi").exists()
    assert not wasmport.is_installed()  # found through the hook, which is gone again
    assert main(["stubs", "no_such_module_anywhere"]) == 1
    assert "no WebAssembly module of that name" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["stubs"], ["stubs", "a.wat", "b.wat", "-o", "x.pyi"],
                                  ["stubs", "a.wat", "--check", "-o", "x.pyi"]])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert "usage: wasmport stubs" in capsys.readouterr().err


def test_unreadable_modules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.wasm").write_bytes(b"\0asm\x01\0\0\0\x01\x05")
    (tmp_path / "text.wasm").write_text("(module)")
    assert main(["stubs", str(tmp_path / "bad.wasm")]) == 1
    assert "bad.wasm: invalid module: unexpected end-of-file" in capsys.readouterr().err
    assert main(["stubs", str(tmp_path / "text.wasm")]) == 1
    assert "give text modules the .wat suffix" in capsys.readouterr().err
    assert main(["stubs", str(tmp_path / "none.wasm")]) == 1
    assert capsys.readouterr().err == f"wasmport: error: {tmp_path / 'none.wasm'}: no such file\n"
