"""The instance types of Azure ML managed online deployments, and the smallest one a v1 service fits on.

The names and core counts are those of "Managed online endpoints SKU list" (Azure Machine Learning docs,
reference-managed-online-endpoints-vm-sku-list, ms.date 10/18/2023); the memory of each size is from the Azure
VM size pages (Dsv2, Fsv2, Esv3, Dasv4 and NCasT4_v3 series). Only the general-purpose CPU families and the
smallest GPU family are kept: enough to size any v1 service (ACI stopped at 4 cores and 16 GB), ordered from
small to large. Azure keeps part of each machine for its own agents, so an exact fit is a tight one.
"""

from __future__ import annotations

from dataclasses import dataclass

SOURCE = "Azure Machine Learning docs: 'Managed online endpoints SKU list' (cores) and the Azure VM size pages (memory)"


@dataclass(frozen=True, slots=True)
class InstanceType:
    name: str
    cores: int
    memory_gb: float
    gpus: int = 0


# (cores, memory) of each size; the order within a core count is by memory.
INSTANCE_TYPES: tuple[InstanceType, ...] = (
    InstanceType("Standard_DS1_v2", 1, 3.5),
    InstanceType("Standard_F2s_v2", 2, 4),
    InstanceType("Standard_DS2_v2", 2, 7),
    InstanceType("Standard_D2as_v4", 2, 8),
    InstanceType("Standard_E2s_v3", 2, 16),
    InstanceType("Standard_F4s_v2", 4, 8),
    InstanceType("Standard_DS3_v2", 4, 14),
    InstanceType("Standard_D4as_v4", 4, 16),
    InstanceType("Standard_E4s_v3", 4, 32),
    InstanceType("Standard_F8s_v2", 8, 16),
    InstanceType("Standard_DS4_v2", 8, 28),
    InstanceType("Standard_D8as_v4", 8, 32),
    InstanceType("Standard_E8s_v3", 8, 64),
    InstanceType("Standard_F16s_v2", 16, 32),
    InstanceType("Standard_DS5_v2", 16, 56),
    InstanceType("Standard_D16as_v4", 16, 64),
    InstanceType("Standard_E16s_v3", 16, 128),
    InstanceType("Standard_F32s_v2", 32, 64),
    InstanceType("Standard_D32as_v4", 32, 128),
    InstanceType("Standard_E32s_v3", 32, 256),
    InstanceType("Standard_NC4as_T4_v3", 4, 28, gpus=1),
    InstanceType("Standard_NC8as_T4_v3", 8, 56, gpus=1),
    InstanceType("Standard_NC16as_T4_v3", 16, 110, gpus=1),
    InstanceType("Standard_NC64as_T4_v3", 64, 440, gpus=4),
)


def smallest_fit(cpu: float, memory_gb: float, gpus: int = 0) -> InstanceType | None:
    """The instance type with the fewest cores, then the least memory, that holds ``cpu`` cores, ``memory_gb``
    GB and ``gpus`` GPUs (CPU-only types when no GPU is asked for); None when none is big enough."""
    fits = [
        t
        for t in INSTANCE_TYPES
        if t.cores >= cpu and t.memory_gb >= memory_gb and (t.gpus >= gpus if gpus else t.gpus == 0)
    ]
    return min(fits, key=lambda t: (t.cores, t.memory_gb), default=None)
