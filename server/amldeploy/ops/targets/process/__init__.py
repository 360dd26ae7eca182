"""The process target: ``amldeploy serve`` as a local background process."""
