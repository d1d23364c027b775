"""Placeholder views: the pages are being built (each answers 404 until then)."""

from django.http import Http404


def library(request, **kwargs):
    raise Http404


def tag_suggestions(request, **kwargs):
    raise Http404


def repertoire(request, **kwargs):
    raise Http404


def create(request, **kwargs):
    raise Http404


def deleted(request, **kwargs):
    raise Http404
