"""Spreadsheet-safe export values: nothing a visitor or a source typed may run as a formula."""

import pytest

from core.spreadsheets import neutralise_formula, neutralise_row


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
