import pytest

from punte.accounts.tests.factories import MembershipFactory
from punte.notifications.models import Notification
from punte.notifications.tests.factories import NotificationFactory, ReadNotificationFactory
from punte.testing.api import ApiClient

pytestmark = pytest.mark.django_db


def test_list_shows_only_my_notifications_and_unread_filter():
    me = MembershipFactory()
    mine = NotificationFactory(recipient=me)
    read = ReadNotificationFactory(recipient=me)
    NotificationFactory()  # someone else's
    client = ApiClient(me)
    items = client.get("/notifications").json()["items"]
    assert {i["id"] for i in items} == {str(mine.pk), str(read.pk)}
    assert items[0]["text"] == "A referral arrived from DGASPC Cluj."
    unread = client.get("/notifications", unread="true").json()["items"]
    assert [i["id"] for i in unread] == [str(mine.pk)]
    assert client.get("/notifications/unread-count").json() == {"unread": 1}


def test_marking_someone_elses_notification_is_404_and_changes_nothing():
    other = NotificationFactory()
    response = ApiClient(MembershipFactory()).post(f"/notifications/{other.pk}/read")
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_mark_one_and_all_read():
    me = MembershipFactory()
    first, second, third = (NotificationFactory(recipient=me) for _ in range(3))
    client = ApiClient(me)
    response = client.post(f"/notifications/{first.pk}/read")
    assert response.status_code == 200
    assert response.json()["read_at"] is not None
    assert client.post("/notifications/read-all").json() == {"marked_read": 2}
    assert not Notification.objects.filter(recipient=me, read_at__isnull=True).exists()
    assert client.get("/notifications/unread-count").json() == {"unread": 0}


def test_notifications_of_my_other_membership_are_not_mine_here():
    me = MembershipFactory()
    my_other_hat = MembershipFactory(user=me.user)
    NotificationFactory(recipient=my_other_hat)
    assert ApiClient(me).get("/notifications").json()["items"] == []
