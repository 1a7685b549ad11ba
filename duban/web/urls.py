"""The pages' URLs: dashboard, items and their actions, queues and the inbox.

Every name here needs an entry in tests/web/url_permissions.py naming the test of who may reach it.
"""

from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("", views.dashboard, name="home"),
    path("items/", views.item_list, name="items"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/assign/", views.item_assign, name="item_assign"),
    path("items/<int:pk>/confirm/", views.item_confirm, name="item_confirm"),
    path("items/<int:pk>/reject-draft/", views.item_reject_draft, name="item_reject_draft"),
    path("items/<int:pk>/progress/", views.item_progress, name="item_progress"),
    path("items/<int:pk>/claim/", views.item_claim, name="item_claim"),
    path("items/<int:pk>/verify/", views.item_verify, name="item_verify"),
    path("items/<int:pk>/reject-claim/", views.item_reject_claim, name="item_reject_claim"),
    path("items/<int:pk>/request-deadline/", views.item_request_deadline, name="item_request_deadline"),
    path("items/<int:pk>/request-cancellation/", views.item_request_cancel, name="item_request_cancel"),
    path("items/<int:pk>/evidence/<int:evidence_pk>/", views.evidence_download, name="evidence"),
    path("requests/<int:pk>/approve/", views.request_approve, name="request_approve"),
    path("requests/<int:pk>/refuse/", views.request_refuse, name="request_refuse"),
    path("checks/<int:pk>/record/", views.check_record, name="check_record"),
    path("my/items/", views.my_items, name="my_items"),
    path("my/verification/", views.queue_verification, name="queue_verification"),
    path("my/approval/", views.queue_approval, name="queue_approval"),
    path("my/reinspection/", views.queue_reinspection, name="queue_reinspection"),
    path("my/reinspection/draw/", views.reinspection_draw, name="reinspection_draw"),
    path("my/inbox/", views.inbox, name="inbox"),
    path("my/inbox/<int:pk>/read/", views.inbox_read, name="inbox_read"),
]
