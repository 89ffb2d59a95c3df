"""The template filter of the free-text masker, a builtin of every template (settings.TEMPLATES): write
``{{ comment.text|masked }}`` (before ``linebreaksbr``) for any text a person wrote that others will read."""

from django import template

from grassroots.masking import masked_value

register = template.Library()


@register.filter(is_safe=True)
def masked(value):
    """Every mobile and ID number in ``value`` masked where it stands; anything but text as it is."""
    return masked_value(value)


@register.filter(is_safe=True)
def as_written(value):
    """The text as its writer wrote it, for their own edit form (a correction prefilled with the current
    text): the one deliberate exception to ``masked``, which tests/test_masked_everywhere.py accepts."""
    return value
