from django.urls import path

from punte.documents import views

URL_PREFIX = "documents/"
app_name = "documents"

urlpatterns = [
    path("case/<uuid:case_id>/", views.case_documents, name="case_documents"),
    path("<uuid:document_id>/download", views.download, name="download"),
]
