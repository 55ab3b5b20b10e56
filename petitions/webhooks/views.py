"""The two webhook screens the viewsets cannot give: an endpoint's secret, and "try again now".

Both are forms on core.admin_views.AdminFormView behind the permission to change endpoints; each
showing of a secret, new secret and retry is in Wagtail's audit log.
"""

from django import forms
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from wagtail.admin import messages
from wagtail.log_actions import log

from core.admin_views import AdminFormView
from petitions.models import WebhookDelivery, WebhookEndpoint, WebhookStatus
from petitions.models.webhooks import new_webhook_secret
from petitions.webhooks.sending import retry_now
from petitions.webhooks.tasks import request_sending
from petitions.webhooks.verification import REPLAY_WINDOW_SECONDS, SIGNATURE_HEADER

MANAGE_PERMISSION = "petitions.change_webhookendpoint"
SECRET_SHOWN_ACTION = "petitions.webhook_secret_shown"  # noqa: S105 (an audit-log action's name)
SECRET_CHANGED_ACTION = "petitions.webhook_secret_changed"  # noqa: S105 (an audit-log action's name)
RETRIED_ACTION = "petitions.webhook_retried"


@method_decorator(never_cache, name="dispatch")
class WebhookSecretView(AdminFormView):
    permission = MANAGE_PERMISSION
    template_name = "petitions/admin/webhook_secret.html"
    form_class = forms.Form
    page_title = "Webhook secret"
    header_icon = "key"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.endpoint = get_object_or_404(WebhookEndpoint, pk=kwargs["pk"])

    def get_page_subtitle(self):
        return str(self.endpoint)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("petitions_webhook_endpoints:index"), "label": "CRM webhooks"},
            {
                "url": reverse("petitions_webhook_endpoints:edit", args=[self.endpoint.pk]),
                "label": str(self.endpoint),
            },
            {"url": "", "label": self.page_title},
        ]

    def get(self, request, *args, **kwargs):
        log(instance=self.endpoint, action=SECRET_SHOWN_ACTION, user=request.user)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            endpoint=self.endpoint,
            header_name=SIGNATURE_HEADER,
            replay_minutes=REPLAY_WINDOW_SECONDS // 60,
            **kwargs,
        )

    def form_valid(self, form):
        with transaction.atomic():
            WebhookEndpoint.objects.filter(pk=self.endpoint.pk).update(secret=new_webhook_secret())
            log(instance=self.endpoint, action=SECRET_CHANGED_ACTION, user=self.request.user)
        messages.warning(
            self.request,
            "A new secret was made. The old one no longer works: give the CRM the new one now.",
        )
        return redirect("petitions_webhook_endpoints:secret", self.endpoint.pk)


class RetryDeliveryView(AdminFormView):
    permission = MANAGE_PERMISSION
    template_name = "petitions/admin/webhook_retry.html"
    form_class = forms.Form
    page_title = "Try a delivery again"
    header_icon = "rotate"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.delivery = get_object_or_404(WebhookDelivery.objects.select_related("endpoint"), pk=kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(delivery=self.delivery, **kwargs)

    def deliveries_url(self):
        return reverse("petitions_webhook_deliveries:index") + f"?endpoint={self.delivery.endpoint_id}"

    def form_valid(self, form):
        if self.delivery.status == WebhookStatus.SENT:
            messages.error(self.request, "This delivery was already sent, so there is nothing to try again.")
            return redirect(self.deliveries_url())
        with transaction.atomic():
            retry_now(self.delivery)
            log(
                instance=self.delivery.endpoint,
                action=RETRIED_ACTION,
                user=self.request.user,
                data={"delivery": self.delivery.pk},
            )
            endpoint_id = self.delivery.endpoint_id
            transaction.on_commit(lambda: request_sending([endpoint_id]))
        if not self.delivery.endpoint.active:
            messages.warning(
                self.request,
                "This CRM webhook is not active, so nothing is sent until it is made active again.",
            )
        else:
            messages.success(self.request, "The delivery will be tried again in a moment.")
        return redirect(self.deliveries_url())
