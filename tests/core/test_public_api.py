import subprocess
import sys
import textwrap

import wasmport


def test_all_is_sorted_and_complete():
    public = {n for n in vars(wasmport) if not n.startswith("_") and n not in ("annotations",)}
    modules = {n for n in public if type(getattr(wasmport, n)).__name__ == "module"}
    assert wasmport.__all__ == sorted(wasmport.__all__)
    assert set(wasmport.__all__) == public - modules


def test_every_public_name_resolves():
    for name in wasmport.__all__:
        assert getattr(wasmport, name) is not None, name


def test_importing_wasmport_changes_nothing():
    code = textwrap.dedent("""
        import sys
        before = list(sys.meta_path), list(sys.path), list(sys.path_hooks)
        import wasmport, wasmport._realm.default as r
        after = list(sys.meta_path), list(sys.path), list(sys.path_hooks)
        assert before == after, (before, after)
        assert r._default is None, "a realm was created at import"
        assert not wasmport.is_installed()
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
    assert out.stderr == ""


def test_error_tree_subclasses_builtins():
    assert issubclass(wasmport.CompileError, ImportError)
    assert issubclass(wasmport.LinkError, ImportError)
    for sub in (wasmport.UnknownImportError, wasmport.IncompatibleImportError,
                wasmport.ImportRefusedError, wasmport.ImportCycleError):
        assert issubclass(sub, wasmport.LinkError)
    assert issubclass(wasmport.Trap, RuntimeError)
    assert issubclass(wasmport.MemoryAccessError, IndexError)
    for name in wasmport.__all__:
        obj = getattr(wasmport, name)
        if isinstance(obj, type) and issubclass(obj, BaseException) and name != "Err":
            assert issubclass(obj, wasmport.WasmportError), name
    # Err is a value (a guest's error result), raised to be caught by the caller:
    # ``except WasmportError`` must not swallow a component's domain errors.
    assert not issubclass(wasmport.Err, wasmport.WasmportError)
    assert issubclass(wasmport.InstancePoisonedError, wasmport.Trap)
    assert issubclass(wasmport.ResourceDroppedError, ValueError)


def test_debug_info_names_the_call_layer_and_why_others_are_off():
    code = "import wasmport, json; print(json.dumps(wasmport.__debug_info__()))"
    import json
    import os

    base = {k: v for k, v in os.environ.items() if not k.startswith("WASMPORT_NO_")}
    for env, layer in (({}, None), ({"WASMPORT_NO_NATIVE": "1"}, "ctypes"),
                       ({"WASMPORT_NO_FAST": "1"}, "checked")):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env={**base, **env}, check=True)
        info = json.loads(out.stdout)
        assert info["wasmtime"].startswith("50.") and info["call layer"] in (
            "native", "ctypes", "checked")
        if layer is not None:
            assert info["call layer"] == layer and info["layers off"]
            assert "WASMPORT_NO_" in " ".join(info["layers off"].values())
