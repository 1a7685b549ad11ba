"""The OpenAPI document: drf-spectacular's, with every refusal the API can answer documented on each operation."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema

from .serializers import ErrorSerializer

ERRORS = {
    "400": "the request is malformed, or a rule of the ledger refused it",
    "401": "no valid token or session",
    "403": "the person may not take this action on this item",
    "404": "nothing the person may see has this id (or the cursor is invalid)",
    "409": "the item is not in a state where this action applies",
    "415": "the body is not in a media type the action reads",
}


class LedgerSchema(AutoSchema):
    """Adds the error responses to each operation: 401 everywhere; 404 where a path names an object or a list pages
    by cursor; 400 on lists (bad filters) and actions; 403, 409 and 415 on actions."""

    def _get_format_parameters(self):
        return []  # DRF's ?format= override is not part of the API: answers are JSON, downloads the file itself

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["schema"].get("type") == "integer":  # ids: a larger one names nothing (404)
                parameter["schema"].update(minimum=1, maximum=2**63 - 1)
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["401"]
        names_object = "{" in self.path
        listing = self.method == "GET" and self._is_list_view()
        if names_object or listing:
            codes.append("404")
        if listing:
            codes.append("400")
        if self.method == "POST":
            codes += ["400", "403", "409", "415"]
        for code in codes:
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = ERRORS[code]
                responses[code] = response
        return responses
