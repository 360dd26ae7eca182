"""The Kubernetes target: an AKS deployment config as Kubernetes objects, applied through the official client.

spec (what a deployment config asks of a cluster) · manifests (the objects, pure) · cluster (the client from a
kubeconfig, the namespace, errors in words) · apply (create or update, delete by label) · status (a Deployment and
its pods as a ``Service``) · logs (every pod of a service) · target (the ``Target`` and ``Packager``).
The ``kubernetes`` package is imported only inside cluster, apply, logs and target's methods.
"""
