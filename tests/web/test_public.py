"""Public disclosure: nothing is public until a supervisor publishes it (recorded in the history); the public page
lists the confirmed items with state, dates, responsible units and a progress summary, and never people, notes,
reasons or evidence; it needs no login, prints, and costs the same queries however long the list."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from duban.ledger.choices import Genre, ItemKind, ItemState
from duban.ledger.errors import LedgerError, NotAllowed
from duban.ledger.models import Event, Item, SourceDocument
from duban.ledger.services import publication, rectification, workflow
from duban.ledger.services.workflow import moment

STATIC = Path(__file__).resolve().parents[2] / "duban" / "web" / "static" / "web"


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_anonymous_visitors_see_only_published_documents(demo_ledger, client_for):
    d = demo_ledger
    anonymous = Client()
    assert anonymous.get(reverse("public:index")).context["page"].rows == []
    for document in (d.plan, d.feedback):
        assert anonymous.get(reverse("public:document", args=[document.pk])).status_code == 404
    # logged in changes nothing: an unpublished document has no public page for anyone
    assert client_for("office_supervisor").get(reverse("public:document", args=[d.plan.pk])).status_code == 404
    assert anonymous.get(reverse("public:document", args=[999999])).status_code == 404

    supervisor = client_for("office_supervisor")
    response = supervisor.post(reverse("documents:publish", args=[d.plan.pk]))
    assert response.status_code == 302
    assert "Published: the rectification list is public, linkable without login." in _messages(supervisor.get(response["Location"]))
    event = Event.objects.filter(action="document.publish").get()
    assert (event.actor, event.object_id, event.after) == ("office_supervisor", d.plan.pk, {"published": True})

    index = anonymous.get(reverse("public:index"))
    assert [doc.pk for doc in index.context["page"].rows] == [d.plan.pk]
    page = anonymous.get(reverse("public:document", args=[d.plan.pk]))
    assert page.status_code == 200 and "max-age=300" in page["Cache-Control"]
    assert anonymous.get(reverse("public:document", args=[d.feedback.pk])).status_code == 404
    assert anonymous.post(reverse("public:document", args=[d.plan.pk])).status_code == 405


def test_the_public_list_holds_confirmed_items_and_no_personal_data_notes_or_evidence(demo_ledger, client_for):
    d = demo_ledger
    publication.publish(d.people["office_supervisor"], d.plan)
    page = Client().get(reverse("public:document", args=[d.plan.pk]))
    rows = {row.id: row for row in page.context["rows"]}
    assert set(rows) == {d.four.pk, d.five.pk, d.ten.pk}  # confirmed tasks; drafts and tallies are not listed
    assert rows[d.four.pk].state == ItemState.CLAIMED and rows[d.four.pk].last_progress == date(2025, 11, 24)
    assert rows[d.ten.pk].closed_on == date(2025, 11, 27)
    assert rows[d.four.pk].responsible == "Provincial Government Affairs Service Center"
    summary = page.context["summary"]
    assert (summary.total, summary.closed, summary.counts) == (3, 1, {ItemState.ACTIVE: 1, ItemState.CLAIMED: 1,
                                                                      ItemState.CLOSED: 1})
    html = page.content.decode()
    assert "1 of 3 closed after verification" in html and "Provincial Government Affairs Service Center" in html
    private = [*d.people, "lists.txt", "acceptance.txt", "platform.txt", "The standard lists are published.",
               "All matters standardised.", "Waiting for the new platform.", d.report_file.sha256[:12],
               reverse("web:item", args=[d.four.pk]), "/evidence/", "/items/"]
    leaked = [text for text in private if text in html]
    assert not leaked, f"the public page shows {leaked}"
    assert 'name="csrfmiddlewaretoken"' not in html  # no form posts anything from a public page


def test_an_inspection_rounds_rectification_plan_and_tasks_are_listed_under_it(demo_ledger):
    d = demo_ledger
    supervisor = d.people["office_supervisor"]
    plan = rectification.open_rectification(supervisor, d.feedback, on=date(2025, 11, 21))
    task = rectification.add_rectification_task(supervisor, plan, "Repair the sewage network", d.water,
                                                due=date(2026, 3, 31), milestones=[("Survey", date(2026, 1, 31))])
    workflow.assign_owner(supervisor, plan, d.water)
    for item in (plan, task, *task.children.all()):
        workflow.confirm(supervisor, item)
    rows, summary = publication.public_items(publication.publish(supervisor, d.feedback), day=date(2026, 2, 15))
    listed = [(row.kind, row.depth) for row in rows]
    assert (ItemKind.FINDING, 0) in listed
    at = [row.id for row in rows].index(plan.pk)
    assert listed[at:at + 3] == [(ItemKind.RECTIFICATION, 0), (ItemKind.TASK, 1), (ItemKind.MILESTONE, 2)]
    assert summary.total == len(rows) == 4 and summary.overdue == 2  # the finding and the plan were due before
    assert rows[at + 2].overdue and rows[at + 2].due == date(2026, 1, 31)


def test_only_a_supervisor_of_the_office_or_above_publishes(demo_ledger, client_for):
    d = demo_ledger
    for username, document in (("service_center_staff", d.plan), ("office_verifier", d.plan),
                               ("hezhou_supervisor", d.feedback), ("province_admin", d.plan)):
        response = client_for(username).post(reverse("documents:publish", args=[document.pk]))
        assert response.status_code == 403, username
        assert "may not publish this document: only a supervisor of Provincial Supervision Office" in _messages(response)[0]
    assert not SourceDocument.objects.filter(published=True).exists()
    assert not Event.objects.filter(action="document.publish").exists()
    with pytest.raises(NotAllowed):
        publication.publish(d.people["hezhou_supervisor"], d.feedback)


def test_withdrawing_needs_a_reason_and_is_recorded(demo_ledger, client_for):
    d = demo_ledger
    supervisor = client_for("office_supervisor")
    _messages(supervisor.get(supervisor.post(reverse("documents:publish", args=[d.plan.pk]))["Location"]))
    twice = supervisor.post(reverse("documents:publish", args=[d.plan.pk]))
    assert twice.status_code == 400 and _messages(twice) == ["this document is public already"]
    no_reason = supervisor.post(reverse("documents:unpublish", args=[d.plan.pk]), {"reason": " "})
    assert no_reason.status_code == 400
    assert _messages(no_reason) == ["a reason for withdrawing the document from publication is required"]
    assert SourceDocument.objects.get(pk=d.plan.pk).published
    response = supervisor.post(reverse("documents:unpublish", args=[d.plan.pk]), {"reason": "a wrong figure"})
    assert response.status_code == 302 and not SourceDocument.objects.get(pk=d.plan.pk).published
    assert Client().get(reverse("public:document", args=[d.plan.pk])).status_code == 404
    events = list(publication.publication_events(d.plan).values_list("action", "after"))
    assert events == [("document.publish", {"published": True}),
                      ("document.unpublish", {"published": False, "reason": "a wrong figure"})]
    page = supervisor.get(reverse("documents:detail", args=[d.plan.pk])).content.decode()
    assert "Withdrawn" in page and "a wrong figure" in page


def test_only_plans_and_inspection_rounds_are_published(demo_ledger):
    d = demo_ledger
    SourceDocument.objects.filter(pk=d.plan.pk).update(genre=Genre.LAW)
    d.plan.refresh_from_db()
    with pytest.raises(LedgerError, match="only plans and inspection rounds are published"):
        publication.publish(d.people["office_supervisor"], d.plan)
    assert not publication.manages_disclosure(d.people["office_supervisor"], d.plan)  # so no page offers it
    assert publication.manages_disclosure(d.people["office_supervisor"], d.feedback)


def test_the_public_page_is_printable(demo_ledger):
    d = demo_ledger
    publication.publish(d.people["office_supervisor"], d.feedback)
    html = Client().get(reverse("public:document", args=[d.feedback.pk])).content.decode()
    assert "web/public.css" in html and "window.print()" in html and 'class="crumbs noprint"' in html
    css = (STATIC / "public.css").read_text()
    assert "@media print" in css and "@page" in css and "thead { display: table-header-group; }" in css


def test_public_queries_do_not_grow_with_the_list(demo_ledger):
    d = demo_ledger
    publication.publish(d.people["office_supervisor"], d.plan)
    client, counts, now = Client(), [], timezone.now()
    for n in (5, 45):
        Item.objects.bulk_create([Item(kind=ItemKind.TASK, document=d.plan, state=ItemState.ACTIVE, lead_owner=d.bigdata,
                                       title=f"grown {n}-{k}", line_start=100 + k, line_end=100 + k, due=date(2026, 1, 1),
                                       created_at=now, updated_at=now) for k in range(n)])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("public:document", args=[d.plan.pk]))
        counts.append(len(queries))
    assert len(response.context["rows"]) == 53 and counts == [4, 4], counts
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("public:index"))
    assert len(queries) == 1


def test_publication_is_dated_in_the_history_when_given(demo_ledger):
    d = demo_ledger
    publication.publish(d.people["office_supervisor"], d.plan, at=moment(date(2025, 12, 1)))
    event = publication.publication_events(d.plan).get()
    assert timezone.localtime(event.at).date() == date(2025, 12, 1)


@pytest.mark.django_db
def test_the_public_list_reads_its_partial_index_not_the_whole_table():
    if connection.vendor != "sqlite":
        pytest.skip("the query plan is read from SQLite's EXPLAIN; PostgreSQL chooses by its statistics")
    sql, params = publication.published_documents().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "public_documents" in plan, plan
