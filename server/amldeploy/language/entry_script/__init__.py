"""The ``score.py`` lint: the entry-script contract of Azure's inference server."""
