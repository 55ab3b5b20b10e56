"""Public petition URLs. They carry petition ids and signed tokens, never personal data."""

from django.urls import path

from petitions.embeds import views as embed_views
from petitions.signing import views

app_name = "petitions"

urlpatterns = [
    path("<int:petition_id>/sign/", views.sign, name="sign"),
    path("<int:petition_id>/check-your-email/", views.check_email, name="check_email"),
    path("<int:petition_id>/count.json", views.count_json, name="count"),
    path("<int:petition_id>/signers/", views.signers, name="signers"),
    path("confirm/<secret:token>/", views.confirm, name="confirm"),
    # A partner's frame (petitions.embeds): the count and sign form, then "check your email".
    path("<int:petition_id>/embed/<slug:partner_code>/", embed_views.embed, name="embed"),
    path(
        "<int:petition_id>/embed/<slug:partner_code>/check-your-email/",
        embed_views.embed_check_email,
        name="embed_check_email",
    ),
]
