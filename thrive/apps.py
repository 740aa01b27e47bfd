from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ThriveConfig(AppConfig):
    name = "thrive"
    verbose_name = "Thrive"

    def ready(self) -> None:
        from .support import support_group_after_migrate

        post_migrate.connect(support_group_after_migrate, sender=self)
