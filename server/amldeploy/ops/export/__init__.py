"""``amldeploy export``, offline: a v1 service moved to what Azure supports now.

fates (what became of each v1 key) · instances (the managed instance types and the smallest that fits)
· environment (conda file, base image or Dockerfile) · v2 (the Azure ML v2 endpoint and deployment YAML)
· iot_edge (an IoT Edge deployment manifest) · files (writing an export and its MIGRATION.md).
"""
