"""Hover: schema documentation, v1 defaults, per-target behaviour, what a value means."""
