"""The screens of the sessionlog app (imported lazily: start-up stays light)."""
