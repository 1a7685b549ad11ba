"""Pure functions from document text to items, one module per kind, run as one pipeline."""
