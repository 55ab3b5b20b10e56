"""The Signatories section of the admin: a read-only listing of signatures with filters, search, counts,
a detail view, bulk actions and exports, on Wagtail's ModelViewSet.

Who sees what is decided by the view-only permission policy registered below
(`core.admin_views.ViewOnlyPermissionPolicy`): "view", "export", "manage" (invalidate and restore)
and "erase" map to the `petitions.<action>_signature` permissions. Nobody, not even a superuser, adds,
edits or deletes a signature here: signatures come only from signing, and leave only through erasure,
which keeps the counts and the audit log right.
"""

import tempfile

from django.core.exceptions import PermissionDenied
from django.db.models import Count, DateTimeField, Q
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from wagtail.admin import messages
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, Column, TitleColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button
from wagtail.permissions import register_permission_policy

from core.admin_views import ViewOnlyPermissionPolicy
from core.uk_time import uk_time
from petitions.models import Signature
from petitions.staff import exports
from petitions.staff.bulk_actions import SIGNATURE_BULK_ACTIONS
from petitions.staff.exports import PROFILES, ExportTooLarge, prepare_export
from petitions.staff.filters import (
    SEARCH_FIELDS,
    SignatureFilterSet,
    describe_filters,
    filter_signatures,
    search_signatures,
)

EXPORT_PROFILE_PARAMETER = "profile"


register_permission_policy(Signature, ViewOnlyPermissionPolicy(Signature))


def _name(signature):
    return f"{signature.first_name} {signature.last_name}".strip() or "(erased or anonymised)"


class SignatureIndexView(IndexView):
    """The listing, plus counts by status and exports guarded by their own permission.

    Exports bypass Wagtail's own spreadsheet code, which reads the whole selection into memory and
    lets anyone who can see the listing download it: here they need "export" and stream from the
    database through `petitions.staff.exports`, the same code `manage.py export_signatories` uses.
    """

    template_name = "petitions/admin/signature_index.html"
    results_template_name = "petitions/admin/signature_index_results.html"

    def dispatch(self, request, *args, **kwargs):
        if self.is_export and not self.user_has_permission("export"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if self.is_export:
            return self.export_response()
        return super().get(request, *args, **kwargs)

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return search_signatures(queryset, self.search_query)

    @cached_property
    def columns(self):
        return [
            BulkActionsCheckboxColumn("bulk_actions", obj_type="signature"),
            TitleColumn(
                "name",
                label="Name",
                accessor=_name,
                sort_key="last_name",
                get_url=self.get_inspect_url,
                get_title_id=lambda signature: f"signature_{signature.pk}_title",
                classname="signatories-name",
            ),
            Column("email", label="Email", sort_key="email", classname="signatories-email"),
            Column("petition", label="Petition"),
            Column("region", label="Region", accessor="get_region_display", sort_key="region"),
            Column(
                "created_at",
                label="Signed (UK time)",
                accessor=lambda s: uk_time(s.created_at),
                sort_key="created_at",
            ),
            Column("status", label="Status", accessor=lambda signature: signature.status.label),
        ]

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("petition")

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["status_counts"] = (
            self.get_queryset()
            .order_by()
            .aggregate(
                total=Count("pk"),
                counted=Count("pk", filter=Q(confirmed_at__isnull=False, invalidated_at__isnull=True)),
                unconfirmed=Count("pk", filter=Q(confirmed_at__isnull=True, invalidated_at__isnull=True)),
                invalidated=Count("pk", filter=Q(invalidated_at__isnull=False)),
            )
        )
        context["bulk_actions"] = self.bulk_actions
        context["download_links"] = self.download_links()
        return context

    @cached_property
    def bulk_actions(self):
        """The bulk actions this user may take, as (label, URL, CSS classes), for the listing's footer."""
        return [
            (
                action.display_name,
                reverse("wagtail_bulk_action", args=["petitions", "signature", action.action_type]),
                " ".join(sorted(action.classes)),
            )
            for action in SIGNATURE_BULK_ACTIONS
            if self.user_has_permission(action.permission)
        ]

    @cached_property
    def header_more_buttons(self):
        # Wagtail's own export links would bypass the export permission: the downloads are
        # `download_links`, shown as labelled buttons above the results instead of in this "⋯" menu.
        buttons = [button for button in super().header_more_buttons if "export=" not in (button.url or "")]
        if self.user_has_permission("manage"):
            # Every row the filters select, on all pages (the bulk actions take the ticked rows).
            params = self.request.GET.copy()
            params.pop(self.page_kwarg, None)
            url = f"{reverse('petitions_admin:invalidate')}?{params.urlencode()}"
            buttons.append(
                Button("Invalidate or restore all these", url=url, icon_name="warning", priority=80)
            )
        return buttons

    def download_links(self):
        """(label, URL) of each download of exactly what the filters and search match, if the user may
        export. In the results, so that they follow the filters as the results refresh."""
        if not self.user_has_permission("export"):
            return []
        links = []
        for profile in PROFILES.values():
            for file_format in ("csv", "xlsx"):
                params = self.request.GET.copy()
                params.pop(self.page_kwarg, None)
                params["export"] = file_format
                params[EXPORT_PROFILE_PARAMETER] = profile.name
                links.append(
                    (
                        f"Download {file_format.upper()}: {profile.label}",
                        f"{self.index_url}?{params.urlencode()}",
                    )
                )
        return links

    def export_response(self):
        params = self.request.GET
        profile = params.get(EXPORT_PROFILE_PARAMETER, "full")
        file_format = params.get("export")
        try:
            if profile not in PROFILES:
                raise ValueError(f"There is no export called {profile!r}.")
            queryset = filter_signatures(params, self.order_queryset(self.get_base_queryset()))
            export = prepare_export(
                queryset,
                profile,
                file_format,
                self.request.user,
                describe_filters(params),
                source="admin",
                xlsx_row_limit=exports.ADMIN_XLSX_ROW_LIMIT,
            )
        except (ValueError, ExportTooLarge) as error:
            messages.error(self.request, str(error))
            listing_params = params.copy()
            for name in ("export", EXPORT_PROFILE_PARAMETER):
                listing_params.pop(name, None)
            return redirect(f"{self.index_url}?{listing_params.urlencode()}")
        if file_format == "csv":
            response = StreamingHttpResponse(export.csv_chunks(), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
            return response
        # Written to disk, not memory; FileResponse sends it in blocks and closes (deletes) it after.
        workbook_file = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
        export.write_xlsx(workbook_file)
        workbook_file.seek(0)
        return FileResponse(
            workbook_file,
            as_attachment=True,
            filename=export.filename,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )


class SignatureInspectView(InspectView):
    """One signature: every time in UK time with its zone, the consent wordings in words."""

    def get_field_display_value(self, field_name, field):
        if isinstance(field, DateTimeField):
            return uk_time(getattr(self.object, field_name)) or "-"
        return super().get_field_display_value(field_name, field)


class SignatureViewSet(ModelViewSet):
    """Listing and detail only: there is no screen to add, edit or delete a signature.

    Wagtail's per-object history needs edit rights, and what happens to signatures is logged against
    their petition (see docs/staff.md), so there is no history screen either.
    """

    model = Signature
    icon = "group"
    menu_label = "Signatories"
    menu_order = 900
    add_to_admin_menu = True
    name = "signatories"
    index_view_class = SignatureIndexView
    inspect_view_class = SignatureInspectView
    filterset_class = SignatureFilterSet
    # Turns on the listing's search box; `search_signatures` does the searching.
    search_fields = SEARCH_FIELDS
    list_per_page = 50
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields = [
        "first_name",
        "last_name",
        "email",
        "postcode",
        "region",
        "petition",
        "created_at",
        "confirmed_at",
        "contact_consent",
        "contact_consent_wording",
        "show_publicly",
        "show_publicly_wording",
        "privacy_notice_version",
        "source",
        "invalidated_at",
        "invalidation_reason",
        "invalidated_by",
        "anonymised_at",
        "ip_hash",
        "mail_status",
        "mail_sent_at",
    ]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{
                "add_url_name": None,
                "edit_url_name": None,
                "delete_url_name": None,
                "usage_url_name": None,
                "history_url_name": None,
                **kwargs,
            }
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]
