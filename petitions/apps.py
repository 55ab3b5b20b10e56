"""App configuration for petitions: the open letter, its signatures and their personal data."""

from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = "Petitions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from core.page_cache.tokens import renew_on_every_view
        from petitions.models import PetitionPage
        from petitions.sign_form.token import make_form_token
        from petitions.signals import signature_erased
        from petitions.signing.facts import forget_signing_facts_of_saved_petition

        # The sign form notes when it was shown, to refuse forms sent faster than a person could; a
        # note cached with the page would be minutes old for every visitor, so each view gets its own.
        renew_on_every_view("sign_form_shown_at", r'name="form_token" value="([^"]*)"', make_form_token)

        for signal in (post_save, post_delete):
            signal.connect(
                forget_signing_facts_of_saved_petition,
                sender=PetitionPage,
                dispatch_uid=f"petitions_forget_signing_facts_{id(signal)}",
            )

        # An erased signer's name must not stay in a stored delivery pack: the packs of the petitions
        # concerned are deleted (staff make a new one). Receivers hear this inside the erasure's
        # transaction; the files go once it commits.
        signature_erased.connect(
            discard_packs_after_erasure, dispatch_uid="petitions_discard_delivery_packs_after_erasure"
        )


def discard_packs_after_erasure(sender, signature_ids, petition_ids, **kwargs):
    from petitions.models.delivery_pack import discard_packs

    discard_packs(petition_ids)
