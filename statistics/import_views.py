"""The admin's data import: upload a file, see what would change, confirm.

A custom view because Wagtail's viewsets have no upload-preview-confirm flow. Between preview and
confirmation the file's rows wait in the user's server-side session (never in the page), and they are
checked again against the data as it is at confirmation time.
"""

import os
import secrets

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from core.admin_views import AdminFormView
from statistics.exports import write_observations_csv, write_observations_xlsx
from statistics.forms import ObservationImportConfirmForm, ObservationImportForm
from statistics.import_format import COLUMN
from statistics.importers.plan import ImportOutdated, apply_import, plan_import, prepare_import
from statistics.importers.problems import ImportRejected
from statistics.importers.reach import import_reach
from statistics.importers.validation import validate_rows
from statistics.models import Dataset, Observation

IMPORT_PERMISSION = "statistics.import_observations"
_SESSION_PREFIX = "statistics-import:"


def _session_key(token):
    return _SESSION_PREFIX + token


_DOWNLOADS = {
    "csv": ("text/csv; charset=utf-8", write_observations_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", write_observations_xlsx),
}


def import_file_download(request, extension, dataset_id=None):
    """The import format as a file to fill in: the header row alone (a template), or with a dataset's
    current figures (a starting file to correct and import again)."""
    if not request.user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied
    if extension not in _DOWNLOADS:
        raise Http404("CSV and XLSX only.")
    content_type, write = _DOWNLOADS[extension]
    observations, name = [], "figures-template"
    if dataset_id is not None:
        dataset = get_object_or_404(Dataset, pk=dataset_id)
        observations = Observation.objects.filter(dataset=dataset).select_related(
            "period", "area__parent", "platform"
        )
        name = dataset.slug
    response = HttpResponse(content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    write(observations, response)
    return response


class ObservationUploadView(AdminFormView):
    permission = IMPORT_PERMISSION
    form_class = ObservationImportForm
    template_name = "statistics/admin/import_upload.html"
    page_title = "Import data"
    header_icon = "upload"

    def get_initial(self):
        return {"dataset": self.request.GET.get("dataset")}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            columns=COLUMN.values(), datasets=Dataset.objects.all(), extensions=list(_DOWNLOADS), **kwargs
        )

    def form_valid(self, form):
        dataset = form.cleaned_data["dataset"]
        uploaded = form.cleaned_data["file"]
        file_name = os.path.basename(uploaded.name)[:255]
        try:
            raw_rows, _plan = prepare_import(dataset, file_name, uploaded.read())
        except ImportRejected as rejected:
            return self.render_to_response(
                self.get_context_data(form=form, problems=rejected.problems, file_name=file_name)
            )
        token = secrets.token_urlsafe(16)
        self.request.session[_session_key(token)] = {
            "dataset": dataset.pk,
            "file_name": file_name,
            "rows": raw_rows,
        }
        return redirect("statistics_import:preview", token=token)


class ObservationPreviewView(AdminFormView):
    permission = IMPORT_PERMISSION
    parent_breadcrumbs = [("statistics_import:upload", "Import data")]
    form_class = ObservationImportConfirmForm
    template_name = "statistics/admin/import_preview.html"
    page_title = "Check and confirm the import"
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        self.pending = request.session.get(_session_key(kwargs["token"]))
        if self.pending is None:
            messages.error(request, "That import has expired or was already done. Upload the file again.")
            return redirect("statistics_import:upload")
        self.dataset = get_object_or_404(Dataset, pk=self.pending["dataset"])
        self.plan, self.problems, self.reach = None, [], []
        if request.method != "POST":
            # A confirmation is checked and planned once, by apply_import under the dataset's lock.
            try:
                self.plan = plan_import(self.dataset, validate_rows(self.pending["rows"]))
                self.reach = import_reach(self.plan, request.user)
            except ImportRejected as rejected:
                # The stored data changed since the upload in a way that makes the file wrong now.
                self.problems = rejected.problems
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"fingerprint": self.plan.fingerprint if self.plan else ""}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            plan=self.plan,
            problems=self.problems,
            reach=self.reach,
            file_name=self.pending["file_name"],
            dataset=self.dataset,
        )
        return context

    def form_invalid(self, form):
        # Only a tampered or truncated confirmation gets here: show the preview again.
        return redirect("statistics_import:preview", token=self.kwargs["token"])

    def form_valid(self, form):
        try:
            plan = apply_import(
                self.dataset,
                self.pending["rows"],
                file_name=self.pending["file_name"],
                user=self.request.user,
                expected_fingerprint=form.cleaned_data["fingerprint"],
            )
        except ImportOutdated:
            messages.warning(
                self.request, "The stored data changed while you were checking. Check the changes again."
            )
            return redirect("statistics_import:preview", token=self.kwargs["token"])
        except ImportRejected as rejected:
            self.plan, self.problems = None, rejected.problems
            return self.render_to_response(self.get_context_data(form=form))
        del self.request.session[_session_key(self.kwargs["token"])]
        messages.success(
            self.request,
            f"Imported {self.pending['file_name']} into {self.dataset}: {len(plan.added)} added, "
            f"{len(plan.changed)} changed, {plan.unchanged} unchanged.",
        )
        listing = reverse("wagtailsnippets_statistics_observation:list")
        return redirect(f"{listing}?dataset={self.dataset.pk}")
