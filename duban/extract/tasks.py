"""Tasks: the numbered action items of a plan, with their responsible units and due date."""

from __future__ import annotations

from .model import Doc, Item, Span
from .outline import outline


def extract_tasks(doc: Doc) -> None:
    """Append a task per numbered action item; its due is the latest of its milestones (run milestones first)."""
    milestones = [it for it in doc.items if it.kind == "milestone"]
    for item in outline(doc):
        if not item.is_task:
            continue
        dues = [m.fields["due"] for m in milestones if item.line <= m.span.line_start <= item.last_line]
        span = Span(item.line, item.last_line, _quote(doc, item.line, item.last_line))
        doc.items.append(
            Item("task", span, {
                "number": item.marker,
                "title": item.title,
                "units": list(item.units),
                "due": max(dues) if dues else None,
            })
        )


def _quote(doc: Doc, first: int, last: int) -> str:
    return "\n".join(doc.line(n) for n in range(first, last + 1)).strip()
