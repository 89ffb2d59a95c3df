from django.conf import settings

from grassroots.accounts.scoping import STAFF_ROLES, has_role


def site(request):
    user = getattr(request, "user", None)
    return {
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
        "MAP_TILE_SUBDOMAINS": settings.MAP_TILE_SUBDOMAINS,
        # Staff links (register, disclosure desk) only for users holding a staff role somewhere; the pages
        # check scope again themselves.
        "NAV_STAFF": bool(user is not None and user.is_authenticated and has_role(user, STAFF_ROLES)),
    }
