"""Schemathesis against the API's own OpenAPI document (/api/schema/), with seeded people's tokens: the supervising
office's supervisor (positive and negative modes) and a responsible unit's staff (positive mode).

Every operation, the state-changing ones included, is fuzzed against this test's throwaway database: a seeded ledger
with items in every state, claims, change requests and stored evidence, so the requests reach real objects and real
answers (200s, 201s, 403s and 409s, not only 401s and 404s). Path ids and the ids in request bodies are drawn, part
of the time, from the objects that exist.

Schemathesis's default checks run on every response: no 5xx, status codes and content types documented, responses
conforming to their schemas, schema-valid requests accepted and invalid ones rejected, authentication not ignored.
One allowance: on actions (POST), a schema-valid request may be refused with 400 as well as 403/404/409, because the
ledger's rules refuse what no schema can describe (a blank reason, a verification citing no evidence, a file whose
bytes are not an accepted type) and the API answers such a refusal with 400 and the rule's message.

Schemathesis's pytest plugin (`schema.parametrize`) does not run under pytest 9 as installed here (it sets
`Node._nodeid`, which pytest 9 no longer has), so the test drives each operation's Hypothesis strategy itself.
"""

from __future__ import annotations

import io
import time

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, assume, given, settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.config import SchemathesisConfig
from schemathesis.core import NotSet
from schemathesis.generation import GenerationMode

from api_world import build_world, draft
from duban.ledger.models import ChangeRequest, CompletionClaim, Evidence, Item, Organisation, SourceDocument
from duban.ledger.services import evidence as evidence_store, workflow
from duban.ledger.services.tokens import issue_token
from duban.wsgi import application

EXAMPLES = 12  # per operation and run: each of the three runs of 25 operations takes about 8 s here
SEED = 20250303
BUDGET_SECONDS = 60
ACTION_STATUSES = ["2xx", "400", "401", "403", "404", "409", "413"]


def seed_ledger(world, on_commit) -> None:
    """Items in every state the workflow reaches, with claims, requests and evidence files on disk."""
    with on_commit(execute=True):
        photo = evidence_store.store_evidence(io.BytesIO(b"photographs of the new pipes\n"), "photos.txt",
                                              content_type="text/plain", actor=world.housing_staff)
    today = timezone.localdate()
    workflow.report_progress(world.housing_staff, world.housing_item, "pipes laid", evidence=[photo], on=today)
    workflow.claim_completion(world.housing_staff, world.housing_item, evidence=[photo], on=today)
    workflow.request_deadline_change(world.bigdata_staff, world.bigdata_item, world.bigdata_item.due.replace(year=2031),
                                     "the supplier is late", on=today)
    workflow.request_cancellation(world.bigdata_staff, world.bigdata_item, "merged into another task", on=today)
    for number in ("(4)", "(5)", "(6)"):
        draft(world.feedback, number)


def dictionaries() -> dict:
    def ids(queryset) -> dict:
        return {"values": sorted(queryset.values_list("pk", flat=True)) or [1]}

    return {
        "items": ids(Item.objects.all()),
        "claims": ids(CompletionClaim.objects.all()),
        "requests": ids(ChangeRequest.objects.all()),
        "documents": ids(SourceDocument.objects.all()),
        "evidence": ids(Evidence.objects.all()),
        "organisations": ids(Organisation.objects.all()),
    }


def config() -> SchemathesisConfig:
    def real(path_regex: str, dictionary: str, **body: str) -> dict:
        parameters = {"path.id": {"dictionary": dictionary, "probability": 0.7}}
        parameters.update({f"body.{field}": {"dictionary": name, "probability": 0.7} for field, name in body.items()})
        return {"include-path-regex": path_regex, "parameters": parameters}

    return SchemathesisConfig.from_dict({
        "seed": SEED,
        "dictionaries": dictionaries(),
        "operations": [
            real(r"^/api/items/\{id\}/$", "items"),
            real(r"^/api/items/\{id\}/assign/$", "items", lead="organisations", **{"co_owners[*]": "organisations"}),
            real(r"^/api/items/\{id\}/(verify|reject-claim)/$", "items", claim="claims", **{"evidence_ids[*]": "evidence"}),
            real(r"^/api/items/\{id\}/(progress|claim)/$", "items", **{"evidence_ids[*]": "evidence"}),
            real(r"^/api/items/\{id\}/[a-z-]+/$", "items"),
            real(r"^/api/claims/\{id\}/$", "claims"),
            real(r"^/api/change-requests/\{id\}/", "requests"),
            real(r"^/api/documents/\{id\}/$", "documents"),
            real(r"^/api/evidence/\{id\}/", "evidence"),
            real(r"^/api/organisations/\{id\}/$", "organisations"),
            {"include-method": "POST",
             "checks": {"positive_data_acceptance": {"expected-statuses": ACTION_STATUSES}}},
        ],
    })


@pytest.fixture
def wsgi_in_the_test_transaction():
    """Schemathesis calls the WSGI application itself, whose request signals would close the database connection
    holding the test's transaction (PostgreSQL); Django's test client detaches them the same way."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    yield
    for signal in signals:
        signal.connect(close_old_connections)


@pytest.fixture
def fuzzed(db, settings, tmp_path, django_capture_on_commit_callbacks, wsgi_in_the_test_transaction):
    settings.EVIDENCE_DIR = tmp_path / "evidence"
    world = build_world()
    seed_ledger(world, django_capture_on_commit_callbacks)
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=config())
    return schema, world


@pytest.mark.parametrize(("username", "mode"), [
    ("sup", GenerationMode.POSITIVE),  # the supervising office: assigns, confirms, verifies, approves
    ("sup", GenerationMode.NEGATIVE),
    ("housing_staff", GenerationMode.POSITIVE),  # an owner: reports progress with files, claims, asks for changes
], ids=lambda value: getattr(value, "value", value))
def test_the_api_conforms_to_its_openapi_document(fuzzed, username, mode):
    schema, world = fuzzed
    token = issue_token(getattr(world, username))
    started, failures, answered = time.monotonic(), [], {}
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=lambda op: op.label)
    assert len(operations) >= 25

    for operation in operations:
        codes = answered.setdefault(operation.label, set())

        @hypothesis_settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                             suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def exercise(case):
            # A multipart body is a set of named parts: a "negated" one that is not an object (a bare number) is not
            # multipart at all, and any multipart parser skips its nameless part; such a case tests nothing of ours.
            assume(not (case.media_type == "multipart/form-data" and not isinstance(case.body, (dict, NotSet))))
            response = case.call_and_validate(headers={"Authorization": f"Token {token}"})
            codes.add(response.status_code)

        try:
            exercise()
        except Unsatisfiable:
            assert mode == GenerationMode.NEGATIVE, f"{operation.label}: no valid request could be generated"
            # an operation without parameters or body (GET /api/me/) has nothing to make invalid
        except (Exception, BaseExceptionGroup) as failure:  # Schemathesis reports a group of failures
            failures.append(f"{operation.label}:\n{failure}")

    print(username, mode.value, round(time.monotonic() - started, 1), answered)
    assert not failures, "\n\n".join(failures)
    if mode == GenerationMode.POSITIVE and username == "sup":
        # The token works: every operation answered as the seeded person, and the reads found real objects.
        assert not any(codes == {401} for codes in answered.values()), answered
        for label in ("GET /api/items/", "GET /api/items/{id}/", "GET /api/documents/{id}/", "GET /api/claims/{id}/",
                      "GET /api/evidence/{id}/download/", "GET /api/me/"):
            assert 200 in answered[label], (label, answered[label])
    if mode == GenerationMode.POSITIVE and username == "housing_staff":
        assert 201 in answered["POST /api/items/{id}/progress/"], answered["POST /api/items/{id}/progress/"]
    assert time.monotonic() - started < BUDGET_SECONDS
