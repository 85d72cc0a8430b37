"""The tools over a module's interface: stubs, inspect, compat (docs/cli.md)."""
