"""The language core: parsing with offsets, v1 rules and the score.py lint (no pygls, no SDKs)."""
