"""What is wrong with an import file, row by row and field by field."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..domain.validate import InvalidRecord
from ..errors import ValidationError
from .tables import TABLES

_TABLE_ORDER = {t: i for i, t in enumerate(TABLES)}

MAX_KEPT = 1_000  # a garbage file could have millions of problems: keep the first ones
MAX_SHOWN = 20


@dataclass(frozen=True)
class Problem:
    """One problem: where (``session.csv row 17``), the field, and what is allowed."""

    where: str
    field: str
    message: str
    order: tuple[int, int] = (0, 0)  # (table, row): problems are shown in file order

    def __str__(self) -> str:
        if self.field:
            return f"{self.where}: {self.field}: {self.message}"
        return f"{self.where}: {self.message}"


@dataclass
class Problems:
    """Collects problems; rows are named the way the file names them."""

    csv: bool = False
    items: list[Problem] = field(default_factory=list)
    total: int = 0

    def where(self, table: str, number: int) -> str:
        return f"{table}.csv row {number}" if self.csv else f"{table} row {number}"

    def add(self, table: str, number: int, field_name: str, message: str) -> None:
        self.total += 1
        if len(self.items) < MAX_KEPT:
            order = (_TABLE_ORDER.get(table, len(_TABLE_ORDER)), number)
            self.items.append(Problem(self.where(table, number), field_name, message, order))

    def add_error(self, table: str, number: int, exc: ValidationError) -> None:
        """Add a validation error (every one of an :class:`InvalidRecord`)."""
        for err in exc.errors if isinstance(exc, InvalidRecord) else [exc]:
            self.add(table, number, err.field, err.message)

    def sorted(self) -> list[Problem]:
        return sorted(self.items, key=lambda p: p.order)

    def __bool__(self) -> bool:
        return self.total > 0


class ImportRefused(ValidationError):
    """The file has problems: nothing was written. ``problems`` lists them."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems.sorted()
        self.total = problems.total
        shown = [str(p) for p in self.problems[:MAX_SHOWN]]
        more = problems.total - len(shown)
        text = "\n".join(shown) + (f"\n... and {more:,} more" if more > 0 else "")
        noun = "problem" if problems.total == 1 else "problems"
        super().__init__(
            "import", f"nothing was imported: the file has {problems.total:,} {noun}:\n{text}"
        )
