from django.urls import path

from punte.hearings import views

URL_PREFIX = "hearings/"
app_name = "hearings"

urlpatterns = [
    path("rooms/", views.rooms, name="rooms"),
    path("rooms/<uuid:room_id>/", views.room_week, name="room_week"),
    path("county/<str:county_code>/", views.county_week, name="county_week"),
    path("slots/", views.slots, name="slots"),
    path("case/<uuid:case_id>/", views.case_hearings, name="case_hearings"),
    path("case/<uuid:case_id>/book/", views.book, name="book"),
    path("<uuid:hearing_id>/", views.detail, name="detail"),
    path("<uuid:hearing_id>/change/", views.reschedule, name="reschedule"),
    path("<uuid:hearing_id>/cancel/", views.cancel, name="cancel"),
]
