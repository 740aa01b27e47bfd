from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import RedirectView

from . import profile_views, views
from .forms import ThrottledAuthenticationForm

login_view = sensitive_post_parameters("password")(
    auth_views.LoginView.as_view(
        authentication_form=ThrottledAuthenticationForm, redirect_authenticated_user=True
    )
)

urlpatterns = [
    path("", RedirectView.as_view(url="/journal/", permanent=False), name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/signup/check-your-inbox/", views.signup_done, name="signup-done"),
    path("accounts/signup/confirm/<str:token>/", views.signup_confirm, name="signup-confirm"),
    path("accounts/login/", login_view, name="login"),
    # Before django.contrib.auth.urls, whose unthrottled view has the same path and name.
    path("accounts/password_reset/", views.password_reset, name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("workspaces/<slug:slug>/switch/", views.workspace_switch, name="workspace-switch"),
    path("settings/profile/", profile_views.profile, name="profile"),
    path("journal/", include("journal.urls")),
    path("portfolio/", include("portfolio.urls")),
    path("analytics/", include("portfolio.analytics_urls")),
    path("settings/connections/", include("connections.urls")),
    path("", include("thrive.workspace_urls")),
    path("admin/", admin.site.urls),
]
