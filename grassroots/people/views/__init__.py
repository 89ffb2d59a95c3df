"""Pages of the register, one module a resource. Thin: parse, check the permission, call a selector or a
service, render. A service's refusal is shown through :mod:`grassroots.pages` (on the form, as a message, or
the site's error page with its status).

Nothing here renders a decrypted ID or phone number except the "show in full" page (``reveal.py``), which
exists only as the answer to a POST with a reason and is never cached.
"""
