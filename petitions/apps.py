"""App configuration for petitions: the open letter, its signatures and their personal data."""

from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = "Petitions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from petitions.models import PetitionPage
        from petitions.signing import forget_signing_facts_of_saved_petition

        for signal in (post_save, post_delete):
            signal.connect(
                forget_signing_facts_of_saved_petition,
                sender=PetitionPage,
                dispatch_uid=f"petitions_forget_signing_facts_{id(signal)}",
            )
