"""Planning and applying an import: what a checked file would add and change, then writing it.

`prepare_import` reads a file, checks every row and compares it with what is stored (the preview);
`apply_import` checks the rows again against the data as it is then, writes them in one transaction and
records the import in Wagtail's audit log. The admin's upload and `manage.py import_observations` both
use these two functions. A file with any problem imports nothing: `ImportRejected` lists every problem
by row and column, as a spreadsheet numbers them.
"""

import hashlib
from dataclasses import dataclass, field

from django.db import transaction
from wagtail.log_actions import log

from statistics.choices import AreaType, Qualifier
from statistics.figures.numbers import format_decimal
from statistics.import_format import observation_identity
from statistics.importers.reach import as_log_data, import_reach
from statistics.importers.reading import read_rows
from statistics.importers.validation import ObservationRow, validate_rows
from statistics.models import Area, Dataset, Observation, Period, Platform
from statistics.rendering import datasets_changed_after_commit

IMPORT_ACTION = "statistics.import_observations"


class ImportOutdated(Exception):
    """The stored data changed after the preview was shown; nothing was imported."""


@dataclass(frozen=True)
class Change:
    row: ObservationRow
    # (what, stored, in the file) for each field that differs.
    differences: list
    # The stored observation, as it is before the import.
    stored: Observation = field(compare=False, repr=False, default=None)


@dataclass
class ImportPlan:
    """What importing the rows does to the dataset: shown as the preview, then applied."""

    dataset: Dataset
    rows: list
    added: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    unchanged: int = 0
    new_periods: list = field(default_factory=list)
    new_areas: list = field(default_factory=list)
    new_platforms: list = field(default_factory=list)
    # (area, the larger area the file places it in) for stored areas that lay in none.
    placed_areas: list = field(default_factory=list)
    # (area, the type it is created with, the area the file names it as the parent of) for parents the
    # file names but neither defines nor finds stored.
    implied_parents: list = field(default_factory=list)

    @property
    def changes_anything(self):
        return bool(
            self.added
            or self.changed
            or self.new_periods
            or self.new_areas
            or self.new_platforms
            or self.placed_areas
        )

    @property
    def fingerprint(self):
        """A short digest of what the plan changes, to tell whether a preview someone saw is still true."""
        summary = repr(
            (
                [row.key for row in self.added],
                [(change.row.key, change.differences) for change in self.changed],
                self.unchanged,
                self.new_periods,
                self.new_areas,
                self.new_platforms,
                self.placed_areas,
                self.implied_parents,
            )
        )
        return hashlib.sha256(summary.encode()).hexdigest()[:32]


def plan_import(dataset, rows):
    """Compare the checked rows with the dataset's stored observations."""
    plan = ImportPlan(dataset=dataset, rows=rows)
    stored = _stored_observations(dataset)
    for row in rows:
        observation = stored.get(row.key)
        if observation is None:
            plan.added.append(row)
            continue
        differences = []
        if observation.value != row.value:
            differences.append(("value", format_decimal(observation.value), format_decimal(row.value)))
        if observation.unit != row.unit:
            differences.append(("unit", observation.unit, row.unit))
        if observation.qualifier != row.qualifier:
            differences.append(
                ("qualifier", Qualifier(observation.qualifier).label, Qualifier(row.qualifier).label)
            )
        if observation.note != row.note:
            differences.append(("note", observation.note, row.note))
        if differences:
            plan.changed.append(Change(row=row, differences=differences, stored=observation))
        else:
            plan.unchanged += 1
    plan.new_periods = _new_names(Period, "label", {row.period for row in rows})
    plan.new_areas = _new_names(Area, "name", {row.area for row in rows})
    plan.new_platforms = _new_names(Platform, "name", {row.platform for row in rows})
    plan.placed_areas, plan.implied_parents = _hierarchy_changes(rows)
    plan.new_areas = sorted({*plan.new_areas, *(name for name, _type, _child in plan.implied_parents)})
    return plan


# The type an implied parent is created with: the next larger kind of area than its first child's.
_LARGER_AREA_TYPE = {
    AreaType.POLICE_FORCE: AreaType.REGION,
    AreaType.REGION: AreaType.NATION,
    AreaType.NATION: AreaType.NATION,
}


def _hierarchy_changes(rows):
    """What the file adds to the area hierarchy: stored top-level areas it places inside a larger area,
    and parents it names without a row of their own that the database does not hold either.

    The checks (`validation`) have refused every real contradiction, so these are safe to make."""
    described = {row.area: row for row in rows}
    stored = dict(Area.objects.values_list("name", "parent__name"))
    placed = sorted(
        (name, row.parent_area)
        for name, row in described.items()
        if name in stored and row.parent_area and not stored[name]
    )
    implied = {}
    for row in sorted(described.values(), key=lambda row: row.row):
        parent = row.parent_area
        if parent and parent not in described and parent not in stored and parent not in implied:
            implied[parent] = (parent, _LARGER_AREA_TYPE[AreaType(row.area_type)].value, row.area)
    return placed, sorted(implied.values())


def _stored_observations(dataset):
    """The dataset's observations by their identity in the import format."""
    observations = Observation.objects.filter(dataset=dataset).select_related("period", "area", "platform")
    return {observation_identity(observation): observation for observation in observations}


def _new_names(model, field_name, names):
    stored = set(model.objects.filter(**{f"{field_name}__in": names}).values_list(field_name, flat=True))
    return sorted(names - stored)


def prepare_import(dataset, file_name, content):
    """Read and check a file and compare it with the dataset: (raw rows, plan), or ImportRejected.

    The raw rows are plain lists and strings, safe to keep in a session until the import is confirmed.
    """
    raw_rows = read_rows(file_name, content)
    return raw_rows, plan_import(dataset, validate_rows(raw_rows))


def apply_import(dataset, raw_rows, *, file_name, user=None, expected_fingerprint=None):
    """Check the rows again against the data as it is now, write them in one transaction and record the
    import in the audit log. Returns the plan that was applied.

    Writes nothing and raises ImportRejected if any row has a problem, or ImportOutdated if
    `expected_fingerprint` (that of the preview the user confirmed) no longer matches.
    """
    with transaction.atomic():
        # One import per dataset at a time: a second waits here and then sees the first one's rows.
        dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
        rows = validate_rows(raw_rows)
        plan = plan_import(dataset, rows)
        if expected_fingerprint is not None and expected_fingerprint != plan.fingerprint:
            raise ImportOutdated
        # Worked out before the figures change, so it can say what the widgets said before.
        reach = as_log_data(import_reach(plan, user))
        periods = _ensure_periods(rows)
        areas = _ensure_areas(rows, plan)
        platforms = _ensure_platforms(rows)
        Observation.objects.bulk_create(
            [
                Observation(
                    dataset=dataset,
                    period=periods[row.period],
                    area=areas[row.area],
                    platform=platforms[row.platform],
                    measure=row.measure,
                    value=row.value,
                    unit=row.unit,
                    qualifier=row.qualifier,
                    note=row.note,
                )
                for row in plan.added
            ]
        )
        if plan.changed:
            stored = _stored_observations(dataset)
            updated = []
            for change in plan.changed:
                observation = stored[change.row.key]
                observation.value = change.row.value
                observation.unit = change.row.unit
                observation.qualifier = change.row.qualifier
                observation.note = change.row.note
                updated.append(observation)
            Observation.objects.bulk_update(updated, ["value", "unit", "qualifier", "note"])
        log(
            instance=dataset,
            action=IMPORT_ACTION,
            user=user,
            data={
                "file_name": file_name,
                "dataset": dataset.slug,
                "rows": len(rows),
                "added": len(plan.added),
                "changed": len(plan.changed),
                "unchanged": plan.unchanged,
                "placed_areas": [list(placed) for placed in plan.placed_areas],
                "new_areas": plan.new_areas,
                "reach": reach,
            },
        )
        if plan.changes_anything:
            datasets_changed_after_commit([dataset.pk])
    return plan


def _ensure_periods(rows):
    wanted = {row.period: row for row in rows}
    periods = {period.label: period for period in Period.objects.filter(label__in=wanted)}
    for label, row in wanted.items():
        if label not in periods:
            periods[label] = Period.objects.create(
                label=label, start_date=row.period_start, end_date=row.period_end
            )
    return periods


def _ensure_areas(rows, plan):
    wanted = {row.area: row for row in rows}
    names = set(wanted) | {row.parent_area for row in rows if row.parent_area}
    areas = {area.name: area for area in Area.objects.filter(name__in=names)}
    for name, area_type, _child in plan.implied_parents:
        areas[name] = Area.objects.create(name=name, area_type=area_type)
    pending = [row for name, row in wanted.items() if name not in areas]
    # Create parents before the areas inside them; the checks ruled out loops, so this ends.
    while pending:
        ready = [row for row in pending if not row.parent_area or row.parent_area in areas]
        for row in ready:
            areas[row.area] = Area.objects.create(
                name=row.area, area_type=row.area_type, parent=areas.get(row.parent_area)
            )
        pending = [row for row in pending if row.area not in areas]
    for name, parent in plan.placed_areas:
        area = areas[name]
        area.parent = areas[parent]
        area.save(update_fields=["parent"])
    return areas


def _ensure_platforms(rows):
    names = {row.platform for row in rows}
    platforms = {platform.name: platform for platform in Platform.objects.filter(name__in=names)}
    missing = [Platform(name=name) for name in sorted(names - set(platforms))]
    for platform in Platform.objects.bulk_create(missing):
        platforms[platform.name] = platform
    return platforms
