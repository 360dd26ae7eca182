"""Tolerant JSON/YAML parsing into one value tree with offsets, and reading sources."""
