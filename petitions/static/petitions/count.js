// Brings petition counts up to date from count.json, so a page served from a cache still shows
// the current count. Without JavaScript the count in the page (at most a few minutes old) stays.
(function () {
    "use strict";
    if (window.petitionCountsLoaded) {
        return;
    }
    window.petitionCountsLoaded = true;
    var format = new Intl.NumberFormat("en-GB");

    function update(box, data) {
        box.querySelectorAll("[data-petition-count]").forEach(function (el) {
            el.textContent = format.format(data.count);
        });
        box.querySelectorAll("[data-petition-goal]").forEach(function (el) {
            el.textContent = format.format(data.goal);
        });
        box.querySelectorAll("[data-petition-progress]").forEach(function (el) {
            el.max = data.goal;
            el.value = data.count;
            el.textContent = format.format(data.count) + " of " + format.format(data.goal);
        });
    }

    document.querySelectorAll("[data-petition-count-url]").forEach(function (box) {
        fetch(box.getAttribute("data-petition-count-url"), { headers: { Accept: "application/json" } })
            .then(function (response) { return response.ok ? response.json() : null; })
            .then(function (data) { if (data) { update(box, data); } })
            .catch(function () { /* The count already in the page stands. */ });
    });
})();
