"""Which signatures staff are looking at: the signatories listing's filters and search.

The listing, its exports, its "select all" bulk actions and `manage.py export_signatories` all
select rows through `filter_signatures`, so a filter means the same thing everywhere. The
parameter names are the listing's query string: `petition`, `confirmed`, `status`,
`contact_consent`, `region`, `signed_from`, `signed_to` (dates), `email_domain`, `ip_hash` (the
client hash), `source` (the link's source code) and `q` (search). Invalidating or restoring by
criteria uses them too.
"""

import django_filters
from django import forms
from django.db.models import Q
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.widgets import BooleanRadioSelect

from petitions.models import PetitionPage, Signature
from petitions.regions import Region
from petitions.sign_form.source import MAX_LENGTH as SOURCE_MAX_LENGTH
from petitions.sign_form.source import clean_source_code

SEARCH_PARAMETER = "q"
SEARCH_FIELDS = ["first_name", "last_name", "email"]
# The `source` filter's word for signatures that came by no coded link.
NO_SOURCE = "none"


class ValidityFilter(django_filters.ChoiceFilter):
    """Valid signatures (in the count when confirmed) or those staff took out of it."""

    def filter(self, queryset, value):
        if value == "valid":
            return queryset.valid()
        if value == "invalidated":
            return queryset.invalidated()
        return queryset


class SourceCodeField(forms.CharField):
    """A source code as staff type it (any case, spaces around it), or 'none'; anything else is refused."""

    def clean(self, value):
        value = super().clean(value).strip().lower()
        if value and value != NO_SOURCE and not clean_source_code(value):
            raise forms.ValidationError(
                "Enter a source as it appears in the link: lowercase letters, digits and hyphens, "
                "like 'partner-barnardos' (or 'none').",
                code="source",
            )
        return value


class SourceFilter(django_filters.CharFilter):
    field_class = SourceCodeField


class SignatureFilterSet(WagtailFilterSet):
    petition = django_filters.ModelChoiceFilter(
        queryset=PetitionPage.objects.order_by("title"),
        empty_label="All petitions",
        label="Petition",
    )
    confirmed = django_filters.BooleanFilter(
        field_name="confirmed_at",
        lookup_expr="isnull",
        exclude=True,
        widget=BooleanRadioSelect,
        label="Confirmed by email",
    )
    status = ValidityFilter(
        choices=[("valid", "Valid"), ("invalidated", "Invalidated")],
        empty_label="All",
        widget=forms.RadioSelect,
        label="Valid or invalidated",
    )
    contact_consent = django_filters.BooleanFilter(
        widget=BooleanRadioSelect, label="Agreed to hear more from the campaign"
    )
    # No join, so no duplicates: DISTINCT would only cost a sort and add a column to the export's SQL.
    region = django_filters.MultipleChoiceFilter(
        choices=Region.choices, widget=forms.CheckboxSelectMultiple, label="Region", distinct=False
    )
    signed = django_filters.DateFromToRangeFilter(
        field_name="created_at",
        widget=DateRangePickerWidget,
        label="Signed between (dates, both included)",
    )
    email_domain = django_filters.CharFilter(
        method="filter_email_domain",
        max_length=253,
        label="Email domain",
        help_text="Addresses at this domain, e.g. 'mailinator.com' (not subdomains).",
    )
    ip_hash = django_filters.CharFilter(
        max_length=64, label="Client hash", help_text="Signatures from one client, as shown on a signature."
    )
    source = SourceFilter(
        method="filter_source",
        max_length=SOURCE_MAX_LENGTH,
        label="Source",
        help_text=(
            "Signatures that came by links with this source, e.g. 'whatsapp-share' or 'partner-barnardos'. "
            "Write 'none' for signatures without one."
        ),
    )

    class Meta:
        model = Signature
        fields = [
            "petition",
            "confirmed",
            "status",
            "contact_consent",
            "region",
            "signed",
            "email_domain",
            "ip_hash",
            "source",
        ]

    def filter_source(self, queryset, name, value):
        return queryset.filter(source="" if value == NO_SOURCE else value)

    def filter_email_domain(self, queryset, name, value):
        domain = value.strip().lstrip("@")
        return queryset.filter(email__iendswith="@" + domain) if domain else queryset


def search_signatures(queryset, text):
    """Signatures whose name or email holds every word of `text` ("jane doughty" finds Jane Doughty)."""
    for word in text.split():
        matches_word = Q(*[Q(**{f"{field}__icontains": word}) for field in SEARCH_FIELDS], _connector=Q.OR)
        queryset = queryset.filter(matches_word)
    return queryset


def filter_signatures(params, queryset=None):
    """The signatures the listing would show for these query parameters (a QueryDict).

    Raises ValueError naming each invalid filter.
    """
    queryset = Signature.objects.all() if queryset is None else queryset
    filterset = SignatureFilterSet(params, queryset=queryset)
    if not filterset.is_valid():
        problems = "; ".join(
            f"{filterset.form[name].label}: {' '.join(errors)}" for name, errors in filterset.errors.items()
        )
        raise ValueError(f"Invalid filters: {problems}")
    return search_signatures(filterset.qs, params.get(SEARCH_PARAMETER, ""))


def describe_filters(params):
    """The filters in `params` (a QueryDict) for the audit log: names, ids and dates, no search text.

    Search text can be a person's name or address, so the log records only that a search was used.
    """
    described = {}
    names = ["petition", "confirmed", "status", "contact_consent", "signed_from", "signed_to"]
    for name in [*names, "email_domain", "ip_hash"]:
        if params.get(name):
            described[name] = params.get(name)
    if params.get("source", "").strip():
        # As the filter reads it (the export refuses anything that is not a code before it is logged).
        described["source"] = params.get("source").strip().lower()
    if params.getlist("region"):
        described["region"] = params.getlist("region")
    if params.get(SEARCH_PARAMETER, "").strip():
        described["search"] = "used (text not recorded)"
    return described
