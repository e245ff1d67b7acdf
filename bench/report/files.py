"""Writing a report to bench/results/."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from bench.harness.log import say
from bench.harness.settings import RESULTS_DIR


def stamp() -> str:
    """The UTC minute that names a run's files."""
    return datetime.now(UTC).strftime("%Y-%m-%d-%H%M")


def save(name: str, markdown: str, figures: dict[str, Any]) -> None:
    """bench/results/`name`.md and `name`.json."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / f"{name}.md").write_text(markdown)
    (RESULTS_DIR / f"{name}.json").write_text(json.dumps(figures, indent=2) + "\n")
    say(f"wrote bench/results/{name}.md and .json")
