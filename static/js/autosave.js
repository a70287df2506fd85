// Saves a report section as the user types (2 s after the last change) and says when it was saved.
// Without JavaScript the Save button does the same; with it, leaving the page never loses input.
(function () {
  var form = document.getElementById("section-form");
  if (!form || form.dataset.autosave !== "1" || !window.fetch) { return; }
  var status = document.getElementById("save-status");
  var version = form.querySelector("input[name=version]");
  var timer = null;
  var dirty = false;
  function save() {
    timer = null;
    if (!dirty) { return; }
    dirty = false;
    status.textContent = status.dataset.saving || "…";
    fetch(form.action || window.location.href, {method: "POST", body: new FormData(form), credentials: "same-origin",
                                                headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json().then(function (data) { return [response.ok, data]; }); })
      .then(function (result) {
        if (result[0]) {
          version.value = result[1].version;
          status.textContent = (form.dataset.savedLabel || "✓ ") + result[1].saved_at;
        } else {
          status.textContent = result[1].error;
          status.classList.add("field-error");
        }
      })
      .catch(function () { dirty = true; });
  }
  form.addEventListener("input", function () {
    dirty = true;
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, 2000);
  });
  form.addEventListener("submit", function () { dirty = false; if (timer) { clearTimeout(timer); } });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { save(); event.preventDefault(); event.returnValue = ""; }
  });
})();
