import os

from django.core.wsgi import get_wsgi_application

from punte.core.logging import LogEscapedErrors

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "punte.settings.production")
# Also what runserver serves (WSGI_APPLICATION): an error escaping Django's handler is logged
# through the redacting filter, not printed whole by the server.
application = LogEscapedErrors(get_wsgi_application())
