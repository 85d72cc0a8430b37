"""``wasmport check``: exit codes, one location-first line per problem, the realm options
(--realm, --import-map, --allow, --wasi), --json; in process and as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wasmport._cli.main import main
from wasmtest import write

START_MARKS = """(module
  (import "hooks" "mark" (func $mark))
  {imports}
  (func $start (call $mark) unreachable)
  (start $start)
  (func (export "_initialize") (call $mark) unreachable))"""

HOST = """\
import wasmport
from wasmport.types import Int32

class Log(wasmport.HostModule, name="log"):
    def __init__(self):
        raise RuntimeError("checking must not make the host object")

    @wasmport.export
    def line(self, code: Int32) -> None: ...

def make_realm():
    return wasmport.Realm(host_modules=[Log], import_map={"cfg": {"limit": 10}}, name="host")

NOT_A_REALM = 42

def broken():
    raise KeyError("no config")
"""


@pytest.fixture
def project(tmp_path: Path, isolated_imports: None, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A plugin host's project: the current directory holds hostapp.py and plugins."""
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "ran"
    write(tmp_path, "hostapp.py", HOST)
    write(tmp_path, "hooks.py", f"__wasm_exports__ = ['mark']\ndef mark():\n"
                                f"    open({str(marker)!r}, 'w').close()\n")
    write(tmp_path, "plugin.wat", START_MARKS.format(imports=(
        '(import "log" "line" (func (param i32))) (import "cfg" "limit" (global i32))')))
    sys.path.insert(0, str(tmp_path))  # hooks.py, as PYTHONPATH=. would
    return tmp_path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_ok_with_the_hosts_realm_and_nothing_runs(project: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["check", "plugin.wat", "--realm", "hostapp:make_realm"], capsys)
    assert (code, err) == (0, "")
    assert out == (f"{project / 'plugin.wat'}: ok: 3 imports of 1 module resolve in realm "
                   "'host'; nothing ran\n")
    assert not (project / "ran").exists()  # no start, no _initialize, no Log()


def test_problems_one_line_each_location_first(project: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["check", "plugin.wat"], capsys)
    where = project / "plugin.wat"
    assert code == 1
    assert out.splitlines() == [
        f'{where}: import "log"."line": no module \'log\' provides it; give it in the '
        "realm's import_map, register a host module named 'log', or add a module log.wasm "
        "or an opted-in Python module to the path",
        f'{where}: import "cfg"."limit": no module \'cfg\' provides it; give it in the '
        "realm's import_map, register a host module named 'cfg', or add a module cfg.wasm "
        "or an opted-in Python module to the path"]
    assert err == "wasmport check: 2 problems (3 imports of 1 module checked in realm " \
                  "'default')\n"


def test_an_import_map_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "maps/impl/log.wat", '(module (func (export "line") (param i32)))')
    write(project, "maps/impl/cfg.wat", '(module (global (export "limit") i64 (i64.const 1)))')
    write(project, "maps/flat.json", json.dumps({"log": "./impl/log.wat",
                                                 "cfg": "./impl/cfg.wat"}))
    code, out, _ = run(["check", "plugin.wat", "--import-map", "maps/flat.json"], capsys)
    assert code == 1
    (line,) = out.splitlines()  # the log entry resolves from the map's directory
    assert line.endswith('import "cfg"."limit": expected global i32, found global i64; give '
                         "a wasmport.Global of type global i32")
    write(project, "maps/browser.json", json.dumps({"imports": {"log": "./impl/log.wat"}}))
    code, out, _ = run(["check", "plugin.wat", "--realm", "hostapp:make_realm",
                        "--import-map", "maps/browser.json"], capsys)
    assert (code, out.split(": ")[1]) == (0, "ok")  # over the host's realm, log replaced


def test_allow_narrows_what_may_be_imported(project: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", "plugin.wat", "--realm", "hostapp:make_realm",
                        "--allow", "log", "hooks"], capsys)
    assert code == 1
    assert out.splitlines() == [
        f'{project / "plugin.wat"}: import "cfg"."limit": realm \'host\' does not allow imports '
        "from 'cfg'; add 'cfg' to the realm's allow_imports (Realm(allow_imports=[...]))"]


def test_wasi_and_json(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "cmd.wat", '(module (import "wasi_snapshot_preview1" "proc_exit" '
                              "(func (param i32))))")
    assert run(["check", "cmd.wat"], capsys)[0] == 1
    code, out, _ = run(["check", "cmd.wat", "--wasi", "--json"], capsys)
    report = json.loads(out)
    assert (code, report["ok"], report["schema"], report["problems"]) == (0, True, 1, [])
    (imp,) = report["modules"][0]["imports"]
    assert imp == {"module": "wasi_snapshot_preview1", "name": "proc_exit",
                   "type": "func (i32) -> nil",
                   "resolution": {"by": "wasi", "detail": "WASI of realm 'default'",
                                  "file": None, "ok": True, "error": None, "error_type": None,
                                  "inherited": False, "note": None}}


def test_a_module_name_in_a_package_that_is_not_run(project: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "plugins/__init__.py", f"open({str(project / 'ran')!r}, 'w').close()\n")
    write(project, "plugins/util.wat", '(module (func (export "f")))')
    write(project, "plugins/main.wat", '(module (import ".util" "f" (func)))')
    code, out, _ = run(["check", "plugins.main"], capsys)
    assert (code, out.split(": ")[1]) == (0, "ok")  # .util: relative to its package
    assert not (project / "ran").exists()


USAGE = [
    (["check", "missing.wasm"], "missing.wasm: no such file"),
    (["check", "plugin.wat", "--realm", "hostapp"], "give MODULE:FACTORY"),
    (["check", "plugin.wat", "--realm", "nowhere:f"], "No module named 'nowhere'"),
    (["check", "plugin.wat", "--realm", "hostapp:nothing"], "has no attribute 'nothing'"),
    (["check", "plugin.wat", "--realm", "hostapp:NOT_A_REALM"], "gave int 42, not a "
                                                                 "wasmport.Realm"),
    (["check", "plugin.wat", "--realm", "hostapp:broken"], "broken() raised KeyError: "
                                                           "'no config'"),
    (["check", "plugin.wat", "--realm", "hostapp:make_realm", "--wasi"], "not both"),
    (["check", "plugin.wat", "--import-map", "nope.json"], "cannot read it"),
    (["check", "plugin.wat", "--import-map", "bad.json"], "give an object of import module"),
    (["check", "plugin.wat", "--import-map", "scopes.json"], "not scopes"),
]


@pytest.mark.parametrize(("argv", "message"), USAGE, ids=[" ".join(u[0][1:]) for u in USAGE])
def test_usage_errors_exit_2(project: Path, capsys: pytest.CaptureFixture[str],
                             argv: list[str], message: str) -> None:
    write(project, "bad.json", json.dumps({"log": 3}))
    write(project, "scopes.json", json.dumps({"imports": {}, "scopes": {}}))
    code, out, err = run(argv, capsys)
    assert (code, out) == (2, "")
    assert err.startswith("wasmport: error: ") and message in err and err.count("\n") == 1


def test_a_component_is_checked_against_the_realm(project: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    (project / "empty.wasm").write_bytes(b"\0asm\x0d\x00\x01\x00")
    assert run(["check", "empty.wasm"], capsys)[:2] == (0, f"{project / 'empty.wasm'}: ok: "
                                                       "0 imports of 1 module resolve in realm "
                                                       "'default'; nothing ran\n")
    calc = Path(__file__).parents[1] / "fixtures" / "components" / "calc" / "calc.wasm"
    code, out, _ = run(["check", str(calc)], capsys)
    assert code == 1 and "import 'tick' (a function) is not provided" in out


def test_a_module_that_does_not_compile_is_a_problem(project: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    (project / "broken.wasm").write_bytes(b"\0asm\x01\0\0\0\x01")
    code, out, _ = run(["check", "broken.wasm"], capsys)
    assert code == 1 and out.startswith(f"{project / 'broken.wasm'}: invalid module")


def test_inspect_says_how_each_import_resolves(project: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["inspect", "plugin.wat", "--realm", "hostapp:make_realm"], capsys)
    assert code == 0
    rows = [line.split() for line in out.splitlines() if line.startswith('  "')]
    assert [row[0] for row in rows] == ['"hooks"."mark"', '"log"."line"', '"cfg"."limit"']
    assert [" ".join(row[row.index("<-"):]) for row in rows] == [
        f"<- Python module 'hooks' ({project / 'hooks.py'})", "<- host module 'log'",
        "<- import map entry 'cfg'"]
    assert "imports (3), resolved as realm 'host' would" in out
    code, out, _ = run(["inspect", "plugin.wat"], capsys)
    assert "<- FAILS: no module 'log' provides it; give it in the realm's import_map" in out
    assert not (project / "ran").exists()
    code, out, _ = run(["inspect", "--json", "--no-resolve", "plugin.wat"], capsys)
    assert [i["resolution"] for i in json.loads(out)["imports"]] == [None] * 3
    assert run(["inspect", "plugin.wat", "--no-resolve", "--wasi"], capsys)[0] == 2


def _process(project: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run([sys.executable, "-m", "wasmport", *argv], cwd=project, env=env,
                          capture_output=True, text=True, timeout=120)


def test_as_a_real_process(project: Path) -> None:
    done = _process(project, "check", "plugin.wat", "--realm", "hostapp:make_realm")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.endswith("ok: 3 imports of 1 module resolve in realm 'host'; "
                                "nothing ran\n")
    failed = _process(project, "check", "plugin.wat", "--allow", "hooks")
    assert failed.returncode == 1
    assert [line.split(": ")[1] for line in failed.stdout.splitlines()] == [
        'import "log"."line"', 'import "cfg"."limit"']
    assert "does not allow imports from 'log'" in failed.stdout
    usage = _process(project, "check", "plugin.wat", "--realm", "hostapp:NOT_A_REALM")
    assert (usage.returncode, usage.stdout) == (2, "")
    assert not (project / "ran").exists()
