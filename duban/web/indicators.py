"""Indicator pages: each indicator's observations against its path from baseline to target, with its status.

The path, the status and the projection are duban.ledger.services.indicators'; this module draws them as inline
SVG (server-side, no script) and records observations through the same service. Only indicators the person may see
(visibility.visible_items) are listed or shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from duban.ledger.choices import ItemKind, ItemState
from duban.ledger.errors import LedgerError
from duban.ledger.models import IndicatorObservation, Item
from duban.ledger.services import indicators as paths, permissions
from duban.ledger.services.visibility import visible_items

from .filters import keyset_page
from .refusals import refusal_status

PAGE_SIZE = 24
SMALL, LARGE = (420, 220), (640, 280)  # the list's charts and the indicator page's, in SVG units
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 12, 30
HIDDEN_STATES = (ItemState.REJECTED,)


class ObservationForm(django_forms.Form):
    value = django_forms.FloatField(label="Value")
    observed_on = django_forms.DateField(label="The day it measures",
                                         widget=django_forms.DateInput(attrs={"type": "date"}),
                                         help_text="A year's figure measures its last day, 31 December")
    note = django_forms.CharField(label="Source or note", required=False, max_length=2000)


# --- the chart --------------------------------------------------------------------------------------------------------

def _nice_step(span: float) -> float:
    raw = span / 4 if span > 0 else 1
    power = 10 ** math.floor(math.log10(raw))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= raw)


def _fmt(value: float) -> str:
    return f"{round(value, 3):g}"


@dataclass
class Chart:
    width: int
    height: int
    left: int
    right: int
    bottom: int
    top: int
    y_ticks: list[tuple[float, str]]
    x_ticks: list[tuple[float, str]]
    path: tuple[float, float, float, float] | None  # x1, y1, x2, y2 of the straight path
    baseline: tuple[float, float] | None
    target: tuple[float, float] | None
    observed: list[tuple[float, float, str, str]]  # x, y, value, day
    points: str
    projection: tuple[float, float, float, float] | None
    today: float | None
    title: str
    description: str


def chart(defn: paths.Definition, observations: list, assessment: paths.Assessment, day: date,
          size: tuple[int, int] = SMALL) -> Chart:
    """The indicator's path, observations and projection in the chart's coordinates."""
    width, height = size
    known = [o for o in observations if o.day <= day]
    days = [o.day for o in known] + [day]
    values = [o.value for o in known]
    if defn.baseline is not None:
        days.append(defn.baseline.day)
        values.append(defn.baseline.value)
    if defn.target_value is not None:
        values.append(defn.target_value)
        if defn.target_day is not None:
            days.append(defn.target_day)
    projection = assessment.projection
    if projection is not None:
        values.append(projection.value)
        days.append(projection.day)
    start, end = min(days), max(days)
    if end <= start:
        end = date.fromordinal(start.toordinal() + 365)
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if math.isclose(low, high):
        low, high = low - 1, high + 1
    step = _nice_step(high - low)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM

    def x(d: date) -> float:
        return round(LEFT + (d.toordinal() - start.toordinal()) / (end.toordinal() - start.toordinal()) * plot_w, 1)

    def y(v: float) -> float:
        return round(TOP + plot_h - (v - low) / (high - low) * plot_h, 1)

    ticks, v = [], low
    while v <= high + step / 1000:
        ticks.append((y(v), _fmt(v)))
        v += step
    years = range(start.year, end.year + 1)
    every = max(1, math.ceil(len(years) / 7))
    x_ticks = [(x(date(year, 1, 1)), str(year)) for year in years
               if start <= date(year, 1, 1) <= end and (year - start.year) % every == 0]
    base = (x(defn.baseline.day), y(defn.baseline.value)) if defn.baseline is not None else None
    target = (x(defn.target_day), y(defn.target_value)) if defn.target_value is not None and defn.target_day else None
    observed = [(x(o.day), y(o.value), _fmt(o.value), o.day.isoformat()) for o in known]
    projected = None
    if projection is not None and known:
        projected = (observed[-1][0], observed[-1][1], x(projection.day), y(projection.value))
    unit = f" {defn.unit}" if defn.unit and defn.unit != "%" else defn.unit
    parts = []
    if defn.baseline is not None:
        parts.append(f"Baseline {_fmt(defn.baseline.value)}{unit} in {defn.baseline.day.year}.")
    if target is not None:
        parts.append(f"Target {_fmt(defn.target_value)}{unit} by {defn.target_day.year}.")
    parts += [f"Observed {value}{unit} on {on}." for _, _, value, on in observed]
    if projection is not None:
        parts.append(f"Projected {_fmt(projection.value)}{unit} on {projection.day.isoformat()}.")
    return Chart(
        width, height, LEFT, width - RIGHT, TOP + plot_h, TOP, ticks, x_ticks,
        (*base, *target) if base is not None and target is not None and defn.has_path else None,
        base, target, observed, " ".join(f"{px},{py}" for px, py, _, _ in observed), projected,
        x(day) if start <= day <= end else None,
        f"{defn.name}: observations against the path", " ".join(parts) or "No figures yet.",
    )


@dataclass
class Row:
    item: Item
    definition: paths.Definition
    assessment: paths.Assessment
    chart: Chart
    observations: list

    @property
    def status_label(self) -> str:
        return paths.Status(self.assessment.status).label

    def _with_unit(self, value: float) -> str:
        unit = self.definition.unit
        return f"{_fmt(value)}{unit if unit in ('', '%') else ' ' + unit}"

    @property
    def baseline_label(self) -> str:
        base = self.definition.baseline
        return f"{self._with_unit(base.value)} ({base.day.year})" if base is not None else "not stated"

    @property
    def target_label(self) -> str:
        d = self.definition
        if d.target_value is None:
            return "not stated"
        bound = {">=": "at least ", "<=": "at most "}.get(d.comparator, "")
        return f"{bound}{self._with_unit(d.target_value)}" + (f" by {d.target_day.year}" if d.target_day else "")

    @property
    def projection_label(self) -> str:
        p = self.assessment.projection
        if p is None:
            return "none yet"
        return (f"{self._with_unit(p.value)} on {p.day.isoformat()}: {'meets' if p.reaches else 'misses'} the target "
                f"({p.basis})")

    def value_label(self, value: float) -> str:
        return self._with_unit(value)


def _rows(items: list[Item], day: date, size: tuple[int, int] = SMALL) -> list[Row]:
    """Each indicator's assessment and chart, reading the observations of all of them in one query."""
    observed = paths._observations([item.pk for item in items])  # the service's batch read: one query for the page
    rows = []
    for item in items:
        defn = paths.definition(item)
        assessment = paths._assess(defn, observed[item.pk], day)
        rows.append(Row(item, defn, assessment, chart(defn, observed[item.pk], assessment, day, size), observed[item.pk]))
    return rows


# --- pages ------------------------------------------------------------------------------------------------------------

def _indicators(request):
    return visible_items(request.user, Item.objects.filter(kind=ItemKind.INDICATOR).exclude(state__in=HIDDEN_STATES))


@login_required
def indicator_list(request):
    day = timezone.localdate()
    page = keyset_page(_indicators(request).select_related("document"), ("id",), request.GET.get("after"),
                       size=PAGE_SIZE)
    page.rows = _rows(page.rows, day)
    return render(request, "web/indicators.html", {
        "page": page, "day": day, "statuses": paths.Status.choices,
        "next_url": f"{request.path}?after={page.next_cursor}" if page.next_cursor else None,
        "first_url": None if page.first else request.path,
    })


def _render_detail(request, pk: int, *, form=None, status: int = 200):
    item = get_object_or_404(_indicators(request).select_related("document", "lead_owner"), pk=pk)
    day = timezone.localdate()
    row = _rows([item], day, LARGE)[0]
    may_record = item.state in paths.OBSERVABLE_STATES and (
        permissions.may_report(request.user, item) or permissions.may_manage(request.user, item))
    recorded = [(o, row.value_label(o.value)) for o in IndicatorObservation.objects.filter(item=item)
                .select_related("recorded_by").order_by("observed_on", "created_at", "id")]
    return render(request, "web/indicator.html", {
        "row": row, "item": item, "day": day, "may_record": may_record, "recorded": recorded,
        "form": form or ObservationForm(), "linked": visible_items(request.user, item.linked_tasks.select_related("lead_owner")).order_by("id"),
    }, status=status)


@login_required
def indicator_detail(request, pk: int):
    return _render_detail(request, pk)


@login_required
@require_POST
def observe(request, pk: int):
    item = get_object_or_404(_indicators(request), pk=pk)
    form = ObservationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Please correct the form.")
        return _render_detail(request, pk, form=form, status=400)
    data = form.cleaned_data
    try:
        paths.record_observation(request.user, item, value=data["value"], observed_on=data["observed_on"],
                                 note=data["note"], on=timezone.localdate())  # recorded today: the service refuses a future day
    except LedgerError as error:
        messages.error(request, str(error))
        return _render_detail(request, pk, form=form, status=refusal_status(error))
    messages.success(request, "Observation recorded.")
    return redirect("indicators:detail", pk=pk)
