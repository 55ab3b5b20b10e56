"""Importing FOI observations from a CSV or XLSX file in the import format (`statistics.import_format`).

A file goes through these modules in order: `reading` (the file as rows of text cells), `validation`
(each row checked, alone and against the others and what is stored), `plan` (what the rows would add
and change: the preview; then, confirmed, written in one transaction and audited), with `reach` (the
widgets and pages the changed figures reach, for the preview and the history entry). `problems` is what
any of them can refuse a file with: every problem, by row and column.
"""
