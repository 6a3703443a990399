// The national report's print button. The button is in the page hidden: without JavaScript it would do
// nothing, and the browser's own Print command works anyway (the print stylesheet is in reports.css).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
});
