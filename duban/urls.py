"""URL configuration: the pages, the REST API, public disclosure, login, and Django's admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("", include("duban.web.urls")),
    path("api/", include("duban.web.api.urls")),
    path("documents/", include("duban.web.urls_documents")),
    path("indicators/", include("duban.web.urls_indicators")),
    path("public/", include("duban.web.urls_public")),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
