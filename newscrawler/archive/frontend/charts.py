"""Charts for the front end's index page: rows in, a self-contained SVG string out.

Drawn on the server, so the page needs no charting library, no script and no CDN; every
bar carries a ``<title>`` (the browser's tooltip) with its exact figure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup, escape

__all__ = ["PALETTE", "VERDICT_COLOURS", "HealthRun", "LegendItem", "health_chart", "stacked_days"]

#: Colours of the sites, in order of their article count (Okabe–Ito, readable for the colour-blind).
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000")
OTHER_COLOUR = "#bbbbbb"
#: Colour of a crawl run in the health chart, by the verdict of the ``crawl_health`` query.
VERDICT_COLOURS = {"ok": "#009e73", "warning": "#e69f00", "failing": "#d55e00"}
UNKNOWN_COLOUR = "#999999"

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 10, 26


@dataclass(frozen=True)
class LegendItem:
    """One entry of a chart's legend."""

    label: str
    colour: str
    count: int


@dataclass(frozen=True)
class HealthRun:
    """One crawl run as the health chart draws it."""

    crawl_id: int
    site: str
    day: str
    pages: int
    verdict: str
    why: str


def _axis(max_value: int) -> tuple[int, list[int]]:
    """A round top for the y axis and the values of its grid lines."""
    top = max(max_value, 1)
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if top / step <= 4:
            break
    else:
        step = 10 ** len(str(top // 4))
    top = -(-top // step) * step
    return top, list(range(0, top + 1, step))


def _frame(top: int, ticks: list[int], label: str) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg class="nc-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(label)}" preserveAspectRatio="xMidYMid meet">'
    ]
    for tick in ticks:
        y = TOP + plot_h - plot_h * tick / top
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{tick:,}</text>'
        )
    return parts


def _x_labels(labels: Sequence[str], slot: float) -> list[str]:
    """First, middle and last label under the bars (more would overlap on a phone)."""
    if not labels:
        return []
    picks = sorted({0, len(labels) // 2, len(labels) - 1})
    out = []
    for i in picks:
        x = LEFT + slot * (i + 0.5)
        anchor = (
            "start" if i == 0 and len(labels) > 1 else "end" if i == len(labels) - 1 else "middle"
        )
        if len(labels) == 1:
            anchor = "middle"
        out.append(
            f'<text x="{x:.1f}" y="{HEIGHT - 8}" text-anchor="{anchor}">{escape(labels[i])}</text>'
        )
    return out


def _every_day(days: list[str]) -> list[str]:
    """The days from the first to the last, the empty ones too, so the x axis is time."""
    try:
        first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    except (IndexError, ValueError):
        return days
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def stacked_days(
    rows: Iterable[tuple[str, str, int]], *, max_sites: int = len(PALETTE)
) -> tuple[Markup, list[LegendItem]]:
    """Articles per day, one stacked bar per day and one colour per site.

    ``rows`` are ``(day, site, count)``. The ``max_sites`` sites with the most articles get
    their own colour; the rest are stacked as "other sites".
    """
    per_day: dict[str, dict[str, int]] = defaultdict(dict)
    totals: dict[str, int] = defaultdict(int)
    for day, site, count in rows:
        per_day[day][site] = per_day[day].get(site, 0) + count
        totals[site] += count
    ranked = sorted(totals, key=lambda s: (-totals[s], s))
    named = ranked[:max_sites]
    colours = {site: PALETTE[i % len(PALETTE)] for i, site in enumerate(named)}
    legend = [LegendItem(site, colours[site], totals[site]) for site in named]
    others = sum(totals[s] for s in ranked[max_sites:])
    if others:
        legend.append(LegendItem(f"{len(ranked) - max_sites} other sites", OTHER_COLOUR, others))
    days = _every_day(sorted(per_day))
    top, ticks = _axis(max((sum(c.values()) for c in per_day.values()), default=0))
    parts = _frame(top, ticks, "Articles per day and site")
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(days), 1)
    bar = max(slot * 0.8, 1.0)
    for i, day in enumerate(days):
        x = LEFT + slot * i + (slot - bar) / 2
        y = float(TOP + plot_h)
        counts = per_day.get(day, {})
        stack = [(s, counts.get(s, 0)) for s in named]
        stack.append(("other sites", sum(c for s, c in counts.items() if s not in colours)))
        for site, count in stack:
            if not count:
                continue
            h = plot_h * count / top
            y -= h
            colour = colours.get(site, OTHER_COLOUR)
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(day)} · {escape(site)}: {count:,}</title></rect>"
            )
    parts.extend(_x_labels(days, slot))
    parts.append("</svg>")
    return Markup("".join(parts)), legend


def health_chart(runs: Sequence[HealthRun]) -> Markup:
    """One bar per crawl run (oldest left): its height the pages fetched, its colour the verdict."""
    top, ticks = _axis(max((r.pages for r in runs), default=0))
    parts = _frame(top, ticks, "Crawl runs: pages fetched, coloured by verdict")
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(runs), 1)
    bar = max(min(slot * 0.8, 40.0), 1.0)
    for i, run in enumerate(runs):
        # A run that fetched nothing still gets a sliver, so a failed run is visible.
        h = max(plot_h * run.pages / top, 3.0)
        x = LEFT + slot * i + (slot - bar) / 2
        colour = VERDICT_COLOURS.get(run.verdict, UNKNOWN_COLOUR)
        parts.append(
            f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
            f'fill="{colour}"><title>crawl {run.crawl_id} · {escape(run.site)} · {escape(run.day)}: '
            f"{run.pages:,} pages, {escape(run.verdict)}"
            f"{' (' + str(escape(run.why)) + ')' if run.why else ''}</title></rect>"
        )
    parts.extend(_x_labels([r.day for r in runs], slot))
    parts.append("</svg>")
    return Markup("".join(parts))
