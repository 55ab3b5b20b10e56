"""Drafting an outcome update from an entry of the letter's timeline: the editor picks the entry, and a
draft update to signers (audience "outcome of the letter") opens with its subject and words filled in.

A custom screen because the timeline is a StreamField of the page: Wagtail's page editor has no place
for a button per block. The draft is then written, checked and approved in the updates' own screens.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import log

from petitions.models import Audience, PetitionPage, PetitionUpdate, UpdateStatus
from petitions.models.timeline import draft_from, entries_by_date, find_entry
from petitions.updates.viewsets import update_edit_url

PERMISSION = "petitions.send_petitionupdate"


def draft_outcome_update(petition, entry, user):
    """A draft outcome update for `petition`, its subject and body taken from the timeline `entry`."""
    subject, body = draft_from(entry)
    update = PetitionUpdate.objects.create(
        petition=petition,
        audience=Audience.OUTCOME,
        subject=subject[:150],
        body=body,
        status=UpdateStatus.DRAFT,
        created_by=user,
    )
    log(instance=update, action="wagtail.create", user=user, data={"from_timeline_entry": entry.id})
    return update


class OutcomeUpdateFromTimelineView(WagtailAdminTemplateMixin, TemplateView):
    """The petition's timeline entries (as last saved, draft or published), each with a button that
    drafts an outcome update from it (a POST)."""

    template_name = "petitions/admin/outcome_update_from_timeline.html"
    page_title = "Draft an outcome update"
    header_icon = "mail"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        page = get_object_or_404(PetitionPage, pk=kwargs["page_id"])
        if not page.permissions_for_user(request.user).can_edit():
            raise PermissionDenied
        self.petition = page.get_latest_revision_as_object()

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "petition": self.petition,
            "page_subtitle": self.petition.title,
            "entries": entries_by_date(self.petition.outcome_timeline),
            "edit_page_url": reverse("wagtailadmin_pages:edit", args=[self.petition.pk]),
        }

    def post(self, request, page_id):
        if not self.petition.tells_outcome:
            messages.error(
                request,
                "This letter's privacy notice does not say signers will be told the outcome, so an outcome "
                "update would go to no one. Tick “Signers will be told the outcome” in the page's Settings "
                "first, if the notice says so.",
            )
            return redirect(request.path)
        entry = find_entry(self.petition.outcome_timeline, request.POST.get("entry", ""))
        if entry is None:
            messages.error(request, "That entry is no longer in the timeline. Choose one of those below.")
            return redirect(request.path)
        update = draft_outcome_update(self.petition, entry, request.user)
        messages.success(
            request,
            "Draft update created from the timeline entry. Check its words, then send it for approval.",
        )
        return redirect(update_edit_url(update))
