"""URL configuration: Django's admin until the web application lands."""

from django.contrib import admin
from django.urls import path

urlpatterns = [path("admin/", admin.site.urls)]
