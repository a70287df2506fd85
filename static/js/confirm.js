// A form with data-confirm="…" asks before it is sent: for actions that cannot be undone (publishing a frozen
// version, revoking a token, withdrawing or declining an invitation). Without JavaScript the form is sent at once.
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) { event.preventDefault(); }
});
