"""``{% my_grid_workers %}``: the signed-in resident's grid workers with their work phones (two queries)."""

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("workforce/_my_grid_workers.html", takes_context=True)
def my_grid_workers(context):
    user = context.get("user")
    return {"resident_grids": selectors.grid_workers_for_resident(user) if user is not None else []}
