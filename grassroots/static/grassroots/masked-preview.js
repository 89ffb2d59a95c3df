/* Tells the writer, while they type, that a phone or ID number in a text others will read is shown masked
 * (grassroots/masking_views.py). Fields opt in with data-masked-preview="<url>"; the server does the
 * finding, so the page and every other rendering follow one rule. Without script the text is still masked
 * wherever it is shown. */
(function () {
  "use strict";
  var timers = new WeakMap();

  function outputFor(field) {
    var id = field.id ? field.id + "-masked" : "";
    var out = id ? document.getElementById(id) : null;
    if (!out) {
      out = document.createElement("output");
      out.className = "masked-preview";
      out.setAttribute("aria-live", "polite");
      if (id) out.id = id;
      field.insertAdjacentElement("afterend", out);
    }
    return out;
  }

  function labelOf(field) {
    var label = field.id ? document.querySelector('label[for="' + field.id + '"]') : null;
    return (label ? label.textContent : field.name || "").trim();
  }

  function check(field) {
    var form = field.form;
    var token = form ? form.querySelector('input[name="csrfmiddlewaretoken"]') : null;
    if (!token) return;
    var body = new FormData();
    body.append("csrfmiddlewaretoken", token.value);
    body.append("text", field.value);
    body.append("label", labelOf(field));
    fetch(field.getAttribute("data-masked-preview"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token.value },
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (!answer) return;
        var out = outputFor(field);
        out.textContent = "";
        answer.warnings.forEach(function (warning) {
          var line = document.createElement("span");
          line.textContent = warning;
          out.appendChild(line);
        });
        if (answer.masked) {
          var shown = document.createElement("q");
          shown.textContent = answer.masked;
          out.appendChild(shown);
        }
        out.hidden = !answer.warnings.length;
      })
      .catch(function () { /* no signal: the text is masked where it is shown all the same */ });
  }

  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field.matches || !field.matches("[data-masked-preview]")) return;
    clearTimeout(timers.get(field));
    timers.set(field, setTimeout(function () { check(field); }, 600));
  });
})();
