// gdsn-sync product page: small progressive enhancements only; every page
// works without this script.
(function () {
  "use strict";
  // A barcode scanner types into the focused field and presses Enter: keep
  // the search box focused and its text selected, so the next scan
  // replaces the last one instead of appending to it.
  var q = document.getElementById("q");
  if (q && q.hasAttribute("autofocus")) {
    q.focus();
    q.select();
  }
  // Pictures are hosted by brand owners and are often unreachable from a
  // customs network: show the neutral placeholder instead of a broken icon.
  var placeholder = document.documentElement.getAttribute("data-placeholder");
  function fallback(img) {
    if (placeholder && img.getAttribute("src") !== placeholder) {
      img.setAttribute("src", placeholder);
      img.classList.add("broken");
    }
  }
  var images = document.querySelectorAll("img[data-remote]");
  for (var i = 0; i < images.length; i++) {
    var img = images[i];
    if (img.complete && img.naturalWidth === 0) {
      fallback(img);
    } else {
      img.addEventListener("error", function (event) { fallback(event.target); });
    }
  }
})();
