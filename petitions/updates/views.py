"""The update's own screens beyond writing it: its page, the preview, a test, submit, approve, cancel.

Custom views because each is one step of the four-eyes flow, not an edit of fields: each shows what
will happen and asks once more, and the step itself is petitions.updates.approval's. All need
"send updates" (`core.admin_views.AdminFormView`'s permission check); nobody else sees them.
"""

from contextlib import suppress

from django import forms
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from wagtail.admin import messages

from core.admin_views import AdminFormView
from petitions.models import PetitionUpdate, UpdateStatus
from petitions.updates.approval import (
    CANCELLABLE,
    SEND_PERMISSION,
    UpdateRefused,
    approve_update,
    audience_problem,
    cancel_update,
    submit_for_approval,
)
from petitions.updates.audience import audience_size
from petitions.updates.mail import SAMPLE_FIRST_NAME, petition_url, render_update
from petitions.updates.progress import delivery_progress
from petitions.updates.sending import CannotSend, start_sending
from petitions.updates.trial import request_test_send

VIEWSET_NAME = "petition_updates"


def update_url(name, update):
    return reverse(f"{VIEWSET_NAME}:{name}", args=[update.pk])


class UpdateScreen(AdminFormView):
    """One update's screen: found by its id, behind "send updates", with a breadcrumb to the listing."""

    permission = SEND_PERMISSION
    form_class = forms.Form
    header_icon = "mail"
    template_name = "petitions/admin/updates/step.html"

    @cached_property
    def update(self):
        return get_object_or_404(
            PetitionUpdate.objects.select_related("petition", "created_by", "approved_by", "cancelled_by"),
            pk=self.kwargs["pk"],
        )

    def get_page_subtitle(self):
        return self.update.subject

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(f"{VIEWSET_NAME}:list"), "label": "Updates to signers"},
            {"url": update_url("check", self.update), "label": self.update.subject},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["update"] = self.update
        context["check_url"] = update_url("check", self.update)
        return context

    def back_to_update(self):
        return redirect(update_url("check", self.update))


class UpdateCheckView(UpdateScreen):
    """The update's page: what it is, who it goes to, where it stands, and the next steps."""

    page_title = "Check and send"
    template_name = "petitions/admin/updates/check.html"
    http_method_names = ["get"]

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(f"{VIEWSET_NAME}:list"), "label": "Updates to signers"},
            {"url": "", "label": self.update.subject},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        update, user = self.update, self.request.user
        waiting = update.status == UpdateStatus.AWAITING_APPROVAL
        context.update(
            {
                "audience_now": audience_size(update),
                "audience_problem": audience_problem(update.petition, update.audience),
                "progress": delivery_progress(update),
                "is_author": update.created_by_id == user.pk,
                "edit_url": update_url("edit", update) if update.is_editable else None,
                "preview_url": update_url("preview", update),
                "test_url": update_url("send_test", update),
                "submit_url": update_url("submit", update) if update.is_editable else None,
                "approve_url": update_url("approve", update)
                if waiting and update.created_by_id != user.pk
                else None,
                "cancel_url": update_url("cancel", update) if update.status in CANCELLABLE else None,
                "history_url": update_url("history", update),
            }
        )
        return context


class UpdatePreviewView(UpdateScreen):
    """The update as a signer will get it: the HTML (in a sandboxed frame) and the plain text."""

    page_title = "Preview"
    template_name = "petitions/admin/updates/preview.html"
    http_method_names = ["get"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The links lead to the letter's page: a preview must not carry anyone's unsubscribe link.
        url = petition_url(self.update.petition)
        subject, text, html = render_update(self.update, SAMPLE_FIRST_NAME, url, url)
        context.update(
            {"subject": subject, "text": text, "html": html, "sample_first_name": SAMPLE_FIRST_NAME}
        )
        return context


class UpdateStepView(UpdateScreen):
    """A step that asks once more: GET explains it, POST does it (`take`), then back to the update."""

    button_label = ""
    button_class = "button"
    explanation = ""
    done_message = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "button_label": self.button_label,
                "button_class": self.button_class,
                "explanation": self.explanation,
            }
        )
        return context

    def form_valid(self, form):
        try:
            self.take(form)
        except UpdateRefused as error:
            messages.error(self.request, str(error))
            return self.refused_response()
        messages.success(self.request, self.done_message)
        return self.back_to_update()

    def take(self, form):
        raise NotImplementedError

    def refused_response(self):
        return self.back_to_update()


class SendTestView(UpdateStepView):
    page_title = "Send me a test"
    button_label = "Send the test to my address"
    done_message = "The test is on its way to your address. It can take a minute to arrive."

    @property
    def explanation(self):
        address = self.request.user.email or "(your account has no email address)"
        return (
            f"The update goes to your own address, {address}, as a signer called {SAMPLE_FIRST_NAME} "
            "would get it. Nobody else gets it, and the audit log records that you sent a test."
        )

    def take(self, form):
        request_test_send(self.update, self.request.user)


class SubmitView(UpdateStepView):
    page_title = "Submit for approval"
    button_label = "Submit for approval"
    done_message = "Submitted. Another person with permission to send updates must now approve it."

    @property
    def explanation(self):
        return (
            f"It would go to {audience_size(self.update)} signers now. Once submitted it cannot be changed; "
            "someone else with permission to send updates must approve it before it is sent. To change it "
            "after that, cancel it and write a new one."
        )

    def take(self, form):
        submit_for_approval(self.update, self.request.user)


class ApprovalForm(forms.Form):
    seen_count = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ApproveView(UpdateStepView):
    page_title = "Approve"
    form_class = ApprovalForm
    button_class = "button button-secondary"
    template_name = "petitions/admin/updates/approve.html"

    @cached_property
    def count(self):
        return audience_size(self.update)

    @property
    def button_label(self):
        return f"Approve and send to {self.count} signers"

    def get_initial(self):
        return {"seen_count": self.count}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["count"] = self.count
        context["preview_url"] = update_url("preview", self.update)
        context["refusal"] = (
            "You wrote this update, so someone else must approve it."
            if self.update.created_by_id == self.request.user.pk
            else None
        )
        return context

    @property
    def done_message(self):
        when = "from the time set" if self.update.send_after else "as soon as possible"
        return f"Approved for {self.update.audience_count} signers. It will be sent {when}."

    def refused_response(self):
        # The approver sees the count as it is now, and the reason, on the same screen.
        return redirect(self.request.path)

    def take(self, form):
        self.update = approve_update(self.update, self.request.user, form.cleaned_data["seen_count"])
        if not self.update.send_after or self.update.send_after <= timezone.now():
            # Approved to go now: sending starts at once (the worker sends it in batches). An update
            # set for later is started by `send_due_petition_updates` when its time comes.
            with suppress(CannotSend):
                start_sending(self.update.pk, user=self.request.user)


class CancelView(UpdateStepView):
    page_title = "Cancel"
    button_label = "Cancel this update"
    button_class = "button no"
    done_message = "Cancelled. Nobody else will be sent this update."
    explanation = (
        "A cancelled update is never sent, or stops part-way if sending has started: those already sent "
        "it keep their copy, nobody else gets one. This cannot be undone."
    )

    def take(self, form):
        cancel_update(self.update, self.request.user)
