"""Placeholder views: the pages are being built (each answers 404 until then)."""

from django.http import Http404


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
