"""Schemathesis against the real server: every operation of /api/openapi.json, as each role
(supervisor, operator, admin, crew and no token), must answer only what the document says
(status, content type, headers, body: not_a_server_error, status_code_conformance,
content_type_conformance, response_headers_conformance, response_schema_conformance) and refuse
what the document refuses (negative_data_rejection); never a 5xx.

Run over real HTTP (``live_server``), with schemathesis's own command line in a process of its
own (the server keeps this one; the two share the machine's cores, not one interpreter lock).
The run is fixed (seed 119, derandomized, no shrinking, no Hypothesis database) and bounded:
MAX_EXAMPLES cases per operation in the fuzzing phase plus the coverage phase's cases (each bound,
each enum value, each optional field; for the supervisor also each bound overstepped, each wrong
type, each required field left out): about 2,850 cases in all (supervisor ~1,390, each other
role ~360), about 60 s on an idle 2-core machine. A failure prints the operation, the check that
failed and a curl command that repeats the request.

``POST /api/auth/logout`` revokes the token it is sent with, so it runs last for each role, by
itself: after its first case the token is gone and the rest are its documented 401.

positive_data_acceptance is not checked: JSON Schema counts 1.0 as an integer, and the server's
ids are strict (``"unit_id": 1.0`` is 422), which no schema can say; with that check on, those are
its only failures.

SQLite only: the document and the validation are the same on both databases, and the
database-specific answers (503 database_unavailable, what PostgreSQL refuses to store) have their
own tests (test_database.py, test_serving.py, test_bad_input.py); the fuzz would only double the
suite's time on PostgreSQL.
"""
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="the fuzz runs on SQLite only: the document and the "
                                "validation do not depend on the database (see the module docstring)")

SEED = 119
MAX_EXAMPLES = 5
# role -> (the world's user, None: no token; the coverage phase's cases: positive or all).
# The supervisor, who may do the most, also gets the coverage phase's negative cases (a value
# past each bound, of each wrong type, each required field missing: about 1,000 requests);
# the others its positive ones (each bound, each enum value, each optional field).
ROLES = {"supervisor": ("sup", "all"), "operator": ("op", "positive"), "admin": ("adm", "positive"),
         "crew": ("crew_a", "positive"), "no token": (None, "positive")}
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_headers_conformance", "response_schema_conformance", "negative_data_rejection")
ST = Path(sys.executable).with_name("st")
LOGOUT = "/api/auth/logout"

CONFIG = """
seed = {seed}
color = false
suppress-health-check = ["all"]

[cache]
enabled = false

[generation]
max-examples = {max_examples}
deterministic = true
no-shrink = true
database = "none"

[phases.coverage.generation]
mode = "{coverage}"

[phases.stateful]
enabled = false

[checks]
enabled = false
{checks}
"""


def run_schemathesis(tmp_path, live_server, token, coverage, *filters):
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG.format(seed=SEED, max_examples=MAX_EXAMPLES, coverage=coverage,
                                    checks="\n".join(f"{name}.enabled = true" for name in CHECKS)))
    command = [str(ST), "--config-file", str(config), "run", f"{live_server}/api/openapi.json",
               "--workers", "1", "--request-timeout", "30", *filters]
    if token is not None:
        command += ["--header", f"Authorization: Bearer {token}"]
    env = {**os.environ, "HYPOTHESIS_STORAGE_DIRECTORY": str(tmp_path / "hypothesis"), "NO_COLOR": "1",
           "COLUMNS": "200"}
    # Run in tmp_path: nothing (a Hypothesis database, a report) is written into the repository.
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    output = done.stdout + done.stderr
    cases = re.search(r"Test cases:\s+(\d+) generated", output)
    return done.returncode, int(cases.group(1)) if cases else 0, output


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_as_documented(role, world, live_server, tmp_path):
    user, coverage = ROLES[role]
    token = world.tokens[user] if user else None
    started, total, failures = time.monotonic(), 0, []
    # Logout last: it revokes the token.
    for filters in (("--exclude-path", LOGOUT), ("--include-path", LOGOUT)):
        code, cases, output = run_schemathesis(tmp_path, live_server, token, coverage, *filters)
        total += cases
        if code != 0 or cases == 0:
            failures.append(f"===== as {role} ({' '.join(filters)}): exit {code}, {cases} cases\n{output}")
    print(f"schemathesis as {role}: {total} cases in {time.monotonic() - started:.1f} s")
    assert not failures, "\n".join(failures)
