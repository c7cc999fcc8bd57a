"""A client generated from the published OpenAPI document (openapi-python-client) works against the server.

The generator must run without a warning: a warning means part of the API went missing from the client.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.browser.conftest import live_server  # noqa: F401 - the same live server fixture

GENERATOR = Path(sys.executable).parent / "openapi-python-client"


def _generate(base_url: str, where: Path) -> str:
    spec = where / "openapi.json"
    with urllib.request.urlopen(f"{base_url}/api/v1/openapi.json", timeout=30) as response:  # noqa: S310 - loopback
        spec.write_bytes(response.read())
    done = subprocess.run(  # noqa: S603 - the venv's own generator on our own document
        [str(GENERATOR), "generate", "--path", str(spec), "--meta", "none", "--output-path", str(where / "api_client")],
        capture_output=True,
        text=True,
        check=False,
        # its post-generation hook formats the code with ruff, which lives beside it
        env={**os.environ, "PATH": f"{GENERATOR.parent}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_a_generated_client_calls_the_api(live_server, tmp_path):  # noqa: F811 - the fixture imported above
    output = _generate(live_server, tmp_path)
    assert "Warning" not in output and "Unable" not in output, output

    sys.path.insert(0, str(tmp_path))
    try:
        client_module = importlib.import_module("api_client")
        tokens = importlib.import_module("api_client.api.api_auth.post_api_v1_tokens")
        me = importlib.import_module("api_client.api.api_auth.get_api_v1_me")
        directives = importlib.import_module("api_client.api.api_directives.get_api_v1_directives")
        assignments = importlib.import_module("api_client.api.api_assignments.get_api_v1_assignments")
        token_request = importlib.import_module("api_client.models.token_request").TokenRequest

        token = tokens.sync(
            client=client_module.Client(base_url=live_server),
            body=token_request(username="justice.tayninh", password="demo-2026"),
        )
        signed_in = client_module.AuthenticatedClient(base_url=live_server, token=token.token)

        assert me.sync(client=signed_in).username == "justice.tayninh"
        assert [d.ref for d in directives.sync(client=signed_in).items] == ["2157/UBND-KSTT"]
        work = assignments.sync(client=signed_in, agency="TN-STP", page_size=100).items
        assert work and {item.agency.code for item in work} == {"TN-STP"}
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == "api_client" or n.startswith("api_client.")]:
            del sys.modules[name]
