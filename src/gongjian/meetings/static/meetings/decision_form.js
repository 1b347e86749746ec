// The decision form: 责任人 offers only the people of the chosen 责任单位 (or of a unit under it), and the
// people of no unit (leaders given a decision by name). The server checks the same; without this file the
// list is simply longer.
document.addEventListener("DOMContentLoaded", () => {
  const owner = document.getElementById("id_owner");
  const assignee = document.getElementById("id_assignee");
  if (!owner || !assignee) return;
  const everyone = Array.from(assignee.options);
  const narrow = () => {
    const chosen = owner.options[owner.selectedIndex];
    const path = chosen ? chosen.dataset.path || "" : "";
    const keep = assignee.value;
    const fits = everyone.filter((option) => {
      const own = option.dataset.path;
      return !option.value || !path || !own || own.startsWith(path);
    });
    assignee.replaceChildren(...fits);
    assignee.value = fits.some((option) => option.value === keep) ? keep : "";
  };
  owner.addEventListener("change", narrow);
  narrow();
});
