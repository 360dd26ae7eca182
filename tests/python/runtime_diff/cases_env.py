"""Cases on the environment: models, app root and source dir, CORS, service identity, start-up failures."""

from __future__ import annotations

from tests.python.runtime_diff.cases import CORS, Case, get, post, swagger
from tests.python.runtime_diff.client import Req

ENVIRONMENT = [
    Case(
        "single_model_dir",
        "sklearn_model",
        (
            post('{"data":[[0.1,0.2,0.3],[1,2,3]]}', {}),
            post('{"data":[[1,2]]}', {}, 500),
        ),
        models="ridge",
    ),
    Case("multi_model_dir", "multi_model", (post('{"data":[[0.1,0.2,0.3],[-5,-5,-5]]}', {}),), models="multi"),
    Case(
        "app_root_and_source_dir",
        "app_root",
        (
            post("{}", {}),
            *swagger("2", "3"),
        ),
        env=(("AML_APP_ROOT", "{fixture}"), ("AZUREML_SOURCE_DIRECTORY", "src")),
    ),
    Case(
        "entry_script_from_env",
        "app_root",
        (post("{}", {}), *swagger("3")),
        env=(("AML_APP_ROOT", "{fixture}"), ("AZUREML_SOURCE_DIRECTORY", "src"), ("AZUREML_ENTRY_SCRIPT", "score.py")),
        ours_entry_from_env=True,
    ),
    Case(
        "single_model_from_model_flag",
        "sklearn_model",
        (post('{"data":[[0.1,0.2,0.3]]}', {}),),
        env=(("AML_APP_ROOT", "{tmp}"),),
        models="ridge",
        ours_models=("{models}/model.joblib:ridge:1",),
    ),
    Case(
        "multi_model_from_model_flags",
        "multi_model",
        (post('{"data":[[0.1,0.2,0.3],[-5,-5,-5]]}', {}),),
        env=(("AML_APP_ROOT", "{tmp}"),),
        models="multi",
        ours_models=("{models}/ridge/1/model.joblib:ridge:1", "{models}/labels/3/labels.json:labels:3"),
    ),
    Case(
        "cors_origins",
        "echo",
        (
            post('{"a":1}', {"Origin": "http://allowed.example"}),
            get("/score", headers={"Origin": "http://other.example"}),
            Req(
                "OPTIONS",
                "/score",
                {
                    "Origin": "http://allowed.example",
                    "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "Content-Type, Authorization",
                },
                None,
                200,
            ),
            get("/", headers={"Origin": "http://b.example"}, compare="bytes"),
            get("/swagger.json", headers={"Origin": "http://b.example"}),
            get("/nope", 404, headers={"Origin": "http://b.example"}),
        ),
        env=(("AML_CORS_ORIGINS", CORS),),
    ),
    Case(
        "cors_any_origin",
        "echo",
        (
            post('{"a":1}', {"Origin": "http://anywhere.example"}),
            Req("OPTIONS", "/score", {"Origin": "http://x.example", "Access-Control-Request-Method": "GET"}, None, 200),
        ),
        env=(("AML_CORS_ORIGINS", "*"),),
    ),
    Case(
        "service_identity_swagger",
        "echo",
        (*swagger("2", "3"),),
        env=(("SERVICE_NAME", "my-svc"), ("SERVICE_VERSION", "2.5"), ("SERVICE_PATH_PREFIX", "api/v1")),
    ),
]

SERVER_VERSION = [
    Case(
        "server_version_header_off",
        "echo",
        (get("/score"), get("/", compare="bytes")),
        env=(("SERVER_VERSION_LOG_RESPONSE_ENABLED", "false"),),
    ),
]

STARTUP = [
    Case("startup_init_raises", "init_raises", startup_failure=("boom-in-init", "RuntimeError")),
    Case("startup_missing_run", "no_run", startup_failure=("run()",)),
    Case("startup_missing_init", "no_init", startup_failure=("init()",)),
    Case("startup_import_error", "import_error", startup_failure=("module_that_does_not_exist_xyz",)),
    Case("startup_star_args", "bad_signature", startup_failure=("*args",)),
    Case("startup_rawhttp_with_schema", "rawhttp_and_schema", startup_failure=("@rawhttp", "@input_schema")),
]
