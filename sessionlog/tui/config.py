"""The app's small per-machine settings: last practitioner, key remapping, theme.

One JSON file under the user config folder. The path is resolved when first needed
(never at import time) and can be moved with ``$SESSIONLOG_CONFIG`` (tests point it
at a temporary file). A missing or damaged file means defaults: settings are a
convenience, never a reason to refuse to start.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def config_path() -> Path:
    """Where the settings live: ``$SESSIONLOG_CONFIG`` or ``<user config>/sessionlog/tui.json``."""
    env = os.environ.get("SESSIONLOG_CONFIG")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_path

    return user_config_path("sessionlog", appauthor=False) / "tui.json"


def read(path: Path | None = None) -> tuple[dict[str, Any], str | None]:
    """The settings as a dict (``{}`` when the file is missing or unreadable), and one
    line saying why a file that is there could not be used (else None)."""
    target = path or config_path()
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, None
    except (OSError, ValueError) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        return {}, f"Settings: {target} could not be read ({why}): its settings are not used."
    try:
        data = json.loads(text)
    except ValueError as exc:
        return {}, (
            f"Settings: {target} is not valid JSON ({exc}): its settings are not used, and"
            " the file is left as it is; fix it or delete it."
        )
    if not isinstance(data, dict):
        return {}, f"Settings: {target} does not hold a JSON object: its settings are not used."
    return data, None


def load(path: Path | None = None) -> dict[str, Any]:
    """The settings as a dict; ``{}`` when the file is missing or unreadable."""
    return read(path)[0]


def update(changes: dict[str, Any], path: Path | None = None) -> None:
    """Merge ``changes`` into the settings file (written whole, then renamed into place).
    A file that is there but cannot be read is left as it is: written over, whatever
    else it held (a keymap with one stray comma) would be gone."""
    target = path or config_path()
    data, problem = read(target)
    if problem is not None:
        return
    data.update(changes)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
        tmp.replace(target)
    except OSError:
        pass  # a read-only home must not stop anyone recording a session


LOCK_ID = "app.lock"
# Keys that are the lock key on their own screen: the patient view's asks for the
# practitioner's secret (the app-wide lock is refused there). Each follows the lock
# unless remapped itself, and is no other action's key the lock could clash with.
LOCK_MIRRORS = ("patient_view.ask",)


def keymap(settings: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """Binding id -> keys overrides from the settings' ``"keymap"`` table, as written,
    and a line for each entry that is not an id with its keys as text."""
    raw = settings.get("keymap")
    if raw is None:
        return {}, []
    if not isinstance(raw, dict):
        return {}, ['Settings: "keymap" must be an object of action ids and keys; ignored.']
    wanted, problems = {}, []
    for ident, keys in raw.items():
        if isinstance(keys, str) and keys.strip():
            wanted[str(ident)] = keys
        else:
            problems.append(
                f'Settings: keymap: {ident} needs its keys as text ("f12", "ctrl+e"); ignored.'
            )
    return wanted, problems


def _key(key: str) -> str:
    """A key as Textual names it: ``Ctrl+L`` is ``ctrl+l``, ``F12`` is ``f12``; a single
    character keeps its case (``A`` is Shift+A)."""
    key = key.strip()
    return key if len(key) == 1 else key.lower()


def normal_keys(keys: str) -> str:
    """``keys`` (comma-separated) as Textual names them (:func:`_key`)."""
    return ",".join(_key(key) for key in keys.split(",") if key.strip())


def _keys(keys: str) -> set[str]:
    return set(normal_keys(keys).split(",")) - {""}


def checked_keymap(
    wanted: dict[str, str], defaults: dict[str, str]
) -> tuple[dict[str, str], list[str]]:
    """The overrides that may apply, and one line for each that may not.

    ``defaults`` maps every binding id to its own keys. An id that is no binding's is
    named; no other action may take the key that locks the app (on a screen with that
    key, it would run instead of the lock), nor the lock a key another action has.
    """
    problems: list[str] = []
    known = {ident: keys for ident, keys in wanted.items() if ident in defaults}
    effective = {**defaults, **known}
    lock = _keys(effective[LOCK_ID]) if LOCK_ID in effective else set()
    others = (k for i, k in effective.items() if i != LOCK_ID and i not in LOCK_MIRRORS)
    taken = set().union(*(_keys(k) for k in others))
    if LOCK_ID in known and lock & taken:
        clash = ", ".join(sorted(lock & taken))
        problems.append(
            f"Settings: keymap: {LOCK_ID} cannot take {clash}, a key another action has;"
            " its own key is kept."
        )
        del known[LOCK_ID]
        lock = _keys(defaults[LOCK_ID])
    allowed: dict[str, str] = {}
    for ident, keys in wanted.items():
        if ident not in defaults:
            problems.append(
                f"Settings: keymap: {ident} is not an action's id (the command palette,"
                " Ctrl+P, shows each action's id); ignored."
            )
        elif ident != LOCK_ID and ident not in LOCK_MIRRORS and _keys(keys) & lock:
            clash = ", ".join(sorted(_keys(keys) & lock))
            problems.append(
                f"Settings: keymap: {ident} cannot take {clash}, the key that locks the app;"
                " its own key is kept."
            )
        elif ident in known:
            allowed[ident] = normal_keys(keys)
    if LOCK_ID in allowed:
        for mirror in LOCK_MIRRORS:
            if mirror in defaults:
                allowed.setdefault(mirror, allowed[LOCK_ID])
    return allowed, problems


def binding_keys() -> dict[str, str]:
    """Every binding id of the app, its screens and widgets -> its own keys (imports
    every screen: called only when the settings remap a key)."""
    import importlib
    import pkgutil

    from textual.binding import Binding

    from . import screens, widgets
    from .app import SessionlogApp

    found: dict[str, str] = {}
    classes: list[Any] = [SessionlogApp]
    for package in (screens, widgets):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            classes += [v for v in vars(module).values() if isinstance(v, type)]
    for cls in classes:
        for binding in cls.__dict__.get("BINDINGS", []):
            if isinstance(binding, Binding) and binding.id:
                found[binding.id] = binding.key
    return found


def bound_key(app: Any, owner: type, binding_id: str) -> str:
    """The key that runs ``binding_id`` (one of ``owner``'s ``BINDINGS``) as the settings'
    keymap binds it, named as a sentence names a key ("F4", "E", "Ctrl+E"): the first
    of its keys. A hint that names a key by its default sent a user who had remapped it
    to a key that did nothing (review20)."""
    from textual.binding import Binding

    default = next(
        b.key
        for b in owner.__dict__.get("BINDINGS", [])
        if isinstance(b, Binding) and b.id == binding_id
    )
    keys = getattr(app, "_keymap", {}).get(binding_id, default)  # Textual keeps it there only
    first = keys.split(",")[0].strip()
    return "+".join(_key_word(part) for part in first.split("+"))


def _key_word(part: str) -> str:
    """One part of a key as a sentence names it: ``E``, ``F4``, ``Ctrl``, ``Enter``, and
    a symbol as itself (``?`` for Textual's ``question_mark``, ``[`` for
    ``left_square_bracket``: review22 #7)."""
    from textual.keys import format_key

    if len(part) == 1:
        return part.upper()
    shown = format_key(part)
    if len(shown) == 1 and not shown.isalnum() and shown.isprintable() and shown.isascii():
        return shown
    return part.capitalize()
