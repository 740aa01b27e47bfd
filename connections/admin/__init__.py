"""The support console: Thrive staff's view of every workspace's connections, in the Django
admin. It shows states, syncs and the audit trail, never a secret (the Credential model is
not registered), and changes a connection only through the services its actions call.

Cross-tenant by design: staff see every workspace, and every view of a connection and every
action is on that connection's audit trail, which its workspace reads.
"""

from django.contrib import admin

from . import audit, connections, runs  # noqa: F401 -- registers the admin classes

admin.site.site_header = "Thrive support console"
admin.site.site_title = "Thrive support"
# The connections list is wide; the admin's own navigation is a click away on the index.
admin.site.enable_nav_sidebar = False
