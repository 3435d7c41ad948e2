"""Keystrokes per scenario: the same typed scenarios as tests/tui/test_scenarios.py.

    python benchmarks/keystrokes.py

Each scenario runs on a fresh seeded in-memory database with a fixed clock; every key
pressed is counted (typing ``st36`` is four keystrokes). Exits non-zero when a target
from the issue is missed.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "tui"))

import tui_scenarios  # noqa: E402


async def measure() -> list[tuple[str, int, int | None]]:
    results = []
    for scenario in tui_scenarios.SCENARIOS:
        app, count = await tui_scenarios.play(scenario)
        app.store.close()
        results.append((scenario.name, count, scenario.target))
    return results


def main() -> int:
    results = asyncio.run(measure())
    width = max(len(name) for name, _, _ in results)
    print(f"{'scenario'.ljust(width)}  keystrokes  target  ok")
    missed = 0
    for name, count, target in results:
        ok = target is None or count <= target
        missed += not ok
        shown = f"<= {target}" if target is not None else "-"
        print(f"{name.ljust(width)}  {count:>10}  {shown:>6}  {'yes' if ok else 'NO'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
