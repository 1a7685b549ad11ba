"""Refusals reach the person as the service's own message: a future-dated observation is refused, and a message sent
to htmx is plain text, never markup."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from duban.ledger.choices import ItemKind, ItemState
from duban.ledger.errors import NotAllowed
from duban.ledger.models import IndicatorObservation, Item, Reminder
from duban.ledger.services import reminders


def test_an_observation_of_a_day_still_to_come_is_refused_with_the_services_message(demo_ledger, client_for):
    d = demo_ledger
    now = timezone.now()
    indicator = Item.objects.create(kind=ItemKind.INDICATOR, state=ItemState.ACTIVE, lead_owner=d.service_center,
                                    title="Share of matters handled online", created_at=now, updated_at=now)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client_for("service_center_staff").post(reverse("indicators:observe", args=[indicator.pk]),
                                                       {"value": "42", "observed_on": tomorrow.isoformat(), "note": ""})
    assert response.status_code == 400
    assert "cannot have been recorded before it" in response.content.decode()
    assert not IndicatorObservation.objects.filter(item=indicator).exists()


def test_a_refusal_sent_to_htmx_is_plain_text(demo_ledger, client_for, monkeypatch):
    reminder = Reminder.objects.filter(organisation=demo_ledger.service_center).first()
    assert reminder is not None

    def refuse(user, reminder, **kwargs):
        raise NotAllowed("<script>alert(1)</script> may not mark this reminder read")

    monkeypatch.setattr(reminders, "mark_read", refuse)
    response = client_for("service_center_staff").post(reverse("web:inbox_read", args=[reminder.pk]),
                                                       HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/plain")


def test_the_claimant_is_not_offered_the_verify_form(demo_ledger, client_for):
    """Only actions the person may take are offered: the one who claimed never gets the form to verify it."""
    from duban.ledger.models import CompletionClaim

    claim = demo_ledger.claim
    CompletionClaim.objects.filter(pk=claim.pk).update(claimant=demo_ledger.people["office_verifier"])
    verify = reverse("web:item_verify", args=[demo_ledger.four.pk])
    page = client_for("office_verifier").get(reverse("web:item", args=[demo_ledger.four.pk])).content.decode()
    assert verify not in page
    other = client_for("office_supervisor").get(reverse("web:item", args=[demo_ledger.four.pk])).content.decode()
    assert verify in other


def test_a_fanned_out_item_offers_no_claim_form(demo_ledger, client_for):
    five, staff = demo_ledger.five, client_for("service_center_staff")
    claim, page = reverse("web:item_claim", args=[five.pk]), reverse("web:item", args=[five.pk])
    assert claim in staff.get(page).content.decode()  # an ordinary active item offers the claim
    Item.objects.create(kind=five.kind, document=five.document, parent=five, state=ItemState.DRAFT,
                        lead_owner=demo_ledger.bigdata, data={"fanout": {"parent": five.pk}},
                        created_at=five.created_at, updated_at=five.updated_at)
    assert claim not in staff.get(page).content.decode()
