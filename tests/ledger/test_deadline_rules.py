"""Time limits become deadline rules: counted in working days, days, months or years; made from a document's time
limit; applied to drafts directly and to active items only through an approved change; each deadline citing its
rule and source line."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from duban import cli
from duban.ledger.choices import ChangeKind, Genre, ItemKind, ItemState, RequestStatus, TimeLimitEvent
from duban.ledger.errors import InvalidState, LedgerError, NotAllowed
from duban.ledger.models import ChangeRequest, DeadlineRule, Event, Item, SourceDocument, SourceFile
from duban.ledger.services.deadline_rules import (
    apply_rule, count, deadline_for, make_rule, retire_rule, rule_for_feedback, rule_text,
)
from duban.ledger.services.rectification import open_rectification

NOW = datetime(2018, 1, 2, 4, 0, tzinfo=timezone.utc)


def document(tree, day: date | None, *, genre=Genre.OVERSIGHT, title="Central environmental inspection feedback") -> SourceDocument:
    n = SourceFile.objects.count() + 1
    source = SourceFile.objects.create(name=f"doc{n}.txt", sha256=f"{n:064x}", size=1, format="txt",
                                       extractor_version="1", ingested_at=NOW)
    return SourceDocument.objects.create(file=source, index=1, record_id=f"doc{n}", title=title, genre=genre, date=day,
                                         line_start=1, line_end=400, first_line=1, text="…",
                                         supervising_office=tree.office)


def time_limit(doc: SourceDocument, value=30, unit="working_days", *, line=357, state=ItemState.DRAFT) -> Item:
    return Item.objects.create(kind=ItemKind.TIME_LIMIT, document=doc, state=state, data={"value": value, "unit": unit},
                               line_start=line, line_end=line, quote=f"within {value} {unit.replace('_', ' ')}",
                               created_at=NOW, updated_at=NOW)


def task(doc: SourceDocument | None, *, state=ItemState.DRAFT, due=None, owner=None) -> Item:
    return Item.objects.create(kind=ItemKind.TASK, document=doc, state=state, due=due, original_due=due, title="t",
                               lead_owner=owner, created_at=NOW, updated_at=NOW)


@pytest.fixture
def feedback_rule(tree):
    round_2018 = document(tree, date(2018, 1, 2))
    limit = time_limit(round_2018)
    rule = make_rule(tree.sup, limit, event=TimeLimitEvent.FEEDBACK, name="Rectification plan", on=date(2018, 1, 3))
    return round_2018, limit, rule


# --- counting ---------------------------------------------------------------------------------------------------

def test_30_working_days_after_2_january_2018_is_12_february_in_china_and_13_in_france(tree, feedback_rule):
    _, _, rule = feedback_rule
    assert deadline_for(rule, date(2018, 1, 2)) == (date(2018, 2, 12), False)  # Sunday 11 February was worked
    assert deadline_for(rule, date(2018, 1, 2), country="FR").date == date(2018, 2, 13)
    assert deadline_for(rule, date(2019, 5, 9)).date == date(2019, 6, 21)


def test_15_working_days_of_acceptance_cross_the_spring_festival(tree):
    # From 21 January 2025: 21-24 (4), Sunday 26 worked (5), 27 (6), 28 January-4 February off, 5-7 (9),
    # Saturday 8 worked (10), 10-14 (15).
    assert count(15, "working_days", date(2025, 1, 20)) == (date(2025, 2, 14), False)
    assert count(15, "days", date(2025, 1, 20)) == (date(2025, 2, 4), False)  # calendar days: not moved off a holiday


@pytest.mark.parametrize("start, value, unit, expected", [
    (date(2025, 1, 31), 3, "months", date(2025, 4, 30)),  # clamped to the end of April
    (date(2024, 1, 31), 1, "months", date(2024, 2, 29)),
    (date(2025, 11, 30), 3, "months", date(2026, 2, 28)),  # across the year
    (date(2025, 3, 15), 2, "months", date(2025, 5, 15)),
    (date(2024, 2, 29), 1, "years", date(2025, 2, 28)),
    (date(2025, 1, 31), 15, "days", date(2025, 2, 15)),
])
def test_days_months_and_years_on_the_calendar(start, value, unit, expected):
    assert count(value, unit, start) == (expected, False)


def test_working_days_in_a_year_past_the_calendar_data_are_provisional():
    assert count(30, "working_days", date(2031, 1, 2)) == (date(2031, 2, 19), True)
    assert count(30, "days", date(2031, 1, 2)) == (date(2031, 2, 1), False)


# --- making rules -----------------------------------------------------------------------------------------------

def test_a_time_limit_becomes_a_rule_with_its_history(tree, feedback_rule):
    round_2018, limit, rule = feedback_rule
    assert (rule.source, rule.event, rule.value, rule.unit, rule.applies_to_genre, rule.active) == (
        limit, "feedback", 30, "working_days", Genre.OVERSIGHT, True)  # feedback: oversight documents by default
    assert rule_text(rule) == "30 working days after feedback"
    event = Event.objects.get(action="deadline_rule.make")
    assert (event.object_id, event.item_id, event.actor) == (rule.pk, limit.pk, "sup")
    assert event.after["document"] == round_2018.pk and event.after["line"] == 357


def test_making_a_rule_is_refused_when_it_cannot_be_a_rule(tree, feedback_rule):
    round_2018, limit, _ = feedback_rule
    with pytest.raises(LedgerError, match="already rule"):
        make_rule(tree.sup, limit, event="feedback", name="again")
    with pytest.raises(NotAllowed):
        make_rule(tree.housing_staff, time_limit(round_2018), event="feedback", name="x")
    with pytest.raises(LedgerError, match="unknown event"):
        make_rule(tree.sup, time_limit(round_2018), event="lunch", name="x")
    with pytest.raises(LedgerError, match="needs a name"):
        make_rule(tree.sup, time_limit(round_2018), event="feedback", name=" ")
    with pytest.raises(LedgerError, match="whole number"):
        make_rule(tree.sup, time_limit(round_2018, value=2.5, unit="months"), event="feedback", name="x")
    with pytest.raises(InvalidState, match="rejected"):
        make_rule(tree.sup, time_limit(round_2018, state=ItemState.REJECTED), event="feedback", name="x")
    with pytest.raises(LedgerError, match="rules are made from time limits"):
        make_rule(tree.sup, task(round_2018), event="feedback", name="x")


# --- applying rules ---------------------------------------------------------------------------------------------

def test_a_draft_rectification_plan_takes_the_rule_s_deadline_citing_the_rule_and_its_line(tree, feedback_rule):
    round_2018, limit, rule = feedback_rule
    plan = open_rectification(tree.sup, round_2018, on=date(2018, 1, 3))
    applied = apply_rule(tree.sup, rule, round_2018, on=date(2018, 1, 3))  # the document's rectification plan
    assert applied.pk == plan.pk
    assert (applied.due, applied.original_due, applied.due_provisional) == (date(2018, 2, 12), date(2018, 2, 12), False)
    assert {k: applied.data[k] for k in ("deadline_rule", "rule", "event_date", "source")} == {
        "deadline_rule": rule.pk, "rule": "30 working days after feedback", "event_date": "2018-01-02",
        "source": {"document": round_2018.pk, "line": 357}}
    event = Event.objects.get(item=plan, action="item.apply_deadline_rule")
    assert event.after["deadline_rule"] == rule.pk and event.after["due"] == "2018-02-12"
    apply_rule(tree.sup, rule, plan, on=date(2018, 1, 4))  # again: nothing changes, nothing recorded
    assert Event.objects.filter(item=plan, action="item.apply_deadline_rule").count() == 1


def test_the_rule_applies_to_every_feedback_of_its_kind_and_to_nothing_else(tree, feedback_rule):
    _, _, rule = feedback_rule
    round_2019 = document(tree, date(2019, 5, 9), title="Feedback to Hunan")
    draft = task(round_2019)
    assert apply_rule(tree.sup, rule, draft, on=date(2019, 5, 10)).due == date(2019, 6, 21)  # from the round's date
    plan_doc = document(tree, date(2019, 5, 9), genre=Genre.PLAN, title="A plan")
    with pytest.raises(LedgerError, match="applies to oversight documents"):
        apply_rule(tree.sup, rule, task(plan_doc), on=date(2019, 5, 10))
    with pytest.raises(LedgerError, match="no open rectification plan"):
        apply_rule(tree.sup, rule, round_2019, on=date(2019, 5, 10))
    with pytest.raises(NotAllowed):
        apply_rule(tree.housing_staff, rule, task(round_2019), on=date(2019, 5, 10))


def test_an_active_item_s_deadline_changes_only_through_an_approved_request(tree, feedback_rule):
    round_2018, _, rule = feedback_rule
    item = task(round_2018, state=ItemState.ACTIVE, due=date(2018, 1, 31), owner=tree.housing)
    with pytest.raises(NotAllowed, match="may not change a deadline by a rule"):
        apply_rule(tree.housing_ver, rule, item, on=date(2018, 1, 3))  # inside the owner's organisation
    apply_rule(tree.city_sup, rule, item, on=date(2018, 1, 3))  # a supervisor above the owner
    item.refresh_from_db()
    assert (item.due, item.original_due, item.extensions) == (date(2018, 2, 12), date(2018, 1, 31), 1)
    request = ChangeRequest.objects.get(item=item)
    assert (request.kind, request.status, request.proposed_due, request.decided_by) == (
        ChangeKind.DEADLINE, RequestStatus.APPROVED, date(2018, 2, 12), tree.city_sup)
    assert f"deadline rule #{rule.pk}" in request.reason and "line 357" in request.reason
    assert list(Event.objects.filter(item=item).values_list("action", flat=True)) == [
        "item.request_change", "item.due_change", "item.apply_deadline_rule"]
    assert item.data["deadline_rule"] == rule.pk


def test_closed_items_take_no_deadline_and_retired_rules_apply_to_nothing(tree, feedback_rule):
    round_2018, _, rule = feedback_rule
    with pytest.raises(InvalidState, match="closed"):
        apply_rule(tree.sup, rule, task(round_2018, state=ItemState.CLOSED, owner=tree.housing), on=date(2018, 1, 3))
    retire_rule(tree.sup, rule, on=date(2018, 1, 4))
    with pytest.raises(InvalidState, match="retired"):
        apply_rule(tree.sup, rule, task(round_2018), on=date(2018, 1, 5))


def test_a_request_rule_needs_the_date_of_acceptance(tree):
    law = document(tree, date(2019, 4, 3), genre=Genre.LAW, title="Regulations on the disclosure of government information")
    limit = time_limit(law, 15, line=88)
    rule = make_rule(tree.sup, limit, event=TimeLimitEvent.ACCEPTANCE, name="Reply to a request", on=date(2019, 5, 1))
    assert rule.applies_to_genre == "" and rule_text(rule) == "15 working days after acceptance"
    request = task(None)
    with pytest.raises(LedgerError, match="give the date of the acceptance"):
        apply_rule(tree.sup, rule, request, on=date(2025, 1, 20))
    applied = apply_rule(tree.sup, rule, request, event_date=date(2025, 1, 20), on=date(2025, 1, 20))
    assert applied.due == date(2025, 2, 14) and applied.data["source"] == {"document": law.pk, "line": 88}


def test_rule_for_feedback_prefers_the_round_s_own_rule_and_refuses_to_choose_between_disagreeing_ones(tree, feedback_rule):
    round_2018, _, rule = feedback_rule
    other_round = document(tree, date(2019, 5, 9))
    assert rule_for_feedback(other_round) == rule  # a rule for every oversight feedback
    assert rule_for_feedback(document(tree, date(2019, 5, 9), genre=Genre.PLAN)) is None
    own = make_rule(tree.sup, time_limit(other_round, 20), event="feedback", name="Its own", on=date(2019, 5, 10))
    assert rule_for_feedback(other_round) == own and rule_for_feedback(round_2018) == rule
    third = document(tree, date(2020, 1, 6))
    with pytest.raises(LedgerError, match="several feedback rules"):
        rule_for_feedback(third)  # 30 and 20 working days both claim every feedback
    retire_rule(tree.sup, own, on=date(2020, 1, 7))
    assert rule_for_feedback(third) == rule


# --- the command line -------------------------------------------------------------------------------------------

def test_rule_make_apply_and_rules_from_the_command_line(tree, capsys):
    round_2018 = document(tree, date(2018, 1, 2))
    limit = time_limit(round_2018)
    open_rectification(tree.sup, round_2018, on=date(2018, 1, 3))
    assert cli.main(["ledger", "rule", "make", str(limit.pk), "--event", "feedback", "--name", "Rectification plan",
                     "--as", "sup", "--on", "2018-01-03"]) == 0
    rule = DeadlineRule.objects.get()
    assert cli.main(["ledger", "rule", "apply", str(rule.pk), "--kind", "rectification", "--document", str(round_2018.pk),
                     "--as", "sup", "--on", "2018-01-03"]) == 0
    assert cli.main(["ledger", "rules"]) == 0
    out = capsys.readouterr().out
    assert f"rule #{rule.pk} Rectification plan: 30 working days after feedback, from document {round_2018.pk} line 357" in out
    assert f"due 2018-02-12 by rule #{rule.pk}: 30 working days after feedback of 2018-01-02" in out
    assert f"doc {round_2018.pk} line 357" in out and "1 rule" in out
    assert cli.main(["ledger", "rule", "apply", "999", "1", "--as", "sup"]) == 1
    assert "no deadline rule #999" in capsys.readouterr().err
