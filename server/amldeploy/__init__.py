"""amldeploy: understand and deploy Azure ML v1 inference/deployment configs anywhere."""

__version__ = "0.1.0"
