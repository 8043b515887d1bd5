import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ranham_portal.settings")

application = get_wsgi_application()

# Compiled templates, catalogues and URL patterns before the first request (in the gunicorn
# master with preload_app, so every worker it forks has them).
from ranham_portal.warmup import warm  # noqa: E402 - needs the settings set up above

warm()
