"""The scoring host: Azure ML v1's entry-script contract on a standard-library HTTP server.

Nothing here imports pygls, Flask or the language core at start-up; numpy, pandas and inference-schema are
only touched when the entry script uses them. See :mod:`amldeploy.runtime.serve` for the start-up sequence.
"""
