from django.contrib.auth import views as auth_views
from django.http import Http404
from django.urls import path


def _todo(request):
    raise Http404


urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("mfa/", _todo, name="mfa"),
    path("sessions/", _todo, name="sessions"),
]
