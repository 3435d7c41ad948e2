"""The export format's tables and columns: one place that documents them.

Both the JSON document and the CSV files hold these tables with exactly these columns,
the database's own. Ids are local to the file: references (``patient_id``,
``supersedes_id``...) point at rows of the same file, and an import gives the rows new
ids where the database already uses them.

Column kinds say how a value is written and read back:

- ``id``: the row's id, a whole number; ``ref``: the id of a row in ``target``;
- ``int``, ``float``, ``text``; ``bool``: true/false in JSON, 1/0 in CSV;
- ``when``: ``YYYY-MM-DD HH:MM:SS``; ``date``: ``YYYY-MM-DD``;
- ``list``: a list of words (JSON array; in CSV the words joined with ``;``);
- ``json``: any JSON value (in CSV, its JSON text).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.techniques import IMS_SIGNS

FORMAT_NAME = "sessionlog-export"
# 2: sites gained estim_frequency_2_hz (the high frequency of a 2/100 Hz pair). A
# version 1 file (without it) imports as before; an older sessionlog given a version 2
# file says to upgrade instead of refusing the new column on every site row.
# 3: face_to_face_min may be null (not recorded) and sites gained estim_lead (which
# sites were paired on one lead of the stimulator). Version 1 and 2 files import as
# before (no lead).
# 4: the scale_reading table (schema 0010: NDI, ODI, PSFS... readings). Files of
# versions 1-3 have none and import as before.
# 5: the patient_contact table (schema 0012: each change of a patient's contact note,
# null when cleared; patient.contact stays the note given at creation). Files of
# versions 1-4 have none and import as before (their patient.contact is kept).
# 6: the record seals (a "record_seal" list: table, row id, audit row id, seal) that an
# import into a new database compares every row with (exchange/sealcheck.py), and each
# practitioner's role ("practitioner_roles", never a secret). Files of versions 1-5
# import as before: their rows are not compared, and the import says so.
FORMAT_VERSION = 6
SEALED_FROM = 6  # a file of this version or later without its seals was cut: refused


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    nullable: bool = False
    target: str = ""  # for kind "ref": the table referred to


def _c(name: str, kind: str = "text", nullable: bool = False, target: str = "") -> Column:
    return Column(name, kind, nullable, target)


_SITE = (
    _c("kind"),
    _c("target"),
    _c("side"),
    _c("insertions", "int"),
    _c("depth_value", "float", True),
    _c("depth_unit", "text", True),
    _c("depth_tissue", "text", True),
    _c("needle_diameter_mm", "float", True),
    _c("needle_length_mm", "float", True),
    _c("needle_material", "text", True),
    _c("stimulation"),
    _c("estim_frequency_hz", "float", True),
    _c("estim_intensity", "text", True),
    _c("retention_s", "int"),
    _c("deqi_obtained", "bool", True),
    _c("deqi_quality", "list"),
    _c("twitch_count", "int", True),
    _c("grasp", "text", True),
    _c("thorax_risk", "bool"),
    # Schema 0003: the high frequency of a dense-disperse pair (2/100 Hz). A file made
    # before it has no such column: read as null (see sitememo and compact's MISSING).
    _c("estim_frequency_2_hz", "float", True),
    # Schema 0007: the stimulator's lead a site was on (null when not given or not
    # stimulated). Files made before it have no such column: read as null.
    _c("estim_lead", "int", True),
)

# In dependency order: a table only refers to tables above it (and to itself).
TABLES: dict[str, tuple[Column, ...]] = {
    "practitioner": (
        _c("id", "id"),
        _c("name"),
        _c("profession"),
        _c("credential"),
        _c("created_at", "when"),
    ),
    "patient": (
        _c("id", "id"),
        _c("chart_id"),
        _c("name"),
        _c("birth_year", "int", True),
        _c("sex"),
        _c("created_at", "when"),
        # Schema 0010: how to reach the patient for follow-ups (format 3; absent before).
        _c("contact", "text", True),
    ),
    # Schema 0012: the history of the contact note (the latest row is the current
    # note; null when it was cleared). A file made before format 5 has no such table.
    "patient_contact": (
        _c("id", "id"),
        _c("patient_id", "ref", target="patient"),
        _c("contact", "text", True),
        _c("at", "when"),
        _c("actor_id", "ref", True, "practitioner"),
    ),
    "episode": (
        _c("id", "id"),
        _c("patient_id", "ref", target="patient"),
        _c("complaint"),
        _c("body_region"),
        _c("started_on", "date"),
        _c("created_at", "when"),
    ),
    "session_record": (
        _c("id", "id"),
        _c("uid"),
        _c("patient_id", "ref", target="patient"),
        _c("created_at", "when"),
    ),
    "session": (
        _c("id", "id"),
        _c("record_id", "ref", target="session_record"),
        _c("version", "int"),
        _c("supersedes_id", "ref", True, "session"),
        _c("status"),
        _c("amend_reason", "text", True),
        _c("patient_id", "ref", target="patient"),
        _c("practitioner_id", "ref", target="practitioner"),
        _c("episode_id", "ref", True, "episode"),
        _c("started_at", "when"),
        _c("technique"),
        _c("style"),
        _c("rationale"),
        _c("response_sought"),
        _c("consent", "bool"),
        _c("pain_before", "int"),
        _c("pain_after", "int", True),
        _c("pain_during", "int", True),
        _c("soreness_after", "int", True),
        _c("face_to_face_min", "int", True),  # schema 0007: blank when not recorded
        _c("co_interventions", "list"),
        _c("notes"),
        _c("recorded_by", "ref", target="practitioner"),
        _c("recorded_at", "when"),
    ),
    "site": (_c("id", "id"), _c("session_id", "ref", target="session"), _c("seq", "int"), *_SITE),
    "ims_finding": (
        _c("id", "id"),
        _c("session_id", "ref", target="session"),
        _c("level"),
        _c("side"),
        *(_c(flag, "bool") for flag in IMS_SIGNS),
        _c("notes"),
    ),
    "follow_up": (
        _c("id", "id"),
        _c("patient_id", "ref", target="patient"),
        _c("session_record_id", "ref", target="session_record"),
        _c("supersedes_id", "ref", True, "follow_up"),
        _c("status"),
        _c("amend_reason", "text", True),
        _c("at", "when"),
        _c("pain", "int"),
        _c("soreness", "int", True),
        _c("groc", "int", True),
        _c("notes"),
        _c("recorded_by", "ref", target="practitioner"),
        _c("recorded_at", "when"),
    ),
    "adverse_event": (
        _c("id", "id"),
        _c("session_id", "ref", True, "session"),
        _c("follow_up_id", "ref", True, "follow_up"),
        _c("tier"),
        _c("kind"),
        _c("description"),
    ),
    # Schema 0010: outcome scale readings (items and labels as JSON arrays; items null
    # when only a total was recorded). A file made before it has no such table.
    "scale_reading": (
        _c("id", "id"),
        _c("patient_id", "ref", target="patient"),
        _c("session_record_id", "ref", target="session_record"),
        _c("follow_up_id", "ref", True, "follow_up"),
        _c("supersedes_id", "ref", True, "scale_reading"),
        _c("status"),
        _c("amend_reason", "text", True),
        _c("scale"),
        _c("at", "when"),
        _c("items", "json", True),
        _c("labels", "json"),
        _c("score", "float"),
        _c("entered_by"),
        _c("recorded_by", "ref", target="practitioner"),
        _c("recorded_at", "when"),
    ),
    "protocol": (
        _c("id", "id"),
        _c("practitioner_id", "ref", target="practitioner"),
        _c("name"),
        _c("technique"),
        _c("sites", "json"),
        _c("created_at", "when"),
    ),
    # The audit log travels with the data; its text is kept byte for byte (the hashes
    # cover it). See importer.py for when it is copied into the database.
    "audit_log": (
        _c("id", "id"),
        _c("at"),
        _c("actor_id", "ref", True, "practitioner"),
        _c("action"),
        _c("entity"),
        _c("entity_id", "int", True),
        _c("detail"),
        _c("prev_hash"),
        _c("hash"),
    ),
}

# What the database stores as text but the file shows as a list: how it is joined.
LIST_STORAGE = {("session", "co_interventions"): "json", ("site", "deqi_quality"): ","}
CSV_LIST_SEPARATOR = ";"


def column_names(table: str) -> tuple[str, ...]:
    """The columns of ``table`` in the order the files and the database use."""
    return tuple(c.name for c in TABLES[table])


# Tables that are not part of the record: derived data rebuilt from the tables above
# (schema 0002 on, the outcome cache, all named outcome_*). Never exported; after an
# import the cache refreshes itself (it tracks the highest session and follow-up ids).
DERIVED_PREFIX = "outcome_"
# Left out of exports: the seals of the record rows (schema 0005) are this database's
# own evidence (the database an export is imported into seals the rows it takes in),
# and who may sign in (schema 0004) is this database's access setting, not the record:
# no secret's hash leaves its database; practitioners imported elsewhere choose a secret
# at their first sign-in there. The clinic's settings (schema 0015: its due windows)
# are this database's own too, and so is its count of writes (schema 0020: file_stamp).
SEALS = "record_seal"
NOT_EXPORTED = frozenset({SEALS, "practitioner_access", "clinic_setting", "file_stamp"})


def is_derived(table: str) -> bool:
    """Whether ``table`` is left out of exports: derived data, seals, sign-in settings."""
    return table.startswith(DERIVED_PREFIX) or table in NOT_EXPORTED
