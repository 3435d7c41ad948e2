"""Use cases both front ends share (the TUI and the CLI): no Textual, no click here."""
