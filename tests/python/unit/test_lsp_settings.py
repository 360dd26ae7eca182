"""Settings of the language server: associations, severity overrides, disabled rules, target settings; bad
values are ignored."""

from __future__ import annotations

from amldeploy.lsp.settings import TARGET_SETTINGS, Settings, apply_environment, parse_settings


def test_defaults_recognise_the_usual_names() -> None:
    s = Settings()
    assert s.kind_by_name("inferenceconfig.json") == "inference-config"
    assert s.kind_by_name("aciDeploymentConfig.YML") == "deployment-config"
    assert s.kind_by_name("score.py") == "entry-script"
    assert s.kind_by_name("package.json") is None


def test_section_and_values() -> None:
    s, warnings = parse_settings(
        {
            "amldeploy": {
                "fileAssociations": {"deployment": ["*.deploy.json"], "entryScript": ["*_score.py"]},
                "severityOverrides": {"DC006": "Error", "IC020": "off"},
                "disabledRules": ["sc016"],
                "debounceMs": 50,
                "detectByContent": False,
            }
        }
    )
    assert warnings == []
    assert s.kind_by_name("svc.deploy.json") == "deployment-config"
    assert s.kind_by_name("deploymentconfig.json") is None  # the association replaces the default patterns
    assert s.kind_by_name("my_score.py") == "entry-script"
    assert s.severity_overrides == {"DC006": "error", "IC020": "off"}
    assert s.disabled_rules == frozenset({"SC016"})
    assert s.debounce_ms == 50 and s.detect_by_content is False


def test_bad_values_warn_and_keep_the_previous_setting() -> None:
    base, _ = parse_settings({"debounceMs": 10})
    s, warnings = parse_settings(
        {
            "fileAssociations": {"inference": 3},
            "severityOverrides": {"X": "loud"},
            "disabledRules": 1,
            "debounceMs": -1,
        },
        base,
    )
    assert len(warnings) == 4
    assert s.debounce_ms == 10 and s.inference_patterns == Settings().inference_patterns
    assert parse_settings(None)[0] == Settings()
    assert parse_settings("x")[1]


def test_target_settings_and_the_services_poll() -> None:
    assert Settings().services_poll_ms == 3000
    assert Settings().target_settings == dict.fromkeys(TARGET_SETTINGS)
    # VS Code nests ``amldeploy.aci.subscription`` as {"aci": {"subscription": ...}}; spelled out works too.
    s, warnings = parse_settings(
        {
            "amldeploy": {
                "servicesPollMs": 0,
                "aci": {"subscription": "sub-1", "resourceGroup": " ", "region": None},
                "kubernetes.context": "aks",
            }
        }
    )
    assert warnings == []
    assert s.services_poll_ms == 0
    assert s.target_settings == {
        "aci.subscription": "sub-1",
        "aci.resourceGroup": None,
        "aci.region": None,
        "aci.registry": None,
        "aci.armEndpoint": None,
        "kubernetes.context": "aks",
        "kubernetes.namespace": None,
        "kubernetes.registry": None,
        "docker.defaultBaseImage": None,
        "docker.caBundle": None,
        "models.registry": None,
    }
    # A later change keeps what it does not mention.
    later, _ = parse_settings({"kubernetes": {"namespace": "ml"}}, s)
    assert (
        later.target_settings["aci.subscription"] == "sub-1" and later.target_settings["kubernetes.namespace"] == "ml"
    )
    bad, warnings = parse_settings({"servicesPollMs": "often", "aci": "sub-1", "kubernetes": {"context": 3}}, s)
    assert len(warnings) == 3 and bad.services_poll_ms == 0 and bad.target_settings == s.target_settings
    assert any("servicesPollMs" in w for w in warnings) and any("kubernetes.context" in w for w in warnings)


def test_the_docker_settings_become_the_servers_environment_and_unsetting_one_brings_back_the_original() -> None:
    environ = {"AMLDEPLOY_DOCKER_CA_BUNDLE": "/etc/proxy-ca.pem", "PATH": "/bin"}
    original = {"AMLDEPLOY_DOCKER_BASE_IMAGE": None, "AMLDEPLOY_DOCKER_CA_BUNDLE": "/etc/proxy-ca.pem"}
    chosen, _ = parse_settings({"docker": {"defaultBaseImage": "registry.local/py:3.11", "caBundle": "/ca.pem"}})
    apply_environment(chosen.target_settings, environ, original)
    assert environ == {
        "AMLDEPLOY_DOCKER_BASE_IMAGE": "registry.local/py:3.11",
        "AMLDEPLOY_DOCKER_CA_BUNDLE": "/ca.pem",
        "PATH": "/bin",
    }
    cleared, _ = parse_settings({"docker": {"defaultBaseImage": None, "caBundle": ""}}, chosen)
    apply_environment(cleared.target_settings, environ, original)
    assert environ == {"AMLDEPLOY_DOCKER_CA_BUNDLE": "/etc/proxy-ca.pem", "PATH": "/bin"}
