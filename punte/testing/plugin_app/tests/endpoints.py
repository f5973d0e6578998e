from punte.testing.permission_matrix import UNSCOPED, Endpoint

ENDPOINTS = [
    Endpoint(
        name="plugin.organisation",
        method="GET",
        kind=UNSCOPED,
        permission="plugin.view",
        path=lambda organisation: f"/plugin/organisations/{organisation.pk}",
        make_record=lambda owner: owner.organisation,
    )
]
