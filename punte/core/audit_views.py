from django.http import Http404


def person_access(request):
    raise Http404


def search(request):
    raise Http404
