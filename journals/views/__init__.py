"""The journal's pages (one module per part)."""
