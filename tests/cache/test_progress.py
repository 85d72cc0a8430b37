"""A long compile shows a ticking line on a terminal's stderr, and nothing anywhere else."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import wasmtime

from wasmport._compile import codecache as _codecache
from wasmport._engine.config import EngineConfig
from wasmtest import write

from .test_compile_lock import slow_module

LOAD = textwrap.dedent("""
    import sys, wasmport
    print(wasmport.load(sys.argv[1]).f())
""")
TICK = re.compile(r"wasmport: compiling slow\.wat \(\d+\.\d (kB|MB)\)\.\.\. \d+\.\d s")


def on_terminal(args: list[str], cache: Path, **env: str) -> tuple[str, str]:
    """Run with stderr on a pseudo-terminal: (what the terminal got, stdout)."""
    main, secondary = os.openpty()
    full = dict(os.environ, WASMPORT_CACHE_DIR=str(cache), **env)
    full.pop("NO_COLOR", None) if "NO_COLOR" not in env else None
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=secondary, text=True, env=full)
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, b"".join(chunks)
    return b"".join(chunks).decode(), out


def test_a_compile_shows_its_module_size_and_seconds_then_erases_them(tmp_path):
    path = slow_module(tmp_path)
    seen, out = on_terminal([sys.executable, "-c", LOAD, str(path)], tmp_path / "c",
                            WASMPORT_PROGRESS_AFTER="0")
    assert out == "7\n"
    assert TICK.search(seen), seen
    assert "\x1b[2m" in seen  # dim, as NO_COLOR is not set
    assert seen.endswith("\r\x1b[K")  # erased before the program goes on


def test_no_color_drops_the_style(tmp_path):
    path = slow_module(tmp_path)
    seen, _ = on_terminal([sys.executable, "-c", LOAD, str(path)], tmp_path / "c",
                          WASMPORT_PROGRESS_AFTER="0", NO_COLOR="1")
    assert TICK.search(seen) and "\x1b[2m" not in seen and seen.endswith("\r\x1b[K")


def test_a_dumb_terminal_gets_no_escapes(tmp_path):
    path = slow_module(tmp_path)
    seen, _ = on_terminal([sys.executable, "-c", LOAD, str(path)], tmp_path / "c",
                          WASMPORT_PROGRESS_AFTER="0", TERM="dumb")
    assert TICK.search(seen) and "\x1b" not in seen and seen.endswith(" \r")


def test_nothing_without_a_terminal(tmp_path):
    path = slow_module(tmp_path)
    proc = subprocess.run([sys.executable, "-c", LOAD, str(path)], capture_output=True,
                          text=True, timeout=120,
                          env=dict(os.environ, WASMPORT_CACHE_DIR=str(tmp_path / "c"),
                                   WASMPORT_PROGRESS_AFTER="0"))
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "7\n", "")


def test_nothing_when_turned_off_or_quick(tmp_path):
    path = slow_module(tmp_path)
    seen, _ = on_terminal([sys.executable, "-c", LOAD, str(path)], tmp_path / "c",
                          WASMPORT_PROGRESS_AFTER="0", WASMPORT_PROGRESS="0")
    assert seen == ""
    quick = write(tmp_path, "quick.wat", '(module (func (export "f") (result i32) i32.const 7))')
    seen, _ = on_terminal([sys.executable, "-c", LOAD, str(quick)], tmp_path / "c")
    assert seen == ""  # well under the default second


def test_waiting_for_another_process_says_which(tmp_path):
    text = '(module (func (export "f") (result i32) i32.const 7))'
    path, cache = write(tmp_path, "m.wat", text), tmp_path / "c"
    digest = hashlib.sha256(wasmtime.wat2wasm(text)).hexdigest()
    lock = _codecache.CodeCache(str(cache)).compiling(EngineConfig().key(), digest, "m.wat")
    with lock:
        main, secondary = os.openpty()
        env = dict(os.environ, WASMPORT_CACHE_DIR=str(cache), WASMPORT_PROGRESS_AFTER="0")
        proc = subprocess.Popen([sys.executable, "-c", LOAD, str(path)], stderr=secondary,
                                stdout=subprocess.PIPE, env=env)
        os.close(secondary)
        seen = b""
        deadline = time.monotonic() + 60
        while b" s" not in seen and time.monotonic() < deadline:
            seen += os.read(main, 4096)
    proc.communicate(timeout=60)
    os.close(main)
    assert proc.returncode == 0
    assert f"waiting for process {os.getpid()} to compile m.wat (".encode() in seen


def test_cache_warm_shows_progress_on_a_terminal(tmp_path):
    path = slow_module(tmp_path)
    seen, out = on_terminal([sys.executable, "-m", "wasmport", "cache", "warm", str(path)],
                            tmp_path / "c", WASMPORT_PROGRESS_AFTER="0")
    assert TICK.search(seen)
    assert re.fullmatch(rf"{re.escape(str(path))}: compiled \(\d+\.\d (kB|MB)\) in \d+\.\d s\n",
                        out)


def test_the_line_fits_a_narrow_terminal(tmp_path):
    import fcntl
    import struct
    import termios

    path = slow_module(tmp_path)
    main, secondary = os.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 30, 0, 0))
    env = dict(os.environ, WASMPORT_CACHE_DIR=str(tmp_path / "c"), WASMPORT_PROGRESS_AFTER="0",
               NO_COLOR="1")
    proc = subprocess.Popen([sys.executable, "-c", LOAD, str(path)], stderr=secondary,
                            stdout=subprocess.PIPE, env=env)
    os.close(secondary)
    seen = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    proc.communicate(timeout=60)
    os.close(main)
    lines = [line.replace(b"\x1b[K", b"") for line in seen.split(b"\r") if line.strip()]
    assert lines and all(len(line) <= 29 for line in lines), lines
    assert re.fullmatch(rb"wasmport: compiling ?\.\.\. \d+\.\d s", lines[0]), lines  # seconds kept
