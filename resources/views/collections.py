"""Placeholder views: the pages are being built (each answers 404 until then)."""

from django.http import Http404


def collections(request, **kwargs):
    raise Http404


def collection_new(request, **kwargs):
    raise Http404


def collection(request, **kwargs):
    raise Http404


def collection_edit(request, **kwargs):
    raise Http404


def session_materials(request, **kwargs):
    raise Http404
