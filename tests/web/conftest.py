"""Fixtures for the web layer's tests (pages, API, browser): the demo ledger with work in every state, and clients.

`demo_ledger` loads duban.ledger.demo (the Lanshan organisations, a person in every role, the example plan and
inspection feedback read as drafts on 20 November 2025) and moves a few items on through the ledger's services,
dated in the days after:

- task "(four)": lead Provincial Government Affairs Service Center, co-owners Big Data Bureau and Department of
  Justice; progress reported with evidence, completion claimed with evidence: **claimed**, awaiting verification;
- task "(five)": lead Service Center, **active**, with a **pending deadline change** request;
- task "(ten)": lead Big Data Bureau, claimed and verified by the office: **closed**, and drawn in a
  **re-inspection sample** whose check is pending;
- the finding "Water Affairs Bureau failed…": lead Hezhou Water Affairs Bureau, **active**;
- everything else is a **draft**; reminders (due soon) sit in the Service Center's inbox.

Evidence files are really stored (in a temporary evidence directory), so downloads work. Whatever the transaction
mode of the test (`db` or `transactional_db`, as live-server browser tests need), the fixture works the same.
"""

from __future__ import annotations

import io
from datetime import date
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, TestCase

from duban.ledger import demo
from duban.ledger.choices import ItemKind
from duban.ledger.models import Item, Organisation, SourceDocument
from duban.ledger.services import reinspection, reminders, workflow
from duban.ledger.services.evidence import store_evidence
from duban.ledger.services.ingest import ingest_files
from duban.ledger.services.workflow import moment

INGESTED_ON = date(2025, 11, 20)
ASSIGNED_ON = date(2025, 11, 21)
REPORTED_ON = date(2025, 11, 24)
CLAIMED_ON = date(2025, 11, 25)
VERIFIED_ON = date(2025, 11, 27)
REQUESTED_ON = date(2025, 11, 28)
SAMPLED_ON = date(2025, 12, 1)
REMINDED_ON = date(2026, 6, 24)  # five working days before task (four) is due on 2026-06-30
AS_OF = date(2025, 12, 1)  # a day for as-of pages: after the fixture's actions
PASSWORD = "a demo password, long enough"
USERNAMES = tuple(demo.PEOPLE)


def _org(name: str) -> Organisation:
    return Organisation.objects.get(name=name)


def _item(document: SourceDocument, **match) -> Item:
    return Item.objects.get(document=document, **match)


@pytest.fixture
def evidence_dir(settings, tmp_path):
    settings.EVIDENCE_DIR = tmp_path / "evidence"
    return settings.EVIDENCE_DIR


@pytest.fixture
def demo_ledger(db, evidence_dir):
    """The demo with work in every state (see the module's docstring); names the people, items and rows."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        demo.load_people()  # and the demo's documents, read on a fixed day as the README's walk-through does
        batch = ingest_files([str(demo.EXAMPLES / name) for name in demo.DOCUMENTS],
                             supervising_office=_org(demo.SUPERVISING_OFFICE), at=moment(INGESTED_ON))
        assert not batch.failures, batch.failures
        people = {user.username: user for user in get_user_model().objects.filter(username__in=USERNAMES)}
        plan = SourceDocument.objects.get(file__name__endswith="plan_digital_services.txt")
        feedback = SourceDocument.objects.get(file__name__endswith="inspection_feedback.txt")
        service_center, bigdata = _org("Provincial Government Affairs Service Center"), _org("Provincial Big Data Bureau")
        justice, water = _org("Provincial Department of Justice"), _org("Hezhou Water Affairs Bureau")
        supervisor, staff = people["office_supervisor"], people["service_center_staff"]

        four = _item(plan, kind=ItemKind.TASK, number="(four)")
        workflow.assign_owner(supervisor, four, service_center, [bigdata, justice], at=moment(ASSIGNED_ON))
        workflow.confirm(supervisor, four, at=moment(ASSIGNED_ON))
        report_file = store_evidence(io.BytesIO(b"Standard lists published for 1,200 matters.\n"), "lists.txt",
                                     actor=staff, at=moment(REPORTED_ON))
        report = workflow.report_progress(staff, four, "The standard lists are published.", evidence=[report_file],
                                          on=REPORTED_ON)
        claim_file = store_evidence(io.BytesIO(b"Acceptance record of the standardised matters.\n"), "acceptance.txt",
                                    actor=staff, at=moment(CLAIMED_ON))
        claim = workflow.claim_completion(staff, four, evidence=[claim_file], note="All matters standardised.",
                                          on=CLAIMED_ON)

        five = _item(plan, kind=ItemKind.TASK, number="(five)")
        workflow.assign_owner(supervisor, five, service_center, at=moment(ASSIGNED_ON))
        workflow.confirm(supervisor, five, at=moment(ASSIGNED_ON))
        deadline_request = workflow.request_deadline_change(staff, five, date(2026, 12, 31), "Waiting for the new platform.",
                                                            on=REQUESTED_ON)

        ten = _item(plan, kind=ItemKind.TASK, number="(ten)")
        workflow.assign_owner(supervisor, ten, bigdata, at=moment(ASSIGNED_ON))
        workflow.confirm(supervisor, ten, at=moment(ASSIGNED_ON))
        platform_file = store_evidence(io.BytesIO(b"Platform upgrade acceptance.\n"), "platform.txt",
                                       actor=people["bigdata_staff"], at=moment(CLAIMED_ON))
        ten_claim = workflow.claim_completion(people["bigdata_staff"], ten, evidence=[platform_file], on=CLAIMED_ON)
        workflow.verify_claim(supervisor, ten_claim, evidence=[platform_file], on=VERIFIED_ON)
        sample = reinspection.draw_sample(supervisor, size=1, seed="demo", on=SAMPLED_ON)

        finding = _item(feedback, kind=ItemKind.FINDING, quote__contains="Water Affairs Bureau failed")
        workflow.assign_owner(supervisor, finding, water, at=moment(ASSIGNED_ON))
        workflow.confirm(supervisor, finding, at=moment(ASSIGNED_ON))

        reminders.remind(REMINDED_ON)

    for item in (four, five, ten, finding):
        item.refresh_from_db()
    return SimpleNamespace(
        people=people, plan=plan, feedback=feedback,
        service_center=service_center, bigdata=bigdata, justice=justice, water=water,
        four=four, five=five, ten=ten, finding=finding,
        draft=_item(plan, kind=ItemKind.TASK, number="(6)"),
        report=report, report_file=report_file, claim=claim, claim_file=claim_file,
        deadline_request=deadline_request, sample=sample, check=sample.checks.get(),
        platform_file=platform_file, as_of=AS_OF,
    )


@pytest.fixture
def client_for(db):
    """A function giving a client logged in as the named person (a session, as after the login page)."""
    def logged_in(username: str) -> Client:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        return client
    return logged_in


@pytest.fixture
def demo_password(db):
    """A function that gives the named person the password PASSWORD (demo people have none) and returns it."""
    def give(username: str) -> str:
        user = get_user_model().objects.get(username=username)
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        return PASSWORD
    return give
