"""Demo content: the Wild West Web FOI dataset and widgets that reproduce every figure of the seed articles.

Both functions are safe to run again: the dataset is imported through the real importer (only when
the stored data differs from the file), and a widget that already exists (by title) is left as editors
may have changed it. The campaign's `load_demo` command calls them.
"""

from pathlib import Path

from statistics.choices import Calculation, Orientation, Rounding, SortOrder, WidgetKind
from statistics.importers import apply_import, prepare_import
from statistics.models import (
    Area,
    Dataset,
    Observation,
    Platform,
    StatisticWidget,
    StatisticWidgetObservation,
)

DEMO_DATASET_SLUG = "wild-west-web-foi-2018-19"
DEMO_DATA_FILE = Path(__file__).resolve().parent / "data" / "foi_2018_19.csv"
PERIOD = "2018/19"
OFFENCES = "Child abuse image and online child sexual offences"
ONLINE_OFFENCES = "Online child sexual offences"
FACEBOOK_APPS = "Facebook, Instagram or WhatsApp"
PLATFORM_GROUPS = {FACEBOOK_APPS: ["Facebook", "Instagram", "WhatsApp"]}
AREA_NAMES_IN_TEXT = {"East of England": "the East of England"}


def load_demo_dataset():
    """The "Wild West Web FOI 2018/19" dataset, with the reference file imported into it."""
    dataset, _ = Dataset.objects.get_or_create(
        slug=DEMO_DATASET_SLUG,
        defaults={
            "title": "Wild West Web FOI 2018/19",
            "description": (
                "How often police in England and Wales recorded Facebook, Instagram and WhatsApp as the "
                "platform used in child abuse image and online child sexual offences, April 2018 to March "
                "2019."
            ),
            "source": "FOI requests answered by 32 UK police forces",
            "publisher": "NSPCC",
            "methodology": (
                "The NSPCC sent Freedom of Information requests to UK police forces and 32 answered. Forces "
                "said which platform was used where they knew it. Police figures are kept by financial year, "
                "so '2018-19' runs from 1 April 2018 to 31 March 2019. 'More than 4,000' is reported as "
                "'just over 4,000' and is stored as a lower bound."
            ),
        },
    )
    raw_rows, plan = prepare_import(dataset, DEMO_DATA_FILE.name, DEMO_DATA_FILE.read_bytes())
    if plan.changes_anything:
        apply_import(dataset, raw_rows, file_name=DEMO_DATA_FILE.name)
    for group_name, member_names in PLATFORM_GROUPS.items():
        Platform.objects.get(name=group_name).members.add(*Platform.objects.filter(name__in=member_names))
    for name, name_in_text in AREA_NAMES_IN_TEXT.items():
        Area.objects.filter(name=name, name_in_text="").update(name_in_text=name_in_text)
    return dataset


# name: (title, kind, calculation, label, [(area, platform, measure)], whole or None, extra settings)
_WIDGETS = {
    "facebook_apps_total": (
        "Child sex offences on Facebook apps in a year",
        WidgetKind.HEADLINE,
        Calculation.VALUE,
        "instances of child abuse image and online child sexual offences on Facebook, Instagram or "
        "WhatsApp, recorded by police in England and Wales",
        [("England and Wales", FACEBOOK_APPS, OFFENCES)],
        None,
        {},
    ),
    "facebook_apps_per_day": (
        "Child sex offences on Facebook apps every day",
        WidgetKind.HEADLINE,
        Calculation.RATE_PER_DAY,
        "on average: how often Facebook, Instagram or WhatsApp were used in child abuse image and "
        "online child sexual offences",
        [("England and Wales", FACEBOOK_APPS, OFFENCES)],
        None,
        {"rounding": Rounding.WHOLE},
    ),
    "known_platform_total": (
        "Offences where police knew the platform",
        WidgetKind.HEADLINE,
        Calculation.VALUE,
        "instances where police in England and Wales said they knew the platform used",
        [("England and Wales", "Any known platform", OFFENCES)],
        None,
        {},
    ),
    "whatsapp_share": (
        "WhatsApp's share of known platforms",
        WidgetKind.HEADLINE,
        Calculation.SHARE,
        "of instances where the platform was known were on WhatsApp, which is end-to-end encrypted",
        [("England and Wales", "WhatsApp", OFFENCES)],
        ("England and Wales", "Any known platform", OFFENCES),
        {"rounding": Rounding.WHOLE},
    ),
    "whatsapp_share_bar": (
        "WhatsApp among offences where the platform was known",
        WidgetKind.SHARE_BAR,
        Calculation.VALUE,
        "",
        [("England and Wales", "WhatsApp", OFFENCES)],
        ("England and Wales", "Any known platform", OFFENCES),
        {"rounding": Rounding.WHOLE},
    ),
    "east_of_england_chart": (
        "Facebook apps in the East of England",
        WidgetKind.BAR_CHART,
        Calculation.VALUE,
        "",
        [
            ("East of England", "Facebook", OFFENCES),
            ("East of England", "Instagram", OFFENCES),
            ("East of England", "WhatsApp", OFFENCES),
        ],
        None,
        {"orientation": Orientation.HORIZONTAL, "sort_order": SortOrder.AS_LISTED},
    ),
    "east_of_england_total": (
        "Child sex offences on Facebook apps in the East of England",
        WidgetKind.HEADLINE,
        Calculation.SUM,
        "child sex crimes recorded with Facebook apps in the East of England",
        [
            ("East of England", "Facebook", OFFENCES),
            ("East of England", "Instagram", OFFENCES),
            ("East of England", "WhatsApp", OFFENCES),
        ],
        None,
        {},
    ),
    "hertfordshire_facebook_apps": (
        "Hertfordshire: online child sex offences through Facebook apps",
        WidgetKind.HEADLINE,
        Calculation.PART_OF_WHOLE,
        "online child sex offences recorded in Hertfordshire were through Facebook apps",
        [("Hertfordshire", FACEBOOK_APPS, ONLINE_OFFENCES)],
        ("Hertfordshire", "Any platform", ONLINE_OFFENCES),
        {"rounding": Rounding.WHOLE},
    ),
    "east_of_england_table": (
        "Platforms used in the East of England",
        WidgetKind.TABLE,
        Calculation.VALUE,
        "",
        [
            ("East of England", "Facebook", OFFENCES),
            ("East of England", "Instagram", OFFENCES),
            ("East of England", "WhatsApp", OFFENCES),
            ("East of England", FACEBOOK_APPS, OFFENCES),
        ],
        None,
        {"sort_order": SortOrder.LARGEST_FIRST},
    ),
}


def create_demo_widgets():
    """The demo widgets, keyed by a stable name ("facebook_apps_per_day", "east_of_england_chart", …)."""
    dataset = load_demo_dataset()

    def observation(area, platform, measure):
        return Observation.objects.get(
            dataset=dataset, period__label=PERIOD, area__name=area, platform__name=platform, measure=measure
        )

    widgets = {}
    for name, (title, kind, calculation, label, parts, whole, settings) in _WIDGETS.items():
        widget = StatisticWidget.objects.filter(title=title).first()
        if widget is None:
            widget = StatisticWidget(
                title=title,
                kind=kind,
                dataset=dataset,
                calculation=calculation,
                label=label,
                whole=observation(*whole) if whole else None,
                **settings,
            )
            widget.widget_observations = [
                StatisticWidgetObservation(observation=observation(*part), sort_order=index)
                for index, part in enumerate(parts)
            ]
            widget.save()
            widget.save_revision()
        widgets[name] = widget
    return widgets
