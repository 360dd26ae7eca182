"""The rule catalogue and the v1 rules that involve several keys or other files."""
