"""Reading files: formats and encodings, splitting crawl dumps into documents, genre (no Django)."""
