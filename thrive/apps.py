from django.apps import AppConfig


class ThriveConfig(AppConfig):
    name = "thrive"
    verbose_name = "Thrive"
