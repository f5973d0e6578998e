import factory

from punte.accounts.tests.factories import MembershipFactory
from punte.notifications.models import Notification


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(MembershipFactory)
    kind = "test.event"
    message = "A referral arrived from %(organisation)s."
    params = factory.LazyFunction(lambda: {"organisation": "DGASPC Cluj"})
    url = "/notifications/"


class ReadNotificationFactory(NotificationFactory):
    read_at = factory.Faker("date_time", tzinfo=__import__("datetime").UTC)
