"""Admin screens for invalidating signatures by criteria and for erasing one signatory's data.

Custom views rather than a viewset: both act on a selection described by criteria (not on
rows picked from a listing) and need a dry run that shows how many signatures would change
before anything does. Each screen first shows the count, then acts on a second, confirming POST.
"""

from django import forms
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.auth import permission_required
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import AdminDateTimeInput

from petitions.models import PetitionPage, Signature
from petitions.personal_data.erasure import erase_signatory
from petitions.staff.invalidation import (
    InvalidationCriteria,
    count_to_invalidate,
    count_to_restore,
    invalidate_signatures,
    restore_signatures,
)


class InvalidationForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("invalidate", "Invalidate: take them out of the count"),
            ("restore", "Restore: count them again"),
        ],
        initial="invalidate",
        widget=forms.RadioSelect,
    )
    petition = forms.ModelChoiceField(
        queryset=PetitionPage.objects.order_by("title"),
        required=False,
        empty_label="All petitions",
        help_text="Only signatures on this petition.",
    )
    email_domain = forms.CharField(
        required=False,
        max_length=253,
        help_text="Only addresses at this domain, e.g. 'mailinator.com' (not subdomains).",
    )
    signed_from = forms.DateTimeField(
        required=False, widget=AdminDateTimeInput, help_text="Only signatures made at or after this time."
    )
    signed_to = forms.DateTimeField(
        required=False, widget=AdminDateTimeInput, help_text="Only signatures made before this time."
    )
    ip_hash = forms.CharField(
        required=False,
        max_length=64,
        label="Client hash",
        help_text="Only signatures from this client, as shown in the signatories listing.",
    )
    reason = forms.CharField(
        required=False,
        max_length=200,
        help_text="Why. Kept with each invalidated signature and in the audit log. Required to invalidate.",
    )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        criteria = self.criteria()
        if criteria.is_empty():
            raise forms.ValidationError(
                "Choose at least one criterion, so that not every signature is selected."
            )
        if cleaned["signed_from"] and cleaned["signed_to"] and cleaned["signed_to"] <= cleaned["signed_from"]:
            self.add_error("signed_to", "The end of the time window must be after its start.")
        if cleaned["action"] == "invalidate" and not cleaned["reason"].strip():
            self.add_error("reason", "Give a reason for invalidating these signatures.")
        return cleaned

    def criteria(self):
        data = self.cleaned_data
        return InvalidationCriteria(
            petition_id=data["petition"].pk if data.get("petition") else None,
            email_domain=data.get("email_domain", "").strip(),
            signed_from=data.get("signed_from"),
            signed_to=data.get("signed_to"),
            ip_hash=data.get("ip_hash", "").strip(),
        )


class ErasureForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="Every signature made with this address, on any petition, is deleted. There is no undo.",
    )


@method_decorator(permission_required("petitions.manage_signature"), name="dispatch")
class InvalidateSignaturesView(WagtailAdminTemplateMixin, FormView):
    page_title = "Invalidate or restore signatures"
    header_icon = "warning"
    template_name = "petitions/admin/invalidate_signatures.html"
    form_class = InvalidationForm

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def form_valid(self, form):
        criteria = form.criteria()
        action = form.cleaned_data["action"]
        if "confirm" not in self.request.POST:
            if action == "invalidate":
                total, counted = count_to_invalidate(criteria)
            else:
                total, counted = count_to_restore(criteria), None
            return self.render_to_response(
                self.get_context_data(
                    form=form, preview={"action": action, "total": total, "counted": counted}
                )
            )
        if action == "invalidate":
            change = invalidate_signatures(criteria, form.cleaned_data["reason"], self.request.user)
            messages.success(self.request, f"Invalidated {change.total} signatures. They no longer count.")
        else:
            change = restore_signatures(criteria, self.request.user, reason=form.cleaned_data["reason"])
            messages.success(self.request, f"Restored {change.total} signatures.")
        return redirect("petitions_admin:invalidate")


@method_decorator(permission_required("petitions.erase_signature"), name="dispatch")
class EraseSignatoryView(WagtailAdminTemplateMixin, FormView):
    page_title = "Erase a signatory's data"
    header_icon = "bin"
    template_name = "petitions/admin/erase_signatory.html"
    form_class = ErasureForm

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        if "confirm" not in self.request.POST:
            signatures = Signature.objects.for_email(email)
            preview = {
                "total": signatures.count(),
                "petitions": signatures.values("petition_id").distinct().count(),
            }
            return self.render_to_response(self.get_context_data(form=form, preview=preview))
        erasure = erase_signatory(email, self.request.user)
        if erasure.total:
            messages.success(
                self.request,
                f"Erased {erasure.total} signatures on {len(erasure.by_petition)} petitions. "
                "The audit log records the erasure without the address.",
            )
        else:
            messages.warning(self.request, "No signatures use that address, so nothing was erased.")
        return redirect("petitions_admin:erase")
