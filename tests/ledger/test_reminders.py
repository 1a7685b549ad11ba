"""Reminders and escalation, run as of dates that advance: one rule per test, e-mail through the locmem backend.

Dates on China's 2025 calendar (the tree's province is CN-SC): June 16–20 and 23–27, 30 are plain working weeks;
the National Day holiday runs October 1–8, with Sunday September 28 worked instead (Saturday the 27th is off).
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from django.core import mail

from duban.ledger.choices import ItemState, ReminderKind as R
from duban.ledger.errors import LedgerError, NotAllowed
from duban.ledger.models import Event, Item, Reminder
from duban.ledger.services.reminders import escalation_level, inbox, mark_read, remind
from duban.ledger.services.workflow import (
    approve_request, assign_owner, claim_completion, confirm, request_deadline_change, verify_claim,
)
from duban.ledger.models import Evidence

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)
DUE = date(2025, 6, 20)  # a Friday


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run `remind` and the e-mail sending its commit triggers, as a real commit would."""

    def run(day: date, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return remind(day, **kwargs)

    return run


def active(tree, due=DUE, lead=None, co_owners=(), interval=5) -> Item:
    item = Item.objects.create(kind="task", number="(3)", title="Open every service hall on Saturdays", state="draft",
                               due=due, reporting_interval=interval, created_at=T0, updated_at=T0)
    assign_owner(tree.sup, item, lead or tree.housing, co_owners, at=T0)
    return confirm(tree.sup, item, at=T0)


def keys(report) -> set[tuple[str, str, int]]:
    return {(r.kind, r.organisation.name, r.level) for r in report.reminders}


def test_an_item_due_within_five_working_days_reminds_its_lead_and_co_owners(tree, sent):
    active(tree, co_owners=[tree.bigdata])
    report = sent(date(2025, 6, 13))  # Friday: 16, 17, 18, 19, 20 are five working days away
    assert keys(report) == {(R.DUE_SOON, "Qingshi Housing Bureau", 0), (R.DUE_SOON, "Provincial Big Data Bureau", 0)}
    assert "is due on 2025-06-20 (in 5 working days, as of 2025-06-13)" in report.reminders[0].message


def test_no_reminder_six_working_days_before(tree, sent):
    active(tree)
    assert sent(date(2025, 6, 12)).reminders == []
    assert not Reminder.objects.exists()


def test_working_days_are_counted_on_the_owners_calendar(tree, sent):
    active(tree, due=date(2025, 10, 10))  # the National Day holiday lies between
    assert sent(date(2025, 9, 25)).reminders == []  # six working days: 26, 28, 29, 30 September, 9 and 10 October
    assert keys(sent(date(2025, 9, 26))) == {(R.DUE_SOON, "Qingshi Housing Bureau", 0)}  # ten on weekdays alone


def test_the_number_of_working_days_is_configurable(tree, sent, settings):
    settings.DUBAN_REMINDER_DAYS = 2
    active(tree)
    assert sent(date(2025, 6, 13)).reminders == []
    assert len(sent(date(2025, 6, 18)).reminders) == 1
    assert len(sent(date(2025, 6, 10), days=10).reminders) == 0  # already sent for this due date


def test_running_twice_sends_nothing_twice(tree, sent):
    active(tree, co_owners=[tree.bigdata])
    first = sent(date(2025, 6, 13))
    assert len(first.reminders) == 2
    rows, events = Reminder.objects.count(), Event.objects.count()
    assert sent(date(2025, 6, 13)).reminders == []
    assert sent(date(2025, 6, 16)).reminders == []  # once per due date, not every day of the window
    assert (Reminder.objects.count(), Event.objects.count()) == (rows, events)


def test_an_overdue_item_escalates_to_the_parent_then_the_grandparent(tree, sent):
    item = active(tree, interval=5)
    report = sent(date(2025, 6, 23))  # one working day late
    assert keys(report) == {(R.OVERDUE, "Qingshi Housing Bureau", 1), (R.ESCALATION, "Qingshi City", 1)}
    assert [(i.pk, before, after) for i, before, after in report.escalations] == [(item.pk, 0, 1)]
    item.refresh_from_db()
    assert item.escalation_level == 1

    assert sent(date(2025, 6, 27)).reminders == []  # five working days late: still the first interval
    report = sent(date(2025, 6, 30))  # six: a further interval
    assert keys(report) == {(R.OVERDUE, "Qingshi Housing Bureau", 2), (R.ESCALATION, "Lanshan Province", 2)}
    item.refresh_from_db()
    assert item.escalation_level == 2
    events = [(e.before, e.after) for e in Event.objects.filter(item_id=item.pk, action="item.escalate").order_by("id")]
    assert events == [({"escalation_level": 0}, {"escalation_level": 1, "as_of": "2025-06-23"}),
                      ({"escalation_level": 1}, {"escalation_level": 2, "as_of": "2025-06-30"})]


def test_escalation_stops_at_the_root(tree, sent):
    item = active(tree, interval=5)
    sent(date(2025, 6, 30))
    assert sent(date(2025, 9, 1)).reminders == []
    item.refresh_from_db()
    assert item.escalation_level == 2  # the province is the root: two levels above the housing bureau


def test_a_late_first_run_tells_every_level_reached(tree, sent):
    active(tree, interval=5)
    assert keys(sent(date(2025, 7, 1))) == {
        (R.OVERDUE, "Qingshi Housing Bureau", 2), (R.ESCALATION, "Qingshi City", 1), (R.ESCALATION, "Lanshan Province", 2)}


def test_the_level_counts_reporting_intervals_of_delay():
    assert [escalation_level(d, 20, 3) for d in (0, 1, 20, 21, 40, 41, 200)] == [1, 1, 1, 2, 2, 3, 3]
    assert escalation_level(5, 20, 0) == 0


def test_an_item_owned_by_the_root_is_not_escalated(tree, sent):
    item = active(tree, lead=tree.province)
    assert keys(sent(date(2025, 6, 23))) == {(R.OVERDUE, "Lanshan Province", 0)}
    item.refresh_from_db()
    assert item.escalation_level == 0


def test_reminders_read_the_item_as_of_the_date(tree, sent):
    item = active(tree)
    claim = claim_completion(tree.housing_staff, item, on=date(2025, 6, 16))
    photo = Evidence.objects.create(sha256="e" * 64, size=1, content_type="image/png", original_name="hall.png", stored_at=T0)
    verify_claim(tree.ver, claim, evidence=[photo], on=date(2025, 6, 18))
    assert sent(date(2025, 6, 23)).reminders == []  # closed before it fell due
    assert keys(sent(date(2025, 6, 13))) == {(R.DUE_SOON, "Qingshi Housing Bureau", 0)}  # active then


def test_a_claimed_item_still_escalates_until_verified(tree, sent):
    item = active(tree)
    claim_completion(tree.housing_staff, item, on=date(2025, 6, 19))
    assert (R.ESCALATION, "Qingshi City", 1) in keys(sent(date(2025, 6, 23)))


def test_drafts_and_closed_items_get_nothing(tree, sent):
    Item.objects.create(kind="task", state=ItemState.DRAFT, due=DUE, created_at=T0, updated_at=T0)
    assert sent(date(2025, 6, 13)).reminders == [] and sent(date(2025, 6, 23)).reminders == []


def test_a_new_due_date_is_reminded_again_and_lowers_the_level(tree, sent):
    item = active(tree)
    sent(date(2025, 6, 23))
    request = request_deadline_change(tree.housing_staff, item, date(2025, 7, 4), "the halls need staff", on=date(2025, 6, 24))
    approve_request(tree.sup, request, on=date(2025, 6, 25))
    report = sent(date(2025, 6, 27))  # 30 June, 1–4 July: five working days
    assert keys(report) == {(R.DUE_SOON, "Qingshi Housing Bureau", 0)}
    item.refresh_from_db()
    assert item.escalation_level == 0


def test_a_past_date_does_not_undo_a_later_escalation(tree, sent):
    item = active(tree)
    sent(date(2025, 6, 30))
    sent(date(2025, 6, 13))
    item.refresh_from_db()
    assert item.escalation_level == 2


def test_reminders_are_emailed_to_members_with_an_address(tree, sent):
    tree.housing_staff.email = "staff@housing.qingshi.example"
    tree.housing_staff.save()
    tree.city_sup.email = "supervisor@qingshi.example"
    tree.city_sup.save()
    active(tree)
    report = sent(date(2025, 6, 23))
    assert sorted((m.to, m.subject.split(":")[0]) for m in mail.outbox) == [
        (["staff@housing.qingshi.example"], "[duban] Overdue"),
        (["supervisor@qingshi.example"], "[duban] Escalated to the level above")]
    assert "was due on 2025-06-20 and is 1 working day overdue" in mail.outbox[0].body
    assert len(report.delivery.mailed) == 2
    mail.outbox.clear()
    sent(date(2025, 6, 23))
    assert mail.outbox == []


def test_nothing_is_emailed_when_the_transaction_rolls_back(tree, django_capture_on_commit_callbacks):
    tree.housing_staff.email = "staff@housing.qingshi.example"
    tree.housing_staff.save()
    active(tree)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        remind(date(2025, 6, 13))
    assert len(callbacks) == 1 and mail.outbox == []  # the e-mail waits for the commit


def test_members_without_an_address_find_it_in_their_inbox(tree, sent):
    active(tree)
    sent(date(2025, 6, 13))
    assert mail.outbox == []
    assert [(r.kind, r.organisation.name) for r in inbox(tree.housing_staff)] == [(R.DUE_SOON, "Qingshi Housing Bureau")]
    assert list(inbox(tree.county_staff)) == []


def test_the_inbox_shows_unread_first_and_mark_read_is_recorded(tree, sent):
    active(tree)
    sent(date(2025, 6, 13))
    sent(date(2025, 6, 23))
    first, second = list(inbox(tree.housing_staff))
    assert (first.as_of, second.as_of) == (date(2025, 6, 23), date(2025, 6, 13))
    mark_read(tree.housing_staff, first, at=T0)
    assert [r.pk for r in inbox(tree.housing_staff)] == [second.pk, first.pk]
    assert [r.pk for r in inbox(tree.housing_staff, unread_only=True)] == [second.pk]
    event = Event.objects.get(action="reminder.read")
    assert (event.actor, event.object_id, event.item_id) == ("housing_staff", first.pk, first.item_id)


def test_only_a_member_of_the_organisation_marks_its_reminder_read(tree, sent):
    active(tree)
    reminder = sent(date(2025, 6, 13)).reminders[0]
    with pytest.raises(NotAllowed, match="only its members"):
        mark_read(tree.city_sup, reminder)


def test_a_negative_window_is_refused(tree):
    with pytest.raises(LedgerError, match="0 or more"):
        remind(date(2025, 6, 13), days=-1)


def test_every_reminder_is_recorded_in_the_history(tree, sent):
    item = active(tree)
    report = sent(date(2025, 6, 23))
    events = Event.objects.filter(action="reminder.send", item_id=item.pk)
    assert sorted(e.object_id for e in events) == sorted(r.pk for r in report.reminders)


# --- the command line -------------------------------------------------------------------------------------------

def duban(capsys, *args) -> tuple[int, str, str]:
    from duban import cli

    status = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


def test_the_remind_command_prints_what_it_sent_and_nothing_the_second_time(tree, capsys, django_capture_on_commit_callbacks):
    tree.city_sup.email = "supervisor@qingshi.example"
    tree.city_sup.save()
    item = active(tree)
    with django_capture_on_commit_callbacks(execute=True):
        status, out, err = duban(capsys, "ledger", "remind", "--as-of", "2025-06-23")
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("overdue (level 1) → Qingshi Housing Bureau: Task (3) “Open every service hall")
    assert lines[1].startswith("escalated to the level above (level 1) → Qingshi City: ")
    assert lines[2] == f"#{item.pk}: escalation level 0 → 1"
    assert lines[3].startswith("2 reminders sent as of 2025-06-23; ")  # the e-mail count is known once it commits
    assert [m.to for m in mail.outbox] == [["supervisor@qingshi.example"]]
    status, out, _ = duban(capsys, "ledger", "remind", "--as-of", "2025-06-23")
    assert (status, out) == (0, "nothing new to send as of 2025-06-23\n")


def test_the_inbox_command_lists_unread_first_and_marks_read(tree, capsys, sent):
    active(tree)
    reminder = sent(date(2025, 6, 13)).reminders[0]
    status, out, _ = duban(capsys, "ledger", "inbox", "--as", "housing_staff")
    assert status == 0 and out.startswith(f"* #{reminder.pk} 2025-06-13 due soon → Qingshi Housing Bureau: ")
    assert out.endswith("1 message, 1 unread (marked *)\n")
    status, out, _ = duban(capsys, "ledger", "inbox", "--as", "housing_staff", "--read", reminder.pk)
    assert out.splitlines()[0] == f"reminder #{reminder.pk} marked read" and out.endswith("1 message, 0 unread (marked *)\n")
    status, _, err = duban(capsys, "ledger", "inbox", "--as", "city_sup", "--read", reminder.pk)
    assert status == 1 and "only its members may" in err
