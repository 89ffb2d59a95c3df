"""Log in with a mobile phone number or a username, and a password."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from grassroots import personal


class PhoneOrUsernameBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        User = get_user_model()
        identifier = username.strip()
        user = User.objects.filter(username=identifier).first()
        if user is None:
            digits = personal.normalise_phone(identifier)
            if len(digits) == 11:
                user = User.objects.filter(phone_hash=personal.phone_hash(digits)).first()
        if user is None:
            # Run the hasher anyway so that timing does not tell which identifiers exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
