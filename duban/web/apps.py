"""Django app configuration for the web layer."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "duban.web"
    label = "web"
    verbose_name = "duban web"
