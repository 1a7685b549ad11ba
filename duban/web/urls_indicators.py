"""The indicator pages' URLs (namespace `indicators`)."""

from django.urls import path

from . import indicators

app_name = "indicators"
urlpatterns = [
    path("", indicators.indicator_list, name="list"),
    path("<int:pk>/", indicators.indicator_detail, name="detail"),
    path("<int:pk>/observe/", indicators.observe, name="observe"),
]
