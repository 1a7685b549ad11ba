"""Rectification plans: due N working days after the feedback date from the round's time limit, with tasks and milestones."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from duban.ledger.choices import Genre, ItemKind, ItemState
from duban.ledger.errors import InvalidState, LedgerError, NotAllowed
from duban.ledger.models import Event, Item, SourceDocument, SourceFile
from duban.ledger.services.organisations import create_organisation, create_person
from duban.ledger.services.rectification import add_rectification_task, open_rectification

NOW = datetime(2025, 3, 3, 4, 0, tzinfo=timezone.utc)


def round_document(tree, feedback: date | None, *, genre=Genre.OVERSIGHT, office=None) -> SourceDocument:
    n = SourceFile.objects.count() + 1
    source = SourceFile.objects.create(name=f"round{n}.txt", sha256=f"{n:064x}", size=1, format="txt",
                                       extractor_version="1", ingested_at=NOW)
    return SourceDocument.objects.create(
        file=source, index=1, record_id=f"doc{n}", title="Central environmental inspection feedback to Xinjiang",
        genre=genre, date=feedback, line_start=319, line_end=359, first_line=319, text="…",
        supervising_office=office or tree.office,
    )


def item(document, kind, *, state=ItemState.DRAFT, **data) -> Item:
    return Item.objects.create(kind=kind, document=document, state=state, data=data, line_start=357, line_end=357,
                               quote="submit them to the State Council within 30 working days",
                               created_at=NOW, updated_at=NOW)


def test_the_xinjiang_plan_is_due_30_working_days_after_the_feedback_of_2_january_2018(tree):
    feedback = round_document(tree, date(2018, 1, 2))
    limit = item(feedback, ItemKind.TIME_LIMIT, value=30, unit="working_days")
    findings = [item(feedback, ItemKind.FINDING, parties=["Karamay City"]) for _ in range(2)]
    item(feedback, ItemKind.FINDING, state=ItemState.REJECTED)

    plan = open_rectification(tree.sup, feedback, on=date(2018, 1, 3))

    assert plan.kind == ItemKind.RECTIFICATION and plan.state == ItemState.DRAFT and plan.document == feedback
    assert plan.due == plan.original_due == date(2018, 2, 12)  # Sunday 11 February was a working day
    assert not plan.due_provisional
    assert plan.data == {"basis_item": limit.pk, "rule": "30 working days after the feedback date",
                         "feedback_date": "2018-01-02", "finding_ids": [f.pk for f in findings]}
    assert (plan.line_start, plan.quote) == (357, limit.quote)  # the plan points back to its time limit
    event = Event.objects.get(item=plan, action="item.create")
    assert event.after["due"] == "2018-02-12" and event.after["basis_item"] == limit.pk and event.actor == "sup"


def test_without_a_time_limit_the_given_working_days_count(tree):
    feedback = round_document(tree, date(2019, 5, 9))
    item(feedback, ItemKind.TIME_LIMIT, value=2, unit="months")  # not in working days
    item(feedback, ItemKind.TIME_LIMIT, state=ItemState.REJECTED, value=15, unit="working_days")  # an extraction error
    plan = open_rectification(tree.sup, feedback, on=date(2019, 5, 10), working_days=30)
    assert plan.due == date(2019, 6, 21)
    assert plan.data["basis_item"] is None and plan.data["rule"] == "30 working days after the feedback date"


def test_a_year_past_the_calendar_data_gives_a_provisional_due(tree):
    feedback = round_document(tree, date(2031, 1, 2))
    item(feedback, ItemKind.TIME_LIMIT, value=30, unit="working_days")
    plan = open_rectification(tree.sup, feedback, on=date(2031, 1, 3))
    assert plan.due == date(2031, 2, 19) and plan.due_provisional


def test_the_supervising_office_calendar_counts(tree):
    paris = create_organisation("Bureau d'inspection", kind="office", country="FR")
    inspector = create_person("inspecteur", roles=[(paris, "supervisor")])
    feedback = round_document(tree, date(2018, 1, 2), office=paris)
    item(feedback, ItemKind.TIME_LIMIT, value=30, unit="working_days")
    assert open_rectification(inspector, feedback, on=date(2018, 1, 3)).due == date(2018, 2, 13)  # no make-up Sunday


def test_given_working_days_that_contradict_the_round_are_refused(tree):
    feedback = round_document(tree, date(2018, 1, 2))
    item(feedback, ItemKind.TIME_LIMIT, value=30, unit="working_days")
    with pytest.raises(LedgerError, match="sets 30 working days"):
        open_rectification(tree.sup, feedback, on=date(2018, 1, 3), working_days=45)
    assert open_rectification(tree.sup, feedback, on=date(2018, 1, 3), working_days=30).due == date(2018, 2, 12)


def test_several_time_limits_need_a_basis(tree):
    feedback = round_document(tree, date(2018, 1, 2))
    item(feedback, ItemKind.TIME_LIMIT, value=30, unit="working_days")
    fifteen = item(feedback, ItemKind.TIME_LIMIT, value=15, unit="working_days")
    with pytest.raises(LedgerError, match="several time limits"):
        open_rectification(tree.sup, feedback, on=date(2018, 1, 3))
    plan = open_rectification(tree.sup, feedback, on=date(2018, 1, 3), basis=fifteen)
    assert plan.data["basis_item"] == fifteen.pk and plan.due == date(2018, 1, 23)


def test_a_round_without_a_time_limit_or_working_days_is_refused(tree):
    with pytest.raises(LedgerError, match="no time limit"):
        open_rectification(tree.sup, round_document(tree, date(2018, 1, 2)), on=date(2018, 1, 3))


def test_only_a_dated_inspection_round_leads_to_a_plan(tree):
    with pytest.raises(LedgerError, match="inspection round"):
        open_rectification(tree.sup, round_document(tree, date(2018, 1, 2), genre=Genre.PLAN), on=date(2018, 1, 3),
                           working_days=30)
    with pytest.raises(LedgerError, match="no feedback date"):
        open_rectification(tree.sup, round_document(tree, None), on=date(2018, 1, 3), working_days=30)


def test_the_plan_can_address_some_findings_of_its_round_only(tree):
    feedback, other = round_document(tree, date(2018, 1, 2)), round_document(tree, date(2018, 1, 2))
    first, _ = item(feedback, ItemKind.FINDING), item(feedback, ItemKind.FINDING)
    plan = open_rectification(tree.sup, feedback, on=date(2018, 1, 3), working_days=30, findings=[first])
    assert plan.data["finding_ids"] == [first.pk]
    with pytest.raises(LedgerError, match="not a finding"):
        open_rectification(tree.sup, feedback, on=date(2018, 1, 3), working_days=30,
                           findings=[item(other, ItemKind.FINDING)])


def test_owner_staff_do_not_open_plans(tree):
    with pytest.raises(NotAllowed):
        open_rectification(tree.housing_staff, round_document(tree, date(2018, 1, 2)), on=date(2018, 1, 3),
                           working_days=30)


@pytest.fixture
def plan(tree) -> Item:
    return open_rectification(tree.sup, round_document(tree, date(2018, 1, 2)), on=date(2018, 1, 3), working_days=30)


def test_a_rectification_task_has_its_phased_milestones(tree, plan):
    task = add_rectification_task(tree.sup, plan, "Close the illegal wells", tree.housing, due=date(2018, 12, 31),
                                  milestones=[("Survey the wells", date(2018, 3, 31)), ("Seal them", date(2018, 9, 30))])
    assert (task.kind, task.parent, task.state, task.lead_owner, task.due) == (
        ItemKind.TASK, plan, ItemState.DRAFT, tree.housing, date(2018, 12, 31))
    milestones = list(task.children.order_by("id"))
    assert [(m.kind, m.title, m.due, m.lead_owner, m.state) for m in milestones] == [
        (ItemKind.MILESTONE, "Survey the wells", date(2018, 3, 31), tree.housing, ItemState.DRAFT),
        (ItemKind.MILESTONE, "Seal them", date(2018, 9, 30), tree.housing, ItemState.DRAFT),
    ]
    assert Event.objects.filter(action="item.create", item__in=[task, *milestones]).count() == 3


def test_a_milestone_after_its_task_is_refused(tree, plan):
    with pytest.raises(LedgerError, match="after its task"):
        add_rectification_task(tree.sup, plan, "Close the wells", tree.housing, due=date(2018, 6, 30),
                               milestones=[("Seal them", date(2018, 9, 30))])
    assert not plan.children.exists()  # nothing half-made


def test_tasks_go_under_an_open_rectification_plan_only(tree, plan):
    ordinary = Item.objects.create(kind=ItemKind.TASK, title="Not a plan", created_at=NOW, updated_at=NOW)
    with pytest.raises(LedgerError, match="rectification plan"):
        add_rectification_task(tree.sup, ordinary, "Task", tree.housing, due=date(2018, 6, 30))
    Item.objects.filter(pk=plan.pk).update(state=ItemState.CANCELLED)
    plan.refresh_from_db()
    with pytest.raises(InvalidState):
        add_rectification_task(tree.sup, plan, "Task", tree.housing, due=date(2018, 6, 30))


def test_owner_staff_do_not_add_rectification_tasks(tree, plan):
    with pytest.raises(NotAllowed):
        add_rectification_task(tree.housing_staff, plan, "Task", tree.housing, due=date(2018, 6, 30))


def test_a_round_without_a_time_limit_takes_the_standing_feedback_rule(tree):
    """With no time limit of its own, the plan is due by the feedback rule a supervisor made from another round."""
    from duban.ledger.models import DeadlineRule

    other = round_document(tree, date(2018, 1, 2))
    limit = item(other, ItemKind.TIME_LIMIT, value=30, unit="working_days")
    rule = DeadlineRule.objects.create(name="Plan after feedback", source=limit, event="feedback", value=30,
                                       unit="working_days", applies_to_genre="oversight", created_by=tree.sup,
                                       created_at=NOW)
    feedback = round_document(tree, date(2019, 5, 9))
    plan = open_rectification(tree.sup, feedback, on=date(2019, 5, 10))
    assert plan.due == date(2019, 6, 21)
    assert plan.data["deadline_rule"] == rule.pk and plan.data["rule"].startswith("30 working days")
    assert plan.data["source"] == {"document": other.pk, "line": 357}
