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
        from petitions.models import PetitionPage
        from petitions.sign_form.source import source_from_query
        from petitions.sign_form.token import make_form_token
        from petitions.signing.facts import forget_signing_facts_of_saved_petition

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
