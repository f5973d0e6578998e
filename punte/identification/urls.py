"""The pages under /persons/: a person's record (persons) and the screening, consent and decisions
about the person (screening), in one namespace, `identification`, as they always were. Signals
have their own (signals/urls.py)."""

from punte.identification.persons.urls import urlpatterns as person_urlpatterns
from punte.identification.screening.urls import urlpatterns as screening_urlpatterns

URL_PREFIX = "persons/"
app_name = "identification"

urlpatterns = person_urlpatterns + screening_urlpatterns
