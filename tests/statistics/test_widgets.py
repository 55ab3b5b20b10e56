"""Widgets' figures: every figure of the seed articles from the demo data, each widget kind's numbers,
rounding and order, and the plain-words refusals of selections that make no sense.

Past ~400 lines because it walks every figure of the seed articles: one story per figure, kept
together so a changed number shows beside the article it belongs to."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils.html import strip_tags

import statistics.demo
from statistics.choices import Calculation, Orientation, Qualifier, Rounding, SortOrder, Unit, WidgetKind
from statistics.demo import create_demo_widgets
from statistics.figures.checks import widget_problems
from statistics.figures.numbers import make_number, round_value
from statistics.figures.presenters import build_widget_view
from statistics.models import Area, Observation, Platform
from statistics.rendering import load_figures, render_widget

from .factories import (
    AreaFactory,
    DatasetFactory,
    ObservationFactory,
    PeriodFactory,
    PlatformFactory,
    StatisticWidgetFactory,
)

pytestmark = pytest.mark.django_db


def text_of(html):
    return re.sub(r"\s+", " ", strip_tags(html)).strip()


def demo_observation(area, platform):
    return Observation.objects.get(area__name=area, platform__name=platform)


# The seed articles' figures -----------------------------------------------------------------------


def test_more_than_4000_offences_on_facebook_apps(demo_widgets):
    text = text_of(render_widget(demo_widgets["facebook_apps_total"]))

    assert text.startswith("more than 4,000 instances of child abuse image")


def test_11_a_day_is_worked_out_from_more_than_4000_over_the_365_days(demo_widgets):
    text = text_of(render_widget(demo_widgets["facebook_apps_per_day"]))

    assert text.startswith("11 a day ")
    assert "(more than 4,000 in the 365 days of 2018/19)" in text
    assert "Average a day 10.96" in text
    assert "more than 11" not in text, "4,000 / 365 = 10.96 rounds up, so 'more than 11' would overstate it"


def test_9259_instances_where_the_platform_was_known(demo_widgets):
    assert text_of(render_widget(demo_widgets["known_platform_total"])).startswith("9,259 instances")


def test_whatsapp_is_3_percent_299_of_9259(demo_widgets):
    headline = text_of(render_widget(demo_widgets["whatsapp_share"]))
    share_bar = text_of(render_widget(demo_widgets["whatsapp_share_bar"]))

    assert headline.startswith("3% of instances where the platform was known")
    assert "(299 of 9,259)" in headline
    assert share_bar.startswith(
        "Of the 9,259 child sex offences on any known platform in England and Wales: WhatsApp 299 (3%)."
    )


def test_east_of_england_482_is_162_plus_288_plus_32(demo_widgets):
    chart = build_view(demo_widgets["east_of_england_chart"])
    total = text_of(render_widget(demo_widgets["east_of_england_total"]))

    assert [(bar.label, bar.value_text) for bar in chart.bars] == [
        ("Facebook", "162"),
        ("Instagram", "288"),
        ("WhatsApp", "32"),
    ]
    assert chart.finding == "Instagram had the most child sex offences in the East of England: 288."
    assert total.startswith(
        "482 child sex crimes recorded with Facebook apps in the East of England (162 + 288 + 32)"
    )
    assert demo_observation("East of England", "Facebook, Instagram or WhatsApp").value == 482


def test_hertfordshire_40_of_94_is_43_percent(demo_widgets):
    text = text_of(render_widget(demo_widgets["hertfordshire_facebook_apps"]))

    assert text.startswith("40 of 94 online child sex offences recorded in Hertfordshire")
    assert "(43%)" in text


def test_demo_widgets_are_created_once(demo_widgets):
    again = create_demo_widgets()

    assert {name: widget.pk for name, widget in again.items()} == {
        name: widget.pk for name, widget in demo_widgets.items()
    }
    assert Observation.objects.count() == 9


def test_the_demo_widgets_words_and_figures_are_written_in_the_demo_file(db, edit_demo_words):
    edit_demo_words(
        statistics.demo,
        [
            ('title = "Offences where police knew the platform"', 'title = "Where police knew the app"'),
            (
                'label = "instances where police in England and Wales said they knew the platform used"',
                'label = """\ninstances where police knew\nthe app used"""',
            ),
            (
                'figures = [{ area = "England and Wales", platform = "Any known platform" }]',
                'figures = [{ area = "England and Wales", platform = "WhatsApp" }]',
            ),
        ],
    )

    widget = create_demo_widgets()["known_platform_total"]

    assert (widget.title, widget.label) == (
        "Where police knew the app",
        "instances where police knew the app used",
    )
    assert text_of(render_widget(widget)).startswith("299 instances where police knew the app used")


def build_view(widget):
    """What the widget shows, its figures loaded as pages load them."""
    observations, wholes, _datasets = load_figures([widget])
    return build_widget_view(widget, observations[widget.pk], wholes.get(widget.whole_id))


# Rounding ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "rounding", "expected"),
    [
        ("10.958904", Rounding.WHOLE, "11"),
        ("10.958904", Rounding.ONE_DECIMAL, "11.0"),
        ("10.958904", Rounding.TWO_DECIMALS, "10.96"),
        ("4023", Rounding.TENS, "4,020"),
        ("4063", Rounding.HUNDREDS, "4,100"),
        ("4500", Rounding.THOUSANDS, "5,000"),
        ("2.5", Rounding.WHOLE, "3"),
        ("3.229", Rounding.WHOLE, "3"),
    ],
)
def test_rounding_is_half_up_to_the_editors_choice(value, rounding, expected):
    assert make_number(Decimal(value), rounding).text == expected


def test_a_lower_bound_keeps_more_than_only_when_rounding_does_not_raise_it():
    assert make_number(Decimal("4023"), Rounding.TENS, lower_bound=True).words == "more than 4,020"
    assert make_number(Decimal("4000"), Rounding.WHOLE, lower_bound=True).words == "more than 4,000"
    assert make_number(Decimal("10.96"), Rounding.WHOLE, lower_bound=True).words == "11"
    assert round_value(Decimal("4063"), Rounding.HUNDREDS) == Decimal("4100")


# Each kind ---------------------------------------------------------------------------------------


@pytest.fixture
def platforms_in_region():
    dataset = DatasetFactory()
    region = AreaFactory(name="North", area_type="region")
    values = {"Facebook": 120, "Instagram": 300, "WhatsApp": 45}
    return [
        ObservationFactory(dataset=dataset, area=region, platform=PlatformFactory(name=name), value=value)
        for name, value in values.items()
    ]


@pytest.mark.parametrize(
    ("sort_order", "expected"),
    [
        (SortOrder.LARGEST_FIRST, ["Instagram", "Facebook", "WhatsApp"]),
        (SortOrder.SMALLEST_FIRST, ["WhatsApp", "Facebook", "Instagram"]),
        (SortOrder.ALPHABETICAL, ["Facebook", "Instagram", "WhatsApp"]),
        (SortOrder.AS_LISTED, ["WhatsApp", "Facebook", "Instagram"]),
    ],
)
def test_bar_chart_orders_bars_as_the_editor_chose(platforms_in_region, sort_order, expected):
    facebook, instagram, whatsapp = platforms_in_region
    widget = StatisticWidgetFactory(
        observations=[whatsapp, facebook, instagram], kind=WidgetKind.BAR_CHART, sort_order=sort_order
    )

    view = build_view(widget)

    assert [bar.label for bar in view.bars] == expected
    assert [row[0] for row in view.table.rows] == expected


def test_bar_chart_bars_are_scaled_to_the_longest(platforms_in_region):
    widget = StatisticWidgetFactory(
        observations=platforms_in_region, kind=WidgetKind.BAR_CHART, orientation=Orientation.VERTICAL
    )

    view = build_view(widget)

    assert {bar.label: bar.length for bar in view.bars} == {
        "Instagram": 100.0,
        "Facebook": 40.0,
        "WhatsApp": 15.0,
    }
    assert view.orientation == "vertical"
    assert view.bars[2].gap == 85.0


def test_bar_chart_across_areas_for_one_platform_names_the_platform():
    dataset = DatasetFactory()
    instagram = PlatformFactory(name="Instagram")
    observations = [
        ObservationFactory(dataset=dataset, platform=instagram, area=AreaFactory(name=name), value=value)
        for name, value in {"Kent": 20, "Essex": 31, "Surrey": 31}.items()
    ]
    widget = StatisticWidgetFactory(observations=observations, kind=WidgetKind.BAR_CHART)

    view = build_view(widget)

    assert view.finding == (
        "Essex and Surrey had the most child abuse image and online child sexual offences on Instagram: 31."
    )
    assert view.table.headers == ["Area", "Figure"]


def test_share_bar_shows_each_part_against_the_whole():
    dataset = DatasetFactory()
    area = AreaFactory(name="Wales")
    whole = ObservationFactory(dataset=dataset, area=area, platform=PlatformFactory(name="Any"), value=200)
    parts = [
        ObservationFactory(dataset=dataset, area=area, platform=PlatformFactory(name="Snapchat"), value=50),
        ObservationFactory(dataset=dataset, area=area, platform=PlatformFactory(name="Kik"), value=1),
    ]
    widget = StatisticWidgetFactory(
        observations=parts, whole=whole, kind=WidgetKind.SHARE_BAR, rounding=Rounding.ONE_DECIMAL
    )

    view = build_view(widget)

    assert [(bar.label, bar.value_text, bar.length, bar.detail) for bar in view.bars] == [
        ("Snapchat", "50", 25.0, "25.0% of 200"),
        ("Kik", "1", 0.5, "0.5% of 200"),
    ]


def test_comparison_table_puts_areas_down_and_platforms_across():
    dataset = DatasetFactory()
    kent, essex = AreaFactory(name="Kent"), AreaFactory(name="Essex")
    facebook, instagram = PlatformFactory(name="Facebook"), PlatformFactory(name="Instagram")
    observations = [
        ObservationFactory(dataset=dataset, area=kent, platform=facebook, value=5),
        ObservationFactory(dataset=dataset, area=kent, platform=instagram, value=9),
        ObservationFactory(dataset=dataset, area=essex, platform=facebook, value=7),
    ]
    widget = StatisticWidgetFactory(
        observations=observations, kind=WidgetKind.TABLE, sort_order=SortOrder.LARGEST_FIRST
    )

    view = build_view(widget)

    assert view.table.headers == ["Area", "Facebook", "Instagram"]
    assert view.table.rows == [["Essex", "7", "No figure"], ["Kent", "5", "9"]]
    # No short name is stored for the factory's measure: the sentence uses the full one, in lower case.
    assert (
        view.finding
        == "Instagram in Kent had the most child abuse image and online child sexual offences: 9."
    )


def earlier_period():
    start, end = datetime.date(2017, 4, 1), datetime.date(2018, 3, 31)
    return PeriodFactory(label="2017/18", start_date=start, end_date=end)


def test_change_over_periods_in_date_order_with_the_rise():
    dataset = DatasetFactory()
    area, platform = AreaFactory(name="Kent"), PlatformFactory(name="Instagram")
    earlier = PeriodFactory(
        label="2017/18", start_date=datetime.date(2017, 4, 1), end_date=datetime.date(2018, 3, 31)
    )
    later = PeriodFactory(label="2018/19")
    observations = [
        ObservationFactory(dataset=dataset, area=area, platform=platform, period=later, value=4000),
        ObservationFactory(dataset=dataset, area=area, platform=platform, period=earlier, value=3000),
    ]
    widget = StatisticWidgetFactory(observations=observations, kind=WidgetKind.CHANGE)

    view = build_view(widget)

    assert [bar.label for bar in view.bars] == ["2017/18", "2018/19"]
    assert view.table.rows == [["2017/18", "3,000", ""], ["2018/19", "4,000", "a rise of 1,000 (33%)"]]
    assert view.finding.startswith("Up from 3,000 in 2017/18 to 4,000 in 2018/19: a rise of 1,000 (33%)")
    assert view.periods == "2017/18 and 2018/19"


def test_a_change_from_a_lower_bound_states_no_difference():
    dataset = DatasetFactory()
    area, platform = AreaFactory(name="Kent"), PlatformFactory(name="Instagram")
    earlier = PeriodFactory(
        label="2017/18", start_date=datetime.date(2017, 4, 1), end_date=datetime.date(2018, 3, 31)
    )
    observations = [
        ObservationFactory(dataset=dataset, area=area, platform=platform, period=earlier, value=3000),
        ObservationFactory(
            dataset=dataset, area=area, platform=platform, value=4000, qualifier=Qualifier.MORE_THAN
        ),
    ]

    view = build_view(StatisticWidgetFactory(observations=observations, kind=WidgetKind.CHANGE))

    assert view.finding.startswith("Up from 3,000 in 2017/18 to more than 4,000 in 2018/19 (")
    assert "rise of" not in view.finding


def test_a_percentage_as_stored_keeps_its_percent_sign():
    observation = ObservationFactory(unit=Unit.PERCENT, value=Decimal("3.2"))

    view = build_view(
        StatisticWidgetFactory(observations=[observation], label="of offences", rounding=Rounding.ONE_DECIMAL)
    )

    assert view.figure == "3.2%"


# Selections that make no sense -------------------------------------------------------------------


def problems_for(kind, observations, whole=None, calculation=Calculation.VALUE):
    members = {group.pk: {member.pk for member in group.members.all()} for group in Platform.objects.all()}
    parents = dict(Area.objects.values_list("pk", "parent_id"))
    dataset_id = (whole or observations[0]).dataset_id
    problems = widget_problems(kind, calculation, dataset_id, observations, whole, members, parents)
    return [problem.message for problem in problems]


def test_a_share_whose_part_exceeds_the_whole_is_refused():
    whole = ObservationFactory(value=100)
    part = ObservationFactory(dataset=whole.dataset, area=whole.area, value=150)

    messages = problems_for(WidgetKind.HEADLINE, [part], whole, Calculation.SHARE)

    assert messages == [
        "The figures add up to 150, more than the whole (100), so they cannot be a share of it."
    ]


def test_a_rate_per_day_of_a_percentage_is_refused():
    percent = ObservationFactory(unit=Unit.PERCENT, value=20)

    assert problems_for(WidgetKind.HEADLINE, [percent], calculation=Calculation.RATE_PER_DAY) == [
        "Percentages cannot be turned into a rate per day: choose counts."
    ]


def test_adding_a_group_and_its_member_counts_the_member_twice(demo_dataset):
    group = demo_observation("East of England", "Facebook, Instagram or WhatsApp")
    member = demo_observation("East of England", "Instagram")

    assert problems_for(WidgetKind.HEADLINE, [group, member], calculation=Calculation.SUM) == [
        "Facebook, Instagram or WhatsApp already includes Instagram, so adding both counts Instagram twice."
    ]


def test_adding_a_region_and_a_force_inside_it_counts_the_force_twice():
    dataset = DatasetFactory()
    region = AreaFactory(name="East", area_type="region")
    force = AreaFactory(name="Essex", area_type="police_force", parent=region)
    platform = PlatformFactory(name="Instagram")
    observations = [
        ObservationFactory(dataset=dataset, area=area, platform=platform) for area in (region, force)
    ]

    assert problems_for(WidgetKind.HEADLINE, observations, calculation=Calculation.SUM) == [
        "East already includes Essex, so adding both counts Essex twice."
    ]


def test_a_bar_chart_that_varies_in_area_and_platform_is_refused():
    dataset = DatasetFactory()
    observations = [
        ObservationFactory(
            dataset=dataset, area=AreaFactory(name="Kent"), platform=PlatformFactory(name="Kik")
        ),
        ObservationFactory(
            dataset=dataset, area=AreaFactory(name="Essex"), platform=PlatformFactory(name="Snap")
        ),
    ]

    messages = problems_for(WidgetKind.BAR_CHART, observations)

    assert len(messages) == 1
    assert messages[0].startswith("A bar chart compares one thing")


@pytest.mark.parametrize(
    ("kind", "calculation", "count", "expected"),
    [
        (WidgetKind.HEADLINE, Calculation.VALUE, 2, "'The figure as stored' shows exactly one figure, and 2"),
        (WidgetKind.HEADLINE, Calculation.SUM, 1, "A sum needs at least two figures"),
        (WidgetKind.HEADLINE, Calculation.SHARE, 1, "Choose the whole"),
        (WidgetKind.BAR_CHART, Calculation.VALUE, 1, "Choose at least 2 figures to compare."),
        (WidgetKind.CHANGE, Calculation.VALUE, 2, "Choose one figure for each period."),
    ],
)
def test_selections_of_the_wrong_size_are_explained(kind, calculation, count, expected):
    dataset = DatasetFactory()
    area = AreaFactory()
    observations = [ObservationFactory(dataset=dataset, area=area) for _ in range(count)]

    messages = problems_for(kind, observations, calculation=calculation)

    assert any(message.startswith(expected) for message in messages), messages


def test_a_whole_on_a_kind_that_does_not_use_one_is_refused(platforms_in_region):
    first, second, whole = platforms_in_region

    assert problems_for(WidgetKind.BAR_CHART, [first, second], whole) == [
        "Only a share, an 'X of Y' figure or a share bar uses a whole: clear this field."
    ]


def test_a_share_of_a_lower_bound_is_refused():
    whole = ObservationFactory(value=4000, qualifier=Qualifier.MORE_THAN)
    part = ObservationFactory(dataset=whole.dataset, area=whole.area, value=10)

    assert problems_for(WidgetKind.HEADLINE, [part], whole, Calculation.PART_OF_WHOLE) == [
        "The whole (more than 4,000) is only a lower bound, so no share of it can be given."
    ]


def test_figures_from_another_dataset_are_refused():
    mine = ObservationFactory()
    theirs = ObservationFactory(area=mine.area)

    messages = problems_for(WidgetKind.BAR_CHART, [mine, theirs])

    assert f"'{theirs}' is from another dataset. Choose figures from the widget's dataset." in messages


def test_summaries_read_as_sentences_with_the_short_names_stored_once(demo_widgets):
    table = build_view(demo_widgets["east_of_england_table"])

    # Once "Highest: Facebook, Instagram or WhatsApp, East of England: 482."
    assert table.finding == "Facebook's apps had the most child sex offences in the East of England: 482."
    assert Platform.objects.get(name="Facebook, Instagram or WhatsApp").sentence_name == "Facebook's apps"
    # The table behind it keeps the names the data uses.
    assert "Facebook, Instagram or WhatsApp" in [row[0] for row in table.table.rows]
