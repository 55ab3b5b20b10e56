"""Public data pages: every dataset with its source and methodology, its observations (filterable
without JavaScript) and CSV and JSON downloads, so that the campaign's figures can be checked."""

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.generic import ListView, TemplateView

from statistics.exports import observations_json, write_observations_csv
from statistics.filters import ObservationFilter
from statistics.models import Dataset

OBSERVATIONS_PER_PAGE = 100


class DatasetListView(ListView):
    template_name = "statistics/dataset_list.html"
    context_object_name = "datasets"

    def get_queryset(self):
        return Dataset.objects.annotate(observation_count=Count("observations")).order_by("title")


def _filtered(request, dataset):
    observations = dataset.observations.select_related("period", "area__parent", "platform").order_by(
        "period__start_date", "area__name", "platform__name", "measure"
    )
    return ObservationFilter(request.GET, queryset=observations, dataset=dataset)


class DatasetDetailView(TemplateView):
    template_name = "statistics/dataset_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        dataset = get_object_or_404(Dataset, slug=kwargs["slug"])
        observations = _filtered(self.request, dataset)
        is_valid = observations.form.is_valid()
        query = self.request.GET.copy()
        query.pop("page", None)
        page = Paginator(observations.qs if is_valid else [], OBSERVATIONS_PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        context.update(
            dataset=dataset,
            filter_form=observations.form,
            is_filtered=any(value for key, value in query.items()),
            page_obj=page,
            observations=page.object_list,
            query=query.urlencode(),
        )
        return context


def _bad_filters(form):
    # Plain text: the messages can repeat what was in the address, which must not become markup.
    errors = "; ".join(f"{name}: {' '.join(texts)}" for name, texts in form.errors.items())
    return HttpResponseBadRequest(
        f"These filters are not valid for this dataset: {errors}", content_type="text/plain; charset=utf-8"
    )


def dataset_csv(request, slug):
    dataset = get_object_or_404(Dataset, slug=slug)
    observations = _filtered(request, dataset)
    if not observations.form.is_valid():
        return _bad_filters(observations.form)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{dataset.slug}.csv"'
    # A byte-order mark lets Excel open the file as UTF-8; the importer accepts it too.
    response.write("\ufeff")
    write_observations_csv(observations.qs, response)
    return response


def dataset_json(request, slug):
    dataset = get_object_or_404(Dataset, slug=slug)
    observations = _filtered(request, dataset)
    if not observations.form.is_valid():
        return _bad_filters(observations.form)
    dataset_url = request.build_absolute_uri(dataset.get_absolute_url())
    data = observations_json(dataset, observations.qs, dataset_url)
    return JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
