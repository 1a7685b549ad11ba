"""Which test checks who may reach each URL: every URL name of the project needs an entry here.

tests/web/test_page_permissions.py enumerates the URL configuration and fails on a name missing here, on an entry
naming a test that does not exist, and on a URL without a name. A key ending in ':*' covers a whole namespace.

Add a line when you add a URL: "namespace:name": "tests/web/test_x.py::test_function".
"""

PAGES = "tests/web/test_page_permissions.py"

URL_PERMISSION_TESTS: dict[str, str] = {
    # Login and logout: throttled logins; logging out only by POST.
    "login": f"{PAGES}::test_logins_are_throttled_per_username_and_address",
    "logout": f"{PAGES}::test_every_page_asks_an_anonymous_visitor_to_log_in",
    # Django's admin: staff only.
    "admin:*": f"{PAGES}::test_the_admin_is_for_staff_only",
    # The pages: an item another unit owns is a 404, an action the person may not take a 403 with the rule.
    "web:home": f"{PAGES}::test_lists_and_figures_hold_only_visible_items",
    "web:items": f"{PAGES}::test_lists_and_figures_hold_only_visible_items",
    "web:my_items": f"{PAGES}::test_lists_and_figures_hold_only_visible_items",
    "web:queue_verification": f"{PAGES}::test_lists_and_figures_hold_only_visible_items",
    "web:queue_approval": f"{PAGES}::test_lists_and_figures_hold_only_visible_items",
    "web:queue_reinspection": f"{PAGES}::test_lists_and_figures_hold_only_visible_items",
    "web:inbox": f"{PAGES}::test_the_inbox_holds_only_the_persons_organisations_reminders",
    "web:inbox_read": f"{PAGES}::test_the_inbox_holds_only_the_persons_organisations_reminders",
    "web:reinspection_draw": f"{PAGES}::test_a_refused_draw_is_a_403_with_the_rule",
    "web:item": f"{PAGES}::test_another_units_item_is_not_found_on_any_item_url",
    "web:item_assign": f"{PAGES}::test_another_units_item_is_not_found_on_any_item_url",
    "web:item_confirm": f"{PAGES}::test_another_units_item_is_not_found_on_any_item_url",
    "web:item_reject_draft": f"{PAGES}::test_another_units_item_is_not_found_on_any_item_url",
    "web:item_progress": f"{PAGES}::test_another_units_item_is_not_found_on_any_item_url",
    "web:item_claim": f"{PAGES}::test_another_units_item_is_not_found_on_any_item_url",
    "web:item_verify": f"{PAGES}::test_another_units_item_is_not_found_on_any_item_url",
    "web:item_reject_claim": f"{PAGES}::test_another_units_item_is_not_found_on_any_item_url",
    "web:item_request_deadline": f"{PAGES}::test_another_units_item_is_not_found_on_any_item_url",
    "web:item_request_cancel": f"{PAGES}::test_another_units_item_is_not_found_on_any_item_url",
    "web:evidence": f"{PAGES}::test_evidence_downloads_only_for_people_who_may_see_the_item",
    "web:request_approve": f"{PAGES}::test_another_units_item_is_not_found_on_any_item_url",
    "web:request_refuse": f"{PAGES}::test_another_units_item_is_not_found_on_any_item_url",
    "web:check_record": f"{PAGES}::test_another_units_item_is_not_found_on_any_item_url",
    # The API.
    "api:schema": f"{PAGES}::test_the_api_schema_describes_the_api_and_holds_no_ledger_data",
}

# The API (tests/web/test_api_permissions.py enumerates the `api` namespace again and checks each name): anonymous
# callers get 401, another unit's objects are 404 on every URL naming them and absent from every list.
API = "tests/web/test_api_permissions.py"
URL_PERMISSION_TESTS.update({
    **{f"api:{name}": f"{API}::test_another_units_objects_are_not_found_on_any_url_that_names_them" for name in (
        "item-detail", "item-assign", "item-confirm", "item-reject-draft", "item-progress", "item-claim",
        "item-verify", "item-reject-claim", "item-request-deadline", "item-request-cancellation", "claim-detail",
        "change-request-detail", "change-request-approve", "change-request-refuse", "document-detail",
        "organisation-detail", "evidence-detail", "evidence-download",
    )},
    **{f"api:{name}": f"{API}::test_another_units_objects_are_absent_from_every_list" for name in (
        "item-list", "claim-list", "change-request-list", "document-list", "organisation-list", "evidence-list",
        "flag-list",
    )},
    "api:me": f"{API}::test_token_authentication_works_and_a_session_needs_its_csrf_token_to_act",
    "api:not-found": f"{API}::test_an_unknown_api_path_is_a_json_404",
})

# Documents, indicators and public disclosure (tests/web/test_documents.py, tests/web/test_public.py): another unit's
# document and its items are a 404 on every URL; anonymous visitors see only what a supervisor published.
DOCS, PUBLIC = "tests/web/test_documents.py", "tests/web/test_public.py"
URL_PERMISSION_TESTS.update({
    "documents:list": f"{DOCS}::test_the_document_list_holds_only_documents_with_a_visible_item",
    **{f"documents:{name}": f"{DOCS}::test_another_units_document_is_not_found_on_any_document_url" for name in (
        "detail", "bulk", "resolve_unit", "publish", "unpublish", "draft", "draft_edit", "draft_assign", "draft_units",
        "draft_confirm", "draft_reject",
    )},
    **{f"indicators:{name}": f"{DOCS}::test_indicator_pages_hold_only_visible_indicators" for name in (
        "list", "detail", "observe")},
    "public:index": f"{PUBLIC}::test_anonymous_visitors_see_only_published_documents",
    "public:document": f"{PUBLIC}::test_anonymous_visitors_see_only_published_documents",
})
