"""An exception reporter filter that never shows a frame's local variables.

ccxt's own stack frames hold signed URLs, headers and keys; Django's default filter only hides
variables whose names look sensitive, so the debug page and error emails would still show them.
"""

from __future__ import annotations

from typing import Any

from django.views.debug import SafeExceptionReporterFilter


class SecretSafeExceptionReporterFilter(SafeExceptionReporterFilter):
    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> list[tuple[str, Any]]:
        return []

    def get_post_parameters(self, request: Any) -> dict[str, Any]:
        if request is None:
            return {}
        return {key: self.cleansed_substitute for key in request.POST}
