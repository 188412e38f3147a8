"""`make bench [NAME=…]`: run every benchmark of the suite, or the one named.

A benchmark is a module ``bench/<name>.py`` with a ``main()`` that runs it, writes
``bench/results/<name>.json`` and its table between ``<!-- bench:<name>:… -->`` markers in
``docs/benchmarks.md``. Every such file is in the suite (this runner and helper modules whose
names start with ``_`` aside): a new benchmark plugs in by being a file here. Each runs in its
own process, one after another, so none inherits another's state; one failing fails the run
but the others still run.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def suite() -> list[str]:
    return sorted(
        p.stem for p in HERE.glob("*.py") if p.stem != "run" and not p.stem.startswith("_")
    )


def main(argv: list[str]) -> int:
    names = [n for arg in argv for n in arg.replace(",", " ").split()] or suite()
    unknown = sorted(set(names) - set(suite()))
    if unknown:
        print(f"no such benchmark: {', '.join(unknown)} (the suite: {', '.join(suite())})")
        return 2
    failed = []
    for name in names:
        start = time.monotonic()
        print(f"=== bench {name}", flush=True)
        code = subprocess.call([sys.executable, str(HERE / f"{name}.py")])
        print(f"=== bench {name}: exit {code} after {time.monotonic() - start:.0f} s", flush=True)
        if code:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
