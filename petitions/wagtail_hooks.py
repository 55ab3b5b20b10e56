"""Admin wiring for petitions: the Signatories section, updates to signers, audit-log actions, the
invalidation and erasure screens, page deletion."""

from django.db.models import Q
from django.shortcuts import redirect
from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.widgets import Button
from wagtail.log_actions import LogFormatter
from wagtail.models import Page
from wagtail.snippets.models import register_snippet

from petitions.delivery_pack.requesting import DOWNLOAD_ACTION, REQUEST_ACTION
from petitions.delivery_pack.views import DeliveryPackIndexView, DeliveryPackView, download_pack
from petitions.embeds.viewsets import EmbedPartnerViewSet
from petitions.models import PetitionPage, Signature
from petitions.personal_data.erasure import ERASE_SIGNATORY_ACTION, ERASE_SIGNATURES_ACTION
from petitions.personal_data.retention import ANONYMISE_ACTION
from petitions.selfservice.changes import CONSENT_CHANGED_ACTION, SIGNATURE_WITHDRAWN_ACTION
from petitions.staff.bulk_actions import SIGNATURE_BULK_ACTIONS
from petitions.staff.exports import EXPORT_ACTION
from petitions.staff.invalidation import INVALIDATE_ACTION, RESTORE_ACTION
from petitions.staff.milestones import SEND_PERMISSION, START_UPDATE_ACTION, MilestonesView
from petitions.staff.outcome_updates import PERMISSION as SEND_UPDATES_PERMISSION
from petitions.staff.outcome_updates import OutcomeUpdateFromTimelineView
from petitions.staff.views import EraseSignatoryView, InvalidateSignaturesView, SignaturesBySourceView
from petitions.staff.viewsets import SignatureViewSet
from petitions.updates.approval import APPROVE_ACTION, CANCEL_ACTION, SUBMIT_ACTION, TEST_SENT_ACTION
from petitions.updates.sending import FINISHED_ACTION, STARTED_ACTION, STOPPED_ACTION
from petitions.updates.viewsets import PetitionUpdateViewSet
from petitions.webhooks.views import RETRIED_ACTION, SECRET_CHANGED_ACTION, SECRET_SHOWN_ACTION
from petitions.webhooks.viewsets import WebhookDeliveryViewSet, WebhookEndpointViewSet


@hooks.register("register_admin_viewset")
def register_signatory_viewset():
    return SignatureViewSet()


register_snippet(PetitionUpdateViewSet)


@hooks.register("register_admin_viewset")
def register_partner_sites_viewset():
    return EmbedPartnerViewSet()


for bulk_action in SIGNATURE_BULK_ACTIONS:
    hooks.register("register_bulk_action", bulk_action)


@hooks.register("register_admin_urls")
def register_admin_urls():
    urls = [
        path("invalidate/", InvalidateSignaturesView.as_view(), name="invalidate"),
        path("erase/", EraseSignatoryView.as_view(), name="erase"),
        path("sources/", SignaturesBySourceView.as_view(), name="sources"),
        path("milestones/", MilestonesView.as_view(), name="milestones"),
        path(
            "<int:page_id>/outcome-update/",
            OutcomeUpdateFromTimelineView.as_view(),
            name="outcome_update_from_timeline",
        ),
        path("delivery-packs/", DeliveryPackIndexView.as_view(), name="delivery_packs"),
        path("<int:petition_id>/delivery-pack/", DeliveryPackView.as_view(), name="delivery_pack"),
        path("delivery-packs/<int:pack_id>/download/", download_pack, name="delivery_pack_download"),
    ]
    return [path("petitions/", include((urls, "petitions_admin"), namespace="petitions_admin"))]


@hooks.register("register_page_header_buttons")
def outcome_update_header_button(page, user, view_name, next_url=None):
    """Beside a petition's editor: draft an outcome update from its timeline, for staff who send updates."""
    if issubclass(page.specific_class or Page, PetitionPage) and user.has_perm(SEND_UPDATES_PERMISSION):
        yield Button(
            "Draft an outcome update from the timeline",
            url=reverse("petitions_admin:outcome_update_from_timeline", args=[page.pk]),
            icon_name="mail",
            priority=90,
        )


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


@hooks.register("register_admin_menu_item")
def register_invalidate_menu_item():
    return PermissionMenuItem(
        "Invalidate signatures",
        reverse("petitions_admin:invalidate"),
        icon_name="warning",
        order=910,
        permission="petitions.manage_signature",
    )


@hooks.register("register_reports_menu_item")
def register_sources_report_menu_item():
    return PermissionMenuItem(
        "Signatures by source",
        reverse("petitions_admin:sources"),
        icon_name="link",
        order=700,
        permission="petitions.view_signature",
    )


@hooks.register("register_admin_menu_item")
def register_erase_menu_item():
    return PermissionMenuItem(
        "Erase a signatory",
        reverse("petitions_admin:erase"),
        icon_name="bin",
        order=920,
        permission="petitions.erase_signature",
    )


@hooks.register("register_admin_menu_item")
def register_milestones_menu_item():
    return PermissionMenuItem(
        "Milestones",
        reverse("petitions_admin:milestones"),
        icon_name="pick",
        order=906,
        permission=SEND_PERMISSION,
    )


@hooks.register("register_admin_menu_item")
def register_delivery_pack_menu_item():
    return PermissionMenuItem(
        "Delivery packs",
        reverse("petitions_admin:delivery_packs"),
        icon_name="doc-full",
        order=905,
        permission="petitions.export_signature",
    )


def _count_formatter(label, message):
    class CountFormatter(LogFormatter):
        def format_message(self, log_entry):
            data = log_entry.data or {}
            text = message.format(count=data.get("count", "?"))
            if data.get("reason"):
                text += f" Reason: {data['reason']}"
            return text

    CountFormatter.label = label
    return CountFormatter


@hooks.register("register_log_actions")
def register_petition_log_actions(actions):
    for action, label, message in [
        (INVALIDATE_ACTION, "Invalidate signatures", "Invalidated {count} signatures."),
        (RESTORE_ACTION, "Restore signatures", "Restored {count} invalidated signatures."),
        (ERASE_SIGNATORY_ACTION, "Erase a signatory", "Erased one signatory's data: {count} signatures."),
        (ERASE_SIGNATURES_ACTION, "Erase signatures", "Erased {count} signatures."),
        (
            ANONYMISE_ACTION,
            "Anonymise signatures",
            "Anonymised {count} signatures after the petition closed.",
        ),
    ]:
        actions.register_action(action)(_count_formatter(label, message))


class SignerConsentFormatter(LogFormatter):
    label = "Signer changed a consent"

    def format_message(self, log_entry):
        data = log_entry.data or {}
        consent = (
            "to hear more from the campaign" if data.get("consent") == "contact" else "to be listed publicly"
        )
        verb = "gave" if data.get("agreed") else "withdrew"
        return (
            f"Signature {data.get('signature', '?')} {verb} the consent {consent} on the signer's own page "
            f"(wording {data.get('wording', '?')})."
        )


@hooks.register("register_log_actions")
def register_signer_page_log_actions(actions):
    actions.register_action(CONSENT_CHANGED_ACTION)(SignerConsentFormatter)
    actions.register_action(SIGNATURE_WITHDRAWN_ACTION)(
        _count_formatter(
            "Signature withdrawn by its signer",
            "A signer withdrew their signature on their own page: {count} signature erased.",
        )
    )


class ExportFormatter(LogFormatter):
    label = "Export signatories"

    def format_message(self, log_entry):
        data = log_entry.data or {}
        filters = ", ".join(f"{name}={value}" for name, value in (data.get("filters") or {}).items())
        return (
            f"Exported {data.get('count', '?')} signatures of this petition "
            f"({data.get('total', '?')} in the whole export) as {str(data.get('format', '?')).upper()}, "
            f"profile '{data.get('profile', '?')}', from the {data.get('source', 'admin')}. "
            f"Filters: {filters or 'none'}."
        )


class DeliveryPackRequestFormatter(LogFormatter):
    label = "Ask for a delivery pack"

    def format_message(self, log_entry):
        return f"Asked for delivery pack {(log_entry.data or {}).get('pack', '?')} of this petition."


class DeliveryPackDownloadFormatter(LogFormatter):
    label = "Download a delivery pack"

    def format_message(self, log_entry):
        data = log_entry.data or {}
        return (
            f"Downloaded delivery pack {data.get('pack', '?')}: {data.get('named', '?')} signers named, "
            f"{data.get('total', '?')} signatures counted."
        )


class SendingFinishedFormatter(LogFormatter):
    label = "Finish sending an update"

    def format_message(self, log_entry):
        data = log_entry.data or {}
        return (
            f"Finished sending: {data.get('sent', '?')} sent, {data.get('failed', '?')} failed, "
            f"{data.get('skipped', '?')} skipped (no longer agreed, or no longer valid)."
        )


@hooks.register("register_log_actions")
def register_update_sending_log_actions(actions):
    actions.register_action(STARTED_ACTION)(
        _count_formatter("Start sending an update", "Started sending to {count} signers.")
    )
    actions.register_action(STOPPED_ACTION)(
        _count_formatter("Stop a cancelled update", "Cancelled part-way: {count} signers were not sent it.")
    )
    actions.register_action(FINISHED_ACTION)(SendingFinishedFormatter)


@hooks.register("register_log_actions")
def register_export_log_action(actions):
    actions.register_action(EXPORT_ACTION)(ExportFormatter)
    actions.register_action(REQUEST_ACTION)(DeliveryPackRequestFormatter)
    actions.register_action(DOWNLOAD_ACTION)(DeliveryPackDownloadFormatter)


class UpdateStepFormatter(LogFormatter):
    def format_message(self, log_entry):
        data = log_entry.data or {}
        return self.message.format(count=data.get("count", "?"))


@hooks.register("register_log_actions")
def register_update_log_actions(actions):
    for action, label, message in [
        (
            SUBMIT_ACTION,
            "Submit update for approval",
            "Submitted for approval, for {count} signers at the time.",
        ),
        (APPROVE_ACTION, "Approve update", "Approved for {count} signers."),
        (CANCEL_ACTION, "Cancel update", "Cancelled."),
        (TEST_SENT_ACTION, "Send a test of an update", "Sent a test to their own address."),
    ]:
        formatter = type("UpdateStep", (UpdateStepFormatter,), {"label": label, "message": message})
        actions.register_action(action)(formatter)


class StartUpdateFormatter(LogFormatter):
    label = "Start an update from a milestone"

    def format_message(self, log_entry):
        data = log_entry.data or {}
        update, threshold = data.get("update", "?"), data.get("threshold", "?")
        return f"Started a draft update (id {update}) from the {threshold} signatures milestone."


@hooks.register("register_log_actions")
def register_milestone_log_action(actions):
    actions.register_action(START_UPDATE_ACTION)(StartUpdateFormatter)


def petitions_with_signatures_among(pages):
    """Titles of the petitions that are, or are below, `pages` and hold signatures."""
    within = Q()
    for page in pages:
        within |= Q(path__startswith=page.path)
    signed = Signature.objects.values("petition_id")
    return list(PetitionPage.objects.filter(within, pk__in=signed).values_list("title", flat=True))


def refuse_deletion(request, titles):
    messages.error(
        request,
        f"These open letters have signatures, so they cannot be deleted: {', '.join(titles)}. Unpublish "
        "them instead, or ask the data protection officer to erase the signatures first.",
    )


# Signatures are the record of what people signed: deleting a page must not take them with it, whether
# the petition itself, a page above it, or several pages at once. (The database refuses too, with an
# error page; these hooks say why in words.)
@hooks.register("before_delete_page")
def keep_petitions_with_signatures(request, page):
    titles = petitions_with_signatures_among([page])
    if titles:
        refuse_deletion(request, titles)
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None


@hooks.register("before_bulk_action")
def keep_petitions_with_signatures_in_bulk(request, action_type, objects, action_class_instance):
    if action_type != "delete" or not all(isinstance(page, Page) for page in objects):
        return None
    titles = petitions_with_signatures_among(objects)
    if titles:
        refuse_deletion(request, titles)
        return redirect(get_valid_next_url_from_request(request) or reverse("wagtailadmin_explore_root"))
    return None


@hooks.register("register_admin_viewset")
def register_webhook_viewsets():
    return [WebhookEndpointViewSet(), WebhookDeliveryViewSet()]


@hooks.register("register_log_actions")
def register_webhook_log_actions(actions):
    actions.register_action(SECRET_SHOWN_ACTION, "Show webhook secret", "Showed the CRM webhook's secret.")
    actions.register_action(
        SECRET_CHANGED_ACTION, "New webhook secret", "Made a new secret for the CRM webhook."
    )
    actions.register_action(
        RETRIED_ACTION, "Retry webhook delivery", "Asked for a CRM webhook delivery to be tried again."
    )
