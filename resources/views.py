"""Placeholder views: the pages are being built (each answers 404 until then)."""

from django.http import Http404


def library(request, **kwargs):
    raise Http404


def tag_suggestions(request, **kwargs):
    raise Http404


def detail(request, **kwargs):
    raise Http404


def edit(request, **kwargs):
    raise Http404


def delete(request, **kwargs):
    raise Http404


def restore(request, **kwargs):
    raise Http404


def useful(request, **kwargs):
    raise Http404


def moderate(request, **kwargs):
    raise Http404


def discuss(request, **kwargs):
    raise Http404


def collect(request, **kwargs):
    raise Http404


def version_new(request, **kwargs):
    raise Http404


def version_download(request, **kwargs):
    raise Http404


def repertoire(request, **kwargs):
    raise Http404


def create(request, **kwargs):
    raise Http404


def deleted(request, **kwargs):
    raise Http404


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
