"""The walk-through in a real browser (headless Debian chromium through Playwright, against the live server):

1. log in; 2. confirm a drafted task (its owner assigned in place on its document's page); 3. assign an owner (a
co-owner, on the item's page); 4. report progress and claim completion with evidence, as the owner; 5. verify, as
the supervisor; 6. see the item on the public page, once published. A refused action is shown as a clear message.

Screenshots of the main pages go to test-artifacts/screenshots/, at desktop and phone sizes. See browser.py for how
chromium is found (and why these tests skip without it, except under CI).
"""

from __future__ import annotations

import re

import pytest

from duban.ledger.choices import ItemKind, ItemState
from duban.ledger.models import CompletionClaim, Event, Item, ProgressReport, SourceDocument

from browser import DESKTOP, PHONE, chromium, log_in, log_out, messages, new_page, screenshot  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)

SERVICE_CENTER = "Provincial Government Affairs Service Center"


@pytest.fixture
def people(settings, demo_password):
    """The supervisor and the Service Center's staff, with passwords (hashed quickly: Argon2 is tested elsewhere)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return {name: demo_password(name) for name in ("office_supervisor", "service_center_staff")}


def _details(page, summary: str):
    """The <details> whose summary starts with the text, opened."""
    details = page.locator("details", has=page.locator("summary", has_text=summary)).first
    if details.get_attribute("open") is None:
        details.locator("summary").first.click()
    return details


def test_the_walk_through_in_a_browser(live_server, demo_ledger, people, new_page):
    from playwright.sync_api import expect

    d, base = demo_ledger, live_server.url
    task, other = d.draft, Item.objects.get(document=d.plan, kind=ItemKind.TASK, number="(seven)")
    document_url, item_url = f"{base}/documents/{d.plan.pk}/", f"{base}/items/{task.pk}/"
    page = new_page(DESKTOP)

    # 1. log in
    page.goto(f"{base}/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    screenshot(page, "01-login")
    log_in(page, base, "office_supervisor", people["office_supervisor"])
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_role("button", name="Log out office_supervisor")).to_be_visible()
    screenshot(page, "02-dashboard")

    page.goto(f"{base}/documents/")
    screenshot(page, "03-documents")
    page.locator(f'a[href="/documents/{d.plan.pk}/"]').first.click()
    expect(page.locator(f"#item-{task.pk}")).to_be_visible()
    screenshot(page, "04-document", full_page=False)

    # a refused action, shown as a clear message: confirming drafts that have no lead owner yet
    page.locator(f"#item-{task.pk}").get_by_role("checkbox").check()
    page.locator(f"#item-{other.pk}").get_by_role("checkbox").check()
    bulk = page.locator("#bulk-form")
    bulk.get_by_label("Action").select_option("confirm")
    bulk.get_by_role("button", name="Apply to the drafts").click()
    shown = messages(page)
    assert shown[0] == "cannot confirm the drafts: 2 of 2 items were refused, so none was changed:", shown
    assert any(m.startswith(f"#{task.pk} (6): a draft without a lead owner cannot be confirmed") for m in shown), shown
    expect(page.locator("ul.messages li.error").first).to_be_visible()
    screenshot(page, "05-refused-action", full_page=False)
    assert Item.objects.get(pk=task.pk).state == ItemState.DRAFT

    # 2. confirm a drafted task: its lead owner assigned in place, then confirmed, without leaving the page (htmx)
    page.goto(document_url)
    card = page.locator(f"#item-{task.pk}")
    card.get_by_role("link", name="Edit, assign or reject").click()
    card.get_by_label("Lead owner").select_option(str(d.service_center.pk))
    card.get_by_role("button", name="Assign", exact=True).click()
    expect(card.locator(".card-msg.success")).to_have_text("Owners assigned.")
    card.get_by_role("button", name="Confirm").click()
    expect(card.locator(".card-msg.success")).to_have_text("Confirmed: the item is active.")
    expect(card.locator(".state")).to_have_text("Active")
    expect(page).to_have_url(document_url)  # no reload
    card.scroll_into_view_if_needed()
    screenshot(page, "06-document-draft-confirmed", full_page=False)
    task.refresh_from_db()
    assert task.state == ItemState.ACTIVE and task.lead_owner == d.service_center

    # 3. assign an owner: a co-owner, on the item's page
    page.goto(item_url)
    assign = _details(page, "Assign owners")
    assign.get_by_label("Co-owners").select_option([str(d.bigdata.pk)])
    assign.get_by_role("button", name="Assign").click()
    assert messages(page) == ["Owners assigned."]
    assert list(task.co_owners.all()) == [d.bigdata]
    log_out(page)

    # 4. report progress and claim completion with evidence, as the owner
    log_in(page, base, "service_center_staff", people["service_center_staff"])
    page.goto(item_url)
    progress = _details(page, "Report progress")
    progress.get_by_label(re.compile(r"^Progress")).fill("Half of the service halls are standardised.")
    progress.get_by_label("Evidence files").set_input_files(
        [{"name": "halls.txt", "mimeType": "text/plain", "buffer": b"12 of 24 halls standardised\n"}])
    progress.get_by_role("button", name="Report progress").click()
    assert messages(page) == ["Progress reported."]
    claim = _details(page, "Claim completion")
    claim.get_by_label("Note").fill("All halls standardised.")
    claim.get_by_label("Evidence files").set_input_files(
        [{"name": "acceptance.csv", "mimeType": "text/csv", "buffer": b"hall,done\n1,yes\n2,yes\n"}])
    claim.get_by_role("button", name="Claim completion").click()
    assert messages(page)[0].startswith("Completion claimed")
    expect(page.locator(".facts .state")).to_have_text("Completion claimed")
    screenshot(page, "07-item-claimed")
    assert ProgressReport.objects.get(item=task).evidence.get().original_name == "halls.txt"
    log_out(page)

    # 5. verify, as the supervisor: from the queue to the item
    log_in(page, base, "office_supervisor", people["office_supervisor"])
    page.goto(f"{base}/my/verification/")
    screenshot(page, "08-to-verify")
    page.locator(f'a[href="/items/{task.pk}/"]').first.click()
    verify = _details(page, "Verify the completion claim")
    expect(verify.get_by_label(re.compile("acceptance.csv"))).to_be_checked()  # the claim's evidence is cited
    verify.get_by_role("button", name="Verify: close the item").click()
    assert messages(page) == ["Verified: the item is closed."]
    expect(page.locator(".facts .state")).to_have_text("Closed (verified)")
    screenshot(page, "09-item-closed")
    claim_row = CompletionClaim.objects.get(item=task)
    assert claim_row.verification.verified and claim_row.verification.verifier.username == "office_supervisor"

    # 6. see the item on the public page, once the supervisor publishes the plan
    anonymous = new_page(DESKTOP)
    anonymous.goto(f"{base}/public/{d.plan.pk}/")
    expect(anonymous.get_by_role("heading", name="Not Found")).to_be_visible()
    page.goto(document_url)
    page.get_by_role("button", name="Publish the rectification list").click()
    assert messages(page) == ["Published: the rectification list is public, linkable without login."]
    assert Event.objects.filter(action="document.publish", object_id=d.plan.pk, actor="office_supervisor").exists()
    anonymous.goto(f"{base}/public/")
    anonymous.locator(f'a[href="/public/{d.plan.pk}/"]').click()
    row = anonymous.locator(f"#i{task.pk}")
    expect(row).to_contain_text("Closed (verified)")
    expect(row).to_contain_text(SERVICE_CENTER)
    expect(row).to_contain_text("closed ")
    body = anonymous.locator("body").inner_text()
    assert "office_supervisor" not in body and "service_center_staff" not in body and "halls.txt" not in body
    screenshot(anonymous, "10-public")
    anonymous.emulate_media(media="print")
    screenshot(anonymous, "11-public-print")


PAGES = {
    "dashboard": "/",
    "documents": "/documents/",
    "document": "/documents/{plan}/",
    "item": "/items/{four}/",
    "indicators": "/indicators/",
    "public": "/public/{plan}/",
}


def test_the_main_pages_are_readable_on_a_phone(live_server, demo_ledger, people, new_page):
    d, base = demo_ledger, live_server.url
    SourceDocument.objects.filter(pk=d.plan.pk).update(published=True)
    page = new_page(PHONE)
    log_in(page, base, "office_supervisor", people["office_supervisor"])
    for name, path in PAGES.items():
        response = page.goto(base + path.format(plan=d.plan.pk, four=d.four.pk))
        assert response.status == 200, name
        # nothing wider than the screen: a phone scrolls down, never sideways
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} is {overflow}px wider than a phone's screen"
        screenshot(page, f"phone-{name}", full_page=name not in ("document",))
