"""``python -m wasmport ...``: the same command line as the ``wasmport`` script."""

from ._cli.main import main

raise SystemExit(main())
