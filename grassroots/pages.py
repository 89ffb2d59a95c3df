"""The one path a refusal takes on a page.

A service refuses by raising a :class:`~grassroots.errors.DomainError`. Views do not catch it themselves:

- inside a form view, ``with refusals_into(form):`` around the call puts the message on the form (which is then
  invalid, so the view falls through to render it again with the error, status 400 where the view says so);
- around an action that redirects back, ``with refusals_into(request):`` turns it into an error message shown on
  the page the user lands on; ``with refusals_into(errors):`` appends it to a list the page shows;
- anywhere else it propagates to :class:`RefusalMiddleware`, which renders the site's error page
  (``error.html``) with the message and the error's status: 403 for :class:`~grassroots.errors.NotPermitted`,
  409 for a conflict, 400 for other refusals. The API never gets here: django-ninja answers ``{code, message}``
  itself (``grassroots/api/api.py``).

The site's 400, 403, 404 and 500 pages and the CSRF failure page are the same template (``handler*`` in
``grassroots/urls.py``), so that no error shows Django's bare pages.
"""

from __future__ import annotations

from django.contrib import messages
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grassroots.errors import DomainError, NotPermitted

TITLES = {
    400: gettext_lazy("This could not be done"),
    403: gettext_lazy("Not permitted"),
    404: gettext_lazy("Not found"),
    409: gettext_lazy("Someone changed this first"),
    500: gettext_lazy("Something went wrong on our side"),
}


def refusal_text(exc: DomainError) -> str:
    """The message of a refusal; when it names several wrong rows of a sheet (``detail["rows"]``), each row and
    column header follows, so that the person can fix them all at once."""
    problems = exc.detail.get("rows") if isinstance(exc.detail, dict) else None
    if not problems or len(problems) < 2:
        return str(exc.message)
    detail = " ".join(f"[{p['row']}:{p['header']}] {p['message']}" for p in problems[:20])
    return f"{exc.message} {detail}"


class refusals_into:  # a statement: ``with refusals_into(form):``
    """Catches a refusal (not a missing permission, which stays a 403 page) and shows it where the person is
    looking: on the form, or as a message on the next page. ``.error`` keeps it; ``.refused`` says whether one
    came."""

    def __init__(self, target: BaseForm | HttpRequest | list, *, field: str | None = None):
        self.target = target
        self.field = field  # on a form: the field the refusal belongs to, unless the refusal names one
        self.error: DomainError | None = None

    @property
    def refused(self) -> bool:
        return self.error is not None

    def __enter__(self) -> refusals_into:
        return self

    def __exit__(self, kind, exc, tb) -> bool:
        if not isinstance(exc, DomainError) or isinstance(exc, NotPermitted):
            return False
        self.error = exc
        if isinstance(self.target, list):
            self.target.append(refusal_text(exc))
        elif isinstance(self.target, BaseForm):
            field = exc.detail.get("field") if isinstance(exc.detail, dict) else None
            field = field if field in self.target.fields else self.field
            self.target.add_error(field if field in self.target.fields else None, refusal_text(exc))
        else:
            messages.error(self.target, refusal_text(exc))
        return True


def error_page(request: HttpRequest, status: int, message: str = "") -> HttpResponse:
    return render(
        request,
        "error.html",
        {"status": status, "title": TITLES.get(status, TITLES[400]), "message": message},
        status=status,
    )


class RefusalMiddleware:
    """Renders an uncaught refusal as the site's error page, with its message and status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError):
            return error_page(request, exception.status, refusal_text(exception))
        return None


def bad_request(request, exception=None, template_name=None):
    return error_page(request, 400)


def permission_denied(request, exception=None, template_name=None):
    message = str(exception) if exception is not None and str(exception) else ""
    return error_page(request, 403, message)


def page_not_found(request, exception=None, template_name=None):
    return error_page(request, 404)


def csrf_failure(request, reason=""):
    return error_page(
        request,
        403,
        _("The form had expired or came from elsewhere. Go back, reload the page and send it again."),
    )


def server_error(request, template_name=None):
    # No database, no context processors: the page must render even when they are what failed.
    return HttpResponse(loader.get_template("500.html").render({}), status=500)
