"""The national dashboard in the permission matrix: national by nature, it answers by
`dashboard.national` alone (UNSCOPED: 200 with it, 404 without)."""

from punte.testing.permission_matrix import UNSCOPED, Endpoint

ENDPOINTS = [
    Endpoint(
        name="statistics.dashboard",
        method="GET",
        kind=UNSCOPED,
        permission="dashboard.national",
        path=lambda _: "/statistics/dashboard",
    ),
]
