() => {
  // Opening a whole document scrolls its highlighted quote into view.
  document.addEventListener("toggle", (event) => {
    const box = event.target;
    if (box instanceof HTMLDetailsElement && box.open && box.classList.contains("qa-doc")) {
      box.querySelector("mark.qa-target")?.scrollIntoView({ block: "center" });
    }
  }, true);

  // Gradio names each chat message "bot's message: " + its raw HTML. Screen readers get the text instead.
  const nameMessages = () => {
    for (const el of document.querySelectorAll("#qa-chat [aria-label*='<']")) {
      const text = (el.innerText || el.textContent || "").replace(/\s+/g, " ").trim();
      const who = el.closest(".user, .user-row") ? "You asked" : "Answer";
      el.setAttribute("aria-label", `${who}: ${text}`);
    }
  };

  // After a new answer, show its start (or the support panel's heading), not the bottom of the chat.
  let seen = 0;
  const showNewest = () => {
    const firsts = document.querySelectorAll("#qa-chat .qa-first");
    const grew = firsts.length > seen;
    seen = firsts.length;
    if (!grew) return;
    const newest = firsts[firsts.length - 1];
    const row = newest.closest(".message-row") || newest;
    // On a wide screen the chat scrolls inside its own box; on a phone the page scrolls.
    const log = row.closest(".bubble-wrap");
    if (log && log.scrollHeight > log.clientHeight) {
      log.scrollTop += row.getBoundingClientRect().top - log.getBoundingClientRect().top - 8;
    }
    const top = row.getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight * 0.4) window.scrollBy(0, top - 8);
  };

  let pending = false;
  new MutationObserver(() => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; nameMessages(); showNewest(); });
  }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["aria-label"] });
}
