"""The REST API: serializers and viewsets over the ledger's services, with an OpenAPI document."""
