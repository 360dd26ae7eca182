"""Completion: cursor context from the text, keys, values, regions, paths, skeletons."""
