"""Routes of the journal's manual entries (included by journal/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
