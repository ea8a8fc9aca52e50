"""Draw the chart of a sample commitment in breakdown into docs/chart.png (the README shows it).

    .venv/bin/python scripts/render_sample_chart.py [output.png]

The same code path as the app (`bot.charts`): the series from the pure coaching logic, drawn
by `render_chart`.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.charts.render import render_chart  # noqa: E402
from bot.charts.series import chart_series  # noqa: E402
from bot.coaching.trajectory import CommitmentFacts, Report  # noqa: E402

START = date(2026, 9, 1)
TODAY = date(2026, 11, 26)
SAMPLE = CommitmentFacts(
    baseline=120,
    target=300,
    start=START,
    due=date(2027, 3, 31),
    reports=tuple(
        Report(START + timedelta(days=days), value)
        for days, value in ((14, 131), (28, 138), (42, 150), (56, 149), (63, 158), (70, 163), (77, 166), (84, 171))
    ),
)


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent / "docs" / "chart.png"
    series = chart_series(SAMPLE, TODAY)
    png = render_chart(series, "#3 Weekly active teams", "teams")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(png)
    print(
        f"{out}: {len(png):,} bytes, verdict {series.verdict.value}, "
        f"projected {series.projected:.0f} against {SAMPLE.target:.0f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
