"""Quick fixes: minimal edits computed from problems' data."""
