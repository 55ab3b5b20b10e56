// The widget editor: show only the fields that apply to the chosen kind of widget as soon as it changes.
// The page as served already hides them for the saved kind (statistics.viewsets.KindFieldPanel), so
// without this script the editor sees the right fields after saving.
document.addEventListener("DOMContentLoaded", () => {
  const kind = document.querySelector("select[name=kind]");
  if (!kind) {
    return;
  }
  kind.addEventListener("change", () => {
    for (const panel of document.querySelectorAll("[data-widget-kinds]")) {
      panel.hidden = !panel.dataset.widgetKinds.split(" ").includes(kind.value);
    }
  });
});
