"""C programs as WASI preview 2 command components, built by tools nobody here wrote.

The C programs of tests/fixtures/wasi (clang, WASI preview 1) become preview 2 components
through the Bytecode Alliance's preview 1 adapter (shipped in npm's jco, fetched and pinned
by scripts/fetch-external) and ``wasm-tools component new --adapt``.  The same program runs
once as a core module and once as a component: what it sees and does must agree, apart
from what preview 2 itself changes (an exit status other than 0 is 1 there).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import wasmport
from wasmport import Preopen

from .conftest import wasm_tools

ROOT = Path(__file__).parent.parent.parent
PROGRAMS = ROOT / "tests" / "fixtures" / "wasi"
ADAPTER = ROOT / ".external" / "wasi_snapshot_preview1.command-jco-1.35.0.wasm"


@pytest.fixture(scope="module")
def adapted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Program name -> path of its preview 2 component."""
    if not ADAPTER.exists():
        pytest.skip(f"{ADAPTER} is missing: scripts/fetch-external fetches it with npm "
                    "(scripts/test runs it)")
    out = tmp_path_factory.mktemp("adapted")
    paths = {}
    for name in ("echo", "files", "cat", "exitcode", "stderr", "trap"):
        path = out / f"{name}.wasm"
        subprocess.run([wasm_tools(), "component", "new", str(PROGRAMS / f"{name}.wasm"),
                        "--adapt", f"wasi_snapshot_preview1={ADAPTER}", "-o", str(path)],
                       check=True)
        paths[name] = str(path)
    return paths


def both(adapted: dict[str, str], name: str, *args: str, **kw: Any) -> list[Any]:
    """The run of the core program and of its component, argv[0] made the same."""
    return [wasmport.run(path, list(args), argv0=name, capture_output=True, **kw)
            for path in (str(PROGRAMS / f"{name}.wasm"), adapted[name])]


def test_it_is_a_component(adapted: dict[str, str]) -> None:
    source = wasmport.load(adapted["echo"], phase="source")
    assert isinstance(source, wasmport.Component)
    assert "wasi:cli/run" in " ".join(source.exports)


def test_args_and_env_as_the_core_program_sees_them(adapted: dict[str, str]) -> None:
    core, comp = both(adapted, "echo", "a b", "ünï", env={"K": "V", "EMPTY": ""})
    assert comp == core
    assert comp.stdout == "argv[0]=echo\nargv[1]=a b\nargv[2]=ünï\nenv:K=V\nenv:EMPTY=\n" \
        .encode()


def test_nothing_granted_by_default(adapted: dict[str, str]) -> None:
    result = wasmport.run(adapted["echo"], capture_output=True)
    assert (result.exit_code, result.stdout) == (0, b"argv[0]=echo.wasm\n")
    denied = wasmport.run(adapted["files"], ["read", "/data/in.txt"], capture_output=True)
    assert denied.exit_code == 1 and (denied.stderr or b"").startswith(b"error: ")


def test_files_in_a_preopen(adapted: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "in.txt").write_text("from the host")
    pre = {"/data": str(tmp_path)}
    core, comp = both(adapted, "files", "read", "/data/in.txt", preopens=pre)
    assert comp == core and comp.stdout == b"from the host"
    written = wasmport.run(adapted["files"], ["write", "/data/out.txt", "from wasm"],
                           preopens=pre, capture_output=True)
    assert written.exit_code == 0 and (tmp_path / "out.txt").read_text() == "from wasm"
    listed = wasmport.run(adapted["files"], ["list", "/data"], preopens=pre,
                          capture_output=True)
    assert listed.stdout == b"in.txt\nout.txt\n"


def test_a_read_only_preopen_refuses_writes(adapted: dict[str, str], tmp_path: Path) -> None:
    ro = {"/data": Preopen(str(tmp_path), read_only=True)}
    result = wasmport.run(adapted["files"], ["write", "/data/x.txt", "no"], preopens=ro,
                          capture_output=True)
    assert result.exit_code == 1 and (result.stderr or b"").startswith(b"error: ")
    assert not (tmp_path / "x.txt").exists()


def test_stdin_stdout_stderr(adapted: dict[str, str]) -> None:
    core, comp = both(adapted, "cat", stdin=b"line 1\nline 2")
    assert comp == core and comp.stdout == b"line 1\nline 2"
    assert comp.stderr == b"\n[13 bytes]\n"
    core, comp = both(adapted, "stderr")
    assert comp == core and (comp.stdout, comp.stderr) == (b"to-stdout\n", b"to-stderr\n")


@pytest.mark.parametrize(("status", "p2_status"), [("0", 0), ("1", 1), ("3", 1), ("125", 1)])
def test_exit_status_is_what_preview_2_can_say(adapted: dict[str, str], status: str,
                                               p2_status: int) -> None:
    core, comp = both(adapted, "exitcode", status)
    assert core.exit_code == int(status)
    assert comp.exit_code == p2_status  # wasi:cli/exit takes a result: ok or err


def test_a_status_preview_1_refuses_is_an_error_exit_in_preview_2(
        adapted: dict[str, str]) -> None:
    with pytest.raises(wasmport.Trap, match="outside 0..125"):
        wasmport.run(str(PROGRAMS / "exitcode.wasm"), ["255"], capture_output=True)
    assert wasmport.run(adapted["exitcode"], ["255"], capture_output=True).exit_code == 1


def test_a_trap_is_a_trap(adapted: dict[str, str]) -> None:
    with pytest.raises(wasmport.Trap, match="unreachable"):
        wasmport.run(adapted["trap"], capture_output=True)


def test_wasmport_run_on_the_command_line(adapted: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "in.txt").write_text("cli")
    done = subprocess.run([sys.executable, "-m", "wasmport", "run", adapted["files"],
                           "--dir", f"{tmp_path}::/data", "--", "read", "/data/in.txt"],
                          capture_output=True, timeout=120)
    assert (done.returncode, done.stdout) == (0, b"cli"), done.stderr
    failed = subprocess.run([sys.executable, "-m", "wasmport", "run", adapted["exitcode"],
                             "--", "3"], capture_output=True, timeout=120)
    assert failed.returncode == 1, failed.stderr
