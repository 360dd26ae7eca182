"""The Docker target: the service image built from ``ops/package`` and run as a container on a local engine.

engine (the client, the ping that makes the target available) · build (images with the classic builder, the
cache by content tag, the push) · labels (what a container says about its service) · status (a container as a
``Service``) · target (deploy, list, logs, keys, delete, package).
"""
