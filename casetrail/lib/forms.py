"""Helpers shared by the server-rendered forms."""

from __future__ import annotations

from django import forms

from casetrail.lib.errors import ActionError


def apply_error(form: forms.Form, err: ActionError) -> None:
    """Show an action's refusal on the form: on its field when it names one, else on top."""
    if err.field and err.field in form.fields:
        form.add_error(err.field, err.message)
    else:
        form.add_error(None, err.message)
