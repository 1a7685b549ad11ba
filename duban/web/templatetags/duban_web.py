"""Template helpers of the pages: rates as percentages, item labels, and the dashboard's chart as inline SVG."""

from __future__ import annotations

import math

from django import template

from duban.ledger.choices import FlagCode

register = template.Library()

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 24, 12, 36
SERIES = (("claims", "Completion claims"), ("closures", "Verified closures"), ("overdue", "Overdue at the week's end"))


@register.filter
def percent(rate: float | None) -> str:
    """A rate as a whole percentage; a dash when there is nothing to divide."""
    return "—" if rate is None else f"{round(rate * 100)} %"


@register.filter
def flag_label(code: str) -> str:
    return FlagCode(code).label if code in FlagCode.values else code


@register.filter
def item_label(item) -> str:
    """How lists name an item: its number and title, else the start of its quote."""
    text = " ".join((item.title or item.quote or "").split())
    text = text if len(text) <= 120 else text[:119] + "…"
    return " ".join(part for part in (item.number, text) if part) or f"Item {item.pk}"


def _nice_ceiling(value: int) -> int:
    """1, 2, 5, 10, 20, 50… at or above the value (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


@register.inclusion_tag("web/_chart.html")
def activity_chart(periods) -> dict:
    """Claims, closures and overdue items per week as lines with labelled points, and the same figures as a table."""
    periods = list(periods)
    top = _nice_ceiling(max([getattr(p, name) for p in periods for name, _ in SERIES] + [1]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(periods) - 1, 1)

    def x(k: int) -> float:
        return round(LEFT + k * step, 1)

    def y(value: int) -> float:
        return round(TOP + plot_h - value / top * plot_h, 1)

    series = []
    for name, label in SERIES:
        dots = [(x(k), y(getattr(p, name)), getattr(p, name), p.end) for k, p in enumerate(periods)]
        series.append({"name": name, "label": label, "dots": dots,
                       "points": " ".join(f"{px},{py}" for px, py, _, _ in dots)})
    every = max(1, math.ceil(len(periods) / 6))
    last = len(periods) - 1
    return {
        "width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "bottom": TOP + plot_h,
        "series": series, "periods": periods,
        "y_ticks": [(y(v), v) for v in sorted({0, top // 2, top})],
        "x_labels": [(x(k), p.start) for k, p in enumerate(periods) if (last - k) % every == 0],
        "label_y": TOP + plot_h + 20,
    }
