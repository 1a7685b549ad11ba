"""Bulk work: every item checked against every rule, all or nothing with the refusals listed, every change in the
history, a bounded number of queries per item."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from duban import cli
from duban.ledger.choices import Genre, ItemKind, ItemState
from duban.ledger.errors import LedgerError
from duban.ledger.models import Event, Item, SourceDocument, SourceFile
from duban.ledger.services import bulk
from duban.ledger.services.fanout import fan_out
from duban.ledger.services.units import confirm_group, create_group

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)
DUE = date(2025, 6, 30)


@pytest.fixture
def world(tree):
    source = SourceFile.objects.create(name="plan.txt", sha256="d" * 64, size=1, format="txt",
                                       extractor_version="test", ingested_at=T0)
    tree.document = SourceDocument.objects.create(
        file=source, index=1, record_id="doc-1", title="Plan", genre=Genre.PLAN, line_start=1, line_end=9,
        first_line=1, text="Plan", supervising_office=tree.office)
    return tree


def drafts(world, n: int, *units: str, kind=ItemKind.TASK) -> list[Item]:
    return [Item.objects.create(kind=kind, document=world.document, number=f"({i + 1})", unit_names=list(units),
                                due=DUE, created_at=T0, updated_at=T0) for i in range(n)]


def events(action: str) -> int:
    return Event.objects.filter(action=action).count()


def test_one_refused_item_refuses_the_whole_call_and_is_listed(world):
    items = drafts(world, 3)
    bulk.assign(world.sup, items[:2], world.housing, at=T0)
    with pytest.raises(bulk.BulkRefused) as refused:
        bulk.confirm(world.sup, items, at=T0)
    assert [(item.pk, "without a lead owner" in reason) for item, reason in refused.value.failures] == [(items[2].pk, True)]
    assert f"#{items[2].pk} (3): a draft without a lead owner cannot be confirmed" in str(refused.value)
    assert "1 of 3 items were refused, so none was changed" in str(refused.value)
    assert not Item.objects.filter(state=ItemState.ACTIVE).exists() and events("item.confirm") == 0


def test_every_item_is_checked_against_every_rule(world):
    items = drafts(world, 2)
    bulk.assign(world.sup, items, world.housing, at=T0)
    bulk.confirm(world.sup, items[:1], at=T0)
    with pytest.raises(bulk.BulkRefused) as refused:  # a state rule for the one, a permission rule for the other
        bulk.confirm(world.city_sup, items, at=T0)
    reasons = dict((item.pk, reason) for item, reason in refused.value.failures)
    assert "only draft items can" in reasons[items[0].pk]
    assert len(reasons) == 1  # the city's supervisor may confirm a draft owned within its city...
    with pytest.raises(bulk.BulkRefused, match="may not assign this owner"):  # ...but not give it to the province
        bulk.assign(world.city_sup, items[1:], world.bigdata, at=T0)


def test_every_change_is_recorded_one_event_per_item(world):
    items = drafts(world, 4)
    bulk.assign(world.sup, items, world.housing, [world.county], at=T0)
    bulk.confirm(world.sup, items, at=T0)
    bulk.set_interval(world.sup, items, 10, at=T0)
    assert (events("item.assign"), events("item.confirm"), events("item.set_interval")) == (4, 4, 4)
    event = Event.objects.filter(action="item.set_interval").first()
    assert event.before == {"reporting_interval": 20} and event.after == {"reporting_interval": 10}
    bulk.assign(world.sup, items, world.housing, [world.county], at=T0)  # nothing to change: nothing recorded
    assert events("item.assign") == 4


def test_the_reporting_interval_is_a_whole_number_of_working_days_on_open_items(world):
    items = drafts(world, 2)
    for wrong in (0, 251, 2.5, "10", True):
        with pytest.raises(LedgerError, match="whole number of working days from 1 to 250"):
            bulk.set_reporting_interval(world.sup, items[0], wrong, at=T0)
    Item.objects.filter(pk=items[1].pk).update(state=ItemState.CLOSED)
    with pytest.raises(bulk.BulkRefused, match="cannot set the reporting interval: the item is closed"):
        bulk.set_interval(world.sup, items, 5, at=T0)
    with pytest.raises(bulk.BulkRefused, match="may not set the reporting interval"):
        bulk.set_interval(world.housing_staff, items[:1], 5, at=T0)
    assert Item.objects.get(pk=items[0].pk).reporting_interval == 20


def test_owners_from_unit_names_in_bulk_refuse_unresolved_names(world):
    items = drafts(world, 3, "Qingshi Housing Bureau", "Songxi County")
    odd = drafts(world, 1, "Provincial Big Data Centre")[0]
    with pytest.raises(bulk.BulkRefused, match="'Provincial Big Data Centre' \\(no match\\)"):
        bulk.assign_units(world.sup, [*items, odd], at=T0)
    plans = bulk.assign_units(world.sup, items, at=T0)
    assert [plan.lead for plan in plans] == [world.housing] * 3
    assert set(Item.objects.filter(pk__in=[i.pk for i in items]).values_list("lead_owner", flat=True)) == {world.housing.pk}


def test_selecting_a_documents_drafts_or_a_filtered_set(world):
    tasks = drafts(world, 3)
    milestone = drafts(world, 1, kind=ItemKind.MILESTONE)[0]
    Item.objects.filter(pk=tasks[0].pk).update(state=ItemState.ACTIVE)
    assert [i.pk for i in bulk.select(world.document)] == [tasks[1].pk, tasks[2].pk, milestone.pk]
    assert [i.pk for i in bulk.select(world.document, kinds=[ItemKind.TASK], states=None)] == [t.pk for t in tasks]
    assert [i.pk for i in bulk.select(ids=[milestone.pk, tasks[2].pk])] == [tasks[2].pk, milestone.pk]


def queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def test_bulk_calls_cost_a_bounded_number_of_queries_per_item(world):
    small, large = drafts(world, 10, "Qingshi Housing Bureau"), drafts(world, 40, "Qingshi Housing Bureau")
    per_item = {}
    for name, call in (("units", lambda items: bulk.assign_units(world.sup, items, at=T0)),
                       ("confirm", lambda items: bulk.confirm(world.sup, items, at=T0)),
                       ("interval", lambda items: bulk.set_interval(world.sup, items, 15, at=T0))):
        a, b = queries(lambda: call(small)), queries(lambda: call(large))
        per_item[name] = (b - a) / 30
        assert b - a == 30 * round(per_item[name]), name  # the same for each item: nothing grows with the list
        assert per_item[name] <= 17, name  # assigning checks the owners lie in the person's trees: two of them
    export = [queries(lambda: bulk.export_rows(bulk.select(world.document, states=None, ids=[i.pk for i in items])))
              for items in (small, large)]
    assert export[0] == export[1] <= 3


def test_export_writes_owners_and_roll_ups(world):
    cities = create_group(world.sup, "Cities", [world.city], at=T0)
    confirm_group(world.sup, "city governments", cities, at=T0)
    (parent,) = drafts(world, 1, "Provincial Big Data Bureau", "city governments")
    bulk.assign_units(world.sup, [parent], at=T0)
    fan_out(world.sup, parent, at=T0)
    out = io.StringIO()
    assert bulk.export_csv(bulk.select(world.document), out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows[0]["lead_owner"] == "Provincial Big Data Bureau" and rows[0]["children"] == "0 of 1 closed (1 draft): open"
    assert rows[1]["lead_owner"] == "Qingshi City" and rows[1]["co_owners"] == "Provincial Big Data Bureau"
    assert rows[1]["parent"] == str(parent.pk) and rows[1]["due"] == "2025-06-30"


def run(capsys, *args) -> tuple[int, str, str]:
    status = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


def test_the_bulk_commands(world, capsys, tmp_path):
    items = drafts(world, 3, "Qingshi Housing Bureau")
    doc = world.document.pk
    status, _, err = run(capsys, "ledger", "bulk", "confirm", "--document", doc, "--as", "sup")
    assert status == 1 and "3 of 3 items were refused, so none was changed" in err and f"#{items[0].pk} (1)" in err
    status, out, _ = run(capsys, "ledger", "bulk", "units", "--document", doc, "--as", "sup", "--on", "2025-03-10")
    assert (status, out) == (0, "3 items assigned from their unit names\n")
    status, out, _ = run(capsys, "ledger", "bulk", "assign", "--ids", items[0].pk, "--lead", "Songxi County",
                         "--as", "sup")
    assert out == "1 item led by Songxi County\n"
    assert run(capsys, "ledger", "bulk", "confirm", "--document", doc, "--as", "sup")[1] == "3 items confirmed\n"
    status, out, _ = run(capsys, "ledger", "bulk", "interval", "--document", doc, "--state", "active", "--days", "10",
                         "--as", "sup")
    assert out == "3 items to report every 10 working days\n"
    target = tmp_path / "items.csv"
    assert run(capsys, "ledger", "bulk", "export", "--document", doc, "--csv", target)[1] == f"3 items written to {target}\n"
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [row["lead_owner"] for row in rows] == ["Songxi County", "Qingshi Housing Bureau", "Qingshi Housing Bureau"]
    assert {row["reporting_interval"] for row in rows} == {"10"}
    status, _, err = run(capsys, "ledger", "bulk", "confirm", "--as", "sup")
    assert status == 1 and "select the items" in err
