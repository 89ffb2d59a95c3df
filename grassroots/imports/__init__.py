"""Preview, then confirm: the one mechanism of every page that imports an uploaded file.

Below its users (areas: the tree and the boundaries; workforce: the roster; cases: the hotline's daily
sheet), above accounts. What the other apps use, and nothing else:

* :mod:`grassroots.imports.kinds` — ``register(ImportKind(...))`` from the user's ``AppConfig.ready()``;
* :mod:`grassroots.imports.forms` — ``UploadForm`` / ``XlsxUploadForm``, the checks before any import reads
  a file;
* :mod:`grassroots.imports.views` — ``RunPages``: a page's list of recent uploads, the preview step, one
  upload's page and its confirmation, generic over the kind, its words and its URL names;
* the templates ``imports/_upload_field.html``, ``imports/_runs.html`` and ``imports/run.html`` (the page
  of one upload, which a page's own run template extends).

:mod:`~grassroots.imports.services` (preview, confirm, expire) and :mod:`~grassroots.imports.selectors` are
this app's own; import-linter keeps the other apps out of them and out of the model.
"""
