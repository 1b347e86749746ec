// The wall screen's turns (分屏): one turn of panels on the screen at a time, the next every few seconds, and the
// buttons below to show one at once. Without the script a small screen shows every turn, one under the other.
(function () {
  "use strict";
  const nav = document.querySelector("[data-turn-seconds]");
  const turns = Array.from(document.querySelectorAll("[data-screen-turn]"));
  if (!nav || turns.length < 2) return;
  const buttons = Array.from(nav.querySelectorAll("[data-show-turn]"));
  const seconds = Math.max(5, parseInt(nav.dataset.turnSeconds, 10) || 30);
  let shown = 0;
  let timer = null;

  function show(index) {
    shown = (index + turns.length) % turns.length;
    turns.forEach((turn, i) => { turn.hidden = i !== shown; });
    buttons.forEach((button, i) => {
      if (i === shown) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
    });
    // charts drawn while their turn was hidden have no size yet
    window.dispatchEvent(new Event("resize"));
  }

  function restart() {
    if (timer) clearInterval(timer);
    timer = setInterval(() => show(shown + 1), seconds * 1000);
  }

  buttons.forEach((button, i) => button.addEventListener("click", () => { show(i); restart(); }));
  show(0);
  restart();
})();
