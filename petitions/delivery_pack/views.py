"""The admin's Delivery pack screens: the petitions and their latest pack, one petition's pack (make a
new one, see how it is going, download it), and the download itself.

Custom views rather than a viewset: a pack is not edited, it is asked for and downloaded, and the
download must check the export permission and be audited, which no generic view does. Everything here
needs `petitions.export_signature`, as the signatories' exports do.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import log

from core.admin_views import AdminFormView
from core.uk_time import UK
from petitions.delivery_pack.requesting import (
    DOWNLOAD_ACTION,
    PackAlreadyInProgress,
    is_stuck,
    latest_pack,
    request_pack,
)
from petitions.models import DeliveryPack, PackStatus, PetitionPage
from petitions.models.delivery_pack import pack_storage

PERMISSION = "petitions.export_signature"

ERROR_HELP = {
    "WorkerLost": "The background worker stopped while making it.",
    "OperationalError": "The database could not be reached.",
    "OSError": "The file could not be written.",
}


def error_in_words(error_kind):
    return ERROR_HELP.get(error_kind, "Something went wrong while making it.")


class DeliveryPackIndexView(WagtailAdminTemplateMixin, TemplateView):
    page_title = "Delivery packs"
    header_icon = "doc-full"
    template_name = "petitions/admin/delivery_pack_index.html"

    def setup(self, request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        super().setup(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        latest = DeliveryPack.objects.filter(petition=OuterRef("pk")).order_by("-requested_at", "-pk")
        petitions = PetitionPage.objects.order_by("title").annotate(
            pack_status=Subquery(latest.values("status")[:1]),
            pack_generated_at=Subquery(latest.values("generated_at")[:1]),
        )
        labels = dict(PackStatus.choices)
        rows = [
            {
                "petition": petition,
                "status": labels.get(petition.pack_status, "No pack yet"),
                "generated_at": petition.pack_generated_at,
            }
            for petition in petitions
        ]
        return super().get_context_data(rows=rows, **kwargs)


class RequestPackForm(forms.Form):
    """Nothing to fill in: the button asks for a new pack."""


class DeliveryPackView(AdminFormView):
    permission = PERMISSION
    header_icon = "doc-full"
    template_name = "petitions/admin/delivery_pack.html"
    form_class = RequestPackForm
    parent_breadcrumbs = (("petitions_admin:delivery_packs", "Delivery packs"),)

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.petition = get_object_or_404(PetitionPage, pk=kwargs["petition_id"])

    @property
    def page_title(self):
        return "Delivery pack"

    def get_page_subtitle(self):
        return self.petition.title

    def get_context_data(self, **kwargs):
        pack = latest_pack(self.petition)
        return super().get_context_data(
            petition=self.petition,
            pack=pack,
            stuck=bool(pack and is_stuck(pack)),
            error_text=error_in_words(pack.error_kind) if pack and pack.error_kind else "",
            **kwargs,
        )

    def form_valid(self, form):
        try:
            request_pack(self.petition, self.request.user)
        except PackAlreadyInProgress:
            messages.warning(
                self.request, "A pack of this petition is already being made. Check again in a few minutes."
            )
        else:
            messages.success(
                self.request,
                "The pack is being made in the background: a few seconds for a small petition, up to a "
                "minute or two for a million signers. Check again on this page.",
            )
        return redirect("petitions_admin:delivery_pack", petition_id=self.petition.pk)


def download_pack(request, pack_id):
    """Send a ready pack's PDF to staff allowed to export signatories, and record it in the audit log."""
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    pack = get_object_or_404(DeliveryPack.objects.select_related("petition"), pk=pack_id)
    if pack.status != PackStatus.READY or not pack.file_name:
        raise Http404("This delivery pack is not ready, or has been replaced by a newer one.")
    try:
        handle = pack_storage().open(pack.file_name, "rb")
    except FileNotFoundError as error:
        raise Http404("The file of this delivery pack is missing. Make a new pack.") from error
    log(
        instance=pack.petition,
        action=DOWNLOAD_ACTION,
        user=request.user,
        data={
            "pack": pack.pk,
            "total": pack.total,
            "named": pack.named,
            "generated_at": pack.generated_at.isoformat() if pack.generated_at else None,
        },
    )
    local = timezone.localtime(pack.generated_at, UK)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"delivery-pack-{pack.petition.slug}-{local:%Y-%m-%d}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response
