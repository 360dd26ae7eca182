"""States of a Kubernetes service from its Deployment, pods and events, in the shapes the API serves them
(``kubectl get -o json``)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from amldeploy.ops.states import State
from amldeploy.ops.targets.kubernetes import status as st

LABELS = {"amldeploy/service": "sklearn-demo", "app.kubernetes.io/managed-by": "amldeploy"}


def deployment(
    replicas: int = 2,
    updated: int = 2,
    available: int = 2,
    ready: int = 2,
    generation: int = 3,
    observed: int = 3,
    progressing: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "sklearn-demo",
            "namespace": "ml",
            "generation": generation,
            "labels": LABELS,
            "annotations": {
                "amldeploy/compute-type": "AKS",
                "amldeploy/created": "2026-01-01T00:00:00+00:00",
                "amldeploy/front-end": '{"authEnabled": true, "scoringTimeoutMs": 60000}',
                "amldeploy/models": '[{"name": "model", "version": 1, "path": "model.joblib"}]',
            },
        },
        "spec": {
            "replicas": replicas,
            "template": {"spec": {"containers": [{"name": "scoring", "image": "reg.example/sklearn-demo:abc"}]}},
        },
        "status": {
            "observedGeneration": observed,
            "replicas": max(replicas, updated),
            "updatedReplicas": updated,
            "readyReplicas": ready,
            "availableReplicas": available,
            "conditions": [
                {
                    "type": "Available",
                    "status": "True" if available >= replicas else "False",
                    "reason": "MinimumReplicasAvailable" if available >= replicas else "MinimumReplicasUnavailable",
                    "message": "Deployment has minimum availability.",
                },
                progressing
                or {
                    "type": "Progressing",
                    "status": "True",
                    "reason": "NewReplicaSetAvailable",
                    "message": 'ReplicaSet "sklearn-demo-7d9c" has successfully progressed.',
                },
            ],
        },
    }


def pod(
    name: str = "sklearn-demo-7d9c-x2k4p",
    phase: str = "Running",
    ready: bool = True,
    state: dict[str, Any] | None = None,
    last_state: dict[str, Any] | None = None,
    restarts: int = 0,
    scheduled: dict[str, Any] | None = None,
) -> dict[str, Any]:
    conditions = [
        scheduled or {"type": "PodScheduled", "status": "True"},
        {"type": "Ready", "status": "True" if ready else "False"},
    ]
    status: dict[str, Any] = {"phase": phase, "conditions": conditions}
    if phase != "Pending" or state is not None:
        status["containerStatuses"] = [
            {
                "name": "scoring",
                "image": "reg.example/sklearn-demo:abc",
                "ready": ready,
                "restartCount": restarts,
                "state": state or {"running": {"startedAt": "2026-01-01T00:00:05Z"}},
                "lastState": last_state or {},
            }
        ]
    return {
        "metadata": {"name": name, "namespace": "ml", "labels": LABELS, "creationTimestamp": "2026-01-01T00:00:00Z"},
        "status": status,
    }


def event(pod_name: str, reason: str, message: str, kind: str = "Warning") -> dict[str, Any]:
    return {
        "involvedObject": {"kind": "Pod", "name": pod_name, "namespace": "ml"},
        "reason": reason,
        "message": message,
        "type": kind,
        "lastTimestamp": "2026-01-01T00:01:00Z",
    }


def test_a_rolled_out_available_deployment_is_healthy() -> None:
    v = st.verdict(deployment(), [pod(), pod("sklearn-demo-7d9c-b8vq2")], [])
    assert v.state is State.HEALTHY and v.error is None


def test_a_rollout_in_progress_is_transitioning() -> None:
    d = deployment(updated=1, available=2, generation=4, observed=4)
    new = pod("sklearn-demo-5f6b-aaaaa", ready=False)
    v = st.verdict(d, [pod(), pod("sklearn-demo-7d9c-b8vq2"), new], [])
    assert v.state is State.TRANSITIONING
    assert "1 of 2 pods updated" in (v.message or "")
    assert st.verdict(deployment(generation=5, observed=4), [pod()], []).state is State.TRANSITIONING


def test_a_crash_loop_is_unhealthy_with_the_exit_reason() -> None:
    crashed = pod(
        ready=False,
        restarts=3,
        state={"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 40s restarting failed container"}},
        last_state={"terminated": {"exitCode": 3, "reason": "Error", "finishedAt": "2026-01-01T00:00:30Z"}},
    )
    v = st.verdict(deployment(replicas=1, updated=1, available=0, ready=0), [crashed], [])
    assert v.state is State.UNHEALTHY
    assert v.reason == "CrashLoopBackOff"
    assert "init() raised" in (v.message or "") and "restarted 3 times" in (v.message or "")


def test_out_of_memory_says_so() -> None:
    crashed = pod(
        ready=False,
        restarts=1,
        state={"waiting": {"reason": "CrashLoopBackOff"}},
        last_state={"terminated": {"exitCode": 137, "reason": "OOMKilled"}},
    )
    v = st.verdict(deployment(replicas=1, updated=1, available=0, ready=0), [crashed], [])
    assert "ran out of memory" in (v.message or "")


def test_a_crash_loop_past_the_progress_deadline_is_failed() -> None:
    exceeded = {
        "type": "Progressing",
        "status": "False",
        "reason": "ProgressDeadlineExceeded",
        "message": 'ReplicaSet "sklearn-demo-5f6b" has timed out progressing.',
    }
    crashed = pod(
        ready=False,
        restarts=9,
        state={"waiting": {"reason": "CrashLoopBackOff"}},
        last_state={"terminated": {"exitCode": 1, "reason": "Error"}},
    )
    d = deployment(replicas=1, updated=1, available=0, ready=0, progressing=exceeded)
    v = st.verdict(d, [crashed], [])
    assert v.state is State.FAILED and v.reason == "ProgressDeadlineExceeded"
    assert "exited with status 1" in (v.message or "")
    quiet = st.verdict(d, [pod(ready=False)], [])
    assert quiet.state is State.FAILED and "timed out progressing" in (quiet.message or "")


@pytest.mark.parametrize("reason", ["ImagePullBackOff", "ErrImagePull"])
def test_an_image_that_cannot_be_pulled_fails_with_the_events_message(reason: str) -> None:
    stuck = pod(
        phase="Pending",
        ready=False,
        state={"waiting": {"reason": reason, "message": 'Back-off pulling image "reg.example/sklearn-demo:abc"'}},
    )
    events = [
        event(stuck["metadata"]["name"], "Pulling", 'Pulling image "reg.example/sklearn-demo:abc"', "Normal"),
        event(
            stuck["metadata"]["name"],
            "Failed",
            'Failed to pull image "reg.example/sklearn-demo:abc": manifest unknown',
        ),
        event(stuck["metadata"]["name"], "Failed", "Error: ImagePullBackOff"),
    ]
    v = st.verdict(deployment(replicas=1, updated=1, available=0, ready=0), [stuck], events)
    assert v.state is State.FAILED and v.reason == reason
    assert "manifest unknown" in (v.message or "")
    assert v.error is not None and v.error.startswith(reason)


def test_a_pod_no_node_can_take_is_unschedulable_with_the_schedulers_words() -> None:
    waiting = pod(
        phase="Pending",
        ready=False,
        scheduled={
            "type": "PodScheduled",
            "status": "False",
            "reason": "Unschedulable",
            "message": "0/1 nodes are available: 1 Insufficient cpu.",
        },
    )
    events = [event(waiting["metadata"]["name"], "FailedScheduling", "0/1 nodes are available: 1 Insufficient cpu.")]
    v = st.verdict(deployment(replicas=1, updated=1, available=0, ready=0), [waiting], events)
    assert v.state is State.UNSCHEDULABLE and v.reason == "FailedScheduling"
    assert "Insufficient cpu" in (v.message or "")


def test_a_pod_failing_readiness_after_the_rollout_is_unhealthy() -> None:
    failing = pod(ready=False)
    events = [
        event(
            failing["metadata"]["name"], "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 502"
        )
    ]
    v = st.verdict(deployment(replicas=1, updated=1, available=0, ready=0), [failing], events)
    assert v.state is State.UNHEALTHY
    assert "Readiness probe failed" in (v.message or "")


def test_a_missing_secret_fails_the_pod() -> None:
    broken = pod(
        phase="Pending",
        ready=False,
        state={"waiting": {"reason": "CreateContainerConfigError", "message": 'secret "sklearn-demo-keys" not found'}},
    )
    v = st.verdict(deployment(replicas=1, updated=1, available=0, ready=0), [broken], [])
    assert v.state is State.FAILED and 'secret "sklearn-demo-keys" not found' in (v.message or "")


def test_terminating_pods_of_the_old_replica_set_do_not_count() -> None:
    old = pod("sklearn-demo-old-zzzzz", ready=False, state={"waiting": {"reason": "CrashLoopBackOff"}}, restarts=2)
    old["metadata"]["deletionTimestamp"] = "2026-01-01T00:02:00Z"
    assert st.verdict(deployment(replicas=1, updated=1, available=1, ready=1), [pod(), old], []).state is State.HEALTHY


def test_describe_reads_the_service_back_from_labels_annotations_and_the_load_balancer() -> None:
    service_obj = {
        "spec": {"type": "LoadBalancer", "ports": [{"name": "http", "port": 80}]},
        "status": {"loadBalancer": {"ingress": [{"ip": "20.1.2.3"}]}},
    }
    service = st.describe(deployment(), [pod()], [], service_obj)
    assert service.name == "sklearn-demo" and service.target == "kubernetes"
    assert service.state is State.HEALTHY and service.compute_type == "AKS"
    assert service.scoring_uri == "http://20.1.2.3:80/score"
    assert service.auth_enabled
    assert [m.name for m in service.models] == ["model"]
    assert service.details["namespace"] == "ml"
    assert service.details["replicas"] == "2/2"
    cluster_ip = copy.deepcopy(service_obj)
    cluster_ip["spec"]["type"] = "ClusterIP"
    assert st.describe(deployment(), [pod()], [], cluster_ip).scoring_uri is None  # reached by port-forward
