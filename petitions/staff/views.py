"""Admin screens for invalidating or restoring every signature the listing's filters select, for
erasing one signatory's data, and the report of signatures by source and day.

Custom views rather than a viewset: both act on a selection described by criteria (the listing's
filters, an address), not on rows ticked in a listing, and show how many signatures would change
before anything does (`core.admin_views.CheckThenConfirmView`). The work is the bulk actions'.
"""

from django import forms
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from wagtail.admin import messages

from core.admin_views import AdminFormView, CheckThenConfirmView
from petitions.models import Signature
from petitions.personal_data.erasure import erase_signatory
from petitions.staff.bulk_actions import InvalidateBulkAction, RestoreBulkAction
from petitions.staff.filters import SignatureFilterSet, describe_filters, filter_signatures
from petitions.staff.invalidation import count_to_invalidate, count_to_restore
from petitions.staff.source_report import SourceReportForm, signatures_by_source_and_day

BY_CRITERIA = {action.action_type: action for action in (InvalidateBulkAction, RestoreBulkAction)}


class InvalidationForm(forms.Form):
    """Invalidate or restore, and why; the signatures are those the query string's filters select."""

    action = forms.ChoiceField(
        choices=[
            (InvalidateBulkAction.action_type, "Invalidate: take them out of the count"),
            (RestoreBulkAction.action_type, "Restore: count them again"),
        ],
        initial=InvalidateBulkAction.action_type,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        required=False,
        max_length=200,
        help_text="Why. Kept with each invalidated signature and in the audit log. Required to invalidate.",
    )

    def __init__(self, *args, filters, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters = filters

    def clean(self):
        cleaned = super().clean()
        if not describe_filters(self.filters):
            raise forms.ValidationError(
                "Choose at least one filter, so that not every signature is selected."
            )
        try:
            self.signatures = filter_signatures(self.filters)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error
        if (
            cleaned.get("action") == InvalidateBulkAction.action_type
            and not cleaned.get("reason", "").strip()
        ):
            self.add_error("reason", "Give a reason for invalidating these signatures.")
        return cleaned


class ErasureForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="Every signature made with this address, on any petition, is deleted. There is no undo.",
    )


class InvalidateSignaturesView(CheckThenConfirmView):
    """The listing's "Invalidate or restore all these" link lands here with the listing's filters."""

    permission = "petitions.manage_signature"
    page_title = "Invalidate or restore signatures"
    header_icon = "warning"
    template_name = "petitions/admin/invalidate_signatures.html"
    form_class = InvalidationForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "filters": self.request.GET}

    @cached_property
    def filterset(self):
        """The listing's filter form, to show and change the filters here."""
        return SignatureFilterSet(self.request.GET or None, queryset=Signature.objects.none())

    def get_context_data(self, **kwargs):
        listing = f"{reverse('signatories:index')}?{self.request.GET.urlencode()}"
        return super().get_context_data(filters=self.filterset, listing_url=listing, **kwargs)

    def preview(self, form):
        action = form.cleaned_data["action"]
        if action == InvalidateBulkAction.action_type:
            total, counted = count_to_invalidate(form.signatures)
        else:
            total, counted = count_to_restore(form.signatures), None
        return {"action": action, "total": total, "counted": counted}

    def confirm(self, form):
        action = BY_CRITERIA[form.cleaned_data["action"]]
        change = action.apply(
            form.signatures,
            self.request.user,
            log_data=describe_filters(self.request.GET),
            reason=form.cleaned_data["reason"],
        )
        messages.success(self.request, action.success_message(change.total))
        return redirect(f"{reverse('petitions_admin:invalidate')}?{self.request.GET.urlencode()}")


class EraseSignatoryView(CheckThenConfirmView):
    permission = "petitions.erase_signature"
    page_title = "Erase a signatory's data"
    header_icon = "bin"
    template_name = "petitions/admin/erase_signatory.html"
    form_class = ErasureForm

    def preview(self, form):
        signatures = Signature.objects.for_email(form.cleaned_data["email"])
        return {"total": signatures.count(), "petitions": signatures.values("petition_id").distinct().count()}

    def confirm(self, form):
        erasure = erase_signatory(form.cleaned_data["email"], self.request.user)
        if erasure.total:
            messages.success(
                self.request,
                f"Erased {erasure.total} signatures on {len(erasure.by_petition)} petitions. "
                "The audit log records the erasure without the address.",
            )
        else:
            messages.warning(self.request, "No signatures use that address, so nothing was erased.")
        return redirect("petitions_admin:erase")


class SignaturesBySourceView(AdminFormView):
    """Signatures by source and day for one petition: a report from a GET form, so it can be bookmarked.

    A custom view, not Wagtail's ReportView: its rows are counts grouped in the database, not objects.
    Counts only, no one's details, so anyone who may see the signatories may see it.
    """

    permission = "petitions.view_signature"
    page_title = "Signatures by source"
    header_icon = "link"
    template_name = "petitions/admin/signatures_by_source.html"
    form_class = SourceReportForm

    def get_form_kwargs(self):
        return {"data": self.request.GET or SourceReportForm.defaults()}

    def get(self, request, *args, **kwargs):
        form = self.get_form()
        report = None
        if form.is_valid():
            data = form.cleaned_data
            report = signatures_by_source_and_day(data["petition"], data["signed_from"], data["signed_to"])
        return self.render_to_response(self.get_context_data(form=form, report=report))

    def post(self, request, *args, **kwargs):
        return self.http_method_not_allowed(request, *args, **kwargs)
