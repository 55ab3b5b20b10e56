"""`manage.py import_observations <dataset-slug> <file> [--dry-run]`: the admin's import, from a shell."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from statistics.importers.plan import apply_import, prepare_import
from statistics.importers.problems import ImportRejected
from statistics.models import Dataset


class Command(BaseCommand):
    help = (
        "Import observations from a CSV (UTF-8) or XLSX file into a dataset, in the import format described "
        "in README.md ('Statistics data'). A file with any problem imports nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("dataset", help="The dataset's slug (Statistics → Datasets in the admin).")
        parser.add_argument("file", help="Path to the CSV or XLSX file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would be added and changed, and save nothing."
        )

    def handle(self, *args, dataset, file, dry_run, **options):
        found = Dataset.objects.filter(slug=dataset).first()
        if found is None:
            raise CommandError(
                f"No dataset has the slug '{dataset}'. Create it in the admin (Statistics → Datasets) first."
            )
        path = Path(file)
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
        try:
            raw_rows, plan = prepare_import(found, path.name, content)
        except ImportRejected as rejected:
            raise CommandError(self._problems_text(rejected)) from rejected
        self._write_plan(plan)
        if dry_run:
            self.stdout.write("Dry run: nothing was saved.")
            return
        try:
            plan = apply_import(found, raw_rows, file_name=path.name)
        except ImportRejected as rejected:
            raise CommandError(self._problems_text(rejected)) from rejected
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {path.name} into {found}: {len(plan.added)} added, {len(plan.changed)} changed, "
                f"{plan.unchanged} unchanged."
            )
        )

    def _problems_text(self, rejected):
        lines = [f"Nothing was imported: the file has {len(rejected.problems)} problem(s)."]
        lines += [f"  {problem}" for problem in rejected.problems]
        return "\n".join(lines)

    def _write_plan(self, plan):
        self.stdout.write(
            f"{len(plan.added)} to add, {len(plan.changed)} to change, {plan.unchanged} unchanged "
            f"(dataset {plan.dataset.slug})."
        )
        for label, names in (
            ("New periods", plan.new_periods),
            ("New areas", plan.new_areas),
            ("New platforms", plan.new_platforms),
        ):
            if names:
                self.stdout.write(f"{label}: {', '.join(names)}")
        for name, parent in plan.placed_areas:
            self.stdout.write(f"{name}: placed in {parent}")
        for row in plan.added:
            self.stdout.write(f"  + row {row.row}: {' · '.join(row.key)}: {row.value_text}")
        for change in plan.changed:
            differences = "; ".join(f"{what} {old!r} → {new!r}" for what, old, new in change.differences)
            self.stdout.write(f"  ~ row {change.row.row}: {' · '.join(change.row.key)}: {differences}")
