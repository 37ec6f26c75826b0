from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from desk.views.search import search
from desk.views.today import home


class FaviconView(RedirectView):
    """/favicon.ico, which browsers ask for where a page names no icon (a JSON answer, a file): the app's icon.
    Its static URL is read per request: with the manifest storage it only exists once collectstatic has run."""

    permanent = False  # the icon's hashed name changes with it: a browser must not keep the old one

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("favicon.svg")


urlpatterns = [
    path("", home, name="home"),
    path("search/", search, name="search"),
    path("", include("crm.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("healthz", include("health.urls")),
    path("", include("messaging.urls")),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Every member's own password, in the app's layout (the admin has its own page, for staff only). The templates
    # are not named registration/password_change_*.html: those names would replace the admin's pages too.
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(template_name="registration/own_password_change.html"),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="registration/own_password_changed.html"),
        name="password_change_done",
    ),
    # The switcher is on the login page too, so it cannot require a login.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("favicon.ico", login_not_required(FaviconView.as_view()), name="favicon"),
]
