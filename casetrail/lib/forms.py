"""Helpers shared by the server-rendered forms."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest

from casetrail.lib.errors import ActionError


def apply_error(form: forms.Form, err: ActionError) -> None:
    """Show an action's refusal on the form: on its field when it names one, else on top."""
    if err.field and err.field in form.fields:
        form.add_error(err.field, err.message)
    else:
        form.add_error(None, err.message)


# Fields of a posted form that belong to that one submission, never carried to the next.
PER_SUBMISSION = {"csrfmiddlewaretoken", "idempotency_key", "confirmed", "back"}


def resubmitted(request: HttpRequest) -> list[tuple[str, str]]:
    """The typed values of a posted form, (name, value) with repeated names kept, to carry through
    a confirmation page (hidden inputs) and back to the form."""
    if request.method != "POST":
        return []
    return [
        (name, str(value))
        for name, values in request.POST.lists()
        if name not in PER_SUBMISSION
        for value in values
    ]
