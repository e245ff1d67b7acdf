"""Where a server's time goes under load, re-read from a py-spy recording.

`python -m bench.run --profile` records the API under the first-page load
(bench/harness/profiling.py) and reports the samples of the event-loop thread by library
and by phase of the request (bench/harness/stacks.py). This reads such a recording again:

    python -m bench.profile bench/results/profile-first-page.txt
"""

from __future__ import annotations

import sys
from pathlib import Path

from bench.harness.stacks import analyse
from bench.report.profile import render


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "bench/results/profile-first-page.txt")
    print(render(analyse(path.read_text()), f"Profile: {path}"))


if __name__ == "__main__":
    main()
