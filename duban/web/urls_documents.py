"""The document pages' URLs (namespace `documents`); each name has its permission test in tests/web/url_permissions.py."""

from django.urls import path

from . import documents

app_name = "documents"
urlpatterns = [
    path("", documents.document_list, name="list"),
    path("<int:pk>/", documents.document_detail, name="detail"),
    path("<int:pk>/bulk/", documents.bulk_drafts, name="bulk"),
    path("<int:pk>/units/", documents.resolve_unit, name="resolve_unit"),
    path("<int:pk>/publish/", documents.publish, name="publish"),
    path("<int:pk>/unpublish/", documents.unpublish, name="unpublish"),
    path("<int:pk>/items/<int:item_pk>/", documents.draft_detail, name="draft"),
    path("<int:pk>/items/<int:item_pk>/edit/", documents.draft_edit, name="draft_edit"),
    path("<int:pk>/items/<int:item_pk>/assign/", documents.draft_assign, name="draft_assign"),
    path("<int:pk>/items/<int:item_pk>/units/", documents.draft_units, name="draft_units"),
    path("<int:pk>/items/<int:item_pk>/confirm/", documents.draft_confirm, name="draft_confirm"),
    path("<int:pk>/items/<int:item_pk>/reject/", documents.draft_reject, name="draft_reject"),
]
