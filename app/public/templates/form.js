(function () {
  "use strict";
  var form = document.getElementById("order-form");
  if (!form || !window.fetch) { return; }
  var button = document.getElementById("submit");
  var summary = document.getElementById("summary");
  var list = document.getElementById("summary-list");
  // One key per filled-in form: a double click or a retry stores one submission.
  var key = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();

  function inputName(field) {
    return field.indexOf("custom_fields.") === 0 ? "cf." + field.slice(14) : field;
  }
  function clearErrors() {
    form.querySelectorAll(".error").forEach(function (p) { p.hidden = true; p.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.setAttribute("aria-invalid", "false"); });
    list.textContent = "";
    summary.hidden = true;
  }
  function showErrors(errors) {
    errors.forEach(function (e) {
      var name = inputName(e.field);
      var message = document.getElementById("f-" + name + "-error");
      var input = document.getElementById("f-" + name);
      if (message) { message.textContent = e.message; message.hidden = false; }
      if (input) { input.setAttribute("aria-invalid", "true"); }
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#f-" + name;
      var label = form.querySelector('label[for="f-' + name + '"]');
      link.textContent = (label ? label.textContent.replace(/ \*$/, "") : name) + ": " + e.message;
      item.appendChild(link);
      list.appendChild(item);
    });
    summary.hidden = false;
    summary.focus();
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors();
    var body = {custom_fields: {}};
    new FormData(form).forEach(function (value, name) {
      if (value === "") { return; }
      if (name.indexOf("cf.") === 0) { body.custom_fields[name.slice(3)] = value; }
      else { body[name] = value; }
    });
    button.disabled = true;
    fetch(form.dataset.api, {
      method: "POST",
      headers: {"Content-Type": "application/json", "Idempotency-Key": key},
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) { return {status: response.status, data: data}; });
    }).then(function (result) {
      if (result.status === 202) {
        form.hidden = true;
        var thanks = document.getElementById("thanks");
        document.getElementById("thanks-message").textContent = result.data.thank_you_message;
        thanks.hidden = false;
        thanks.focus();
        return;
      }
      var errors = result.data.errors || [{field: "form_token", message: result.data.detail || "Please try again."}];
      showErrors(errors);
    }).catch(function () {
      showErrors([{field: "form_token", message: "Could not send the form; please try again."}]);
    }).finally(function () { button.disabled = false; });
  });
}());
