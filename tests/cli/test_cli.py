"""``wasmport run``: called through main(), and once as a real process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from wasmport._cli.main import EXIT_TRAP, main
from wasmport._cli.run import parse_size

FIXTURES = Path(__file__).parent.parent / "fixtures"
ADD = """(module
  (func (export "add") (param i32 i64) (result i64)
    (i64.add (i64.extend_i32_s (local.get 0)) (local.get 1)))
  (func (export "halve") (param f64) (result f64 f64)
    (f64.div (local.get 0) (f64.const 2)) (local.get 0))
  (func (export "spin") (loop (br 0)))
  (func (export "take_ref") (param externref)))"""


def program(name: str) -> str:
    return str(FIXTURES / "wasi" / f"{name}.wasm")


@pytest.fixture
def add_wat(tmp_path: Path) -> str:
    path = tmp_path / "add.wat"
    path.write_text(ADD)
    return str(path)


def test_run_a_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", program("hello")]) == 0
    assert capsys.readouterr() == ("hello from wasi\n", "")


def test_program_arguments_and_environment(capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FROM_HOST", "yes")
    code = main(["run", program("echo"), "plain", "--env", "A=1", "--env", "FROM_HOST",
                 "--", "--looks-like-an-option", "-x"])
    assert code == 0
    assert capsys.readouterr().out == (
        f"argv[0]={program('echo')}\nargv[1]=plain\nargv[2]=--looks-like-an-option\n"
        "argv[3]=-x\nenv:A=1\nenv:FROM_HOST=yes\n")


def test_exit_status_becomes_the_exit_code() -> None:
    assert main(["run", program("exitcode"), "--", "7"]) == 7
    assert main(["run", program("exitcode")]) == 0


def test_a_trap_prints_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", program("trap")]) == EXIT_TRAP == 134
    out, err = capsys.readouterr()
    assert out == "about to trap\n"
    assert err.startswith("wasmport: error: ") and err.count("\n") == 1
    assert "unreachable" in err and "Traceback" not in err


def test_traceback_on_request(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--traceback", program("trap")]) == 134
    assert "Traceback (most recent call last)" in capsys.readouterr().err
    assert main(["--traceback", "run", "missing.wasm"]) == 1
    assert "ModuleNotFoundError" in capsys.readouterr().err


def test_missing_file_is_an_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["run", str(tmp_path / "nope.wasm")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("wasmport: error: ") and "nope.wasm" in err


def test_directories(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text("data\n")
    assert main(["run", program("files"), "--dir", f"{tmp_path}::/d", "--", "read",
                 "/d/a.txt"]) == 0
    assert capsys.readouterr().out == "data\n"
    assert main(["run", program("files"), "--ro-dir", f"{tmp_path}::/d", "--", "write",
                 "/d/a.txt", "x"]) == 2
    assert capsys.readouterr().err == "error: Operation not permitted\n"
    assert (tmp_path / "a.txt").read_text() == "data\n"
    assert main(["run", program("files"), "--", "read", str(tmp_path / "a.txt")]) == 2


def test_dir_without_guest_keeps_the_host_path(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "b.txt").write_text("same path\n")
    assert main(["run", program("files"), "--dir", str(tmp_path), "--", "read",
                 str(tmp_path / "b.txt")]) == 0
    assert capsys.readouterr().out == "same path\n"


def test_invoke_converts_arguments_and_prints_results(
        add_wat: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", add_wat, "--invoke", "add", "--", "-2", "0x10"]) == 0
    assert capsys.readouterr().out == "14\n"
    assert main(["run", "--invoke", "halve", add_wat, "3"]) == 0
    assert capsys.readouterr().out == "1.5\n3.0\n"


@pytest.mark.parametrize("argv, message", [
    (["--invoke", "add", "1"], "takes 2 arguments, 1 given"),
    (["--invoke", "add", "one", "2"], "argument 1, 'one', is not an i32"),
    (["--invoke", "add", "1", "2.5"], "argument 2, '2.5', is not an i64"),
    (["--invoke", "add", "4294967296", "1"], "out of range for i32"),
    (["--invoke", "take_ref", "1"], "cannot be given on the command line"),
    (["--invoke", "nope"], "no exported function of that name; its functions: add, halve"),
])
def test_invoke_errors(add_wat: str, argv: list[str], message: str,
                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", add_wat, *argv]) == 2  # usage errors, as argparse's
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_limits_from_the_command_line(add_wat: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", add_wat, "--invoke", "spin", "--fuel", "1000"]) == 134
    assert "fuel=1000" in capsys.readouterr().err
    assert main(["run", add_wat, "--invoke", "spin", "--timeout", "0.2"]) == 134
    assert "timeout=0.2" in capsys.readouterr().err
    limits = str(FIXTURES / "limits" / "memory_bomb.wat")
    assert main(["run", limits, "--invoke", "grow_all", "--max-memory", "256K"]) == 0
    assert capsys.readouterr().out == "4\n"


def test_sizes() -> None:
    assert [parse_size(s) for s in ("65536", "64K", "64KiB", "2m", "1G", "10b")] == [
        65536, 65536, 65536, 2 << 20, 1 << 30, 10]


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["run"], ["run", "x.wasm", "--bogus"], ["run", "x.wasm", "--max-memory",
                                                            "lots"], []):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2
    capsys.readouterr()


def test_as_a_real_process(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "wasmport", "run", program("cat")], input=b"piped in",
        capture_output=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, b"piped in", b"\n[8 bytes]\n")
    failed = subprocess.run([sys.executable, "-m", "wasmport", "run", program("exitcode"),
                             "--", "42"], capture_output=True, timeout=60)
    assert (failed.returncode, failed.stderr) == (42, b"")


def test_the_installed_script(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "wasmport"
    if not script.exists():
        pytest.skip("the wasmport script is not installed beside this Python")
    done = subprocess.run([str(script), "run", program("hello")], capture_output=True,
                          timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, b"hello from wasi\n", b"")
