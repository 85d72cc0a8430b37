"""The benchmarks work (quick mode); their figures are judged in bench/RESULTS.md, not here."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_quick_benchmarks_print_every_goal(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--quick",
                           "--markdown", str(tmp_path / "results.md")],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    core, components = proc.stdout.split("\n## Components\n")
    rows = [line for line in core.splitlines() if line.startswith("| ")]
    goals = {line.split("|")[1].strip() for line in rows[1:]}
    assert goals == {"1", "2", "3", "4", "5", "6", "7", "16"}
    assert all(line.count("|") == 9 for line in rows)
    component_rows = [line for line in components.splitlines() if line.startswith("| ")]
    assert len(component_rows) == 1 + 5  # the head and the five goals
    written = (tmp_path / "results.md").read_text()
    assert written.count("\n| ") == len(rows) + len(component_rows)


def test_the_component_benchmark_prints_every_goal(tmp_path):
    out = tmp_path / "components.md"
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_components.py"),
                           "--quick", "--markdown", str(out)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| ")][1:]
    assert [row.split("|")[1].strip() for row in rows] == [
        "add(u32, u32) -> u32", "echo(string) 1 KiB", "record in and out", "host import call",
        "add(u32, u32) -> u32 vs wasmport's core-module add(i32, i32)"]
    assert all(row.split("|")[6].strip() in ("YES", "NO") for row in rows)
    assert out.read_text().startswith("## Components\n") and proc.stdout in out.read_text()
