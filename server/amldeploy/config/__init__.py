"""Typed loading of the v1 inference and deployment configs (pydantic models mirroring ``schemas/``)."""

from amldeploy.config.models import (
    DEPLOYMENT_CONFIG_ADAPTER,
    AciDeploymentConfig,
    AksDeploymentConfig,
    AksEndpointDeploymentConfig,
    DeploymentConfig,
    Environment,
    InferenceConfig,
    LocalDeploymentConfig,
    parse_deployment_config,
    parse_inference_config,
)

__all__ = [
    "DEPLOYMENT_CONFIG_ADAPTER",
    "AciDeploymentConfig",
    "AksDeploymentConfig",
    "AksEndpointDeploymentConfig",
    "DeploymentConfig",
    "Environment",
    "InferenceConfig",
    "LocalDeploymentConfig",
    "parse_deployment_config",
    "parse_inference_config",
]
