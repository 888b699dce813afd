#!/usr/bin/env python3
"""Fuzzes the JSON API with Schemathesis against the generated OpenAPI document.

Starts the debug build on a throw-away SQLite database with the demo accounts, creates real
data through the API (an organisation, a submitted application with a mockup, a draft, sandbox
credentials, a gateway key, a message), so that routes taking ids reach their logic, then runs
Schemathesis with every check and the stateful phase, once signed in as the admin and once as
the developer. Exits non-zero on any failure.

Usage: scripts/fuzz-api.py [--binary target/debug/portcullis] [--max-examples N]
"""

import argparse
import importlib.util
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PASSWORDS = {
    "developer": ("developer@demo.portcullis.test", "demo-developer-password"),
    "reviewer": ("reviewer@demo.portcullis.test", "demo-reviewer-password"),
    "admin": ("admin@demo.portcullis.test", "demo-admin-password"),
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def png(width=4, height=4):
    """A small valid PNG, white."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


class Portal:
    def __init__(self, binary, data_dir):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(
            os.environ,
            DATABASE_URL=f"sqlite://{data_dir}/portcullis.db?mode=rwc",
            PORTCULLIS_ADDR=f"127.0.0.1:{self.port}",
            PORTCULLIS_DATA_DIR=str(data_dir),
            PORTCULLIS_PUBLIC_URL=self.url,
            PORTCULLIS_SITE_ROOT=str(ROOT / "target/site"),
            # The stages sign in as the demo admin with a password only; --demo implies this
            # unless the caller's environment sets it.
            PORTCULLIS_REQUIRE_MFA="off",
            RUST_LOG="warn",
        )
        self.log = open(data_dir / "server.log", "w")
        self.process = subprocess.Popen(
            [binary, "serve", "--demo"], env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT
        )
        for _ in range(600):
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        sys.exit(f"fuzz: the portal did not start; see {data_dir / 'server.log'}")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()

    def session(self, role):
        email, password = PASSWORDS[role]
        session = requests.Session()
        answer = session.post(f"{self.url}/api/v1/auth/login", json={"email": email, "password": password})
        expect(answer, 200, f"sign in as {role}")
        return session


def expect(answer, status, what):
    if answer.status_code != status:
        sys.exit(f"fuzz: setup failed to {what}: {answer.status_code} {answer.text[:500]}")
    return answer.json() if answer.content else None


def seed(portal):
    """Real objects for the routes that take ids; returns the ids by name."""
    api = f"{portal.url}/api/v1"
    developer = portal.session("developer")
    admin = portal.session("admin")
    reviewer = portal.session("reviewer")
    org = expect(
        developer.post(
            f"{api}/orgs",
            json={
                "name": "Fuzz Apps",
                "country": "DE",
                "website": "https://fuzz.example",
                "contact_email": "developer@demo.portcullis.test",
            },
        ),
        201,
        "create an organisation",
    )["org"]
    created = expect(
        developer.post(f"{api}/applications", json={"org_id": org["id"], "name": "Fuzz Reader"}),
        201,
        "create an application",
    )["application"]
    app_id = created["id"]
    expect(
        developer.patch(
            f"{api}/applications/{app_id}",
            json={
                "description": "Reads a user's posts to build a printed yearbook.",
                "website_url": "https://fuzz.example",
                "privacy_policy_url": "https://fuzz.example/privacy",
                "redirect_uris": ["https://fuzz.example/callback"],
                "use_case": (
                    "A printed yearbook of the user's own posts, ordered by the user. We read the posts once, "
                    "lay them out by month, show the user a proof to approve, print the book and delete the "
                    "copy when it ships. Only posts are needed: no messages, followers or activity."
                ),
                "scopes": [
                    {"name": "portability.posts.single", "justification": "The posts are the yearbook's pages."}
                ],
                "eea": {
                    "serves_eea_users": True,
                    "countries": ["DE", "FR"],
                    "distinguishing_method": "The billing and shipping address of the order, checked against the EEA list.",
                },
                "data_handling": {
                    "storage_region": "EU",
                    "retention_days": 30,
                    "encryption_at_rest": True,
                    "deletion_process": "Deleted 30 days after the book ships.",
                    "subprocessors": [],
                    "security_contact_email": "security@fuzz.example",
                },
            },
        ),
        200,
        "fill in the application",
    )
    mockup = expect(
        developer.post(
            f"{api}/applications/{app_id}/mockups",
            files={"file": ("consent.png", png(), "image/png")},
            data={"label": "Consent screen"},
        ),
        201,
        "upload a mockup",
    )
    expect(developer.post(f"{api}/applications/{app_id}/submit"), 200, "submit")
    credentials = expect(
        developer.post(f"{api}/applications/{app_id}/credentials", json={"environment": "sandbox"}),
        201,
        "issue sandbox credentials",
    )
    expect(developer.post(f"{api}/applications/{app_id}/messages", json={"body": "Hello."}), 201, "post a message")
    expect(reviewer.post(f"{api}/applications/{app_id}/assign", json={}), 200, "claim the application")
    draft = expect(
        developer.post(f"{api}/applications", json={"org_id": org["id"], "name": "Fuzz Draft"}),
        201,
        "create a draft",
    )["application"]
    gateway_key = expect(admin.post(f"{api}/gateway-keys", json={"name": "Fuzz gateway"}), 201, "create a gateway key")
    me = expect(developer.get(f"{api}/me"), 200, "read the developer")["user"]
    review = expect(reviewer.get(f"{api}/applications/{app_id}/review"), 200, "read the review")
    item_id = first_item(review)
    return {
        "app": app_id,
        "draft": draft["id"],
        "org": org["id"],
        "mockup": mockup["id"],
        "client_id": credentials["client_id"],
        "client_secret": credentials.get("client_secret", ""),
        "gateway_key": gateway_key["id"],
        "gateway_secret": gateway_key["key"],
        "user": me["id"],
        "item": item_id,
        "sessions": {"admin": admin, "developer": developer},
    }


def first_item(review):
    items = review.get("items") or []
    if not items:
        sys.exit("fuzz: setup found no checklist item in the review")
    return items[0]["item_id"]


def config(ids, cookie, max_examples):
    """A schemathesis.toml: the session, and real ids for each kind of path."""
    operations = [
        ("^/api/v1/applications/", {"id": ids["app"], "mockup_id": ids["mockup"], "item_id": ids["item"]}),
        ("^/api/v1/orgs/", {"id": ids["org"], "user_id": ids["user"]}),
        ("^/api/v1/users/", {"id": ids["user"]}),
        ("^/api/v1/credentials/", {"client_id": ids["client_id"]}),
        ("^/api/v1/gateway-keys/", {"id": ids["gateway_key"]}),
    ]
    # A schema-valid request may still be refused for what a schema cannot say: a country
    # that is no ISO code, a scope not in the catalogue, a decision's reason that the kind
    # of decision requires (422 with `fields`), or a link's token the fuzzer cannot know (400).
    accepted = '["2xx", "3xx", 401, 403, 404, 409, 422, 429]'
    lines = [
        f"generation.max-examples = {max_examples}",
        "generation.deterministic = true",
        "request-timeout = 30.0",
        *(["[auth.openapi.session]", f'api_key = "{cookie}"'] if cookie else []),
        "[checks.positive_data_acceptance]",
        f"expected-statuses = {accepted}",
        "[phases.stateful]",
        "enabled = true",
        "max-steps = 8",
    ]
    for regex, params in operations:
        values = ", ".join(f'"path.{k}" = "{v}"' for k, v in params.items())
        lines += ["[[operations]]", f'include-path-regex = "{regex}"', f"parameters = {{ {values} }}"]
    # OAuth answers every problem with a request with 400 and an RFC 6749 error code: a
    # parameter sent twice, both client authentication methods at once, an unknown grant type.
    lines += [
        "[[operations]]",
        'include-path-regex = "(verify-email|verify-contact|password-reset/confirm|invitations/accept)$|^/oauth/"',
        "checks.positive_data_acceptance.expected-statuses = " + accepted[:-1] + ", 400]",
    ]
    return "\n".join(lines) + "\n"


def run(portal, ids, role, max_examples, work):
    """One Schemathesis run: as a signed-in `admin` or `developer` over the JSON API, or as the
    platform's `gateway` over the OAuth endpoints (and signing out, which needs no session)."""
    path = work / f"schemathesis-{role}.toml"
    if role == "gateway":
        text = config(ids, None, max_examples)
        text += "\n".join(
            [
                "[auth.openapi.clientBasic]",
                f'username = "{ids["client_id"]}"',
                f'password = "{ids["client_secret"]}"',
                "[auth.openapi.gatewayKey]",
                f'bearer = "{ids["gateway_secret"]}"',
            ]
        )
        selection = ["--include-path-regex", "^/oauth/|^/api/v1/auth/logout$"]
    else:
        text = config(ids, ids["sessions"][role].cookies.get("portcullis_session"), max_examples)
        # Signing out would end the session the rest of the run uses.
        selection = ["--exclude-path-regex", "^/oauth/|^/api/v1/auth/logout$"]
    path.write_text(text + "\n")
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(path), "run", f"{portal.url}/api/v1/openapi.json", "--url", portal.url]
    print(f"fuzz: as the {role}", flush=True)
    return subprocess.run(command + selection, cwd=work).returncode


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=str(ROOT / "target/debug/portcullis"))
    parser.add_argument("--max-examples", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    args = parser.parse_args()
    if importlib.util.find_spec("schemathesis") is None:
        sys.exit("fuzz: Schemathesis is missing; run scripts/deps.sh test")
    work = Path(tempfile.mkdtemp(prefix="portcullis-fuzz-"))
    portal = Portal(args.binary, work)
    try:
        ids = seed(portal)
        failed = [role for role in ("admin", "developer", "gateway") if run(portal, ids, role, args.max_examples, work) != 0]
    finally:
        portal.stop()
    if failed:
        sys.exit(f"fuzz: failures as {', '.join(failed)}; the server's log is {work / 'server.log'}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    print("fuzz: no failures")


if __name__ == "__main__":
    main()
