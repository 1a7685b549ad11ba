"""Tasks: the numbered action items of a plan, with their responsible units and due date."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from .model import Doc, Item, Span
from .outline import outline


def extract_tasks(doc: Doc) -> None:
    """Append a task per numbered action item; its due is the latest of its milestones (run milestones first)."""
    milestones = sorted((it.span.line_start, it.fields["due"]) for it in doc.items if it.kind == "milestone")
    milestone_lines = [line for line, _ in milestones]
    for item in outline(doc):
        if not item.is_task:
            continue
        first, last = bisect_left(milestone_lines, item.line), bisect_right(milestone_lines, item.last_line)
        span = Span(item.line, item.last_line, _quote(doc, item.line, item.last_line))
        doc.items.append(
            Item("task", span, {
                "number": item.marker,
                "title": item.title,
                "units": list(item.units),
                "due": max((due for _, due in milestones[first:last]), default=None),
            })
        )


def _quote(doc: Doc, first: int, last: int) -> str:
    return "\n".join(doc.lines[first - doc.first_line : last - doc.first_line + 1]).strip()
