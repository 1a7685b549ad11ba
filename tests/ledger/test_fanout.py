"""Fan-out to a group's members and roll-up: one child per member with its own owner, deadline and progress;
idempotent; the parent closes only by roll-up, once every child is closed, citing their verifications."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from duban import cli
from duban.ledger.choices import ClaimStatus, Genre, ItemKind, ItemState, OrganisationKind as K, Role
from duban.ledger.errors import InvalidState, LedgerError, NotAllowed
from duban.ledger.models import Event, Evidence, Item, SourceDocument, SourceFile
from duban.ledger.services.fanout import (
    CLOSED, OPEN, children_of, close_rolled_up, fan_out, fan_out_document, rollup, rollups,
)
from duban.ledger.services.flags import red_flags
from duban.ledger.services.organisations import create_organisation, create_person
from duban.ledger.services.units import add_group_members, confirm_group, create_group
from duban.ledger.services.workflow import (
    approve_request, assign_owner, claim_completion, confirm, report_progress, request_cancellation, verify_claim,
)

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)
DUE = date(2025, 12, 31)
MON, TUE, WED = date(2025, 3, 10), date(2025, 3, 11), date(2025, 3, 12)
PHRASE = "people’s governments of cities (states)"


@pytest.fixture
def world(tree):
    """The shared tree with a second city and its staff, a city group named by the plan's phrase, and the plan."""
    tree.hezhou = create_organisation("Hezhou City", parent=tree.province, kind=K.CITY)
    tree.hezhou_staff = create_person("hezhou_staff", roles=[(tree.hezhou, Role.OWNER_STAFF)])
    tree.qingshi_staff = create_person("qingshi_staff", roles=[(tree.city, Role.OWNER_STAFF)])
    tree.cities = create_group(tree.sup, "Cities", [tree.city, tree.hezhou], at=T0)
    confirm_group(tree.sup, PHRASE, tree.cities, at=T0)
    source = SourceFile.objects.create(name="plan.txt", sha256="c" * 64, size=1, format="txt",
                                       extractor_version="test", ingested_at=T0)
    tree.document = SourceDocument.objects.create(
        file=source, index=1, record_id="doc-1", title="Plan", genre=Genre.PLAN, line_start=1, line_end=9,
        first_line=1, text="Plan", supervising_office=tree.office)
    return tree


def task(world, *units: str, state=ItemState.DRAFT, due=DUE) -> Item:
    item = Item.objects.create(kind=ItemKind.TASK, document=world.document, unit_names=list(units), number="(four)",
                               title="Standardise government services", line_start=7, line_end=7, quote="(four) …",
                               due=due, original_due=due, created_at=T0, updated_at=T0)
    if state == ItemState.ACTIVE:
        assign_owner(world.sup, item, world.bigdata, at=T0)
        confirm(world.sup, item, at=T0)
    return item


def evidence(name: str) -> Evidence:
    digest = (name.encode().hex() + "0" * 64)[:64]
    return Evidence.objects.get_or_create(sha256=digest, defaults=dict(size=10, content_type="text/plain",
                                                                       original_name=name, stored_at=T0))[0]


def close(world, child: Item, staff, name: str, claimed=MON, verified=TUE) -> None:
    claim = claim_completion(staff, child, evidence=[evidence(name)], on=claimed)
    verify_claim(world.ver, claim, evidence=[evidence(name)], on=verified)


def test_each_member_gets_its_own_child_led_by_it_due_with_the_parent(world):
    parent = task(world, "Provincial Big Data Bureau", PHRASE)
    result = fan_out(world.sup, parent, at=T0)
    children = list(children_of(parent).select_related("lead_owner").order_by("id"))
    assert result.created == children and [c.lead_owner for c in children] == [world.city, world.hezhou]
    for child in children:
        assert (child.kind, child.parent, child.state, child.due, child.original_due) == (
            ItemKind.TASK, parent, ItemState.DRAFT, DUE, DUE)
        assert (child.document, child.line_start, child.quote) == (world.document, 7, "(four) …")  # its source
        assert list(child.co_owners.all()) == [world.bigdata]  # the unit the parent names one by one
        assert child.unit_names == [] and child.number == ""  # no names to apply again; --number finds the parent
        event = Event.objects.get(item_id=child.pk)
        assert (event.action, event.after["lead_owner"], event.after["co_owners"], event.after["state"]) == (
            "item.create", child.lead_owner_id, [world.bigdata.pk], ItemState.DRAFT)
    assert Event.objects.get(item_id=parent.pk, action="item.fanout").after == {
        "children": [c.pk for c in children], "groups": [world.cities.pk]}


def test_children_of_an_active_parent_are_active_and_have_their_own_progress(world):
    parent = task(world, "Provincial Big Data Bureau", PHRASE, state=ItemState.ACTIVE)
    fan_out(world.sup, parent, at=T0)
    qingshi, hezhou = children_of(parent).order_by("id")
    assert qingshi.state == hezhou.state == ItemState.ACTIVE
    report_progress(world.qingshi_staff, qingshi, "Portal connected", on=MON)
    with pytest.raises(NotAllowed):
        report_progress(world.qingshi_staff, hezhou, "Not ours", on=MON)
    report_progress(world.bigdata_staff, hezhou, "Helped Hezhou", on=MON)  # a co-owner of every share
    with pytest.raises(NotAllowed):
        claim_completion(world.bigdata_staff, hezhou, on=MON)  # only the member's side claims its share
    assert qingshi.progress_reports.count() == 1 and hezhou.progress_reports.count() == 1


def test_fanning_out_again_adds_only_the_missing_members(world):
    parent = task(world, "Provincial Big Data Bureau", PHRASE)
    assert len(fan_out(world.sup, parent, at=T0).created) == 2
    again = fan_out(world.sup, parent, at=T0)
    assert again.created == [] and again.existing == 2
    assert Event.objects.filter(item_id=parent.pk, action="item.fanout").count() == 1
    baiyun = create_organisation("Baiyun Prefecture", parent=world.province, kind=K.CITY)
    add_group_members(world.sup, world.cities, [baiyun, world.city], at=T0)
    added = fan_out(world.sup, parent, at=T0)
    assert [child.lead_owner for child in added.created] == [baiyun] and children_of(parent).count() == 3


def test_a_member_the_parent_names_one_by_one_gets_no_child(world):
    parent = task(world, "Qingshi City", PHRASE)
    result = fan_out(world.sup, parent, at=T0)
    assert [child.lead_owner for child in result.created] == [world.hezhou]
    assert list(result.created[0].co_owners.all()) == [world.city]


def test_a_group_named_first_fans_out_under_the_organisation_above_its_members(world):
    parent = task(world, PHRASE, "Provincial Big Data Bureau")
    result = fan_out(world.sup, parent, at=T0)
    assert [child.lead_owner for child in result.created] == [world.city, world.hezhou]
    assert all(list(child.co_owners.all()) == [world.bigdata] for child in result.created)  # not the province


def test_fan_out_needs_resolved_names_an_open_item_and_someone_who_may_manage_it(world):
    with pytest.raises(LedgerError, match="not resolved"):
        fan_out(world.sup, task(world, "Provincial Big Data Center", PHRASE), at=T0)
    with pytest.raises(LedgerError, match="names no group"):
        fan_out(world.sup, task(world, "Provincial Big Data Bureau"), at=T0)
    with pytest.raises(NotAllowed):
        fan_out(world.city_sup, task(world, "Provincial Big Data Bureau", PHRASE), at=T0)
    rejected = task(world, PHRASE)
    Item.objects.filter(pk=rejected.pk).update(state=ItemState.REJECTED)
    with pytest.raises(InvalidState):
        fan_out(world.sup, rejected, at=T0)
    parent = task(world, PHRASE)
    child = fan_out(world.sup, parent, at=T0).created[0]
    with pytest.raises(LedgerError, match="is itself one member's share"):
        fan_out(world.sup, child, groups=[world.cities], at=T0)
    assert Item.objects.filter(data__has_key="fanout").count() == 2  # only the last parent's


def test_a_document_fans_out_its_items_but_leaves_milestones_to_their_task(world):
    parent = task(world, PHRASE)
    Item.objects.create(kind=ItemKind.MILESTONE, document=world.document, parent=parent, unit_names=[PHRASE],
                        due=DUE, created_at=T0, updated_at=T0)
    task(world, "Provincial Big Data Bureau")  # names no group
    done = fan_out_document(world.sup, world.document, at=T0)
    assert [result.item.pk for result in done] == [parent.pk]
    assert Item.objects.filter(data__has_key="fanout").count() == 2


def test_the_roll_up_counts_children_by_state(world):
    parent = task(world, "Provincial Big Data Bureau", PHRASE, state=ItemState.ACTIVE)
    assert rollup(parent).status == "no children"
    fan_out(world.sup, parent, at=T0)
    qingshi, hezhou = children_of(parent).order_by("id")
    claim_completion(world.qingshi_staff, qingshi, evidence=[evidence("q")], on=MON)
    summary = rollup(parent)
    assert summary.counts == {ItemState.ACTIVE: 1, ItemState.CLAIMED: 1} and summary.total == 2
    assert summary.status == OPEN and summary.summary() == "0 of 2 closed (1 active, 1 completion claimed): open"
    close(world, hezhou, world.hezhou_staff, "h")
    verify_claim(world.ver, qingshi.claims.get(), evidence=[evidence("q")], on=TUE)
    assert rollups([parent])[parent.pk].status == CLOSED and rollup(parent).summary() == "2 of 2 closed (2 closed (verified)): closed"


def test_the_parent_closes_only_when_every_child_is_closed(world):
    parent = task(world, "Provincial Big Data Bureau", PHRASE, state=ItemState.ACTIVE)
    qingshi, hezhou = fan_out(world.sup, parent, at=T0).created
    close(world, qingshi, world.qingshi_staff, "q")
    with pytest.raises(LedgerError, match="1 of 2 closed .*: open; it closes when every child is closed"):
        close_rolled_up(world.sup, parent, on=WED)
    parent.refresh_from_db()
    assert parent.state == ItemState.ACTIVE


def test_a_rolled_up_closure_cites_the_childrens_verifications_and_raises_no_flag(world):
    parent = task(world, "Provincial Big Data Bureau", PHRASE, state=ItemState.ACTIVE)
    qingshi, hezhou = fan_out(world.sup, parent, at=T0).created
    close(world, qingshi, world.qingshi_staff, "q", claimed=MON, verified=TUE)
    close(world, hezhou, world.hezhou_staff, "h", claimed=TUE, verified=WED)
    verification = close_rolled_up(world.sup, parent, on=date(2025, 3, 13))
    parent.refresh_from_db()
    assert parent.state == ItemState.CLOSED
    assert verification.verified and verification.claim.item == parent and verification.claim.status == ClaimStatus.VERIFIED
    assert verification.claim.claimed_on == TUE  # the last child's claim
    assert {p.original_name for p in verification.evidence.all()} == {"q", "h"}
    event = Event.objects.get(item_id=parent.pk, action="item.close_rolled_up")
    child_verifications = sorted(c.claims.get().verification.pk for c in (qingshi, hezhou))
    assert event.after["verifications"] == child_verifications and event.after["children"] == [qingshi.pk, hezhou.pk]
    assert event.before == {"state": ItemState.ACTIVE} and event.after["state"] == ItemState.CLOSED
    assert red_flags(date(2025, 3, 14), Item.objects.filter(pk=parent.pk))[parent.pk] == []


def test_a_cancelled_child_does_not_hold_the_parent_open(world):
    parent = task(world, "Provincial Big Data Bureau", PHRASE, state=ItemState.ACTIVE)
    qingshi, hezhou = fan_out(world.sup, parent, at=T0).created
    close(world, qingshi, world.qingshi_staff, "q")
    approve_request(world.sup, request_cancellation(world.hezhou_staff, hezhou, "No such service in Hezhou", on=MON), on=TUE)
    assert rollup(parent).status == CLOSED
    close_rolled_up(world.sup, parent, on=WED)
    assert Item.objects.get(pk=parent.pk).state == ItemState.CLOSED


def test_only_someone_who_may_manage_the_parent_and_is_not_its_owner_closes_it(world):
    parent = task(world, "Provincial Big Data Bureau", PHRASE, state=ItemState.ACTIVE)
    for child, staff, name in zip(fan_out(world.sup, parent, at=T0).created, (world.qingshi_staff, world.hezhou_staff), "qh"):
        close(world, child, staff, name)
    for person in (world.bigdata_staff, world.city_sup, world.ver):
        with pytest.raises(NotAllowed):
            close_rolled_up(person, parent, on=WED)
    admin_and_owner = create_person("both", roles=[(world.province, Role.ADMINISTRATOR), (world.bigdata, Role.OWNER_STAFF)])
    with pytest.raises(NotAllowed, match="its owner's own staff"):
        close_rolled_up(admin_and_owner, parent, on=WED)
    with pytest.raises(LedgerError, match="before the last child's verification"):
        close_rolled_up(world.sup, parent, on=MON)
    close_rolled_up(world.sup, parent, on=WED)
    with pytest.raises(InvalidState):
        close_rolled_up(world.sup, parent, on=WED)


def test_a_roll_up_on_the_last_claims_working_day_is_flagged_or_refused(world, settings):
    settings.DUBAN_SAME_DAY_VERIFICATION = "flag"
    parent = task(world, "Provincial Big Data Bureau", PHRASE, state=ItemState.ACTIVE)
    for child, staff, name in zip(fan_out(world.sup, parent, at=T0).created, (world.qingshi_staff, world.hezhou_staff), "qh"):
        close(world, child, staff, name, claimed=TUE, verified=TUE)
    settings.DUBAN_SAME_DAY_VERIFICATION = "refuse"
    with pytest.raises(LedgerError, match="working day of its last child's claim"):
        close_rolled_up(world.sup, parent, on=TUE)
    settings.DUBAN_SAME_DAY_VERIFICATION = "flag"
    assert close_rolled_up(world.sup, parent, on=TUE).same_working_day is True
    codes = [flag.code for flag in red_flags(WED, Item.objects.filter(pk=parent.pk))[parent.pk]]
    assert codes == ["closed_same_day"]


def run(capsys, *args) -> tuple[int, str, str]:
    status = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


def test_the_fanout_rollup_and_close_commands(world, capsys):
    parent = task(world, "Provincial Big Data Bureau", PHRASE, state=ItemState.ACTIVE)
    status, out, _ = run(capsys, "ledger", "fanout", parent.pk, "--as", "sup", "--on", "2025-03-10")
    assert status == 0 and f"#{parent.pk} task (four): 2 active children added for Cities" in out
    assert "no child added for Cities (2 had theirs already)" in run(capsys, "ledger", "fanout", parent.pk, "--as", "sup")[1]
    status, out, _ = run(capsys, "ledger", "rollup", "--number", "(four)")
    assert "0 of 2 closed (2 active): open" in out and "Qingshi City" in out and "Hezhou City" in out
    status, _, err = run(capsys, "ledger", "close-rollup", parent.pk, "--as", "sup", "--on", "2025-03-12")
    assert status == 1 and "it closes when every child is closed" in err
    for child, staff, name in zip(children_of(parent).order_by("id"), (world.qingshi_staff, world.hezhou_staff), "qh"):
        close(world, child, staff, name)
    status, out, _ = run(capsys, "ledger", "close-rollup", parent.pk, "--as", "sup", "--on", "2025-03-12")
    assert status == 0 and "closed by roll-up (2 of 2 closed" in out and "citing 2 evidence files" in out


def test_a_fanned_out_parent_cannot_be_claimed_directly(world):
    parent = task(world, "Provincial Big Data Bureau", PHRASE, state=ItemState.ACTIVE)
    claim_completion(world.bigdata_staff, parent, on=MON)  # before the fan-out it is an ordinary item
    parent = task(world, "Provincial Big Data Bureau", PHRASE, state=ItemState.ACTIVE)
    fan_out(world.sup, parent, at=T0)
    with pytest.raises(InvalidState, match="shared among 2 units"):
        claim_completion(world.bigdata_staff, parent, on=MON)
