"""Import: the extractor's documents and items stored as drafts, one transaction per file, new versions listed for a person."""

from __future__ import annotations

import hashlib
import json
import os
import signal
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from difflib import SequenceMatcher
from enum import StrEnum
from typing import Any, Iterable

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ...corpus.errors import InputError
from ...corpus.formats import open_source
from ...extract.model import EXTRACTOR_VERSION, Doc, document_records
from ...extract.pipeline import extract_file
from ..choices import ItemKind, ItemState
from ..errors import InvalidState, LedgerError
from ..models import Item, Organisation, SourceDocument, SourceFile
from . import history, permissions
from .evidence import reconcile_evidence

SUPERSEDES = "supersedes"  # in a draft read from a newer version: the id of the item it would change
APPLIED_TO = "applied_to"  # in such a draft once accepted: the id of the item it changed
COMMON_FIELDS = frozenset({"kind", "id", "file", "doc", "line_start", "line_end", "quote", "date", "extractor_version"})
DATED_KINDS = (ItemKind.TASK, ItemKind.MILESTONE)
SIMILAR = 0.6  # how alike two texts must be to count as one item changed rather than one removed and one added
KILL_AFTER_ITEMS = "DUBAN_TEST_KILL_AFTER_ITEMS"  # tests: SIGKILL the process once this many items are written


class IngestStatus(StrEnum):
    CREATED = "created"
    NEW_VERSION = "new_version"
    UNCHANGED = "unchanged"


@dataclass
class DocumentChanges:
    """One document as stored, and how its items differ from its previous version (all added for a first version)."""

    document: SourceDocument
    previous: SourceDocument | None
    added: list[Item] = field(default_factory=list)
    changed: list[tuple[Item, Item]] = field(default_factory=list)  # (the item as it stands, the draft that would change it)
    removed: list[Item] = field(default_factory=list)  # items the new version no longer holds


@dataclass
class IngestResult:
    path: str
    status: IngestStatus
    source_file: SourceFile
    documents: list[DocumentChanges] = field(default_factory=list)
    removed_documents: list[SourceDocument] = field(default_factory=list)


@dataclass
class IngestBatch:
    results: list[IngestResult]
    failures: list[tuple[str, Exception]]  # (path, the error that stopped that file)


def file_digest(path: str) -> tuple[str, int]:
    """A file's sha256 and size, read in chunks so a large file is never held whole."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _iso_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _kind_fields(record: dict[str, Any]) -> dict[str, Any]:
    """The record's own fields, in the form the JSON column gives them back."""
    return json.loads(json.dumps({k: v for k, v in record.items() if k not in COMMON_FIELDS}))


def _extracted_data(item: Item) -> dict[str, Any]:
    return {k: v for k, v in item.data.items() if k not in (SUPERSEDES, APPLIED_TO)}


def _content(kind: str, quote: str, data: dict[str, Any]) -> str:
    """What an item says, without where it sits: equal content across versions means the item did not change."""
    return json.dumps([kind, quote, data], sort_keys=True, ensure_ascii=False)


def _wording(quote: str, fields: dict[str, Any]) -> str:
    """The text two versions of an item are compared by: the quote, and an indicator's name (one clause may hold two)."""
    return f"{quote}\n{fields.get('name') or ''}"


def _similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return 0.0
    return matcher.ratio()


def _known_file(sha256: str) -> SourceFile | None:
    return SourceFile.objects.filter(sha256=sha256, extractor_version=EXTRACTOR_VERSION).first()


def _kill_limit() -> int:
    return int(os.environ.get(KILL_AFTER_ITEMS) or 0)


def ingest_file(path: str, *, actor: str = "system", supervising_office: Organisation | None = None,
                at: datetime | None = None) -> IngestResult:
    """Read a file with the extractor and store its documents and items as drafts, in one transaction.

    The same bytes read by the same extractor version change nothing. A changed file (same path as given) or a
    newer extractor version stores each document as a new version and lists the items that changed; items
    already confirmed are never changed here (see accept_version_change). Bad input raises InputError.
    """
    reconcile_evidence()
    source = open_source(path)
    source.check()
    sha256, size = file_digest(path)
    if known := _known_file(sha256):
        return IngestResult(path, IngestStatus.UNCHANGED, known)
    extracted = [(doc, document_records(doc)) for doc in extract_file(path)]
    at = at or timezone.now()
    try:
        with transaction.atomic():
            if known := _known_file(sha256):
                return IngestResult(path, IngestStatus.UNCHANGED, known)
            return _store_file(path, sha256, size, source.format, extracted, actor, supervising_office, at)
    except IntegrityError as e:
        if known := _known_file(sha256):  # another process stored the same file first
            return IngestResult(path, IngestStatus.UNCHANGED, known)
        raise LedgerError(f"{path}: another import of the same documents ran at the same time; import it again") from e


def ingest_files(paths: Iterable[str], *, actor: str = "system", supervising_office: Organisation | None = None,
                 at: datetime | None = None) -> IngestBatch:
    """Each file in its own transaction; a file that fails is listed and the others go on."""
    batch = IngestBatch([], [])
    for path in paths:
        try:
            batch.results.append(ingest_file(path, actor=actor, supervising_office=supervising_office, at=at))
        except (InputError, LedgerError) as e:
            batch.failures.append((path, e))
    return batch


def _previous_heads(path: str, sha256: str) -> list[SourceDocument]:
    """The latest version of each document earlier read from this path or these bytes, newest file first."""
    return list(
        SourceDocument.objects.filter(Q(file__name=path) | Q(file__sha256=sha256), next_version__isnull=True)
        .select_related("file").order_by("-file_id", "index")
    )


def _match_documents(docs: list[Doc], candidates: list[SourceDocument]) -> dict[int, SourceDocument]:
    """Pair each new document with its previous version: the same title first, else the most similar title."""
    free = list(candidates)
    pairs: dict[int, SourceDocument] = {}
    for doc in docs:
        same = [c for c in free if c.title == doc.title]
        if same:
            pairs[doc.index] = next((c for c in same if c.index == doc.index), same[0])
            free.remove(pairs[doc.index])
    for doc in docs:
        if doc.index in pairs or not free:
            continue
        ratio, best = max(((_similarity(c.title, doc.title), c) for c in free), key=lambda pair: pair[0])
        if ratio >= SIMILAR:
            pairs[doc.index] = best
            free.remove(best)
    return pairs


def _store_file(path: str, sha256: str, size: int, fmt: str, extracted: list[tuple[Doc, list[dict]]], actor: str,
                supervising_office: Organisation | None, at: datetime) -> IngestResult:
    candidates = _previous_heads(path, sha256)
    source_file = SourceFile.objects.create(name=path, sha256=sha256, size=size, format=fmt,
                                            extractor_version=EXTRACTOR_VERSION, ingested_at=at)
    history.record(actor, "file.ingest", source_file, at=at, after={
        "name": path, "sha256": sha256, "size": size, "format": fmt, "extractor_version": EXTRACTOR_VERSION})
    pairs = _match_documents([doc for doc, _ in extracted], candidates)
    result = IngestResult(path, IngestStatus.NEW_VERSION if candidates else IngestStatus.CREATED, source_file)
    writer = _ItemWriter(actor, at)
    for doc, records in extracted:
        previous = pairs.get(doc.index)
        document = SourceDocument.objects.create(
            file=source_file, index=doc.index, record_id=records[0]["id"], title=doc.title, genre=doc.genre,
            date=_iso_date(doc.date), line_start=doc.line_start, line_end=doc.line_end, first_line=doc.first_line,
            text="\n".join(doc.lines), version=previous.version + 1 if previous else 1, previous=previous,
            supervising_office=supervising_office or (previous.supervising_office if previous else None),
        )
        history.record(actor, "document.ingest", document, at=at, after={
            "file": source_file.pk, "sha256": sha256, "extractor_version": EXTRACTOR_VERSION, "index": doc.index,
            "title": doc.title, "genre": doc.genre, "date": doc.date, "version": document.version,
            "previous": previous.pk if previous else None, "supervising_office": document.supervising_office_id,
        })
        result.documents.append(writer.write(document, records[1:], previous))
    matched = {previous.pk for previous in pairs.values()}
    if candidates:
        newest_file = candidates[0].file_id
        result.removed_documents = [c for c in candidates if c.file_id == newest_file and c.pk not in matched]
    return result


def _enclosing_tasks(records: list[dict]) -> dict[int, int]:
    """For each milestone, the index of the task whose line range holds it (the innermost one)."""
    tasks = [(i, r) for i, r in enumerate(records) if r["kind"] == ItemKind.TASK]
    enclosing = {}
    for i, record in enumerate(records):
        if record["kind"] != ItemKind.MILESTONE:
            continue
        holding = [(t["line_start"], j) for j, t in tasks
                   if t["line_start"] <= record["line_start"] and record["line_end"] <= t["line_end"]]
        if holding:
            enclosing[i] = max(holding)[1]
    return enclosing


def _current_items(previous: SourceDocument) -> dict[int, tuple[Item, Item]]:
    """Per item the ledger follows from the earlier versions: (the item itself, its newest extraction).

    A draft read from a later version (data["supersedes"]) is the newest extraction of the item it supersedes,
    until it is accepted; items the ledger made itself (no record id) are not the extractor's.
    """
    chain, document = [], previous
    while document is not None:
        chain.append(document.pk)
        document = document.previous
    lineages: dict[int, list[Item]] = defaultdict(list)
    for item in Item.objects.filter(document_id__in=chain).exclude(record_id=""):
        if APPLIED_TO not in item.data:
            lineages[item.data.get(SUPERSEDES, item.pk)].append(item)
    roots = Item.objects.in_bulk(list(lineages))
    return {root: (roots[root], max(items, key=lambda it: it.pk)) for root, items in lineages.items() if root in roots}


def _match_items(records: list[dict], current: dict[int, tuple[Item, Item]],
                 enclosing: dict[int, int]) -> dict[int, tuple[int, bool]]:
    """Pair new records with the items they are versions of: record index → (item id, content unchanged).

    Only items of one family pair up: the same kind, the same measure for outcomes, and for milestones the same
    task (so the tasks are paired first). Within a family: identical content first, then tasks by number, then
    the most alike text.
    """
    contents = [_content(r["kind"], r.get("quote", ""), _kind_fields(r)) for r in records]
    old_contents = {root: _content(newest.kind, newest.quote, _extracted_data(newest)) for root, (_, newest) in current.items()}
    texts = [_wording(r.get("quote", ""), r) for r in records]
    old_texts = {root: _wording(newest.quote, newest.data) for root, (_, newest) in current.items()}
    matches: dict[int, tuple[int, bool]] = {}
    free = sorted(current)

    def old_family(root: int) -> tuple:
        newest = current[root][1]
        return newest.kind, newest.data.get("measure"), newest.parent_id if newest.kind == ItemKind.MILESTONE else None

    def new_family(i: int) -> tuple:
        record, task = records[i], None
        if record["kind"] == ItemKind.MILESTONE and i in enclosing:
            task = matches[enclosing[i]][0] if enclosing[i] in matches else -1  # -1: a task new in this version
        return record["kind"], record.get("measure"), task

    def pair(indices: list[int]) -> None:
        families = {root: old_family(root) for root in free}
        by_content: dict[tuple, list[int]] = defaultdict(list)
        for root in free:
            by_content[families[root], old_contents[root]].append(root)
        for i in indices:
            if same := by_content.get((new_family(i), contents[i])):
                matches[i] = (same.pop(0), True)
                free.remove(matches[i][0])
        for i in indices:
            number = records[i].get("number")
            if i in matches or records[i]["kind"] != ItemKind.TASK or not number:
                continue
            numbered = [root for root in free if families[root] == new_family(i) and current[root][1].number == number]
            if numbered:
                best = max(numbered, key=lambda root: _similarity(old_texts[root], texts[i]))
                matches[i] = (best, False)
                free.remove(best)
        scored = []
        for i in indices:
            if i not in matches:
                family = new_family(i)
                scored += [(-ratio, i, root) for root in free if families[root] == family
                           and (ratio := _similarity(old_texts[root], texts[i])) >= SIMILAR]
        for _, i, root in sorted(scored):
            if i not in matches and root in free:
                matches[i] = (root, False)
                free.remove(root)

    pair([i for i, r in enumerate(records) if r["kind"] != ItemKind.MILESTONE])
    pair([i for i, r in enumerate(records) if r["kind"] == ItemKind.MILESTONE])
    return matches


class _ItemWriter:
    """Writes the items of each document of one file, counting them for the test kill switch."""

    def __init__(self, actor: str, at: datetime):
        self.actor, self.at = actor, at
        self.written, self.kill_after = 0, _kill_limit()

    def write(self, document: SourceDocument, records: list[dict], previous: SourceDocument | None) -> DocumentChanges:
        changes = DocumentChanges(document, previous)
        current = _current_items(previous) if previous else {}
        enclosing = _enclosing_tasks(records)
        matches = _match_items(records, current, enclosing) if current else {}
        standing: dict[int, Item] = {}  # record index → the item the ledger follows for it (a milestone's parent)
        for i, record in enumerate(records):
            supersedes = None
            if i in matches:
                root, unchanged = matches[i]
                item = current[root][0]
                if unchanged:
                    standing[i] = item
                    continue
                if item.state != ItemState.REJECTED:
                    supersedes = standing[i] = item
            parent = standing.get(enclosing[i]) if i in enclosing else None
            draft = self._create(document, record, parent, supersedes)
            standing.setdefault(i, draft)
            if supersedes is not None:
                changes.changed.append((supersedes, draft))
            else:
                changes.added.append(draft)
        matched = {root for root, _ in matches.values()}
        changes.removed = [item for root, (item, _) in sorted(current.items())
                           if root not in matched and item.state not in (ItemState.REJECTED, ItemState.CANCELLED)]
        return changes

    def _create(self, document: SourceDocument, record: dict, parent: Item | None, supersedes: Item | None) -> Item:
        kind = ItemKind(record["kind"])
        data = _kind_fields(record)
        if supersedes is not None:
            data[SUPERSEDES] = supersedes.pk
        due = _iso_date(record.get("due")) if kind in DATED_KINDS else None
        item = Item.objects.create(
            kind=kind, document=document, parent=parent, record_id=record["id"], line_start=record["line_start"],
            line_end=record["line_end"], quote=record.get("quote", ""), number=record.get("number") or "",
            title=record.get("title") or record.get("name") or "", data=data,
            unit_names=list(record.get("units") or record.get("parties") or []),
            due=due, original_due=due, created_at=self.at, updated_at=self.at,
        )
        after = {"state": item.state, "kind": kind, "record_id": item.record_id, "document": document.pk,
                 "line_start": item.line_start, "line_end": item.line_end, "due": due,
                 "parent": parent.pk if parent else None}
        if supersedes is not None:
            after[SUPERSEDES] = supersedes.pk
        history.record(self.actor, "item.import", item, after=after, at=self.at)
        self.written += 1
        if self.kill_after and self.written >= self.kill_after:
            os.kill(os.getpid(), signal.SIGKILL)
        return item


_VERSIONED_FIELDS = ("document", "record_id", "line_start", "line_end", "quote", "number", "title", "data",
                     "unit_names", "parent")


@transaction.atomic
def accept_version_change(user, new_item: Item, *, at: datetime | None = None) -> Item:
    """Apply a draft read from a newer document version to the item it supersedes, and retire the draft.

    The item keeps its state, owners and history; its source, text and extracted fields become the new version's.
    A changed due date of a confirmed item is recorded as a due change (the original due date is kept).
    """
    new_item.refresh_from_db(from_queryset=Item.objects.select_for_update())
    item_id = new_item.data.get(SUPERSEDES)
    if new_item.state != ItemState.DRAFT or item_id is None or APPLIED_TO in new_item.data:
        raise InvalidState("only a pending draft read from a newer version of a document can be accepted as a change")
    item = Item.objects.select_for_update().get(pk=item_id)
    if item.state == ItemState.REJECTED:
        raise InvalidState("the item this draft would change was rejected as an extraction error: "
                           "confirm the draft as an item of its own instead")
    permissions.require_manage(user, item, action="accept a change from a newer version of its document")
    at = at or timezone.now()
    values = {name: getattr(new_item, Item._meta.get_field(name).attname) for name in _VERSIONED_FIELDS}
    values["data"] = _extracted_data(new_item)
    before, after = {}, {}
    for name, value in values.items():
        attname = Item._meta.get_field(name).attname
        if getattr(item, attname) != value:
            before[name], after[name] = getattr(item, attname), value
            setattr(item, attname, value)
    due_before, due_after = {}, {}
    if item.due != new_item.due:
        if item.state == ItemState.DRAFT:
            before.update(due=item.due, original_due=item.original_due)
            after.update(due=new_item.due, original_due=new_item.due)
            item.due = item.original_due = new_item.due
        else:
            due_before["due"], due_after["due"] = item.due, new_item.due
            if item.original_due is None and item.due is not None:
                due_before["original_due"], due_after["original_due"] = None, item.due
                item.original_due = item.due
            item.due = new_item.due
    item.updated_at = timezone.now()
    changed = {*after, *due_after}
    item.save(update_fields=[Item._meta.get_field(name).attname for name in changed] + ["updated_at"])
    username = user.get_username()
    history.record(username, "item.version_accept", item, before=before, after={**after, "draft": new_item.pk}, at=at)
    if due_after:
        history.record(username, "item.due_change", item, before=due_before,
                       after={**due_after, "draft": new_item.pk, "document": new_item.document_id}, at=at)
    new_item.state = ItemState.REJECTED
    new_item.data = {**new_item.data, APPLIED_TO: item.pk}
    new_item.updated_at = item.updated_at
    new_item.save(update_fields=["state", "data", "updated_at"])
    history.record(username, "item.version_applied", new_item, before={"state": ItemState.DRAFT},
                   after={"state": ItemState.REJECTED, APPLIED_TO: item.pk}, at=at)
    return item
