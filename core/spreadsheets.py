"""Spreadsheet-safe values for every CSV or XLSX the site hands out.

A spreadsheet treats a cell that starts with `=`, `+`, `-` or `@` as a formula, and some also act on a
leading tab, carriage return, line feed or NUL. A value typed by a member of the public (or copied from a
source) must never run as a formula on a staff member's computer, so every exported text cell goes
through `neutralise_formula`, which puts an apostrophe in front: spreadsheets show the text as it was
and do not evaluate it. (The `defusedcsv` package skips tab, CR and LF, so it is not enough alone.)
"""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


def neutralise_formula(value):
    """The value as text that no spreadsheet will evaluate: "=SUM(A1)" becomes "'=SUM(A1)"."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def neutralise_row(values):
    """`neutralise_formula` for each value of a row."""
    return [neutralise_formula(value) for value in values]
