"""One name normaliser for both sides of the sanctions matcher (list names and account names).

Public API: NameForm, name_forms(name, subject_type), name_forms_frame(names, subject_types), tokens(form),
legal_form_family(code). Data tables live in screening/resources/normalize/. See README.md beside this
file for the rules and what the scorer must do on top (token order, merge/split).
"""
from __future__ import annotations

from screening.normalize.affixes import legal_form_family
from screening.normalize.forms import NameForm, name_forms, subject_class
from screening.normalize.frame import name_forms_frame, tokens

__all__ = ["NameForm", "legal_form_family", "name_forms", "name_forms_frame", "subject_class", "tokens"]
