"""Numbers and their wording: thousands separators, rounding to the editor's choice, 'more than' for a
lower bound, and the small words that join names and periods into sentences."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from statistics.choices import Qualifier, Rounding, Unit

_ROUNDING_STEPS = {
    Rounding.WHOLE: Decimal("1"),
    Rounding.ONE_DECIMAL: Decimal("0.1"),
    Rounding.TWO_DECIMALS: Decimal("0.01"),
    Rounding.TENS: Decimal("10"),
    Rounding.HUNDREDS: Decimal("100"),
    Rounding.THOUSANDS: Decimal("1000"),
}


def format_decimal(value, places=None):
    """'4,000', '3.2', '10.96': thousands separated, trailing zeros dropped unless places is given."""
    if places is not None:
        return f"{value:,.{places}f}"
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def format_observation_value(observation):
    """A stored figure as a reader sees it: 'more than 4,000', '3.2%'."""
    return stored_number(observation).words


def round_value(value, rounding):
    """Round half up to the editor's choice (4,023 to the nearest ten is 4,020; 10.96 whole is 11)."""
    step = _ROUNDING_STEPS[Rounding(rounding)]
    return (value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


@dataclass(frozen=True)
class Number:
    """A worked-out figure, rounded for display, that may be only a lower bound."""

    text: str
    more_than: bool

    @property
    def words(self):
        return f"more than {self.text}" if self.more_than else self.text


def make_number(exact, rounding, lower_bound=False):
    """Round `exact` for display. A lower bound keeps its 'more than' only if rounding did not raise it:
    more than 4,000 a year is 10.96 a day at least, which rounds up to 11, and 'more than 11' would
    claim too much."""
    rounded = round_value(exact, rounding)
    places = max(0, -_ROUNDING_STEPS[Rounding(rounding)].as_tuple().exponent)
    return Number(text=format_decimal(rounded, places), more_than=lower_bound and rounded <= exact)


def stored_number(observation):
    """A stored figure as it is, with no rounding beyond dropping trailing zeros."""
    suffix = "%" if observation.unit == Unit.PERCENT else ""
    return Number(
        text=format_decimal(observation.value) + suffix,
        more_than=observation.qualifier == Qualifier.MORE_THAN,
    )


def lower_first(text):
    """'Child abuse image …' → 'child abuse image …', leaving acronyms such as 'FOI requests' alone."""
    first_word = text.split(" ", 1)[0]
    if sum(character.isupper() for character in first_word) > 1:
        return text
    return text[:1].lower() + text[1:]


def capitalise_first(text):
    return text[:1].upper() + text[1:]


def join_words(words, conjunction="and"):
    """'A', 'A and B', 'A, B and C' (or 'A, B or C')."""
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def periods_text(periods):
    """'2018/19', '2017/18 and 2018/19', or '2015/16 to 2018/19' for the periods a widget covers."""
    periods = sorted({period.pk: period for period in periods}.values(), key=lambda p: p.start_date)
    if len(periods) <= 2:
        return join_words(period.label for period in periods)
    return f"{periods[0].label} to {periods[-1].label}"
