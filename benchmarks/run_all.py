"""Run every benchmark in this folder, one after the other, in one go.

    python benchmarks/run_all.py [--only validate,api]

Each ``bench_*.py`` prints its markdown table and writes ``benchmarks/results/<name>.json``;
this script only sequences them (one at a time, so they do not compete for the two cores)
and stops with the first failure's exit code.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    """Run the selected benchmarks; return the first non-zero exit code, else 0."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default="", help="comma-separated names, e.g. validate,api")
    args = parser.parse_args()
    wanted = {name.strip() for name in args.only.split(",") if name.strip()}
    scripts = sorted(HERE.glob("bench_*.py"))
    if wanted:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in wanted]
    for script in scripts:
        print(f"\n## {script.stem}\n", flush=True)
        code = subprocess.call([sys.executable, str(script)])
        if code:
            return code
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
