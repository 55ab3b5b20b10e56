"""Admin wiring: the Statistics menu and its snippets, and the import's entry in the audit log."""

from wagtail import hooks
from wagtail.log_actions import LogFormatter
from wagtail.snippets.models import register_snippet

from statistics.importers.plan import IMPORT_ACTION
from statistics.viewsets import StatisticsViewSetGroup

register_snippet(StatisticsViewSetGroup)


@hooks.register("register_log_actions")
def register_import_action(actions):
    @actions.register_action(IMPORT_ACTION)
    class ImportObservations(LogFormatter):
        label = "Import figures"

        def format_message(self, log_entry):
            data = log_entry.data
            message = (
                f"Imported {data.get('file_name', 'a file')}: {data.get('added', 0)} added, "
                f"{data.get('changed', 0)} changed, {data.get('unchanged', 0)} unchanged"
            )
            return "; ".join([message, *(_reach_words(item) for item in data.get("reach", []))])


def _reach_words(item):
    """One changed widget in an import's history entry: what it said, what it says, the pages it is on."""
    words = f'widget \'{item["widget"]}\' said "{item["says_now"]}", now "{item["will_say"]}"'
    pages = [
        page["title"] + (f" (its text quotes {', '.join(page['quotes'])}: edit it)" if page["quotes"] else "")
        for page in item["pages"]
    ]
    return words + (f", on {', '.join(pages)}" if pages else ", on no page")
