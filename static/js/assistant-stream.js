// Progressive enhancement: with a chat model configured, the answer appears as it is written. Without
// JavaScript (or without a model) the form posts normally and the page shows the answer after the redirect.
(function () {
  var form = document.querySelector("form#ask[data-stream]");
  if (!form || !window.fetch || !window.TextDecoder) { return; }
  var live = document.getElementById("live-answer");
  function show(url) {
    var target = new URL(url, window.location.href);
    if (target.pathname + target.search === window.location.pathname + window.location.search) {
      window.location.hash = target.hash;
      window.location.reload();
    } else {
      window.location.assign(target.href);
    }
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("[type=submit]");
    button.disabled = true;
    live.hidden = false;
    live.textContent = "…";
    fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin",
                        headers: {"Accept": "application/x-ndjson"}})
      .then(function (response) {
        if (!response.ok || !response.body) { form.submit(); return; }
        var reader = response.body.getReader();
        var decoder = new TextDecoder();
        var buffer = "";
        var text = "";
        function pump() {
          return reader.read().then(function (chunk) {
            if (chunk.done) { return; }
            buffer += decoder.decode(chunk.value, {stream: true});
            var lines = buffer.split("\n");
            buffer = lines.pop();
            lines.forEach(function (line) {
              if (!line) { return; }
              var event = JSON.parse(line);
              if (event.delta) { text += event.delta; live.textContent = text; }
              if (event.done) { show(event.url); }
              if (event.error) { live.textContent = event.error; button.disabled = false; }
            });
            return pump();
          });
        }
        return pump();
      })
      .catch(function () { form.submit(); });
  });
})();
