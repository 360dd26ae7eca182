"""Differential tests of ``amldeploy serve`` against Azure's azureml-inference-server-http 1.5.1."""
