"""Data that can leave and come back: export (JSON, CSV, FHIR R4) and import (JSON, CSV).

The formats are documented in ``tables.py`` (tables and columns), ``document.py``
(the JSON document), ``csvfiles.py`` (the CSV files) and ``fhir.py`` (the bundle).
"""

from .export import FORMATS, ExportResult, export
from .importer import ImportReport, import_file, import_tables, read_source
from .problems import ImportRefused, Problem

__all__ = [
    "FORMATS",
    "ExportResult",
    "ImportRefused",
    "ImportReport",
    "Problem",
    "export",
    "import_file",
    "import_tables",
    "read_source",
]
