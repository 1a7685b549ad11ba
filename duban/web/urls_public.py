"""Public disclosure's URLs (namespace `public`): no login; only what a supervisor published."""

from django.urls import path

from . import public

app_name = "public"
urlpatterns = [
    path("", public.index, name="index"),
    path("<int:pk>/", public.document, name="document"),
]
