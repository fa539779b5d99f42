// newscrawler: fold a table's column descriptions away, so the rows come first on the screen.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("dl.column-descriptions").forEach((list) => {
    const details = document.createElement("details");
    details.className = "nc-columns";
    const summary = document.createElement("summary");
    summary.textContent = `What the ${list.querySelectorAll("dt").length} columns mean`;
    list.parentNode.insertBefore(details, list);
    details.append(summary, list);
  });
});
