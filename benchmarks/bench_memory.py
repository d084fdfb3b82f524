"""Peak memory per MB of input: one message validated (XSD, rules, retour) in a fresh process.

Each workload runs in a child process of its own: it reads the message from a file, warms the schema
on a small message of the same type, notes its resident memory, then validates the message as the
worker does (parse once, XSD, the rules, the retour) and reports the peak (``ru_maxrss``). The
figure is (peak - before) / MB of input: the memory one message costs on top of a running gateway.

The hostile workloads show the bound: a document at the element limit costs what its tree costs,
one past it is refused by a count that builds no tree (issue 22 measured +216 MB per million
elements and 1.31 GB for three million).

Run: ``python benchmarks/bench_memory.py [--prestaties 20000] [--json OUT]``.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from gateway.generate import large_jw323

RESULTS = Path(__file__).resolve().parent / "results" / "bench_memory.json"

_CHILD = """
import json, resource, sys
from pathlib import Path
from gateway.generate import large_jw323
from workers.stages.validate import validate_payload

def rss_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0

validate_payload(large_jw323(5, seed=9))  # schema compiled, rules imported
data = Path(sys.argv[1]).read_bytes()
before = rss_mb()
outcome = validate_payload(data)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"before_mb": before, "peak_mb": peak, "findings": outcome.inspection.result.total,
                  "status": str(outcome.status)}))
"""


def _faulty(data: bytes) -> bytes:
    def more(match: re.Match[bytes]) -> bytes:
        return b"<ijw:Bedrag>%d</ijw:Bedrag>" % (int(match.group(1)) + 1)

    return re.sub(rb"<ijw:Bedrag>(\d+)</ijw:Bedrag>", more, data)


def measure(data: bytes) -> dict[str, float]:
    """Peak RSS of validating ``data`` in a fresh process, and per MB of input."""
    with tempfile.NamedTemporaryFile(suffix=".xml") as handle:
        handle.write(data)
        handle.flush()
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, handle.name], capture_output=True, check=True, text=True
        ).stdout
    figures: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    mb = len(data) / 1e6
    figures["input_mb"] = mb
    figures["extra_mb_per_input_mb"] = (figures["peak_mb"] - figures["before_mb"]) / mb
    return figures


def main() -> None:
    """Measure and print the table the notes quote."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--prestaties", type=int, default=20_000)
    parser.add_argument("--json", type=Path, default=RESULTS)
    args = parser.parse_args()
    clean = large_jw323(args.prestaties, seed=1)
    workloads = {
        f"JW323 {args.prestaties} Prestaties (valid)": clean,
        f"JW323 {args.prestaties} Prestaties, a finding each": _faulty(clean),
        "hostile: 999,999 empty elements (at the element limit)": b"<a>" + b"<b/>" * 999_998 + b"</a>",
        "hostile: 3,000,000 empty elements (refused before the tree)": b"<a>" + b"<b/>" * 2_999_999 + b"</a>",
    }
    results = {name: measure(data) for name, data in workloads.items()}
    print("| workload | input MB | RSS before MB | peak RSS MB | extra MB per input MB | findings |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        print(
            f"| {name} | {r['input_mb']:.1f} | {r['before_mb']:.0f} | {r['peak_mb']:.0f} | "
            f"{r['extra_mb_per_input_mb']:.1f} | {int(r['findings']):,} |"
        )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
