"""A py-spy profile (bench.harness.stacks) as markdown tables."""

from __future__ import annotations

from bench.harness.stacks import PHASES, Profile


def render(profile: Profile, title: str) -> str:
    lines = [
        f"## {title}",
        "",
        f"{profile.samples:,} samples of the event-loop thread (py-spy, idle time excluded).",
        "",
        "| Library (self time: frame on top of the stack) | Share |",
        "|---|---:|",
        *(f"| {k} | {profile.share(v)} |" for k, v in profile.libraries.most_common()),
        "",
        "| Phase (inclusive) | Share |",
        "|---|---:|",
        *(
            f"| {label.replace('  ', '&nbsp;&nbsp;')} | {profile.share(profile.phases[label])} |"
            for label, _, _ in PHASES
        ),
        "",
        "| Top functions, inclusive | Share |",
        "|---|---:|",
        *(
            f"| `{k}` | {profile.share(v)} |"
            for k, v in profile.inclusive.most_common(60)
            if "uvicorn/" not in k and "runpy" not in k and "click/" not in k
        ),
        "",
        "| Top functions, self | Share |",
        "|---|---:|",
        *(f"| `{k}` | {profile.share(v)} |" for k, v in profile.self_time.most_common(25)),
        "",
    ]
    if profile.recordings:
        lines += ["Recordings: " + ", ".join(f"`{r}`" for r in profile.recordings), ""]
    return "\n".join(lines)
