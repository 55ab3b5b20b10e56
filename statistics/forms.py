"""Forms of the statistics app: the data import, the widget editor's checks and the observation chooser."""

from django import forms
from django.db.models import Q
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.forms.choosers import BaseFilterForm

from statistics.choices import WidgetKind
from statistics.figures.checks import widget_problems
from statistics.import_format import FILE_TOO_LARGE, MAX_FILE_BYTES
from statistics.models import Area, Dataset, Period, Platform


class ObservationImportForm(forms.Form):
    dataset = forms.ModelChoiceField(
        queryset=Dataset.objects.all(),
        help_text=(
            "The dataset the file's figures belong to. If it is new, add it under Statistics → Datasets "
            "first."
        ),
    )
    file = forms.FileField(
        label="Data file",
        help_text=(
            "A CSV file (UTF-8) or an Excel workbook (.xlsx, first sheet) with one figure a row, under "
            "the column headings listed below (start from the template or the current data). You will see "
            "what changes before anything is saved."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        datasets = self.fields["dataset"].queryset
        if len(datasets[:2]) == 1 and not self.initial.get("dataset"):
            # Only one to choose: chosen already, rather than "---------".
            self.initial["dataset"] = datasets[0].pk
            self.fields["dataset"].empty_label = None

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > MAX_FILE_BYTES:
            raise forms.ValidationError(FILE_TOO_LARGE)
        return uploaded


class ObservationImportConfirmForm(forms.Form):
    # The preview the user saw; if the data changed since, they are shown the new preview instead.
    fingerprint = forms.CharField(widget=forms.HiddenInput)


class StatisticWidgetForm(WagtailAdminModelForm):
    """The widget editor's form: refuses, in plain words, a selection of figures that makes no sense."""

    class Media:
        js = ["statistics/widget-form.js"]

    def is_valid(self):
        # The chosen figures live in an inline formset, validated after the form's own clean(); the
        # widget as a whole can only be checked once both are valid.
        if not super().is_valid():
            return False
        data = self.cleaned_data
        if data["kind"] == WidgetKind.HEADLINE and not data.get("label"):
            self.add_error("label", "Write the words shown after the number, e.g. 'offences in a year'.")
        observations = self._chosen_observations()
        members = {}
        for group_id, member_id in Platform.members.through.objects.values_list(
            "from_platform_id", "to_platform_id"
        ):
            members.setdefault(group_id, set()).add(member_id)
        problems = widget_problems(
            data["kind"],
            data["calculation"],
            data["dataset"].pk,
            observations,
            data.get("whole"),
            platform_members=members,
            area_parents=dict(Area.objects.values_list("pk", "parent_id")),
        )
        for problem in problems:
            self.add_error(problem.field if problem.field in self.fields else None, problem.message)
        return not self.errors

    def _chosen_observations(self):
        formset = self.formsets["widget_observations"]
        forms_in_order = formset.ordered_forms if formset.can_order else formset.forms
        return [
            form.cleaned_data["observation"]
            for form in forms_in_order
            if form.cleaned_data.get("observation") and not form.cleaned_data.get("DELETE")
        ]


def _live_filter(model, empty_label, label):
    # Wagtail's chooser modal re-queries only on selects marked data-chooser-modal-search-filter.
    return forms.ModelChoiceField(
        model.objects.all(),
        label=label,
        required=False,
        empty_label=empty_label,
        widget=forms.Select(attrs={"data-chooser-modal-search-filter": True}),
    )


class ObservationChooserFilterForm(BaseFilterForm):
    """Narrows the figure chooser by dataset, period, area, platform and words, so an editor finds a figure
    among thousands without knowing its id. The modal re-queries as soon as a select changes."""

    # Every name a figure is known by: a word the editor types must appear in one of them.
    SEARCHED_FIELDS = (
        "dataset__title",
        "period__label",
        "area__name",
        "area__name_in_text",
        "platform__name",
        "measure",
        "note",
    )

    dataset = _live_filter(Dataset, "All datasets", "Dataset")
    period = _live_filter(Period, "All periods", "Period")
    area = _live_filter(Area, "All areas", "Area")
    platform = _live_filter(Platform, "All platforms", "Platform")
    # Named q, with id_q, because the modal searches as one types in the field with that id.
    q = forms.CharField(
        label="Search",
        required=False,
        help_text="Words in the area, platform, period, measure, dataset or note, e.g. 'Instagram East'.",
        widget=forms.TextInput(attrs={"placeholder": "Search figures"}),
    )

    def filter(self, objects):
        for name in ("dataset", "period", "area", "platform"):
            if self.cleaned_data.get(name):
                objects = objects.filter(**{name: self.cleaned_data[name]})
                self.is_searching = True
        words = self.cleaned_data.get("q", "").split()
        for word in words:
            matches = Q()
            for field_name in self.SEARCHED_FIELDS:
                matches |= Q(**{f"{field_name}__icontains": word})
            objects = objects.filter(matches)
        if words:
            self.is_searching = True
            self.search_query = self.cleaned_data["q"]
        return objects
