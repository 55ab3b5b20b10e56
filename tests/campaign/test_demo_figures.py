"""Every figure the demo's words state (in all three apps' demo.toml) is one the data supports.

The reference data (`statistics/data/foi_2018_19.csv`) holds every figure the two seed articles report.
A number in the demo's words must be one of its values, one worked out from them as the articles do (a
rate a day over the period, a share in per cent, a value to the nearest hundred: "nearly 500"), a date
of its period, or the one fact the articles give that is not a figure of the data (32 police forces
answered). A share must say what it is a share of: its part and its whole are in the same sentence.
"""

import csv
import itertools
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils.html import strip_tags

import campaign.demo
import petitions.demo
import statistics.demo
from core.demo_content import read_demo_content

DATA_FILE = statistics.demo.APP_FOLDER / "data" / "foi_2018_19.csv"
# "Freedom of Information requests from 32 UK police forces", in both seed articles.
POLICE_FORCES_THAT_ANSWERED = 32
# Phone numbers on the contact page: how to reach help, not figures.
NOT_FIGURES = ["0808 800 5000", "0800 1111"]
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}

_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_SHARE = re.compile(r"(\d+|[a-z]+)(?: per cent|%)")
_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+")


def whole_number(value):
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def reference_data():
    with DATA_FILE.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def period_words(rows):
    """The period as the words write it: its label, and its dates."""
    words = set()
    for row in rows:
        words |= {row["period"], row["period"].replace("/", "-")}
        for day in (date.fromisoformat(row["period_start"]), date.fromisoformat(row["period_end"])):
            words |= {f"{day.day} {day:%B %Y}", f"{day:%B %Y}"}
    return sorted(words, key=len, reverse=True)


def supported_figures(rows):
    values = {Decimal(row["value"]) for row in rows}
    days = {
        (date.fromisoformat(row["period_end"]) - date.fromisoformat(row["period_start"])).days + 1
        for row in rows
    }
    rates = {whole_number(value / length) for value in values for length in days}
    hundreds = {whole_number(value / 100) * 100 for value in values}
    return values | rates | hundreds | {POLICE_FORCES_THAT_ANSWERED}


def shares(rows):
    """Each share in per cent the data gives, with its part and whole."""
    values = {Decimal(row["value"]) for row in rows}
    return {
        (whole_number(100 * part / whole), part, whole)
        for part, whole in itertools.permutations(values, 2)
        if part < whole
    }


# Settings, not words: a file's name, a web address, a heading level ("h3").
NOT_WORDS = ("data_file", "url", "level", "heading_level")


def texts(content, key=""):
    """Every text in a demo file that a visitor or an editor reads."""
    if isinstance(content, dict):
        for name, value in content.items():
            yield from texts(value, name)
    elif isinstance(content, list):
        for value in content:
            yield from texts(value, key)
    elif isinstance(content, str) and key not in NOT_WORDS:
        yield " ".join(strip_tags(content).split())


def sentences_with_figures(module, rows):
    """(sentence, [numbers], [shares]) for each sentence of `module`'s demo words that states a figure."""
    for text in texts(read_demo_content(module.DEMO_CONTENT)):
        for sentence in _SENTENCE_END.split(text):
            bare = sentence
            for words in [*period_words(rows), *NOT_FIGURES]:
                bare = bare.replace(words, " ")
            stated_shares = [
                int(share) if share.isdigit() else NUMBER_WORDS[share] for share in _SHARE.findall(bare)
            ]
            numbers = [Decimal(number.replace(",", "")) for number in _NUMBER.findall(_SHARE.sub(" ", bare))]
            if numbers or stated_shares:
                yield sentence, numbers, stated_shares


@pytest.fixture(params=[campaign.demo, petitions.demo, statistics.demo], ids=lambda module: module.__name__)
def stated(request):
    """The sentences of one app's demo words that state figures."""
    return list(sentences_with_figures(request.param, reference_data()))


def test_every_number_in_the_demo_words_is_a_figure_the_data_supports(stated):
    supported = supported_figures(reference_data())

    assert [
        (number, sentence) for sentence, numbers, _ in stated for number in numbers if number not in supported
    ] == []


def test_every_share_in_the_demo_words_states_its_part_and_whole_and_matches_them(stated):
    known = shares(reference_data())

    def matches(share, numbers):
        return any((share, part, whole) in known for part in numbers for whole in numbers)

    assert [
        (share, sentence)
        for sentence, numbers, shares_ in stated
        for share in shares_
        if not matches(share, numbers)
    ] == []


def test_the_check_finds_a_figure_the_data_does_not_have(edit_demo_words):
    rows = reference_data()
    edit_demo_words(campaign.demo, [("288 on Instagram", "289 on Instagram")])

    numbers = [
        number for _sentence, found, _ in sentences_with_figures(campaign.demo, rows) for number in found
    ]

    assert Decimal(289) in numbers and Decimal(289) not in supported_figures(rows)


def test_the_figures_the_data_supports_are_the_seed_articles_figures():
    rows = reference_data()

    assert {4000, 9259, 299, 482, 162, 288, 32, 94, 40} <= supported_figures(rows)
    assert {11, 500} <= supported_figures(rows), "11 a day, nearly 500"
    assert {(3, 299, 9259), (43, 40, 94)} <= shares(rows)
    assert 289 not in supported_figures(rows) and 3 not in supported_figures(rows)
