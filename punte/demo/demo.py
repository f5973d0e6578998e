"""The demo's own data, first: organisations, one login per role, and a few persons."""

from punte.core.contract import DemoStep
from punte.demo import loading

DEMO = [
    DemoStep("demo.organisations_and_logins", 10, loading.load_organisations_and_logins),
    DemoStep("demo.persons", 20, loading.load_persons),
]
