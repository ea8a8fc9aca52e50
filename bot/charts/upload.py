"""A commitment's chart into its home thread: load, draw, upload.

`upload_chart(client, services, commitment)` renders and uploads the chart into the
commitment's home thread. Call it after the request was acknowledged (it takes a moment);
a failure is logged and never reaches the person: the thread reads well without images.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from bot.charts.render import render_chart
from bot.charts.series import ChartSeries, chart_quantity, chart_series, short_title

log = logging.getLogger(__name__)


def chart_png(state, today: date, day_of) -> bytes:
    """The PNG of a stored commitment (a `storage.commitments.CommitmentState`) today."""
    from bot.commitments.facts import facts_of

    c = state.commitment
    return render_chart(chart_series(facts_of(state, day_of), today), f"#{c.number} {c.outcome}", c.unit)


def alt_text(c, series: ChartSeries) -> str:
    where = f"heading for {chart_quantity(series.projected, c.unit)} by {c.due.isoformat()}"
    committed = f"committed {chart_quantity(c.baseline, c.unit)} to {chart_quantity(c.target, c.unit)}"
    gap = f"; breakdown, a gap of {chart_quantity(series.gap.size, c.unit)}" if series.gap else ""
    return f"Chart of #{c.number}: {committed}, trajectory {where}{gap}."


def upload_chart(client, services, commitment, state=None) -> bool:
    """Render `commitment`'s chart and upload it into its home thread; False when it couldn't.

    For the status mention and each breakdown announcement. Slow (rendering, three Web API
    calls): only ever after the request was acknowledged. Never raises.
    """
    drawing = draw_chart(services, commitment, state)
    return drawing is not None and send_chart(client, drawing)


@dataclass(frozen=True)
class Drawing:
    commitment: object
    series: ChartSeries
    png: bytes


def draw_chart(services, commitment, state=None) -> Drawing | None:
    """The chart of `commitment`, drawn; None when it has no home thread or could not be drawn."""
    if not commitment.home_ts:
        return None
    try:
        from bot.commitments.facts import facts_of
        from storage import commitments as store

        state = state or store.load_state(services.db, commitment)
        series = chart_series(facts_of(state, services.day_of), services.today())
        png = render_chart(series, f"#{commitment.number} {commitment.outcome}", commitment.unit)
        return Drawing(commitment, series, png)
    except Exception:
        log.warning("could not draw the chart of commitment %s", commitment.id, exc_info=True)
        return None


def send_chart(client, drawing: Drawing) -> bool:
    """Upload a drawn chart into its commitment's home thread; False when it couldn't."""
    commitment = drawing.commitment
    try:
        client.files_upload_v2(
            channel=commitment.channel_id,
            thread_ts=commitment.home_ts,
            file=drawing.png,
            filename=f"commitment-{commitment.number}.png",
            title=short_title(f"#{commitment.number} {commitment.outcome}"),
            alt_txt=alt_text(commitment, drawing.series),
        )
        return True
    except Exception:
        log.warning("could not upload the chart of commitment %s", commitment.id, exc_info=True)
        return False
