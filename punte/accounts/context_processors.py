def acting_membership(request):
    membership = getattr(request, "membership", None)
    return {
        "membership": membership,
        "perms_codes": membership.permission_codes if membership else frozenset(),
    }
