// Turnout console: the chart, sortable tables and the "try it" form. No inline scripts (the pages' CSP forbids them).
"use strict";
if (window.htmx) {
  htmx.config.includeIndicatorStyles = false; // htmx would add a <style> element, which the CSP refuses
}

document.addEventListener("DOMContentLoaded", () => {
  drawChart();
  document.querySelectorAll("table.sortable").forEach(sortable);
  const tryForm = document.getElementById("try-form");
  if (tryForm) {
    tryForm.addEventListener("submit", (event) => { event.preventDefault(); predict(tryForm); });
  }
});

function drawChart() {
  const canvas = document.getElementById("metric-chart");
  const select = document.getElementById("chart-metric");
  if (!canvas || !select || !window.Chart) {
    return;
  }
  const data = JSON.parse(canvas.dataset.chart);
  const chart = new Chart(canvas, {
    type: "line",
    data: { labels: data.versions.map((v) => "v" + v), datasets: [dataset(data, select.value)] },
    options: { animation: false, maintainAspectRatio: false, spanGaps: true,
      scales: { x: { title: { display: true, text: "version" } } } },
  });
  select.addEventListener("change", () => {
    chart.data.datasets = [dataset(data, select.value)];
    chart.update();
  });
}

function dataset(data, metric) {
  return { label: metric, data: data.metrics[metric], borderColor: "#0b5cad", backgroundColor: "#0b5cad",
    pointRadius: 4, borderWidth: 2 };
}

// Column buttons sort the rows; numbers by value (empty last), the rest as text. aria-sort tells screen readers.
function sortable(table) {
  table.querySelectorAll("th button[data-sort]").forEach((button) => {
    button.addEventListener("click", () => {
      const th = button.closest("th");
      const column = Array.from(th.parentNode.children).indexOf(th);
      const ascending = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th").forEach((h) => h.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const numeric = button.dataset.sort === "number";
      const body = table.tBodies[0];
      const rows = Array.from(body.rows);
      const key = (row) => {
        const cell = row.cells[column];
        return cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent.trim();
      };
      rows.sort((a, b) => {
        const x = key(a), y = key(b);
        if (numeric) {
          if (x === "" || y === "") { return x === "" ? (y === "" ? 0 : 1) : -1; }
          return ascending ? Number(x) - Number(y) : Number(y) - Number(x);
        }
        return ascending ? x.localeCompare(y) : y.localeCompare(x);
      });
      rows.forEach((row) => body.appendChild(row));
    });
  });
}

async function predict(form) {
  const result = document.getElementById("try-result");
  result.textContent = "Predicting…";
  const inputs = [];
  for (const fieldset of form.querySelectorAll("fieldset.tensor")) {
    const shape = fieldset.querySelector(".shape").value.split(",").map((d) => Number(d.trim()));
    const text = fieldset.querySelector(".data").value.trim();
    const data = text === "" ? [] : text.split(/[\s,]+/).map((x) => {
      const number = Number(x);
      return Number.isNaN(number) ? x : number;
    });
    inputs.push({ name: fieldset.dataset.name, datatype: fieldset.dataset.datatype, shape: shape, data: data });
  }
  try {
    const response = await fetch(form.dataset.infer, { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ inputs: inputs }) });
    const answer = await response.json();
    result.replaceChildren();
    const heading = document.createElement("p");
    if (response.ok) {
      heading.className = "notice";
      heading.textContent = "Answered by version " + answer.model_version + " of " + answer.model_name + ".";
    } else {
      heading.className = "problem";
      heading.textContent = response.status + ": " + (answer.error || "refused");
    }
    const body = document.createElement("pre");
    body.id = "try-answer";
    body.textContent = JSON.stringify(response.ok ? answer.outputs : answer, null, 2);
    result.append(heading, body);
  } catch (error) {
    result.textContent = "The request failed: " + error;
  }
}
