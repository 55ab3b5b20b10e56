"""Spreadsheet-safe values for every CSV or XLSX the site hands out, and reading back the ones it imports.

A spreadsheet treats a cell that starts with `=`, `+`, `-` or `@` as a formula, and some also act on a
leading tab, carriage return, line feed or NUL. A value typed by a member of the public (or copied from a
source) must never run as a formula on a staff member's computer, so every exported text cell goes
through `neutralise_formula`, which puts an apostrophe in front: spreadsheets show the text as it was
and do not evaluate it. (The `defusedcsv` package skips tab, CR and LF, so it is not enough alone.)

A file the site also imports (a dataset's CSV download, which can be corrected and imported again)
must come back exactly as it went out. Its cells go out through `neutralise_reversibly` and are read
back through `restore_neutralised`, one rule each way:

- An apostrophe followed by a formula trigger or by another apostrophe is ours: the import drops that
  one apostrophe. "'=1+1" reads as "=1+1", and "''=x" as "'=x".
- So the export adds an apostrophe to a value that starts with a trigger ("=1+1" → "'=1+1") and to one
  that would otherwise read as ours ("'=x" → "''=x", "''" → "'''").
- Any other cell is the value itself: "'tis", "'" and "don't" go out and come back untouched.

A spreadsheet that shows "'=x" as the text "=x" agrees with the import; someone who really means a
value starting with "'=" writes "''=" in the file.
"""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
APOSTROPHE = "'"


def neutralise_formula(value):
    """The value as text that no spreadsheet will evaluate: "=SUM(A1)" becomes "'=SUM(A1)"."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return APOSTROPHE + text
    return text


def neutralise_row(values):
    """`neutralise_formula` for each value of a row."""
    return [neutralise_formula(value) for value in values]


def _reads_as_neutralised(text):
    return text.startswith(APOSTROPHE) and text[1:].startswith((*FORMULA_TRIGGERS, APOSTROPHE))


def neutralise_reversibly(value):
    """`neutralise_formula` for a file that will be imported again: `restore_neutralised` undoes it."""
    text = "" if value is None else str(value)
    if _reads_as_neutralised(text):
        return APOSTROPHE + text
    return neutralise_formula(text)


def restore_neutralised(text):
    """A cell of an imported file as the value it stands for: the inverse of `neutralise_reversibly`."""
    return text[1:] if _reads_as_neutralised(text) else text
