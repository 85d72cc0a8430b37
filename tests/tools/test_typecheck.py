"""The stubs with real type checkers: mypy --strict reports every planted error and passes
clean code; mypy.stubtest finds the stub true to the live module (through the import
hook); a package installed with py.typed, codec.wasm and codec.pyi is typed too."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from wasmport._cli.main import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tools"
SRC = Path(__file__).resolve().parents[2] / "src"
_ERROR = re.compile(r"^(?P<file>[\w.]+):(?P<line>\d+): error: .*\[(?P<code>[\w-]+)\]$")


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the module's mypy runs: wasmport itself is analysed once."""
    return tmp_path_factory.mktemp("mypy-cache")


def mypy(cwd: Path, cache: Path, *args: str) -> list[str]:
    proc = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(cache),
                           "--no-error-summary", *args], cwd=cwd, capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.stdout.splitlines()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project directory: the modules, their stubs (written by the CLI), user code."""
    for name in ("mathlib.wat", "shapes.wat", "user_ok.py", "user_bad.py"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    assert main(["stubs", str(tmp_path / "mathlib.wat"), str(tmp_path / "shapes.wat")]) == 0
    return tmp_path


def expected_errors(path: Path) -> set[tuple[int, str]]:
    return {(n, line.rpartition("# expect: ")[2].strip())
            for n, line in enumerate(path.read_text().splitlines(), 1) if "# expect: " in line}


def test_mypy_reports_each_planted_error_and_passes_clean_code(project: Path,
                                                               mypy_cache: Path) -> None:
    out = mypy(project, mypy_cache, "user_ok.py", "user_bad.py")
    found = {(m["file"], int(m["line"]), m["code"]) for line in out if (m := _ERROR.match(line))}
    assert {(f, c) for f, _, c in found if f == "user_ok.py"} == set(), out
    assert {(n, c) for f, n, c in found if f == "user_bad.py"} == expected_errors(
        project / "user_bad.py"), out
    assert len(expected_errors(project / "user_bad.py")) == 11
    messages = "\n".join(out)
    assert 'Unexpected keyword argument "a" for "gcd"' in messages
    assert 'Cannot assign to final name "PRECISION"' in messages
    assert 'Module has no attribute "lcm"' in messages
    assert re.search(r'expression has type "?Module"?, variable has type "int"', messages)


def test_without_a_stub_the_module_is_unknown_to_mypy(project: Path, mypy_cache: Path) -> None:
    (project / "mathlib.pyi").unlink()
    assert any("import-not-found" in line and "mathlib" in line
               for line in mypy(project, mypy_cache, "user_ok.py"))


def stubtest(cwd: Path, *modules: str) -> subprocess.CompletedProcess[str]:
    code = ("import sys, wasmport; wasmport.install(); "
            "from mypy.stubtest import main; sys.exit(main())")
    env = {**os.environ, "PYTHONPATH": str(cwd), "MYPYPATH": str(cwd)}
    return subprocess.run([sys.executable, "-c", code, *modules], cwd=cwd, env=env,
                          capture_output=True, text=True)


@pytest.mark.skipif(sys.version_info >= (3, 13), reason=(
    "3.13's inspect.ismethoddescriptor() is False for every functools.partial subclass, so "
    "stubtest calls each wasm function 'not a function' (tested there as a known gap)"))
def test_stubtest_finds_the_stubs_true_to_the_live_modules(project: Path) -> None:
    proc = stubtest(project, "mathlib", "shapes")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Success: no issues found in 2 modules" in proc.stdout


@pytest.mark.skipif(sys.version_info < (3, 13), reason="the gap is 3.13's")
def test_stubtest_on_313_complains_only_that_functions_are_partials(project: Path) -> None:
    proc = stubtest(project, "mathlib")
    errors = [line for line in proc.stdout.splitlines() if line.startswith("error: ")]
    assert errors == ["error: mathlib.gcd is not a function",
                      "error: mathlib.hypot is not a function"], proc.stdout


def test_stubtest_catches_a_wrong_stub(project: Path) -> None:
    stub = project / "mathlib.pyi"
    stub.write_text(stub.read_text().replace("def gcd(a: int, b: int, /)",
                                             "def gcd(a: int, /)"))
    proc = stubtest(project, "mathlib")
    assert proc.returncode == 1 and "mathlib.gcd is inconsistent" in proc.stdout


def _wheel(dist: Path, package: Path, typed: bool) -> Path:
    """The wheel a build backend makes of ``package``: its files plus the metadata pip
    reads (written here so the test needs no build tool)."""
    name = package.name
    wheel = dist / f"{name}-1.0-py3-none-any.whl"
    info = f"{name}-1.0.dist-info"
    with zipfile.ZipFile(wheel, "w") as z:
        for f in sorted(package.iterdir()):
            if f.name != "py.typed" or typed:
                z.write(f, f"{name}/{f.name}")
        z.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
        z.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\n"
                   "Root-Is-Purelib: true\nTag: py3-none-any\n")
        z.writestr(f"{info}/RECORD", "")
    return wheel


@pytest.mark.parametrize("typed", [True, False])
def test_an_installed_package_with_py_typed(tmp_path: Path, typed: bool,
                                            mypy_cache: Path) -> None:
    package = tmp_path / "codecpkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "py.typed").write_text("")
    shutil.copy(FIXTURES / "mathlib.wat", package / "codec.wat")
    assert main(["stubs", str(package / "codec.wat")]) == 0
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.check_output([python, "-c", "import sysconfig; "
                                         "print(sysconfig.get_paths()['purelib'])"],
                                        text=True).strip())
    # This environment sees wasmport and its dependencies where the test runs them.
    (site / "outer.pth").write_text(f"{SRC}\n{sysconfig.get_paths()['purelib']}\n")
    dist = tmp_path / "dist"
    dist.mkdir()
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                    "--no-deps", "--no-index", str(_wheel(dist, package, typed))],
                   check=True, capture_output=True)
    user = tmp_path / "app"
    user.mkdir()
    (user / "main.py").write_text("from codecpkg import codec\n"
                                  "x: int = codec.gcd(12, 18)\n"
                                  "codec.gcd(12, 'x')\n")
    out = mypy(user, mypy_cache, "--python-executable", str(python), "main.py")
    if typed:
        assert len(out) == 1 and "main.py:3: error:" in out[0] and "[arg-type]" in out[0], out
    else:
        assert any("import-untyped" in line or "import-not-found" in line for line in out), out
    ran = subprocess.run([python, "-c", "import wasmport.auto; from codecpkg import codec; "
                          "print(codec.gcd(12, 18))"], capture_output=True, text=True)
    assert ran.stdout == "6\n", ran.stderr
