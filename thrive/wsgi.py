"""WSGI entry point for gunicorn: `gunicorn thrive.wsgi:application`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thrive.settings")

application = get_wsgi_application()
