import uuid

from django.http import Http404


class ServiceError(Exception):
    """A rule of the domain refused the request. `field` names the offending input, if any.

    The API turns it into an RFC 9457 problem (422 by default); views into a form error.
    """

    def __init__(self, field: str | None, message: str, *, status: int = 422):
        super().__init__(message)
        self.field = field
        self.message = message
        self.status = status


def uuid_or_404(value) -> uuid.UUID:
    """An id from a URL or a payload; one that is not a UUID names no record, so it is not found."""
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise Http404 from exc
