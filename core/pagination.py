from typing import Any

from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """``count``/``next``/``previous``/``results``; clients may ask for up to 200 a page."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        """DRF's page schema, with ``next`` and ``previous`` required as well: every page
        carries all four keys (the links are null at either end), and generated clients
        should not have to treat them as optional."""
        page = super().get_paginated_response_schema(schema)
        page["required"] = ["count", "next", "previous", "results"]
        return page
