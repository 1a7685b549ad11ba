"""The API's URLs and its OpenAPI document (/api/schema/)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(trailing_slash=True)
router.register("items", views.ItemViewSet, basename="item")
router.register("claims", views.ClaimViewSet, basename="claim")
router.register("change-requests", views.ChangeRequestViewSet, basename="change-request")
router.register("documents", views.DocumentViewSet, basename="document")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("evidence", views.EvidenceViewSet, basename="evidence")
router.register("flags", views.FlagViewSet, basename="flag")

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("me/", views.MeView.as_view(), name="me"),
    *router.urls,
    re_path(r"^(?P<path>.*)$", views.not_found, name="not-found"),  # last: a JSON 404 for any other /api/ path
]
