"""Spreadsheet-safe export values: nothing a visitor or a source typed may run as a formula, and a file
the site imports again reads back exactly what was exported."""

import itertools

import pytest

from core.spreadsheets import (
    FORMULA_TRIGGERS,
    neutralise_formula,
    neutralise_reversibly,
    neutralise_row,
    restore_neutralised,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-2+3", "'-2+3"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("\n=cmd", "'\n=cmd"),
        ("\0=cmd", "'\0=cmd"),
    ],
)
def test_a_value_a_spreadsheet_would_evaluate_is_kept_as_text(value, expected):
    assert neutralise_formula(value) == expected


@pytest.mark.parametrize("value", ["Instagram", "4000", "3.2", "East of England", "a=b", ""])
def test_ordinary_values_are_left_alone(value):
    assert neutralise_formula(value) == value


def test_none_and_numbers_become_text_and_rows_are_neutralised_cell_by_cell():
    assert neutralise_formula(None) == ""
    assert neutralise_formula(4000) == "4000"
    assert neutralise_row(["Kent", "=1+1", 12]) == ["Kent", "'=1+1", "12"]


# Files the site imports again (a dataset's CSV download): what goes out comes back unchanged.

# Every character that matters to the rule, and two that do not.
ALPHABET = [*FORMULA_TRIGGERS, "'", "a", " "]


def every_value(longest):
    for length in range(longest + 1):
        for characters in itertools.product(ALPHABET, repeat=length):
            yield "".join(characters)


def test_every_value_up_to_four_characters_comes_back_from_its_cell_unchanged_and_safe():
    for value in every_value(4):
        cell = neutralise_reversibly(value)
        assert restore_neutralised(cell) == value, repr(value)
        assert not cell.startswith(FORMULA_TRIGGERS), repr(value)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("'=x", "''=x"),
        ("-5", "'-5"),
        ("@home", "'@home"),
        ("\tfirst", "'\tfirst"),
        ("\rfirst", "'\rfirst"),
        ("\nfirst", "'\nfirst"),
        ("'", "'"),
        ("''", "'''"),
        ("''=", "'''="),
        ("'tis", "'tis"),
        ("don't", "don't"),
        ("Instagram", "Instagram"),
        ("", ""),
    ],
)
def test_a_value_and_the_cell_a_round_trip_file_holds_for_it(value, cell):
    assert neutralise_reversibly(value) == cell
    assert restore_neutralised(cell) == value


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        # The apostrophe a spreadsheet user types to keep "=x" as text is dropped, as a spreadsheet does.
        ("'=x", "=x"),
        ("'+44 20 7946 0000", "+44 20 7946 0000"),
        # Two apostrophes keep one: how a file says a value really starts with "'=".
        ("''=x", "'=x"),
        # Any other apostrophe is the text's own.
        ("'tis", "'tis"),
        ("'", "'"),
        ("' =x", "' =x"),
    ],
)
def test_a_cell_typed_by_hand_is_read_as_a_spreadsheet_would_show_it(cell, value):
    assert restore_neutralised(cell) == value


def test_none_goes_out_as_an_empty_cell_and_numbers_as_text():
    assert neutralise_reversibly(None) == ""
    assert neutralise_reversibly(-5) == "'-5"
