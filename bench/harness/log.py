"""What the benchmark prints while it works: one prefixed line a step."""

from __future__ import annotations

from collections.abc import Callable


def logger(name: str) -> Callable[[str], None]:
    """A function printing `name: message` at once (the runs are long; nothing is buffered)."""

    def say(message: str) -> None:
        print(f"{name}: {message}", flush=True)

    return say


say = logger("bench")


def ms(value: float) -> str:
    """A latency in milliseconds: two decimals below 10 ms, one above."""
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"
