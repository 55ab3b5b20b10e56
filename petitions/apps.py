"""App configuration for petitions: the open letter, its signatures and their personal data."""

from django.apps import AppConfig


def _source_query(request):
    """`?source=<code>` for the request's source code, or "" without one."""
    from petitions.sign_form.source import source_from_query

    code = source_from_query(request.GET)
    return f"?source={code}" if code else ""


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = "Petitions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from core.page_cache.tokens import fill_on_every_view, renew_on_every_view
        from petitions.models import PetitionPage, WebhookEndpoint
        from petitions.sign_form.source import source_from_query
        from petitions.sign_form.token import make_form_token
        from petitions.signals import contact_consent_withdrawn, signature_confirmed, signature_erased
        from petitions.signing.facts import forget_signing_facts_of_saved_petition
        from petitions.webhooks import events as webhook_events

        # The sign form notes when it was shown, to refuse forms sent faster than a person could; a
        # note cached with the page would be minutes old for every visitor, so each view gets its own.
        renew_on_every_view("sign_form_shown_at", r'name="form_token" value="([^"]*)"', make_form_token)
        # The link's source code (`?source=`) is left out of the page cache's key, so that one stored
        # page serves every share channel and partner; each view's form gets its own request's code.
        fill_on_every_view(
            "sign_form_source",
            r'name="source" value="([^"]*)"',
            lambda request: source_from_query(request.GET),
        )
        # The same for the links to the letter's form on other pages (the petition block, the sign
        # banner, marked `data-keeps-source`): the code goes on to the letter's page in its address.
        fill_on_every_view(
            "sign_link_source", r'data-keeps-source href="[^"?#]*(\?source=[a-z0-9-]*|)#', _source_query
        )

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
        # An erased signer's name must not stay in a stored delivery pack: the packs of the petitions
        # concerned are deleted (staff make a new one). Receivers hear this inside the erasure's
        # transaction; the files go once it commits.
        signature_erased.connect(
            discard_packs_after_erasure, dispatch_uid="petitions_discard_delivery_packs_after_erasure"
        )


def discard_packs_after_erasure(sender, signature_ids, petition_ids, **kwargs):
    from petitions.models.delivery_pack import discard_packs

    discard_packs(petition_ids)
