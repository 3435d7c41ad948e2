"""Use cases both front ends share (no Textual, no click): what happens on save."""
