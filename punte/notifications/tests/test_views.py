import pytest

from punte.accounts.tests.factories import MembershipFactory
from punte.notifications.tests.factories import NotificationFactory
from punte.testing.web import verified_client

pytestmark = pytest.mark.django_db


def test_header_shows_unread_count_and_page_lists_them():
    me = MembershipFactory()
    NotificationFactory(recipient=me)
    NotificationFactory(recipient=me)
    client = verified_client(me.user)
    home = client.get("/").content.decode()
    assert "2 unread" in home
    page = client.get("/notifications/").content.decode()
    assert "A referral arrived from DGASPC Cluj." in page


def test_open_marks_read_and_goes_to_the_item():
    me = MembershipFactory()
    notification = NotificationFactory(recipient=me, url="/persons/")
    client = verified_client(me.user)
    response = client.post(f"/notifications/{notification.pk}/open")
    assert response.status_code == 302
    assert response["Location"] == "/persons/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert "unread" not in client.get("/").content.decode()


def test_open_refuses_a_link_to_another_site():
    me = MembershipFactory()
    notification = NotificationFactory(recipient=me, url="https://evil.example/")
    response = verified_client(me.user).post(f"/notifications/{notification.pk}/open")
    assert response["Location"] == "/notifications/"


def test_someone_elses_notification_is_404():
    notification = NotificationFactory()
    client = verified_client(MembershipFactory().user)
    assert client.post(f"/notifications/{notification.pk}/read").status_code == 404


def test_read_all():
    me = MembershipFactory()
    NotificationFactory(recipient=me)
    client = verified_client(me.user)
    client.post("/notifications/read-all")
    assert "unread" not in client.get("/").content.decode()
