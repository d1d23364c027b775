"""The repertoire's pages: lists (library, repertoire, adding), one resource, collections."""
