"""wasmport.run with the real C programs: output, arguments, environment, stdin,
exit codes and traps."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
import wasmtime

import wasmport
from wasmport import RunResult, Trap, WasiConfig

from .conftest import program


def test_hello_world_reaches_sys_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    result = wasmport.run(program("hello"))
    assert result == RunResult(exit_code=0)
    assert capsys.readouterr().out == "hello from wasi\n"


def test_output_follows_redirect_stdout_at_write_time() -> None:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        wasmport.run(program("hello"))
    assert buffer.getvalue() == "hello from wasi\n"


def test_guest_output_keeps_its_place_among_python_prints(
        capsys: pytest.CaptureFixture[str]) -> None:
    print("before")
    wasmport.run(program("hello"))
    print("after")
    assert capsys.readouterr().out == "before\nhello from wasi\nafter\n"


def test_stderr_goes_to_sys_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    wasmport.run(program("stderr"))
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("to-stdout\n", "to-stderr\n")


def test_capture_output_returns_bytes_and_prints_nothing(
        capsys: pytest.CaptureFixture[str]) -> None:
    result = wasmport.run(program("stderr"), capture_output=True)
    assert (result.stdout, result.stderr) == (b"to-stdout\n", b"to-stderr\n")
    assert capsys.readouterr() == ("", "")


def test_output_to_file_objects(tmp_path: Path) -> None:
    binary = io.BytesIO()
    with open(tmp_path / "err.txt", "w", encoding="utf-8") as text:
        result = wasmport.run(program("stderr"), stdout=binary, stderr=text)
    assert binary.getvalue() == b"to-stdout\n"
    assert (tmp_path / "err.txt").read_text() == "to-stderr\n"
    assert result.stdout is None and result.stderr is None


def test_discard_drops_output(capsys: pytest.CaptureFixture[str]) -> None:
    wasmport.run(program("stderr"), stdout="discard", stderr="discard")
    assert capsys.readouterr() == ("", "")


def test_args_and_env_reach_the_program() -> None:
    result = wasmport.run(program("echo"), ["one", "two words"], env={"LANG": "C", "X": "1"},
                          capture_output=True)
    assert result.stdout == (b"argv[0]=echo.wasm\nargv[1]=one\nargv[2]=two words\n"
                             b"env:LANG=C\nenv:X=1\n")


def test_nothing_is_granted_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_TOKEN", "hunter2")
    result = wasmport.run(program("echo"), capture_output=True)
    assert result.stdout == b"argv[0]=echo.wasm\n"  # no args, no environment at all


def test_argv0_can_be_chosen() -> None:
    result = wasmport.run(program("echo"), argv0="prog", capture_output=True)
    assert result.stdout == b"argv[0]=prog\n"


def test_a_wasi_config_value_gives_the_defaults_of_a_run() -> None:
    config = WasiConfig(args=["a"], env=[("K", "V")], argv0="p")
    result = wasmport.run(program("echo"), ["b"], wasi=config, capture_output=True)
    assert result.stdout == b"argv[0]=p\nargv[1]=b\nenv:K=V\n"  # args replaced, env kept


def test_stdin_bytes_and_files() -> None:
    result = wasmport.run(program("cat"), stdin=b"line 1\nline 2", capture_output=True)
    assert result.stdout == b"line 1\nline 2"
    assert result.stderr == b"\n[13 bytes]\n"
    from_file = wasmport.run(program("cat"), stdin=io.BytesIO(b"abc"), capture_output=True)
    assert from_file.stdout == b"abc"


def test_stdin_is_empty_by_default() -> None:
    result = wasmport.run(program("cat"), capture_output=True)
    assert (result.stdout, result.stderr) == (b"", b"\n[0 bytes]\n")


@pytest.mark.parametrize("code", [0, 1, 3, 125])
def test_exit_status_is_a_result(code: int) -> None:
    assert wasmport.run(program("exitcode"), [str(code)]).exit_code == code


def test_exit_without_argument_is_zero() -> None:
    result = wasmport.run(program("exitcode"))
    assert result.exit_code == 0 and result.ok


@pytest.mark.parametrize("code", [126, 255, -1])
def test_exit_status_wasi_cannot_express_raises_trap(code: int) -> None:
    with pytest.raises(Trap, match=r"exit\(\) with a status outside 0\.\.125") as info:
        wasmport.run(program("exitcode"), [str(code)])
    assert isinstance(info.value.__cause__, wasmtime.WasmtimeError)


def test_a_trap_is_an_exception_after_the_output(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(Trap, match="unreachable") as info:
        wasmport.run(program("trap"))
    assert info.value.code == wasmtime.TrapCode.UNREACHABLE
    assert not isinstance(info.value, wasmport.ResourceLimitError)
    assert capsys.readouterr().out == "about to trap\n"


def test_an_error_writing_output_reaches_the_caller() -> None:
    class Broken(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, data: object) -> int:
            raise problem

    problem = OSError("disk full")
    with pytest.raises(OSError) as info:
        wasmport.run(program("hello"), stdout=Broken())
    assert info.value is problem


def test_a_module_without_start_is_not_a_command(reactor_path: str) -> None:
    with pytest.raises(TypeError, match="not a WASI command"):
        wasmport.run(reactor_path)


def test_relative_paths_resolve_from_the_calling_file() -> None:
    result = wasmport.run("./../fixtures/wasi/hello.wasm", capture_output=True)
    assert result.stdout == b"hello from wasi\n"


def test_each_run_is_a_fresh_store() -> None:
    realm = wasmport.Realm(name="parent")
    first = wasmport.run(program("cat"), stdin=b"xy", capture_output=True, realm=realm)
    second = wasmport.run(program("cat"), stdin=b"xy", capture_output=True, realm=realm)
    assert first == second
    assert realm._children == {}  # runs leave nothing behind in the parent
    realm.close()
