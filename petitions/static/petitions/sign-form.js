// After a submission with mistakes, move focus to the error summary (the GOV.UK pattern), so
// keyboard and screen reader users start from the list of problems. Without JavaScript the
// summary is still announced: it has role="alert".
(function () {
    "use strict";
    var summary = document.querySelector(".sign-form .error-summary");
    if (summary) {
        summary.focus();
    }
})();
