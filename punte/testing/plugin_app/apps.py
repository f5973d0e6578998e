from django.apps import AppConfig


class PluginAppConfig(AppConfig):
    """An app that exists only for the plug-in test: installed by that test alone, it must show
    up everywhere an app contributes, with no other file naming it."""

    name = "punte.testing.plugin_app"
    label = "plugin_app"
