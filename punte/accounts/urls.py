from punte.accounts.urls_admin import urlpatterns as admin_patterns
from punte.accounts.urls_auth import urlpatterns as auth_patterns

app_name = "accounts"

urlpatterns = auth_patterns + admin_patterns
