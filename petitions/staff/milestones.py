"""The Milestones screen: when each petition reached 100, 1,000, … signatures and its target, and a
button that starts a draft update to its signers from one.

A custom screen on `core.admin_views.AdminFormView` rather than a viewset: milestones are facts the
confirmations record, so there is nothing to add, edit or delete, only a list and one action. The draft
opens in the "Updates to signers" editor (its viewset, `petition_updates`), where it is written,
checked and approved as any other update.
"""

from django import forms
from django.db import transaction
from django.shortcuts import redirect
from django.template.defaultfilters import floatformat
from wagtail.admin import messages
from wagtail.log_actions import log

from core.admin_views import AdminFormView
from petitions.models import Audience, PetitionMilestone, PetitionUpdate, UpdateStatus
from petitions.updates.viewsets import update_edit_url

SEND_PERMISSION = "petitions.send_petitionupdate"
START_UPDATE_ACTION = "petitions.start_update_from_milestone"


def draft_from_milestone(milestone):
    """The subject and body a milestone's update starts with, for staff to rewrite."""
    petition = milestone.petition
    figure = floatformat(milestone.threshold, "0g")
    reached = "our target of " + figure if milestone.is_target else figure
    subject = f"We reached {reached} signatures"
    body = (
        f"<p>Thank you. The open letter \u201c{petition.title}\u201d has now been signed by {figure} people"
        f"{', our target' if milestone.is_target else ''}.</p>"
        "<p>[Say what happens next, and how they can help: share the letter, tell a friend.]</p>"
    )
    return subject, body


def start_update_from_milestone(milestone_id, user):
    """The milestone's draft update, created the first time (audience: campaign news); returns it.

    Pressed twice, the button opens the same draft while it is still a draft.
    """
    with transaction.atomic():
        milestone = (
            PetitionMilestone.objects.select_for_update(of=("self",))
            .select_related("petition")
            .get(pk=milestone_id)
        )
        update = milestone.update
        if update is not None and update.status == UpdateStatus.DRAFT:
            return update, False
        subject, body = draft_from_milestone(milestone)
        update = PetitionUpdate.objects.create(
            petition_id=milestone.petition_id,
            audience=Audience.CAMPAIGN_NEWS,
            subject=subject[:150],
            body=body,
            created_by=user,
        )
        milestone.update = update
        milestone.save(update_fields=["update"])
        log(
            instance=milestone.petition,
            action=START_UPDATE_ACTION,
            user=user,
            data={"threshold": milestone.threshold, "update": update.pk},
        )
    return update, True


class StartUpdateForm(forms.Form):
    milestone = forms.ModelChoiceField(queryset=PetitionMilestone.objects.all(), widget=forms.HiddenInput)


class MilestonesView(AdminFormView):
    permission = SEND_PERMISSION
    page_title = "Milestones"
    header_icon = "pick"
    template_name = "petitions/admin/milestones.html"
    form_class = StartUpdateForm

    def get_context_data(self, **kwargs):
        milestones = PetitionMilestone.objects.select_related("petition", "update").order_by("-reached_at")[
            :200
        ]
        return super().get_context_data(milestones=milestones, **kwargs)

    def form_invalid(self, form):
        messages.error(self.request, "That milestone no longer exists. Choose one from the list.")
        return redirect("petitions_admin:milestones")

    def form_valid(self, form):
        update, created = start_update_from_milestone(form.cleaned_data["milestone"].pk, self.request.user)
        if created:
            messages.success(self.request, f"A draft update \u201c{update.subject}\u201d was started.")
        return redirect(update_edit_url(update))
