"""The models of identification's three parts, imported here so that Django registers them under
the app's label `identification` (their tables, migrations and audit subject types keep it).
Import a model from its part (`punte.identification.persons.models`), not from here."""

from punte.identification.persons.models import (  # noqa: F401
    Person,
    PersonAccess,
    PersonCitizenship,
)
from punte.identification.screening.models import (  # noqa: F401
    AnonymousNotification,
    ConsentEvent,
    IdentificationDecision,
    Indicator,
    IndicatorCatalogue,
    ReflectionPeriod,
    ReflectionPeriodEvent,
    ReflectionReminder,
    Screening,
)
from punte.identification.signals.models import (  # noqa: F401
    PublicReportAttempt,
    Signal,
    SignalPerson,
    SignalTransition,
)
