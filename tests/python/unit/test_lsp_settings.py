"""Settings of the language server: associations, severity overrides, disabled rules; bad values are ignored."""

from __future__ import annotations

from amldeploy.lsp.settings import Settings, parse_settings


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
