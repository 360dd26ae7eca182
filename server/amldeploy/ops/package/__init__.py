"""``amldeploy package``, offline: the Dockerfile and build context of a service image (no engine needed).

conda (dependencies → pip requirements) · dockerfile (the text) · sources (which files) · context (the
deterministic tar and its hash) · wheel (amldeploy's own) · plan (all of it from an inference config).
"""
