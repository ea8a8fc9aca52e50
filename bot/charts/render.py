"""Drawing a chart's series into an 800×450 PNG with matplotlib's Agg canvas (object-oriented
API, no pyplot global state). matplotlib is imported on first use, so the app starts fast."""

from __future__ import annotations

import io
import threading
from datetime import timedelta

from bot.charts.series import ChartSeries, chart_quantity, short_title
from bot.coaching.trajectory import Verdict

WIDTH_PX = 800
HEIGHT_PX = 450
DPI = 100


# matplotlib's object-oriented API keeps no global figure state, but its font and text
# caches are shared, and every chart reuses one figure (`_blank_figure`): one chart at a time
# (a chart takes ~0.1 s).
_render_lock = threading.Lock()


# --- drawing ------------------------------------------------------------------------------------

INK = "#1d1c1d"
MUTED = "#616061"
COMMITTED = "#1264a3"
TRAJECTORY_OK = "#2eb67d"
TRAJECTORY_SHORT = "#e01e5a"
REPORTS = "#1d1c1d"
GRID = "#e8e8e8"


def _plain(text: str) -> str:
    """Text drawn as typed: a `$` in a person's text must not switch matplotlib to math."""
    return text.replace("$", r"\$")


# Fixed margins, in pixels of the 800×450 canvas. Constrained layout would fit them to the text,
# but it draws the whole figure once more per PNG (~40% of a chart's time); these are sized for
# what the chart holds: one title line above the axes, the x tick labels and two legend rows
# below. The left margin follows the widest y tick label and the right one the gap's label:
# both are measured (one text metric each), not laid out.
TOP_PX = 30  # the title line (13 pt) over its 6 pt pad
RIGHT_PX = 16  # half a date label past the last tick
EDGE_PX = 4  # between a label and the image's edge
BOTTOM_PX = 74  # ticks, x tick labels (9 pt), two legend rows (8 pt)
X_OFFSET_PX = 13  # the date formatter's offset line ("2026-Nov") under a short range's labels
LEFT_PAD_PX = 34  # the y label (10 pt, rotated), its pad, the ticks and their pad
TICK_FONT_PT = 9
TITLE_FONT_PT = 13
VERDICT_FONT_PT = 10
TITLE_GAP_PX = 12  # between the title and the verdict on its right
GAP_FONT_PT = 9
GAP_OFFSET_PT = 6
PNG_COMPRESSION = 1  # zlib level: 6 (Pillow's default) takes ~1.4× as long for a ~5% smaller file

# One figure, reused by every chart (under `_render_lock`): building a figure and its axes and
# drawing them the first time (ticks, spines) costs ~20–30 ms; emptying them next to nothing.
# A chart sets everything it draws, so the bytes are the same as from a new figure.
_template = None


def _blank_figure():
    """The shared figure with empty axes: what every chart has in common is set up once."""
    global _template
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if _template is None:
        figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, facecolor="white")
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        axes.grid(True, color=GRID, linewidth=0.8)
        axes.set_axisbelow(True)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        axes.tick_params(colors=MUTED, labelsize=TICK_FONT_PT)
        # plain numbers on y: no "1e6" offset over the axes, where the title is
        axes.ticklabel_format(axis="y", style="plain", useOffset=False)
        _template = figure, axes
    figure, axes = _template
    for artist in [*axes.lines, *axes.texts, *axes.patches, *axes.collections, *figure.legends]:
        artist.remove()
    return figure, axes


def _text_width(renderer, lines, size: float, weight: str = "normal") -> float:
    """Width in pixels of the widest of `lines` in the default font."""
    from matplotlib.font_manager import FontProperties

    font = FontProperties(size=size, weight=weight)
    return max((renderer.get_text_width_height_descent(line, font, ismath=False)[0] for line in lines), default=0.0)


def _fitted(renderer, title: str, size: float, room: float) -> str:
    """`title`, cut short with "…" where it would be wider than `room` pixels."""
    if _text_width(renderer, [title], size) <= room:
        return title
    fits, longest = 0, len(title) - 1  # title[:fits] + "…" fits; look for the longest such cut
    while fits < longest:
        n = (fits + longest + 1) // 2
        if _text_width(renderer, [title[:n].rstrip() + "…"], size) <= room:
            fits = n
        else:
            longest = n - 1
    return title[:fits].rstrip() + "…"


def render_chart(series: ChartSeries, title: str, unit: str | None) -> bytes:
    """Draw `series` as an 800×450 PNG; `title` and `unit` are shown as written."""
    global _template
    with _render_lock:
        try:
            return _render(series, title, unit)
        except BaseException:
            _template = None  # the next chart starts from a new figure
            raise


def _render(series: ChartSeries, title: str, unit: str | None) -> bytes:
    figure, axes = _blank_figure()
    renderer = figure.canvas.get_renderer()
    colour = TRAJECTORY_SHORT if series.gap is not None else TRAJECTORY_OK
    _draw_lines(axes, series, unit, colour)
    gap_label = _draw_gap(axes, series, unit)
    x_low, x_high = _set_limits(axes, series)
    left, right = _set_margins(figure, axes, renderer, series, gap_label, (x_low, x_high))
    _set_titles(axes, renderer, series, title, unit, colour, right - left)
    figure.legend(loc="lower center", bbox_to_anchor=(0.5, 0), ncols=3, fontsize=8, frameon=False, handlelength=2.2)
    return _png(figure)


def _draw_lines(axes, series: ChartSeries, unit: str | None, trajectory_colour: str) -> None:
    """Baseline, target, committed path, trajectory, reports, and today."""
    axes.axhline(
        series.baseline,
        color=MUTED,
        linewidth=1,
        linestyle=":",
        label=_plain(f"Baseline {chart_quantity(series.baseline, unit)}"),
    )
    axes.axhline(
        series.target,
        color=COMMITTED,
        linewidth=1,
        linestyle="--",
        alpha=0.6,
        label=_plain(f"Target {chart_quantity(series.target, unit)}"),
    )
    axes.plot(series.committed.days, series.committed.values, color=COMMITTED, linewidth=2, label="Committed path")
    axes.plot(
        series.trajectory.days,
        series.trajectory.values,
        color=trajectory_colour,
        linewidth=2.5,
        linestyle=(0, (6, 3)),
        label=_plain(f"Trajectory: {chart_quantity(series.projected, unit)} by the due date"),
    )
    _draw_subresults(axes, series)
    if series.reports.days:
        axes.plot(
            series.reports.days,
            series.reports.values,
            color=REPORTS,
            marker="o",
            markersize=5,
            linewidth=0.8,
            alpha=0.85,
            label="Progress reports",
        )
    if series.start <= series.today <= series.due:
        axes.axvline(series.today, color=MUTED, linewidth=0.8, alpha=0.5)
        axes.annotate(
            "today",
            (series.today, 1),
            xycoords=("data", "axes fraction"),
            xytext=(3, -12),
            textcoords="offset points",
            color=MUTED,
            fontsize=8,
        )


def _draw_subresults(axes, series: ChartSeries) -> None:
    """Sub-results as markers on the committed path: filled when reached, hollow while ahead,
    crossed when missed."""
    styles = (
        (series.reached, {"marker": "D", "color": TRAJECTORY_OK}, "Sub-result reached"),
        (series.pending, {"marker": "D", "markerfacecolor": "white", "color": COMMITTED}, "Sub-result"),
        (series.missed, {"marker": "X", "color": TRAJECTORY_SHORT}, "Sub-result missed"),
    )
    for markers, style, label in styles:
        if markers.days:
            axes.plot(markers.days, markers.values, linestyle="none", markersize=8, zorder=5, label=label, **style)


def _draw_gap(axes, series: ChartSeries, unit: str | None) -> str:
    """The gap between the trajectory and the target at the due date, with its label ('' when on track)."""
    if series.gap is None:
        return ""
    gap = series.gap
    axes.annotate(
        "",
        xy=(gap.day, gap.target),
        xytext=(gap.day, gap.projected),
        arrowprops={
            "arrowstyle": "|-|",
            "color": TRAJECTORY_SHORT,
            "linewidth": 1.5,
            "shrinkA": 0,
            "shrinkB": 0,
            "mutation_scale": 6,
        },
    )
    middle = (gap.target + gap.projected) / 2
    gap_label = _plain(f"gap\n{chart_quantity(gap.size, unit)}")
    axes.annotate(
        gap_label,
        (gap.day, middle),
        xytext=(GAP_OFFSET_PT, 0),
        textcoords="offset points",
        ha="left",
        va="center",
        color=TRAJECTORY_SHORT,
        fontsize=GAP_FONT_PT,
        fontweight="bold",
    )
    return gap_label


def _set_limits(axes, series: ChartSeries) -> tuple:
    """The axes' ranges (room on the right for the gap's label); returns the x range."""
    days = [series.start, series.due, series.today, *series.reports.days]
    first, last = min(days), max(days)
    length = max(1, (last - first).days)
    margin = timedelta(days=max(1, round(length * 0.03)))
    room = timedelta(days=max(2, round(length * 0.13))) if series.gap is not None else margin  # for the gap's label
    x_low, x_high = first - margin, last + room
    axes.set_xlim(x_low, x_high)
    values = [series.baseline, series.target, series.projected, *series.trajectory.values, *series.reports.values]
    low, high = min(values), max(values)
    pad = (high - low) * 0.08 or 1.0
    axes.set_ylim(low - pad, high + pad)
    return x_low, x_high


def _set_margins(figure, axes, renderer, series: ChartSeries, gap_label: str, x_range: tuple) -> tuple[float, float]:
    """Date ticks, then the fixed margins (see TOP_PX and the rest); returns the axes' left and right in pixels."""
    from matplotlib import dates as mdates

    x_low, x_high = x_range
    locator = mdates.AutoDateLocator(minticks=4, maxticks=8)
    formatter = mdates.ConciseDateFormatter(locator)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(formatter)

    formatter.format_ticks(locator())  # sets the offset line's text, if the range needs one
    bottom = BOTTOM_PX + (X_OFFSET_PX if formatter.get_offset() else 0)
    y_low, y_high = axes.get_ylim()
    y_ticks = [v for v in axes.yaxis.get_majorticklocs() if y_low <= v <= y_high]
    y_labels = axes.yaxis.get_major_formatter().format_ticks(y_ticks)
    left = LEFT_PAD_PX + _text_width(renderer, y_labels, TICK_FONT_PT)
    right = WIDTH_PX - RIGHT_PX
    if gap_label:  # its right end inside the image: x = left + at × (right − left) + offset + width
        at = (series.gap.day - x_low) / (x_high - x_low)
        ends = GAP_OFFSET_PT * DPI / 72 + _text_width(renderer, gap_label.split("\n"), GAP_FONT_PT, "bold")
        right = min(right, max(left + (WIDTH_PX - EDGE_PX - ends - left) / at, (left + right) / 2))
    figure.subplots_adjust(
        left=left / WIDTH_PX, right=right / WIDTH_PX, bottom=bottom / HEIGHT_PX, top=1 - TOP_PX / HEIGHT_PX
    )
    return left, right


def _set_titles(axes, renderer, series: ChartSeries, title: str, unit: str | None, colour: str, width: float) -> None:
    """The titles, the verdict's on the right; the left one is cut to the room the verdict leaves."""
    state = {
        Verdict.BREAKDOWN: "Breakdown",
        Verdict.ON_TRACK: "On track",
        Verdict.NO_RECENT_NUMBERS: "No recent numbers",
    }.get(series.verdict, "Not judged yet")
    verdict_title = f"{state} · due {series.due.strftime('%d %b %Y')}"
    title_room = width - TITLE_GAP_PX - _text_width(renderer, [verdict_title], VERDICT_FONT_PT)
    # y=1.0 places the titles by hand: matplotlib would otherwise lay out every tick label to
    # check that none reaches above the axes (none does: the x axis is at the bottom)
    axes.set_title(
        _fitted(renderer, short_title(title), TITLE_FONT_PT, title_room),
        loc="left",
        fontsize=TITLE_FONT_PT,
        color=INK,
        parse_math=False,
        y=1.0,
    )
    axes.set_title(
        verdict_title,
        loc="right",
        fontsize=VERDICT_FONT_PT,
        y=1.0,
        color=MUTED if series.verdict in (Verdict.NOT_JUDGED, Verdict.NO_RECENT_NUMBERS) else colour,
    )
    axes.set_ylabel(unit or "value", color=MUTED, parse_math=False)


def _png(figure) -> bytes:
    """The figure is opaque (white): its pixels go to the PNG as RGB, one draw, no savefig
    round trip. Same picture as savefig's RGBA, ~20% less encoding time, a smaller file."""
    from PIL import Image

    figure.canvas.draw()
    pixels = memoryview(figure.canvas.buffer_rgba())
    image = Image.frombuffer("RGBA", (WIDTH_PX, HEIGHT_PX), pixels, "raw", "RGBA", 0, 1).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="png", compress_level=PNG_COMPRESSION)
    return out.getvalue()
