"""Worker threads compile XSDs at the same moment: the first compiles in a process must not race.

libxml2 sets up its table of built-in XSD types lazily on the first schema compile, without a
lock; three worker threads starting together corrupted it ("the given type is not a built-in
type", sometimes a crash), leaving a job leased. Only the first compile in a process can race,
so each attempt runs in a fresh interpreter; without the fix about half of them fail.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = """
import threading
from gateway.schemas import SchemaRegistry

registries = [SchemaRegistry() for _ in range(8)]
entry = registries[0].entries()[0]
errors = []
barrier = threading.Barrier(len(registries))

def compile_in_thread(registry):
    barrier.wait()
    try:
        registry.schema_for(entry)
    except Exception as exc:
        errors.append(type(exc).__name__)

threads = [threading.Thread(target=compile_in_thread, args=(r,)) for r in registries]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(len(errors))
"""


@pytest.mark.parametrize("attempt", range(5))
def test_first_schema_compiles_in_eight_threads_at_once_all_succeed(attempt: int) -> None:
    del attempt
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "0"
