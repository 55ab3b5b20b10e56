"""What is wrong with a file, by row and column as a spreadsheet numbers them: a file with any problem
imports nothing, and `ImportRejected` lists every problem at once."""

from dataclasses import dataclass

from statistics.import_format import COLUMN_ORDER

UNSTORABLE_CELL = (
    "This cell holds a hidden character that cannot be stored (a NUL, often left by copying from another "
    "program or by a damaged file). Type the cell's text again and save the file."
)


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with a file. `row` is the spreadsheet row (the header is row 1); None is the file."""

    row: int | None
    column: str
    message: str

    def __str__(self):
        where = "The file" if self.row is None else f"Row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class ImportRejected(Exception):
    """The file has problems; nothing was imported."""

    def __init__(self, problems):
        self.problems = sorted(
            problems, key=lambda problem: (problem.row or 0, COLUMN_ORDER.get(problem.column, 99))
        )
        super().__init__("\n".join(str(problem) for problem in self.problems))
