"""Public petition URLs. They carry petition ids and signed tokens, never personal data."""

from django.urls import path

from petitions.signing import views
from petitions.updates import unsubscribe

app_name = "petitions"

urlpatterns = [
    path("<int:petition_id>/sign/", views.sign, name="sign"),
    path("<int:petition_id>/check-your-email/", views.check_email, name="check_email"),
    path("<int:petition_id>/count.json", views.count_json, name="count"),
    path("<int:petition_id>/signers/", views.signers, name="signers"),
    path("confirm/<secret:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<secret:token>/", unsubscribe.unsubscribe, name="unsubscribe"),
    path("unsubscribed/", unsubscribe.unsubscribed, name="unsubscribed"),
]
