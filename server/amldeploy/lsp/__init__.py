"""The language server: thin adapters from LSP to :mod:`amldeploy.language` (the only place pygls is used)."""
