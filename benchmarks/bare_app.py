"""The baseline app: a bare Textual app (header, a table of twelve rows, footer).

    python benchmarks/bare_app.py

Started like sessionlog on the same pseudo-terminal, it is what any Textual app
costs to start and quit; ``app_driver.py`` runs the same app in process.
"""

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header

ROWS = [(f"P{i:06d}", f"Patient {i}", str(1950 + i), "2026-11-20") for i in range(1, 13)]


class BareApp(App[None]):
    """The baseline: a header, a table of twelve rows and a footer, nothing else."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Chart", "Name", "Born", "Last visit")
        table.add_rows(ROWS)
        table.focus()


if __name__ == "__main__":
    BareApp().run()
