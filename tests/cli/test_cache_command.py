import subprocess
import sys

import wasmport
from wasmport._cli.main import main
from wasmtest import write


def test_cache_info_counts_entries_and_clear_empties(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WASMPORT_CACHE_DIR", str(tmp_path / "cache"))
    path = write(tmp_path, "cached.wat", '(module (func (export "f") (result i32) i32.const 1))')
    with wasmport.Realm() as realm:
        assert wasmport.load(str(path), realm=realm).f() == 1
    assert main(["cache", "info"]) == 0
    out = capsys.readouterr().out
    assert f"directory: {tmp_path / 'cache'}" in out
    assert "entries: 1 " in out and "cache: on" in out
    assert main(["cache", "clear"]) == 0
    assert "removed 3 files" in capsys.readouterr().out
    assert main(["cache", "info"]) == 0
    assert "entries: 0 " in capsys.readouterr().out


def test_cache_info_says_when_it_is_off(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WASMPORT_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("WASMPORT_CACHE", "0")
    assert main(["cache", "info"]) == 0
    assert "cache: off (WASMPORT_CACHE=0)" in capsys.readouterr().out


def test_cache_needs_an_action():
    proc = subprocess.run([sys.executable, "-m", "wasmport", "cache"], capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 2
    assert "ACTION" in proc.stderr
