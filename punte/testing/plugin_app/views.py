from django.http import Http404, HttpResponse


def index(request):
    if request.membership is None or not request.membership.has_perm("plugin.view"):
        raise Http404
    return HttpResponse("plug-in page")
