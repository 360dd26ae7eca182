"""Test infrastructure: the real Azure ML inference server (cached venv) and helpers to run servers side by side."""
