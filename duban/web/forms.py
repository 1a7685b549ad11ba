"""The pages' forms: what each action asks for. They parse input; the ledger's services decide whether it is allowed.

Texts a rule requires (reasons, notes of a failed check) are marked required in the browser, but the form lets
them through empty so that the service refusing them says why, the same way for the pages, the API and the CLI.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from duban.ledger.models import Evidence, Organisation
from duban.ledger.services.reinspection import MAX_SAMPLE
from duban.ledger.services.texts import MAX_TEXT

from .filters import OrganisationChoiceField

ASKED = {"required": True}  # the browser asks for it; the service refuses it missing


def _text(label: str, *, rows: int = 3, asked: bool = True, **kwargs) -> forms.CharField:
    attrs = {"rows": rows, **(ASKED if asked else {})}
    return forms.CharField(label=label, required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs=attrs), **kwargs)


def _day(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date", **kwargs.pop("attrs", {})}),
                           **kwargs)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class EvidenceFilesField(forms.FileField):
    """Any number of files; each is stored, and size- and type-checked, by the evidence service."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(settings.DUBAN_EVIDENCE_TYPES)}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        pieces = data if isinstance(data, (list, tuple)) else [data]
        return [single(piece, initial) for piece in pieces if piece]


class EvidenceSizeLimit(FileUploadHandler):
    """Stops receiving a file once it passes DUBAN_EVIDENCE_MAX_BYTES, so an oversized upload never fills the disk.

    The file is skipped and its name kept in `too_large`, for the page to say so.
    """

    def __init__(self, request=None):
        super().__init__(request)
        self.too_large: list[str] = []
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.DUBAN_EVIDENCE_MAX_BYTES:
            self.too_large.append(self.file_name)
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        return None


class AsOfForm(forms.Form):
    on = _day("As of", required=False)


class AssignForm(forms.Form):
    lead = OrganisationChoiceField(label="Lead owner", required=False)
    co_owners = forms.ModelMultipleChoiceField(label="Co-owners", required=False,
                                               queryset=Organisation.objects.order_by("path"),
                                               widget=forms.SelectMultiple(attrs={"size": 6}))

    def __init__(self, *args, organisations, **kwargs):
        """`organisations`: those the person may pick (visibility.visible_organisations), built once per request."""
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = organisations.order_by("path")
        self.fields["co_owners"].label_from_instance = self.fields["lead"].label_from_instance
        self.fields["co_owners"].queryset = self.fields["lead"].queryset


class ReasonForm(forms.Form):
    reason = _text("Reason")


class ProgressForm(forms.Form):
    text = _text("Progress", rows=4)
    evidence = EvidenceFilesField(label="Evidence files")


class ClaimForm(forms.Form):
    note = _text("Note", asked=False)
    evidence = EvidenceFilesField(label="Evidence files")


class VerifyForm(forms.Form):
    cited = forms.ModelMultipleChoiceField(label="Evidence the verification cites", required=False,
                                           queryset=Evidence.objects.none(), widget=forms.CheckboxSelectMultiple)
    evidence = EvidenceFilesField(label="Your own evidence files")
    note = _text("Note", asked=False)

    def __init__(self, *args, evidence=None, **kwargs):
        super().__init__(*args, **kwargs)
        if evidence is not None:
            self.fields["cited"].queryset = evidence
        self.fields["cited"].label_from_instance = lambda piece: f"{piece.original_name} ({piece.sha256[:12]})"


class DeadlineRequestForm(forms.Form):
    due = _day("New due date", required=False, attrs=ASKED)
    reason = _text("Reason")


class DecisionForm(forms.Form):
    note = forms.CharField(label="Note", required=False, max_length=MAX_TEXT)


class RefusalForm(forms.Form):
    reason = forms.CharField(label="Reason for refusing", required=False, max_length=MAX_TEXT, widget=forms.TextInput(attrs=ASKED))


class CheckForm(forms.Form):
    result = forms.ChoiceField(label="Result", choices=[("passed", "Rectification holds"), ("failed", "Sham rectification")],
                               widget=forms.RadioSelect)
    note = _text("What was found", rows=2, asked=False)


class SampleForm(forms.Form):
    size = forms.IntegerField(label="Items to draw", required=False, min_value=1, max_value=MAX_SAMPLE,
                              widget=forms.NumberInput(attrs=ASKED))
    seed = forms.CharField(label="Seed", required=False, max_length=64, widget=forms.TextInput(attrs=ASKED),
                           help_text="The same seed draws the same items again")
