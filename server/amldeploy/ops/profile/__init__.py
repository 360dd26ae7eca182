"""``amldeploy profile``: a bounded load on a running service, what it used, and the size it needs."""
