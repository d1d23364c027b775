"""The journal's pages, one module per part: ``entries`` (the home, the editor with its
autosave, one entry, sharing, delete and restore); the other parts add their own."""
