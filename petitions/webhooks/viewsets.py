"""The CRM webhooks in the admin (Settings → CRM webhooks): endpoints, and each one's deliveries.

Endpoints are a ModelViewSet (create, edit, untick "active" to stop, delete; Wagtail's audit log
records each change). Only staff with the webhook permissions (the "Campaign staff" and "Data
protection officer" groups) see them, and only staff who may export signatories may tick "send
signers' names and email addresses", because that sends personal data out as an export does.
Deliveries are listed read-only, with no personal data in the listing, and a "Try again now" action.
"""

from urllib.parse import urlsplit

from django.db import models
from django.forms import modelform_factory
from django.urls import path, reverse
from django.utils.html import format_html
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button
from wagtail.permissions import register_permission_policy

from core.admin_views import ViewOnlyPermissionPolicy
from petitions.models import WebhookDelivery, WebhookEndpoint, WebhookStatus
from petitions.webhooks.views import RetryDeliveryView, WebhookSecretView

EXPORT_PERMISSION = "petitions.export_signature"
MANAGE_PERMISSION = "petitions.change_webhookendpoint"


def sends_to(endpoint):
    # The host only: a path may hold a token of the CRM's.
    return urlsplit(endpoint.url).hostname


def deliveries_link(endpoint):
    url = reverse("petitions_webhook_deliveries:index") + f"?endpoint={endpoint.pk}"
    return format_html('<a href="{}">Deliveries to {}</a>', url, endpoint.name)


def secret_link(endpoint):
    return format_html(
        '<a href="{}">Show the secret</a>', reverse("petitions_webhook_endpoints:secret", args=[endpoint.pk])
    )


class WebhookEndpointForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("trusted_for_personal_data")
        if field is not None and not (self.for_user and self.for_user.has_perm(EXPORT_PERMISSION)):
            # Sending names and addresses out is an export: only staff who may export may turn it on.
            field.disabled = True
            field.help_text += " Only staff who may download signatories can change this."


class CreateEndpointView(generic.CreateView):
    def get_success_url(self):
        # The secret is shown next, for staff to give to the CRM.
        return reverse("petitions_webhook_endpoints:secret", args=[self.object.pk])

    def get_success_message(self, instance):
        return f"CRM webhook “{instance}” added. Give the CRM the secret below."


class WebhookEndpointViewSet(ModelViewSet):
    model = WebhookEndpoint
    name = "petitions_webhook_endpoints"
    url_prefix = "petitions/webhooks"
    icon = "link"
    menu_label = "CRM webhooks"
    add_to_settings_menu = True
    add_view_class = CreateEndpointView
    form_fields = [
        "name",
        "url",
        "sends_signature_confirmed",
        "sends_consent_withdrawn",
        "sends_signature_erased",
        "trusted_for_personal_data",
        "active",
    ]
    list_display = [
        "name",
        Column("host", label="Sends to", accessor=sends_to),
        BooleanColumn("active", label="Active"),
        BooleanColumn("trusted_for_personal_data", label="Sends names and emails"),
        Column("deliveries", label="Deliveries", accessor=deliveries_link),
        Column("secret", label="Secret", accessor=secret_link),
    ]
    copy_view_enabled = False
    inspect_view_enabled = False

    def formfield_for_dbfield(self, db_field, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, **kwargs)

    def get_form_class(self, for_update=False):
        # The viewset's own form builder, on a base form that knows who is editing.
        return modelform_factory(
            self.model,
            form=WebhookEndpointForm,
            formfield_callback=self.formfield_for_dbfield,
            fields=self.form_fields,
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/secret/", WebhookSecretView.as_view(), name="secret"),
        ]


register_permission_policy(WebhookDelivery, ViewOnlyPermissionPolicy(WebhookDelivery))


class DeliveryIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("endpoint")

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        if instance.status != WebhookStatus.SENT and self.request.user.has_perm(MANAGE_PERMISSION):
            buttons.append(
                Button(
                    "Try again now",
                    url=reverse("petitions_webhook_deliveries:retry", args=[instance.pk]),
                    icon_name="rotate",
                    priority=10,
                )
            )
        return buttons


class WebhookDeliveryViewSet(ModelViewSet):
    model = WebhookDelivery
    name = "petitions_webhook_deliveries"
    url_prefix = "petitions/webhook-deliveries"
    icon = "list-ul"
    menu_label = "CRM webhook deliveries"
    add_to_admin_menu = False
    index_view_class = DeliveryIndexView
    list_display = [
        # A string first: Wagtail makes it the title column, which carries the row's "More" menu.
        "event",
        "endpoint",
        Column("status", label="Status", accessor=lambda delivery: delivery.get_status_display()),
        "attempts",
        Column("last_status_code", label="Last answer", accessor="last_status_code"),
        Column("last_error", label="What went wrong", accessor="last_error"),
        "occurred_at",
        "last_attempt_at",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["endpoint", "status", "event"]
    inspect_view_enabled = False
    copy_view_enabled = False
    form_fields = []

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/retry/", RetryDeliveryView.as_view(), name="retry"),
        ]
