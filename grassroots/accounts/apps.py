from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "grassroots.accounts"
    verbose_name = _("Accounts and roles")

    def ready(self):
        # The admin modules are loaded (django.contrib.admin comes first in INSTALLED_APPS): the libraries'
        # models get a superusers-only admin, like every model that lies in no area.
        from .admin import restrict_unscoped

        restrict_unscoped()
