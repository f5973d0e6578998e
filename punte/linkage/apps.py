from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "punte.linkage"
    label = "linkage"
    verbose_name = "Record linkage"

    def ready(self) -> None:
        from punte.identification.persons import hooks
        from punte.linkage import receivers

        hooks.person_recorded.connect(receivers.link_recorded_person, dispatch_uid="linkage")
        hooks.person_identity_changed.connect(
            receivers.relink_changed_person, dispatch_uid="linkage"
        )
