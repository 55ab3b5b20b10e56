"""Bulk actions on signatures picked in the signatories listing: invalidate, restore, erase.

Each is Wagtail's BulkAction (its confirmation screen, "select all in listing" and hooks) around the
services that keep counts and the audit log right: `petitions.staff.invalidation` and
`petitions.personal_data.erasure`. Each needs its own permission, checked before anything is shown.
`apply` is the action's work on a queryset: the listing's ticked rows here, every row its filters
select in `petitions.staff.views.InvalidateSignaturesView`.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.permissions import policy_registry

from petitions.models import InvalidationCategory, Signature
from petitions.personal_data.erasure import erase_signatures
from petitions.staff.filters import filter_signatures
from petitions.staff.invalidation import invalidate_signatures, restore_signatures


def category_field(required=True):
    """The kind of reason, as the public integrity report counts it: staff pick one."""
    return forms.ChoiceField(
        label="What kind of reason",
        choices=InvalidationCategory.choices,
        required=required,
        widget=forms.RadioSelect,
        help_text='The petition\'s public page "Are these numbers real?" counts invalidated signatures by '
        "this. It shows numbers only, never your reason's words.",
    )


class InvalidationReasonForm(forms.Form):
    category = category_field()
    reason = forms.CharField(
        max_length=200,
        help_text="Why these signatures should not count, e.g. 'Bot wave from one address'. "
        "Kept with each signature and in the audit log.",
    )


class SignatureBulkAction(BulkAction):
    models = [Signature]
    template_name = "petitions/admin/bulk_action_confirm.html"
    #: The permission policy action ("manage", "erase") a user needs for this bulk action.
    permission = None
    #: What the confirmation screen says will happen, for someone who has not done it before.
    explanation = ""
    confirm_label = ""

    def dispatch(self, request, *args, **kwargs):
        policy = policy_registry.get_by_type(Signature)
        if not policy.user_has_permission(request.user, self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_all_objects_in_listing_query(self, parent_id):
        # "Select all in listing" sends the listing's own query string: act on exactly what it shows.
        try:
            return filter_signatures(self.request.GET).values_list("pk", flat=True)
        except ValueError:
            return Signature.objects.none()

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "action": self,
            "header_icon": "group",
        }

    def get_execution_context(self):
        return {"user": self.request.user}

    def execute_action(self, objects, user=None, **options):
        selection = Signature.objects.filter(pk__in=[signature.pk for signature in objects])
        change = self.apply(
            selection, user, log_data={"selection": "chosen in the signatories listing"}, **options
        )
        return change.total, 0

    @classmethod
    def apply(cls, signatures, user, log_data, reason="", category=None):
        """Do the action on `signatures` (a queryset); returns the BulkChange."""
        raise NotImplementedError

    #: What the message after the action says, with `{total}` for how many signatures changed.
    success = ""

    @classmethod
    def success_message(cls, total):
        return cls.success.format(total=total)

    def get_success_message(self, num_parent_objects, num_child_objects):
        return self.success_message(num_parent_objects)


class InvalidateBulkAction(SignatureBulkAction):
    display_name = "Invalidate"
    action_type = "invalidate"
    aria_label = "Invalidate the selected signatures"
    action_priority = 10
    permission = "manage"
    form_class = InvalidationReasonForm
    explanation = (
        "Invalidated signatures no longer count towards the petition's total and are left out of the "
        "export for the addressee. They are kept, and can be restored."
    )
    confirm_label = "Invalidate"
    success = "Invalidated {total} signatures. They no longer count."

    def get_execution_context(self):
        data = self.cleaned_form.cleaned_data
        return {**super().get_execution_context(), "reason": data["reason"], "category": data["category"]}

    @classmethod
    def apply(cls, signatures, user, log_data, reason="", category=InvalidationCategory.OTHER):
        category = category or InvalidationCategory.OTHER
        return invalidate_signatures(signatures, reason, user, category=category, log_data=log_data)


class RestoreBulkAction(SignatureBulkAction):
    display_name = "Restore"
    action_type = "restore"
    aria_label = "Restore the selected invalidated signatures"
    action_priority = 20
    permission = "manage"
    explanation = (
        "Restored signatures count again if they were confirmed. Signatures that were not invalidated "
        "are left as they are."
    )
    confirm_label = "Restore"
    success = "Restored {total} signatures."

    @classmethod
    def apply(cls, signatures, user, log_data, reason="", category=None):
        return restore_signatures(signatures, user, reason=reason, log_data=log_data)


class EraseBulkAction(SignatureBulkAction):
    display_name = "Erase"
    action_type = "erase"
    aria_label = "Erase the selected signatures and their personal data"
    action_priority = 30
    classes = {"serious"}
    permission = "erase"
    explanation = (
        "Erasing deletes these signatures and everything the signatories gave: there is no undo. "
        "Counted signatures leave the count. The audit log records how many, never who."
    )
    confirm_label = "Erase permanently"
    success = "Erased {total} signatures."

    @classmethod
    def apply(cls, signatures, user, log_data, reason="", category=None):
        return erase_signatures(signatures, user, log_data=log_data)


SIGNATURE_BULK_ACTIONS = [InvalidateBulkAction, RestoreBulkAction, EraseBulkAction]
