"""Widgets of the sessionlog app, one job each."""
