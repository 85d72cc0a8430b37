"""The WebAssembly spec testsuite, run through wasmport (see harness.py)."""
