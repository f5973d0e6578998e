from punte.core.contract import NavEntry

NAVIGATION = [NavEntry("Plug-in", "plugin_app:index", ("plugin.view",), order=75)]
