from django.urls import path

from . import workspace_views as views

urlpatterns = [
    path("settings/workspace/", views.workspace_settings, name="workspace-settings"),
    path("settings/workspace/plan/", views.workspace_plan, name="workspace-plan"),
    path("settings/workspace/invitations/", views.invitation_create, name="invitation-create"),
    path(
        "settings/workspace/invitations/<uuid:public_id>/revoke/",
        views.invitation_revoke_view,
        name="invitation-revoke",
    ),
    path(
        "settings/workspace/members/<uuid:public_id>/role/",
        views.membership_role,
        name="membership-role",
    ),
    path(
        "settings/workspace/members/<uuid:public_id>/remove/",
        views.membership_remove_view,
        name="membership-remove",
    ),
    path("invitations/<str:token>/", views.invitation_accept_view, name="invitation-accept"),
]
