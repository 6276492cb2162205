"""Every input of the API and the web forms is read by the shared field classes (issue 10, items
8, 9, 11): a test walks every serializer and form of the apps, so a new endpoint or form that takes
a plain ``CharField`` (no length, invisible characters let through) or Python's ``int()`` fails
here rather than in production."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from typing import Any

from django import forms
from rest_framework import serializers

import casetrail
from casetrail.lib import api_fields, form_fields
from casetrail.records.catalogue import CATALOGUE
from casetrail.records.forms import catalogue_form

# Fields that are not text a person reads: a password may hold any character.
EXEMPT = {"password", "old_password", "new_password"}


def _modules(*names: str) -> Iterator[Any]:
    for app in pkgutil.iter_modules(casetrail.__path__):
        for name in names:
            try:
                yield importlib.import_module(f"casetrail.{app.name}.{name}")
            except ModuleNotFoundError:
                continue


def _classes(base: type, *modules: str) -> list[type]:
    found = {
        cls
        for module in _modules(*modules)
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, base) and cls.__module__.startswith("casetrail.")
    }
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _serializer_fields(s: serializers.Serializer, path: str) -> Iterator[tuple[str, Any]]:
    for name, field in s.fields.items():
        if field.read_only:
            continue
        where = f"{path}.{name}"
        yield where, field
        if isinstance(field, serializers.ListSerializer):
            yield from _serializer_fields(field.child, where)
        elif isinstance(field, serializers.Serializer):
            yield from _serializer_fields(field, where)
        elif isinstance(field, serializers.ListField | serializers.DictField):
            yield f"{where}[]", field.child


def _api_problem(name: str, field: Any) -> str | None:
    if name.rsplit(".", 1)[-1] in EXEMPT:
        return None
    if isinstance(field, serializers.ChoiceField | serializers.BooleanField):
        return None
    if isinstance(field, serializers.CharField):
        if not isinstance(field, api_fields.TextField) or not field.max_length:
            return "text without the shared TextField/NameField and a max_length"
    if isinstance(field, serializers.IntegerField) and not isinstance(
        field, api_fields.IntegerField
    ):
        return "an integer read by DRF's int(): use api_fields.IntegerField or IdField"
    if isinstance(field, serializers.DecimalField) and not isinstance(field, api_fields.MoneyField):
        return "a decimal not read by api_fields.MoneyField"
    if isinstance(field, serializers.FloatField):
        return "a float: money and counts are not floats"
    if isinstance(field, serializers.ListField | serializers.ListSerializer) and (
        field.max_length is None
    ):
        return "a list without max_length"
    return None


def test_it_reads_every_api_input_with_the_shared_fields():
    problems = []
    serializer_classes = _classes(serializers.Serializer, "api")
    assert len(serializer_classes) > 15
    for cls in serializer_classes:
        for name, field in _serializer_fields(cls(), cls.__qualname__):
            problem = _api_problem(name, field)
            if problem:
                problems.append(f"{cls.__module__}.{name}: {problem}")
    assert not problems, "\n".join(problems)


def _form_problem(name: str, field: forms.Field) -> str | None:
    if name in EXEMPT or isinstance(field.widget, forms.PasswordInput):
        return None
    if isinstance(field, forms.CharField):
        if not isinstance(field, form_fields.TextField) or not field.max_length:
            return "text without the shared TextField/NameField and a max_length"
    if isinstance(field, forms.DecimalField):  # a subclass of Django's IntegerField
        if not isinstance(field, form_fields.MoneyField):
            return "a decimal not read by form_fields.MoneyField"
    elif isinstance(field, forms.IntegerField) and not isinstance(field, form_fields.IntegerField):
        return "an integer read by Django's int(): use form_fields.IntegerField"
    if isinstance(field, forms.FloatField):
        return "a float"
    return None


def test_it_reads_every_form_input_with_the_shared_fields():
    problems = []
    form_classes = _classes(forms.Form, "forms", "views")
    assert len(form_classes) > 10
    for cls in form_classes:
        for name, field in cls.base_fields.items():
            problem = _form_problem(name, field)
            if problem:
                problems.append(f"{cls.__module__}.{cls.__qualname__}.{name}: {problem}")
    for doc in CATALOGUE.values():
        form_class = catalogue_form(doc.code, case=None)
        for name, field in form_class.base_fields.items():
            fields = field.fields if isinstance(field, forms.MultiValueField) else [field]
            for part in fields:
                problem = _form_problem(name, part)
                if problem:
                    problems.append(f"catalogue form {doc.code}.{name}: {problem}")
    assert not problems, "\n".join(problems)
