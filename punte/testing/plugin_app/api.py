from django.http import Http404
from ninja import Router, Schema

router = Router(tags=["plug-in"])


class OrganisationOut(Schema):
    id: str


@router.get("/plugin/organisations/{organisation_id}", response=OrganisationOut)
def plugin_organisation(request, organisation_id: str):
    if not request.membership.has_perm("plugin.view"):
        raise Http404
    return {"id": organisation_id}
