from punte.accounts.models import Organisation
from punte.core.worklist import WorkItem, WorklistSection


def _rows(actor):
    return Organisation.objects.filter(pk=actor.organisation_id)


def _item(organisation) -> WorkItem:
    return WorkItem(
        id=str(organisation.pk),
        kind="plugin.organisation",
        label="The plug-in's work",
        url="/plugin/",
        occurred_at=organisation.created_at,
    )


WORKLIST_SECTIONS = [
    WorklistSection(
        key="plugin",
        title="Plug-in",
        permission="plugin.view",
        empty_text="Nothing",
        rows=_rows,
        item=_item,
    )
]
