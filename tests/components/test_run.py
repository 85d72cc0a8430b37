"""wasmport.run and `wasmport run` on a component command (wasi:cli/run), built by
componentize-py (pycmd.wasm, scripts/build-componentize-py)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import wasmport

from .conftest import FIXTURES

CMD = Path(__file__).parents[2] / ".external" / "components" / "pycmd.wasm"

pytestmark = pytest.mark.skipif(
    not CMD.exists(), reason=f"{CMD} is not built: run scripts/build-componentize-py")


def test_a_command_runs_with_args_and_captured_output() -> None:
    result = wasmport.run(str(CMD), ["a", "b"], capture_output=True)
    assert result == wasmport.RunResult(0, b"args: a b\n", b"to stderr\n")


def test_exit_codes_follow_the_preview_1_rules() -> None:
    assert wasmport.run(str(CMD), ["fail"], capture_output=True).exit_code == 1
    with pytest.raises(wasmport.Trap, match="unreachable"):
        wasmport.run(str(CMD), ["raise"], capture_output=True)


def test_output_goes_to_sys_stdout_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert wasmport.run(str(CMD), ["x"]).exit_code == 0
    out = capsys.readouterr()
    assert (out.out, out.err) == ("args: x\n", "to stderr\n")


def test_preopens_and_read_only(tmp_path: Path) -> None:
    wrote = wasmport.run(str(CMD), ["write", "/data/f.txt"], preopens={"/data": str(tmp_path)},
                         capture_output=True)
    assert b"wrote /data/f.txt" in (wrote.stdout or b"")
    assert (tmp_path / "f.txt").read_text() == "written"
    refused = wasmport.run(str(CMD), ["write", "/data/g.txt"], capture_output=True,
                           preopens={"/data": wasmport.Preopen(str(tmp_path), read_only=True)})
    assert b"cannot write" in (refused.stdout or b"") and not (tmp_path / "g.txt").exists()
    nothing = wasmport.run(str(CMD), ["write", "/data/h.txt"], capture_output=True)
    assert b"cannot write" in (nothing.stdout or b"")


def test_a_component_without_wasi_cli_run_is_not_a_command() -> None:
    with pytest.raises(TypeError, match="exports no wasi:cli/run"):
        wasmport.run(str(FIXTURES / "wasienv" / "wasienv.wasm"))


def test_the_command_line_runs_it(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "wasmport", "run", str(CMD), "--", "fail"],
                          capture_output=True, text=True, timeout=300)
    assert (done.returncode, done.stdout) == (1, "args: fail\n"), done.stderr
    ok = subprocess.run([sys.executable, "-m", "wasmport", "run", str(CMD), "--", "hi"],
                        capture_output=True, text=True, timeout=300)
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, "args: hi\n", "to stderr\n")


def test_no_sockets_even_with_wasi() -> None:
    """wasmtime links wasi:sockets with every address refused: the guest's connect is a
    PermissionError and nothing reaches the listener."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        result = wasmport.run(str(CMD), ["net", str(port)], capture_output=True)
        assert b"no network: PermissionError" in (result.stdout or b"")
        server.settimeout(0.2)
        with pytest.raises(TimeoutError):
            server.accept()


def test_stdin_clocks_and_random() -> None:
    fed = wasmport.run(str(CMD), ["stdin"], stdin=b"from the host", capture_output=True)
    assert b"read: from the host\n" in (fed.stdout or b"")
    empty = wasmport.run(str(CMD), ["stdin"], capture_output=True)
    assert b"read: \n" in (empty.stdout or b"")
    words = (wasmport.run(str(CMD), ["clocks"], capture_output=True).stdout or b"").split()
    wall = int(words[words.index(b"wall") + 1])
    assert abs(wall - time.time()) < 60
    assert words[words.index(b"monotonic") + 1:] == [b"True", b"random", b"16", b"True"]
