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


def load(path: Path | None = None) -> dict[str, Any]:
    """The settings as a dict; ``{}`` when the file is missing or unreadable."""
    target = path or config_path()
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def update(changes: dict[str, Any], path: Path | None = None) -> None:
    """Merge ``changes`` into the settings file (written whole, then renamed into place)."""
    target = path or config_path()
    data = load(target)
    data.update(changes)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
        tmp.replace(target)
    except OSError:
        pass  # a read-only home must not stop anyone recording a session


def keymap(settings: dict[str, Any]) -> dict[str, str]:
    """Binding id -> keys overrides from the settings' ``"keymap"`` table."""
    raw = settings.get("keymap")
    if not isinstance(raw, dict):
        return {}
    return {str(k): str(v) for k, v in raw.items() if isinstance(v, str) and v.strip()}
