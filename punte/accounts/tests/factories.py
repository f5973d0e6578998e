import factory
from django.contrib.auth.hashers import make_password

from punte.accounts.models import Membership, Organisation, OrganisationType, Role, User

DEFAULT_PASSWORD = "correct horse battery staple"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    code = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"Organisation {n}")
    type = OrganisationType.NGO
    county_id = "RO-CJ"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.LazyFunction(lambda: make_password(DEFAULT_PASSWORD))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    # factory_boy strips Params before _create, so the role is derived from role_code here.
    role = factory.LazyAttribute(lambda o: Role.objects.get(code=o.role_code or "regional_officer"))

    class Params:
        role_code = None
