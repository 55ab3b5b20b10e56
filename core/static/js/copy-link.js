// The "Copy link" button beside an address to copy (includes/copy_link.html), or beside a block of
// code (a partner's frame, in the admin: `data-copied-message` says what to tell). Without JavaScript,
// or where the clipboard cannot be written, the text stays in its field to select and copy.
(function () {
    "use strict";
    if (!navigator.clipboard) {
        return;
    }
    document.querySelectorAll("[data-copy-link]").forEach(function (box) {
        var field = box.querySelector("input, textarea");
        var button = box.querySelector("[data-copy-link-button]");
        var status = box.querySelector("[data-copy-link-status]");
        button.hidden = false;
        button.addEventListener("click", function () {
            navigator.clipboard.writeText(field.value).then(
                function () {
                    status.textContent = box.dataset.copiedMessage || "Link copied. Paste it into a message to share it.";
                },
                function () {
                    field.select();
                    status.textContent = "Your browser did not let us copy. The link is selected: copy it yourself.";
                }
            );
        });
    });
})();
