// Small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Filters submit when a select changes, so a person doesn't hunt for the button.
  document.querySelectorAll("form.filters select").forEach((el) =>
    el.addEventListener("change", () => el.form.requestSubmit()));
  // Keep the annual plan total in step with the monthly inputs of the project form.
  const plan = document.querySelector("[data-plan-table]");
  if (plan) {
    const total = plan.querySelector("[data-plan-total]");
    const update = () => {
      let sum = 0;
      plan.querySelectorAll("input[data-plan-cell]").forEach((i) => { sum += parseFloat(i.value || "0") || 0; });
      total.textContent = sum.toLocaleString("zh-CN", {minimumFractionDigits: 2, maximumFractionDigits: 2});
    };
    plan.addEventListener("input", update);
    update();
  }
  // An error page's 返回上一页 goes back in the tab's history when there is one (the link alone knows only the
  // page the browser said it came from, or the home page).
  document.querySelectorAll("a[data-history-back]").forEach((a) =>
    a.addEventListener("click", (event) => {
      if (window.history.length > 1) { event.preventDefault(); window.history.back(); }
    }));
  // Prevent double submission of forms that create or change data.
  document.querySelectorAll("form[method=post]").forEach((form) =>
    form.addEventListener("submit", () => {
      form.querySelectorAll("button[type=submit]").forEach((b) => { setTimeout(() => { b.disabled = true; }, 0); });
    }));
});

// A background task's page: the progress bar follows the task without reloading; the page reloads once it ends.
(function () {
  const box = document.querySelector("[data-job-status]");
  if (!box || box.dataset.finished) return;
  const url = box.dataset.jobStatus;
  function poll() {
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (s) {
        document.getElementById("job-progress").value = s.percent;
        document.getElementById("job-percent").textContent = s.percent + "%";
        document.getElementById("job-state").textContent = s.state_label;
        document.getElementById("job-step").textContent = s.step;
        if (s.finished) { window.location.reload(); } else { setTimeout(poll, 1000); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
