"""Use cases both front ends (the TUI and the CLI) share; no Textual, no click."""
