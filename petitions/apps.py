"""App configuration for petitions: the open letter, its signatures and their personal data."""

from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = "Petitions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from core.page_cache.tokens import renew_on_every_view
        from petitions.models import PetitionPage, WebhookEndpoint
        from petitions.sign_form.token import make_form_token
        from petitions.signals import contact_consent_withdrawn, signature_confirmed, signature_erased
        from petitions.signing.facts import forget_signing_facts_of_saved_petition
        from petitions.webhooks import events as webhook_events

        # The sign form notes when it was shown, to refuse forms sent faster than a person could; a
        # note cached with the page would be minutes old for every visitor, so each view gets its own.
        renew_on_every_view("sign_form_shown_at", r'name="form_token" value="([^"]*)"', make_form_token)

        for signal in (post_save, post_delete):
            signal.connect(
                forget_signing_facts_of_saved_petition,
                sender=PetitionPage,
                dispatch_uid=f"petitions_forget_signing_facts_{id(signal)}",
            )

        # The CRM's webhooks hear what happens to signatures (petitions.webhooks.events).
        signature_confirmed.connect(
            webhook_events.on_signature_confirmed, dispatch_uid="petitions_webhooks_confirmed"
        )
        contact_consent_withdrawn.connect(
            webhook_events.on_contact_consent_withdrawn, dispatch_uid="petitions_webhooks_consent_withdrawn"
        )
        signature_erased.connect(webhook_events.on_signature_erased, dispatch_uid="petitions_webhooks_erased")
        for signal in (post_save, post_delete):
            signal.connect(
                webhook_events.forget_listening_endpoints,
                sender=WebhookEndpoint,
                dispatch_uid=f"petitions_webhooks_forget_endpoints_{id(signal)}",
            )
