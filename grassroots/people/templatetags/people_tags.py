from django import template

from grassroots.masking import mask_numbers_in_text

register = template.Library()


@register.filter
def masked_text(value):
    """Free text with any ID or mobile number in it masked (workers sometimes type them into notes)."""
    return mask_numbers_in_text(value)
