"""The ACI target (Azure Container Instances): see target.py."""
