"""Chinese messages for the REST API's input checks (marshmallow's are English only).

marshmallow reads a field's messages when the field is made and formats them when an
error is raised; lazy strings here are translated at that moment, in the request's language.
"""
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate
from marshmallow_sqlalchemy import fields as sqla_fields

_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    fields.Field.default_error_messages = {
        "required": _l("Please fill in this field."),
        "null": _l("This field may not be empty."),
        "validator_failed": _l("Invalid value."),
    }
    fields.String.default_error_messages = {"invalid": _l("Not valid text."), "invalid_utf8": _l("Not valid text.")}
    fields.Number.default_error_messages = {"invalid": _l("Not a valid number."), "too_large": _l("Number too large.")}
    fields.Integer.default_error_messages = {"invalid": _l("Not a valid whole number.")}
    special = _l("Special numeric values (nan or infinity) are not permitted.")
    fields.Decimal.default_error_messages = {"special": special}
    fields.Float.default_error_messages = {"special": special}
    fields.Boolean.default_error_messages = {"invalid": _l("Not a valid yes/no value.")}
    fields.Date.default_error_messages = {"invalid": _l("Not a valid date."), "format": _l("Not a valid date.")}
    fields.DateTime.default_error_messages = {
        "invalid": _l("Not a valid date and time."),
        "invalid_awareness": _l("Not a valid date and time."),
        "format": _l("Not a valid date and time."),
    }
    fields.Nested.default_error_messages = {"type": _l("Invalid type.")}
    fields.List.default_error_messages = {"invalid": _l("Not a valid list.")}
    sqla_fields.Related.default_error_messages = {"invalid": _l("Not a valid record number.")}
    Schema._default_error_messages = {"type": _l("Invalid input type."), "unknown": _l("Unknown field.")}
    validate.Length.message_min = _l("Shorter than minimum length {min}.")
    validate.Length.message_max = _l("Longer than maximum length {max}.")
    validate.Length.message_all = _l("Length must be between {min} and {max}.")
    validate.Length.message_equal = _l("Length must be {equal}.")
