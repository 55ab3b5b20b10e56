"""Export signatories as CSV or XLSX, with the admin listing's filters and profiles, for scheduled jobs.

manage.py export_signatories --profile addressee --petition 3 --output letter.xlsx
manage.py export_signatories --contact-consent yes --confirmed yes > updates.csv
manage.py export_signatories --petition 3 --source partner-barnardos > barnardos.csv
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from petitions.regions import Region
from petitions.staff.exports import FORMATS, PROFILES, ExportTooLarge, prepare_export
from petitions.staff.filters import describe_filters, filter_signatures

YES_NO = {"yes": "true", "no": "false"}


class Command(BaseCommand):
    help = (
        "Export signatories with the same filters and profiles as the admin's Signatories listing. "
        "Each export is recorded in the audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument("--profile", choices=sorted(PROFILES), default="full")
        parser.add_argument("--format", dest="file_format", choices=FORMATS, default="csv")
        parser.add_argument("--output", help="File to write. Default: standard output (CSV only).")
        parser.add_argument("--petition", type=int, help="Only this petition (page id).")
        parser.add_argument("--confirmed", choices=sorted(YES_NO), help="Confirmed by email, or not.")
        validity = parser.add_mutually_exclusive_group()
        validity.add_argument("--valid", action="store_true", help="Only signatures not invalidated.")
        validity.add_argument("--invalidated", action="store_true", help="Only invalidated signatures.")
        parser.add_argument(
            "--contact-consent", choices=sorted(YES_NO), help="Agreed to hear more from the campaign, or not."
        )
        parser.add_argument(
            "--region", action="append", choices=Region.values, help="Only this region (repeatable)."
        )
        parser.add_argument("--signed-from", help="Signed on or after this date (YYYY-MM-DD).")
        parser.add_argument("--signed-to", help="Signed on or before this date (YYYY-MM-DD).")
        parser.add_argument(
            "--source",
            help="Only signatures that came by links with this source code, e.g. partner-barnardos "
            "('none': without a code).",
        )
        parser.add_argument("--search", help="Words in the name or email, as in the listing's search.")
        parser.add_argument("--user", help="Username recorded in the audit log as the one exporting.")

    def handle(self, *args, **options):
        file_format = options["file_format"]
        if file_format == "xlsx" and not options["output"]:
            raise CommandError("XLSX needs --output FILE: a workbook is not written to the terminal.")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user called {options['user']!r}.")
        params = self.listing_parameters(options)
        try:
            queryset = filter_signatures(params).order_by("pk")
            export = prepare_export(
                queryset, options["profile"], file_format, user, describe_filters(params), source="command"
            )
        except (ValueError, ExportTooLarge) as error:
            raise CommandError(str(error)) from error
        if options["output"]:
            with open(options["output"], "wb") as stream:
                export.write(stream)
        else:
            for chunk in export.csv_chunks():
                self.stdout.write(chunk.decode(), ending="")
        self.stderr.write(f"Exported {export.rows} signatures ({export.profile.name}, {file_format}).")

    @staticmethod
    def listing_parameters(options):
        """The options as the listing's query string, so both select through the same filters."""
        params = QueryDict(mutable=True)
        if options["petition"]:
            params["petition"] = str(options["petition"])
        if options["confirmed"]:
            params["confirmed"] = YES_NO[options["confirmed"]]
        if options["valid"]:
            params["status"] = "valid"
        if options["invalidated"]:
            params["status"] = "invalidated"
        if options["contact_consent"]:
            params["contact_consent"] = YES_NO[options["contact_consent"]]
        params.setlist("region", options["region"] or [])
        for name in ("signed_from", "signed_to"):
            if options[name]:
                params[name] = options[name]
        if options["source"]:
            params["source"] = options["source"]
        if options["search"]:
            params["q"] = options["search"]
        return params
