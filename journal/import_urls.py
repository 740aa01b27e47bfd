"""Routes of the journal's CSV import (included by journal/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
