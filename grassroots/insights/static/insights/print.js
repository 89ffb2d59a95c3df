// The bulletin's print button (the page is laid out for A4 by insights.css).
document.querySelectorAll("[data-print]").forEach(function (b) {
  b.addEventListener("click", function () { window.print(); });
});
