"""Where services run: the process target today; Docker, ACI and Kubernetes targets share its protocol."""
