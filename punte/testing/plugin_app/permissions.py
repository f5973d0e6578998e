PERMISSIONS: dict[str, str] = {"plugin.view": "See the plug-in's page, API and worklist"}

DEFAULT_GRANTS: dict[str, list[str]] = {"auditor": ["plugin.view"]}
