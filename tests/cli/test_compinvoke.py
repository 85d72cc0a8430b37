"""``wasmport run COMPONENT --invoke 'f(...)'``: WAVE arguments in, the WAVE result out.

The committed fixture tests/fixtures/components/values echoes one value of every WIT
type, so each case checks the reading of the arguments, the call and the printing of
the result at once.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from wasmport._cli.main import main

VALUES = str(Path(__file__).parent.parent / "fixtures" / "components" / "values" / "values.wasm")

ECHOES = [  # (function, argument as given, result as printed)
    ("echo-bool", "true", "true"),
    ("echo-s8", "-128", "-128"),
    ("echo-u16", "65535", "65535"),
    ("echo-s64", "-9223372036854775808", "-9223372036854775808"),
    ("echo-u64", "18446744073709551615", "18446744073709551615"),
    ("echo-f32", "0.1", "0.1"),
    ("echo-f32", "3.4028234663852886e38", "3.4028235e+38"),
    ("echo-f32", "1e-45", "1e-45"),
    ("echo-f64", "6.022e+23", "6.022e+23"),
    ("echo-f64", "-inf", "-inf"),
    ("echo-f64", "nan", "nan"),
    ("echo-char", "'\\u{1F600}'", "'\U0001f600'"),
    ("echo-char", "'\\''", "'\\''"),
    ("echo-string", '"tab\\there \\"q\\" \\u{0}"', '"tab\\there \\"q\\" \\u{0}"'),
    ("echo-string", '"ünïcödé ✓"', '"ünïcödé ✓"'),
    ("echo-bytes", "[0, 1, 255]", "[0, 1, 255]"),
    ("echo-strings", '["a", "b",]', '["a", "b"]'),
    ("echo-points", "[{x: 1, y: -2}, {y: 4, x: 3}]", "[{x: 1, y: -2}, {x: 3, y: 4}]"),
    ("echo-person", '{name: "Ann", age: 30, tags: []}',
     '{name: "Ann", age: 30, tags: [], home: none}'),
    ("echo-person", '{name: "Bo", age: 1, tags: ["x"], home: some({x: 0, y: 0})}',
     '{name: "Bo", age: 1, tags: ["x"], home: some({x: 0, y: 0})}'),
    ("echo-tuple", '(1, "s", 2.5)', '(1, "s", 2.5)'),
    ("echo-shape", "circle(2.5)", "circle(2.5)"),
    ("echo-shape", "rect({x: 1, y: 2})", "rect({x: 1, y: 2})"),
    ("echo-shape", "%none", "%none"),
    ("echo-color", "dark-blue", "dark-blue"),
    ("echo-perms", "{exec, read}", "{read, exec}"),
    ("echo-perms", "{}", "{}"),
    ("echo-option", "7", "some(7)"),
    ("echo-option", "some(7)", "some(7)"),
    ("echo-option", "none", "none"),
    ("echo-nested", "some(none)", "some(none)"),
    ("echo-nested", "some(some(3))", "some(some(3))"),
    ("echo-results", "[ok(1), err(green)]", "[ok(1), err(green)]"),
    ("echo-result", "ok(3)", "ok(3)"),
    ("echo-result", "3", "ok(3)"),
    ("echo-unit", "ok", "ok"),
]


def invoke(capsys: pytest.CaptureFixture[str], call: str, *words: str) -> tuple[int, str, str]:
    code = main(["run", VALUES, "--invoke", call, *words])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("func", "given", "printed"), ECHOES)
def test_every_type_in_and_out(capsys: pytest.CaptureFixture[str], func: str, given: str,
                               printed: str) -> None:
    assert invoke(capsys, f"echo#{func}({given})") == (0, printed + "\n", "")


@pytest.mark.parametrize("name", ["echo#echo-u8", "echo.echo-u8", "test:values/echo#echo-u8",
                                  "test:values/echo@1.0.0#echo-u8"])
def test_the_ways_to_name_an_interface_function(capsys: pytest.CaptureFixture[str],
                                                name: str) -> None:
    assert invoke(capsys, f"  {name}( 42 )  // a comment") == (0, "42\n", "")


def test_an_error_result_prints_err_and_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert invoke(capsys, 'echo#echo-result(err("no way"))') == (1, 'err("no way")\n', "")
    assert invoke(capsys, "echo#echo-unit(err)") == (1, "err\n", "")


BAD = [  # (call text, column, what the message says)
    ("echo#echo-u8(300)", 14, "300 is out of range for u8 (0..255)"),
    ("echo#echo-u8(-1)", 14, "-1 is out of range for u8"),
    ("echo#echo-s32(1.5)", 15, "expected an integer (s32), got '1.5'"),
    ("echo#echo-u32(007)", 16, "echo#echo-u32 takes 1 parameter; expected ')', got '07)'"),
    ("echo#echo-bool(yes)", 16, "expected true or false, got 'yes'"),
    ("echo#echo-char('ab')", 16, "a char is one character, got 2"),
    ('echo#echo-string("abc)', 23, "unterminated string"),
    ('echo#echo-string("\\q")', 19, "a bad escape"),
    ("echo#echo-char('\\u{d800}')", 17, "\\u{d800} is not a Unicode scalar value"),
    ("echo#echo-points([{x: 1}])", 19, "record point needs field 'y'"),
    ("echo#echo-points([{x: 1, y: 2, z: 3}])", 32, "record point has no field 'z'"),
    ("echo#echo-points([{x: 1, x: 2}])", 26, "field 'x' given twice"),
    ("echo#echo-color(purple)", 17, "enum color has no case 'purple'"),
    ("echo#echo-shape(none)", 17, "'none' is a WAVE keyword; a case of that name is written %none"),
    ("echo#echo-shape(circle)", 23, "expected '(' and the value of case 'circle'"),
    ("echo#echo-perms({read, fly})", 24, "flags perms has no flag 'fly'"),
    ("echo#echo-nested(3)", 18, "a nested option is written some(...) or none"),
    ('echo#echo-tuple((1, "s"))', 24, "expected ','"),
    ("echo#echo-bytes([1, 2)", 22, "expected ','"),
    ("echo#echo-u8(1, 2)", 17, "echo#echo-u8 takes 1 parameter; expected ')', got '2)'"),
    ("echo#echo-u8()", 14, "expected a number (u8)"),
    ("echo#echo-u8", 13, "expected '(' and the 1 argument(s) of echo#echo-u8"),
    ("echo#echo-u8(1) x", 17, "unexpected 'x' after the value"),
    ("echo#nope(1)", 1, "no exported function 'echo#nope'; the component exports echo#echo-bool"),
    ("(1)", 1, "expected the name of an exported function"),
]


@pytest.mark.parametrize(("call", "column", "message"), BAD)
def test_bad_input_is_a_usage_error_with_its_column(capsys: pytest.CaptureFixture[str],
                                                    call: str, column: int,
                                                    message: str) -> None:
    code, out, err = invoke(capsys, call)
    assert (code, out) == (2, "")
    assert f"--invoke {call!r}: at column {column}: {message}" in err, err
    assert err.count("\n") == 1  # one line, location first


def test_words_after_the_call_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = invoke(capsys, "echo#echo-u8", "3")
    assert code == 2 and "WAVE values inside the call text" in err


def test_a_real_process(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "wasmport", "run", VALUES, "--invoke",
                           'echo#echo-person({name: "Zoë", age: 7, tags: ["a b"]})'],
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == \
        (0, '{name: "Zoë", age: 7, tags: ["a b"], home: none}\n'), done.stderr
    bad = subprocess.run([sys.executable, "-m", "wasmport", "run", VALUES, "--invoke",
                          "echo#echo-u8(256)"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "out of range for u8" in bad.stderr


def test_a_bare_name_is_found_in_the_one_interface_that_has_it(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert invoke(capsys, "echo-u8(42)") == (0, "42\n", "")  # as wasmtime run --invoke


def test_trailing_none_arguments_may_be_left_out(capsys: pytest.CaptureFixture[str]) -> None:
    assert invoke(capsys, "echo#echo-option()") == (0, "none\n", "")
    code, _, err = invoke(capsys, "echo#echo-option(,)")
    assert code == 2 and "at column 18: expected a number (u32)" in err


AMBIGUOUS_WIT = """package t:amb;
interface a { f: func() -> u32; }
interface b { f: func() -> u32; }
world w { export a; export b; }
"""


def test_a_bare_name_two_interfaces_export_is_refused_naming_both(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.components.conftest import wasm_tools
    tools = wasm_tools()
    (tmp_path / "w.wit").write_text(AMBIGUOUS_WIT)
    subprocess.run([tools, "component", "embed", "--dummy", str(tmp_path / "w.wit"), "-w", "w",
                    "-o", str(tmp_path / "e.wasm")], check=True)
    subprocess.run([tools, "component", "new", str(tmp_path / "e.wasm"), "-o",
                    str(tmp_path / "amb.wasm")], check=True)
    assert main(["run", str(tmp_path / "amb.wasm"), "--invoke", "f()"]) == 2
    assert ("at column 1: 'f' is exported by more than one interface: name one, as a#f or b#f"
            in capsys.readouterr().err)
