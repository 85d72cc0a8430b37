"""Directories: reachable only through a preopen; read-only preopens refuse writes.

files.wasm: ``read PATH`` prints the file, ``write PATH TEXT`` writes it, ``list DIR``
lists it; an error prints ``error: <strerror>`` to stderr and exits 2.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import wasmport
from wasmport import Preopen, WasiConfig

from .conftest import program


def files(*args: str, **kw: object) -> wasmport.RunResult:
    return wasmport.run(program("files"), list(args), capture_output=True, **kw)  # type: ignore[arg-type]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    root.mkdir()
    (root / "in.txt").write_text("inside\n")
    (tmp_path / "secret.txt").write_text("outside\n")
    return root


def test_write_then_read_inside_a_preopen(data: Path) -> None:
    written = files("write", "/data/out.txt", "from the guest", preopens={"/data": str(data)})
    assert written.exit_code == 0
    assert (data / "out.txt").read_text() == "from the guest"
    read = files("read", "/data/out.txt", preopens={"/data": str(data)})
    assert (read.exit_code, read.stdout) == (0, b"from the guest")


def test_a_preopen_as_the_current_directory(data: Path) -> None:
    result = files("list", ".", preopens={".": str(data)})
    assert result.stdout == b"in.txt\n"


def test_no_directory_without_a_preopen(data: Path) -> None:
    result = files("read", str(data / "in.txt"))
    assert result.exit_code == 2
    assert result.stderr == b"error: Capabilities insufficient\n"


def test_paths_outside_every_preopen_are_refused(data: Path) -> None:
    escaping = files("read", "/data/../secret.txt", preopens={"/data": str(data)})
    assert (escaping.exit_code, escaping.stderr) == (2, b"error: Operation not permitted\n")
    absolute = files("read", str(data.parent / "secret.txt"), preopens={"/data": str(data)})
    assert absolute.exit_code == 2
    assert absolute.stderr in (b"error: No such file or directory\n",
                               b"error: Capabilities insufficient\n")  # by wasi-libc's lookup
    assert b"outside" not in escaping.stdout + absolute.stdout


def test_read_only_preopen_reads_but_refuses_writes(data: Path) -> None:
    ro = {"/data": Preopen(str(data), read_only=True)}
    assert files("read", "/data/in.txt", preopens=ro).stdout == b"inside\n"
    new = files("write", "/data/new.txt", "x", preopens=ro)
    old = files("write", "/data/in.txt", "changed", preopens=ro)
    assert new.exit_code == old.exit_code == 2
    assert new.stderr == b"error: Operation not permitted\n"
    assert not (data / "new.txt").exists()
    assert (data / "in.txt").read_text() == "inside\n"


def test_a_missing_host_directory_is_reported_before_running(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        files("list", "/x", preopens={"/x": str(tmp_path / "nope")})


def test_preopen_host_paths_are_made_absolute(data: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(data.parent)
    config = WasiConfig(preopens={"/d": "data"})
    assert config.preopens == (("/d", Preopen(str(data))),)
    monkeypatch.chdir("/")
    assert files("read", "/d/in.txt", wasi=config).stdout == b"inside\n"
