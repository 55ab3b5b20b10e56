"""Public petition URLs. They carry petition ids and signed tokens, never personal data."""

from django.urls import path

from core.page_cache.middleware import cache_whole_page
from petitions.embeds import views as embed_views
from petitions.selfservice import views as signer_page_views
from petitions.signing import open_data, views
from petitions.updates import unsubscribe

app_name = "petitions"

urlpatterns = [
    path("<int:petition_id>/sign/", views.sign, name="sign"),
    path("<int:petition_id>/check-your-email/", views.check_email, name="check_email"),
    path("<int:petition_id>/count.json", views.count_json, name="count"),
    # The first page of the public list, kept whole for as long as the count (a news day's busiest
    # page that is not a Wagtail page); later pages (`?before=`) are rendered for each view.
    path(
        "<int:petition_id>/signers/",
        cache_whole_page(views.signers, seconds=views.signers_cache_seconds),
        name="signers",
    ),
    path("<int:petition_id>/history.csv", open_data.history_csv, name="history_csv"),
    path("<int:petition_id>/history.json", open_data.history_json, name="history_json"),
    path("<int:petition_id>/are-these-numbers-real/", open_data.integrity_report, name="integrity"),
    path("confirm/<secret:token>/", views.confirm, name="confirm"),
    path("you/withdrawn/", signer_page_views.signature_withdrawn, name="signer_page_withdrawn"),
    path("you/<secret:token>/", signer_page_views.signer_page, name="signer_page"),
    # A partner's frame (petitions.embeds): the count and sign form, then "check your email".
    path("<int:petition_id>/embed/<slug:partner_code>/", embed_views.embed, name="embed"),
    path(
        "<int:petition_id>/embed/<slug:partner_code>/check-your-email/",
        embed_views.embed_check_email,
        name="embed_check_email",
    ),
    path("unsubscribe/<secret:token>/", unsubscribe.unsubscribe, name="unsubscribe"),
    path("unsubscribed/", unsubscribe.unsubscribed, name="unsubscribed"),
]
